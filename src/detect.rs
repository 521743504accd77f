//! What a pasted token's prefix reveals: which provider issued it and what kind it is.
//!
//! Sources: GitHub "About authentication to GitHub" (token formats); the GitLab and Bitbucket
//! prefixes and their sources live in `providers::gitlab`, `providers::bitbucket_cloud` and
//! `providers::bitbucket_data_center`.

use serde::Serialize;

use crate::provider::Provider;
use crate::providers::{bitbucket_cloud, bitbucket_data_center, gitlab};

/// When a kind of token stops working, as dates (unix seconds, UTC). Dates are data: whoever
/// reads them judges them against their own clock (the flows use the host's), never against
/// the day forgelink was built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Retirement {
    /// From when no new token of this kind can be created.
    pub creation_stopped_at: i64,
    /// From when the provider refuses these tokens at times, to make remaining users notice.
    pub brownouts_from: i64,
    /// From when the provider refuses every token of this kind.
    pub removed_at: i64,
    /// The provider's announcement.
    pub source: &'static str,
}

impl Retirement {
    /// Whether the provider refuses these tokens at `now` (unix seconds of the caller's clock).
    pub fn removed(&self, now: i64) -> bool {
        now >= self.removed_at
    }
}

/// What a token's prefix reveals. Never holds the token itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    /// The provider that issues tokens with this prefix, when one does.
    pub provider: Option<Provider>,
    /// A stable identifier of the kind, such as `classic-pat`; `unknown` when nothing matched.
    #[cfg_attr(feature = "typescript", ts(type = "TokenKind"))]
    pub kind: &'static str,
    /// What it is, for a person.
    pub description: &'static str,
    /// Whether forgelink can connect with it as an access token (refresh tokens, secrets and
    /// runner tokens cannot). A retired kind stays usable here until its removal date, which
    /// `retirement` gives for the caller to judge.
    pub usable_as_access_token: bool,
    /// For a kind the provider is retiring (Bitbucket Cloud app passwords): its dates.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub retirement: Option<Retirement>,
}

pub(crate) const fn info(
    provider: Provider,
    kind: &'static str,
    description: &'static str,
    usable: bool,
) -> TokenInfo {
    TokenInfo {
        provider: Some(provider),
        kind,
        description,
        usable_as_access_token: usable,
        retirement: None,
    }
}

/// Longest prefixes first, so that `github_pat_` wins over anything shorter. The GitLab and
/// Bitbucket tables follow; no prefix of one provider starts another's.
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
];

const UNKNOWN: TokenInfo = TokenInfo {
    provider: None,
    kind: "unknown",
    description: "No known prefix: an older or OAuth token of any provider",
    usable_as_access_token: true,
    retirement: None,
};

/// The provider and kind a token's prefix reveals, or `unknown`.
pub fn detect_token(token: &str) -> TokenInfo {
    detect_token_with_prefix(token, None)
}

/// [`detect_token`], knowing that a GitLab instance's administrator set `custom_prefix` as the
/// personal access token prefix in place of `glpat-` (GitLab "Personal access token prefix";
/// see `providers::gitlab::ACCESS_TOKEN`): a token starting with it is that instance's
/// access token. The caller's prefix is checked first, since it describes the instance the
/// token comes from; a blank one is no prefix.
pub fn detect_token_with_prefix(token: &str, custom_prefix: Option<&str>) -> TokenInfo {
    let token = token.trim();
    if let Some(prefix) = custom_prefix.map(str::trim).filter(|p| !p.is_empty()) {
        if token.starts_with(prefix) {
            return gitlab::ACCESS_TOKEN;
        }
    }
    all_prefixes().find(|(prefix, _)| token.starts_with(prefix)).map_or(UNKNOWN, |(_, info)| *info)
}

fn all_prefixes() -> impl Iterator<Item = &'static (&'static str, TokenInfo)> {
    PREFIXES
        .iter()
        .chain(gitlab::TOKEN_PREFIXES)
        .chain(bitbucket_cloud::TOKEN_PREFIXES)
        .chain(bitbucket_data_center::TOKEN_PREFIXES)
}

/// A prefix a provider's tokens start with, and what a token with it is: the fields of
/// `TokenInfo`, and the prefix. (They are spelled out rather than flattened, which would cost
/// the npm package's smaller WebAssembly module serde's map machinery.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct TokenPrefix {
    /// The prefix, such as `glpat-` or `ATATT`.
    pub prefix: &'static str,
    /// The provider that issues tokens with this prefix.
    pub provider: Option<Provider>,
    /// A stable identifier of the kind, such as `classic-pat`.
    #[cfg_attr(feature = "typescript", ts(type = "TokenKind"))]
    pub kind: &'static str,
    /// What it is, for a person.
    pub description: &'static str,
    /// Whether forgelink can connect with it as an access token.
    pub usable_as_access_token: bool,
    /// For a kind the provider is retiring: its dates.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub retirement: Option<Retirement>,
}

/// Every token prefix of a provider, with its kind and, for a retired kind, its dates: for a
/// form that explains which token to create before anyone pastes one.
pub fn token_prefixes(provider: Provider) -> Vec<TokenPrefix> {
    all_prefixes()
        .filter(|(_, info)| info.provider == Some(provider))
        .map(|&(prefix, info)| TokenPrefix {
            prefix,
            provider: info.provider,
            kind: info.kind,
            description: info.description,
            usable_as_access_token: info.usable_as_access_token,
            retirement: info.retirement,
        })
        .collect()
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

    /// App passwords: creation stopped 2025-09-09 (community.atlassian.com, "Bitbucket Cloud
    /// enters phase 2 of app password deprecation"), removed 2026-07-28 ("Deprecation notice:
    /// Bitbucket Cloud app password brownout schedule"). The dates travel as data.
    #[test]
    fn app_passwords_carry_their_retirement_dates() {
        let info = detect_token("ATBBxyz");
        assert_eq!((info.provider, info.kind), (Some(Provider::BitbucketCloud), "app-password"));
        let retirement = info.retirement.unwrap();
        assert!(info.description.contains("2025-09-09") && info.description.contains("2026-07-28"));
        assert!(!retirement.removed(retirement.removed_at - 1));
        assert!(retirement.removed(retirement.removed_at));
        assert_eq!(detect_token("ATATT3x").kind, "api-token");
        assert!(detect_token("ATATT3x").retirement.is_none());
        let prefixes: Vec<&str> =
            token_prefixes(Provider::BitbucketCloud).iter().map(|p| p.prefix).collect();
        assert_eq!(prefixes, ["ATATT", "ATCTT", "ATBB"]);
        let json = serde_json::to_value(token_prefixes(Provider::BitbucketCloud)[2]).unwrap();
        assert_eq!(json["kind"], "app-password");
        assert_eq!(json["retirement"]["removedAt"], 1_785_196_800);
        assert!(token_prefixes(Provider::GitHub).iter().all(|p| p.retirement.is_none()));
    }
}
