//! Polling as a safety net for lost deliveries: what happened on each project since its
//! cursor, deduplicated against deliveries through the same state keys, within the provider's
//! rate limits.

use std::collections::{BTreeMap, BTreeSet};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::endpoints::Endpoints;
use crate::error::{Code, Error};
use crate::flows::connect::authorize;
use crate::flows::hooks::{state_storage_key, STATE_SECONDS};
use crate::flows::host::Host;
use crate::flows::record::Record;
use crate::flows::store::Change;
use crate::flows::Flows;
use crate::guidance::{troubleshoot, Guidance};
use crate::http::HttpRequest;
use crate::identity::parse_timestamp;
use crate::polling::{
    parse_poll_response, poll_resources, prepare_poll_request_at_version, PollResource, RateLimit,
};
use crate::webhooks::{EventKind, Status, WebhookEvent};

/// How far back the first poll of a project looks, by default.
const DEFAULT_LOOKBACK_DAYS: u32 = 30;
/// How often to poll, by default.
const DEFAULT_INTERVAL: u32 = 60;
/// The most requests one call sends, by default.
const DEFAULT_MAX_REQUESTS: u32 = 100;
/// The most pages read of one list.
const MAX_PAGES: usize = 5;
/// The most commits whose statuses one project's poll reads.
const MAX_STATUS_COMMITS: usize = 20;
/// The cursor stays this far behind the poll's start, for clocks that differ and lists that
/// lag: the overlap is read twice, and deduplicated.
const OVERLAP: i64 = 300;

/// How a connection learns what happened on its projects: deliveries (`webhook`), polling
/// (`polling`), or deliveries with polling as a safety net (`hybrid`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SyncMode {
    /// Deliveries only: [`Flows::poll_events`] sends nothing.
    Webhook,
    /// Polling only.
    Polling,
    /// Deliveries, with polling as a safety net for the ones lost (the default).
    #[default]
    Hybrid,
}

/// What [`Flows::poll_events`] needs.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct PollOptions {
    /// Project paths (`group/project`, `owner/repo`, `workspace/repo`, `PROJECT/repo`).
    pub projects: Vec<String>,
    /// Look from this time (unix seconds) instead of the cursors.
    pub since: Option<i64>,
    /// A `cursor` an earlier poll returned, instead of the stored cursors.
    pub cursor: Option<String>,
    /// How far back a project's first poll looks, in days (default 30).
    pub lookback_days: Option<u32>,
    /// Sets and stores the connection's mode.
    pub mode: Option<SyncMode>,
    /// Sets and stores the seconds between polls (default 60).
    pub interval_seconds: Option<u32>,
    /// The most requests this call sends (default 100).
    pub max_requests: Option<u32>,
}

/// How a poll ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum PollStatus {
    /// Every project was read; call again at `nextPollAt`.
    Complete,
    /// Some projects were not read, or read only in part: the provider's rate limit is spent,
    /// or this call's request budget. Their cursors did not move; call again at `nextPollAt`.
    Incomplete,
    /// The connection is in webhook mode: nothing was polled.
    Disabled,
}

/// What one project's poll found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ProjectPoll {
    /// The project.
    pub project: String,
    /// Where this poll started looking, in unix seconds.
    pub since: i64,
    /// New events reported.
    pub events: u32,
    /// Events already reported (by a delivery or an earlier poll).
    pub duplicates: u32,
    /// Whether every list was read, so that the cursor moved.
    pub complete: bool,
    /// Why a list could not be read; or, when every list was read and the poll found what the
    /// project's webhook should have delivered, why the webhook did not (`webhook.hook_disabled`,
    /// `webhook.hook_missing`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub code: Option<Code>,
    /// What failed, for a person.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub message: Option<String>,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub guidance: Option<Guidance>,
}

/// The outcome of [`Flows::poll_events`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PollResult {
    /// Whether everything was read: `complete`; `incomplete` when a rate limit or the request
    /// budget stopped it (the cursors of unread projects did not move); `disabled` in webhook
    /// mode.
    pub status: PollStatus,
    /// The connection's mode.
    pub mode: SyncMode,
    /// New events, in the normalised model deliveries use; none of them was reported before
    /// by a delivery or a poll.
    pub events: Vec<WebhookEvent>,
    /// How many events were left out as already reported.
    pub duplicates: u32,
    /// Every project's cursor after this poll, to pass as `cursor` to start from here again
    /// (the cursors are also stored: passing it is optional).
    pub cursor: String,
    /// When to call again, in unix seconds: after the interval, and never before the
    /// provider's rate limit allows. There is none in webhook mode.
    pub next_poll_at: Option<i64>,
    /// The last rate-limit reading.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub rate_limit: Option<RateLimit>,
    /// Each project's outcome.
    pub projects: Vec<ProjectPoll>,
}

/// A connection's polling settings, rate-limit wait and cursors (sealed).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct PollState {
    mode: SyncMode,
    interval_seconds: Option<u32>,
    blocked_until: Option<i64>,
    /// Per project (lower case), where the next poll starts, in unix seconds.
    cursors: BTreeMap<String, i64>,
}

pub(crate) fn state_key(id: &str) -> String {
    format!("forgelink/v1/poll/{id}")
}

fn encode_cursor(cursors: &BTreeMap<String, i64>) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(cursors).unwrap_or_default())
}

fn decode_cursor(cursor: &str) -> Result<BTreeMap<String, i64>, Error> {
    URL_SAFE_NO_PAD
        .decode(cursor.trim())
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| Error::new(Code::InputInvalid, "That is not a cursor a poll returned."))
}

/// Whether a next-page URL stays on the connection's API (or, for Data Center build
/// statuses, its REST root): a token never leaves its host.
fn on_api(endpoints: &Endpoints, url: &str) -> bool {
    url.starts_with(&format!("{}/", endpoints.api))
        || url.starts_with(&format!("{}/rest/", endpoints.web))
}

/// What one project's poll gathered.
struct Gathered {
    events: Vec<WebhookEvent>,
    duplicates: u32,
    complete: bool,
    /// The earliest start of a pipeline still running: the cursor must not pass it.
    in_flight_since: Option<i64>,
    error: Option<Error>,
}

/// The running budget and rate-limit state of one call.
struct Budget {
    requests_left: u32,
    blocked_until: Option<i64>,
    last: Option<RateLimit>,
}

impl<H: Host> Flows<H> {
    async fn poll_state(&self, id: &str) -> Result<PollState, Error> {
        Ok(self.read_sealed(&state_key(id)).await?.map(|(state, _)| state).unwrap_or_default())
    }

    /// Merges what this poll changed into the stored state through compare-and-swap, so that
    /// concurrent polls lose nothing: the settings the caller gave, the later rate-limit wait,
    /// and each project's cursor, which only moves forward.
    async fn save_poll_state(
        &self,
        id: &str,
        options: &PollOptions,
        ours: &PollState,
    ) -> Result<(), Error> {
        self.update_sealed(&state_key(id), None, |current: Option<PollState>| {
            let mut state = current.unwrap_or_default();
            if let Some(mode) = options.mode {
                state.mode = mode;
            }
            if options.interval_seconds.is_some() {
                state.interval_seconds = ours.interval_seconds;
            }
            state.blocked_until = state.blocked_until.max(ours.blocked_until);
            for (project, cursor) in &ours.cursors {
                let entry = state.cursors.entry(project.clone()).or_insert(*cursor);
                *entry = (*entry).max(*cursor);
            }
            Ok(Change::Write(state, ()))
        })
        .await
    }

    /// Lists what happened on each project since its cursor (or `since`, or, on a project's
    /// first poll, `lookbackDays` ago): pipelines and jobs, merge requests, pushes and build
    /// statuses, as the provider's API shows them. Returns only events that no delivery and
    /// no earlier poll reported: both claim the same state keys in storage. A finished GitLab
    /// pipeline is read once more on its own, once per version its list shows: its state key
    /// names when it finished, which the list leaves out.
    ///
    /// The provider's rate-limit headers are read on every response: when they allow no more
    /// calls, the poll stops, remembers until when, and sends nothing before then, even when
    /// called again. A project's cursor moves only when all its lists were read (or failed
    /// for a reason that does not pass by itself, such as a missing scope, which is
    /// reported); it stays behind pipelines still running, and five minutes behind the poll.
    ///
    /// Concurrent polls never report one event twice (each claim is a compare-and-swap);
    /// the stored settings and cursors are those of the last one to finish.
    pub async fn poll_events(&self, id: &str, options: PollOptions) -> Result<PollResult, Error> {
        self.load(id).await?; // The connection exists, whatever the mode.
        let mut state = self.poll_state(id).await?;
        let mut changed = false;
        if let Some(mode) = options.mode {
            changed |= state.mode != mode;
            state.mode = mode;
        }
        if let Some(interval) = options.interval_seconds {
            changed |= state.interval_seconds != Some(interval.max(1));
            state.interval_seconds = Some(interval.max(1));
        }
        let now = self.host.now();
        let interval = i64::from(state.interval_seconds.unwrap_or(DEFAULT_INTERVAL));
        let given = match &options.cursor {
            Some(cursor) => decode_cursor(cursor)?,
            None => BTreeMap::new(),
        };
        let mut result = PollResult {
            status: PollStatus::Complete,
            mode: state.mode,
            events: Vec::new(),
            duplicates: 0,
            cursor: String::new(),
            next_poll_at: None,
            rate_limit: None,
            projects: Vec::new(),
        };
        if state.mode == SyncMode::Webhook {
            if changed {
                self.save_poll_state(id, &options, &state).await?;
            }
            result.status = PollStatus::Disabled;
            result.cursor = encode_cursor(&given);
            return Ok(result);
        }
        let lookback = i64::from(options.lookback_days.unwrap_or(DEFAULT_LOOKBACK_DAYS))
            .saturating_mul(86_400);
        let mut budget = Budget {
            requests_left: options.max_requests.unwrap_or(DEFAULT_MAX_REQUESTS),
            blocked_until: state.blocked_until.filter(|until| *until > now),
            last: None,
        };
        let (record, endpoints) = if budget.blocked_until.is_none() {
            let (record, endpoints) = self.fresh(id).await?;
            (Some(record), Some(endpoints))
        } else {
            (None, None)
        };
        let mut cursors = BTreeMap::new();
        for project in &options.projects {
            let stored = state.cursors.get(&project.to_ascii_lowercase()).copied();
            let since = options
                .since
                .or_else(|| given.get(project).copied())
                .or(stored)
                .unwrap_or(now.saturating_sub(lookback));
            cursors.insert(project.clone(), since);
            let (Some(record), Some(endpoints)) = (&record, &endpoints) else {
                result.projects.push(not_polled(project, since, true));
                continue;
            };
            if budget.blocked_until.is_some() || budget.requests_left == 0 {
                result.projects.push(not_polled(project, since, budget.blocked_until.is_some()));
                continue;
            }
            let gathered =
                self.poll_project(record, endpoints, project, since, &mut budget).await?;
            let mut outcome = ProjectPoll {
                project: project.clone(),
                since,
                events: u32::try_from(gathered.events.len()).unwrap_or(u32::MAX),
                duplicates: gathered.duplicates,
                complete: gathered.complete,
                code: None,
                message: None,
                guidance: None,
            };
            // In hybrid mode a poll that finds news found what the project's hook should have
            // delivered: the hook is read once, so that a hook the provider disabled after
            // failing, or one someone deleted, is named here and not only in a report.
            let missed = state.mode == SyncMode::Hybrid
                && !gathered.events.is_empty()
                && gathered.error.is_none()
                && budget.blocked_until.is_none()
                && budget.requests_left > 0;
            let hook_problem = if missed {
                budget.requests_left = budget.requests_left.saturating_sub(1);
                self.hook_problem(record, endpoints, project).await.ok().flatten()
            } else {
                None
            };
            if let Some(error) = gathered.error.as_ref().or(hook_problem.as_ref().map(|p| &p.error))
            {
                outcome.code = Some(error.code);
                outcome.message = Some(error.message.clone());
                outcome.guidance = Some(troubleshoot(error.code, error.provider));
            }
            if gathered.complete {
                let start = now.saturating_sub(OVERLAP);
                let floor = now.saturating_sub(lookback.max(OVERLAP));
                let next = gathered
                    .in_flight_since
                    .map_or(start, |t| t.min(start))
                    .max(floor)
                    .max(since.min(start));
                state.cursors.insert(project.to_ascii_lowercase(), next);
                changed = true;
                cursors.insert(project.clone(), next);
            }
            result.duplicates = result.duplicates.saturating_add(gathered.duplicates);
            result.events.extend(gathered.events);
            result.projects.push(outcome);
        }
        if result.projects.iter().any(|p| !p.complete) {
            result.status = PollStatus::Incomplete;
        }
        let mut next = now.saturating_add(interval);
        if budget.last.is_some_and(|r| r.near_limit) {
            next = now.saturating_add(interval.saturating_mul(5));
        }
        if let Some(until) = budget.blocked_until {
            next = next.max(until);
        }
        if budget.blocked_until != state.blocked_until {
            state.blocked_until = budget.blocked_until;
            changed = true;
        }
        if changed {
            self.save_poll_state(id, &options, &state).await?;
        }
        result.next_poll_at = Some(next);
        result.rate_limit = budget.last;
        result.cursor = encode_cursor(&cursors);
        Ok(result)
    }

    /// Reads one project's lists and their follow-ups, claiming each event's state key.
    async fn poll_project(
        &self,
        record: &Record,
        endpoints: &Endpoints,
        project: &str,
        since: i64,
        budget: &mut Budget,
    ) -> Result<Gathered, Error> {
        let mut gathered = Gathered {
            events: Vec::new(),
            duplicates: 0,
            complete: true,
            in_flight_since: None,
            error: None,
        };
        let token = record.tokens.access_token.secret();
        let mut queue: Vec<PollResource> = poll_resources(endpoints.provider);
        // Pipelines whose jobs have not been read in their current state: pipeline id → the
        // storage key that records the read once it is done.
        let mut jobs_unread: BTreeMap<String, String> = BTreeMap::new();
        // Pipelines read on their own whose jobs are still to read: pipeline id → the storage
        // key that records, once they are, that this version of the pipeline was read.
        let mut pipelines_unfinished: BTreeMap<String, String> = BTreeMap::new();
        let mut commits: BTreeSet<String> = BTreeSet::new();
        let mut index = 0;
        while index < queue.len() {
            let resource = queue[index].clone();
            index = index.saturating_add(1);
            let mut request = match prepare_poll_request_at_version(
                endpoints,
                record.server_version.as_deref(),
                token,
                project,
                &resource,
                since,
            ) {
                Ok(request) => request,
                Err(error) => {
                    gathered.complete = false;
                    gathered.error = Some(error);
                    break;
                }
            };
            for _ in 0..MAX_PAGES {
                if budget.blocked_until.is_some() || budget.requests_left == 0 {
                    gathered.complete = false;
                    return Ok(gathered);
                }
                budget.requests_left = budget.requests_left.saturating_sub(1);
                authorize(&mut request, record);
                let url = request.url.clone();
                let response = match self.send(request.clone()).await {
                    Ok(response) => response,
                    Err(error) => {
                        gathered.complete &= !transient(error.code);
                        gathered.error = Some(error);
                        return Ok(gathered);
                    }
                };
                let now = self.host.now();
                let reading = crate::polling::read_rate_limit(&response, now);
                budget.last = Some(reading);
                if let Some(until) = reading.blocked_until(now, response.status) {
                    budget.blocked_until = Some(until);
                }
                let page = match parse_poll_response(
                    endpoints, project, &resource, &url, &response, since, now,
                ) {
                    Ok(page) => page,
                    Err(error) => {
                        gathered.complete &= !transient(error.code);
                        let stop = error.code == Code::HttpRateLimited;
                        gathered.error = Some(error);
                        if stop {
                            budget.blocked_until.get_or_insert(now.saturating_add(60));
                            return Ok(gathered);
                        }
                        break; // This list fails (a missing scope, a disabled feature); the others may not.
                    }
                };
                for event in page.events {
                    if let Some(pipeline) =
                        event.pipeline.as_ref().filter(|_| event.kind == EventKind::Pipeline)
                    {
                        if matches!(
                            pipeline.status,
                            Status::Pending | Status::Running | Status::Manual
                        ) {
                            let started = pipeline.started_at.as_deref().and_then(parse_timestamp);
                            gathered.in_flight_since = match (gathered.in_flight_since, started) {
                                (Some(a), Some(b)) => Some(a.min(b)),
                                (a, b) => a.or(b),
                            };
                        }
                    }
                    let Some(key) = event.state_key.clone() else { continue };
                    if event.kind == EventKind::Pipeline {
                        // Jobs are read once per pipeline state, whoever reported the state:
                        // their deliveries may have been lost too.
                        let marker = state_storage_key(&record.id, &format!("{key}:jobs"));
                        if let Some(id) = event.pipeline.as_ref().and_then(|p| p.id.clone()) {
                            if self.host.get(&marker).await?.is_none() {
                                jobs_unread.insert(id, marker);
                            }
                        }
                    }
                    if self.claim(&state_storage_key(&record.id, &key), now, STATE_SECONDS).await? {
                        gathered.events.push(event);
                    } else {
                        gathered.duplicates = gathered.duplicates.saturating_add(1);
                    }
                }
                for follow_up in page.follow_ups {
                    let wanted = match &follow_up {
                        PollResource::Pipeline { pipeline_id, updated_at } => match updated_at {
                            Some(updated) => {
                                let marker =
                                    pipeline_read_marker(&record.id, project, pipeline_id, updated);
                                let unread = self.host.get(&marker).await?.is_none();
                                if !unread {
                                    // Its state in this version was reported before.
                                    gathered.duplicates = gathered.duplicates.saturating_add(1);
                                }
                                unread
                            }
                            None => true,
                        },
                        PollResource::Jobs { pipeline_id } => jobs_unread.contains_key(pipeline_id),
                        PollResource::CommitStatuses { sha } => {
                            commits.len() < MAX_STATUS_COMMITS && commits.insert(sha.clone())
                        }
                        _ => false,
                    };
                    if wanted && !queue.contains(&follow_up) {
                        queue.push(follow_up);
                    }
                }
                match page.next_page {
                    Some(next) if on_api(endpoints, &next) => {
                        request = HttpRequest { url: next, ..request };
                    }
                    _ => {
                        match &resource {
                            PollResource::Jobs { pipeline_id } => {
                                if let Some(marker) = jobs_unread.get(pipeline_id) {
                                    self.claim(marker, now, STATE_SECONDS).await?;
                                }
                                if let Some(marker) = pipelines_unfinished.get(pipeline_id) {
                                    self.claim(marker, now, STATE_SECONDS).await?;
                                }
                            }
                            PollResource::Pipeline { pipeline_id, updated_at: Some(updated) } => {
                                // Read, once its jobs are read too: until then, a call cut
                                // short reads it again, and finds its jobs from it.
                                let marker =
                                    pipeline_read_marker(&record.id, project, pipeline_id, updated);
                                if jobs_unread.contains_key(pipeline_id) {
                                    pipelines_unfinished.insert(pipeline_id.clone(), marker);
                                } else {
                                    self.claim(&marker, now, STATE_SECONDS).await?;
                                }
                            }
                            _ => {}
                        }
                        break;
                    }
                }
            }
        }
        Ok(gathered)
    }
}

/// Where a poll records that it read a pipeline, in the version a list named (its
/// `updated_at`), on its own: so that a call cut short by its budget goes on from there.
fn pipeline_read_marker(
    connection: &str,
    project: &str,
    pipeline_id: &str,
    updated: &str,
) -> String {
    let name = format!("{}:pipeline:{pipeline_id}:{updated}:read", project.to_ascii_lowercase());
    state_storage_key(connection, &name)
}

/// A project left for the next call.
fn not_polled(project: &str, since: i64, rate_limited: bool) -> ProjectPoll {
    let (code, message) = if rate_limited {
        (
            Some(Code::HttpRateLimited),
            "Not polled: the provider's rate limit allows no more calls yet.",
        )
    } else {
        (None, "Not polled: this call's request budget is spent.")
    };
    ProjectPoll {
        project: project.to_owned(),
        since,
        events: 0,
        duplicates: 0,
        complete: false,
        code,
        message: Some(message.to_owned()),
        guidance: code.map(|code| troubleshoot(code, None)),
    }
}

/// Failures that may pass by themselves: the cursor waits for them. Others (a missing scope,
/// a feature turned off) are reported, and the cursor moves on.
fn transient(code: Code) -> bool {
    code.unreached()
        || matches!(
            code,
            Code::HttpRateLimited
                | Code::HttpServerError
                | Code::TokenExpired
                | Code::HttpUnauthorized
        )
}
