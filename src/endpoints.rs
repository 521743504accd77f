//! Where each deployment serves its OAuth, identity and version endpoints.

use serde::Serialize;

use crate::base_url::{resolve_base_url, ResolvedBase};
use crate::error::Error;
use crate::provider::{Deployment, Provider};
use crate::providers::{bitbucket_cloud, bitbucket_data_center, github, gitlab};

/// How to learn which scopes a token was actually granted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(tag = "source", rename_all = "kebab-case")]
pub enum ScopeSource {
    /// A response header on any authenticated API call, such as `GET {url}`.
    Header {
        /// The header's name (`X-OAuth-Scopes`).
        header: &'static str,
        /// A cheap authenticated call whose response carries the header.
        url: String,
    },
    /// A dedicated endpoint whose JSON body lists the scopes.
    Endpoint {
        /// The endpoint to `GET` with the token.
        url: String,
        /// The JSON field holding the scopes.
        field: &'static str,
    },
    /// Only the token response tells, in this field.
    TokenResponse {
        /// The field of the token response.
        field: &'static str,
    },
}

/// Every URL forgelink's flows call for one deployment, and the settings pages a person opens
/// there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    /// The provider.
    pub provider: Provider,
    /// Cloud or self-hosted.
    pub deployment: Deployment,
    /// The web base URL people browse.
    pub web: String,
    /// The REST API base.
    pub api: String,
    /// Where the browser goes to authorize.
    pub authorize: String,
    /// Where codes and refresh tokens are exchanged.
    pub token: String,
    /// Where tokens are revoked, when the provider offers it. GitHub's holds a `{client_id}`
    /// placeholder and takes the client's Basic credentials.
    pub revoke: Option<String>,
    /// Where the device flow starts, when the provider offers it.
    pub device_authorization: Option<String>,
    /// The call that identifies the token's account.
    pub current_user: String,
    /// Where there is no "current user" endpoint (Bitbucket Data Center): the header naming the
    /// account on the response of the current user call (`X-AUSERNAME`).
    pub current_user_header: Option<&'static str>,
    /// The call that tells the server's version, where one exists.
    pub version: Option<String>,
    /// How to read the scopes a token was granted.
    pub granted_scopes: ScopeSource,
    /// The pages a person opens to register an OAuth application or create a token.
    pub settings_pages: SettingsPages,
}

/// The pages, under a deployment's web base URL, where a person sets up access. There is none
/// where the provider has no such page under the base URL alone: Bitbucket Cloud's OAuth
/// consumers belong to a workspace, and its API tokens are made on the Atlassian account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SettingsPages {
    /// Where to register an OAuth application. GitHub: New OAuth App
    /// (<https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/creating-an-oauth-app>);
    /// GitLab: the user's Applications
    /// (<https://docs.gitlab.com/integration/oauth_provider/#create-a-user-owned-application>);
    /// Bitbucket Data Center: Application links, for administrators
    /// (<https://confluence.atlassian.com/bitbucketserver/configure-an-incoming-link-1108483657.html>).
    pub oauth_app: Option<String>,
    /// Where to create a personal access token. GitHub: a new token (classic); GitLab: Access
    /// tokens (<https://docs.gitlab.com/user/profile/personal_access_tokens/>); Bitbucket Data
    /// Center: HTTP access tokens
    /// (<https://confluence.atlassian.com/bitbucketserver/http-access-tokens-939515499.html>).
    pub access_tokens: Option<String>,
}

/// The settings pages of a provider's deployment ([`SettingsPages`]): the cloud when
/// `base_url` is `None`. Fails as [`endpoints`] does.
pub fn settings_pages(provider: Provider, base_url: Option<&str>) -> Result<SettingsPages, Error> {
    resolve_base_url(provider, base_url).map(|base| settings_pages_at(provider, &base.base))
}

/// The settings pages under the web base URL `base`, as the provider modules record them.
fn settings_pages_at(provider: Provider, base: &str) -> SettingsPages {
    let (oauth_app, access_tokens) = match provider {
        Provider::GitHub => (github::OAUTH_APP_PAGE, github::ACCESS_TOKEN_PAGE),
        Provider::GitLab => (gitlab::OAUTH_APP_PAGE, gitlab::ACCESS_TOKEN_PAGE),
        Provider::BitbucketCloud => {
            (bitbucket_cloud::OAUTH_APP_PAGE, bitbucket_cloud::ACCESS_TOKEN_PAGE)
        }
        Provider::BitbucketDataCenter => {
            (bitbucket_data_center::OAUTH_APP_PAGE, bitbucket_data_center::ACCESS_TOKEN_PAGE)
        }
    };
    let at = |path: Option<&str>| path.map(|path| [base, path].concat());
    SettingsPages { oauth_app: at(oauth_app), access_tokens: at(access_tokens) }
}

/// The endpoints of a provider's deployment: the cloud when `base_url` is `None`.
///
/// Fails with the first error [`crate::validate_base_url`] finds in `base_url`, or with
/// `base_url.required` for Bitbucket Data Center without one.
pub fn endpoints(provider: Provider, base_url: Option<&str>) -> Result<Endpoints, Error> {
    resolve_base_url(provider, base_url).map(|base| endpoints_for(&base))
}

/// The authorization endpoint alone: [`endpoints_for`] builds every URL, which the hot path
/// of [`crate::authorization_url`] does not need.
pub(crate) fn authorize_endpoint(base: &ResolvedBase) -> String {
    let path = match base.provider {
        Provider::GitHub => github::AUTHORIZE_PATH,
        Provider::GitLab => gitlab::AUTHORIZE_PATH,
        Provider::BitbucketCloud => bitbucket_cloud::AUTHORIZE_PATH,
        Provider::BitbucketDataCenter => bitbucket_data_center::AUTHORIZE_PATH,
    };
    [base.base.as_str(), path].concat()
}

/// A deployment's URLs as its provider module gives them: everything in [`Endpoints`] but what
/// is built alike for every provider (the bases, the authorize URL, the settings pages).
pub(crate) struct ProviderUrls {
    pub(crate) token: String,
    pub(crate) revoke: Option<String>,
    pub(crate) device_authorization: Option<String>,
    pub(crate) current_user: String,
    pub(crate) current_user_header: Option<&'static str>,
    pub(crate) version: Option<String>,
    pub(crate) granted_scopes: ScopeSource,
}

pub(crate) fn endpoints_for(base: &ResolvedBase) -> Endpoints {
    let ResolvedBase { provider, base: web, deployment, api_base: api } = base.clone();
    let urls = match provider {
        Provider::GitHub => github::urls(&web, &api, deployment),
        Provider::GitLab => gitlab::urls(&web, &api),
        Provider::BitbucketCloud => bitbucket_cloud::urls(&web, &api),
        Provider::BitbucketDataCenter => bitbucket_data_center::urls(&web, &api),
    };
    Endpoints {
        authorize: authorize_endpoint(base),
        settings_pages: settings_pages_at(provider, &web),
        token: urls.token,
        revoke: urls.revoke,
        device_authorization: urls.device_authorization,
        current_user: urls.current_user,
        current_user_header: urls.current_user_header,
        version: urls.version,
        granted_scopes: urls.granted_scopes,
        provider,
        deployment,
        web,
        api,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_deployment() {
        let e = endpoints(Provider::GitLab, Some("https://example.com/gitlab/")).unwrap();
        assert_eq!(e.authorize, "https://example.com/gitlab/oauth/authorize");
        assert_eq!(e.current_user, "https://example.com/gitlab/api/v4/user");
        let e = endpoints(Provider::GitHub, None).unwrap();
        assert_eq!(e.token, "https://github.com/login/oauth/access_token");
        assert_eq!(e.current_user, "https://api.github.com/user");
        assert_eq!(e.version, None);
        let e = endpoints(Provider::GitHub, Some("https://ghe.example.com")).unwrap();
        assert_eq!(e.version.as_deref(), Some("https://ghe.example.com/api/v3/meta"));
        let e = endpoints(Provider::GitHub, Some("https://octo.ghe.com")).unwrap();
        assert_eq!(e.current_user, "https://api.octo.ghe.com/user");
        let e = endpoints(Provider::BitbucketCloud, None).unwrap();
        assert_eq!(e.authorize, "https://bitbucket.org/site/oauth2/authorize");
        let e =
            endpoints(Provider::BitbucketDataCenter, Some("https://bb.example.com/ctx")).unwrap();
        assert_eq!(e.token, "https://bb.example.com/ctx/rest/oauth2/latest/token");
        assert_eq!(e.current_user_header, Some("X-AUSERNAME"));
    }

    /// Each page under the deployment's web base URL, a relative root kept: GitHub's from
    /// "Creating an OAuth app" and "Managing your personal access tokens"; GitLab's from
    /// "Create a user-owned application" and "Prefill personal access token name and
    /// scopes"; Data Center's from "Configure an incoming link" and "HTTP access tokens";
    /// none for Bitbucket Cloud, whose consumers need a workspace and whose API tokens live
    /// on the Atlassian account (see the provider modules for the addresses).
    #[test]
    fn settings_pages_of_each_deployment() {
        let pages = |provider, base| settings_pages(provider, base).unwrap();
        let github = pages(Provider::GitHub, None);
        assert_eq!(
            github.oauth_app.as_deref(),
            Some("https://github.com/settings/applications/new")
        );
        assert_eq!(github.access_tokens.as_deref(), Some("https://github.com/settings/tokens/new"));
        let ghe = pages(Provider::GitHub, Some("https://octo.ghe.com/"));
        assert_eq!(ghe.access_tokens.as_deref(), Some("https://octo.ghe.com/settings/tokens/new"));
        let gitlab = pages(Provider::GitLab, Some("https://example.com/gitlab/"));
        assert_eq!(
            gitlab.oauth_app.as_deref(),
            Some("https://example.com/gitlab/-/user_settings/applications")
        );
        assert_eq!(
            gitlab.access_tokens.as_deref(),
            Some("https://example.com/gitlab/-/user_settings/personal_access_tokens")
        );
        let dc = pages(Provider::BitbucketDataCenter, Some("https://bb.example.com/ctx"));
        assert_eq!(
            dc.oauth_app.as_deref(),
            Some("https://bb.example.com/ctx/plugins/servlet/applinks/listApplicationLinks")
        );
        assert_eq!(
            dc.access_tokens.as_deref(),
            Some("https://bb.example.com/ctx/plugins/servlet/access-tokens/manage")
        );
        assert_eq!(
            pages(Provider::BitbucketCloud, None),
            SettingsPages { oauth_app: None, access_tokens: None }
        );
        assert_eq!(
            settings_pages(Provider::BitbucketDataCenter, None).unwrap_err().code,
            crate::Code::BaseUrlRequired
        );
        assert!(settings_pages(Provider::GitLab, Some("not a url")).is_err());
        // The endpoints carry the same pages.
        assert_eq!(
            endpoints(Provider::GitLab, Some("https://example.com/gitlab/"))
                .unwrap()
                .settings_pages,
            gitlab
        );
    }
}
