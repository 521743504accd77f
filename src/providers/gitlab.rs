//! What forgelink knows about GitLab (gitlab.com, Dedicated and self-managed), each fact with its source.

use serde_json::{json, Value};

use crate::detect::{info, TokenInfo};
use crate::endpoints::{ProviderUrls, ScopeSource};
use crate::error::{Code, Error};
use crate::feedback::{Comment, FeedbackLocation};
use crate::identity::parse_timestamp;
use crate::json::{number, text};
use crate::polling::{rfc3339, PollResource};
use crate::provider::Provider;
use crate::repositories::encode;
use crate::scopes::{scope, ScopeInfo};
use crate::webhooks::Status;
use crate::webhooks::{gitlab_mr_state, gitlab_status, Hook, HookSpec, MergeRequest, Pipeline};

// ---------------------------------------------------------------------------------------------
// Scopes

/// "Access token scopes" (formerly "Personal access token scopes"): every scope of personal,
/// group and project access tokens, which OAuth applications share.
pub(crate) const SCOPES_SOURCE: &str =
    "https://docs.gitlab.com/security/tokens/access_token_scopes/";

/// Every GitLab scope ([`SCOPES_SOURCE`]; `openid`, `profile` and `email` from "OAuth 2.0
/// identity provider API", docs.gitlab.com/api/oauth2/). `write_registry` implies nothing:
/// "Authenticate with the container registry" asks "For write (push) access, to be
/// write_registry and read_registry" (docs.gitlab.com/user/packages/container_registry/
/// authenticate_with_container_registry/), since a push also reads. `write_virtual_registry`
/// is not said to include `read_virtual_registry` either, so it implies nothing. A `static`,
/// not a `const`, so the wasm holds the table once.
pub(crate) static SCOPES: &[ScopeInfo] = &[
    scope("api", "Complete read and write access to the API: all groups and projects, the registries and the dependency proxy.", &["read_api"]),
    scope("read_api", "Read access to the API: projects, groups, merge requests, pipelines and jobs.", &[]),
    scope("read_user", "Read the authenticated user's profile (the /user endpoint).", &[]),
    scope("read_repository", "Read repositories with Git over HTTP and the repository files API.", &[]),
    scope("write_repository", "Read and write (push) repositories with Git over HTTP.", &["read_repository"]),
    scope("read_registry", "Pull container images from the container registry.", &[]),
    scope("write_registry", "Push container images (pushing needs read_registry too).", &[]),
    scope("read_virtual_registry", "Pull through the dependency proxy (virtual registry).", &[]),
    scope("write_virtual_registry", "Push and delete through the dependency proxy (virtual registry).", &[]),
    scope("read_observability", "Read GitLab Observability data.", &[]),
    scope("write_observability", "Write GitLab Observability data.", &[]),
    scope("read_service_ping", "Download the Service Ping payload (administrators only).", &[]),
    scope("self_rotate", "Rotate this token itself, and no other token.", &[]),
    scope("sudo", "Act as any user (administrators only).", &[]),
    scope("admin_mode", "Use administrator features when Admin Mode is on (administrators only).", &[]),
    scope("create_runner", "Create runners.", &[]),
    scope("manage_runner", "Manage runners.", &[]),
    scope("k8s_proxy", "Use the Kubernetes agent's proxy.", &[]),
    scope("ai_features", "Use GitLab Duo features through the API.", &[]),
    scope("openid", "Sign in with OpenID Connect.", &[]),
    scope("profile", "Read the user's profile as OpenID Connect claims.", &[]),
    scope("email", "Read the user's primary email address as an OpenID Connect claim.", &[]),
];

// ---------------------------------------------------------------------------------------------
// Authorization request

/// The authorization request may carry `root_namespace_id`, "the root namespace ID associated
/// with the project", to be used "when SAML SSO is configured for the associated group", so
/// that the sign-in goes through that group's SSO; its value is the top-level group's numeric
/// id. History: introduced in GitLab 18.2 behind the flag `ff_oauth_redirect_to_sso_login`
/// (off by default), on by default in 18.3, generally available in 18.5. An older instance
/// ignores it, and nothing in the URL can tell.
///
/// Source: GitLab Docs, "OAuth 2.0 identity provider API", "Authorization code flow" and
/// "Authorization code with Proof Key for Code Exchange (PKCE)"
/// (<https://docs.gitlab.com/api/oauth2/#authorization-code-flow>).
pub(crate) const ROOT_NAMESPACE_ID_PARAM: &str = "root_namespace_id";

// ---------------------------------------------------------------------------------------------
// Token responses

/// "Configure GitLab as an OAuth 2.0 authentication identity provider", "Access token
/// expiration" (docs.gitlab.com/integration/oauth_provider/#access-token-expiration): OAuth
/// access tokens expire after two hours, not configurable since GitLab 15.0; an older
/// instance's token response may leave `expires_in` out, so forgelink assumes this.
pub(crate) const OAUTH_ACCESS_TOKEN_SECONDS: i64 = 7200;

/// "OAuth 2.0 identity provider API", "Authorization code with PKCE flow"
/// (docs.gitlab.com/api/oauth2/): a refresh sends the authorization's `redirect_uri` again,
/// and GitLab refuses one without it.
pub(crate) const REFRESH_REPEATS_REDIRECT_URI: bool = true;

/// Same page: `client_secret` is needed by confidential applications only; an application not
/// marked confidential exchanges its code with the PKCE verifier alone, so GitLab connects
/// without one.
pub(crate) const CLIENT_SECRET_REQUIRED: bool = false;

// ---------------------------------------------------------------------------------------------
// Token kinds

/// What a personal, project or group access token is, under `glpat-` or the instance's own
/// prefix: "Account and limit settings", "Personal access token prefix", lets an administrator
/// replace `glpat-` (docs.gitlab.com/administration/settings/account_and_limit_settings/
/// #personal-access-token-prefix), so only the caller can know it.
pub(crate) const ACCESS_TOKEN: TokenInfo =
    info(Provider::GitLab, "access-token", "GitLab personal, project or group access token", true);

/// Every prefix "GitLab token overview" lists under "Token prefixes"
/// (docs.gitlab.com/security/tokens/#token-prefixes) that a person might paste. Only access
/// tokens connect: the others authenticate a runner, an agent, a job, a feed or a mailbox,
/// not the API.
/// `glrt-` and `glrtr-` differ after `glrt`, so neither shadows the other.
pub(crate) const TOKEN_PREFIXES: &[(&str, TokenInfo)] = &[
    ("glpat-", ACCESS_TOKEN),
    (
        "gloas-",
        info(
            Provider::GitLab,
            "oauth-application-secret",
            "GitLab OAuth application secret: not an access token",
            false,
        ),
    ),
    (
        "gldt-",
        info(
            Provider::GitLab,
            "deploy-token",
            "GitLab deploy token (Git and registry access only, no API)",
            false,
        ),
    ),
    (
        "glptt-",
        info(
            Provider::GitLab,
            "pipeline-trigger",
            "GitLab pipeline trigger token: not an access token",
            false,
        ),
    ),
    (
        "glrt-",
        info(
            Provider::GitLab,
            "runner",
            "GitLab runner authentication token: not an access token",
            false,
        ),
    ),
    (
        "glrtr-",
        info(
            Provider::GitLab,
            "runner-registered",
            "GitLab runner authentication token from registration: not an access token",
            false,
        ),
    ),
    (
        "glcbt-",
        info(
            Provider::GitLab,
            "ci-job",
            "GitLab CI/CD job token (valid while the job runs)",
            false,
        ),
    ),
    ("glft-", info(Provider::GitLab, "feed", "GitLab feed token: not an access token", false)),
    ("glsoat-", info(Provider::GitLab, "scim", "GitLab SCIM token: not an access token", false)),
    (
        "glimt-",
        info(
            Provider::GitLab,
            "incoming-email",
            "GitLab incoming email token: not an access token",
            false,
        ),
    ),
    (
        "glagent-",
        info(
            Provider::GitLab,
            "kubernetes-agent",
            "GitLab agent for Kubernetes token: not an access token",
            false,
        ),
    ),
    (
        "glwt-",
        info(Provider::GitLab, "workspace", "GitLab workspace token: not an access token", false),
    ),
    (
        "glffct-",
        info(
            Provider::GitLab,
            "feature-flags-client",
            "GitLab feature flags client token: not an access token",
            false,
        ),
    ),
];

// ---------------------------------------------------------------------------------------------
// Webhooks

/// "Project webhooks API" (docs.gitlab.com/api/project_webhooks/): a hook's event flags. The
/// ones a registration does not name are sent as `false`, because GitLab turns `push_events`
/// on by default.
pub(crate) const HOOK_EVENT_FLAGS: &[&str] = &[
    "push_events",
    "tag_push_events",
    "merge_requests_events",
    "pipeline_events",
    "job_events",
    "note_events",
    "confidential_note_events",
    "issues_events",
    "confidential_issues_events",
    "releases_events",
    "deployment_events",
    "wiki_page_events",
];

/// "Webhooks", "Delivery headers" (docs.gitlab.com/user/project/integrations/webhooks/
/// #delivery-headers): the header naming the event (`Push Hook`, `Pipeline Hook`, …).
pub(crate) const EVENT_HEADER: &str = "X-Gitlab-Event";

/// Same page: `Idempotency-Key` (GitLab 17.4 and later) is one id per delivery, the same on
/// every retry and on "Resend request"; `X-Gitlab-Event-UUID` is one id per event, shared by
/// recursive hooks (a hook triggered by an earlier hook's call into GitLab). forgelink names a
/// delivery by the first it finds. Neither is signed under the secret token, so deduplication
/// uses the signed `webhook-id` (equal to `Idempotency-Key`) where a signing token is set,
/// and the body otherwise.
pub(crate) const DELIVERY_ID_HEADERS: [&str; 2] = ["Idempotency-Key", "X-Gitlab-Event-UUID"];

/// Same page: the id of the hook that sent the delivery.
pub(crate) const HOOK_ID_HEADER: &str = "X-Gitlab-Webhook-UUID";

/// Same page: the hook's secret token, sent as configured.
pub(crate) const TOKEN_HEADER: &str = "X-Gitlab-Token";

/// "Project webhooks API" (docs.gitlab.com/api/project_webhooks/) and "Webhooks", "Signing
/// token" (docs.gitlab.com/user/project/integrations/webhooks/): a hook takes a
/// `signing_token`, `whsec_` and the base64 of 32 random bytes, beside its secret `token`.
/// GitLab then also signs each delivery as Standard Webhooks do (`webhook-id`, equal to the
/// `Idempotency-Key`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>`).
/// The API never returns the token, only `signing_token_present`; an instance without the
/// feature (older releases, or the `webhook_signing_token` feature flag off: merge requests
/// gitlab.com/gitlab-org/gitlab/-/merge_requests/230944 and 231325, April 2026) ignores the
/// field silently, so forgelink keeps the signing token only where the answer confirms it.
pub(crate) const SIGNING_TOKEN_FIELD: &str = "signing_token";

/// The Standard Webhooks headers of a delivery from a hook with a signing token
/// ([`SIGNING_TOKEN_FIELD`]): its id, its unix timestamp, and `v1,` and the base64 signature
/// (several, space-separated, while a token rotates).
pub(crate) const SIGNED_ID_HEADER: &str = "webhook-id";

/// See [`SIGNED_ID_HEADER`].
pub(crate) const SIGNED_TIMESTAMP_HEADER: &str = "webhook-timestamp";

/// See [`SIGNED_ID_HEADER`].
pub(crate) const SIGNATURE_HEADER: &str = "webhook-signature";

/// The answer's confirmation that [`SIGNING_TOKEN_FIELD`] was kept (same pages).
pub(crate) const SIGNING_TOKEN_PRESENT_FIELD: &str = "signing_token_present";

/// The prefix of a signing token, then standard base64 of [`SIGNING_TOKEN_BYTES`] bytes
/// (same pages).
pub(crate) const SIGNING_TOKEN_PREFIX: &str = "whsec_";

/// The key length of a signing token (same pages).
pub(crate) const SIGNING_TOKEN_BYTES: usize = 32;

/// "Webhooks", "Auto-disabled webhooks" (docs.gitlab.com/user/project/integrations/webhooks/
/// #auto-disabled-webhooks), GitLab 17.11 and later: a project or group hook is disabled
/// temporarily after 4 consecutive failures (any 4xx, 5xx or network error), for a back-off
/// that starts at one minute and grows to a day, and re-enabled by itself afterwards; after 40
/// consecutive failures it is disabled permanently, until someone sends a test request from
/// the hook's settings that succeeds. The hooks API names the state in `alert_status`
/// (`executable`, `temporarily_disabled`, `disabled`) with `disabled_until` for a temporary
/// one ("Project webhooks API", docs.gitlab.com/api/project_webhooks/).
pub(crate) const FAILURES_BEFORE_TEMPORARY_DISABLE: u32 = 4;

/// See [`FAILURES_BEFORE_TEMPORARY_DISABLE`].
pub(crate) const FAILURES_BEFORE_PERMANENT_DISABLE: u32 = 40;

/// The `alert_status` of a hook GitLab delivers to (see [`FAILURES_BEFORE_TEMPORARY_DISABLE`]).
pub(crate) const HOOK_EXECUTABLE: &str = "executable";

/// The `alert_status` of a hook paused until its `disabled_until` (same page).
pub(crate) const HOOK_TEMPORARILY_DISABLED: &str = "temporarily_disabled";

/// "Project webhooks API" (docs.gitlab.com/api/project_webhooks/), "Add a webhook to a
/// project": the body, with TLS verification on and every event flag the spec does not name
/// sent as `false` ([`HOOK_EVENT_FLAGS`]), and the signing token where one is given.
pub(crate) fn hook_body(spec: &HookSpec) -> Value {
    let mut body =
        json!({ "url": spec.url, "token": spec.secret.secret(), "enable_ssl_verification": true });
    for flag in HOOK_EVENT_FLAGS {
        body[*flag] = Value::Bool(spec.events.iter().any(|e| e == flag));
    }
    if let Some(signing) = &spec.signing_secret {
        body[SIGNING_TOKEN_FIELD] = Value::from(signing.secret());
    }
    body
}

/// A hook as the same API describes it: its events are the flags set, and it delivers unless
/// GitLab disabled it ([`FAILURES_BEFORE_TEMPORARY_DISABLE`]).
pub(crate) fn read_hook(value: &Value) -> Option<Hook> {
    let alert = value["alert_status"].as_str();
    Some(Hook {
        id: text(value, &["id"])?,
        url: text(value, &["url"])?,
        events: HOOK_EVENT_FLAGS
            .iter()
            .filter(|f| value[**f].as_bool() == Some(true))
            .map(|f| (*f).to_owned())
            .collect(),
        active: alert.is_none_or(|s| s == HOOK_EXECUTABLE),
        disabled_until: (alert == Some(HOOK_TEMPORARILY_DISABLED))
            .then(|| text(value, &["disabled_until"]))
            .flatten(),
        signing_token_set: value[SIGNING_TOKEN_PRESENT_FIELD].as_bool(),
    })
}

/// Whether `secret` has the shape GitLab accepts as a signing token ([`SIGNING_TOKEN_FIELD`]):
/// [`SIGNING_TOKEN_PREFIX`] and the standard base64 of [`SIGNING_TOKEN_BYTES`] bytes.
pub(crate) fn is_signing_token(secret: &str) -> bool {
    use base64::Engine as _;
    secret.strip_prefix(SIGNING_TOKEN_PREFIX).is_some_and(|encoded| {
        base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .is_ok_and(|key| key.len() == SIGNING_TOKEN_BYTES)
    })
}

// ---------------------------------------------------------------------------------------------
// Feedback

/// Where comments at `location` are posted, under the project's API URL: "Notes API"
/// (docs.gitlab.com/api/notes/) for merge requests and issues, "Discussions API", "Commits"
/// (docs.gitlab.com/api/discussions/#commits) for commits, since a commit note posted as a
/// discussion can be updated; "Issues API" (docs.gitlab.com/api/issues/) for a new issue.
pub(crate) fn comments_path(location: &FeedbackLocation) -> Option<String> {
    Some(match location {
        FeedbackLocation::NewIssue { .. } => "issues".to_owned(),
        FeedbackLocation::MergeRequest { number } => format!("merge_requests/{number}/notes"),
        FeedbackLocation::Issue { number } => format!("issues/{number}/notes"),
        FeedbackLocation::Commit { sha } => {
            format!("repository/commits/{}/discussions", encode(sha))
        }
    })
}

/// Same pages: the body of a note, or of a new issue (whose description is the feedback).
pub(crate) fn comment_body(location: &FeedbackLocation, body: &str) -> Value {
    match location {
        FeedbackLocation::NewIssue { title } => json!({ "title": title, "description": body }),
        _ => json!({ "body": body }),
    }
}

/// Same pages: how a note (or the new issue's description) is rewritten, from the project's
/// API URL `repo` and the collection it was posted to. A commit note is updated through its
/// discussion.
pub(crate) fn update_comment(
    repo: &str,
    collection: &str,
    location: &FeedbackLocation,
    comment: &Comment,
    body: &str,
) -> Result<(&'static str, String, Value), Error> {
    let id = encode(&comment.id);
    Ok(match location {
        FeedbackLocation::NewIssue { .. } => {
            ("PUT", format!("{repo}/issues/{id}"), json!({ "description": body }))
        }
        FeedbackLocation::Commit { .. } => {
            let discussion = comment.discussion_id.as_deref().ok_or_else(|| {
                Error::new(
                    Code::InputInvalid,
                    "A GitLab commit note is updated through its discussion.",
                )
            })?;
            (
                "PUT",
                format!("{collection}/{}/notes/{id}", encode(discussion)),
                json!({ "body": body }),
            )
        }
        _ => ("PUT", format!("{collection}/{id}"), json!({ "body": body })),
    })
}

/// Same pages: a note as the API answers it (a commit discussion holds it as its first note;
/// a new issue is named by its `iid`).
pub(crate) fn read_comment(location: &FeedbackLocation, v: &Value) -> Option<Comment> {
    let in_discussion =
        matches!(location, FeedbackLocation::Commit { .. }) && v.get("notes").is_some();
    let (note, id, body) = match location {
        FeedbackLocation::NewIssue { .. } => (v, "iid", "description"),
        _ if in_discussion => (&v["notes"][0], "id", "body"),
        _ => (v, "id", "body"),
    };
    Some(Comment {
        id: text(note, &[id])?,
        body: text(note, &[body]).unwrap_or_default(),
        url: matches!(location, FeedbackLocation::NewIssue { .. })
            .then(|| text(v, &["web_url"]))
            .flatten(),
        discussion_id: in_discussion.then(|| text(v, &["id"])).flatten(),
        version: None,
    })
}

/// A note's web address, which its API answer does not carry: the `#note_<id>` anchor on its
/// merge request, issue or commit page, under the project's web URL `web`.
pub(crate) fn comment_web_url(web: &str, location: &FeedbackLocation, id: &str) -> Option<String> {
    match location {
        FeedbackLocation::MergeRequest { number } => {
            Some(format!("{web}/-/merge_requests/{number}#note_{id}"))
        }
        FeedbackLocation::Issue { number } => Some(format!("{web}/-/issues/{number}#note_{id}")),
        FeedbackLocation::Commit { sha } => {
            Some(format!("{web}/-/commit/{}#note_{id}", encode(sha)))
        }
        FeedbackLocation::NewIssue { .. } => None,
    }
}
// Settings pages

/// Where a user-owned OAuth application is added, under the web base URL: "Create a
/// user-owned application" (avatar, "Edit profile", "Applications", "Add new application").
/// Group and instance applications live under the group's or the Admin area's settings.
///
/// Source: GitLab Docs, "Configure GitLab as an OAuth 2.0 authentication identity provider"
/// (<https://docs.gitlab.com/integration/oauth_provider/#create-a-user-owned-application>).
pub(crate) const OAUTH_APP_PAGE: Option<&str> = Some("/-/user_settings/applications");

/// Where a personal access token is created: the page whose URL "Prefill personal access
/// token name and scopes" adds `name` and `scopes` to.
///
/// Source: GitLab Docs, "Personal access tokens"
/// (<https://docs.gitlab.com/user/profile/personal_access_tokens/#prefill-personal-access-token-name-and-scopes>).
pub(crate) const ACCESS_TOKEN_PAGE: Option<&str> = Some("/-/user_settings/personal_access_tokens");

// Pipelines retried under the same id

/// "Pipelines API" (<https://docs.gitlab.com/api/pipelines/>): "Retry jobs in a pipeline"
/// (`POST /projects/:id/pipelines/:pipeline_id/retry`) answers with the same pipeline, its id
/// unchanged (the example retries pipeline 46 and answers `"id": 46`), and GitLab counts no
/// attempts. A retried job is a job of its own, beside the one it retries ("Jobs API", "List
/// pipeline jobs", `include_retried`: "Include retried jobs in the response",
/// <https://docs.gitlab.com/api/jobs/#list-pipeline-jobs>), so jobs need nothing more. What
/// tells a pipeline's
/// attempts apart is when each one finished: `finished_at`, which the Pipeline Hook sends in
/// `object_attributes` to the second (`"2016-08-12 15:26:29 UTC"`, "Webhook events",
/// "Pipeline events", <https://docs.gitlab.com/user/project/integrations/webhook_events/#pipeline-events>)
/// and "Get a single pipeline" to the millisecond (`"2016-08-11T11:32:35.145Z"`). Both name
/// the same moment, so the whole second is the attempt's mark: the same for a delivery and a
/// poll of one attempt, different for the next. Only a finished pipeline has it; a running
/// attempt is not told from the one before.
pub(crate) fn retry_mark(status: Status, finished_at: Option<&str>) -> Option<i64> {
    finished_at.filter(|_| finished(status)).and_then(parse_timestamp)
}

/// Whether a pipeline in `status` has finished: `success`, `failed`, `canceled` or `skipped`
/// as normalised (the statuses "Pipelines API" lists, less those still to run or waiting).
pub(crate) fn finished(status: Status) -> bool {
    matches!(status, Status::Success | Status::Failure | Status::Canceled | Status::Skipped)
}

/// "List project pipelines" (`GET /projects/:id/pipelines`) answers each pipeline with `id`,
/// `iid`, `project_id`, `sha`, `ref`, `status`, `source`, `created_at`, `updated_at`,
/// `web_url` (and `name`), but without `finished_at`; "Get a single pipeline"
/// (`GET /projects/:id/pipelines/:pipeline_id`) has it ("Pipelines API",
/// <https://docs.gitlab.com/api/pipelines/#get-a-single-pipeline>). So a poll reads each
/// finished pipeline it lists once more, here, for its [`retry_mark`].
pub(crate) fn single_pipeline_url(project_url: &str, pipeline_id: &str) -> String {
    format!("{project_url}/pipelines/{pipeline_id}")
}

// ---------------------------------------------------------------------------------------------
// Objects read from webhooks and polls alike

/// A merge request as the Merge Request Hook's `object_attributes`, the Pipeline Hook's
/// `merge_request` ("Webhook events", docs.gitlab.com/user/project/integrations/
/// webhook_events/) and the "Merge requests API" (docs.gitlab.com/api/merge_requests/)
/// describe it: the same fields, except that the hooks name its page `url` and the API
/// `web_url`.
pub(crate) fn read_merge_request(mr: &Value) -> MergeRequest {
    MergeRequest {
        number: number(mr, &["iid"]),
        title: text(mr, &["title"]),
        state: gitlab_mr_state(text(mr, &["state"])),
        source_branch: text(mr, &["source_branch"]),
        target_branch: text(mr, &["target_branch"]),
        url: text(mr, &["url"]).or_else(|| text(mr, &["web_url"])),
    }
}

/// A pipeline as the Pipeline Hook's `object_attributes` (same page) and the "Pipelines API"
/// (docs.gitlab.com/api/pipelines/) describe it; again `url` in the hook, `web_url` in the
/// API. Its attempt is told by when it finished ([`retry_mark`]), not by a counter.
pub(crate) fn read_pipeline(pipeline: &Value) -> Pipeline {
    let raw = text(pipeline, &["status"]).unwrap_or_default();
    Pipeline {
        id: text(pipeline, &["id"]),
        attempt: None,
        status: gitlab_status(&raw),
        raw_status: raw,
        r#ref: text(pipeline, &["ref"]),
        sha: text(pipeline, &["sha"]),
        url: text(pipeline, &["url"]).or_else(|| text(pipeline, &["web_url"])),
        started_at: text(pipeline, &["created_at"]),
        finished_at: text(pipeline, &["finished_at"]),
    }
}

// ---------------------------------------------------------------------------------------------
// Endpoints

/// "OAuth 2.0 identity provider API" (docs.gitlab.com/api/oauth2/): where the browser
/// authorizes, under the instance's web base URL (with its relative URL root).
pub(crate) const AUTHORIZE_PATH: &str = "/oauth/authorize";

/// Every URL of an instance: authorize, token, revoke, the device flow and the token's
/// granted scopes (`GET /oauth/token/info`, field `scope`) from "OAuth 2.0 identity provider
/// API" (above); the account from "Users API", `GET /user` (docs.gitlab.com/api/users/); the
/// version from "Version API" (docs.gitlab.com/api/version/).
pub(crate) fn urls(web: &str, api: &str) -> ProviderUrls {
    ProviderUrls {
        token: format!("{web}/oauth/token"),
        revoke: Some(format!("{web}/oauth/revoke")),
        device_authorization: Some(format!("{web}/oauth/authorize_device")),
        current_user: format!("{api}/user"),
        current_user_header: None,
        version: Some(format!("{api}/version")),
        granted_scopes: ScopeSource::Endpoint {
            url: format!("{web}/oauth/token/info"),
            field: "scope",
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Polling

/// What a poll lists, under the project's API URL `repo`, for changes since `since` (unix
/// seconds): "Pipelines API" (`updated_after`, ordered by update; docs.gitlab.com/api/
/// pipelines/), "Jobs API" (retried jobs included; docs.gitlab.com/api/jobs/), "Merge requests
/// API" (`updated_after`, `scope=all`; docs.gitlab.com/api/merge_requests/) and "Events API"
/// (`action=pushed`; its `after` takes a date and is exclusive, so the poll asks from the day
/// before and filters; docs.gitlab.com/api/events/). `per_page` is at most 100 ("REST API",
/// "Pagination", docs.gitlab.com/api/rest/#pagination). `None` for a list GitLab has not.
pub(crate) fn poll_url(
    repo: &str,
    resource: &PollResource,
    since: i64,
    per_page: u32,
) -> Option<String> {
    let after = encode(&rfc3339(since));
    Some(match resource {
        PollResource::Pipelines => format!(
            "{repo}/pipelines?updated_after={after}&order_by=updated_at&sort=desc&per_page={per_page}"
        ),
        PollResource::Pipeline { pipeline_id, .. } => single_pipeline_url(repo, &encode(pipeline_id)),
        PollResource::Jobs { pipeline_id } => format!(
            "{repo}/pipelines/{}/jobs?include_retried=true&per_page={per_page}",
            encode(pipeline_id)
        ),
        PollResource::MergeRequests => format!(
            "{repo}/merge_requests?updated_after={after}&order_by=updated_at&sort=desc&scope=all&per_page={per_page}"
        ),
        PollResource::Pushes => format!(
            "{repo}/events?action=pushed&after={}&sort=desc&per_page={per_page}",
            rfc3339(since.saturating_sub(86_400)).get(..10).unwrap_or_default()
        ),
        PollResource::Branches | PollResource::CommitStatuses { .. } => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scopes::check_scopes;

    /// "For write (push) access, to be write_registry and read_registry" ("Authenticate with
    /// the container registry"): `write_registry` alone cannot push, so `read_registry` is
    /// missing.
    #[test]
    fn write_registry_does_not_imply_read_registry() {
        let c =
            check_scopes(Provider::GitLab, "write_registry", &["read_registry", "write_registry"])
                .unwrap();
        assert!(!c.satisfied);
        assert_eq!(c.missing, ["read_registry"]);
        let both = check_scopes(
            Provider::GitLab,
            "read_registry write_registry",
            &["read_registry", "write_registry"],
        )
        .unwrap();
        assert!(both.satisfied, "{both:?}");
    }

    /// The scopes [`SCOPES_SOURCE`] lists that forgelink lacked: each is now known, so a
    /// check that requires one is answered instead of refused as an unknown scope.
    #[test]
    fn access_token_scopes_page_scopes_are_known() {
        for name in [
            "read_virtual_registry",
            "write_virtual_registry",
            "read_observability",
            "write_observability",
            "read_service_ping",
            "self_rotate",
        ] {
            let c = check_scopes(Provider::GitLab, name, &[name]).unwrap();
            assert!(c.satisfied, "{name}: {c:?}");
        }
    }

    /// The prefixes "GitLab token overview" lists under "Token prefixes" that forgelink
    /// lacked, each its own kind and none an access token.
    #[test]
    fn token_overview_prefixes() {
        use crate::detect::detect_token;
        for (token, kind) in [
            ("glrtr-abc", "runner-registered"),
            ("glrt-abc", "runner"),
            ("glimt-abc", "incoming-email"),
            ("glagent-abc", "kubernetes-agent"),
            ("glwt-abc", "workspace"),
            ("glffct-abc", "feature-flags-client"),
        ] {
            let info = detect_token(token);
            assert_eq!((info.provider, info.kind), (Some(Provider::GitLab), kind), "{token}");
            assert!(!info.usable_as_access_token, "{token}");
        }
    }

    /// An administrator can replace `glpat-` ("Personal access token prefix", see
    /// [`ACCESS_TOKEN`]): with the instance's prefix given, its tokens are access tokens;
    /// without it, or with a blank one, they are unknown.
    #[test]
    fn custom_personal_access_token_prefix() {
        use crate::detect::detect_token_with_prefix;
        let info = detect_token_with_prefix(" acme-abc ", Some("acme-"));
        assert_eq!((info.provider, info.kind), (Some(Provider::GitLab), "access-token"));
        assert!(info.usable_as_access_token);
        assert_eq!(detect_token_with_prefix("acme-abc", None).kind, "unknown");
        assert_eq!(detect_token_with_prefix("acme-abc", Some("  ")).kind, "unknown");
        // The default prefix and the other providers' stay recognised beside a custom one.
        assert_eq!(detect_token_with_prefix("glpat-abc", Some("acme-")).kind, "access-token");
        assert_eq!(detect_token_with_prefix("ghp_abc", Some("acme-")).kind, "classic-pat");
    }
}
