//! What forgelink knows about GitHub (github.com, Enterprise Cloud with data residency on
//! ghe.com, Enterprise Server), each fact with its source.
//!
//! The concern modules ask for these facts: [`crate::scopes`] for the scope catalog,
//! [`crate::versions`] for Enterprise Server's releases and the oldest one forgelink works
//! with, [`crate::oauth`] for where PKCE is documented.

use serde_json::{json, Value};

use crate::endpoints::{ProviderUrls, ScopeSource};
use crate::feedback::{Comment, FeedbackLocation};
use crate::github_app::{AccessLevel, PermissionNeed};
use crate::json::{number, strings, text};
use crate::polling::{rfc3339, PollResource};
use crate::provider::Deployment;
use crate::repositories::encode;
use crate::scopes::{scope, ScopeInfo};
use crate::versions::ServerRelease;
use crate::webhooks::{github_status, Hook, HookSpec, Job, MergeRequest, Pipeline};

// Scopes ----------------------------------------------------------------------------------------

/// The scopes of OAuth apps and classic personal access tokens, what each grants, and what it
/// implies.
///
/// Source: GitHub Docs, "Scopes for OAuth apps"
/// (<https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps>),
/// the "Available scopes" table: a scope indented under another is included in it, and the
/// notes quoted beside an entry below come from the same table. GitHub stores a token's
/// scopes normalised, dropping every scope another one includes (same page, "Normalized
/// scopes"): a token asked for `repo admin:repo_hook` reports only `repo` in `X-OAuth-Scopes`.
/// So the implications must be complete, or a granted scope reads as missing.
#[rustfmt::skip] // One scope a line, as the docs' table has it.
pub(crate) static SCOPES: &[ScopeInfo] = &[
    // "Grants full access to public, internal, and private repositories including read and
    // write access to code, commit statuses, repository invitations, collaborators,
    // deployment statuses, and repository webhooks", and under admin:repo_hook: "The repo and
    // public_repo scopes grant full access to repositories, including repository hooks." Its
    // note on organization-owned resources (projects, invitations, team memberships and
    // webhooks) names no scope, so it implies none of the organization ones here.
    scope("repo", "Full control of public, internal and private repositories, their webhooks included.", &["repo:status", "repo_deployment", "public_repo", "repo:invite", "security_events", "admin:repo_hook"]),
    scope("repo:status", "Read and write commit statuses.", &[]),
    scope("repo_deployment", "Read and write deployments and deployment statuses.", &[]),
    // "Limits access to public repositories. That includes read/write access to code, commit
    // statuses, repository projects, collaborators, and deployment statuses for public
    // repositories and organizations", and the repository hooks of the note above. Each of
    // these holds for public repositories only, so none is an implication that holds
    // everywhere.
    scope("public_repo", "Full control of public repositories only, their webhooks included.", &[])
        .on_public_repositories(&["repo:status", "repo_deployment", "admin:repo_hook"]),
    scope("repo:invite", "Accept and decline invitations to collaborate on repositories.", &[]),
    scope("security_events", "Read and write code scanning alerts (and secret scanning ones on Enterprise Cloud).", &[]),
    // "Grants read, write, ping, and delete access to repository hooks"; write: "read, write,
    // and ping"; read: "read and ping".
    scope("admin:repo_hook", "Create, read, update and delete repository webhooks.", &["write:repo_hook"]),
    scope("write:repo_hook", "Create, read and update repository webhooks.", &["read:repo_hook"]),
    scope("read:repo_hook", "Read repository webhooks.", &[]),
    scope("admin:org", "Fully manage organizations, teams and memberships.", &["write:org"]),
    scope("write:org", "Read and write organization and team membership.", &["read:org"]),
    scope("read:org", "Read organization and team membership and projects.", &[]),
    // "OAuth tokens will only be able to perform these actions on organization hooks which
    // were created by the OAuth app."
    scope("admin:org_hook", "Create, read, update and delete organization webhooks.", &[]),
    scope("admin:public_key", "Fully manage the user's SSH public keys.", &["write:public_key"]),
    scope("write:public_key", "Create and read the user's SSH public keys.", &["read:public_key"]),
    scope("read:public_key", "Read the user's SSH public keys.", &[]),
    scope("admin:gpg_key", "Fully manage the user's GPG keys.", &["write:gpg_key"]),
    scope("write:gpg_key", "Create and read the user's GPG keys.", &["read:gpg_key"]),
    scope("read:gpg_key", "Read the user's GPG keys.", &[]),
    // "Grants read/write access to profile info only. Note that this scope includes
    // user:email and user:follow"; read:user is indented under it.
    scope("user", "Read and write the user's profile.", &["read:user", "user:email", "user:follow"]),
    scope("read:user", "Read the user's profile.", &[]),
    scope("user:email", "Read the user's email addresses.", &[]),
    scope("user:follow", "Follow and unfollow users.", &[]),
    scope("workflow", "Add and update GitHub Actions workflow files.", &[]),
    // The table lists write:packages and read:packages side by side; the implication follows
    // GitHub's token settings page, which nests read:packages under write:packages (seen
    // there, not stated on this page: check).
    scope("write:packages", "Upload and publish packages.", &["read:packages"]),
    scope("read:packages", "Download and install packages.", &[]),
    scope("delete:packages", "Delete packages.", &[]),
    scope("gist", "Create gists.", &[]),
    scope("notifications", "Read and mark notifications.", &[]),
    scope("project", "Read and write projects (classic and new).", &["read:project"]),
    scope("read:project", "Read projects.", &[]),
    scope("delete_repo", "Delete repositories the user administers.", &[]),
    // Listed for github.com and Enterprise Cloud only.
    scope("codespace", "Create and manage codespaces.", &[]),
    scope("read:audit_log", "Read audit log data.", &[]),
    // Listed for Enterprise Server only: "Grants site administrators access to GitHub
    // Enterprise Server Administration API endpoints."
    scope("site_admin", "Administer a GitHub Enterprise Server instance (site administrators only).", &[]),
    // Listed for every deployment but github.com's Free, Pro and Team plans, that is for
    // enterprise accounts: "admin:enterprise: Gives full control of enterprise
    // functionality ... Includes manage_runners:enterprise, manage_billing:enterprise, and
    // read:enterprise."
    scope("admin:enterprise", "Fully manage an enterprise account.", &["manage_runners:enterprise", "manage_billing:enterprise", "read:enterprise"]),
    scope("manage_runners:enterprise", "Manage the enterprise's self-hosted runners.", &[]),
    scope("manage_billing:enterprise", "Read and write the enterprise's billing data.", &[]),
    scope("read:enterprise", "Read the enterprise's profile.", &[]),
];

// PKCE ------------------------------------------------------------------------------------------

/// Whether GitHub documents PKCE (S256) for the authorization code flow of a deployment.
///
/// Sources: GitHub changelog "PKCE support for OAuth and GitHub App authentication"
/// (<https://github.blog/changelog/2025-07-14-pkce-support-for-oauth-and-github-app-authentication>,
/// 2025-07-14: `code_challenge` with `S256` only, verified with `code_verifier`), and the
/// docs' version gate for it: the `code_challenge` rows of "Authorizing OAuth apps" and
/// "Generating a user access token for a GitHub App" show only where the docs feature
/// `pkce_support` holds, which is github.com (`fpt`) and Enterprise Cloud (`ghec`, which
/// includes ghe.com), not Enterprise Server (github/docs `data/features/pkce_support.yml`).
/// No Enterprise Server release note up to 3.21 mentions PKCE.
///
/// So Enterprise Server gets no PKCE parameters by default. RFC 6749 (sections 3.1 and 3.2)
/// has servers ignore parameters they do not know, so sending them would likely be harmless,
/// but a server that ignores them checks nothing, and the code would look protected when it
/// is not; that has not been shown on a real instance either.
pub(crate) fn pkce_documented(deployment: Deployment) -> bool {
    match deployment {
        Deployment::Cloud => true,
        Deployment::SelfHosted => false,
    }
}

// Enterprise Server releases --------------------------------------------------------------------

/// Every Enterprise Server feature release from 3.0 on, with GitHub's own dates.
///
/// Source: GitHub's release dates, `src/ghes-releases/lib/enterprise-dates.json` in the
/// github/docs repository (commit 051718f297e11fadbf357da1e8e756991eb2ed89, read 2026-12-07),
/// the data behind "GitHub Enterprise Server releases"
/// (<https://docs.github.com/en/enterprise-server@latest/admin/all-releases>): `releaseDate`
/// (the first release candidate), `generalAvailabilityDate` and `deprecationDate` (from which
/// GitHub ships no more patch releases, not even for security). GitHub has moved deprecation
/// dates later before (3.14 and 3.15 both to 2026-04-23), so a date here can go stale: the
/// table is data to refresh from that file, and a release newer than its last row is
/// treated as supported. Releases before 3.0 are left out: they are far older than what
/// forgelink works with ([`SERVER_MINIMUM`]).
pub(crate) static SERVER_RELEASES: &[ServerRelease] = &[
    release("3.0", "2021-01-12", "2021-02-16", "2022-02-16"),
    release("3.1", "2021-05-06", "2021-06-03", "2022-06-30"),
    release("3.2", "2021-09-09", "2021-09-28", "2022-10-12"),
    release("3.3", "2021-11-09", "2021-12-07", "2023-01-18"),
    release("3.4", "2022-02-15", "2022-03-15", "2023-03-23"),
    release("3.5", "2022-05-10", "2022-05-31", "2023-06-29"),
    release("3.6", "2022-07-26", "2022-08-16", "2023-09-25"),
    release("3.7", "2022-10-25", "2022-11-08", "2024-01-04"),
    release("3.8", "2023-02-07", "2023-03-07", "2024-03-26"),
    release("3.9", "2023-06-08", "2023-06-29", "2024-07-26"),
    release("3.10", "2023-08-08", "2023-08-29", "2024-09-25"),
    release("3.11", "2023-11-14", "2023-12-05", "2024-12-19"),
    release("3.12", "2024-02-13", "2024-03-05", "2025-04-03"),
    release("3.13", "2024-05-16", "2024-06-18", "2025-06-19"),
    release("3.14", "2024-08-06", "2024-08-27", "2026-04-23"),
    release("3.15", "2024-11-12", "2024-12-03", "2026-04-23"),
    release("3.16", "2025-02-25", "2025-03-11", "2026-06-25"),
    release("3.17", "2025-05-13", "2025-06-03", "2026-08-25"),
    release("3.18", "2025-09-03", "2025-10-14", "2026-10-14"),
    release("3.19", "2025-12-02", "2025-12-09", "2026-12-09"),
    release("3.20", "2026-02-24", "2026-03-17", "2027-03-17"),
    release("3.21", "2026-05-12", "2026-06-11", "2027-06-11"),
    release("3.22", "2026-08-04", "2026-08-25", "2027-08-25"),
    release("3.23", "2026-11-10", "2026-12-08", "2027-12-08"),
];

const fn release(
    version: &'static str,
    release_candidate: &'static str,
    generally_available: &'static str,
    deprecated: &'static str,
) -> ServerRelease {
    ServerRelease { version, release_candidate, generally_available, deprecated }
}

/// The oldest Enterprise Server release forgelink works with: older ones fail the
/// connection's version check. This is forgelink's technical need, apart from GitHub's
/// support window above (a release past that is only warned about).
///
/// Why: the newest API forgelink calls on Enterprise Server is the repository activity list
/// (`GET /repos/{owner}/{repo}/activity`, read when polling for pushes). Repository activity
/// came to Enterprise Server in 3.11: the 3.11.0 release notes ("Users can more easily
/// understand changes to a repository using the activity view",
/// <https://docs.github.com/en/enterprise-server@3.11/admin/release-notes>), and the docs gate
/// the feature on `ghes: '>= 3.11'` (github/docs `data/features/repository-activity-view.yml`).
/// Everything else forgelink calls (Actions workflow runs and jobs, check runs, repository
/// webhooks with `X-Hub-Signature-256`, `GET /meta`) is older.
pub(crate) const SERVER_MINIMUM: &str = "3.11";

/// [`SERVER_MINIMUM`]'s reason, for the message of a failed check.
pub(crate) const SERVER_MINIMUM_REASON: &str =
    "polling for pushes reads the repository activity list, which Enterprise Server has from 3.11";

// Webhooks --------------------------------------------------------------------------------------

/// "Webhook events and payloads", "Delivery headers" (docs.github.com/en/webhooks/
/// webhook-events-and-payloads#delivery-headers): the event's name.
pub(crate) const EVENT_HEADER: &str = "X-GitHub-Event";

/// Same page: the delivery's GUID, repeated when a delivery is redelivered.
pub(crate) const DELIVERY_HEADER: &str = "X-GitHub-Delivery";

/// Same page: the id of the hook that sent it.
pub(crate) const HOOK_ID_HEADER: &str = "X-GitHub-Hook-ID";

/// Same page: `sha256=` and the hex HMAC-SHA256 of the body with the hook's secret.
pub(crate) const SIGNATURE_HEADER: &str = "X-Hub-Signature-256";

/// Same page: `sha1=` and the hex HMAC-SHA1, kept "for compatibility with existing
/// integrations"; forgelink checks it only when asked to.
pub(crate) const LEGACY_SIGNATURE_HEADER: &str = "X-Hub-Signature";

/// "Create a repository webhook" (docs.github.com/en/rest/repos/webhooks): the body, with
/// JSON deliveries and TLS verification on (`insecure_ssl: "0"`).
pub(crate) fn hook_body(spec: &HookSpec) -> Value {
    json!({
        "name": "web",
        "active": true,
        "events": spec.events,
        "config": { "url": spec.url, "content_type": "json", "secret": spec.secret.secret(), "insecure_ssl": "0" },
    })
}

/// A hook as the same API describes it.
pub(crate) fn read_hook(value: &Value) -> Option<Hook> {
    Some(Hook {
        id: text(value, &["id"])?,
        url: text(value, &["config", "url"])?,
        events: strings(&value["events"]),
        active: value["active"].as_bool().unwrap_or(true),
        disabled_until: None,
        signing_token_set: None,
    })
}

// Feedback --------------------------------------------------------------------------------------

/// Where comments at `location` are posted, under the repository's API URL: "Issue comments"
/// (docs.github.com/en/rest/issues/comments), since every pull request is an issue; "Commit
/// comments" (docs.github.com/en/rest/commits/comments); "Issues" (docs.github.com/en/rest/
/// issues/issues) for a new issue.
pub(crate) fn comments_path(location: &FeedbackLocation) -> Option<String> {
    Some(match location {
        FeedbackLocation::NewIssue { .. } => "issues".to_owned(),
        FeedbackLocation::MergeRequest { number } | FeedbackLocation::Issue { number } => {
            format!("issues/{number}/comments")
        }
        FeedbackLocation::Commit { sha } => format!("commits/{}/comments", encode(sha)),
    })
}

/// Same pages: the body of a comment, or of a new issue.
pub(crate) fn comment_body(location: &FeedbackLocation, body: &str) -> Value {
    match location {
        FeedbackLocation::NewIssue { title } => json!({ "title": title, "body": body }),
        _ => json!({ "body": body }),
    }
}

/// Same pages: how a comment (or the new issue) is rewritten, under the repository's API URL
/// `repo`; comments are addressed by id alone.
pub(crate) fn update_comment(
    repo: &str,
    location: &FeedbackLocation,
    comment: &Comment,
    body: &str,
) -> (&'static str, String, Value) {
    let id = encode(&comment.id);
    let url = match location {
        FeedbackLocation::NewIssue { .. } => format!("{repo}/issues/{id}"),
        FeedbackLocation::Commit { .. } => format!("{repo}/comments/{id}"),
        _ => format!("{repo}/issues/comments/{id}"),
    };
    ("PATCH", url, json!({ "body": body }))
}

/// Same pages: a comment as the API answers it (a new issue is named by its `number`).
pub(crate) fn read_comment(location: &FeedbackLocation, v: &Value) -> Option<Comment> {
    let id = match location {
        FeedbackLocation::NewIssue { .. } => "number",
        _ => "id",
    };
    Some(Comment {
        id: text(v, &[id])?,
        body: text(v, &["body"]).unwrap_or_default(),
        url: text(v, &["html_url"]),
        discussion_id: None,
        version: None,
    })
}
// Settings pages --------------------------------------------------------------------------------

/// Where an OAuth app is registered, under the web base URL (github.com, a ghe.com subdomain or
/// an Enterprise Server): the page "Creating an OAuth app" reaches through "Settings",
/// "Developer settings", "OAuth apps", "New OAuth App".
///
/// Source: GitHub Docs, "Creating an OAuth app"
/// (<https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/creating-an-oauth-app>).
pub(crate) const OAUTH_APP_PAGE: Option<&str> = Some("/settings/applications/new");

/// Where a personal access token (classic) is generated: the page "Creating a personal access
/// token (classic)" reaches through "Settings", "Developer settings", "Personal access
/// tokens", "Tokens (classic)", "Generate new token (classic)".
///
/// Source: GitHub Docs, "Managing your personal access tokens"
/// (<https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/managing-your-personal-access-tokens#creating-a-personal-access-token-classic>).
pub(crate) const ACCESS_TOKEN_PAGE: Option<&str> = Some("/settings/tokens/new");
// Workflow runs ------------------------------------------------------------------------------

/// How long after its first run a workflow run can be re-run: "You can re-run a workflow run,
/// all failed jobs in a workflow run, or specific jobs in a workflow run up to 30 days after
/// its initial run" ("Re-running workflows and jobs",
/// <https://docs.github.com/en/actions/how-tos/manage-workflow-runs/re-run-workflows-and-jobs>).
/// A re-run keeps the run's id and its `created_at` and counts up `run_attempt`, and "List
/// workflow runs for a repository" filters by creation only: `created` takes a date range in
/// the search syntax (`>=2024-05-01T12:00:00Z`), with no filter or sort by update
/// (<https://docs.github.com/en/rest/actions/workflow-runs#list-workflow-runs-for-a-repository>).
/// So the runs changed since a cursor are those created up to this long before it whose
/// `updated_at` is at or after it: a poll asks for the first and keeps the second.
pub(crate) const RERUN_WINDOW_SECONDS: i64 = 30 * 86_400;

// Objects read from webhooks and polls alike ----------------------------------------------------

/// A workflow run (or check suite) as the `workflow_run` and `check_suite` webhooks ("Webhook
/// events and payloads", docs.github.com/en/webhooks/webhook-events-and-payloads#workflow_run)
/// and "List workflow runs for a repository" (docs.github.com/en/rest/actions/workflow-runs)
/// describe it: the same object. A `completed` run finished when it was last updated.
pub(crate) fn read_run(run: &Value) -> Pipeline {
    let (status, raw_status) = github_status(run["status"].as_str(), run["conclusion"].as_str());
    let completed = run["status"].as_str() == Some("completed");
    Pipeline {
        id: text(run, &["id"]),
        attempt: number(run, &["run_attempt"]),
        status,
        raw_status,
        r#ref: text(run, &["head_branch"]),
        sha: text(run, &["head_sha"]),
        url: text(run, &["html_url"]),
        started_at: text(run, &["run_started_at"]).or_else(|| text(run, &["created_at"])),
        finished_at: if completed { text(run, &["updated_at"]) } else { None },
    }
}

/// A workflow job as the `workflow_job` webhook (same page, #workflow_job) and "List jobs for
/// a workflow run" (docs.github.com/en/rest/actions/workflow-jobs) describe it: the same
/// object, its stage the workflow's name.
pub(crate) fn read_job(job: &Value) -> Job {
    let (status, raw_status) = github_status(job["status"].as_str(), job["conclusion"].as_str());
    Job {
        id: text(job, &["id"]),
        name: text(job, &["name"]),
        stage: text(job, &["workflow_name"]),
        status,
        raw_status,
        failure_reason: None,
        url: text(job, &["html_url"]),
        pipeline_id: text(job, &["run_id"]),
    }
}

/// A pull request as the `pull_request` webhook (same page, #pull_request) and "List pull
/// requests" (docs.github.com/en/rest/pulls/pulls) describe it. Only the webhook's object has
/// `merged`; both have `merged_at`, set once it is merged.
pub(crate) fn read_pull_request(pr: &Value) -> MergeRequest {
    let merged = pr["merged"].as_bool() == Some(true) || pr["merged_at"].is_string();
    MergeRequest {
        number: number(pr, &["number"]),
        title: text(pr, &["title"]),
        state: if merged { Some("merged".into()) } else { text(pr, &["state"]) },
        source_branch: text(pr, &["head", "ref"]),
        target_branch: text(pr, &["base", "ref"]),
        url: text(pr, &["html_url"]),
    }
}

// Endpoints -------------------------------------------------------------------------------------

/// "Authorizing OAuth apps" (docs.github.com/en/apps/oauth-apps/building-oauth-apps/
/// authorizing-oauth-apps): where the browser authorizes, under the web base URL.
pub(crate) const AUTHORIZE_PATH: &str = "/login/oauth/authorize";

/// Same page, "Users are redirected back to your site by GitHub": the code is exchanged with
/// `client_secret` ("Required"), so a connection cannot finish without it.
pub(crate) const CLIENT_SECRET_REQUIRED: bool = true;

/// Every URL of a deployment: the authorize, token and device-code URLs from "Authorizing
/// OAuth apps" (above); token revocation from "OAuth Authorizations", "Delete an app token"
/// (docs.github.com/en/rest/apps/oauth-applications#delete-an-app-token), which takes the
/// client's Basic credentials; the account from "Users", "Get the authenticated user"
/// (docs.github.com/en/rest/users/users); Enterprise Server's release from "Meta"
/// (`installed_version`, docs.github.com/en/enterprise-server@latest/rest/meta/meta), while
/// github.com and ghe.com are always current; the granted scopes from the `X-OAuth-Scopes`
/// header ("Scopes for OAuth apps", docs.github.com/en/apps/oauth-apps/building-oauth-apps/
/// scopes-for-oauth-apps).
pub(crate) fn urls(web: &str, api: &str, deployment: Deployment) -> ProviderUrls {
    ProviderUrls {
        token: format!("{web}/login/oauth/access_token"),
        revoke: Some(format!("{api}/applications/{{client_id}}/token")),
        device_authorization: Some(format!("{web}/login/device/code")),
        current_user: format!("{api}/user"),
        current_user_header: None,
        version: (deployment == Deployment::SelfHosted).then(|| format!("{api}/meta")),
        granted_scopes: ScopeSource::Header {
            header: "X-OAuth-Scopes",
            url: format!("{api}/user"),
        },
    }
}

// Polling ---------------------------------------------------------------------------------------

/// What a poll lists, under the repository's API URL `repo`, for changes since `since`:
/// workflow runs created within [`RERUN_WINDOW_SECONDS`] before it ("List workflow runs for a
/// repository"), a run's latest jobs ("List jobs for a workflow run", `filter=latest`,
/// docs.github.com/en/rest/actions/workflow-jobs), pull requests by update ("List pull
/// requests", docs.github.com/en/rest/pulls/pulls) and pushes ("List repository activities",
/// docs.github.com/en/rest/repos/repos#list-repository-activities). `per_page` is at most 100.
/// `None` for a list GitHub has not.
pub(crate) fn poll_url(
    repo: &str,
    resource: &PollResource,
    since: i64,
    per_page: u32,
) -> Option<String> {
    Some(match resource {
        PollResource::Pipelines => format!(
            "{repo}/actions/runs?created={}&per_page={per_page}",
            encode(&format!(">={}", rfc3339(since.saturating_sub(RERUN_WINDOW_SECONDS).max(0))))
        ),
        PollResource::Jobs { pipeline_id } => format!(
            "{repo}/actions/runs/{}/jobs?filter=latest&per_page={per_page}",
            encode(pipeline_id)
        ),
        PollResource::MergeRequests => {
            format!("{repo}/pulls?state=all&sort=updated&direction=desc&per_page={per_page}")
        }
        PollResource::Pushes => {
            format!("{repo}/activity?activity_type=push&direction=desc&per_page={per_page}")
        }
        _ => return None,
    })
}

// GitHub Apps -----------------------------------------------------------------------------------

/// Where the manifest form is posted, under the web base URL: a person's account
/// (`/settings/apps/new`) or an organization's (`/organizations/{org}/settings/apps/new`),
/// with `state` in the query; GitHub sends the person back to the manifest's `redirect_url`
/// with `code` and the same `state`, and the code converts within one hour.
///
/// Source: GitHub Docs, "Registering a GitHub App from a manifest"
/// (<https://docs.github.com/en/apps/sharing-github-apps/registering-a-github-app-from-a-manifest>):
/// "you have an hour to complete the conversion" ("Exchange the temporary code to retrieve the
/// app configuration"); the same page for Enterprise Server
/// (<https://docs.github.com/en/enterprise-server@latest/apps/sharing-github-apps/registering-a-github-app-from-a-manifest>)
/// posts to `http(s)://HOSTNAME/settings/apps/new`.
pub(crate) const MANIFEST_PATH: &str = "/settings/apps/new";
/// "The name of the GitHub App" is at most 34 characters ("Registering a GitHub App",
/// <https://docs.github.com/en/apps/creating-github-apps/registering-a-github-app/registering-a-github-app>:
/// "The name cannot be longer than 34 characters").
pub(crate) const APP_NAME_MAX: usize = 34;
/// "A full URL to redirect to after a person authorizes an installation. You can provide up
/// to 10 callback URLs" (manifest parameters, same page as [`MANIFEST_PATH`]).
pub(crate) const CALLBACK_URLS_MAX: usize = 10;

/// Where a person installs an app: github.com and ghe.com at `/apps/{slug}/installations/new`,
/// Enterprise Server at `/github-apps/{slug}/installations/new`; `state` in the query comes
/// back on the setup URL.
///
/// Source: GitHub Docs, "Sharing your GitHub App"
/// (<https://docs.github.com/en/apps/sharing-github-apps/sharing-your-github-app>: "the URL
/// for installing your app is `https://github.com/apps/APP-SLUG/installations/new`") and its
/// Enterprise Server version
/// (<https://docs.github.com/en/enterprise-server@latest/apps/sharing-github-apps/sharing-your-github-app>:
/// `http(s)://HOSTNAME/github-apps/APP-SLUG/installations/new`); "About the setup URL"
/// (<https://docs.github.com/en/apps/creating-github-apps/registering-a-github-app/about-the-setup-url>)
/// for `state` and `installation_id` ("Bad actors can hit this URL with a spoofed
/// `installation_id`": forgelink connects one only with proof, see `ConnectGitHubApp::code`);
/// `setup_action` (`install`, `update`, `request`) appears in GitHub's examples but no page
/// defines it. With "Request user authorization (OAuth) during installation" the person
/// returns to the first callback URL with `code` instead, and the app has no setup URL
/// ("Registering a GitHub App",
/// <https://docs.github.com/en/apps/creating-github-apps/registering-a-github-app/registering-a-github-app>).
pub(crate) fn install_path(deployment: Deployment, slug: &str) -> String {
    match deployment {
        Deployment::Cloud => format!("/apps/{slug}/installations/new"),
        Deployment::SelfHosted => format!("/github-apps/{slug}/installations/new"),
    }
}

/// Where a person uninstalls an app from their account, or from an organization they own.
///
/// Source: GitHub Docs, "Reviewing and modifying installed GitHub Apps"
/// (<https://docs.github.com/en/apps/using-github-apps/reviewing-and-modifying-installed-github-apps>:
/// "Settings", "Applications", "Installed GitHub Apps", "Configure", "Uninstall").
pub(crate) fn installation_settings_path(
    organization: Option<&str>,
    installation_id: u64,
) -> String {
    match organization {
        Some(org) => format!("/organizations/{org}/settings/installations/{installation_id}"),
        None => format!("/settings/installations/{installation_id}"),
    }
}

/// A JWT authenticating as the app: RS256, `iat` 60 seconds in the past "to allow for clock
/// drift", `exp` "no more than 10 minutes into the future", `iss` the client ID (or the app
/// ID).
///
/// Source: GitHub Docs, "Generating a JSON Web Token (JWT) for a GitHub App"
/// (<https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app>).
pub(crate) const JWT_BACKDATE_SECONDS: i64 = 60;
pub(crate) const JWT_LIFETIME_SECONDS: i64 = 600;

/// An installation access token "will expire 1 hour after it is created"; forgelink replaces it
/// five minutes ahead, so a token handed out is good for a few minutes of work.
///
/// Source: GitHub Docs, "Generating an installation access token for a GitHub App"
/// (<https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-an-installation-access-token-for-a-github-app>)
/// and "Create an installation access token for an app"
/// (<https://docs.github.com/en/rest/apps/apps#create-an-installation-access-token-for-an-app>:
/// `repositories` "up to 500", `repository_ids`, `permissions`).
pub(crate) const INSTALLATION_TOKEN_REFRESH_AHEAD: i64 = 300;
pub(crate) const TOKEN_REPOSITORIES_MAX: usize = 500;

/// The app's webhook, set through "Update a webhook configuration for an app"
/// (`PATCH /app/hook/config`: `url`, `content_type`, `secret`, `insecure_ssl`,
/// <https://docs.github.com/en/rest/apps/webhooks#update-a-webhook-configuration-for-an-app>).
pub(crate) const APP_HOOK_CONFIG_PATH: &str = "/app/hook/config";

/// The request headers GitHub's REST API documents on every call ("Getting started with the
/// REST API", <https://docs.github.com/en/rest/using-the-rest-api/getting-started-with-the-rest-api>:
/// "Accept: application/vnd.github+json", "X-GitHub-Api-Version").
pub(crate) const ACCEPT: &str = "application/vnd.github+json";
pub(crate) const API_VERSION: &str = "2022-11-28";

/// What each profile needs of a GitHub App: the permissions of the endpoints its work calls,
/// from "Permissions required for GitHub Apps"
/// (<https://docs.github.com/en/rest/authentication/permissions-required-for-github-apps>),
/// which names, for every REST endpoint, the permission and level an app needs. `metadata:
/// read` comes with every installation ("Choosing permissions for a GitHub App",
/// <https://docs.github.com/en/apps/creating-github-apps/registering-a-github-app/choosing-permissions-for-a-github-app>).
#[rustfmt::skip] // One permission a line.
pub(crate) static APP_PROFILE_PERMISSIONS: &[(&str, &[PermissionNeed])] = &[
    ("ci-failure-analysis", &[
        app_need("actions", AccessLevel::Read, "Workflow runs, their jobs and job logs (\"List workflow runs for a repository\", \"Download job logs\")."),
        app_need("checks", AccessLevel::Read, "Check runs of CI systems other than Actions."),
        app_need("contents", AccessLevel::Read, "Commits and files a failure points at."),
        app_need("metadata", AccessLevel::Read, METADATA),
        app_need("pull_requests", AccessLevel::Write, "Commenting on the pull request a run belongs to."),
    ]),
    ("deployments", &[
        app_need("contents", AccessLevel::Write, "Cloning over https and pushing branches."),
        app_need("pull_requests", AccessLevel::Write, "Opening pull requests."),
        app_need("workflows", AccessLevel::Write, "Pushing a branch that changes .github/workflows."),
        app_need("metadata", AccessLevel::Read, METADATA),
    ]),
    ("engineering-metrics", &[
        app_need("contents", AccessLevel::Read, "Commits, for lead time metrics."),
        app_need("pull_requests", AccessLevel::Read, "Pull requests and their reviews."),
        app_need("members", AccessLevel::Read, "Organization members and teams, to attribute work."),
        app_need("metadata", AccessLevel::Read, METADATA),
    ]),
    ("secret-sync", &[
        app_need("secrets", AccessLevel::Write, "Writing repository Actions secrets."),
        app_need("organization_secrets", AccessLevel::Write, "Writing organization Actions secrets."),
        app_need("metadata", AccessLevel::Read, METADATA),
    ]),
    ("secret-scanning", &[
        app_need("contents", AccessLevel::Read, "Cloning repositories and reading pushes."),
        app_need("metadata", AccessLevel::Read, METADATA),
    ]),
    ("code-correlation", &[
        app_need("contents", AccessLevel::Read, "Commits, diffs and files."),
        app_need("pull_requests", AccessLevel::Read, "Pull requests that carried the changes."),
        app_need("members", AccessLevel::Read, "Teams that own the changed code."),
        app_need("metadata", AccessLevel::Read, METADATA),
    ]),
];

/// Why every profile lists `metadata: read`.
const METADATA: &str = "Listing and reading the repositories; every app has it.";

const fn app_need(
    permission: &'static str,
    level: AccessLevel,
    reason: &'static str,
) -> PermissionNeed {
    PermissionNeed { permission, level, reason }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::{parse_timestamp, version_at_least};

    /// The table is in release order, every date is a real day, and each release's dates run
    /// candidate, then general availability, then deprecation.
    #[test]
    fn release_dates_are_ordered_days() {
        for pair in SERVER_RELEASES.windows(2) {
            assert!(!version_at_least(pair[0].version, pair[1].version), "{pair:?}");
        }
        for r in SERVER_RELEASES {
            let day = |text: &str| parse_timestamp(text).unwrap_or_else(|| panic!("{r:?}"));
            let (rc, ga, end) =
                (day(r.release_candidate), day(r.generally_available), day(r.deprecated));
            assert!(rc <= ga && ga < end, "{r:?}");
        }
        assert!(SERVER_RELEASES.iter().any(|r| r.version == SERVER_MINIMUM));
    }

    /// The dates GitHub publishes for the releases supported around the time this was written
    /// (github/docs enterprise-dates.json): 3.14 and 3.15 deprecated on 2026-04-23, 3.16 on
    /// 2026-06-25, 3.17 on 2026-08-25, 3.18 on 2026-10-14, 3.19 on 2026-12-09, 3.20
    /// supported until 2027-03-17.
    #[test]
    fn deprecation_dates_as_published() {
        let deprecated =
            |v: &str| SERVER_RELEASES.iter().find(|r| r.version == v).map(|r| r.deprecated);
        assert_eq!(deprecated("3.14"), Some("2026-04-23"));
        assert_eq!(deprecated("3.15"), Some("2026-04-23"));
        assert_eq!(deprecated("3.16"), Some("2026-06-25"));
        assert_eq!(deprecated("3.17"), Some("2026-08-25"));
        assert_eq!(deprecated("3.18"), Some("2026-10-14"));
        assert_eq!(deprecated("3.19"), Some("2026-12-09"));
        assert_eq!(deprecated("3.20"), Some("2027-03-17"));
    }
}
