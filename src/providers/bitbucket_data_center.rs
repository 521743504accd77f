//! What forgelink knows about Bitbucket Data Center (and Server, its former name), each fact with its source.

use serde_json::{json, Value};

use crate::detect::TokenInfo;
use crate::endpoints::{ProviderUrls, ScopeSource};
use crate::feedback::{Comment, FeedbackLocation};
use crate::json::{number, strings, text};
use crate::polling::PollResource;
use crate::provider::Provider;
use crate::repositories::encode;
use crate::scopes::{scope, ScopeInfo};
use crate::webhooks::{bitbucket_pr_state, Hook, HookSpec, MergeRequest};

// ---------------------------------------------------------------------------------------------
// Scopes

/// "OAuth 2.0 scopes for incoming links": the scope names and which includes which.
pub(crate) const SCOPES_SOURCE: &str = "https://confluence.atlassian.com/bitbucketserver/oauth-2-0-scopes-for-incoming-links-1115666709.html";

/// Every scope of an incoming application link ([`SCOPES_SOURCE`]); each includes the one
/// below it.
pub(crate) static SCOPES: &[ScopeInfo] = &[
    scope("PUBLIC_REPOS", "View public projects and repositories (what every token can do).", &[]),
    scope("ACCOUNT_WRITE", "Update the user's account settings.", &[]),
    scope("REPO_READ", "View projects and repositories the user can view, clone, fork, and create and comment on pull requests.", &["PUBLIC_REPOS"]),
    scope("REPO_WRITE", "Push code and merge pull requests where the user can.", &["REPO_READ"]),
    scope("REPO_ADMIN", "Administer repositories: settings, permissions and webhooks.", &["REPO_WRITE"]),
    scope("PROJECT_ADMIN", "Administer projects: create repositories, project settings, permissions and webhooks.", &["REPO_ADMIN"]),
    scope("ADMIN_WRITE", "Perform most administrative functions on the whole instance.", &["PROJECT_ADMIN", "ACCOUNT_WRITE"]),
    scope("SYSTEM_ADMIN", "Perform every administrative function on the instance.", &["ADMIN_WRITE"]),
];

// ---------------------------------------------------------------------------------------------
// Token kinds

/// The token prefixes Data Center issues: "HTTP access tokens" (personal, project and
/// repository tokens, all starting `BBDC-`;
/// confluence.atlassian.com/bitbucketserver/http-access-tokens-939515499.html).
pub(crate) const TOKEN_PREFIXES: &[(&str, TokenInfo)] = &[(
    "BBDC-",
    TokenInfo {
        provider: Some(Provider::BitbucketDataCenter),
        kind: "http-access-token",
        description: "Bitbucket Data Center HTTP access token",
        usable_as_access_token: true,
        retirement: None,
    },
)];

// ---------------------------------------------------------------------------------------------
// Build statuses

/// The first version with the repository's builds resource,
/// `GET /rest/api/latest/projects/{projectKey}/repos/{repositorySlug}/commits/{commitId}/builds`,
/// documented "Since 7.14" in the REST reference's "Builds and Deployments" group
/// (developer.atlassian.com/server/bitbucket/rest/v807/api-group-builds-and-deployments/).
/// Older servers have only the build-status resource it replaced: the reference's
/// "Build-status" group says of `GET /rest/build-status/latest/commits/{commitId}` "Deprecated
/// in 7.14, please use the repository based builds resource instead"
/// (developer.atlassian.com/server/bitbucket/rest/v803/api-group-build-status).
///
/// The reference titles the builds resource's GET "Get a specific build status", chosen by a
/// `key` query parameter that Atlassian's OpenAPI description leaves optional, and shows one
/// status as its answer; clients list a commit's statuses there without `key`, page by page.
/// forgelink asks without `key` and reads either shape: a page (`values`) or one status.
pub(crate) const BUILDS_RESOURCE_SINCE: &str = "7.14";

/// Where a commit's build statuses are read: the repository's builds resource where the server
/// has it (`builds_resource`: its version is [`BUILDS_RESOURCE_SINCE`] or later), else the
/// deprecated build-status resource. `web` is the base URL, `repo` the repository's REST URL
/// (`BASE/rest/api/latest/projects/{key}/repos/{slug}`).
pub(crate) fn commit_builds_url(
    web: &str,
    repo: &str,
    builds_resource: bool,
    commit: &str,
    limit: u32,
) -> String {
    if builds_resource {
        format!("{repo}/commits/{commit}/builds?limit={limit}")
    } else {
        // The build-status resource lives beside the core REST API, not under it.
        format!("{web}/rest/build-status/latest/commits/{commit}?limit={limit}")
    }
}

/// What a person is told wherever Data Center webhooks are set up. Atlassian's list of webhook
/// events for Data Center ("Event payload", 8.x and 9.x,
/// confluence.atlassian.com/bitbucketserver/event-payload-938025882.html) has repository events
/// (`repo:refs_changed`, ...), pull request events (`pr:opened`, ...), mirror and diagnostics
/// events, and none for a build status: build results are found by polling the builds
/// resource instead.
pub(crate) const NO_BUILD_STATUS_EVENT: &str =
    "Data Center sends no build-status webhook: forgelink polls for builds, so keep polling on.";

// ---------------------------------------------------------------------------------------------
// Webhooks

/// "Event payload" (confluence.atlassian.com/bitbucketserver/event-payload-938025882.html):
/// the delivery's id (the event's key is Bitbucket Cloud's `X-Event-Key` header as well).
pub(crate) const DELIVERY_HEADER: &str = "X-Request-Id";

/// "Manage webhooks", "Securing your webhook" (confluence.atlassian.com/bitbucketserver/
/// manage-webhooks-938025878.html): `sha256=` and the hex HMAC-SHA256 of the body.
pub(crate) const SIGNATURE_HEADER: &str = "X-Hub-Signature";

/// "Bitbucket Data Center REST API", "Repository" webhooks (developer.atlassian.com/server/
/// bitbucket/rest/): a repository's hooks live under `webhooks`, not `hooks`.
pub(crate) const HOOKS_COLLECTION: &str = "webhooks";

/// "Create webhook" (same API): the body, with TLS verification required.
pub(crate) fn hook_body(spec: &HookSpec) -> Value {
    json!({
        "name": "forgelink",
        "url": spec.url,
        "active": true,
        "events": spec.events,
        "configuration": { "secret": spec.secret.secret() },
        "sslVerificationRequired": true,
    })
}

/// A hook as the same API describes it.
pub(crate) fn read_hook(value: &Value) -> Option<Hook> {
    Some(Hook {
        id: text(value, &["id"])?,
        url: text(value, &["url"])?,
        events: strings(&value["events"]),
        active: value["active"].as_bool().unwrap_or(true),
        disabled_until: None,
        signing_token_set: None,
    })
}

// ---------------------------------------------------------------------------------------------
// Feedback

/// Where comments at `location` are posted, under the repository's API URL: pull request and
/// commit comments ("Bitbucket Data Center REST API", "Pull requests" and "Repository",
/// developer.atlassian.com/server/bitbucket/rest/). Data Center has no issues (they live in
/// Jira), so `None` for those.
pub(crate) fn comments_path(location: &FeedbackLocation) -> Option<String> {
    match location {
        FeedbackLocation::MergeRequest { number } => {
            Some(format!("pull-requests/{number}/comments"))
        }
        FeedbackLocation::Commit { sha } => Some(format!("commits/{}/comments", encode(sha))),
        FeedbackLocation::Issue { .. } | FeedbackLocation::NewIssue { .. } => None,
    }
}

/// Same pages: a comment's Markdown is its `text`.
pub(crate) fn comment_body(body: &str) -> Value {
    json!({ "text": body })
}

/// Same pages: an update names the comment's `version`, or Data Center refuses it as stale.
pub(crate) fn update_comment(
    collection: &str,
    comment: &Comment,
    body: &str,
) -> (&'static str, String, Value) {
    let url = format!("{collection}/{}", encode(&comment.id));
    ("PUT", url, json!({ "text": body, "version": comment.version.unwrap_or(0) }))
}

/// Same pages: a comment as the API answers it, with the version an update must name.
pub(crate) fn read_comment(v: &Value) -> Option<Comment> {
    Some(Comment {
        id: text(v, &["id"])?,
        body: text(v, &["text"]).unwrap_or_default(),
        url: None,
        discussion_id: None,
        version: number(v, &["version"]),
    })
}

/// A pull request comment's web address, which its API answer does not carry: the pull
/// request's overview with `commentId`, under the repository's web URL `web`.
pub(crate) fn comment_web_url(web: &str, location: &FeedbackLocation, id: &str) -> Option<String> {
    match location {
        FeedbackLocation::MergeRequest { number } => {
            Some(format!("{web}/pull-requests/{number}/overview?commentId={id}"))
        }
        _ => None,
    }
}
// Settings pages

/// Where an incoming application link (the OAuth 2.0 client) is created, under the base URL:
/// "Administration", "Application links" (System admin permission), then "Create link".
///
/// Source: Atlassian, "Configure an incoming link"
/// (<https://confluence.atlassian.com/bitbucketserver/configure-an-incoming-link-1108483657.html>).
pub(crate) const OAUTH_APP_PAGE: Option<&str> =
    Some("/plugins/servlet/applinks/listApplicationLinks");

/// Where a person manages their personal HTTP access tokens ("Manage account", "HTTP access
/// tokens"); project and repository tokens are under that project's or repository's settings.
///
/// Source: Atlassian, "HTTP access tokens"
/// (<https://confluence.atlassian.com/bitbucketserver/http-access-tokens-939515499.html>).
pub(crate) const ACCESS_TOKEN_PAGE: Option<&str> = Some("/plugins/servlet/access-tokens/manage");

// ---------------------------------------------------------------------------------------------
// Objects read from webhooks and polls alike

/// A pull request as the `pr:*` webhooks ("Event payload", confluence.atlassian.com/
/// bitbucketserver/event-payload-938025882.html) and the REST API's pull requests describe it:
/// the same representation, its branches in `fromRef`/`toRef` and its page the first `self`
/// link.
pub(crate) fn read_pull_request(pr: &Value) -> MergeRequest {
    MergeRequest {
        number: number(pr, &["id"]),
        title: text(pr, &["title"]),
        state: bitbucket_pr_state(text(pr, &["state"])),
        source_branch: text(pr, &["fromRef", "displayId"]),
        target_branch: text(pr, &["toRef", "displayId"]),
        url: text(pr, &["links", "self", "0", "href"]),
    }
}

// ---------------------------------------------------------------------------------------------
// Endpoints

/// "Bitbucket OAuth 2.0 provider API" (confluence.atlassian.com/bitbucketserver/
/// bitbucket-oauth-2-0-provider-api-1108483661.html): where the browser authorizes.
pub(crate) const AUTHORIZE_PATH: &str = "/rest/oauth2/latest/authorize";

/// Same page, "Exchange the authorization code for an access token": the request carries the
/// incoming link's `client_secret`, so a connection cannot finish without it.
pub(crate) const CLIENT_SECRET_REQUIRED: bool = true;

/// Every URL of an instance: authorize and token from "Bitbucket OAuth 2.0 provider API"
/// (above), whose token response alone tells the granted scopes (`scope`); no revocation or
/// device flow. Data Center has no "current user" endpoint: `GET /application-properties`
/// ("Bitbucket Data Center REST API", developer.atlassian.com/server/bitbucket/rest/) answers
/// the version, and names the caller in its `X-AUSERNAME` response header.
pub(crate) fn urls(web: &str, api: &str) -> ProviderUrls {
    ProviderUrls {
        token: format!("{web}/rest/oauth2/latest/token"),
        revoke: None,
        device_authorization: None,
        current_user: format!("{api}/application-properties"),
        current_user_header: Some("X-AUSERNAME"),
        version: Some(format!("{api}/application-properties")),
        granted_scopes: ScopeSource::TokenResponse { field: "scope" },
    }
}

// ---------------------------------------------------------------------------------------------
// Polling

/// How many of the most recently changed branches a poll reads the head builds of.
pub(crate) const POLLED_BRANCHES: u32 = 10;

/// What a poll lists, under the repository's REST URL `repo`: pull requests newest first in
/// every state, the most recently modified branches, and a commit's builds
/// ([`commit_builds_url`], by the server's version); "Bitbucket Data Center REST API"
/// (developer.atlassian.com/server/bitbucket/rest/), where `limit` sizes a page. Data Center
/// lists no pipelines or pushes (`None`).
pub(crate) fn poll_url(
    web: &str,
    repo: &str,
    resource: &PollResource,
    builds_resource: bool,
    per_page: u32,
) -> Option<String> {
    Some(match resource {
        PollResource::MergeRequests => {
            format!("{repo}/pull-requests?state=ALL&order=NEWEST&limit={per_page}")
        }
        PollResource::Branches => {
            format!("{repo}/branches?orderBy=MODIFICATION&details=false&limit={POLLED_BRANCHES}")
        }
        PollResource::CommitStatuses { sha } => {
            commit_builds_url(web, repo, builds_resource, &encode(sha), per_page)
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// "Deprecated in 7.14, please use the repository based builds resource instead"
    /// (developer.atlassian.com/server/bitbucket/rest/v803/api-group-build-status).
    #[test]
    fn builds_resource_or_the_deprecated_build_status_resource() {
        let repo = "https://bb.example.com/rest/api/latest/projects/PRJ/repos/app";
        let url = |current| commit_builds_url("https://bb.example.com", repo, current, "abc", 100);
        assert_eq!(url(true), format!("{repo}/commits/abc/builds?limit=100"));
        assert_eq!(
            url(false),
            "https://bb.example.com/rest/build-status/latest/commits/abc?limit=100"
        );
        assert_eq!(BUILDS_RESOURCE_SINCE, "7.14");
    }
}
