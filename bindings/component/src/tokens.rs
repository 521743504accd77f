//! The `tokens` export: the core's pure token-endpoint and API-error functions.

use forgelink::{AccessToken, DeviceCode, RefreshToken};

use crate::bindings::exports::forgelink::connect::tokens as wit;
use crate::bindings::exports::forgelink::connect::types as wit_types;
use crate::bindings::forgelink::connect::http;
use crate::convert::{core_provider, FromWit, IntoWit};
use crate::Component;

pub(crate) fn request(request: forgelink::HttpRequest) -> http::Request {
    http::Request {
        method: request.method,
        url: request.url,
        headers: request.headers,
        body: request.body.map(String::into_bytes),
    }
}

pub(crate) fn response(response: http::Response) -> forgelink::HttpResponse {
    FromWit::from_wit(response)
}

pub(crate) fn prepared(
    result: Result<forgelink::HttpRequest, forgelink::Error>,
) -> Result<http::Request, wit_types::Error> {
    result.map(request).map_err(IntoWit::into_wit)
}

forgelink_wit_convert::conversions! {
    wit = "../../wit";
    "tokens/token-set": forgelink::TokenSet <=> wit::TokenSet;
    "tokens/device-authorization": forgelink::DeviceAuthorization => wit::DeviceAuthorization;
    "tokens/token-info": forgelink::TokenInfo => wit::TokenInfo;
    "tokens/api-error": forgelink::ApiError => wit::ApiError;
    "tokens/token-prefix": forgelink::TokenPrefix => wit::TokenPrefix;
    "tokens/retirement": forgelink::Retirement => wit::Retirement;
    "tokens/oauth-client": forgelink::OAuthClient <= wit::OauthClient;
    "http/response": forgelink::HttpResponse <= http::Response;
}

impl wit::Guest for Component {
    fn prepare_token_exchange(
        client: wit::OauthClient,
        code: String,
        code_verifier: Option<String>,
    ) -> Result<http::Request, wit_types::Error> {
        let code = forgelink::AuthorizationCode::new(code);
        let verifier = code_verifier.map(forgelink::CodeVerifier::new);
        prepared(forgelink::prepare_token_exchange(
            &FromWit::from_wit(client),
            &code,
            verifier.as_ref(),
        ))
    }

    fn prepare_refresh(
        client: wit::OauthClient,
        refresh_token: String,
    ) -> Result<http::Request, wit_types::Error> {
        prepared(forgelink::prepare_refresh(
            &FromWit::from_wit(client),
            &RefreshToken::new(refresh_token),
        ))
    }

    fn prepare_revoke(
        client: wit::OauthClient,
        token: String,
    ) -> Result<http::Request, wit_types::Error> {
        prepared(forgelink::prepare_revoke(&FromWit::from_wit(client), &AccessToken::new(token)))
    }

    fn prepare_device_authorization(
        client: wit::OauthClient,
        scopes: Vec<String>,
    ) -> Result<http::Request, wit_types::Error> {
        prepared(forgelink::prepare_device_authorization(&FromWit::from_wit(client), &scopes))
    }

    fn prepare_device_poll(
        client: wit::OauthClient,
        device_code: String,
    ) -> Result<http::Request, wit_types::Error> {
        prepared(forgelink::prepare_device_poll(
            &FromWit::from_wit(client),
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

    fn token_prefixes(provider: wit_types::Provider) -> Vec<wit::TokenPrefix> {
        forgelink::token_prefixes(core_provider(provider)).into_wit()
    }

    fn detect_token(token: String) -> wit::TokenInfo {
        forgelink::detect_token(&token).into_wit()
    }

    fn detect_token_with_prefix(token: String, custom_prefix: Option<String>) -> wit::TokenInfo {
        forgelink::detect_token_with_prefix(&token, custom_prefix.as_deref()).into_wit()
    }

    fn needs_refresh(tokens: wit::TokenSet, now: i64, skew_seconds: i64) -> bool {
        forgelink::needs_refresh(&forgelink::TokenSet::from_wit(tokens), now, skew_seconds)
    }

    fn parse_api_error(provider: wit_types::Provider, response: http::Response) -> wit::ApiError {
        forgelink::parse_api_error(core_provider(provider), &self::response(response)).into_wit()
    }
}
