//! Webhook registration as pure request builders and response readers, and the setup of a hook
//! made by hand; in the `flows` build only, with the other readers of provider answers.

use forgelink::{endpoints, Endpoints, Error, HookSpec, WebhookSecret};

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
use wasm_bindgen::prelude::wasm_bindgen;

use crate::tokens::response;
use crate::{envelope, provider};

pub(crate) fn instance(provider_id: &str, base_url: Option<String>) -> Result<Endpoints, Error> {
    endpoints(provider(provider_id)?, base_url.as_deref())
}

fn spec(url: String, secret: String, signing: Option<String>, events: Vec<String>) -> HookSpec {
    HookSpec {
        url,
        secret: WebhookSecret::new(secret),
        signing_secret: signing.map(WebhookSecret::new),
        events,
    }
}

/// `prepareCreateHook({ provider, baseUrl? }, token, project, { url, secret, signingSecret?, events })`.
#[allow(clippy::too_many_arguments)]
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn prepare_create_hook(
    provider_id: &str,
    base_url: Option<String>,
    token: &str,
    project: &str,
    url: String,
    secret: String,
    signing_secret: Option<String>,
    events: Vec<String>,
) -> String {
    let spec = spec(url, secret, signing_secret, events);
    envelope(
        instance(provider_id, base_url)
            .and_then(|e| forgelink::prepare_create_hook(&e, token, project, &spec)),
    )
}

/// `prepareUpdateHook({ provider, baseUrl? }, token, project, hookId, { url, secret, signingSecret?, events })`.
#[allow(clippy::too_many_arguments)]
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn prepare_update_hook(
    provider_id: &str,
    base_url: Option<String>,
    token: &str,
    project: &str,
    hook_id: &str,
    url: String,
    secret: String,
    signing_secret: Option<String>,
    events: Vec<String>,
) -> String {
    let spec = spec(url, secret, signing_secret, events);
    envelope(
        instance(provider_id, base_url)
            .and_then(|e| forgelink::prepare_update_hook(&e, token, project, hook_id, &spec)),
    )
}

/// `prepareDeleteHook({ provider, baseUrl? }, token, project, hookId)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn prepare_delete_hook(
    provider_id: &str,
    base_url: Option<String>,
    token: &str,
    project: &str,
    hook_id: &str,
) -> String {
    envelope(
        instance(provider_id, base_url)
            .and_then(|e| forgelink::prepare_delete_hook(&e, token, project, hook_id)),
    )
}

/// `prepareListHooks({ provider, baseUrl? }, token, project)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn prepare_list_hooks(
    provider_id: &str,
    base_url: Option<String>,
    token: &str,
    project: &str,
) -> String {
    envelope(
        instance(provider_id, base_url)
            .and_then(|e| forgelink::prepare_list_hooks(&e, token, project)),
    )
}

/// `parseHook(provider, response)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn parse_hook(provider_id: &str, status: u16, headers: Vec<String>, body: Vec<u8>) -> String {
    let response = response(status, headers, body);
    envelope(provider(provider_id).and_then(|p| forgelink::parse_hook(p, &response)))
}

/// `parseHookList(provider, requestUrl, response)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn parse_hook_list(
    provider_id: &str,
    request_url: &str,
    status: u16,
    headers: Vec<String>,
    body: Vec<u8>,
) -> String {
    let response = response(status, headers, body);
    envelope(
        provider(provider_id).and_then(|p| forgelink::parse_hook_list(p, request_url, &response)),
    )
}

/// `manualWebhookSetup({ provider, baseUrl?, project, url, profile })`, with the secret
/// `flows.js` drew from `crypto.getRandomValues`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn manual_webhook_setup(
    provider_id: &str,
    base_url: Option<String>,
    project: &str,
    url: &str,
    profile: &str,
    secret: String,
) -> String {
    let secret = WebhookSecret::new(secret);
    envelope(provider(provider_id).and_then(|p| {
        forgelink::manual_webhook_setup(p, base_url.as_deref(), project, url, profile, &secret)
    }))
}
