//! What forgelink knows about Bitbucket Cloud (bitbucket.org), each fact with its source.
//!
//! Bitbucket Cloud has two scope vocabularies, and both live in [`SCOPES`]: the OAuth consumer
//! scopes (`repository`, `pullrequest:write`, ...), which OAuth consumers and repository,
//! project and workspace access tokens carry, and the API token scopes
//! (`read:repository:bitbucket`, ...), which API tokens carry. The names never overlap (every
//! API token scope ends in `:bitbucket`), so one catalog with a [`ScopeKind`] per scope serves
//! `check_scopes` for either kind of connection without the caller naming the kind; the
//! profiles say which names each kind of connection needs.

use serde_json::{json, Value};

use crate::detect::{Retirement, TokenInfo};
use crate::provider::Provider;
// An OAuth consumer scope (and an access token's: they share the names).
use crate::endpoints::{ProviderUrls, ScopeSource};
use crate::feedback::{Comment, FeedbackLocation};
use crate::json::{number, strings, text};
use crate::polling::{rfc3339, PollResource};
use crate::repositories::encode;
use crate::scopes::{scope as oauth, ScopeInfo, ScopeKind};
use crate::webhooks::{
    bitbucket_pr_state, bitbucket_status, CommitStatus, Hook, HookSpec, MergeRequest,
};

/// Unix seconds at 00:00 UTC of a proleptic Gregorian date (H. Hinnant's `days_from_civil`),
/// so that the dates below read as dates and still compare as numbers. Called on this module's
/// constants, so evaluated at compile time; saturating all the same, as the crate's arithmetic
/// is.
const fn utc_midnight(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year.saturating_sub(1) } else { year };
    let era = y.div_euclid(400);
    let yoe = y.saturating_sub(era.saturating_mul(400));
    let mp = if month > 2 { month.saturating_sub(3) } else { month.saturating_add(9) };
    let doy = mp.saturating_mul(153).saturating_add(2) / 5;
    let doy = doy.saturating_add(day).saturating_sub(1);
    let doe = yoe.saturating_mul(365).saturating_add(yoe / 4).saturating_sub(yoe / 100);
    let doe = doe.saturating_add(doy);
    let days = era.saturating_mul(146_097).saturating_add(doe).saturating_sub(719_468);
    days.saturating_mul(86_400)
}

// ---------------------------------------------------------------------------------------------
// Token kinds and prefixes

/// Atlassian's notice of the brownouts (2026-06-09 to 2026-07-27, during which requests with an
/// app password fail with 401) and the removal on 2026-07-28.
pub(crate) const APP_PASSWORD_REMOVAL: &str = "https://community.atlassian.com/forums/Bitbucket-articles/Deprecation-notice-Bitbucket-Cloud-app-password-brownout/ba-p/3237429";
/// Using API tokens: Basic authentication with the Atlassian account email and the token.
pub(crate) const API_TOKENS: &str =
    "https://support.atlassian.com/bitbucket-cloud/docs/using-api-tokens/";

/// The end of app passwords, as dates: judged against the caller's clock (the flows' host
/// clock, or `now` where a function takes one), never against the day forgelink was built.
/// Creation stopped on 2025-09-09 ("Bitbucket Cloud enters phase 2 of app password
/// deprecation", community.atlassian.com/forums/Bitbucket-articles/Bitbucket-Cloud-enters-phase-2-of-app-password-deprecation/ba-p/3106901);
/// brownouts from 2026-06-09 and removal on 2026-07-28 ([`APP_PASSWORD_REMOVAL`]). Each date is
/// taken as 00:00 UTC, the first brownout window's start.
pub(crate) const APP_PASSWORD_RETIREMENT: Retirement = Retirement {
    creation_stopped_at: utc_midnight(2025, 9, 9),
    brownouts_from: utc_midnight(2026, 6, 9),
    removed_at: utc_midnight(2026, 7, 28),
    source: APP_PASSWORD_REMOVAL,
};

/// The token prefixes Bitbucket Cloud issues, longest first. Sources: [`API_TOKENS`] (`ATATT`,
/// Basic with the account email); "Access tokens" (support.atlassian.com/bitbucket-cloud/docs/
/// access-tokens/: `ATCTT`, Bearer, with the consumer scope names); the app password notices
/// (`ATBB`, Basic with the username; retired, see [`APP_PASSWORD_RETIREMENT`]).
pub(crate) const TOKEN_PREFIXES: &[(&str, TokenInfo)] = &[
    (
        "ATATT",
        TokenInfo {
            provider: Some(Provider::BitbucketCloud),
            kind: "api-token",
            description: "Atlassian API token (Basic auth with the Atlassian account email)",
            usable_as_access_token: true,
            retirement: None,
        },
    ),
    (
        "ATCTT",
        TokenInfo {
            provider: Some(Provider::BitbucketCloud),
            kind: "access-token",
            description: "Bitbucket Cloud repository, project or workspace access token",
            usable_as_access_token: true,
            retirement: None,
        },
    ),
    (
        "ATBB",
        TokenInfo {
            provider: Some(Provider::BitbucketCloud),
            kind: "app-password",
            description: "Bitbucket Cloud app password (retired: none could be created after 2025-09-09, and all stop working on 2026-07-28; use an API token)",
            usable_as_access_token: true,
            retirement: Some(APP_PASSWORD_RETIREMENT),
        },
    ),
];

/// The kind [`TOKEN_PREFIXES`] gives API tokens, whose scopes are the API token scopes.
pub(crate) const API_TOKEN_KIND: &str = "api-token";

// ---------------------------------------------------------------------------------------------
// OAuth token responses

/// The day Atlassian enforces "OAuth 2.0 and API authentication changes for Bitbucket Cloud"
/// (community.developer.atlassian.com/t/oauth-2-0-and-api-authentication-changes-for-bitbucket-cloud/99003,
/// below "the 2026 OAuth changes"): refresh tokens rotate on every use, unused refresh tokens
/// expire after three months, and token responses name the granted scopes `scope` instead of
/// `scopes`.
pub(crate) const OAUTH_CHANGES_ENFORCED_AT: i64 = utc_midnight(2026, 5, 4);
/// "Use OAuth on Bitbucket Cloud" (support.atlassian.com/bitbucket-cloud/docs/
/// use-oauth-on-bitbucket-cloud/): the token endpoint authenticates the consumer with HTTP
/// Basic (its key and secret), never with form fields.
pub(crate) const CLIENT_AUTH_BASIC_ONLY: bool = true;

/// The fields a token response lists the granted scopes in: `scope` from 2026-05-04, `scopes`
/// before (the 2026 OAuth changes). Both are read, so a response from either side of the date
/// is understood whatever the caller's clock says.
pub(crate) const TOKEN_RESPONSE_SCOPE_FIELDS: &[&str] = &["scope", "scopes"];
/// How long an unused refresh token lives once [`OAUTH_CHANGES_ENFORCED_AT`] has passed: "3
/// months" (the 2026 OAuth changes), counted as the shortest three calendar months (89 days)
/// so that a warning never comes too late. Each refresh rotates the token, so the clock starts
/// again at every token response.
pub(crate) const REFRESH_TOKEN_IDLE_LIFETIME: i64 = 89 * 86_400;

/// When a refresh token issued at `issued` (host clock) stops working if unused, or `None` when
/// it was issued before the three-month rule was enforced.
pub(crate) fn refresh_token_expires_at(issued: i64) -> Option<i64> {
    (issued >= OAUTH_CHANGES_ENFORCED_AT)
        .then(|| issued.saturating_add(REFRESH_TOKEN_IDLE_LIFETIME))
}

// ---------------------------------------------------------------------------------------------
// Scopes

/// Scopes for the Bitbucket Cloud REST API: the consumer scopes and what they imply.
pub(crate) const CONSUMER_SCOPES_SOURCE: &str =
    "https://developer.atlassian.com/cloud/bitbucket/bitbucket-cloud-rest-api-scopes/";

/// An API token scope. None implies another: "This scope does not imply the
/// read:repository:bitbucket scope, so you need to request that separately" ("API token
/// permissions", support.atlassian.com/bitbucket-cloud/docs/api-token-permissions/), and the admin scope "does not implicitly grant access to the
/// read:repository:bitbucket or the write:repository:bitbucket scopes".
const fn api(name: &'static str, description: &'static str) -> ScopeInfo {
    ScopeInfo { kind: ScopeKind::ApiToken, ..oauth(name, description, &[]) }
}

/// Every Bitbucket Cloud scope: the consumer scopes ([`CONSUMER_SCOPES_SOURCE`]), then the API
/// token scopes ("API token permissions", support.atlassian.com/bitbucket-cloud/docs/
/// api-token-permissions/; the REST reference lists both beside each operation, as "Commit
/// statuses" does: `repository`, `read:repository:bitbucket`). Of the API token scopes, those
/// forgelink's profiles use: the page also lists project, runner, issue, snippet, SSH and GPG
/// key and permission scopes, which no forgelink call needs (the package's smaller module has
/// a size budget, so unused names stay out).
pub(crate) static SCOPES: &[ScopeInfo] = &[
    oauth("account", "Read the account (GET /2.0/user), workspaces and emails.", &[]),
    oauth("account:write", "Change the user's account settings.", &["account"]),
    oauth("email", "Read the user's primary email address.", &[]),
    oauth(
        "repository",
        "Read repositories: source, clone over https, file browsing, archives.",
        &[],
    ),
    oauth(
        "repository:write",
        "Push to and fork repositories (not pull requests).",
        &["repository"],
    ),
    oauth("repository:admin", "Administer repositories (not read).", &[]),
    oauth("repository:delete", "Delete repositories.", &[]),
    oauth("pullrequest", "Read pull requests and comment on them.", &["repository"]),
    oauth(
        "pullrequest:write",
        "Create, approve and merge pull requests; includes repository:write.",
        &["pullrequest", "repository:write"],
    ),
    oauth("project", "Read projects and their repositories.", &["repository"]),
    oauth("project:admin", "Administer projects.", &["project"]),
    oauth("issue", "Read issues and comment and vote on them.", &[]),
    oauth("issue:write", "Create, edit and transition issues.", &["issue"]),
    oauth("pipeline", "Read pipelines, steps, deployments and environments.", &[]),
    oauth("pipeline:write", "Run and stop pipelines.", &["pipeline"]),
    oauth("pipeline:variable", "Read and write pipeline variables.", &["pipeline:write"]),
    oauth("runner", "Read runners.", &[]),
    oauth("runner:write", "Create, edit and delete runners.", &["runner"]),
    oauth("snippet", "Read snippets.", &[]),
    oauth("snippet:write", "Create, edit and delete snippets.", &["snippet"]),
    oauth("webhook", "Manage webhooks (with read access to what their events concern).", &[]),
    oauth("wiki", "Read and write repository wikis.", &[]),
    api("read:user:bitbucket", "Read the account."),
    api("read:workspace:bitbucket", "Read workspaces."),
    api("read:repository:bitbucket", "Read repositories."),
    api("write:repository:bitbucket", "Write repositories (not read)."),
    api("admin:repository:bitbucket", "Administer repositories (not read)."),
    api("read:pullrequest:bitbucket", "Read pull requests."),
    api("write:pullrequest:bitbucket", "Write pull requests (not read)."),
    api("read:pipeline:bitbucket", "Read pipelines."),
    api("admin:pipeline:bitbucket", "Administer pipelines."),
    api("read:webhook:bitbucket", "Read webhooks."),
    api("write:webhook:bitbucket", "Write webhooks (not read)."),
];

/// Why a scope name is not one of Bitbucket Cloud's, when it looks like an API token scope.
pub(crate) fn unknown_scope_hint(name: &str) -> &'static str {
    if name.split(':').count() == 3 {
        " API token scopes read like read:repository:bitbucket."
    } else {
        ""
    }
}

// ---------------------------------------------------------------------------------------------
// Webhooks

/// "Manage webhooks", "Event payloads" (support.atlassian.com/bitbucket-cloud/docs/
/// event-payloads/): the event's key (`repo:push`, `pullrequest:created`, …), sent by both
/// Bitbucket Cloud and Data Center.
pub(crate) const EVENT_HEADER: &str = "X-Event-Key";

/// Same page: the delivery's UUID, which only Bitbucket Cloud sends.
pub(crate) const DELIVERY_HEADER: &str = "X-Request-UUID";

/// Same page: the hook's UUID, without braces.
pub(crate) const HOOK_ID_HEADER: &str = "X-Hook-UUID";

/// "Secure webhooks" (support.atlassian.com/bitbucket-cloud/docs/manage-webhooks/
/// #Secure-webhooks): `sha256=` and the hex HMAC-SHA256 of the body with the hook's secret.
pub(crate) const SIGNATURE_HEADER: &str = "X-Hub-Signature";

/// A hook UUID without its braces, in lower case: how forgelink compares them. The hooks API
/// ("Repositories" REST API, developer.atlassian.com/cloud/bitbucket/rest/
/// api-group-repositories/) writes a hook's `uuid` in braces (`{908a6d9e-...}`), while its
/// deliveries carry [`HOOK_ID_HEADER`] without them. UUIDs are case-insensitive (RFC 9562).
pub(crate) fn bare_hook_uuid(id: &str) -> String {
    let id = id.trim();
    let id = id.strip_prefix('{').and_then(|i| i.strip_suffix('}')).unwrap_or(id);
    id.trim().to_ascii_lowercase()
}

/// A hook UUID as the hooks API writes it: in braces, in lower case.
pub(crate) fn braced_hook_uuid(id: &str) -> String {
    format!("{{{}}}", bare_hook_uuid(id))
}

/// "Create a webhook for a repository" (same API group): the body, with TLS verification on.
pub(crate) fn hook_body(spec: &HookSpec) -> Value {
    json!({
        "description": "forgelink",
        "url": spec.url,
        "active": true,
        "secret": spec.secret.secret(),
        "skip_cert_verification": false,
        "events": spec.events,
    })
}

/// A hook as the same API describes it, its id braced and in lower case whichever way the
/// answer spelled it.
pub(crate) fn read_hook(value: &Value) -> Option<Hook> {
    Some(Hook {
        id: text(value, &["uuid"])
            .map(|uuid| braced_hook_uuid(&uuid))
            .filter(|uuid| uuid != "{}")?,
        url: text(value, &["url"])?,
        events: strings(&value["events"]),
        active: value["active"].as_bool().unwrap_or(true),
        disabled_until: None,
        signing_token_set: None,
    })
}

// ---------------------------------------------------------------------------------------------
// Feedback

/// Where comments at `location` are posted, under the repository's API URL: the
/// "Pullrequests", "Commits" and "Issue tracker" API groups (developer.atlassian.com/cloud/
/// bitbucket/rest/api-group-pullrequests/, …-commits/, …-issue-tracker/).
pub(crate) fn comments_path(location: &FeedbackLocation) -> Option<String> {
    Some(match location {
        FeedbackLocation::NewIssue { .. } => "issues".to_owned(),
        FeedbackLocation::MergeRequest { number } => format!("pullrequests/{number}/comments"),
        FeedbackLocation::Issue { number } => format!("issues/{number}/comments"),
        FeedbackLocation::Commit { sha } => format!("commit/{}/comments", encode(sha)),
    })
}

/// Same pages: comments and issues carry Markdown in `content.raw`.
pub(crate) fn comment_body(location: &FeedbackLocation, body: &str) -> Value {
    match location {
        FeedbackLocation::NewIssue { title } => {
            json!({ "title": title, "content": { "raw": body } })
        }
        _ => json!({ "content": { "raw": body } }),
    }
}

/// Same pages: how a comment (or the new issue) is rewritten.
pub(crate) fn update_comment(
    repo: &str,
    collection: &str,
    location: &FeedbackLocation,
    comment: &Comment,
    body: &str,
) -> (&'static str, String, Value) {
    let id = encode(&comment.id);
    let url = match location {
        FeedbackLocation::NewIssue { .. } => format!("{repo}/issues/{id}"),
        _ => format!("{collection}/{id}"),
    };
    ("PUT", url, json!({ "content": { "raw": body } }))
}

/// Same pages: a comment as the API answers it.
pub(crate) fn read_comment(v: &Value) -> Option<Comment> {
    Some(Comment {
        id: text(v, &["id"])?,
        body: text(v, &["content", "raw"]).unwrap_or_default(),
        url: text(v, &["links", "html", "href"]),
        discussion_id: None,
        version: None,
    })
}
// Settings pages

/// None under bitbucket.org alone: an OAuth consumer belongs to a workspace ("Workspace
/// settings", "OAuth consumers", "Add consumer"), so its page needs the workspace's slug.
///
/// Source: Atlassian, "Use OAuth on Bitbucket Cloud"
/// (<https://support.atlassian.com/bitbucket-cloud/docs/use-oauth-on-bitbucket-cloud/>).
pub(crate) const OAUTH_APP_PAGE: Option<&str> = None;

/// None under bitbucket.org: API tokens are created in the Atlassian account's settings
/// ("Account settings", "Security", "Create and manage API tokens"), on another host.
///
/// Source: Atlassian, "Create an API token"
/// (<https://support.atlassian.com/bitbucket-cloud/docs/create-an-api-token/>).
pub(crate) const ACCESS_TOKEN_PAGE: Option<&str> = None;

// ---------------------------------------------------------------------------------------------
// Objects read from webhooks and polls alike

/// A pull request as the `pullrequest:*` webhooks ("Event payloads", support.atlassian.com/
/// bitbucket-cloud/docs/event-payloads/) and the "Pullrequests" API (developer.atlassian.com/
/// cloud/bitbucket/rest/api-group-pullrequests/) describe it: the same object.
pub(crate) fn read_pull_request(pr: &Value) -> MergeRequest {
    MergeRequest {
        number: number(pr, &["id"]),
        title: text(pr, &["title"]),
        state: bitbucket_pr_state(text(pr, &["state"])),
        source_branch: text(pr, &["source", "branch", "name"]),
        target_branch: text(pr, &["destination", "branch", "name"]),
        url: text(pr, &["links", "html", "href"]),
    }
}

/// A commit status as the `repo:commit_status_*` webhooks (same page) and the "Commit
/// statuses" API (developer.atlassian.com/cloud/bitbucket/rest/api-group-commit-statuses/)
/// describe it: the same object.
pub(crate) fn read_commit_status(status: &Value) -> CommitStatus {
    let raw = text(status, &["state"]).unwrap_or_default();
    CommitStatus {
        state: bitbucket_status(&raw),
        raw_state: raw,
        key: text(status, &["key"]),
        url: text(status, &["url"]),
    }
}

// ---------------------------------------------------------------------------------------------
// Endpoints

/// "Use OAuth on Bitbucket Cloud" (support.atlassian.com/bitbucket-cloud/docs/
/// use-oauth-on-bitbucket-cloud/): where the browser authorizes.
pub(crate) const AUTHORIZE_PATH: &str = "/site/oauth2/authorize";

/// Every URL of Bitbucket Cloud: authorize and token from "Use OAuth on Bitbucket Cloud"
/// (above), which offers neither revocation nor a device flow; the account from "Users",
/// `GET /user` (developer.atlassian.com/cloud/bitbucket/rest/api-group-users/); the granted
/// scopes from the `X-OAuth-Scopes` header on any API answer ("Authentication methods",
/// developer.atlassian.com/cloud/bitbucket/rest/intro/#authentication). It has no version.
pub(crate) fn urls(web: &str, api: &str) -> ProviderUrls {
    ProviderUrls {
        token: format!("{web}/site/oauth2/access_token"),
        revoke: None,
        device_authorization: None,
        current_user: format!("{api}/user"),
        current_user_header: None,
        version: None,
        granted_scopes: ScopeSource::Header {
            header: "X-OAuth-Scopes",
            url: format!("{api}/user"),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Polling

/// What a poll lists, under the repository's API URL `repo`, for changes since `since`:
/// pipelines newest first ("Pipelines" API group, developer.atlassian.com/cloud/bitbucket/
/// rest/api-group-pipelines/), pull requests by update in every state ("Pullrequests", with
/// the `q` filter language, developer.atlassian.com/cloud/bitbucket/rest/intro/#filtering)
/// and a commit's statuses ("Commit statuses"). `pagelen` is at most 100, and 50 for pull
/// requests. `None` for a list Bitbucket Cloud has not (pushes arrive by webhook only).
pub(crate) fn poll_url(
    repo: &str,
    resource: &PollResource,
    since: i64,
    per_page: u32,
) -> Option<String> {
    let iso = rfc3339(since);
    Some(match resource {
        PollResource::Pipelines => format!("{repo}/pipelines/?sort=-created_on&pagelen={per_page}"),
        PollResource::MergeRequests => format!(
            "{repo}/pullrequests?q={}&sort=-updated_on&pagelen=50",
            encode(&format!(
                "updated_on>={iso} AND (state=\"OPEN\" OR state=\"MERGED\" OR state=\"DECLINED\" OR state=\"SUPERSEDED\")"
            ))
        ),
        PollResource::CommitStatuses { sha } => format!(
            "{repo}/commit/{}/statuses?q={}&sort=-created_on&pagelen={per_page}",
            encode(sha),
            encode(&format!("updated_on>={iso}"))
        ),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_the_announced_days() {
        // 2025-09-09 and 2026-07-28, 00:00 UTC, as a calendar gives them.
        assert_eq!(APP_PASSWORD_RETIREMENT.creation_stopped_at, 1_757_376_000);
        assert_eq!(APP_PASSWORD_RETIREMENT.brownouts_from, 1_780_963_200);
        assert_eq!(APP_PASSWORD_RETIREMENT.removed_at, 1_785_196_800);
        assert_eq!(OAUTH_CHANGES_ENFORCED_AT, 1_777_852_800);
        assert_eq!(utc_midnight(1970, 1, 1), 0);
        assert_eq!(utc_midnight(2000, 3, 1), 951_868_800);
    }

    /// API token scopes imply nothing: "This scope does not imply the read:repository:bitbucket
    /// scope" (support.atlassian.com/bitbucket-cloud/docs/api-token-permissions/).
    #[test]
    fn api_token_scopes_imply_nothing_and_never_collide_with_consumer_scopes() {
        for scope in SCOPES {
            match scope.kind {
                ScopeKind::ApiToken => {
                    assert!(scope.implies.is_empty(), "{}", scope.name);
                    assert!(scope.name.ends_with(":bitbucket"), "{}", scope.name);
                }
                ScopeKind::OAuth => assert!(!scope.name.ends_with(":bitbucket"), "{}", scope.name),
            }
        }
    }

    /// Unused refresh tokens expire after three months, from 2026-05-04 on
    /// (community.developer.atlassian.com/t/.../99003); before that day they did not.
    #[test]
    fn refresh_tokens_expire_three_months_after_issue_from_the_enforcement_day() {
        assert_eq!(refresh_token_expires_at(OAUTH_CHANGES_ENFORCED_AT - 1), None);
        let issued = OAUTH_CHANGES_ENFORCED_AT + 10;
        assert_eq!(refresh_token_expires_at(issued), Some(issued + 89 * 86_400));
    }
}
