//! Polling as pure request builders and response readers: the lists a poll reads, their
//! requests, their answers, rate-limit readings and state keys. In the `flows` build only, with
//! the other readers of provider answers. Resources and events arrive as JSON (`flows.js` has
//! checked their field names; serde names whatever else is wrong).

use forgelink::{
    Actor, CommitStatus, EventKind, HttpRequest, Job, MergeRequest, Pipeline, PollResource,
    Provider, Repository, Status, WebhookEvent,
};
use serde::{Deserialize, Serialize};

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
struct PollRequest {
    resource: PollResource,
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
    match from_json::<EventInput>("event", event).and_then(EventInput::into_event) {
        Ok(event) => ok(&forgelink::state_key(&event)),
        Err(invalid) => invalid,
    }
}

/// A [`WebhookEvent`] as its JSON reads back: the core only writes events, so the names of its
/// kinds and statuses are matched here.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EventInput {
    provider: String,
    kind: String,
    #[serde(default)]
    event: String,
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    delivery_id: Option<String>,
    #[serde(default)]
    dedupe_key: String,
    #[serde(default)]
    state_key: Option<String>,
    #[serde(default)]
    repository: Option<RepositoryInput>,
    #[serde(default)]
    sender: Option<ActorInput>,
    #[serde(default, rename = "ref")]
    r#ref: Option<String>,
    #[serde(default)]
    commit_sha: Option<String>,
    #[serde(default)]
    merge_request: Option<MergeRequestInput>,
    #[serde(default)]
    pipeline: Option<PipelineInput>,
    #[serde(default)]
    job: Option<JobInput>,
    #[serde(default)]
    commit_status: Option<CommitStatusInput>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RepositoryInput {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    full_path: Option<String>,
    #[serde(default)]
    web_url: Option<String>,
    #[serde(default)]
    default_branch: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ActorInput {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct MergeRequestInput {
    #[serde(default)]
    number: Option<u64>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    source_branch: Option<String>,
    #[serde(default)]
    target_branch: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PipelineInput {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    attempt: Option<u64>,
    status: String,
    #[serde(default)]
    raw_status: String,
    #[serde(default, rename = "ref")]
    r#ref: Option<String>,
    #[serde(default)]
    sha: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    started_at: Option<String>,
    #[serde(default)]
    finished_at: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct JobInput {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    stage: Option<String>,
    status: String,
    #[serde(default)]
    raw_status: String,
    #[serde(default)]
    failure_reason: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    pipeline_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CommitStatusInput {
    state: String,
    #[serde(default)]
    raw_state: String,
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

/// The kind an event's JSON names.
fn event_kind(name: &str) -> Result<EventKind, String> {
    Ok(match name {
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
                "`event.kind` is not an event kind: `{name}` (push, tag_push, merge_request, \
                 pipeline, job, commit_status, ping, other)."
            )))
        }
    })
}

/// The status an event's JSON names.
fn status(field: &str, name: &str) -> Result<Status, String> {
    Ok(match name {
        "pending" => Status::Pending,
        "running" => Status::Running,
        "success" => Status::Success,
        "failure" => Status::Failure,
        "canceled" => Status::Canceled,
        "skipped" => Status::Skipped,
        "manual" => Status::Manual,
        _ => {
            return Err(invalid(&format!(
                "`{field}` is not a status: `{name}` (pending, running, success, failure, \
                 canceled, skipped, manual)."
            )))
        }
    })
}

impl EventInput {
    fn into_event(self) -> Result<WebhookEvent, String> {
        let provider: Provider = self.provider.parse().map_err(|e| crate::error(&e))?;
        let pipeline = match self.pipeline {
            Some(p) => Some(Pipeline {
                id: p.id,
                attempt: p.attempt,
                status: status("event.pipeline.status", &p.status)?,
                raw_status: p.raw_status,
                r#ref: p.r#ref,
                sha: p.sha,
                url: p.url,
                started_at: p.started_at,
                finished_at: p.finished_at,
            }),
            None => None,
        };
        let job = match self.job {
            Some(j) => Some(Job {
                id: j.id,
                name: j.name,
                stage: j.stage,
                status: status("event.job.status", &j.status)?,
                raw_status: j.raw_status,
                failure_reason: j.failure_reason,
                url: j.url,
                pipeline_id: j.pipeline_id,
            }),
            None => None,
        };
        let commit_status = match self.commit_status {
            Some(c) => Some(CommitStatus {
                state: status("event.commitStatus.state", &c.state)?,
                raw_state: c.raw_state,
                key: c.key,
                url: c.url,
            }),
            None => None,
        };
        Ok(WebhookEvent {
            provider,
            kind: event_kind(&self.kind)?,
            event: self.event,
            action: self.action,
            delivery_id: self.delivery_id,
            dedupe_key: self.dedupe_key,
            state_key: self.state_key,
            repository: self.repository.map(|r| Repository {
                id: r.id,
                full_path: r.full_path,
                web_url: r.web_url,
                default_branch: r.default_branch,
            }),
            sender: self.sender.map(|a| Actor { id: a.id, username: a.username, name: a.name }),
            r#ref: self.r#ref,
            commit_sha: self.commit_sha,
            merge_request: self.merge_request.map(|m| MergeRequest {
                number: m.number,
                title: m.title,
                state: m.state,
                source_branch: m.source_branch,
                target_branch: m.target_branch,
                url: m.url,
            }),
            pipeline,
            job,
            commit_status,
        })
    }
}
