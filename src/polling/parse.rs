//! Each provider's list responses, read into [`WebhookEvent`]s.
//!
//! Shapes follow the providers' API references: GitLab "Pipelines API", "Jobs API", "Merge
//! requests API" and "Events API"; GitHub "Workflow runs", "Workflow jobs", "Pulls" and
//! "Repository activities"; Bitbucket Cloud "Pipelines", "Pullrequests" and "Commit statuses";
//! Bitbucket Data Center "Pull requests", "Branches" and "Build status".

use serde::Serialize;
use serde_json::Value;

use crate::api::{api_failure, next_page, success_json};
use crate::endpoints::Endpoints;
use crate::error::Error;
use crate::http::HttpResponse;
use crate::identity::parse_timestamp;
use crate::json::text;
use crate::polling::rate_limit::{read_rate_limit, RateLimit};
use crate::polling::{with_state_key, PollResource};
use crate::provider::Provider;
use crate::providers::{bitbucket_cloud, bitbucket_data_center, github, gitlab};
use crate::repositories::repository_urls;
use crate::webhooks::{
    bitbucket_status, gitlab_status, Actor, CommitStatus, EventKind, Job, Pipeline, Repository,
    Status, WebhookEvent,
};

/// What one poll response held.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PollPage {
    /// The events, newest first as the provider lists them, each with its state key.
    pub events: Vec<WebhookEvent>,
    /// What to read next for these events: a pipeline's jobs, a commit's build statuses.
    pub follow_ups: Vec<PollResource>,
    /// The next page of the same list, when there is one and it may still hold changes
    /// since the cursor: send the same request with this URL.
    pub next_page: Option<String>,
    /// The response's rate-limit reading.
    pub rate_limit: RateLimit,
}

/// A Bitbucket Cloud pipeline's state: `{name, result: {name}}` when completed, `{name,
/// stage: {name}}` while in progress.
fn bitbucket_pipeline_status(state: &Value) -> (Status, String) {
    let name = text(state, &["name"]).unwrap_or_default();
    let detail = text(state, &["result", "name"]).or_else(|| text(state, &["stage", "name"]));
    let status = match (name.as_str(), detail.as_deref()) {
        ("COMPLETED", Some("SUCCESSFUL")) => Status::Success,
        ("COMPLETED", Some("FAILED" | "ERROR")) => Status::Failure,
        ("COMPLETED", Some("STOPPED" | "EXPIRED")) => Status::Canceled,
        ("IN_PROGRESS", Some("PAUSED" | "HALTED")) => Status::Manual,
        ("IN_PROGRESS", _) => Status::Running,
        _ => Status::Pending,
    };
    let raw = match detail {
        Some(detail) => format!("{name}/{detail}"),
        None => name,
    };
    (status, raw)
}

/// An event about `project` as polling sees it; the caller fills in the rest.
fn event(provider: Provider, kind: EventKind, name: &str, repository: &Repository) -> WebhookEvent {
    WebhookEvent {
        provider,
        kind,
        event: name.to_owned(),
        action: None,
        delivery_id: None,
        dedupe_key: String::new(),
        state_key: None,
        repository: Some(repository.clone()),
        sender: None,
        r#ref: None,
        commit_sha: None,
        merge_request: None,
        pipeline: None,
        job: None,
        commit_status: None,
    }
}

/// Seconds since the epoch of a timestamp written as text or as Data Center milliseconds.
fn time_of(value: &Value, path: &[&str]) -> Option<i64> {
    let mut current = value;
    for key in path {
        current = current.get(key)?;
    }
    match current {
        Value::Number(n) => n.as_i64().map(|ms| ms / 1000),
        Value::String(s) => parse_timestamp(s),
        _ => None,
    }
}

/// Reads one poll response. `request_url` is the URL that was fetched (for Data Center's
/// page arithmetic); `since` (unix seconds) drops what the API could not filter.
pub fn parse_poll_response(
    endpoints: &Endpoints,
    project: &str,
    resource: &PollResource,
    request_url: &str,
    response: &HttpResponse,
    since: i64,
    now: i64,
) -> Result<PollPage, Error> {
    let provider = endpoints.provider;
    let rate_limit = read_rate_limit(response, now);
    let body = success_json(
        provider,
        response,
        api_failure(provider, response),
        "The API answered something other than JSON.",
    )?;
    let (_, web) = repository_urls(endpoints, project)?;
    let repository = Repository {
        id: None,
        full_path: Some(project.trim().trim_matches('/').to_owned()),
        web_url: Some(web),
        default_branch: None,
    };
    // Data Center's builds resource answers one status when asked for a key, a page
    // otherwise; the deprecated build-status resource always a page.
    let single = (matches!(
        (provider, resource),
        (Provider::BitbucketDataCenter, PollResource::CommitStatuses { .. })
    ) && body.get("values").is_none()
        && body.get("state").is_some())
        || (matches!((provider, resource), (Provider::GitLab, PollResource::Pipeline { .. }))
            && body.is_object());
    let items: Vec<Value> = if single {
        vec![body.clone()]
    } else {
        match (provider, resource) {
            (Provider::GitHub, PollResource::Pipelines) => body["workflow_runs"].as_array(),
            (Provider::GitHub, PollResource::Jobs { .. }) => body["jobs"].as_array(),
            (Provider::GitHub | Provider::GitLab, _) => body.as_array(),
            (Provider::BitbucketCloud | Provider::BitbucketDataCenter, _) => {
                body["values"].as_array()
            }
        }
        .cloned()
        .unwrap_or_default()
    };
    let mut page =
        PollPage { events: Vec::new(), follow_ups: Vec::new(), next_page: None, rate_limit };
    // Whether the list, newest first, reached items older than `since`: no next page then.
    let mut reached_old = false;
    for item in &items {
        let read = match provider {
            Provider::GitLab => gitlab(item, resource, &repository, since),
            Provider::GitHub => github(item, resource, &repository, since),
            Provider::BitbucketCloud => bitbucket_cloud(item, resource, &repository, since),
            Provider::BitbucketDataCenter => data_center(item, resource, &repository, since),
        };
        match read {
            Read::Event(event, follow_up) => {
                let mut event = with_state_key(*event);
                event.dedupe_key = event.state_key.clone().unwrap_or_default();
                if event.state_key.is_some() {
                    page.events.push(event);
                }
                page.follow_ups.extend(follow_up);
            }
            Read::FollowUp(follow_up) => page.follow_ups.push(follow_up),
            Read::Old => reached_old = true,
            Read::Skip => {}
        }
    }
    page.follow_ups.dedup();
    if !reached_old {
        // Data Center's branch list is read as one page.
        let paged =
            !(provider == Provider::BitbucketDataCenter && *resource == PollResource::Branches);
        page.next_page = paged.then(|| next_page(provider, request_url, response, &body)).flatten();
    }
    Ok(page)
}

/// What one list item gave.
enum Read {
    /// An event, and what to read for it next.
    Event(Box<WebhookEvent>, Option<PollResource>),
    /// Nothing to report, but something to read.
    FollowUp(PollResource),
    /// Older than the cursor.
    Old,
    /// Nothing.
    Skip,
}

fn old(item: &Value, path: &[&str], since: i64) -> bool {
    time_of(item, path).is_some_and(|t| t < since)
}

fn gitlab(item: &Value, resource: &PollResource, repository: &Repository, since: i64) -> Read {
    let provider = Provider::GitLab;
    match resource {
        PollResource::Pipelines | PollResource::Pipeline { .. } => {
            let raw = text(item, &["status"]).unwrap_or_default();
            let status = gitlab_status(&raw);
            let id = text(item, &["id"]);
            // The list has no `finished_at`, which tells a retried pipeline's attempts apart:
            // a finished pipeline is read once more, on its own.
            if *resource == PollResource::Pipelines && gitlab::finished(status) {
                return match id {
                    Some(pipeline_id) => Read::FollowUp(PollResource::Pipeline {
                        pipeline_id,
                        updated_at: text(item, &["updated_at"]),
                    }),
                    None => Read::Skip,
                };
            }
            let pipeline = gitlab::read_pipeline(item);
            let mut e = event(provider, EventKind::Pipeline, "pipeline", repository);
            e.r#ref = pipeline.r#ref.clone();
            e.commit_sha = pipeline.sha.clone();
            e.pipeline = Some(pipeline);
            let follow_up = id.map(|pipeline_id| PollResource::Jobs { pipeline_id });
            Read::Event(Box::new(e), follow_up)
        }
        PollResource::Jobs { pipeline_id } => {
            let raw = text(item, &["status"]).unwrap_or_default();
            let mut e = event(provider, EventKind::Job, "job", repository);
            e.r#ref = text(item, &["ref"]);
            e.commit_sha =
                text(item, &["commit", "id"]).or_else(|| text(item, &["pipeline", "sha"]));
            e.sender = item.get("user").filter(|u| u.is_object()).map(|u| Actor {
                id: text(u, &["id"]),
                username: text(u, &["username"]),
                name: text(u, &["name"]),
            });
            e.job = Some(Job {
                id: text(item, &["id"]),
                name: text(item, &["name"]),
                stage: text(item, &["stage"]),
                status: gitlab_status(&raw),
                failure_reason: text(item, &["failure_reason"]).filter(|_| raw == "failed"),
                url: text(item, &["web_url"]),
                pipeline_id: text(item, &["pipeline", "id"]).or_else(|| Some(pipeline_id.clone())),
                raw_status: raw,
            });
            Read::Event(Box::new(e), None)
        }
        PollResource::MergeRequests => {
            let mut e = event(provider, EventKind::MergeRequest, "merge_request", repository);
            e.r#ref = text(item, &["source_branch"]);
            e.commit_sha = text(item, &["sha"]);
            e.sender = author(item, &["author"]);
            e.merge_request = Some(gitlab::read_merge_request(item));
            Read::Event(Box::new(e), None)
        }
        PollResource::Pushes => {
            if old(item, &["created_at"], since) {
                return Read::Old;
            }
            let push = &item["push_data"];
            let Some(sha) = text(push, &["commit_to"]) else { return Read::Skip };
            let tag = text(push, &["ref_type"]).as_deref() == Some("tag");
            let kind = if tag { EventKind::TagPush } else { EventKind::Push };
            let mut e = event(provider, kind, if tag { "tag_push" } else { "push" }, repository);
            let prefix = if tag { "refs/tags/" } else { "refs/heads/" };
            e.r#ref = text(push, &["ref"]).map(|r| format!("{prefix}{r}"));
            e.commit_sha = Some(sha);
            e.sender = author(item, &["author"]);
            Read::Event(Box::new(e), None)
        }
        _ => Read::Skip,
    }
}

fn author(item: &Value, path: &[&str]) -> Option<Actor> {
    let mut user = item;
    for key in path {
        user = user.get(key)?;
    }
    user.is_object().then(|| Actor {
        id: text(user, &["id"]).or_else(|| text(user, &["uuid"])),
        username: text(user, &["username"])
            .or_else(|| text(user, &["login"]))
            .or_else(|| text(user, &["nickname"]))
            .or_else(|| text(user, &["name"])),
        name: text(user, &["display_name"])
            .or_else(|| text(user, &["displayName"]))
            .or_else(|| text(user, &["name"])),
    })
}

fn github(item: &Value, resource: &PollResource, repository: &Repository, since: i64) -> Read {
    let provider = Provider::GitHub;
    match resource {
        PollResource::Pipelines => {
            // Listed by creation, back to the oldest run that can still be re-run: a run not
            // updated since the cursor was read before (a re-run updates it).
            if old(item, &["updated_at"], since) {
                return Read::Skip;
            }
            let pipeline = github::read_run(item);
            let mut e = event(provider, EventKind::Pipeline, "workflow_run", repository);
            e.r#ref = pipeline.r#ref.clone();
            e.commit_sha = pipeline.sha.clone();
            e.sender = author(item, &["actor"]);
            let id = pipeline.id.clone();
            e.pipeline = Some(pipeline);
            Read::Event(Box::new(e), id.map(|pipeline_id| PollResource::Jobs { pipeline_id }))
        }
        PollResource::Jobs { pipeline_id } => {
            let mut job = github::read_job(item);
            job.pipeline_id = job.pipeline_id.or_else(|| Some(pipeline_id.clone()));
            let mut e = event(provider, EventKind::Job, "workflow_job", repository);
            e.r#ref = text(item, &["head_branch"]);
            e.commit_sha = text(item, &["head_sha"]);
            e.job = Some(job);
            Read::Event(Box::new(e), None)
        }
        PollResource::MergeRequests => {
            if old(item, &["updated_at"], since) {
                return Read::Old;
            }
            let mut e = event(provider, EventKind::MergeRequest, "pull_request", repository);
            e.r#ref = text(item, &["head", "ref"]);
            e.commit_sha = text(item, &["head", "sha"]);
            e.sender = author(item, &["user"]);
            e.merge_request = Some(github::read_pull_request(item));
            Read::Event(Box::new(e), None)
        }
        PollResource::Pushes => {
            if old(item, &["timestamp"], since) {
                return Read::Old;
            }
            let r#ref = text(item, &["ref"]);
            let tag = r#ref.as_deref().is_some_and(|r| r.starts_with("refs/tags/"));
            let kind = if tag { EventKind::TagPush } else { EventKind::Push };
            let mut e = event(provider, kind, "push", repository);
            e.r#ref = r#ref;
            e.commit_sha = text(item, &["after"]);
            e.sender = author(item, &["actor"]);
            Read::Event(Box::new(e), None)
        }
        _ => Read::Skip,
    }
}

fn bitbucket_cloud(
    item: &Value,
    resource: &PollResource,
    repository: &Repository,
    since: i64,
) -> Read {
    let provider = Provider::BitbucketCloud;
    match resource {
        PollResource::Pipelines => {
            // Listed newest first by creation; a pipeline created before the cursor and still
            // running is read again through its commit's statuses.
            if old(item, &["created_on"], since)
                && item["state"]["name"].as_str() == Some("COMPLETED")
                && old(item, &["completed_on"], since)
            {
                return Read::Old;
            }
            let (status, raw_status) = bitbucket_pipeline_status(&item["state"]);
            let mut e = event(provider, EventKind::Pipeline, "pipeline", repository);
            let target = &item["target"];
            e.r#ref = text(target, &["ref_name"]);
            e.commit_sha = text(target, &["commit", "hash"]);
            e.sender = author(item, &["creator"]);
            let number = text(item, &["build_number"]);
            e.pipeline = Some(Pipeline {
                id: text(item, &["uuid"]),
                attempt: None,
                status,
                raw_status,
                r#ref: e.r#ref.clone(),
                sha: e.commit_sha.clone(),
                url: number
                    .zip(repository.web_url.clone())
                    .map(|(n, web)| format!("{web}/pipelines/results/{n}")),
                started_at: text(item, &["created_on"]),
                finished_at: text(item, &["completed_on"]),
            });
            let follow_up = e.commit_sha.clone().map(|sha| PollResource::CommitStatuses { sha });
            Read::Event(Box::new(e), follow_up)
        }
        PollResource::MergeRequests => {
            let mut e = event(provider, EventKind::MergeRequest, "pullrequest", repository);
            e.r#ref = text(item, &["source", "branch", "name"]);
            e.commit_sha = text(item, &["source", "commit", "hash"]);
            e.sender = author(item, &["author"]);
            e.merge_request = Some(bitbucket_cloud::read_pull_request(item));
            let follow_up = e.commit_sha.clone().map(|sha| PollResource::CommitStatuses { sha });
            Read::Event(Box::new(e), follow_up)
        }
        PollResource::CommitStatuses { sha } => {
            let mut e = event(provider, EventKind::CommitStatus, "commit_status", repository);
            e.r#ref = text(item, &["refname"]);
            e.commit_sha = text(item, &["commit", "hash"]).or_else(|| Some(sha.clone()));
            e.commit_status = Some(bitbucket_cloud::read_commit_status(item));
            Read::Event(Box::new(e), None)
        }
        _ => Read::Skip,
    }
}

fn data_center(item: &Value, resource: &PollResource, repository: &Repository, since: i64) -> Read {
    let provider = Provider::BitbucketDataCenter;
    match resource {
        PollResource::MergeRequests => {
            if old(item, &["updatedDate"], since) {
                // NEWEST orders by creation: an older pull request may still have been updated.
                return Read::Skip;
            }
            let mut e = event(provider, EventKind::MergeRequest, "pull_request", repository);
            e.r#ref = text(item, &["fromRef", "displayId"]);
            e.commit_sha = text(item, &["fromRef", "latestCommit"]);
            e.sender = author(item, &["author", "user"]);
            e.merge_request = Some(bitbucket_data_center::read_pull_request(item));
            let follow_up = e.commit_sha.clone().map(|sha| PollResource::CommitStatuses { sha });
            Read::Event(Box::new(e), follow_up)
        }
        PollResource::Branches => match text(item, &["latestCommit"]) {
            Some(sha) => Read::FollowUp(PollResource::CommitStatuses { sha }),
            None => Read::Skip,
        },
        PollResource::CommitStatuses { sha } => {
            // The builds resource dates a status `updatedDate` (and `createdDate`); the
            // deprecated build-status resource `dateAdded`.
            let changed =
                if item.get("updatedDate").is_some() { "updatedDate" } else { "dateAdded" };
            if old(item, &[changed], since) {
                return Read::Skip;
            }
            let raw = text(item, &["state"]).unwrap_or_default();
            let mut e = event(provider, EventKind::CommitStatus, "build_status", repository);
            e.commit_sha = Some(sha.clone());
            e.r#ref = text(item, &["ref"]);
            e.commit_status = Some(CommitStatus {
                state: bitbucket_status(&raw),
                raw_state: raw,
                key: text(item, &["key"]),
                url: text(item, &["url"]),
            });
            Read::Event(Box::new(e), None)
        }
        _ => Read::Skip,
    }
}
