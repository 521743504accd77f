//! What forgelink knows about GitLab (gitlab.com, Dedicated and self-managed), each fact with its source.

use crate::scopes::{scope, ScopeInfo};

// ---------------------------------------------------------------------------------------------
// Scopes

/// "Access token scopes" (formerly "Personal access token scopes"): every scope of personal,
/// group and project access tokens, which OAuth applications share.
pub(crate) const SCOPES_SOURCE: &str =
    "https://docs.gitlab.com/security/tokens/access_token_scopes/";

/// "Authenticate with the container registry": "For write (push) access, to be write_registry
/// and read_registry", so `write_registry` implies nothing.
pub(crate) const REGISTRY_SOURCE: &str = "https://docs.gitlab.com/user/packages/container_registry/authenticate_with_container_registry/";

/// Every GitLab scope ([`SCOPES_SOURCE`]; `openid`, `profile` and `email` from "OAuth 2.0
/// identity provider API", docs.gitlab.com/api/oauth2/). `write_registry` and
/// `write_virtual_registry` imply nothing: a push also reads ([`REGISTRY_SOURCE`]), so a
/// token needs both scopes. A `static`, not a `const`, so the wasm holds the table once.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::Provider;
    use crate::scopes::check_scopes;

    /// "For write (push) access, to be write_registry and read_registry" ([`REGISTRY_SOURCE`]):
    /// a token with `write_registry` alone cannot push, so it is missing `read_registry`.
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
            // `api` grants none of them: the page lists each as its own grant.
            let api = check_scopes(Provider::GitLab, "api", &[name]).unwrap();
            assert_eq!(api.missing, [name]);
        }
    }
}
