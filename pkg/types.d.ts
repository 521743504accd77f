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

/**
 * How much a diagnostic matters: `error`, the input cannot be used as it is; `warning`, it was
 * used (perhaps normalised) but deserves a look.
 */
export type Severity = "error" | "warning";

/** Every code forgelink produces, as listed by {@link errorCodes}. A code's meaning never changes once released; {@link troubleshoot} explains each. */
export type ErrorCode =
  | "base_url.empty"
  | "base_url.missing_scheme"
  | "base_url.unsupported_scheme"
  | "base_url.insecure_http"
  | "base_url.trailing_slash"
  | "base_url.credentials"
  | "base_url.query_or_fragment"
  | "base_url.api_path"
  | "base_url.project_path"
  | "base_url.whitespace"
  | "base_url.invalid_host"
  | "base_url.invalid_port"
  | "base_url.wrong_provider"
  | "base_url.cloud_host"
  | "base_url.not_cloud"
  | "base_url.required"
  | "redirect_uri.invalid"
  | "redirect_uri.fragment"
  | "redirect_uri.insecure"
  | "redirect_uri.mismatch"
  | "redirect_uri.trailing_slash_mismatch"
  | "scope.unknown"
  | "scope.not_requestable"
  | "profile.unknown"
  | "profile.unsupported"
  | "provider.unknown"
  | "input.invalid"
  | "input.unknown_code"
  | "input.insufficient_entropy"
  | "oauth.invalid_client_id"
  | "oauth.invalid_client"
  | "oauth.pkce_unsupported"
  | "oauth.invalid_callback"
  | "oauth.missing_state"
  | "oauth.state_mismatch"
  | "oauth.missing_code"
  | "oauth.duplicate_parameter"
  | "oauth.access_denied"
  | "oauth.invalid_scope"
  | "oauth.redirect_uri_mismatch"
  | "oauth.issuer_mismatch"
  | "oauth.callback_mismatch"
  | "oauth.session_mismatch"
  | "oauth.invalid_grant"
  | "oauth.bad_verification_code"
  | "oauth.authorization_pending"
  | "oauth.slow_down"
  | "oauth.expired_token"
  | "oauth.device_flow_disabled"
  | "oauth.device_flow_unsupported"
  | "oauth.unverified_user_email"
  | "oauth.unsupported_grant_type"
  | "oauth.invalid_request"
  | "oauth.client_secret_required"
  | "oauth.revoke_unsupported"
  | "oauth.authorization_expired"
  | "oauth.provider_error"
  | "http.unauthorized"
  | "http.forbidden"
  | "http.missing_scope"
  | "http.not_found"
  | "http.rate_limited"
  | "http.server_error"
  | "http.login_redirect"
  | "http.unexpected_status"
  | "connection.not_found"
  | "connection.needs_reauthorization"
  | "connection.refresh_in_progress"
  | "connection.disconnected"
  | "connection.lease_lost"
  | "connection.account_mismatch"
  | "connection.instance_mismatch"
  | "host.random_failed"
  | "host.sign_failed"
  | "github_app.jwt_rejected"
  | "github_app.installation_suspended"
  | "github_app.permission_missing"
  | "github_app.installation_not_accessible"
  | "storage.failed"
  | "storage.corrupt"
  | "network.timeout"
  | "network.unreachable"
  | "network.connection_refused"
  | "network.name_not_resolved"
  | "network.address_blocked"
  | "network.insecure_http"
  | "http.response_too_large"
  | "tls.untrusted_certificate"
  | "tls.plain_http_on_https"
  | "token.expired"
  | "webhook.missing_signature"
  | "webhook.signature_mismatch"
  | "webhook.malformed_signature"
  | "webhook.no_secret"
  | "webhook.timestamp_out_of_range"
  | "webhook.unknown_route"
  | "webhook.unknown_provider"
  | "webhook.unsupported_provider"
  | "webhook.body_too_large"
  | "webhook.invalid_payload"
  | "token.not_access_token"
  | "token.app_password_retired"
  | "token.invalid_response"
  | "server.too_old"
  | "server.deprecated"
  | "repository.invalid_path"
  | "repository.duplicate"
  | "repository.group_path"
  | "webhook.limit_reached"
  | "webhook.hook_disabled"
  | "webhook.hook_missing"
  | "repository.sha256_unsupported"
  | "feedback.no_target"
  | "feedback.locked"
  | "feedback.forbidden"
  | "init.required";

/** The identifiers of the use-case presets returned by {@link profiles}. */
export type ProfileId =
  | "ci-failure-analysis"
  | "deployments"
  | "engineering-metrics"
  | "secret-sync"
  | "secret-scanning"
  | "code-correlation";

/** One finding about an input, with a stable code that `troubleshoot` explains. */
export interface Diagnostic {
  /** The stable code, such as `base_url.trailing_slash`. */
  code: ErrorCode;
  /** Whether the input is unusable (`error`) or only worth a look (`warning`). */
  severity: Severity;
  /** One sentence for a person, naming what was found. */
  message: string;
  /** What to type instead, when there is one clear answer (`https://gitlab.example.com`). */
  suggestion?: string;
}

/** How to learn which scopes a token was actually granted. */
export type ScopeSource =
  | {
      source: "header";
      /** The header's name (`X-OAuth-Scopes`). */
      header: string;
      /** A cheap authenticated call whose response carries the header. */
      url: string;
    }
  | {
      source: "endpoint";
      /** The endpoint to `GET` with the token. */
      url: string;
      /** The JSON field holding the scopes. */
      field: string;
    }
  | {
      source: "token-response";
      /** The field of the token response. */
      field: string;
    };

/**
 * The pages, under a deployment's web base URL, where a person sets up access. There is none
 * where the provider has no such page under the base URL alone: Bitbucket Cloud's OAuth
 * consumers belong to a workspace, and its API tokens are made on the Atlassian account.
 */
export interface SettingsPages {
  /**
   * Where to register an OAuth application. GitHub: New OAuth App
   * (<https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/creating-an-oauth-app>);
   * GitLab: the user's Applications
   * (<https://docs.gitlab.com/integration/oauth_provider/#create-a-user-owned-application>);
   * Bitbucket Data Center: Application links, for administrators
   * (<https://confluence.atlassian.com/bitbucketserver/configure-an-incoming-link-1108483657.html>).
   */
  oauthApp: string | null;
  /**
   * Where to create a personal access token. GitHub: a new token (classic); GitLab: Access
   * tokens (<https://docs.gitlab.com/user/profile/personal_access_tokens/>); Bitbucket Data
   * Center: HTTP access tokens
   * (<https://confluence.atlassian.com/bitbucketserver/http-access-tokens-939515499.html>).
   */
  accessTokens: string | null;
}

/**
 * Every URL forgelink's flows call for one deployment, and the settings pages a person opens
 * there.
 */
export interface Endpoints {
  /** The provider. */
  provider: ProviderId;
  /** Cloud or self-hosted. */
  deployment: Deployment;
  /** The web base URL people browse. */
  web: string;
  /** The REST API base. */
  api: string;
  /** Where the browser goes to authorize. */
  authorize: string;
  /** Where codes and refresh tokens are exchanged. */
  token: string;
  /**
   * Where tokens are revoked, when the provider offers it. GitHub's holds a `{client_id}`
   * placeholder and takes the client's Basic credentials.
   */
  revoke: string | null;
  /** Where the device flow starts, when the provider offers it. */
  deviceAuthorization: string | null;
  /** The call that identifies the token's account. */
  currentUser: string;
  /**
   * Where there is no "current user" endpoint (Bitbucket Data Center): the header naming the
   * account on the response of the current user call (`X-AUSERNAME`).
   */
  currentUserHeader: string | null;
  /** The call that tells the server's version, where one exists. */
  version: string | null;
  /** How to read the scopes a token was granted. */
  grantedScopes: ScopeSource;
  /** The pages a person opens to register an OAuth application or create a token. */
  settingsPages: SettingsPages;
}

/**
 * Which kind of credential carries a scope. `api-token`: a Bitbucket Cloud API token scope
 * (`read:repository:bitbucket`), for which write does not imply read. `oauth`: every other
 * scope: OAuth applications', and access tokens' where they share the names.
 *
 * Bitbucket Cloud has both vocabularies, whose names never overlap: one catalog holds both,
 * and a required scope names its own kind, so checking scopes needs no argument to tell them
 * apart.
 */
export type ScopeKind = "oauth" | "api-token";

/** One scope of a provider. */
export interface ScopeInfo {
  /** The scope's name in the provider's own spelling (`read_api`, `repo:status`, `REPO_READ`). */
  name: string;
  /** What it grants, in one line. */
  description: string;
  /** The scopes it grants as well, directly (checking scopes follows them on). */
  implies: Array<string>;
  /**
   * The scopes it grants as well, but on public repositories only: GitHub's `public_repo`
   * is `repo` limited to public repositories, including their webhooks. Empty for every
   * other scope.
   */
  impliesOnPublicRepositories: Array<string>;
  /**
   * Which kind of credential carries it. Bitbucket Cloud's catalog holds both kinds; their
   * names never overlap.
   */
  kind: ScopeKind;
}

/** Whether granted scopes cover the required ones. */
export interface ScopeCheck {
  /** Every required scope is granted, directly or through another scope that implies it. */
  satisfied: boolean;
  /** The required scopes that are not covered, in the order required. */
  missing: Array<string>;
  /** The granted scopes as read (deduplicated, in the order given). */
  granted: Array<string>;
  /**
   * The missing scopes that the grant covers on public repositories only (GitHub's
   * `public_repo` covers `admin:repo_hook` there): enough for a public repository, not for
   * a private or internal one. Left out when empty.
   */
  publicRepositoriesOnly?: Array<string>;
}

/** One thing a profile needs, with the reason in one line. */
export interface Need {
  /** The scope, role or event, in the provider's own spelling. */
  name: string;
  /** Where the need comes from. */
  reason: string;
}

/**
 * How scopes reach the provider. `request`: they go in the authorization request.
 * `consumer-permissions`: they are ticked on the OAuth consumer (Bitbucket Cloud).
 */
export type ScopeMode = "request" | "consumer-permissions";

/** What one provider needs for a profile. */
export interface ProviderNeeds {
  /** The provider. */
  provider: ProviderId;
  /**
   * Whether the provider can serve this use case at all; where it cannot, the reason of the
   * minimum role says why.
   */
  supported: boolean;
  /** How the scopes are obtained. */
  scopeMode: ScopeMode;
  /**
   * The scopes (or consumer permissions) to obtain: for OAuth, and for access tokens that
   * use the same names.
   */
  scopes: Array<Need>;
  /**
   * The scopes an API token needs for the same access, where API tokens have scopes of
   * their own (Bitbucket Cloud: `read:repository:bitbucket`, ...; write does not include
   * read there, so both are listed where both are used). Empty elsewhere: the other
   * providers' personal tokens use the names in `scopes`.
   */
  apiTokenScopes: Array<Need>;
  /** The least role on each project that the connected account or token must hold. */
  minRole: Need;
  /** The webhook events to subscribe to. */
  webhookEvents: Array<Need>;
}

/** The kinds of token `detectToken` and `tokenPrefixes` (in `forgelink/flows`) recognise by their prefix. */
export type TokenKind =
  | "fine-grained-pat"
  | "classic-pat"
  | "oauth"
  | "app-user"
  | "app-installation"
  | "refresh"
  | "access-token"
  | "oauth-application-secret"
  | "deploy-token"
  | "pipeline-trigger"
  | "runner"
  | "runner-registered"
  | "ci-job"
  | "feed"
  | "scim"
  | "incoming-email"
  | "kubernetes-agent"
  | "workspace"
  | "feature-flags-client"
  | "api-token"
  | "app-password"
  | "http-access-token"
  | "unknown";

/**
 * When a kind of token stops working, as dates (unix seconds, UTC). Dates are data: whoever
 * reads them judges them against their own clock (the flows use the host's), never against
 * the day forgelink was built.
 */
export interface Retirement {
  /** From when no new token of this kind can be created. */
  creationStoppedAt: number;
  /** From when the provider refuses these tokens at times, to make remaining users notice. */
  brownoutsFrom: number;
  /** From when the provider refuses every token of this kind. */
  removedAt: number;
  /** The provider's announcement. */
  source: string;
}

/** What a token's prefix reveals. Never holds the token itself. */
export interface TokenInfo {
  /** The provider that issues tokens with this prefix, when one does. */
  provider: ProviderId | null;
  /** A stable identifier of the kind, such as `classic-pat`; `unknown` when nothing matched. */
  kind: TokenKind;
  /** What it is, for a person. */
  description: string;
  /**
   * Whether forgelink can connect with it as an access token (refresh tokens, secrets and
   * runner tokens cannot). A retired kind stays usable here until its removal date, which
   * `retirement` gives for the caller to judge.
   */
  usableAsAccessToken: boolean;
  /** For a kind the provider is retiring (Bitbucket Cloud app passwords): its dates. */
  retirement?: Retirement;
}

/**
 * A prefix a provider's tokens start with, and what a token with it is: the fields of
 * `TokenInfo`, and the prefix. (They are spelled out rather than flattened, which would cost
 * the npm package's smaller WebAssembly module serde's map machinery.)
 */
export interface TokenPrefix {
  /** The prefix, such as `glpat-` or `ATATT`. */
  prefix: string;
  /** The provider that issues tokens with this prefix. */
  provider: ProviderId | null;
  /** A stable identifier of the kind, such as `classic-pat`. */
  kind: TokenKind;
  /** What it is, for a person. */
  description: string;
  /** Whether forgelink can connect with it as an access token. */
  usableAsAccessToken: boolean;
  /** For a kind the provider is retiring: its dates. */
  retirement?: Retirement;
}

/** A use-case preset. */
export interface Profile {
  /** The stable identifier, such as `ci-failure-analysis`. */
  id: ProfileId;
  /** A short title. */
  title: string;
  /** What a product with this profile does, in one sentence. */
  summary: string;
  /** The needs per provider, one entry for every provider. */
  providers: Array<ProviderNeeds>;
}

/** Where to send the person, and what to keep until they come back. */
export interface AuthorizationUrl {
  /** The provider's authorization URL with every parameter. */
  url: string;
  /**
   * The `state` to keep (single use) and compare with the callback's: 256 random bits,
   * base64url.
   */
  state: string;
  /** The PKCE verifier to keep secret and send with the code exchange, when PKCE is used. */
  codeVerifier?: string;
}

/** What a successful callback carries. */
export interface Callback {
  /** The authorization code, to exchange at once. Secret. */
  code: string;
  /** The issuer the provider named (RFC 9207), such as GitHub's `https://github.com/login/oauth`. */
  iss?: string;
}

/** What a code means, and the steps a person can follow to fix what it reports. */
export interface Guidance {
  /** The code this guidance explains. */
  code: ErrorCode;
  /** A short title. */
  title: string;
  /** What it means, in one or two sentences. */
  summary: string;
  /** What to do, in order; provider-specific steps (menu paths, role names) come first. */
  steps: Array<string>;
  /** The provider's documentation on the subject, when there is a page. */
  docsUrl?: string;
}

/** What happened, across providers. */
export type WebhookEventKind =
  | "push"
  | "tag_push"
  | "merge_request"
  | "pipeline"
  | "job"
  | "commit_status"
  | "ping"
  | "other";

/** A CI state, normalised. */
export type WebhookStatus =
  | "pending"
  | "running"
  | "success"
  | "failure"
  | "canceled"
  | "skipped"
  | "manual";

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
