//! The token endpoint, the device flow and API errors: request builders and response readers,
//! pure like the rest, but only in the `flows` build: a page that validates a base URL has no
//! use for them, and their parsers would make up much of its module.

use forgelink::{
    AccessToken, AuthorizationCode, ClientSecret, CodeVerifier, DeviceCode, Error, HttpResponse,
    OAuthClient, RefreshToken, TokenSet,
};

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
use wasm_bindgen::prelude::wasm_bindgen;

use crate::{envelope, ok, provider};

/// An OAuth client from its fields, which `flows.js` passes one by one: a deserialiser for each
/// argument type would cost more of the module than the arguments do.
fn client(
    provider_id: &str,
    base_url: Option<String>,
    client_id: String,
    client_secret: Option<String>,
    redirect_uri: Option<String>,
) -> Result<OAuthClient, Error> {
    Ok(OAuthClient {
        provider: provider(provider_id)?,
        base_url,
        client_id,
        client_secret: client_secret.map(ClientSecret::new),
        redirect_uri,
    })
}

/// A response from the pieces `flows.js` hands over: headers as `[name, value, name, value…]`.
pub(crate) fn response(status: u16, headers: Vec<String>, body: Vec<u8>) -> HttpResponse {
    let mut pairs = Vec::with_capacity(headers.len() / 2);
    let mut items = headers.into_iter();
    while let (Some(name), Some(value)) = (items.next(), items.next()) {
        pairs.push((name, value));
    }
    HttpResponse { status, headers: pairs, body }
}

/// JavaScript numbers as unix seconds: `flows.js` passes only finite ones, and the cast
/// saturates rather than wraps should anything else arrive.
pub(crate) fn seconds(value: f64) -> i64 {
    if value.is_finite() {
        value.floor() as i64
    } else {
        0
    }
}

/// `prepareTokenExchange(client, code, codeVerifier?)`, the client's fields first.
#[allow(clippy::too_many_arguments)]
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn prepare_token_exchange(
    provider_id: &str,
    base_url: Option<String>,
    client_id: String,
    client_secret: Option<String>,
    redirect_uri: Option<String>,
    code: String,
    code_verifier: Option<String>,
) -> String {
    let verifier = code_verifier.map(CodeVerifier::new);
    envelope(client(provider_id, base_url, client_id, client_secret, redirect_uri).and_then(
        |client| {
            forgelink::prepare_token_exchange(
                &client,
                &AuthorizationCode::new(code),
                verifier.as_ref(),
            )
        },
    ))
}

/// `prepareRefresh(client, refreshToken)`, the client's fields first.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn prepare_refresh(
    provider_id: &str,
    base_url: Option<String>,
    client_id: String,
    client_secret: Option<String>,
    redirect_uri: Option<String>,
    refresh_token: String,
) -> String {
    envelope(
        client(provider_id, base_url, client_id, client_secret, redirect_uri).and_then(|client| {
            forgelink::prepare_refresh(&client, &RefreshToken::new(refresh_token))
        }),
    )
}

/// `prepareRevoke(client, token)`, the client's fields first.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn prepare_revoke(
    provider_id: &str,
    base_url: Option<String>,
    client_id: String,
    client_secret: Option<String>,
    redirect_uri: Option<String>,
    token: String,
) -> String {
    envelope(
        client(provider_id, base_url, client_id, client_secret, redirect_uri)
            .and_then(|client| forgelink::prepare_revoke(&client, &AccessToken::new(token))),
    )
}

/// `prepareDeviceAuthorization(client, scopes)`, the client's fields first.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn prepare_device_authorization(
    provider_id: &str,
    base_url: Option<String>,
    client_id: String,
    client_secret: Option<String>,
    redirect_uri: Option<String>,
    scopes: Vec<String>,
) -> String {
    envelope(
        client(provider_id, base_url, client_id, client_secret, redirect_uri)
            .and_then(|client| forgelink::prepare_device_authorization(&client, &scopes)),
    )
}

/// `prepareDevicePoll(client, deviceCode)`, the client's fields first.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn prepare_device_poll(
    provider_id: &str,
    base_url: Option<String>,
    client_id: String,
    client_secret: Option<String>,
    redirect_uri: Option<String>,
    device_code: String,
) -> String {
    envelope(
        client(provider_id, base_url, client_id, client_secret, redirect_uri).and_then(|client| {
            forgelink::prepare_device_poll(&client, &DeviceCode::new(device_code))
        }),
    )
}

/// `parseDeviceAuthorization(provider, response, now)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn parse_device_authorization(
    provider_id: &str,
    status: u16,
    headers: Vec<String>,
    body: Vec<u8>,
    now: f64,
) -> String {
    let response = response(status, headers, body);
    envelope(
        provider(provider_id)
            .and_then(|p| forgelink::parse_device_authorization(p, &response, seconds(now))),
    )
}

/// `parseTokenResponse(provider, response, now)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn parse_token_response(
    provider_id: &str,
    status: u16,
    headers: Vec<String>,
    body: Vec<u8>,
    now: f64,
) -> String {
    let response = response(status, headers, body);
    envelope(
        provider(provider_id)
            .and_then(|p| forgelink::parse_token_response(p, &response, seconds(now))),
    )
}

/// `parseApiError(provider, response)`: the coded error and what the response said about
/// retrying and scopes. An error envelope only for an unknown provider.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn parse_api_error(
    provider_id: &str,
    status: u16,
    headers: Vec<String>,
    body: Vec<u8>,
) -> String {
    let response = response(status, headers, body);
    envelope(provider(provider_id).map(|p| forgelink::parse_api_error(p, &response)))
}

/// `tokenPrefixes(provider)`: every prefix of the provider's tokens, with a retired kind's
/// dates. In `forgelink/flows` only: the `forgelink` entry stays under its size goal.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn token_prefixes(provider_id: &str) -> String {
    envelope(crate::provider(provider_id).map(forgelink::token_prefixes))
}

/// `detectToken(token, customPrefix)`: what the prefix reveals, knowing a GitLab instance's own
/// personal access token prefix when given; the token itself is never in the answer.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn detect_token(token: &str, custom_prefix: Option<String>) -> String {
    ok(&forgelink::detect_token_with_prefix(token, custom_prefix.as_deref()))
}

/// `needsRefresh(tokenSet, now, skewSeconds)`: only the expiry decides, so only the expiry
/// crosses (`flows.js` has checked the rest of the token set).
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn needs_refresh(expires_at: Option<f64>, now: f64, skew_seconds: f64) -> bool {
    let tokens = TokenSet {
        access_token: AccessToken::new(String::new()),
        token_type: String::new(),
        refresh_token: None,
        expires_at: expires_at.map(seconds),
        refresh_token_expires_at: None,
        scopes: Vec::new(),
    };
    forgelink::needs_refresh(&tokens, seconds(now), seconds(skew_seconds))
}
