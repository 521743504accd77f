//! Polling as pure request builders and response readers: the lists a poll reads, their
//! requests, their answers, rate-limit readings and state keys. In the `flows` build only, with
//! the other readers of provider answers. Resources and events arrive as JSON (`flows.js` has
//! checked their field names; serde names whatever else is wrong).

use forgelink::{HttpRequest, PollResource, Provider, WebhookEvent};
use serde::Serialize;
use serde_json::Value;

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
use wasm_bindgen::prelude::wasm_bindgen;

use crate::flows::{from_json, from_value};
use crate::hooks::instance;
use crate::tokens::{response, seconds};
use crate::{envelope, ok, provider};

fn resource(json: &str) -> Result<PollResource, String> {
    from_json("resource", json)
}

/// `pollResources(provider)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn poll_resources(provider_id: &str) -> String {
    envelope(provider(provider_id).map(forgelink::poll_resources))
}

/// `preparePollRequest({ provider, baseUrl? }, token, project, resource, since)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn prepare_poll_request(
    provider_id: &str,
    base_url: Option<String>,
    token: &str,
    project: &str,
    resource_json: &str,
    since: f64,
) -> String {
    let resource = match resource(resource_json) {
        Ok(resource) => resource,
        Err(invalid) => return invalid,
    };
    envelope(instance(provider_id, base_url).and_then(|e| {
        forgelink::prepare_poll_request(&e, token, project, &resource, seconds(since))
    }))
}

/// One request of a poll, with the list it reads.
#[derive(Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub(crate) struct PollRequest {
    /// The list the request reads; pass it to [`parse_poll_response`] with the answer.
    resource: PollResource,
    /// The request to send.
    request: HttpRequest,
}

/// `preparePollRequests({ provider, baseUrl? }, token, project, since)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn prepare_poll_requests(
    provider_id: &str,
    base_url: Option<String>,
    token: &str,
    project: &str,
    since: f64,
) -> String {
    envelope(instance(provider_id, base_url).and_then(|e| {
        forgelink::prepare_poll_requests(&e, token, project, seconds(since)).map(|requests| {
            requests
                .into_iter()
                .map(|(resource, request)| PollRequest { resource, request })
                .collect::<Vec<_>>()
        })
    }))
}

/// `parsePollResponse({ provider, baseUrl? }, project, resource, requestUrl, response, since, now)`.
#[allow(clippy::too_many_arguments)]
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn parse_poll_response(
    provider_id: &str,
    base_url: Option<String>,
    project: &str,
    resource_json: &str,
    request_url: &str,
    status: u16,
    headers: Vec<String>,
    body: Vec<u8>,
    since: f64,
    now: f64,
) -> String {
    let resource = match resource(resource_json) {
        Ok(resource) => resource,
        Err(invalid) => return invalid,
    };
    let response = response(status, headers, body);
    envelope(instance(provider_id, base_url).and_then(|e| {
        forgelink::parse_poll_response(
            &e,
            project,
            &resource,
            request_url,
            &response,
            seconds(since),
            seconds(now),
        )
    }))
}

/// `readRateLimit(response, now)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn read_rate_limit(status: u16, headers: Vec<String>, body: Vec<u8>, now: f64) -> String {
    ok(&forgelink::read_rate_limit(&response(status, headers, body), seconds(now)))
}

/// `stateKey(event)`, the event as JSON: what `parseWebhook` or `parsePollResponse` gave, or
/// an event the caller wrote with the fields its key needs. An unknown provider is refused with
/// its own code (`provider.unknown`) before the event is read.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn state_key(event: &str) -> String {
    let read = from_json::<Value>("event", event).and_then(|value| {
        if let Some(Value::String(id)) = value.get("provider") {
            id.parse::<Provider>().map_err(|e| crate::error(&e))?;
        }
        from_value::<WebhookEvent>("event", &value)
    });
    match read {
        Ok(event) => ok(&forgelink::state_key(&event)),
        Err(invalid) => invalid,
    }
}
