//! Connecting an account: the OAuth round trip, or a pasted access token.

use serde::{Deserialize, Serialize};

use crate::base_url::resolve_base_url;
use crate::detect::{detect_token, Retirement};
use crate::endpoints::{endpoints_for, Endpoints};
use crate::error::{Code, Error};
use crate::flows::host::{random_bytes, random_id, Host};
use crate::flows::record::{Auth, Connection, ConnectionStatus, Record, ScopeStatus};
use crate::flows::store::{connection_key, hex_sha256, open, pending_key};
use crate::flows::Flows;
use crate::http::{HttpRequest, HttpResponse};
use crate::identity::{
    bearer, parse_current_user, parse_data_center_user, parse_version, prepare_current_user,
    prepare_data_center_user, prepare_version, Account,
};
use crate::oauth::{
    authorization_url, callback_matches_redirect, callback_state, issuer, parse_callback,
    url_without_state, AuthorizationRequest, ENTROPY_LEN,
};
use crate::profiles::profile;
use crate::provider::{Deployment, Provider};
use crate::providers::bitbucket_cloud;
use crate::scopes::check_scopes;
use crate::secret::{AccessToken, ClientSecret, CodeVerifier, SessionBinding};
use crate::tokens::{parse_token_response, prepare_token_exchange, OAuthClient, TokenSet};
use crate::versions::{server_support, Standing};

/// How long a started authorization may take.
const PENDING_LIFETIME: i64 = 600;

/// What [`Flows::connect_start`] needs.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConnectStart {
    /// The provider.
    pub provider: Provider,
    /// The instance; the provider's cloud when absent.
    #[serde(default)]
    pub base_url: Option<String>,
    /// The OAuth application's client id.
    pub client_id: String,
    /// Its secret, for confidential clients (kept sealed with the connection, for refreshes).
    #[serde(default)]
    pub client_secret: Option<ClientSecret>,
    /// The redirect URI registered on the application.
    pub redirect_uri: String,
    /// The profile whose scopes to request and check.
    #[serde(default)]
    pub profile: Option<String>,
    /// Scopes to request besides the profile's.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    /// Whether to use PKCE; by default wherever the provider documents it (not Bitbucket Cloud, not GitHub Enterprise Server).
    #[serde(default)]
    pub pkce: Option<bool>,
    /// GitLab only: the top-level group whose SAML SSO the sign-in should go through
    /// (`root_namespace_id`, GitLab 18.2+; see [`AuthorizationRequest::root_namespace_id`]).
    /// In JSON, the group's id as a number or as a string.
    #[serde(default, deserialize_with = "crate::json::optional_id_text")]
    pub root_namespace_id: Option<String>,
    /// A value tied to the browser session that starts the authorization (a session id, or a
    /// random value in a cookie). Stored hashed; [`Flows::connect_finish`] must be given the
    /// same value, so that a callback link sent to someone else cannot connect the sender's
    /// account inside the recipient's session (login CSRF).
    #[serde(default)]
    pub session: Option<SessionBinding>,
    /// To re-authorize an existing connection rather than create one: its id. The connection
    /// must be of the same provider and instance; [`Flows::connect_finish`] then updates it in
    /// place (as [`Flows::replace_credentials`] does) once the account is the same.
    #[serde(default)]
    pub connection_id: Option<String>,
}

/// Where to send the person.
#[derive(Clone, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ConnectStarted {
    /// The provider's authorization URL.
    pub url: String,
    /// The state it carries (the flows keep it; callers may use it to find their session).
    pub state: String,
}

/// Hides the state, in its field and in the URL: whoever reads it in a log could finish the
/// authorization with a code of their own.
impl std::fmt::Debug for ConnectStarted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectStarted")
            .field("url", &url_without_state(&self.url, &self.state))
            .field("state", &crate::secret::Redacted)
            .finish()
    }
}

/// What [`Flows::connect_with_token`] needs.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConnectWithToken {
    /// The provider.
    pub provider: Provider,
    /// The instance; the provider's cloud when absent.
    #[serde(default)]
    pub base_url: Option<String>,
    /// The personal, project, group or workspace access token.
    pub token: AccessToken,
    /// For Bitbucket Cloud API tokens and app passwords: the Atlassian account email or
    /// username to send with it (HTTP Basic).
    #[serde(default)]
    pub username: Option<String>,
    /// The profile whose scopes to check.
    #[serde(default)]
    pub profile: Option<String>,
}

/// Kept between the redirect and the callback (sealed).
#[derive(Serialize, Deserialize)]
struct Pending {
    state: String,
    code_verifier: Option<CodeVerifier>,
    client: OAuthClient,
    profile: Option<String>,
    required_scopes: Vec<String>,
    expires_at: i64,
    /// The SHA-256 of the session binding, if one was given.
    session: Option<String>,
    /// The connection this authorization re-authorizes, if any.
    #[serde(default)]
    connection_id: Option<String>,
}

/// The marker a consumed pending authorization holds until it is deleted.
const CONSUMED: &[u8] = b"consumed";
/// How long storage keeps a pending authorization: its lifetime plus the allowed clock skew,
/// so that a host behind the one that started it still finds it (and judges it expired).
const PENDING_TTL: u64 = 600 + 120;

impl<H: Host> Flows<H> {
    /// Starts an OAuth connection: stores the pending authorization (state, PKCE verifier,
    /// ten minutes to finish) and returns the URL to send the person to.
    pub async fn connect_start(&self, start: ConnectStart) -> Result<ConnectStarted, Error> {
        if start.session.as_ref().is_some_and(|session| session.secret().trim().is_empty()) {
            // A missing cookie read as "" would match every other caller without one.
            return Err(Error::new(
                Code::InputInvalid,
                "`session` is empty: an empty binding matches every caller that has none either. Pass a value tied to the browser session, or leave it out.",
            ));
        }
        let entropy: [u8; ENTROPY_LEN] = random_bytes(&self.host)?;
        let request = AuthorizationRequest {
            provider: start.provider,
            base_url: start.base_url.clone(),
            client_id: start.client_id.clone(),
            redirect_uri: start.redirect_uri.clone(),
            scopes: start.scopes.clone(),
            profile: start.profile.clone(),
            pkce: start.pkce,
            root_namespace_id: start.root_namespace_id.clone(),
        };
        let authorization = authorization_url(&request, &entropy)?;
        let base = resolve_base_url(start.provider, start.base_url.as_deref())?;
        let secret_given =
            start.client_secret.as_ref().is_some_and(|s| !s.secret().trim().is_empty());
        if !secret_given && crate::providers::client_secret_required(start.provider) {
            // Refused before the person is sent anywhere: the code could not be exchanged.
            return Err(Error::new(
                Code::OauthClientSecretRequired,
                format!(
                    "{} exchanges the code only with the application's client secret: give it before connecting.",
                    start.provider.display_name()
                ),
            )
            .for_provider(start.provider));
        }
        if let Some(id) = &start.connection_id {
            // Refused before the person is sent anywhere: an authorization for another
            // provider or instance could never act as the connection's account.
            let (record, _) = self.load(id).await?;
            if matches!(record.auth, Auth::GitHubApp { .. }) {
                return Err(Error::new(
                    Code::InputInvalid,
                    "A GitHub App connection is not re-authorized through OAuth: connect the installation again.",
                )
                .for_provider(record.provider));
            }
            same_instance(&record, start.provider, &endpoints_for(&base).web)?;
        }
        let pending = Pending {
            state: authorization.state.clone(),
            code_verifier: authorization.code_verifier,
            client: OAuthClient {
                provider: start.provider,
                base_url: Some(base.base),
                client_id: start.client_id.trim().to_owned(),
                client_secret: start.client_secret,
                redirect_uri: Some(start.redirect_uri.trim().to_owned()),
            },
            required_scopes: required_scopes(start.provider, start.profile.as_deref())?,
            profile: start.profile,
            expires_at: self.host.now().saturating_add(PENDING_LIFETIME),
            session: start.session.as_ref().map(|s| hex_sha256(s.secret())),
            connection_id: start.connection_id,
        };
        let key = pending_key(&pending.state);
        let sealed = self.seal(&key, &pending)?;
        // The state carries 256 random bits: nobody else can have written this key.
        self.host.set(&key, &sealed, Some(PENDING_TTL)).await?;
        Ok(ConnectStarted { url: authorization.url, state: authorization.state })
    }

    /// Finishes an OAuth connection from the URL the provider redirected to: checks that it
    /// arrived at the flow's redirect URI, in the session that started it (when `session` was
    /// given to [`Flows::connect_start`]), from the issuer it was sent to; consumes the state
    /// (once), exchanges the code, identifies the account, reads the server version on
    /// self-hosted deployments, checks the scopes, and stores the connection. An authorization
    /// started with [`ConnectStart::connection_id`] updates that connection in place instead,
    /// as [`Flows::replace_credentials`] does.
    pub async fn connect_finish(
        &self,
        callback_url: &str,
        session: Option<&str>,
    ) -> Result<Connection, Error> {
        let Some(state) = callback_state(callback_url) else {
            // No state to look up: let the callback parser name what is wrong with it.
            return Err(parse_callback(callback_url, "\u{0}no pending state")
                .err()
                .unwrap_or_else(|| {
                    Error::new(Code::OauthMissingState, "The callback carries no state.")
                }));
        };
        let key = pending_key(&state);
        let unknown = || {
            Error::new(
                Code::OauthStateMismatch,
                "No pending authorization has this state: it was already used, it expired, or it was started elsewhere.",
            )
        };
        let sealed = self.host.get(&key).await?.filter(|v| v != CONSUMED).ok_or_else(unknown)?;
        let pending: Pending = open(&self.key, &key, &sealed)?;
        let provider = pending.client.provider;
        // Checked before the state is consumed, so that a callback replayed in another session
        // or at another address cannot spend the person's own pending authorization.
        let redirect_uri = pending.client.redirect_uri.as_deref().unwrap_or_default();
        if !callback_matches_redirect(callback_url, redirect_uri) {
            return Err(Error::new(
                Code::OauthCallbackMismatch,
                "The callback did not arrive at the redirect URI this authorization was started with.",
            )
            .for_provider(provider));
        }
        let given = session.map(hex_sha256);
        let same_session = match (&pending.session, &given) {
            (None, None) => true,
            (Some(expected), Some(given)) => {
                bool::from(subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), given.as_bytes()))
            }
            _ => false,
        };
        if !same_session {
            return Err(Error::new(
                Code::OauthSessionMismatch,
                "The callback was finished in another session than the one that started the authorization.",
            )
            .for_provider(provider));
        }
        let endpoints = pending.client.endpoints()?;
        let parsed = parse_callback(callback_url, &pending.state);
        // RFC 9207: an authorization server that names itself must be the one the person was
        // sent to; a callback from another (a mix-up attack) never reaches the token endpoint.
        if let Some(iss) = parsed.as_ref().ok().and_then(|callback| callback.iss.as_deref()) {
            let expected = issuer(&endpoints);
            if iss.trim_end_matches('/') != expected.trim_end_matches('/') {
                return Err(Error::new(
                    Code::OauthIssuerMismatch,
                    format!(
                        "The callback names the issuer `{}`, not `{expected}`.",
                        crate::error::excerpt(iss)
                    ),
                )
                .for_provider(provider));
            }
        }
        // Single use: only the caller whose swap succeeds may go on.
        if !self.host.compare_and_swap(&key, Some(&sealed), CONSUMED, Some(PENDING_TTL)).await? {
            return Err(unknown());
        }
        // The marker is inert and expires by itself; failing to remove it loses nothing.
        let _ = self.host.delete(&key).await;
        if self.host.now() > pending.expires_at {
            return Err(Error::new(
                Code::OauthAuthorizationExpired,
                "The authorization was started more than ten minutes ago.",
            )
            .for_provider(provider));
        }
        let callback = parsed.map_err(|e| e.for_provider(provider))?;
        let exchange = prepare_token_exchange(
            &pending.client,
            &callback.code,
            pending.code_verifier.as_ref(),
        )?;
        let response = self.send(exchange).await?;
        let tokens = parse_token_response(provider, &response, self.host.now())?;
        let auth = Auth::OAuth { client: pending.client };
        if let Some(id) = pending.connection_id {
            return self.reauthorize(&id, auth, tokens, pending.profile).await;
        }
        self.finish(endpoints, auth, tokens, pending.profile, pending.required_scopes, true).await
    }

    /// Connects with a personal, project, group or workspace access token: identifies the
    /// account, reads what the provider tells about the token (scopes, expiry), and stores it.
    pub async fn connect_with_token(&self, input: ConnectWithToken) -> Result<Connection, Error> {
        let provider = input.provider;
        let pasted =
            self.pasted_token(provider, input.token, input.username, input.profile.as_deref())?;
        let base = resolve_base_url(provider, input.base_url.as_deref())?;
        let endpoints = endpoints_for(&base);
        self.finish(endpoints, pasted.auth, pasted.tokens, input.profile, pasted.required, false)
            .await
    }

    /// The checks a pasted token passes before anything is sent with it: not blank, usable as
    /// an access token, of this provider, not of a retired kind past its removal date.
    pub(crate) fn pasted_token(
        &self,
        provider: Provider,
        token: AccessToken,
        username: Option<String>,
        profile: Option<&str>,
    ) -> Result<Pasted, Error> {
        // A blank token would be stored and later handed out as a valid access token.
        if token.secret().trim().is_empty() {
            return Err(
                Error::new(Code::InputInvalid, "The access token is empty.").for_provider(provider)
            );
        }
        let detected = detect_token(token.secret());
        if !detected.usable_as_access_token {
            return Err(Error::new(
                Code::TokenNotAccessToken,
                format!("That is a {}.", detected.description),
            )
            .for_provider(provider));
        }
        if let Some(other) = detected.provider.filter(|p| *p != provider) {
            return Err(Error::new(
                Code::BaseUrlWrongProvider,
                format!(
                    "That is a {}, not a {} token.",
                    detected.description,
                    provider.display_name()
                ),
            )
            .for_provider(other));
        }
        // A retired kind (Bitbucket Cloud app passwords) is judged by the host's clock: refused
        // from its removal date on; before, accepted, with its removal as the token's expiry so
        // that the connection and its report say when it stops working.
        if let Some(retirement) = detected.retirement {
            if retirement.removed(self.host.now()) {
                return Err(retired(&retirement).for_provider(provider));
            }
        }
        let tokens = TokenSet {
            access_token: token,
            token_type: "bearer".into(),
            refresh_token: None,
            expires_at: detected.retirement.map(|r| r.removed_at),
            refresh_token_expires_at: None,
            scopes: Vec::new(),
        };
        let required = required_scopes_for(provider, profile, detected.kind)?;
        let auth = Auth::Token { token_kind: detected.kind.to_owned(), basic_user: username };
        Ok(Pasted { auth, tokens, required })
    }

    /// Identifies the account, checks version and scopes, and stores the new connection.
    async fn finish(
        &self,
        endpoints: Endpoints,
        auth: Auth,
        mut tokens: TokenSet,
        profile: Option<String>,
        required_scopes: Vec<String>,
        oauth: bool,
    ) -> Result<Connection, Error> {
        let provider = endpoints.provider;
        let mut record = Record {
            id: random_id(&self.host)?,
            provider,
            base_url: endpoints.web.clone(),
            deployment: endpoints.deployment,
            auth,
            tokens: tokens.clone(),
            account: Account {
                id: String::new(),
                username: String::new(),
                name: None,
                web_url: None,
            },
            profile,
            required_scopes,
            scopes: ScopeStatus { granted: None, missing: Vec::new() },
            server_version: None,
            status: ConnectionStatus::Active,
            refresh_lease: None,
            created_at: self.host.now(),
            installation: None,
        };
        let facts = self.inspect(&endpoints, &record).await?;
        too_old(provider, &facts, oauth, self.host.now())?;
        if tokens.expires_at.is_none() {
            tokens.expires_at = facts.token_expires_at;
        }
        let granted = facts
            .granted_scopes
            .or_else(|| (oauth && !tokens.scopes.is_empty()).then(|| tokens.scopes.clone()));
        record.scopes = scope_status(provider, granted, &record.required_scopes);
        record.tokens = tokens;
        record.account = facts.account;
        record.server_version = facts.version;
        if let (Provider::GitHub, Auth::OAuth { client }) = (provider, &record.auth) {
            // Indexed first, so that a GitHub App's `github_app_authorization` delivery finds
            // every connection of the person it revokes; an entry whose connection was never
            // stored leads nowhere.
            self.index_github_user(
                &record.base_url,
                &client.client_id,
                &record.account.id,
                &record.id,
            )
            .await?;
        }
        let sealed = self.seal_record(&record)?;
        if !self.host.compare_and_swap(&connection_key(&record.id)?, None, &sealed, None).await? {
            return Err(Error::new(
                Code::StorageFailed,
                "A connection with the same random id exists: the host's random source is broken.",
            ));
        }
        Ok(record.summary())
    }

    /// Sends a request and maps transport failures to coded errors.
    pub(crate) async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
        Ok(self.host.fetch(request).await?)
    }

    /// Who the token is, what it may do, and what the instance runs.
    pub(crate) async fn inspect(
        &self,
        endpoints: &Endpoints,
        record: &Record,
    ) -> Result<Facts, Error> {
        let provider = endpoints.provider;
        let mut user_request = prepare_current_user(endpoints, record.tokens.access_token.secret());
        authorize(&mut user_request, record);
        let response = self.send(user_request).await?;
        let identity = parse_current_user(provider, &response)?;
        let mut facts = Facts {
            account: identity.account.clone().unwrap_or(Account {
                id: String::new(),
                username: String::new(),
                name: None,
                web_url: None,
            }),
            granted_scopes: identity.granted_scopes,
            token_expires_at: identity.token_expires_at,
            version: None,
        };
        if provider == Provider::BitbucketDataCenter {
            // The application properties answered both who (X-AUSERNAME) and which version.
            facts.version = parse_version(provider, &response).ok();
            let slug = identity.username.unwrap_or_default();
            let mut request =
                prepare_data_center_user(endpoints, record.tokens.access_token.secret(), &slug);
            authorize(&mut request, record);
            facts.account = parse_data_center_user(&self.send(request).await?)?;
        } else if endpoints.deployment == Deployment::SelfHosted {
            if let Some(mut request) =
                prepare_version(endpoints, record.tokens.access_token.secret())
            {
                authorize(&mut request, record);
                facts.version = parse_version(provider, &self.send(request).await?).ok();
            }
        }
        if provider == Provider::GitLab && matches!(record.auth, Auth::Token { .. }) {
            // Personal, project and group tokens describe themselves (GitLab 15.5+).
            let url = format!("{}/personal_access_tokens/self", endpoints.api);
            let mut request =
                bearer(HttpRequest::new("GET", url), record.tokens.access_token.secret());
            authorize(&mut request, record);
            let response = self.send(request).await?;
            if (200..300).contains(&response.status) {
                if let Ok(body) = serde_json::from_slice::<serde_json::Value>(&response.body) {
                    facts.granted_scopes = body["scopes"]
                        .as_array()
                        .map(|s| s.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect());
                    facts.token_expires_at =
                        body["expires_at"].as_str().and_then(crate::identity::parse_timestamp);
                }
            }
        }
        Ok(facts)
    }
}

/// A pasted token that passed [`Flows::pasted_token`], ready to be verified with the provider.
pub(crate) struct Pasted {
    pub(crate) auth: Auth,
    pub(crate) tokens: TokenSet,
    pub(crate) required: Vec<String>,
}

/// Refuses credentials for another provider or instance than the connection's.
pub(crate) fn same_instance(record: &Record, provider: Provider, web: &str) -> Result<(), Error> {
    if record.provider == provider
        && record.base_url.trim_end_matches('/') == web.trim_end_matches('/')
    {
        return Ok(());
    }
    Err(Error::new(
        Code::ConnectionInstanceMismatch,
        format!(
            "The connection is to {} at {}; these credentials are for {} at {}.",
            record.provider.display_name(),
            record.base_url,
            provider.display_name(),
            crate::error::excerpt(web)
        ),
    )
    .for_provider(record.provider))
}

/// Only what forgelink needs refuses a connection; a release past its vendor's support
/// connects, and the connection report warns about it.
pub(crate) fn too_old(
    provider: Provider,
    facts: &Facts,
    oauth: bool,
    now: i64,
) -> Result<(), Error> {
    if let Some(version) = &facts.version {
        if let Standing::TooOld { minimum, reason } = server_support(provider, version, oauth, now)
        {
            let why = reason.map(|r| format!(" ({r})")).unwrap_or_default();
            return Err(Error::new(
                Code::ServerTooOld,
                format!("The instance runs {} {version}; forgelink needs {minimum} or later for this connection{why}.", provider.display_name()),
            )
            .for_provider(provider));
        }
    }
    Ok(())
}

/// What [`Flows::inspect`] learned.
pub(crate) struct Facts {
    pub(crate) account: Account,
    pub(crate) granted_scopes: Option<Vec<String>>,
    pub(crate) token_expires_at: Option<i64>,
    pub(crate) version: Option<String>,
}

/// Bearer for everything except Bitbucket Cloud API tokens and app passwords (Basic).
pub(crate) fn authorize(request: &mut HttpRequest, record: &Record) {
    let value = record.authorization();
    for (name, existing) in &mut request.headers {
        if name.eq_ignore_ascii_case("Authorization") {
            *existing = value.clone();
        }
    }
}

pub(crate) fn required_scopes(
    provider: Provider,
    profile_id: Option<&str>,
) -> Result<Vec<String>, Error> {
    let Some(id) = profile_id else { return Ok(Vec::new()) };
    Ok(profile(id)?.for_provider(provider).scopes.iter().map(|n| n.name.to_owned()).collect())
}

/// The profile's scopes for a connection with a pasted token of `token_kind`: Bitbucket Cloud
/// API tokens carry their own scope names (the profile's `api_token_scopes`); every other
/// token uses the names OAuth uses.
fn required_scopes_for(
    provider: Provider,
    profile_id: Option<&str>,
    token_kind: &str,
) -> Result<Vec<String>, Error> {
    let Some(id) = profile_id else { return Ok(Vec::new()) };
    let needs = profile(id)?.for_provider(provider);
    let scopes =
        if provider == Provider::BitbucketCloud && token_kind == bitbucket_cloud::API_TOKEN_KIND {
            needs.api_token_scopes
        } else {
            needs.scopes
        };
    Ok(scopes.iter().map(|n| n.name.to_owned()).collect())
}

/// The refusal of a retired kind of token after its removal date.
pub(crate) fn retired(retirement: &Retirement) -> Error {
    let day = crate::polling::rfc3339(retirement.removed_at);
    Error::new(
        Code::TokenAppPasswordRetired,
        format!(
            "That is a Bitbucket Cloud app password, and Bitbucket Cloud removed app passwords on {}: connect with an API token (and the Atlassian account email as the username) or an access token instead.",
            day.get(..10).unwrap_or(&day)
        ),
    )
}

pub(crate) fn scope_status(
    provider: Provider,
    granted: Option<Vec<String>>,
    required: &[String],
) -> ScopeStatus {
    let missing = match &granted {
        Some(granted) => {
            let required: Vec<&str> = required.iter().map(String::as_str).collect();
            check_scopes(provider, &granted.join(" "), &required)
                .map(|c| c.missing)
                .unwrap_or_default()
        }
        None => Vec::new(),
    };
    ScopeStatus { granted, missing }
}
