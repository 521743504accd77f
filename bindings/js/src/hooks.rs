//! Webhook registration as pure request builders and response readers, and the setup of a hook
//! made by hand; in the `flows` build only, with the other readers of provider answers. Each
//! takes its arguments as `crate::arguments` describes.

use forgelink::{HookSpec, WebhookSecret};
use serde::Deserialize;

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
use wasm_bindgen::prelude::wasm_bindgen;

use crate::arguments::{answer, Instance, ProviderId, ResponseHead};

/// `{ url, secret, signingSecret?, events }`: the hook to create or update.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Hook {
    url: String,
    secret: String,
    signing_secret: Option<String>,
    events: Vec<String>,
}

impl Hook {
    fn spec(self) -> HookSpec {
        HookSpec {
            url: self.url,
            secret: WebhookSecret::new(self.secret),
            signing_secret: self.signing_secret.map(WebhookSecret::new),
            events: self.events,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateHook {
    instance: Instance,
    token: String,
    project: String,
    hook: Hook,
}

/// `prepareCreateHook(instance, token, project, hook)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn prepare_create_hook(arguments: &str) -> String {
    answer(arguments, |a: CreateHook| {
        let endpoints = a.instance.endpoints()?;
        forgelink::prepare_create_hook(&endpoints, &a.token, &a.project, &a.hook.spec())
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UpdateHook {
    instance: Instance,
    token: String,
    project: String,
    hook_id: String,
    hook: Hook,
}

/// `prepareUpdateHook(instance, token, project, hookId, hook)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn prepare_update_hook(arguments: &str) -> String {
    answer(arguments, |a: UpdateHook| {
        let endpoints = a.instance.endpoints()?;
        let spec = a.hook.spec();
        forgelink::prepare_update_hook(&endpoints, &a.token, &a.project, &a.hook_id, &spec)
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DeleteHook {
    instance: Instance,
    token: String,
    project: String,
    hook_id: String,
}

/// `prepareDeleteHook(instance, token, project, hookId)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn prepare_delete_hook(arguments: &str) -> String {
    answer(arguments, |a: DeleteHook| {
        let endpoints = a.instance.endpoints()?;
        forgelink::prepare_delete_hook(&endpoints, &a.token, &a.project, &a.hook_id)
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListHooks {
    instance: Instance,
    token: String,
    project: String,
}

/// `prepareListHooks(instance, token, project)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn prepare_list_hooks(arguments: &str) -> String {
    answer(arguments, |a: ListHooks| {
        forgelink::prepare_list_hooks(&a.instance.endpoints()?, &a.token, &a.project)
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ParseHook {
    provider: ProviderId,
    response: ResponseHead,
}

/// `parseHook(provider, response)`, the response's body apart.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn parse_hook(arguments: &str, body: &[u8]) -> String {
    answer(arguments, |a: ParseHook| {
        forgelink::parse_hook(a.provider.parse()?, &a.response.with_body(body))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ParseHookList {
    provider: ProviderId,
    request_url: String,
    response: ResponseHead,
}

/// `parseHookList(provider, requestUrl, response)`, the response's body apart.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn parse_hook_list(arguments: &str, body: &[u8]) -> String {
    answer(arguments, |a: ParseHookList| {
        let response = a.response.with_body(body);
        forgelink::parse_hook_list(a.provider.parse()?, &a.request_url, &response)
    })
}

/// What `manualWebhookSetup` is given.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ManualSetupRequest {
    provider: ProviderId,
    base_url: Option<String>,
    project: String,
    url: String,
    profile: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ManualSetup {
    request: ManualSetupRequest,
    secret: String,
}

/// `manualWebhookSetup(request)`, with the secret `flows.js` drew from
/// `crypto.getRandomValues`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn manual_webhook_setup(arguments: &str) -> String {
    answer(arguments, |a: ManualSetup| {
        let ManualSetup { request: r, secret } = a;
        forgelink::manual_webhook_setup(
            r.provider.parse()?,
            r.base_url.as_deref(),
            &r.project,
            &r.url,
            &r.profile,
            &WebhookSecret::new(secret),
        )
    })
}
