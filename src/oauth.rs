//! The browser half of the OAuth 2.0 authorization code flow: the URL to send a person to,
//! and reading the callback they come back with.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use url::Url;

use crate::base_url::resolve_base_url;
use crate::endpoints::authorize_endpoint;
use crate::error::{excerpt, Code, Error};
use crate::host_name::is_loopback;
use crate::profiles::profile;
use crate::provider::{Deployment, Provider};
use crate::scopes::ensure_known;
use crate::secret::{AuthorizationCode, CodeVerifier, Redacted};

/// How many random bytes [`authorization_url`] needs: 32 for the state, 32 for the PKCE verifier.
pub const ENTROPY_LEN: usize = 64;

/// What to authorize: the provider, the OAuth application, and the access wanted.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthorizationRequest {
    /// The provider.
    pub provider: Provider,
    /// The instance's base URL; the provider's cloud when absent.
    #[serde(default)]
    pub base_url: Option<String>,
    /// The OAuth application's client id.
    pub client_id: String,
    /// The redirect URI, exactly as registered on the application.
    pub redirect_uri: String,
    /// Scopes to request. Added to the profile's when both are given.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    /// A profile id (see [`crate::profiles`]) whose scopes to request.
    #[serde(default)]
    pub profile: Option<String>,
    /// Whether to use PKCE (S256). Defaults to yes wherever the provider documents it (not Bitbucket Cloud, not GitHub Enterprise Server);
    /// asking for it elsewhere is `oauth.pkce_unsupported`.
    #[serde(default)]
    pub pkce: Option<bool>,
    /// GitLab only: the numeric id of the top-level group whose SAML SSO the sign-in should
    /// go through (`root_namespace_id`, GitLab 18.2+; older instances ignore it). Anything
    /// but digits, or another provider, is `input.invalid`.
    #[serde(default)]
    pub root_namespace_id: Option<String>,
}

impl AuthorizationRequest {
    /// A request for the provider's cloud with no scopes, profile or PKCE preference.
    pub fn new(
        provider: Provider,
        client_id: impl Into<String>,
        redirect_uri: impl Into<String>,
    ) -> Self {
        AuthorizationRequest {
            provider,
            base_url: None,
            client_id: client_id.into(),
            redirect_uri: redirect_uri.into(),
            scopes: None,
            profile: None,
            pkce: None,
            root_namespace_id: None,
        }
    }
}

/// Where to send the person, and what to keep until they come back.
#[derive(Clone, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationUrl {
    /// The provider's authorization URL with every parameter.
    pub url: String,
    /// The `state` to keep (single use) and compare with the callback's: 256 random bits,
    /// base64url.
    pub state: String,
    /// The PKCE verifier to keep secret and send with the code exchange, when PKCE is used.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub code_verifier: Option<CodeVerifier>,
}

/// An authorization URL with its state hidden, for `Debug`: the URL carries the state as
/// [`authorization_url`] encodes it. An empty state would match between every character;
/// there is then nothing to hide.
pub(crate) fn url_without_state(url: &str, state: &str) -> String {
    if state.is_empty() {
        url.to_owned()
    } else {
        url.replace(&percent_encode(state), "[redacted]")
    }
}

/// Redacts the verifier and the state, in its field and in the URL: whoever reads the state in
/// a log can forge a callback, carrying a code of their own, that this flow accepts.
impl fmt::Debug for AuthorizationUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationUrl")
            .field("url", &url_without_state(&self.url, &self.state))
            .field("state", &Redacted)
            .field("code_verifier", &self.code_verifier)
            .finish()
    }
}

/// What a successful callback carries.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Callback {
    /// The authorization code, to exchange at once. Secret.
    pub code: AuthorizationCode,
    /// The issuer the provider named (RFC 9207), such as GitHub's `https://github.com/login/oauth`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub iss: Option<String>,
}

/// Whether the deployment documents PKCE (S256) for the authorization code flow, so that
/// forgelink sends it by default and accepts a request for it.
fn supports_pkce(provider: Provider, deployment: Deployment) -> bool {
    match provider {
        // github.com and ghe.com, not Enterprise Server: see the fact's sources there.
        Provider::GitHub => crate::providers::github::pkce_documented(deployment),
        // Bitbucket Cloud documents no PKCE parameters.
        Provider::BitbucketCloud => false,
        Provider::GitLab | Provider::BitbucketDataCenter => true,
    }
}

/// Builds the authorization URL for `request`, drawing the state and the PKCE verifier from
/// `entropy` ([`ENTROPY_LEN`] bytes from a cryptographically secure source).
pub fn authorization_url(
    request: &AuthorizationRequest,
    entropy: &[u8],
) -> Result<AuthorizationUrl, Error> {
    let provider = request.provider;
    if entropy.len() < ENTROPY_LEN {
        return Err(Error::new(
            Code::InputInsufficientEntropy,
            format!("authorization_url needs {ENTROPY_LEN} random bytes, got {}", entropy.len()),
        ));
    }
    let base = resolve_base_url(provider, request.base_url.as_deref())?;
    let client_id = check_client_id(provider, &request.client_id)?;
    let redirect_uri = check_redirect_uri(provider, &request.redirect_uri)?;
    let scopes = requested_scopes(request)?;
    let root_namespace_id =
        check_root_namespace_id(provider, request.root_namespace_id.as_deref())?;
    let pkce = match request.pkce {
        Some(true) if !supports_pkce(provider, base.deployment) => {
            let product = match (provider, base.deployment) {
                (Provider::GitHub, Deployment::SelfHosted) => "GitHub Enterprise Server",
                _ => provider.display_name(),
            };
            return Err(Error::new(
                Code::OauthPkceUnsupported,
                format!("{product} does not document PKCE; authorize without it and keep the client secret on a server."),
            )
            .for_provider(provider));
        }
        Some(wanted) => wanted,
        None => supports_pkce(provider, base.deployment),
    };

    let state = URL_SAFE_NO_PAD.encode(&entropy[..32]);
    let mut query = vec![
        ("response_type", "code".to_owned()),
        ("client_id", client_id.to_owned()),
        ("redirect_uri", redirect_uri.to_owned()),
    ];
    if !scopes.is_empty() {
        query.push(("scope", scopes.join(" ")));
    }
    query.push(("state", state.clone()));
    let code_verifier = pkce.then(|| {
        let verifier = URL_SAFE_NO_PAD.encode(&entropy[32..ENTROPY_LEN]);
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        query.push(("code_challenge", challenge));
        query.push(("code_challenge_method", "S256".to_owned()));
        CodeVerifier::new(verifier)
    });
    if let Some(id) = root_namespace_id {
        query.push((crate::providers::gitlab::ROOT_NAMESPACE_ID_PARAM, id.to_owned()));
    }
    let mut url = authorize_endpoint(&base);
    url.push('?');
    for (i, (name, value)) in query.iter().enumerate() {
        if i > 0 {
            url.push('&');
        }
        url.push_str(name);
        url.push('=');
        url.push_str(&percent_encode(value));
    }
    Ok(AuthorizationUrl { url, state, code_verifier })
}

/// Form encoding with `%20` for spaces: every provider decodes it, while a `+` in a scope
/// list has been read literally by some proxies.
fn percent_encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>().replace('+', "%20")
}

/// The group id for GitLab's `root_namespace_id` (see
/// [`crate::providers::gitlab::ROOT_NAMESPACE_ID_PARAM`]), trimmed; a blank one is none.
fn check_root_namespace_id(provider: Provider, id: Option<&str>) -> Result<Option<&str>, Error> {
    let Some(id) = id.map(str::trim).filter(|id| !id.is_empty()) else {
        return Ok(None);
    };
    // One short message for both mistakes: this is in the module pages load, whose size has
    // a goal.
    if provider != Provider::GitLab || id.len() > 20 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::new(
            Code::InputInvalid,
            "rootNamespaceId takes a GitLab (18.2+) group's numeric id.",
        )
        .for_provider(provider));
    }
    Ok(Some(id))
}

fn check_client_id(provider: Provider, client_id: &str) -> Result<&str, Error> {
    let trimmed = client_id.trim();
    let bad =
        trimmed.is_empty() || trimmed.len() > 512 || crate::base_url::has_space_or_control(trimmed);
    if bad {
        return Err(Error::new(
            Code::OauthInvalidClientId,
            "The client id must be the application's id exactly as the provider shows it: not empty, no spaces.",
        )
        .for_provider(provider));
    }
    Ok(trimmed)
}

fn check_redirect_uri(provider: Provider, redirect_uri: &str) -> Result<&str, Error> {
    let trimmed = redirect_uri.trim();
    let invalid = |code, message: String| Err(Error::new(code, message).for_provider(provider));
    let url = match Url::parse(trimmed) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => url,
        _ => {
            return invalid(
                Code::RedirectUriInvalid,
                format!("The redirect URI `{}` is not an absolute http(s) URL.", excerpt(trimmed)),
            )
        }
    };
    if url.fragment().is_some() {
        return invalid(
            Code::RedirectUriFragment,
            "The redirect URI has a `#` part, which OAuth does not allow.".into(),
        );
    }
    let loopback = url.host().is_some_and(|h| is_loopback(&h));
    if provider == Provider::BitbucketDataCenter && url.scheme() == "http" && !loopback {
        return invalid(
            Code::RedirectUriInsecure,
            "Bitbucket Data Center requires an https redirect URI unless it points at the local machine.".into(),
        );
    }
    Ok(trimmed)
}

fn requested_scopes(request: &AuthorizationRequest) -> Result<Vec<String>, Error> {
    let provider = request.provider;
    let explicit = request.scopes.as_deref().unwrap_or_default();
    if provider == Provider::BitbucketCloud && !explicit.is_empty() {
        return Err(Error::new(
            Code::ScopeNotRequestable,
            "Bitbucket Cloud takes no scopes in the authorization request: tick the permissions on the OAuth consumer instead.",
        )
        .for_provider(provider));
    }
    let mut scopes: Vec<String> = Vec::new();
    if let Some(id) = &request.profile {
        let needs = profile(id)?.for_provider(provider);
        if !needs.supported {
            return Err(Error::new(
                Code::ProfileUnsupported,
                format!(
                    "The {id} profile is not available for {}: {}",
                    provider.display_name(),
                    needs.min_role.reason
                ),
            )
            .for_provider(provider));
        }
        if needs.scope_mode == crate::profiles::ScopeMode::Request {
            scopes.extend(needs.scopes.iter().map(|n| n.name.to_owned()));
        }
    }
    for scope in explicit {
        let scope = scope.trim();
        ensure_known(provider, scope)?;
        if !scopes.iter().any(|s| s == scope) {
            scopes.push(scope.to_owned());
        }
    }
    Ok(scopes)
}

/// Reads the URL the provider redirected the browser to (or just its query string), checks its
/// `state` against the one kept from [`authorization_url`], and returns the code, or the
/// provider's error as a coded [`Error`].
pub fn parse_callback(callback_url: &str, expected_state: &str) -> Result<Callback, Error> {
    let query = callback_query(callback_url.trim())?;
    let mut params = CallbackParams::default();
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let slot = match name.as_ref() {
            "code" => &mut params.code,
            "state" => &mut params.state,
            "error" => &mut params.error,
            "error_description" => &mut params.error_description,
            "error_uri" => &mut params.error_uri,
            "iss" => &mut params.iss,
            _ => continue,
        };
        if slot.is_some() {
            return Err(Error::new(
                Code::OauthDuplicateParameter,
                format!(
                    "The callback carries `{name}` more than once; it may have been tampered with."
                ),
            ));
        }
        *slot = Some(value.into_owned());
    }
    if expected_state.is_empty() {
        return Err(Error::new(
            Code::InputInvalid,
            "The expected state is empty: pass the state returned with the authorization URL.",
        ));
    }
    match &params.state {
        Some(state) if bool::from(state.as_bytes().ct_eq(expected_state.as_bytes())) => {}
        Some(_) => {
            return Err(Error::new(
                Code::OauthStateMismatch,
                "The callback's state is not the one this authorization started with: it may be stale, used twice, or forged.",
            ))
        }
        None if params.error.is_some() => return Err(params.provider_error()),
        None => {
            return Err(Error::new(Code::OauthMissingState, "The callback carries no state, so it cannot be tied to an authorization this app started."))
        }
    }
    if params.error.is_some() {
        return Err(params.provider_error());
    }
    match params.code {
        Some(code) if !code.is_empty() => {
            Ok(Callback { code: AuthorizationCode::new(code), iss: params.iss })
        }
        _ => Err(Error::new(
            Code::OauthMissingCode,
            "The callback carries neither a code nor an error.",
        )),
    }
}

/// The issuer identifier an authorization server of these endpoints names in its callbacks
/// (RFC 9207 `iss`). GitHub sends `https://github.com/login/oauth` since April 2026 (the same
/// path under an Enterprise Server's or ghe.com's own host); GitLab's issuer is the instance's
/// external URL, relative root included (its OpenID discovery document,
/// https://docs.gitlab.com/integration/openid_connect_provider/); Bitbucket sends none today,
/// and its issuer would be its base URL.
pub(crate) fn issuer(endpoints: &crate::endpoints::Endpoints) -> String {
    match endpoints.provider {
        Provider::GitHub => format!("{}/login/oauth", endpoints.web),
        _ => endpoints.web.clone(),
    }
}

/// Whether a callback URL arrived at the redirect URI's origin and path: a callback taken to
/// another page (or another site) that happens to hold a valid state is not this flow's.
pub(crate) fn callback_matches_redirect(callback_url: &str, redirect_uri: &str) -> bool {
    let (Ok(callback), Ok(redirect)) =
        (url::Url::parse(callback_url.trim()), url::Url::parse(redirect_uri.trim()))
    else {
        return false;
    };
    callback.origin() == redirect.origin() && callback.path() == redirect.path()
}

/// The `state` a callback carries, if it can be read.
pub(crate) fn callback_state(callback_url: &str) -> Option<String> {
    let query = callback_query(callback_url.trim()).ok()?;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "state")
        .map(|(_, v)| v.into_owned())
}

fn callback_query(input: &str) -> Result<&str, Error> {
    if let Some((_, rest)) = input.split_once("://") {
        if !rest.is_empty() && Url::parse(input).is_ok() {
            let without_fragment = input.split('#').next().unwrap_or(input);
            return Ok(without_fragment.split_once('?').map_or("", |(_, query)| query));
        }
    } else if let Some(query) = input.strip_prefix('?') {
        return Ok(query);
    } else if input.contains('=') && !input.contains(['/', ' ']) {
        return Ok(input);
    }
    // Echo nothing from the first `?` or `=` on: a callback that failed to parse still carries
    // its authorization code, and error messages reach logs and screens.
    let shown = input.split(['?', '=']).next().unwrap_or_default();
    Err(Error::new(
        Code::OauthInvalidCallback,
        format!(
            "`{}` is not a callback URL: pass the full URL the browser was redirected to.",
            excerpt(shown)
        ),
    ))
}

#[derive(Default)]
struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
    error_uri: Option<String>,
    iss: Option<String>,
}

impl CallbackParams {
    fn provider_error(&self) -> Error {
        let error = self.error.as_deref().unwrap_or_default();
        let (code, message) = match error {
            "access_denied" => (
                Code::OauthAccessDenied,
                "The authorization was declined on the provider's page.".to_owned(),
            ),
            "invalid_scope" => {
                (Code::OauthInvalidScope, "The provider rejected the requested scopes.".to_owned())
            }
            "redirect_uri_mismatch" => (
                Code::OauthRedirectUriMismatch,
                "The provider rejected the redirect URI: it does not match the application's."
                    .to_owned(),
            ),
            "invalid_request" => (
                Code::OauthInvalidRequest,
                "The provider found the authorization request malformed (often: it requires PKCE)."
                    .to_owned(),
            ),
            "invalid_client" | "unauthorized_client" => (
                Code::OauthInvalidClient,
                "The provider does not recognise this client id for this flow.".to_owned(),
            ),
            other => {
                (Code::OauthProviderError, format!("The provider reported `{}`.", excerpt(other)))
            }
        };
        let detail = [self.error_description.as_deref(), self.error_uri.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let error = Error::new(code, message);
        if detail.is_empty() {
            error
        } else {
            error.with_detail(detail)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENTROPY: [u8; ENTROPY_LEN] = [7; ENTROPY_LEN];

    fn query_of(url: &str) -> Vec<(String, String)> {
        Url::parse(url).unwrap().query_pairs().into_owned().collect()
    }

    #[test]
    fn gitlab_relative_root_with_pkce_and_profile() {
        let mut request =
            AuthorizationRequest::new(Provider::GitLab, "abc", "https://app.example/cb");
        request.base_url = Some("https://example.com/gitlab/".into());
        request.profile = Some("engineering-metrics".into());
        let auth = authorization_url(&request, &ENTROPY).unwrap();
        assert!(auth
            .url
            .starts_with("https://example.com/gitlab/oauth/authorize?response_type=code&"));
        assert!(auth.url.contains("scope=read_api%20read_user"));
        let q = query_of(&auth.url);
        let verifier = auth.code_verifier.unwrap();
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.secret().as_bytes()));
        assert!(q.contains(&("code_challenge".into(), challenge)));
        assert!(q.contains(&("code_challenge_method".into(), "S256".into())));
        assert_eq!(auth.state.len(), 43);
    }

    /// "OAuth 2.0 identity provider API", "Authorization code flow"
    /// (docs.gitlab.com/api/oauth2/#authorization-code-flow): the authorization URL may carry
    /// `root_namespace_id=ROOT_NAMESPACE_ID` for a group with SAML SSO. Only GitLab has it, and
    /// only a numeric group id is one.
    #[test]
    fn gitlab_root_namespace_id() {
        let mut request =
            AuthorizationRequest::new(Provider::GitLab, "abc", "https://app.example/cb");
        request.root_namespace_id = Some(" 112 ".into());
        let auth = authorization_url(&request, &ENTROPY).unwrap();
        assert!(query_of(&auth.url).contains(&("root_namespace_id".into(), "112".into())));
        request.root_namespace_id = Some("  ".into());
        assert!(!authorization_url(&request, &ENTROPY).unwrap().url.contains("root_namespace_id"));
        for bad in ["acme", "12a", "-1", "1 2", "123456789012345678901"] {
            request.root_namespace_id = Some(bad.into());
            let error = authorization_url(&request, &ENTROPY).unwrap_err();
            assert_eq!(error.code, Code::InputInvalid, "{bad}");
            assert!(error.message.contains("numeric id"), "{error}");
        }
        for provider in [Provider::GitHub, Provider::BitbucketCloud, Provider::BitbucketDataCenter]
        {
            let mut other = AuthorizationRequest::new(provider, "abc", "https://app.example/cb");
            if provider == Provider::BitbucketDataCenter {
                other.base_url = Some("https://bitbucket.example.com".into());
            }
            other.root_namespace_id = Some("112".into());
            let error = authorization_url(&other, &ENTROPY).unwrap_err();
            assert_eq!((error.code, error.provider), (Code::InputInvalid, Some(provider)));
            assert!(error.message.contains("18.2"), "{error}");
        }
    }

    #[test]
    fn bitbucket_cloud_has_no_scope_or_pkce() {
        let mut request =
            AuthorizationRequest::new(Provider::BitbucketCloud, "key", "https://app.example/cb");
        request.profile = Some("ci-failure-analysis".into());
        let auth = authorization_url(&request, &ENTROPY).unwrap();
        assert!(!auth.url.contains("scope="));
        assert!(auth.code_verifier.is_none());
        request.scopes = Some(vec!["repository".into()]);
        assert_eq!(
            authorization_url(&request, &ENTROPY).unwrap_err().code,
            Code::ScopeNotRequestable
        );
    }

    /// GitHub documents PKCE for github.com and Enterprise Cloud, including ghe.com
    /// (changelog "PKCE support for OAuth and GitHub App authentication", 2025-07-14; the
    /// docs' `pkce_support` gate: fpt and ghec), not for Enterprise Server: there the URL
    /// carries no challenge by default, and asking for one is refused rather than sent to a
    /// server that does not say it checks it.
    #[test]
    fn github_pkce_only_where_documented() {
        let request = |base: Option<&str>| {
            let mut r =
                AuthorizationRequest::new(Provider::GitHub, "Iv1.x", "https://app.example/cb");
            r.base_url = base.map(str::to_owned);
            r
        };
        for cloud in [None, Some("https://octo.ghe.com")] {
            let auth = authorization_url(&request(cloud), &ENTROPY).unwrap();
            let q = query_of(&auth.url);
            assert!(q.contains(&("code_challenge_method".into(), "S256".into())), "{cloud:?}");
            assert!(auth.code_verifier.is_some());
        }
        let ghes = request(Some("https://ghes.example.com"));
        let auth = authorization_url(&ghes, &ENTROPY).unwrap();
        assert!(auth.url.starts_with("https://ghes.example.com/login/oauth/authorize?"));
        assert!(!auth.url.contains("code_challenge"), "{}", auth.url);
        assert!(auth.code_verifier.is_none());
        let mut wanted = ghes.clone();
        wanted.pkce = Some(true);
        let error = authorization_url(&wanted, &ENTROPY).unwrap_err();
        assert_eq!(error.code, Code::OauthPkceUnsupported);
        assert!(error.message.contains("GitHub Enterprise Server"), "{error}");
        let mut declined = request(None);
        declined.pkce = Some(false);
        assert!(authorization_url(&declined, &ENTROPY).unwrap().code_verifier.is_none());
    }

    #[test]
    fn data_center_paths_and_short_entropy() {
        let mut request = AuthorizationRequest::new(
            Provider::BitbucketDataCenter,
            "id",
            "https://app.example/cb",
        );
        request.base_url = Some("https://bb.example.com/ctx".into());
        request.scopes = Some(vec!["REPO_READ".into()]);
        let auth = authorization_url(&request, &ENTROPY).unwrap();
        assert!(auth.url.starts_with("https://bb.example.com/ctx/rest/oauth2/latest/authorize?"));
        assert_eq!(
            authorization_url(&request, &ENTROPY[..10]).unwrap_err().code,
            Code::InputInsufficientEntropy
        );
    }

    #[test]
    fn callbacks() {
        let ok = parse_callback(
            "https://app.example/cb?code=abc&state=s1&iss=https%3A%2F%2Fgithub.com%2Flogin%2Foauth",
            "s1",
        )
        .unwrap();
        assert_eq!(ok.code.secret(), "abc");
        assert_eq!(ok.iss.as_deref(), Some("https://github.com/login/oauth"));
        let code = |url: &str| parse_callback(url, "s1").unwrap_err().code;
        assert_eq!(code("https://app.example/cb?code=abc&state=s2"), Code::OauthStateMismatch);
        assert_eq!(code("https://app.example/cb?state=s1"), Code::OauthMissingCode);
        assert_eq!(
            code("https://app.example/cb?code=a&code=b&state=s1"),
            Code::OauthDuplicateParameter
        );
        assert_eq!(
            code("https://app.example/cb?error=access_denied&state=s1"),
            Code::OauthAccessDenied
        );
        assert_eq!(
            code("https://app.example/cb?error=invalid_scope&state=s1"),
            Code::OauthInvalidScope
        );
        assert_eq!(
            code("https://app.example/cb?error=redirect_uri_mismatch&state=s1"),
            Code::OauthRedirectUriMismatch
        );
        assert_eq!(code("https://app.example/cb?code=abc"), Code::OauthMissingState);
        assert_eq!(code("not a url"), Code::OauthInvalidCallback);
        let broken = parse_callback("https://app example/cb?code=c0de&state=s1", "s1").unwrap_err();
        assert_eq!(broken.code, Code::OauthInvalidCallback);
        assert!(!broken.message.contains("c0de"), "{}", broken.message);
        let e = parse_callback(
            "https://app.example/cb?error=server_error&error_description=Try+later&state=s1",
            "s1",
        )
        .unwrap_err();
        assert_eq!(e.code, Code::OauthProviderError);
        assert_eq!(e.provider_detail.as_deref(), Some("Try later"));
    }
}
