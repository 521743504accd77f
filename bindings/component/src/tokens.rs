//! The `tokens` export: the core's pure token-endpoint and API-error functions.

use forgelink::{AccessToken, ClientSecret, DeviceCode, RefreshToken};

use crate::bindings::exports::forgelink::connect::tokens as wit;
use crate::bindings::exports::forgelink::connect::types as wit_types;
use crate::bindings::forgelink::connect::http;
use crate::convert::{core_provider, wit_provider, IntoWit};
use crate::Component;

fn client(client: wit::OauthClient) -> forgelink::OAuthClient {
    let mut core = forgelink::OAuthClient::new(core_provider(client.provider), client.client_id);
    core.base_url = client.base_url;
    core.client_secret = client.client_secret.map(ClientSecret::new);
    core.redirect_uri = client.redirect_uri;
    core
}

pub(crate) fn request(request: forgelink::HttpRequest) -> http::Request {
    http::Request {
        method: request.method,
        url: request.url,
        headers: request.headers,
        body: request.body.map(String::into_bytes),
    }
}

pub(crate) fn response(response: http::Response) -> forgelink::HttpResponse {
    forgelink::HttpResponse {
        status: response.status,
        headers: response.headers,
        body: response.body,
    }
}

pub(crate) fn prepared(
    result: Result<forgelink::HttpRequest, forgelink::Error>,
) -> Result<http::Request, wit_types::Error> {
    result.map(request).map_err(IntoWit::into_wit)
}

impl IntoWit<wit::TokenSet> for forgelink::TokenSet {
    fn into_wit(self) -> wit::TokenSet {
        wit::TokenSet {
            access_token: self.access_token.secret().to_owned(),
            token_type: self.token_type,
            refresh_token: self.refresh_token.map(|token| token.secret().to_owned()),
            expires_at: self.expires_at,
            refresh_token_expires_at: self.refresh_token_expires_at,
            scopes: self.scopes,
        }
    }
}

fn token_set(tokens: wit::TokenSet) -> forgelink::TokenSet {
    forgelink::TokenSet {
        access_token: AccessToken::new(tokens.access_token),
        token_type: tokens.token_type,
        refresh_token: tokens.refresh_token.map(RefreshToken::new),
        expires_at: tokens.expires_at,
        refresh_token_expires_at: tokens.refresh_token_expires_at,
        scopes: tokens.scopes,
    }
}

impl IntoWit<wit::DeviceAuthorization> for forgelink::DeviceAuthorization {
    fn into_wit(self) -> wit::DeviceAuthorization {
        wit::DeviceAuthorization {
            device_code: self.device_code.secret().to_owned(),
            user_code: self.user_code,
            verification_uri: self.verification_uri,
            verification_uri_complete: self.verification_uri_complete,
            expires_at: self.expires_at,
            interval: self.interval,
        }
    }
}

impl IntoWit<wit::TokenInfo> for forgelink::TokenInfo {
    fn into_wit(self) -> wit::TokenInfo {
        wit::TokenInfo {
            provider: self.provider.and_then(wit_provider),
            kind: self.kind.to_owned(),
            description: self.description.to_owned(),
            usable_as_access_token: self.usable_as_access_token,
        }
    }
}

impl IntoWit<wit::ApiError> for forgelink::ApiError {
    fn into_wit(self) -> wit::ApiError {
        wit::ApiError {
            status: self.status,
            retry_after: self.retry_after,
            rate_limit_reset: self.rate_limit_reset,
            required_scopes: self.required_scopes,
            granted_scopes: self.granted_scopes,
            error: self.error.into_wit(),
        }
    }
}

impl wit::Guest for Component {
    fn prepare_token_exchange(
        client: wit::OauthClient,
        code: String,
        code_verifier: Option<String>,
    ) -> Result<http::Request, wit_types::Error> {
        let code = forgelink::AuthorizationCode::new(code);
        let verifier = code_verifier.map(forgelink::CodeVerifier::new);
        prepared(forgelink::prepare_token_exchange(&self::client(client), &code, verifier.as_ref()))
    }

    fn prepare_refresh(
        client: wit::OauthClient,
        refresh_token: String,
    ) -> Result<http::Request, wit_types::Error> {
        prepared(forgelink::prepare_refresh(
            &self::client(client),
            &RefreshToken::new(refresh_token),
        ))
    }

    fn prepare_revoke(
        client: wit::OauthClient,
        token: String,
    ) -> Result<http::Request, wit_types::Error> {
        prepared(forgelink::prepare_revoke(&self::client(client), &AccessToken::new(token)))
    }

    fn prepare_device_authorization(
        client: wit::OauthClient,
        scopes: Vec<String>,
    ) -> Result<http::Request, wit_types::Error> {
        prepared(forgelink::prepare_device_authorization(&self::client(client), &scopes))
    }

    fn prepare_device_poll(
        client: wit::OauthClient,
        device_code: String,
    ) -> Result<http::Request, wit_types::Error> {
        prepared(forgelink::prepare_device_poll(
            &self::client(client),
            &DeviceCode::new(device_code),
        ))
    }

    fn parse_device_authorization(
        provider: wit_types::Provider,
        response: http::Response,
        now: i64,
    ) -> Result<wit::DeviceAuthorization, wit_types::Error> {
        forgelink::parse_device_authorization(
            core_provider(provider),
            &self::response(response),
            now,
        )
        .map(IntoWit::into_wit)
        .map_err(IntoWit::into_wit)
    }

    fn parse_token_response(
        provider: wit_types::Provider,
        response: http::Response,
        now: i64,
    ) -> Result<wit::TokenSet, wit_types::Error> {
        forgelink::parse_token_response(core_provider(provider), &self::response(response), now)
            .map(IntoWit::into_wit)
            .map_err(IntoWit::into_wit)
    }

    fn detect_token(token: String) -> wit::TokenInfo {
        forgelink::detect_token(&token).into_wit()
    }

    fn detect_token_with_prefix(token: String, custom_prefix: Option<String>) -> wit::TokenInfo {
        forgelink::detect_token_with_prefix(&token, custom_prefix.as_deref()).into_wit()
    }

    fn needs_refresh(tokens: wit::TokenSet, now: i64, skew_seconds: i64) -> bool {
        forgelink::needs_refresh(&token_set(tokens), now, skew_seconds)
    }

    fn parse_api_error(provider: wit_types::Provider, response: http::Response) -> wit::ApiError {
        forgelink::parse_api_error(core_provider(provider), &self::response(response)).into_wit()
    }
}
