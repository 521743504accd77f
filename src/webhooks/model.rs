//! One event model for every provider: what a product acts on, named the same everywhere.

use serde::{Deserialize, Serialize};

use crate::provider::Provider;

/// What happened, across providers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "WebhookEventKind"))]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Commits pushed to a branch.
    Push,
    /// A tag pushed.
    TagPush,
    /// A merge request (pull request) opened, updated, merged or closed.
    MergeRequest,
    /// A pipeline (workflow run, check suite) changed state.
    Pipeline,
    /// A job (workflow job, check run, GitLab build) changed state.
    Job,
    /// A commit status was set.
    CommitStatus,
    /// The provider tested the hook.
    Ping,
    /// Anything else; [`WebhookEvent::event`] keeps the provider's own name.
    Other,
}

/// A CI state, normalised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "WebhookStatus"))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Created, queued or waiting.
    Pending,
    /// Running.
    Running,
    /// Passed.
    Success,
    /// Failed, timed out, or errored.
    Failure,
    /// Canceled or stopped.
    Canceled,
    /// Skipped, or neutral.
    Skipped,
    /// Waiting for a person (a manual job, an approval).
    Manual,
}

/// The repository or project an event belongs to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "WebhookRepository"))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Repository {
    /// The provider's id (a number as a string, or Bitbucket Cloud's UUID).
    pub id: Option<String>,
    /// The full path: `group/subgroup/project`, `owner/repo`, `workspace/repo`, `PROJECT/repo`.
    pub full_path: Option<String>,
    /// Its web page.
    pub web_url: Option<String>,
    /// Its default branch, where the payload says.
    pub default_branch: Option<String>,
}

/// Who caused the event.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "WebhookActor"))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Actor {
    /// The provider's id.
    pub id: Option<String>,
    /// The login or username.
    pub username: Option<String>,
    /// The display name.
    pub name: Option<String>,
}

/// A merge request or pull request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "WebhookMergeRequest"))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MergeRequest {
    /// The number people see (GitLab iid, GitHub number, Bitbucket id).
    pub number: Option<u64>,
    /// Its title.
    pub title: Option<String>,
    /// `open`, `merged`, `closed` or `locked`.
    pub state: Option<String>,
    /// The branch it merges from.
    pub source_branch: Option<String>,
    /// The branch it merges into.
    pub target_branch: Option<String>,
    /// Its web page.
    pub url: Option<String>,
}

/// A pipeline: GitLab pipeline, GitHub workflow run or check suite.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "WebhookPipeline"))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Pipeline {
    /// The provider's id.
    pub id: Option<String>,
    /// Which run of it this is, where the provider keeps the id across re-runs and counts them
    /// (GitHub's `run_attempt`, from 1): a re-run that fails again is news again.
    pub attempt: Option<u64>,
    /// The normalised status.
    pub status: Status,
    /// The provider's own status (and conclusion), as sent.
    #[serde(default)]
    pub raw_status: String,
    /// The branch or tag.
    pub r#ref: Option<String>,
    /// The commit.
    pub sha: Option<String>,
    /// Its web page.
    pub url: Option<String>,
    /// When it started, as the provider wrote it.
    pub started_at: Option<String>,
    /// When it finished, as the provider wrote it. A finished GitLab pipeline's state key
    /// names this second: a pipeline retried under its id has no attempt count, and each
    /// attempt finishes at its own time.
    pub finished_at: Option<String>,
}

/// A job: GitLab build, GitHub workflow job or check run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "WebhookJob"))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Job {
    /// The provider's id.
    pub id: Option<String>,
    /// Its name.
    pub name: Option<String>,
    /// Its stage (GitLab) or workflow (GitHub).
    pub stage: Option<String>,
    /// The normalised status.
    pub status: Status,
    /// The provider's own status (and conclusion), as sent.
    #[serde(default)]
    pub raw_status: String,
    /// Why it failed, where the provider says (GitLab `build_failure_reason`).
    pub failure_reason: Option<String>,
    /// Its web page.
    pub url: Option<String>,
    /// The pipeline it belongs to.
    pub pipeline_id: Option<String>,
}

/// A commit status (GitHub status, Bitbucket build status).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "WebhookCommitStatus"))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CommitStatus {
    /// The normalised state.
    pub state: Status,
    /// The provider's own state.
    #[serde(default)]
    pub raw_state: String,
    /// What set it (GitHub `context`, Bitbucket `key`).
    pub key: Option<String>,
    /// Where it links to.
    pub url: Option<String>,
}

/// A delivery in the one model every provider shares.
///
/// Read back from JSON (`stateKey` takes one) with unknown fields refused; the provider's own
/// words and the dedupe key may be left out by a caller who writes an event by hand, with only
/// the fields its key needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebhookEvent {
    /// Who sent it.
    pub provider: Provider,
    /// What happened.
    pub kind: EventKind,
    /// The provider's event name (`workflow_job`, `Job Hook`, `repo:commit_status_updated`).
    #[serde(default)]
    pub event: String,
    /// The provider's action, where it sends one (`opened`, `completed`).
    pub action: Option<String>,
    /// The delivery's id.
    pub delivery_id: Option<String>,
    /// A key that is the same for every copy of this delivery (redeliveries, retries), to
    /// receive it once.
    #[serde(default)]
    pub dedupe_key: String,
    /// A key for the underlying object and its state, such as
    /// `gitlab:git.example.com:group/app:pipeline:123:failure`: the same whether a delivery or
    /// a poll reports it, so that each state is acted on once. There is none for events that
    /// carry no such state (pings, other events).
    pub state_key: Option<String>,
    /// The repository or project.
    pub repository: Option<Repository>,
    /// Who caused it.
    pub sender: Option<Actor>,
    /// The branch or tag (`refs/heads/main` on pushes, a branch name elsewhere).
    pub r#ref: Option<String>,
    /// The commit.
    pub commit_sha: Option<String>,
    /// The merge request, where the event is about one.
    pub merge_request: Option<MergeRequest>,
    /// The pipeline, where the event is about one.
    pub pipeline: Option<Pipeline>,
    /// The job, where the event is about one.
    pub job: Option<Job>,
    /// The commit status, where the event sets one.
    pub commit_status: Option<CommitStatus>,
}
