//! Each provider's scopes, what they mean, what they imply, and whether a grant covers a need.
//!
//! The catalogs live with their providers' other facts, and their sources, in `providers::github`,
//! `providers::gitlab`, `providers::bitbucket_cloud` and `providers::bitbucket_data_center`.

use serde::Serialize;

use crate::error::{excerpt, Code, Error};
use crate::provider::Provider;
use crate::providers::{bitbucket_cloud, bitbucket_data_center, gitlab};

/// Which kind of credential carries a scope. `api-token`: a Bitbucket Cloud API token scope
/// (`read:repository:bitbucket`), for which write does not imply read. `oauth`: every other
/// scope: OAuth applications', and access tokens' where they share the names.
///
/// Bitbucket Cloud has both vocabularies, whose names never overlap: one catalog holds both,
/// and a required scope names its own kind, so checking scopes needs no argument to tell them
/// apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum ScopeKind {
    /// Scopes of OAuth applications, and of the provider's access tokens where they share the
    /// names (GitHub and GitLab personal tokens; Bitbucket Cloud repository, project and
    /// workspace access tokens, which use the OAuth consumer's names).
    #[serde(rename = "oauth")]
    OAuth,
    /// Bitbucket Cloud API token scopes (`read:repository:bitbucket`, ...), for which write
    /// does not imply read.
    ApiToken,
}

/// One scope of a provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ScopeInfo {
    /// The scope's name in the provider's own spelling (`read_api`, `repo:status`, `REPO_READ`).
    pub name: &'static str,
    /// What it grants, in one line.
    pub description: &'static str,
    /// The scopes it grants as well, directly; checking scopes also follows what these imply.
    pub implies: &'static [&'static str],
    /// The scopes it grants as well, but on public repositories only: GitHub's `public_repo`
    /// is `repo` limited to public repositories, including their webhooks. Empty for every
    /// other scope.
    pub implies_on_public_repositories: &'static [&'static str],
    /// Which kind of credential carries it. Bitbucket Cloud's catalog holds both kinds; their
    /// names never overlap.
    pub kind: ScopeKind,
}

pub(crate) const fn scope(
    name: &'static str,
    description: &'static str,
    implies: &'static [&'static str],
) -> ScopeInfo {
    ScopeInfo {
        name,
        description,
        implies,
        implies_on_public_repositories: &[],
        kind: ScopeKind::OAuth,
    }
}

impl ScopeInfo {
    /// The same scope, granting `implied` as well on public repositories.
    pub(crate) const fn on_public_repositories(mut self, implied: &'static [&'static str]) -> Self {
        self.implies_on_public_repositories = implied;
        self
    }
}

/// Every scope of a provider, with its meaning and direct implications.
pub fn scope_catalog(provider: Provider) -> &'static [ScopeInfo] {
    match provider {
        Provider::GitHub => crate::providers::github::SCOPES,
        Provider::GitLab => gitlab::SCOPES,
        Provider::BitbucketCloud => bitbucket_cloud::SCOPES,
        Provider::BitbucketDataCenter => bitbucket_data_center::SCOPES,
    }
}

pub(crate) fn find_scope(provider: Provider, name: &str) -> Option<&'static ScopeInfo> {
    scope_catalog(provider).iter().find(|s| s.name == name)
}

/// Whether granted scopes cover the required ones.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ScopeCheck {
    /// Every required scope is granted, directly or through another scope that implies it.
    pub satisfied: bool,
    /// The required scopes that are not covered, in the order required.
    pub missing: Vec<String>,
    /// The granted scopes as read (deduplicated, in the order given).
    pub granted: Vec<String>,
    /// The missing scopes that the grant covers on public repositories only (GitHub's
    /// `public_repo` covers `admin:repo_hook` there): enough for a public repository, not for
    /// a private or internal one. Left out when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<Vec<String>>", optional))]
    pub public_repositories_only: Vec<String>,
}

/// Splits a provider's scope list: GitHub's token responses use commas, the others spaces;
/// both are accepted everywhere, since no scope name holds either.
pub(crate) fn split_scopes(list: &str) -> Vec<String> {
    let mut scopes: Vec<String> = Vec::new();
    for scope in list.split([',', ' ', '\t', '\n', '\r']).filter(|s| !s.is_empty()) {
        if !scopes.iter().any(|s| s == scope) {
            scopes.push(scope.to_owned());
        }
    }
    scopes
}

/// Checks that `granted` (the provider's own spelling: comma- or space-separated) covers every
/// scope in `required`, counting implied scopes (`api` covers `read_api`, `repo` covers
/// `repo:status` and `admin:repo_hook`, `pullrequest:write` covers `repository:write`). A
/// scope that `public_repo` covers on public repositories only is still missing, since the
/// check cannot know the repository; [`ScopeCheck::public_repositories_only`] names it.
///
/// Fails with `scope.unknown` when a required scope is not one of the provider's.
pub fn check_scopes(
    provider: Provider,
    granted: &str,
    required: &[&str],
) -> Result<ScopeCheck, Error> {
    for name in required {
        ensure_known(provider, name)?;
    }
    let granted = split_scopes(granted);
    let effective = closure(provider, granted.iter().map(String::as_str));
    // What the grant reaches on a public repository: everything above, plus what its scopes
    // grant there only, with their own implications.
    let on_public = closure(
        provider,
        effective.iter().copied().chain(
            effective
                .iter()
                .filter_map(|name| find_scope(provider, name))
                .flat_map(|info| info.implies_on_public_repositories.iter().copied()),
        ),
    );
    let mut missing: Vec<String> = Vec::new();
    let mut public_repositories_only: Vec<String> = Vec::new();
    for name in required {
        if !effective.contains(name) && !missing.iter().any(|m| m == name) {
            missing.push((*name).to_owned());
            if on_public.contains(name) {
                public_repositories_only.push((*name).to_owned());
            }
        }
    }
    Ok(ScopeCheck { satisfied: missing.is_empty(), missing, granted, public_repositories_only })
}

pub(crate) fn ensure_known(provider: Provider, name: &str) -> Result<(), Error> {
    if find_scope(provider, name).is_some() {
        return Ok(());
    }
    let hint = match (provider, name) {
        (Provider::GitLab, "offline_access") => " GitLab always returns a refresh token with the authorization code flow, so no scope is needed for it.",
        (Provider::BitbucketCloud, _) => bitbucket_cloud::unknown_scope_hint(name),
        _ => "",
    };
    Err(Error::new(
        Code::ScopeUnknown,
        format!("`{}` is not a {} scope.{hint}", excerpt(name), provider.display_name()),
    )
    .for_provider(provider))
}

/// Every scope the given ones grant, directly or transitively.
fn closure<'a>(provider: Provider, granted: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut effective: Vec<&str> = granted.collect();
    let mut next = 0;
    while next < effective.len() {
        if let Some(info) = find_scope(provider, effective[next]) {
            for implied in info.implies {
                if !effective.contains(implied) {
                    effective.push(implied);
                }
            }
        }
        // `effective` holds fewer than usize::MAX scopes, so this never saturates.
        next = next.saturating_add(1);
    }
    effective
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implications_count() {
        let c =
            check_scopes(Provider::GitLab, "api read_user", &["read_api", "read_user"]).unwrap();
        assert!(c.satisfied);
        let c =
            check_scopes(Provider::GitHub, "repo,read:org", &["repo:status", "admin:org"]).unwrap();
        assert_eq!(c.missing, ["admin:org"]);
        assert_eq!(c.granted, ["repo", "read:org"]);
        let c = check_scopes(
            Provider::BitbucketCloud,
            "pullrequest:write",
            &["repository:write", "repository"],
        )
        .unwrap();
        assert!(c.satisfied);
        let c =
            check_scopes(Provider::BitbucketDataCenter, "PROJECT_ADMIN", &["REPO_READ"]).unwrap();
        assert!(c.satisfied);
    }

    /// GitHub Docs, "Scopes for OAuth apps", under `admin:repo_hook`: "The repo and public_repo
    /// scopes grant full access to repositories, including repository hooks." GitHub then
    /// stores a token asked for `repo admin:repo_hook` as `repo` alone ("Normalized scopes"),
    /// so `repo` must cover every repository hook scope.
    #[test]
    fn github_repo_covers_repository_hooks() {
        let hooks = ["admin:repo_hook", "write:repo_hook", "read:repo_hook"];
        let c = check_scopes(Provider::GitHub, "repo", &hooks).unwrap();
        assert!(c.satisfied, "{c:?}");
        assert!(c.public_repositories_only.is_empty());
        // The hook scopes limit a token to hooks: they never grant the repository.
        let c =
            check_scopes(Provider::GitHub, "admin:repo_hook", &["repo", "read:repo_hook"]).unwrap();
        assert_eq!(c.missing, ["repo"]);
    }

    /// Same page: `public_repo` "Limits access to public repositories. That includes
    /// read/write access to code, commit statuses, repository projects, collaborators, and
    /// deployment statuses for public repositories", and, under `admin:repo_hook`, their
    /// hooks. So on a public repository it covers the hook scopes, statuses and deployments;
    /// on a private or internal one it covers none of them, and never invitations, security
    /// events or `repo` itself.
    #[test]
    fn github_public_repo_covers_hooks_of_public_repositories_only() {
        let required = [
            "admin:repo_hook",
            "read:repo_hook",
            "repo:status",
            "repo_deployment",
            "repo:invite",
            "security_events",
            "repo",
        ];
        let c = check_scopes(Provider::GitHub, "public_repo", &required).unwrap();
        assert!(!c.satisfied);
        assert_eq!(c.missing, required);
        assert_eq!(
            c.public_repositories_only,
            ["admin:repo_hook", "read:repo_hook", "repo:status", "repo_deployment"]
        );
        // What a scope grants everywhere is not repeated as "public only".
        let c = check_scopes(Provider::GitHub, "public_repo,admin:repo_hook", &["read:repo_hook"])
            .unwrap();
        assert!(c.satisfied && c.public_repositories_only.is_empty(), "{c:?}");
        // Only GitHub has such a scope.
        for provider in [Provider::GitLab, Provider::BitbucketCloud, Provider::BitbucketDataCenter]
        {
            assert!(scope_catalog(provider)
                .iter()
                .all(|s| s.implies_on_public_repositories.is_empty()));
        }
    }

    /// Same page: "admin:enterprise: Gives full control of enterprise functionality ...
    /// Includes manage_runners:enterprise, manage_billing:enterprise, and read:enterprise."
    #[test]
    fn github_enterprise_scopes() {
        let parts = ["manage_runners:enterprise", "manage_billing:enterprise", "read:enterprise"];
        assert!(check_scopes(Provider::GitHub, "admin:enterprise", &parts).unwrap().satisfied);
        for part in parts {
            let c = check_scopes(Provider::GitHub, part, &["admin:enterprise"]).unwrap();
            assert_eq!(c.missing, ["admin:enterprise"]);
        }
        let c = check_scopes(Provider::GitHub, "read:enterprise", &["manage_billing:enterprise"])
            .unwrap();
        assert_eq!(c.missing, ["manage_billing:enterprise"]);
    }

    /// "This scope does not imply the read:repository:bitbucket scope, so you need to request
    /// that separately" (support.atlassian.com/bitbucket-cloud/docs/api-token-permissions/),
    /// while the consumer's repository:write does include repository (developer.atlassian.com/
    /// cloud/bitbucket/bitbucket-cloud-rest-api-scopes/).
    #[test]
    fn bitbucket_api_token_write_does_not_imply_read() {
        let c = check_scopes(
            Provider::BitbucketCloud,
            "write:repository:bitbucket admin:repository:bitbucket write:pullrequest:bitbucket",
            &[
                "read:repository:bitbucket",
                "read:pullrequest:bitbucket",
                "write:pullrequest:bitbucket",
            ],
        )
        .unwrap();
        assert_eq!(c.missing, ["read:repository:bitbucket", "read:pullrequest:bitbucket"]);
        let c = check_scopes(
            Provider::BitbucketCloud,
            "read:repository:bitbucket write:repository:bitbucket",
            &["read:repository:bitbucket", "write:repository:bitbucket"],
        )
        .unwrap();
        assert!(c.satisfied);
        let c =
            check_scopes(Provider::BitbucketCloud, "repository:write", &["repository"]).unwrap();
        assert!(c.satisfied);
        // The two vocabularies do not stand in for each other.
        let c =
            check_scopes(Provider::BitbucketCloud, "repository", &["read:repository:bitbucket"])
                .unwrap();
        assert_eq!(c.missing, ["read:repository:bitbucket"]);
        let kinds: Vec<ScopeKind> = ["repository", "read:repository:bitbucket"]
            .map(|n| find_scope(Provider::BitbucketCloud, n).unwrap().kind)
            .to_vec();
        assert_eq!(kinds, [ScopeKind::OAuth, ScopeKind::ApiToken]);
        let e = check_scopes(Provider::BitbucketCloud, "", &["read:repo:bitbucket"]).unwrap_err();
        assert_eq!(e.code, Code::ScopeUnknown);
        assert!(e.message.contains("read:repository:bitbucket"), "{}", e.message);
    }

    #[test]
    fn unknown_required_scope_is_an_error() {
        let e = check_scopes(Provider::GitLab, "api", &["offline_access"]).unwrap_err();
        assert_eq!(e.code, Code::ScopeUnknown);
        assert!(e.message.contains("refresh token"));
    }

    #[test]
    fn every_implied_scope_is_in_the_catalog() {
        for provider in Provider::ALL {
            for info in scope_catalog(provider) {
                for implied in info.implies.iter().chain(info.implies_on_public_repositories) {
                    assert!(find_scope(provider, implied).is_some(), "{provider} {implied}");
                    assert_ne!(*implied, info.name);
                }
            }
        }
    }
}
