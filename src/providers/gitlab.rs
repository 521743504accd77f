//! What forgelink knows about GitLab (gitlab.com, Dedicated and self-managed), each fact with its source.

use crate::detect::{info, TokenInfo};
use crate::provider::Provider;
use crate::scopes::{scope, ScopeInfo};

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
