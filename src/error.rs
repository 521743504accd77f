use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

use crate::provider::Provider;

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $text:literal, )*) => {
        /// A stable error or diagnostic code. The text form (`base_url.empty`) never changes
        /// meaning once released; [`crate::troubleshoot`] explains every one.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every code, in catalog order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The stable text form, such as `oauth.state_mismatch`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }
        }

        impl FromStr for Code {
            type Err = Error;

            fn from_str(input: &str) -> Result<Self, Error> {
                // A search of the catalog rather than a `match` on every text: the same answer,
                // in a fraction of the code.
                Code::ALL.iter().copied().find(|code| code.as_str() == input).ok_or_else(|| {
                    Error::new(
                        Code::InputUnknownCode,
                        format!("`{}` is not a forgelink error code", excerpt(input)),
                    )
                })
            }
        }
    };
}

codes! {
    /// The base URL is empty.
    BaseUrlEmpty = "base_url.empty",
    /// The base URL has no `https://` in front.
    BaseUrlMissingScheme = "base_url.missing_scheme",
    /// The base URL uses a scheme other than http or https (ssh, git, ...).
    BaseUrlUnsupportedScheme = "base_url.unsupported_scheme",
    /// The base URL uses plain http.
    BaseUrlInsecureHttp = "base_url.insecure_http",
    /// The base URL ended with a slash, which was removed.
    BaseUrlTrailingSlash = "base_url.trailing_slash",
    /// The base URL holds a user name or password.
    BaseUrlCredentials = "base_url.credentials",
    /// The base URL holds a query (`?...`) or a fragment (`#...`).
    BaseUrlQueryOrFragment = "base_url.query_or_fragment",
    /// The base URL ended in an API path (`/api/v4`, `/api/v3`, `/rest/api/1.0`), which was removed.
    BaseUrlApiPath = "base_url.api_path",
    /// The base URL pointed at a project, repository or page rather than the instance.
    BaseUrlProjectPath = "base_url.project_path",
    /// The base URL has spaces or line breaks inside it.
    BaseUrlWhitespace = "base_url.whitespace",
    /// The host name cannot exist.
    BaseUrlInvalidHost = "base_url.invalid_host",
    /// The port is not a number from 1 to 65535.
    BaseUrlInvalidPort = "base_url.invalid_port",
    /// The URL belongs to another provider's cloud.
    BaseUrlWrongProvider = "base_url.wrong_provider",
    /// Bitbucket Data Center was given bitbucket.org, which is Bitbucket Cloud.
    BaseUrlCloudHost = "base_url.cloud_host",
    /// Bitbucket Cloud was given a host other than bitbucket.org.
    BaseUrlNotCloud = "base_url.not_cloud",
    /// A self-hosted deployment needs its base URL and none was given.
    BaseUrlRequired = "base_url.required",
    /// A redirect URI could not be read as an absolute http(s) URL.
    RedirectUriInvalid = "redirect_uri.invalid",
    /// A redirect URI holds a fragment, which OAuth forbids.
    RedirectUriFragment = "redirect_uri.fragment",
    /// A redirect URI uses plain http on a host that is not the local machine.
    RedirectUriInsecure = "redirect_uri.insecure",
    /// The redirect URI does not match the one registered with the provider.
    RedirectUriMismatch = "redirect_uri.mismatch",
    /// The redirect URI differs from the registered one only by a trailing slash.
    RedirectUriTrailingSlashMismatch = "redirect_uri.trailing_slash_mismatch",
    /// A scope name the provider does not have.
    ScopeUnknown = "scope.unknown",
    /// The provider fixes scopes on the OAuth consumer; they cannot be requested.
    ScopeNotRequestable = "scope.not_requestable",
    /// A profile name forgelink does not have.
    ProfileUnknown = "profile.unknown",
    /// The profile exists but the provider cannot serve its use case.
    ProfileUnsupported = "profile.unsupported",
    /// A provider name forgelink does not know.
    ProviderUnknown = "provider.unknown",
    /// An argument had the wrong shape (not JSON, a missing field, a wrong type).
    InputInvalid = "input.invalid",
    /// A string given as an error code is not one.
    InputUnknownCode = "input.unknown_code",
    /// Fewer random bytes than needed were supplied.
    InputInsufficientEntropy = "input.insufficient_entropy",
    /// The OAuth client id is empty or malformed.
    OauthInvalidClientId = "oauth.invalid_client_id",
    /// The provider rejected the client id or secret.
    OauthInvalidClient = "oauth.invalid_client",
    /// The provider does not support PKCE, and PKCE was asked for.
    OauthPkceUnsupported = "oauth.pkce_unsupported",
    /// The callback URL could not be read.
    OauthInvalidCallback = "oauth.invalid_callback",
    /// The callback's `state` is missing.
    OauthMissingState = "oauth.missing_state",
    /// The callback's `state` is not the one this authorization started with.
    OauthStateMismatch = "oauth.state_mismatch",
    /// The callback has neither a `code` nor an `error`.
    OauthMissingCode = "oauth.missing_code",
    /// A callback parameter appears more than once.
    OauthDuplicateParameter = "oauth.duplicate_parameter",
    /// The person declined the authorization.
    OauthAccessDenied = "oauth.access_denied",
    /// The provider rejected the requested scopes.
    OauthInvalidScope = "oauth.invalid_scope",
    /// The provider rejected the redirect URI.
    OauthRedirectUriMismatch = "oauth.redirect_uri_mismatch",
    /// The callback names an issuer (`iss`, RFC 9207) other than the provider the
    /// authorization was started with: a mix-up attack, or a misconfigured instance.
    OauthIssuerMismatch = "oauth.issuer_mismatch",
    /// The callback arrived at an origin or path other than the flow's redirect URI.
    OauthCallbackMismatch = "oauth.callback_mismatch",
    /// The callback was finished in another browser session than the one that started it.
    OauthSessionMismatch = "oauth.session_mismatch",
    /// The authorization code or refresh token is invalid, expired, revoked or already used.
    OauthInvalidGrant = "oauth.invalid_grant",
    /// GitHub: the code passed is incorrect or expired.
    OauthBadVerificationCode = "oauth.bad_verification_code",
    /// Device flow: the person has not approved yet; poll again after the interval.
    OauthAuthorizationPending = "oauth.authorization_pending",
    /// Device flow: polling too fast; wait longer between polls.
    OauthSlowDown = "oauth.slow_down",
    /// Device flow: the device code expired before the person approved.
    OauthExpiredToken = "oauth.expired_token",
    /// The device flow is not enabled for this application or instance.
    OauthDeviceFlowDisabled = "oauth.device_flow_disabled",
    /// The provider has no device flow.
    OauthDeviceFlowUnsupported = "oauth.device_flow_unsupported",
    /// GitHub: the account's primary email is not verified.
    OauthUnverifiedUserEmail = "oauth.unverified_user_email",
    /// The provider does not accept this grant type for this application.
    OauthUnsupportedGrantType = "oauth.unsupported_grant_type",
    /// The provider found the token request malformed.
    OauthInvalidRequest = "oauth.invalid_request",
    /// The provider needs the client secret for this request and none was given.
    OauthClientSecretRequired = "oauth.client_secret_required",
    /// The provider has no endpoint to revoke tokens.
    OauthRevokeUnsupported = "oauth.revoke_unsupported",
    /// The pending authorization is older than ten minutes.
    OauthAuthorizationExpired = "oauth.authorization_expired",
    /// The provider reported another OAuth error.
    OauthProviderError = "oauth.provider_error",
    /// The provider answered 401: the credentials are missing, wrong, expired or revoked.
    HttpUnauthorized = "http.unauthorized",
    /// The provider answered 403 (Bitbucket Data Center: 401 with an `AuthorisationException`):
    /// the credentials are valid but lack a permission.
    HttpForbidden = "http.forbidden",
    /// The token lacks a scope the call needs (GitLab `insufficient_scope`, Bitbucket
    /// "lack one or more required privilege scopes").
    HttpMissingScope = "http.missing_scope",
    /// The provider answered 404.
    HttpNotFound = "http.not_found",
    /// The provider answered 429 or reported its rate limit exhausted.
    HttpRateLimited = "http.rate_limited",
    /// The provider failed (5xx).
    HttpServerError = "http.server_error",
    /// Bitbucket Data Center redirected an API call to its login page: the token is not
    /// accepted there.
    HttpLoginRedirect = "http.login_redirect",
    /// A status or redirect no call of forgelink expects.
    HttpUnexpectedStatus = "http.unexpected_status",
    /// No connection is stored under this id.
    ConnectionNotFound = "connection.not_found",
    /// The provider no longer accepts the connection's refresh token: the person must re-authorize it.
    ConnectionNeedsReauthorization = "connection.needs_reauthorization",
    /// Another caller is refreshing the connection's token and did not finish in time.
    ConnectionRefreshInProgress = "connection.refresh_in_progress",
    /// The connection was disconnected while the call was under way; what the call obtained
    /// (fresh tokens) was revoked rather than stored.
    ConnectionDisconnected = "connection.disconnected",
    /// This caller's refresh lease expired and another caller took over: the tokens it
    /// obtained were revoked rather than stored.
    ConnectionLeaseLost = "connection.lease_lost",
    /// The new credentials act as another account than the connection's; nothing was stored.
    ConnectionAccountMismatch = "connection.account_mismatch",
    /// The new credentials are for another provider or instance than the connection's;
    /// nothing was stored.
    ConnectionInstanceMismatch = "connection.instance_mismatch",
    /// The host's random source failed; nothing was sealed or stored with it.
    HostRandomFailed = "host.random_failed",
    /// The host could not sign a GitHub App's JSON web token: it has no signer, no key for the
    /// app, or the signer failed.
    HostSignFailed = "host.sign_failed",
    /// GitHub refused the app's JSON web token: wrong key, wrong app id, or a clock far off.
    GithubAppJwtRejected = "github_app.jwt_rejected",
    /// The installation is suspended: GitHub gives it no tokens.
    GithubAppInstallationSuspended = "github_app.installation_suspended",
    /// The installation has not granted a permission the profile needs.
    GithubAppPermissionMissing = "github_app.permission_missing",
    /// The person who came back from the installation page cannot reach that installation:
    /// the id was typed or copied, not installed by them. Nothing was stored.
    GithubAppInstallationNotAccessible = "github_app.installation_not_accessible",
    /// The host's storage failed.
    StorageFailed = "storage.failed",
    /// A stored value cannot be decrypted: another encryption key, or it was altered.
    StorageCorrupt = "storage.corrupt",
    /// The request timed out.
    NetworkTimeout = "network.timeout",
    /// The instance could not be reached over the network, for a reason not named by a more
    /// precise `network.*` or `tls.*` code (a reset connection, an unreachable network).
    NetworkUnreachable = "network.unreachable",
    /// Nothing listens on the address's port: the machine answered and refused the connection.
    NetworkConnectionRefused = "network.connection_refused",
    /// The address's host name does not resolve to any address where the request is sent from.
    NetworkNameNotResolved = "network.name_not_resolved",
    /// The address resolves to a loopback, link-local, private or cloud metadata address,
    /// which the host's address policy refuses unless private networks are allowed.
    NetworkAddressBlocked = "network.address_blocked",
    /// Plain http to an address other than this machine, which would send tokens in clear
    /// text; refused unless insecure http is allowed.
    NetworkInsecureHttp = "network.insecure_http",
    /// The response body is larger than the host's cap.
    HttpResponseTooLarge = "http.response_too_large",
    /// The instance's TLS certificate is not trusted (self-signed or private CA).
    TlsUntrustedCertificate = "tls.untrusted_certificate",
    /// The address is `https://` but the server answered in plain HTTP: the scheme or the port
    /// is wrong (an http-only port, or an instance without TLS).
    TlsPlainHttpOnHttps = "tls.plain_http_on_https",
    /// The access token has expired.
    TokenExpired = "token.expired",
    /// The delivery carries no signature or token, and unsigned deliveries are not allowed.
    WebhookMissingSignature = "webhook.missing_signature",
    /// No secret matches the delivery's signature or token.
    WebhookSignatureMismatch = "webhook.signature_mismatch",
    /// The signature header cannot be read.
    WebhookMalformedSignature = "webhook.malformed_signature",
    /// No webhook secret is configured, so the delivery cannot be verified.
    WebhookNoSecret = "webhook.no_secret",
    /// The signed timestamp is too far from now: a replay, or a wrong clock.
    WebhookTimestampOutOfRange = "webhook.timestamp_out_of_range",
    /// The delivery's URL names no route forgelink issued: the hook was removed, or the URL
    /// was never one of ours.
    WebhookUnknownRoute = "webhook.unknown_route",
    /// The headers match no provider forgelink knows.
    WebhookUnknownProvider = "webhook.unknown_provider",
    /// The delivery comes from a forge forgelink does not support (Gitea, Forgejo).
    WebhookUnsupportedProvider = "webhook.unsupported_provider",
    /// The body is larger than the provider ever sends.
    WebhookBodyTooLarge = "webhook.body_too_large",
    /// The body is not the JSON (or form) the event should carry.
    WebhookInvalidPayload = "webhook.invalid_payload",
    /// The pasted value is a token, but not one that can act as an access token.
    TokenNotAccessToken = "token.not_access_token",
    /// A Bitbucket Cloud app password: retired by Atlassian (refused once removed on
    /// 2026-07-28, judged by the caller's clock; a warning before).
    TokenAppPasswordRetired = "token.app_password_retired",
    /// A token response could not be read or lacks the access token.
    TokenInvalidResponse = "token.invalid_response",
    /// The instance runs a version older than forgelink supports.
    ServerTooOld = "server.too_old",
    /// The instance runs a release its vendor no longer supports (past its deprecation date
    /// on the caller's day): it still works with forgelink, but gets no more fixes.
    ServerDeprecated = "server.deprecated",
    /// A line of a repository list is not a `group/project` path or a repository URL.
    RepositoryInvalidPath = "repository.invalid_path",
    /// A line of a repository list repeats an earlier one.
    RepositoryDuplicate = "repository.duplicate",
    /// A line of a repository list names a group or namespace (`group/`, an owner, a
    /// workspace, a Data Center project), not one project in it.
    RepositoryGroupPath = "repository.group_path",
    /// The provider allows no more webhooks on this project (GitLab.com: 100).
    WebhookLimitReached = "webhook.limit_reached",
    /// The provider stopped delivering to the hook after repeated failures (GitLab disables a
    /// hook for a while after 4 failures in a row, and for good after 40).
    WebhookHookDisabled = "webhook.hook_disabled",
    /// A hook forgelink registered is no longer on the project: someone deleted it.
    WebhookHookMissing = "webhook.hook_missing",
    /// The repository uses SHA-256 object names, which most tooling cannot read yet.
    RepositorySha256Unsupported = "repository.sha256_unsupported",
    /// None of the places the feedback policy allows is available: no merge request or commit
    /// was given, and the provider has no issues (Data Center) or they are turned off.
    FeedbackNoTarget = "feedback.no_target",
    /// The merge request's or issue's discussion is locked.
    FeedbackLocked = "feedback.locked",
    /// The account may not comment where the feedback goes: its role or permission is too low.
    FeedbackForbidden = "feedback.forbidden",
}

impl Code {
    /// The family a code belongs to: the part before the dot (`oauth`, `base_url`, ...).
    pub fn family(self) -> &'static str {
        let text = self.as_str();
        text.split_once('.').map_or(text, |(family, _)| family)
    }

    /// Whether the code says the instance could not be reached at all (the network or TLS
    /// failed), as opposed to an answer, or a refusal the host made on purpose.
    pub(crate) fn unreached(self) -> bool {
        matches!(
            self,
            Code::NetworkUnreachable
                | Code::NetworkConnectionRefused
                | Code::NetworkNameNotResolved
                | Code::NetworkTimeout
                | Code::TlsUntrustedCertificate
                | Code::TlsPlainHttpOnHttps
        )
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Named `ErrorCode` in TypeScript, a union of every code's text form, which is what the JSON
/// holds. The npm package declares the union, with a code of its own.
#[cfg(feature = "typescript")]
impl ts_rs::TS for Code {
    type WithoutGenerics = Self;
    type OptionInnerType = Self;

    fn name(_: &ts_rs::Config) -> String {
        "ErrorCode".to_owned()
    }

    fn inline(_: &ts_rs::Config) -> String {
        let texts: Vec<String> = Code::ALL.iter().map(|code| format!("\"{code}\"")).collect();
        texts.join(" | ")
    }
}

/// A failure with a stable [`Code`], a message for a person, and what the provider said.
///
/// [`Error::guidance`] gives the steps to fix it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
#[non_exhaustive]
pub struct Error {
    /// The stable code.
    pub code: Code,
    /// One sentence for a person.
    pub message: String,
    /// The provider whose rules produced the error, for provider-specific guidance.
    pub provider: Option<Provider>,
    /// What the provider itself said (an `error_description`, a response body), kept verbatim.
    pub provider_detail: Option<String>,
    /// Seconds to wait before trying again, where the provider said (`Retry-After`, or when its
    /// rate-limit window resets), counted from the moment of the answer.
    pub retry_after: Option<u64>,
}

impl Error {
    pub(crate) fn new(code: Code, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            provider: None,
            provider_detail: None,
            retry_after: None,
        }
    }

    pub(crate) fn for_provider(mut self, provider: Provider) -> Self {
        self.provider = Some(provider);
        self
    }

    pub(crate) fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.provider_detail = Some(detail.into());
        self
    }

    /// The steps that fix this error, specific to the provider when it is known.
    pub fn guidance(&self) -> crate::Guidance {
        crate::troubleshoot(self.code, self.provider)
    }
}

/// A short, printable excerpt of untrusted input for messages: at most 60 characters,
/// control characters replaced, so a hostile input cannot flood or forge a message.
pub(crate) fn excerpt(input: &str) -> String {
    const LIMIT: usize = 60;
    let mut out: String =
        input.chars().take(LIMIT).map(|c| if c.is_control() { '\u{FFFD}' } else { c }).collect();
    if input.chars().nth(LIMIT).is_some() {
        out.push('…');
    }
    out
}
