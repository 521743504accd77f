//! What forgelink knows about GitLab (gitlab.com, Dedicated and self-managed), each fact with its source.

use crate::detect::{info, TokenInfo};
use crate::identity::parse_timestamp;
use crate::provider::Provider;
use crate::scopes::{scope, ScopeInfo};
use crate::webhooks::Status;

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
