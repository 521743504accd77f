//! Webhook deliveries and pasted repository lists: pure readers, in the `flows` build only, since
//! a page that checks a base URL never receives a delivery and their parsers would make up much
//! of its module.

use forgelink::{VerifyOptions, WebhookSecret};

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
use wasm_bindgen::prelude::wasm_bindgen;

use crate::{envelope, ok};

/// Header pairs from `[name, value, name, value, ...]`, as `flows.js` flattens them; an unpaired
/// name is dropped, as for responses.
pub(crate) fn pairs(flat: Vec<String>) -> Vec<(String, String)> {
    let mut pairs = Vec::with_capacity(flat.len() / 2);
    let mut items = flat.into_iter();
    while let (Some(name), Some(value)) = (items.next(), items.next()) {
        pairs.push((name, value));
    }
    pairs
}

/// `identifyWebhook(headers)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn identify_webhook(headers: Vec<String>) -> String {
    envelope(forgelink::identify_webhook(&pairs(headers)))
}

/// `verifyWebhook({ headers, body, secrets, now?, toleranceSeconds?, allowUnsigned?, allowSha1? })`,
/// field by field; `flows.js` supplies the clock when the caller gives none, so that timestamped
/// signatures verify without ceremony.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn verify_webhook(
    headers: Vec<String>,
    body: &[u8],
    secrets: Vec<String>,
    now: Option<f64>,
    tolerance_seconds: Option<f64>,
    allow_unsigned: bool,
    allow_sha1: bool,
) -> String {
    let secrets: Vec<WebhookSecret> = secrets.into_iter().map(WebhookSecret::new).collect();
    let options = VerifyOptions {
        now: now.map(crate::tokens::seconds),
        tolerance_seconds: tolerance_seconds.map(crate::tokens::seconds),
        allow_unsigned,
        allow_sha1,
    };
    envelope(forgelink::verify_webhook(&pairs(headers), body, &secrets, &options))
}

/// `parseWebhook({ headers, body })`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn parse_webhook(headers: Vec<String>, body: &[u8]) -> String {
    envelope(forgelink::parse_webhook(&pairs(headers), body))
}

/// `parseRepositoryList(text, baseUrl?)`: never an error; bad lines are diagnostics.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn parse_repository_list(text: &str, base_url: Option<String>) -> String {
    ok(&forgelink::parse_repository_list(text, base_url.as_deref()))
}
