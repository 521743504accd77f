//! What a pasted token's prefix reveals: which provider issued it and what kind it is.
//!
//! Sources: GitHub "About authentication to GitHub" (token formats); GitLab "Token prefixes";
//! Atlassian documentation on API tokens, access tokens and Data Center HTTP access tokens.

use serde::Serialize;

use crate::provider::Provider;

/// What a token's prefix reveals. Never holds the token itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    /// The provider that issues tokens with this prefix, when one does.
    pub provider: Option<Provider>,
    /// A stable identifier of the kind, such as `classic-pat`; `unknown` when nothing matched.
    pub kind: &'static str,
    /// What it is, for a person.
    pub description: &'static str,
    /// Whether forgelink can connect with it as an access token (refresh tokens, secrets and
    /// runner tokens cannot).
    pub usable_as_access_token: bool,
}

const fn info(
    provider: Provider,
    kind: &'static str,
    description: &'static str,
    usable: bool,
) -> TokenInfo {
    TokenInfo { provider: Some(provider), kind, description, usable_as_access_token: usable }
}

/// Longest prefixes first, so that `github_pat_` wins over anything shorter.
const PREFIXES: &[(&str, TokenInfo)] = &[
    (
        "github_pat_",
        info(
            Provider::GitHub,
            "fine-grained-pat",
            "GitHub fine-grained personal access token",
            true,
        ),
    ),
    ("ghp_", info(Provider::GitHub, "classic-pat", "GitHub personal access token (classic)", true)),
    ("gho_", info(Provider::GitHub, "oauth", "GitHub OAuth App access token", true)),
    (
        "ghu_",
        info(
            Provider::GitHub,
            "app-user",
            "GitHub App user access token (expires after 8 hours)",
            true,
        ),
    ),
    (
        "ghs_",
        info(
            Provider::GitHub,
            "app-installation",
            "GitHub App installation access token (expires after 1 hour)",
            true,
        ),
    ),
    (
        "ghr_",
        info(Provider::GitHub, "refresh", "GitHub App refresh token: not an access token", false),
    ),
    (
        "glpat-",
        info(
            Provider::GitLab,
            "access-token",
            "GitLab personal, project or group access token",
            true,
        ),
    ),
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
        "ATATT",
        info(
            Provider::BitbucketCloud,
            "api-token",
            "Atlassian API token (Basic auth with the Atlassian account email)",
            true,
        ),
    ),
    (
        "ATCTT",
        info(
            Provider::BitbucketCloud,
            "access-token",
            "Bitbucket Cloud repository, project or workspace access token",
            true,
        ),
    ),
    (
        "ATBB",
        info(
            Provider::BitbucketCloud,
            "app-password",
            "Bitbucket Cloud app password (stops working on 2026-06-09)",
            true,
        ),
    ),
    (
        "BBDC-",
        info(
            Provider::BitbucketDataCenter,
            "http-access-token",
            "Bitbucket Data Center HTTP access token",
            true,
        ),
    ),
];

const UNKNOWN: TokenInfo = TokenInfo {
    provider: None,
    kind: "unknown",
    description: "No known prefix: an older or OAuth token of any provider",
    usable_as_access_token: true,
};

/// The provider and kind a token's prefix reveals, or `unknown`.
pub fn detect_token(token: &str) -> TokenInfo {
    let token = token.trim();
    PREFIXES.iter().find(|(prefix, _)| token.starts_with(prefix)).map_or(UNKNOWN, |(_, info)| *info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(detect_token("github_pat_11ABC").kind, "fine-grained-pat");
        assert_eq!(detect_token(" ghp_abc ").kind, "classic-pat");
        assert_eq!(detect_token("glpat-xyz").provider, Some(Provider::GitLab));
        assert!(!detect_token("ghr_abc").usable_as_access_token);
        assert_eq!(detect_token("BBDC-abc").provider, Some(Provider::BitbucketDataCenter));
        assert_eq!(detect_token("de6780bc506a").kind, "unknown");
    }
}
