//! Polling as pure request builders and response readers: the lists a poll reads, their
//! requests, their answers, rate-limit readings and state keys. In the `flows` build only, with
//! the other readers of provider answers. Each takes its arguments as `crate::arguments`
//! describes (`flows.js` has checked a resource's field names, which its type does not refuse).

use forgelink::{HttpRequest, PollResource, Provider, WebhookEvent};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
use wasm_bindgen::prelude::wasm_bindgen;

use crate::arguments::{answer, Instance, OfProvider, ResponseHead};
use crate::flows::{from_json, from_value};
use crate::ok;
use crate::tokens::seconds;

/// `pollResources(provider)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn poll_resources(arguments: &str) -> String {
    answer(arguments, |a: OfProvider| a.provider.parse().map(forgelink::poll_resources))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PollRequestArguments {
    instance: Instance,
    token: String,
    project: String,
    resource: PollResource,
    since: f64,
}

/// `preparePollRequest(instance, token, project, resource, since)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn prepare_poll_request(arguments: &str) -> String {
    answer(arguments, |a: PollRequestArguments| {
        let endpoints = a.instance.endpoints()?;
        let since = seconds(a.since);
        forgelink::prepare_poll_request(&endpoints, &a.token, &a.project, &a.resource, since)
    })
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PollRequestsArguments {
    instance: Instance,
    token: String,
    project: String,
    since: f64,
}

/// `preparePollRequests(instance, token, project, since)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn prepare_poll_requests(arguments: &str) -> String {
    answer(arguments, |a: PollRequestsArguments| {
        let endpoints = a.instance.endpoints()?;
        forgelink::prepare_poll_requests(&endpoints, &a.token, &a.project, seconds(a.since)).map(
            |requests| {
                requests
                    .into_iter()
                    .map(|(resource, request)| PollRequest { resource, request })
                    .collect::<Vec<_>>()
            },
        )
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PollResponseArguments {
    instance: Instance,
    project: String,
    resource: PollResource,
    request_url: String,
    response: ResponseHead,
    since: f64,
    now: f64,
}

/// `parsePollResponse(instance, project, resource, requestUrl, response, since, now)`, the
/// response's body apart.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn parse_poll_response(arguments: &str, body: &[u8]) -> String {
    answer(arguments, |a: PollResponseArguments| {
        forgelink::parse_poll_response(
            &a.instance.endpoints()?,
            &a.project,
            &a.resource,
            &a.request_url,
            &a.response.with_body(body),
            seconds(a.since),
            seconds(a.now),
        )
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RateLimitArguments {
    response: ResponseHead,
    now: f64,
}

/// `readRateLimit(response, now)`, the response's body apart.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn read_rate_limit(arguments: &str, body: &[u8]) -> String {
    answer(arguments, |a: RateLimitArguments| {
        Ok(forgelink::read_rate_limit(&a.response.with_body(body), seconds(a.now)))
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StateKeyArguments {
    event: Value,
}

/// `stateKey(event)`: what `parseWebhook` or `parsePollResponse` gave, or an event the caller
/// wrote with the fields its key needs. An unknown provider is refused with its own code
/// (`provider.unknown`) before the event is read.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn state_key(arguments: &str) -> String {
    let read =
        from_json::<StateKeyArguments>("", arguments).and_then(|StateKeyArguments { event }| {
            if let Some(Value::String(id)) = event.get("provider") {
                id.parse::<Provider>().map_err(|e| crate::error(&e))?;
            }
            from_value::<WebhookEvent>("event", &event)
        });
    match read {
        Ok(event) => ok(&forgelink::state_key(&event)),
        Err(invalid) => invalid,
    }
}
