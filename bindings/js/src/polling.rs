//! Polling as pure request builders and response readers: the lists a poll reads, their
//! requests, their answers, rate-limit readings and state keys. In the `flows` build only, with
//! the other readers of provider answers. Resources and events arrive as JSON (`flows.js` has
//! checked their field names; serde names whatever else is wrong).

use forgelink::{
    Actor, CommitStatus, EventKind, HttpRequest, Job, MergeRequest, Pipeline, PollResource,
    Provider, Repository, Status, WebhookEvent,
};
use serde::Serialize;
use serde_json::Value;

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
use wasm_bindgen::prelude::wasm_bindgen;

use crate::flows::from_json;
use crate::hooks::instance;
use crate::tokens::{response, seconds};
use crate::{envelope, invalid, ok, provider};

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
/// an event the caller wrote with the fields its key needs.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn state_key(event: &str) -> String {
    match from_json::<Value>("event", event).and_then(|value| event_of(&value)) {
        Ok(event) => ok(&forgelink::state_key(&event)),
        Err(invalid) => invalid,
    }
}

// The core only writes events, so they are read back here field by field from a JSON value:
// derived deserialisers for the event and its parts would add about 14 KB of gzip to the module.

type Object = serde_json::Map<String, Value>;

/// The object at `name`, its fields checked against `allowed`; None for null or absent.
fn object<'a>(
    value: Option<&'a Value>,
    name: &str,
    allowed: &[&str],
) -> Result<Option<&'a Object>, String> {
    let object = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(object)) => object,
        Some(_) => return Err(invalid(&format!("`{name}` must be an object."))),
    };
    if let Some(key) = object.keys().find(|key| !allowed.contains(&key.as_str())) {
        return Err(invalid(&format!("`{name}.{key}` is not a field of `{name}`.")));
    }
    Ok(Some(object))
}

/// The optional string field `key` of `object`.
fn text(object: &Object, name: &str, key: &str) -> Result<Option<String>, String> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(&format!("`{name}.{key}` must be a string."))),
    }
}

/// The optional whole-number field `key` of `object`.
fn number(object: &Object, name: &str, key: &str) -> Result<Option<u64>, String> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value
            .as_u64()
            .map(Some)
            .ok_or_else(|| invalid(&format!("`{name}.{key}` must be a whole number."))),
    }
}

/// The required status field `key` of `object`.
fn status_of(object: &Object, name: &str, key: &str) -> Result<Status, String> {
    let word = text(object, name, key)?.unwrap_or_default();
    Ok(match word.as_str() {
        "pending" => Status::Pending,
        "running" => Status::Running,
        "success" => Status::Success,
        "failure" => Status::Failure,
        "canceled" => Status::Canceled,
        "skipped" => Status::Skipped,
        "manual" => Status::Manual,
        _ => {
            return Err(invalid(&format!(
                "`{name}.{key}` must be a status (pending, running, success, failure, canceled, \
                 skipped, manual), got `{word}`."
            )))
        }
    })
}

/// The kind an event's JSON names.
fn kind_of(word: &str) -> Result<EventKind, String> {
    Ok(match word {
        "push" => EventKind::Push,
        "tag_push" => EventKind::TagPush,
        "merge_request" => EventKind::MergeRequest,
        "pipeline" => EventKind::Pipeline,
        "job" => EventKind::Job,
        "commit_status" => EventKind::CommitStatus,
        "ping" => EventKind::Ping,
        "other" => EventKind::Other,
        _ => {
            return Err(invalid(&format!(
                "`event.kind` must be an event kind (push, tag_push, merge_request, pipeline, \
                 job, commit_status, ping, other), got `{word}`."
            )))
        }
    })
}

const EVENT_FIELDS: &[&str] = &[
    "provider",
    "kind",
    "event",
    "action",
    "deliveryId",
    "dedupeKey",
    "stateKey",
    "repository",
    "sender",
    "ref",
    "commitSha",
    "mergeRequest",
    "pipeline",
    "job",
    "commitStatus",
];

fn event_of(value: &Value) -> Result<WebhookEvent, String> {
    let e = object(Some(value), "event", EVENT_FIELDS)?
        .ok_or_else(|| invalid("`event` must be an object."))?;
    let n = "event";
    let provider: Provider =
        text(e, n, "provider")?.unwrap_or_default().parse().map_err(|e| crate::error(&e))?;
    let kind = kind_of(&text(e, n, "kind")?.unwrap_or_default())?;
    let repository = match object(
        e.get("repository"),
        "event.repository",
        &["id", "fullPath", "webUrl", "defaultBranch"],
    )? {
        Some(r) => {
            let n = "event.repository";
            Some(Repository {
                id: text(r, n, "id")?,
                full_path: text(r, n, "fullPath")?,
                web_url: text(r, n, "webUrl")?,
                default_branch: text(r, n, "defaultBranch")?,
            })
        }
        None => None,
    };
    let sender = match object(e.get("sender"), "event.sender", &["id", "username", "name"])? {
        Some(a) => {
            let n = "event.sender";
            Some(Actor {
                id: text(a, n, "id")?,
                username: text(a, n, "username")?,
                name: text(a, n, "name")?,
            })
        }
        None => None,
    };
    let merge_request = match object(
        e.get("mergeRequest"),
        "event.mergeRequest",
        &["number", "title", "state", "sourceBranch", "targetBranch", "url"],
    )? {
        Some(m) => {
            let n = "event.mergeRequest";
            Some(MergeRequest {
                number: number(m, n, "number")?,
                title: text(m, n, "title")?,
                state: text(m, n, "state")?,
                source_branch: text(m, n, "sourceBranch")?,
                target_branch: text(m, n, "targetBranch")?,
                url: text(m, n, "url")?,
            })
        }
        None => None,
    };
    let pipeline = match object(
        e.get("pipeline"),
        "event.pipeline",
        &["id", "attempt", "status", "rawStatus", "ref", "sha", "url", "startedAt", "finishedAt"],
    )? {
        Some(p) => {
            let n = "event.pipeline";
            Some(Pipeline {
                id: text(p, n, "id")?,
                attempt: number(p, n, "attempt")?,
                status: status_of(p, n, "status")?,
                raw_status: text(p, n, "rawStatus")?.unwrap_or_default(),
                r#ref: text(p, n, "ref")?,
                sha: text(p, n, "sha")?,
                url: text(p, n, "url")?,
                started_at: text(p, n, "startedAt")?,
                finished_at: text(p, n, "finishedAt")?,
            })
        }
        None => None,
    };
    let job = match object(
        e.get("job"),
        "event.job",
        &["id", "name", "stage", "status", "rawStatus", "failureReason", "url", "pipelineId"],
    )? {
        Some(j) => {
            let n = "event.job";
            Some(Job {
                id: text(j, n, "id")?,
                name: text(j, n, "name")?,
                stage: text(j, n, "stage")?,
                status: status_of(j, n, "status")?,
                raw_status: text(j, n, "rawStatus")?.unwrap_or_default(),
                failure_reason: text(j, n, "failureReason")?,
                url: text(j, n, "url")?,
                pipeline_id: text(j, n, "pipelineId")?,
            })
        }
        None => None,
    };
    let commit_status = match object(
        e.get("commitStatus"),
        "event.commitStatus",
        &["state", "rawState", "key", "url"],
    )? {
        Some(c) => {
            let n = "event.commitStatus";
            Some(CommitStatus {
                state: status_of(c, n, "state")?,
                raw_state: text(c, n, "rawState")?.unwrap_or_default(),
                key: text(c, n, "key")?,
                url: text(c, n, "url")?,
            })
        }
        None => None,
    };
    Ok(WebhookEvent {
        provider,
        kind,
        event: text(e, n, "event")?.unwrap_or_default(),
        action: text(e, n, "action")?,
        delivery_id: text(e, n, "deliveryId")?,
        dedupe_key: text(e, n, "dedupeKey")?.unwrap_or_default(),
        state_key: text(e, n, "stateKey")?,
        repository,
        sender,
        r#ref: text(e, n, "ref")?,
        commit_sha: text(e, n, "commitSha")?,
        merge_request,
        pipeline,
        job,
        commit_status,
    })
}
