// Generated from the Rust types of the forgelink crate by
// `FORGELINK_WRITE_TYPES=1 cargo test -p forgelink --features typescript --test typescript`.
// Do not edit: change the Rust type or its doc comment, and generate again.

/** A Git hosting product. Each deployment of it (cloud or self-hosted) shares its rules. */
export type ProviderId = "github" | "gitlab" | "bitbucket-cloud" | "bitbucket-data-center";

/**
 * Who runs the instance: the provider (`github.com`, `SUB.ghe.com`, `gitlab.com`,
 * `bitbucket.org`) or the customer.
 */
export type Deployment = "cloud" | "self-hosted";

/** What happened, across providers. */
export type WebhookEventKind = "push" | "tag_push" | "merge_request" | "pipeline" | "job" | "commit_status" | "ping" | "other";

/** A CI state, normalised. */
export type WebhookStatus = "pending" | "running" | "success" | "failure" | "canceled" | "skipped" | "manual";

/** The repository or project an event belongs to. */
export interface WebhookRepository {
  /** The provider's id (a number as a string, or Bitbucket Cloud's UUID). */
  id: string | null;
  /** The full path: `group/subgroup/project`, `owner/repo`, `workspace/repo`, `PROJECT/repo`. */
  fullPath: string | null;
  /** Its web page. */
  webUrl: string | null;
  /** Its default branch, where the payload says. */
  defaultBranch: string | null;
}

/** Who caused the event. */
export interface WebhookActor {
  /** The provider's id. */
  id: string | null;
  /** The login or username. */
  username: string | null;
  /** The display name. */
  name: string | null;
}

/** A merge request or pull request. */
export interface WebhookMergeRequest {
  /** The number people see (GitLab iid, GitHub number, Bitbucket id). */
  number: number | null;
  /** Its title. */
  title: string | null;
  /** `open`, `merged`, `closed` or `locked`. */
  state: string | null;
  /** The branch it merges from. */
  sourceBranch: string | null;
  /** The branch it merges into. */
  targetBranch: string | null;
  /** Its web page. */
  url: string | null;
}

/** A pipeline: GitLab pipeline, GitHub workflow run or check suite. */
export interface WebhookPipeline {
  /** The provider's id. */
  id: string | null;
  /**
   * Which run of it this is, where the provider keeps the id across re-runs and counts them
   * (GitHub's `run_attempt`, from 1): a re-run that fails again is news again.
   */
  attempt: number | null;
  /** The normalised status. */
  status: WebhookStatus;
  /** The provider's own status (and conclusion), as sent. */
  rawStatus: string;
  /** The branch or tag. */
  ref: string | null;
  /** The commit. */
  sha: string | null;
  /** Its web page. */
  url: string | null;
  /** When it started, as the provider wrote it. */
  startedAt: string | null;
  /**
   * When it finished, as the provider wrote it. A finished GitLab pipeline's state key
   * names this second: a pipeline retried under its id has no attempt count, and each
   * attempt finishes at its own time.
   */
  finishedAt: string | null;
}

/** A job: GitLab build, GitHub workflow job or check run. */
export interface WebhookJob {
  /** The provider's id. */
  id: string | null;
  /** Its name. */
  name: string | null;
  /** Its stage (GitLab) or workflow (GitHub). */
  stage: string | null;
  /** The normalised status. */
  status: WebhookStatus;
  /** The provider's own status (and conclusion), as sent. */
  rawStatus: string;
  /** Why it failed, where the provider says (GitLab `build_failure_reason`). */
  failureReason: string | null;
  /** Its web page. */
  url: string | null;
  /** The pipeline it belongs to. */
  pipelineId: string | null;
}

/** A commit status (GitHub status, Bitbucket build status). */
export interface WebhookCommitStatus {
  /** The normalised state. */
  state: WebhookStatus;
  /** The provider's own state. */
  rawState: string;
  /** What set it (GitHub `context`, Bitbucket `key`). */
  key: string | null;
  /** Where it links to. */
  url: string | null;
}

/** A delivery in the one model every provider shares. */
export interface WebhookEvent {
  /** Who sent it. */
  provider: ProviderId;
  /** What happened. */
  kind: WebhookEventKind;
  /** The provider's event name (`workflow_job`, `Job Hook`, `repo:commit_status_updated`). */
  event: string;
  /** The provider's action, where it sends one (`opened`, `completed`). */
  action: string | null;
  /** The delivery's id. */
  deliveryId: string | null;
  /**
   * A key that is the same for every copy of this delivery (redeliveries, retries), to
   * receive it once.
   */
  dedupeKey: string;
  /**
   * A key for the underlying object and its state, such as
   * `gitlab:git.example.com:group/app:pipeline:123:failure`: the same whether a delivery or
   * a poll reports it, so that each state is acted on once. There is none for events that
   * carry no such state (pings, other events).
   */
  stateKey: string | null;
  /** The repository or project. */
  repository: WebhookRepository | null;
  /** Who caused it. */
  sender: WebhookActor | null;
  /** The branch or tag (`refs/heads/main` on pushes, a branch name elsewhere). */
  ref: string | null;
  /** The commit. */
  commitSha: string | null;
  /** The merge request, where the event is about one. */
  mergeRequest: WebhookMergeRequest | null;
  /** The pipeline, where the event is about one. */
  pipeline: WebhookPipeline | null;
  /** The job, where the event is about one. */
  job: WebhookJob | null;
  /** The commit status, where the event sets one. */
  commitStatus: WebhookCommitStatus | null;
}
