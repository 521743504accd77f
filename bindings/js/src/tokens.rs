//! The token endpoint, the device flow and API errors: request builders and response readers,
//! pure like the rest, but only in the `flows` build: a page that validates a base URL has no
//! use for them, and their parsers would make up much of its module. Each takes its arguments
//! as `crate::arguments` describes.

use forgelink::{
    AccessToken, AuthorizationCode, ClientSecret, CodeVerifier, DeviceCode, Error, OAuthClient,
    RefreshToken, TokenSet,
};
use serde::Deserialize;

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
use wasm_bindgen::prelude::wasm_bindgen;

use crate::arguments::{answer, OfProvider, ProviderId, ResponseHead};

/// An OAuth client as the caller writes it; the core's [`OAuthClient`] but for the provider,
/// read by its id so that an unknown one keeps its own code.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Client {
    provider: ProviderId,
    base_url: Option<String>,
    client_id: String,
    client_secret: Option<String>,
    redirect_uri: Option<String>,
}

impl Client {
    fn read(self) -> Result<OAuthClient, Error> {
        Ok(OAuthClient {
            provider: self.provider.parse()?,
            base_url: self.base_url,
            client_id: self.client_id,
            client_secret: self.client_secret.map(ClientSecret::new),
            redirect_uri: self.redirect_uri,
        })
    }
}

/// JavaScript numbers as unix seconds: serde has refused any that is not finite, and the cast
/// saturates rather than wraps should one arrive otherwise.
pub(crate) fn seconds(value: f64) -> i64 {
    if value.is_finite() {
        value.floor() as i64
    } else {
        0
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TokenExchange {
    client: Client,
    code: String,
    code_verifier: Option<String>,
}

/// `prepareTokenExchange(client, code, codeVerifier?)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn prepare_token_exchange(arguments: &str) -> String {
    answer(arguments, |a: TokenExchange| {
        let verifier = a.code_verifier.map(CodeVerifier::new);
        let code = AuthorizationCode::new(a.code);
        forgelink::prepare_token_exchange(&a.client.read()?, &code, verifier.as_ref())
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Refresh {
    client: Client,
    refresh_token: String,
}

/// `prepareRefresh(client, refreshToken)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn prepare_refresh(arguments: &str) -> String {
    answer(arguments, |a: Refresh| {
        forgelink::prepare_refresh(&a.client.read()?, &RefreshToken::new(a.refresh_token))
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Revoke {
    client: Client,
    token: String,
}

/// `prepareRevoke(client, token)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn prepare_revoke(arguments: &str) -> String {
    answer(arguments, |a: Revoke| {
        forgelink::prepare_revoke(&a.client.read()?, &AccessToken::new(a.token))
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeviceAuthorization {
    client: Client,
    scopes: Vec<String>,
}

/// `prepareDeviceAuthorization(client, scopes)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn prepare_device_authorization(arguments: &str) -> String {
    answer(arguments, |a: DeviceAuthorization| {
        forgelink::prepare_device_authorization(&a.client.read()?, &a.scopes)
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DevicePoll {
    client: Client,
    device_code: String,
}

/// `prepareDevicePoll(client, deviceCode)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn prepare_device_poll(arguments: &str) -> String {
    answer(arguments, |a: DevicePoll| {
        forgelink::prepare_device_poll(&a.client.read()?, &DeviceCode::new(a.device_code))
    })
}

/// The arguments of a reader of a response at a time: `(provider, response, now)`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResponseAt {
    provider: ProviderId,
    response: ResponseHead,
    now: f64,
}

/// `parseDeviceAuthorization(provider, response, now)`, the response's body apart.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn parse_device_authorization(arguments: &str, body: &[u8]) -> String {
    answer(arguments, |a: ResponseAt| {
        let response = a.response.with_body(body);
        forgelink::parse_device_authorization(a.provider.parse()?, &response, seconds(a.now))
    })
}

/// `parseTokenResponse(provider, response, now)`, the response's body apart.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn parse_token_response(arguments: &str, body: &[u8]) -> String {
    answer(arguments, |a: ResponseAt| {
        let response = a.response.with_body(body);
        forgelink::parse_token_response(a.provider.parse()?, &response, seconds(a.now))
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApiError {
    provider: ProviderId,
    response: ResponseHead,
}

/// `parseApiError(provider, response)`, the response's body apart: the coded error and what
/// the response said about retrying and scopes. An error envelope only for wrong arguments.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn parse_api_error(arguments: &str, body: &[u8]) -> String {
    answer(arguments, |a: ApiError| {
        Ok(forgelink::parse_api_error(a.provider.parse()?, &a.response.with_body(body)))
    })
}

/// `tokenPrefixes(provider)`: every prefix of the provider's tokens, with a retired kind's
/// dates. In `forgelink/flows` only: the `forgelink` entry stays under its size goal.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn token_prefixes(arguments: &str) -> String {
    answer(arguments, |a: OfProvider| a.provider.parse().map(forgelink::token_prefixes))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DetectToken {
    token: String,
    custom_prefix: Option<String>,
}

/// `detectToken(token, customPrefix?)`: what the prefix reveals, knowing a GitLab instance's
/// own personal access token prefix when given; the token itself is never in the answer.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn detect_token(arguments: &str) -> String {
    answer(arguments, |a: DetectToken| {
        Ok(forgelink::detect_token_with_prefix(&a.token, a.custom_prefix.as_deref()))
    })
}

/// Of a token set, what decides whether it needs refreshing: only the expiry, so the rest of
/// whatever set the caller holds is not read.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Expiry {
    expires_at: Option<f64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NeedsRefresh {
    token_set: Expiry,
    now: f64,
    skew_seconds: f64,
}

/// `needsRefresh(tokenSet, now, skewSeconds)`: a boolean.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn needs_refresh(arguments: &str) -> String {
    answer(arguments, |a: NeedsRefresh| {
        let tokens = TokenSet {
            access_token: AccessToken::new(String::new()),
            token_type: String::new(),
            refresh_token: None,
            expires_at: a.token_set.expires_at.map(seconds),
            refresh_token_expires_at: None,
            scopes: Vec::new(),
        };
        Ok(forgelink::needs_refresh(&tokens, seconds(a.now), seconds(a.skew_seconds)))
    })
}
