//! Webhook deliveries and pasted repository lists: pure readers, in the `flows` build only, since
//! a page that checks a base URL never receives a delivery and their parsers would make up much
//! of its module.

use forgelink::{Verified, VerifyOptions, WebhookEvent, WebhookSecret};
use serde::{Deserialize, Serialize};

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
use wasm_bindgen::prelude::wasm_bindgen;

use crate::arguments::{answer, ProviderId};
use crate::envelope;

/// Header pairs from `name\nvalue\nname\nvalue...`, as `flows.js` joins them (one string
/// crosses into the module far faster than a list of them; no header holds a line break, and
/// `flows.js` refuses one that does). An unpaired name is dropped, as for responses.
pub(crate) fn header_lines(text: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let mut items = text.split('\n');
    while let (Some(name), Some(value)) = (items.next(), items.next()) {
        pairs.push((name.to_owned(), value.to_owned()));
    }
    pairs
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Identify {
    headers: Vec<(String, String)>,
}

/// `identifyWebhook(headers)`, the headers as pairs: not the hot path the verify and parse
/// functions' lines are for.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn identify_webhook(arguments: &str) -> String {
    answer(arguments, |a: Identify| forgelink::identify_webhook(&a.headers))
}

/// `verifyWebhook({ headers, body, secrets, now?, toleranceSeconds?, allowUnsigned?, allowSha1? })`,
/// field by field; `flows.js` supplies the clock when the caller gives none, so that timestamped
/// signatures verify without ceremony.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn verify_webhook(
    headers: &str,
    body: &[u8],
    secrets: Vec<String>,
    now: Option<f64>,
    tolerance_seconds: Option<f64>,
    allow_unsigned: bool,
    allow_sha1: bool,
) -> String {
    let options = options(now, tolerance_seconds, allow_unsigned, allow_sha1);
    envelope(verify(&header_lines(headers), body, secrets, &options))
}

/// What [`verify_and_parse_webhook`] returns.
#[derive(Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "VerifiedWebhookEvent"))]
pub(crate) struct VerifiedEvent {
    /// Which check passed, and with which secret.
    verified: Verified,
    /// The delivery, read.
    event: WebhookEvent,
}

/// `verifyAndParseWebhook(request)`: what a receiver without storage runs, in one crossing
/// into the module; the arguments are `verifyWebhook`'s.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn verify_and_parse_webhook(
    headers: &str,
    body: &[u8],
    secrets: Vec<String>,
    now: Option<f64>,
    tolerance_seconds: Option<f64>,
    allow_unsigned: bool,
    allow_sha1: bool,
) -> String {
    let options = options(now, tolerance_seconds, allow_unsigned, allow_sha1);
    let headers = header_lines(headers);
    envelope(verify(&headers, body, secrets, &options).and_then(|verified| {
        forgelink::parse_webhook(&headers, body).map(|event| VerifiedEvent { verified, event })
    }))
}

fn options(
    now: Option<f64>,
    tolerance_seconds: Option<f64>,
    allow_unsigned: bool,
    allow_sha1: bool,
) -> VerifyOptions {
    VerifyOptions {
        now: now.map(crate::tokens::seconds),
        tolerance_seconds: tolerance_seconds.map(crate::tokens::seconds),
        allow_unsigned,
        allow_sha1,
    }
}

fn verify(
    headers: &[(String, String)],
    body: &[u8],
    secrets: Vec<String>,
    options: &VerifyOptions,
) -> Result<Verified, forgelink::Error> {
    let secrets: Vec<WebhookSecret> = secrets.into_iter().map(WebhookSecret::new).collect();
    forgelink::verify_webhook_with(headers, body, &secrets, options, &engine(body))
}

/// Node's HMAC when `flows.js` registered it, the built-in one otherwise.
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
fn engine(body: &[u8]) -> impl forgelink::HmacEngine + '_ {
    crate::hmac::NativeHmac { body: Some(body) }
}

#[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
fn engine(_: &[u8]) -> impl forgelink::HmacEngine {
    forgelink::BuiltinHmac
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Access {
    provider: ProviderId,
    role: String,
}

/// `webhookAccess(provider, role)`: `{ neededRole, allowed }`, or null for a role the provider
/// does not name that way.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn webhook_access(arguments: &str) -> String {
    answer(arguments, |a: Access| Ok(forgelink::webhook_access(a.provider.parse()?, &a.role)))
}

/// `parseWebhook({ headers, body })`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn parse_webhook(headers: &str, body: &[u8]) -> String {
    envelope(forgelink::parse_webhook(&header_lines(headers), body))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RepositoryList {
    text: String,
    base_url: Option<String>,
}

/// `parseRepositoryList(text, baseUrl?)`: an error only for wrong arguments; bad lines are
/// diagnostics.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn parse_repository_list(arguments: &str) -> String {
    answer(arguments, |a: RepositoryList| {
        Ok(forgelink::parse_repository_list(&a.text, a.base_url.as_deref()))
    })
}
