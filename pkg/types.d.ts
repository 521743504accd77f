// Generated from forgelink's Rust types by
// `FORGELINK_WRITE_TYPES=1 cargo test -p forgelink-js --features typescript --lib typescript`.
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

/**
 * Every code forgelink produces, as listed by {@link errorCodes}. A code's meaning never changes
 * once released; {@link troubleshoot} explains each.
 */
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
  /** The scopes it grants as well, directly; checking scopes also follows what these imply. */
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

/**
 * The kinds of token `detectToken` and `tokenPrefixes` (in `forgelink/flows`) recognise by their
 * prefix.
 */
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
  /**
   * The issuer the provider named (RFC 9207), such as GitHub's `https://github.com/login/oauth`.
   */
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

/** The fields of a failure, which JavaScript throws as a `ForgelinkError`. */
export interface ForgelinkErrorBody {
  /** The stable code, such as `oauth.state_mismatch`. */
  code: ErrorCode;
  /** One sentence for a person. */
  message: string;
  /** What the provider itself said (an `error_description`, for instance), verbatim. */
  providerDetail?: string;
  /**
   * Seconds to wait before trying again, where the provider said (`Retry-After`, or when its
   * rate-limit window resets), counted from the moment of its answer.
   */
  retryAfter?: number;
  /** What the code means and the steps to fix it. */
  guidance: Guidance;
}

/** An HTTP request for the host to send as it is, without following redirects. */
export interface HttpRequest {
  /** `GET`, `POST`, `PUT`, `PATCH` or `DELETE`. */
  method: string;
  /** The absolute URL. */
  url: string;
  /** Header names and values, in order. */
  headers: Array<[string, string]>;
  /** The body: form-encoded or JSON text, when there is one. */
  body?: string;
}

/** The tokens of one grant. Times are unix seconds of the host's clock. */
export interface TokenSet {
  /** The access token. Secret. */
  accessToken: string;
  /** The token type, normally `bearer`. */
  tokenType: string;
  /**
   * The refresh token, where the provider issues one. Secret; single use where the provider
   * rotates them.
   */
  refreshToken?: string;
  /**
   * When the access token expires, where it does. Anchored to the response's `Date`, so that
   * a wrong local clock still refreshes in time.
   */
  expiresAt?: number;
  /** When the refresh token expires, where the provider says (GitHub App user tokens). */
  refreshTokenExpiresAt?: number;
  /**
   * The scopes granted, as the provider listed them (GitHub's commas and Bitbucket's
   * `scopes` read alike).
   */
  scopes: Array<string>;
}

/** What to show the person during a device authorization. */
export interface DeviceAuthorization {
  /** The code to poll with; keep it secret. */
  deviceCode: string;
  /** The short code the person types. */
  userCode: string;
  /** Where the person types it. */
  verificationUri: string;
  /** A URL with the code filled in, where the provider gives one. */
  verificationUriComplete?: string;
  /** When the device code expires, in unix seconds of the host's clock. */
  expiresAt: number;
  /** The seconds to wait between polls. */
  interval: number;
}

/**
 * A failed API call as its JSON reads: the coded error, what the response said about retrying
 * and scopes, and the guidance for the code.
 */
export interface ApiError {
  /** The stable code, such as `http.missing_scope`. */
  code: ErrorCode;
  /** One sentence for a person. */
  message: string;
  /** What the provider itself said, verbatim (shortened), when it said anything. */
  providerDetail: string | null;
  /** The response's status. */
  status: number;
  /** Seconds to wait before retrying, from `Retry-After` or the rate-limit headers. */
  retryAfter: number | null;
  /** When the rate limit resets, in the provider's unix seconds, where it says. */
  rateLimitReset: number | null;
  /** The scopes the call needs, where the provider says. */
  requiredScopes: Array<string>;
  /** The scopes the token has, where the provider says. */
  grantedScopes: Array<string>;
  /** What the code means and how to fix it. */
  guidance: Guidance;
}

/** Where to send the person. */
export interface ConnectStarted {
  /** The provider's authorization URL. */
  url: string;
  /** The state it carries (the flows keep it; callers may use it to find their session). */
  state: string;
}

/** The account a token acts as. */
export interface Account {
  /** The provider's stable id for the account (a number, or Bitbucket Cloud's UUID). */
  id: string;
  /** The login, username or slug. */
  username: string;
  /** The display name, where set. */
  name?: string;
  /** The account's profile page. */
  webUrl?: string;
}

/** Granted scopes against the profile's. */
export interface ScopeStatus {
  /**
   * The scopes granted, where the provider tells (it does not for fine-grained GitHub
   * tokens and Data Center access tokens).
   */
  granted: Array<string> | null;
  /** The profile's scopes that are not granted (empty when `granted` is unknown). */
  missing: Array<string>;
}

/**
 * Whether a connection still works without the person: `active`, its tokens work or can be
 * refreshed; `needs_reauthorization`, the person must re-authorize it or replace its
 * credentials.
 */
export type ConnectionStatus = "active" | "needs_reauthorization";

/** A connected account, as the caller sees it (no secrets). */
export interface Connection {
  /** The id to pass to the other flows. */
  id: string;
  /** The provider. */
  provider: ProviderId;
  /** The instance's base URL. */
  baseUrl: string;
  /** The account connected. */
  account: Account;
  /** Granted scopes against the profile. */
  scopes: ScopeStatus;
  /** When the access token expires, in unix seconds, where it does. */
  expiresAt?: number;
  /** The instance's version, for self-hosted deployments. */
  serverVersion?: string;
  /** Whether it still works without the person. */
  status: ConnectionStatus;
  /**
   * For a GitHub App connection: the installation (account, permissions, events,
   * repository selection, suspension) as last read or reported by the app's webhook. Its
   * permissions are what `scopes` lists as `name:level`.
   */
  installation?: Installation;
}

/** The outcome of one check. */
export type CheckStatus = "pass" | "warn" | "fail";

/** One line of a connection report. */
export interface Check {
  /**
   * `token`, `reachability`, `identity`, `server-version`, `scopes`, `token-expiry`,
   * `refresh-token` or `webhooks`; for a GitHub App, `installation` and `permissions`
   * in place of `identity` and `scopes`.
   */
  name: string;
  /** Pass, warn or fail. */
  status: CheckStatus;
  /** The code behind a warning or failure. */
  code?: ErrorCode;
  /** What was found, for a person. */
  message: string;
  /** How to fix a warning or failure. */
  guidance?: Guidance;
}

/** What {@link Forgelink.testConnection} found. */
export interface ConnectionReport {
  /** No check failed. */
  ok: boolean;
  /** Every check, in order. */
  checks: Array<Check>;
  /**
   * The connection as this test found it, so that a summary shown beside the checks never
   * contradicts them: the scopes, expiry and version read now, and the status
   * `needs-reauthorization` when a check failed in a way only new credentials fix. The
   * account stays the one that connected (the `identity` check names who the token acts as).
   */
  connection: Connection;
  /**
   * Whether the test reached the provider and read the values above; when it did not (the
   * token or the instance failed first), they are the ones stored when connecting.
   */
  observed: boolean;
}

/** What {@link Forgelink.disconnect} did and what is left to a person. */
export interface DisconnectReport {
  /** Whether the provider revoked the token. */
  revoked: boolean;
  /**
   * The webhooks forgelink had registered, and what became of each: every one not
   * `removed` is still at the provider, or may be. A failed one carries its guidance (the
   * hook is left at the provider, also when the provider refused the connection); one that
   * needed manual setup was never created by forgelink, and deleting it is its
   * administrator's part.
   */
  webhooks: Array<RegistrationResult>;
  /** Steps forgelink cannot take for the person. */
  manualSteps: Array<string>;
  /** For a GitHub App connection: whether the app was uninstalled from the account. */
  uninstalled?: boolean;
  /**
   * For a GitHub App connection left installed: the installation's settings page, where a
   * person uninstalls it.
   */
  uninstallUrl?: string;
}

/** Who sent a delivery and which one it is, from its headers alone. */
export interface WebhookIdentity {
  /** The provider. */
  provider: ProviderId;
  /** The provider's event name (`push`, `Pipeline Hook`, `repo:push`, `pr:opened`). */
  event: string;
  /**
   * The delivery's id. GitHub repeats it on redelivery; GitLab's `Idempotency-Key` (17.4+)
   * repeats on retry.
   */
  deliveryId: string | null;
  /**
   * The hook's id, where the provider sends it. Bitbucket Cloud's `X-Hook-UUID` is read
   * without braces and in lower case (its hooks API writes the same UUID as `{uuid}`).
   */
  hookId: string | null;
}

/** Which check passed. */
export type SignatureScheme =
  | "hmac-sha256"
  | "hmac-sha1"
  | "token"
  | "standard-webhooks"
  | "unsigned";

/** A delivery that passed {@link verifyWebhook}. */
export interface VerifiedWebhook {
  /** The provider that sent it. */
  provider: ProviderId;
  /** The check that passed. */
  scheme: SignatureScheme;
  /** Which of the given secrets matched (for rotation); none when unsigned. */
  secretIndex: number | null;
}

/** What {@link verifyAndParseWebhook} returns. */
export interface VerifiedWebhookEvent {
  /** Which check passed, and with which secret. */
  verified: VerifiedWebhook;
  /** The delivery, read. */
  event: WebhookEvent;
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

/**
 * A delivery in the one model every provider shares.
 *
 * Read back from JSON (`stateKey` takes one) with unknown fields refused; the provider's own
 * words and the dedupe key may be left out by a caller who writes an event by hand, with only
 * the fields its key needs.
 */
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

/**
 * A diagnostic about one line of a pasted list: `repository.invalid_path`,
 * `repository.group_path` or `repository.duplicate`.
 */
export interface LineDiagnostic {
  /** The line number, from 1. */
  line: number;
  /** The stable code, such as `base_url.trailing_slash`. */
  code: ErrorCode;
  /** Whether the input is unusable (`error`) or only worth a look (`warning`). */
  severity: Severity;
  /** One sentence for a person, naming what was found. */
  message: string;
  /** What to type instead, when there is one clear answer (`https://gitlab.example.com`). */
  suggestion?: string;
}

/** What {@link parseRepositoryList} read. */
export interface RepositoryList {
  /** The repository paths, in order, each once. */
  repositories: Array<string>;
  /** A diagnostic per bad or repeated line. */
  diagnostics: Array<LineDiagnostic>;
}

/** Whether the account's role on a project lets it create the project's webhooks. */
export interface WebhookAccess {
  /**
   * The least role that may create webhooks, in the provider's words: `maintainer`, `admin`,
   * `REPO_ADMIN`.
   */
  neededRole: string;
  /** Whether the role given is that role or above it. */
  allowed: boolean;
}

/** A hook as the provider describes it. */
export interface Hook {
  /**
   * The provider's id for it. Bitbucket Cloud's is its UUID as the API writes it, in braces
   * and lower case (`{908a6d9e-...}`); its deliveries name the hook without the braces.
   */
  id: string;
  /** Where it delivers. */
  url: string;
  /** Its events, in the provider's spelling. */
  events: Array<string>;
  /**
   * Whether it is enabled. GitLab's hooks are disabled only by GitLab itself, after
   * repeated failures: for a while (see `disabled_until`) after 4 failures in a row, for
   * good after 40.
   */
  active: boolean;
  /** Until when GitLab has paused the failing hook (its `disabled_until`), when it has. */
  disabledUntil: string | null;
  /**
   * Whether the hook holds a signing token (GitLab's `signing_token_present`), where the
   * provider says.
   */
  signingTokenSet: boolean | null;
}

/** One page of a project's hooks. */
export interface HookPage {
  /** The hooks on this page. */
  hooks: Array<Hook>;
  /** The URL of the next page, when there is one. */
  next: string | null;
}

/** A project or repository the connection can see. */
export interface Project {
  /** The provider's id. */
  id: string | null;
  /** The full path to register hooks and list it with: `group/subgroup/project`, `owner/repo`. */
  path: string;
  /** Its display name. */
  name: string | null;
  /** Its web page. */
  webUrl: string | null;
  /** Its default branch. */
  defaultBranch: string | null;
  /** The account's role on it, in the provider's words, where the provider tells. */
  role: string | null;
  /** Whether the repository uses SHA-256 object names (GitLab's `repository_object_format`). */
  sha256: boolean;
  /** For a SHA-256 repository: the `repository.sha256_unsupported` guidance to show with it. */
  guidance?: Guidance;
}

/** One page of projects. */
export interface ProjectPage {
  /** The projects on this page. */
  projects: Array<Project>;
  /** Pass this as `cursor` for the next page; none on the last page. */
  nextCursor: string | null;
  /** How many projects of this page the `exclude` patterns left out. */
  excluded: number;
}

/**
 * What happened on one project: `created`, `updated`, `removed`, `manual_setup_required`
 * (an administrator adds the hook by hand), `failed`, or `covered_by_app` (a GitHub App
 * connection, whose app webhook delivers every installed repository's events).
 */
export type RegistrationStatus =
  | "created"
  | "updated"
  | "removed"
  | "manual_setup_required"
  | "failed"
  | "covered_by_app";

/**
 * What an administrator pastes to create a hook by hand (Bitbucket Data Center without
 * admin rights).
 */
export interface ManualSetup {
  /** The URL to deliver to. */
  url: string;
  /** The secret to paste (freshly generated; keep it to verify the deliveries). */
  secret: string;
  /** The events to tick, in the provider's spelling. */
  events: Array<string>;
  /** Where to click, in order. */
  steps: Array<string>;
}

/** The outcome for one project. */
export interface RegistrationResult {
  /** The project. */
  project: string;
  /** What happened. */
  status: RegistrationStatus;
  /** The hook's id at the provider. */
  hookId?: string;
  /** Why it failed. */
  code?: ErrorCode;
  /** What failed, for a person. */
  message?: string;
  /** How to fix it. */
  guidance?: Guidance;
  /** For `manual_setup_required`: what to paste. */
  manualSetup?: ManualSetup;
}

/**
 * What became of a delivery. Act on `accepted` only, then confirm or release its claim.
 * `duplicate` is a copy already handled; `pending`, a copy another host is handling right
 * now: ask the provider to retry. `rejected` is not authentic or not readable. `ignored` is
 * authentic but about a GitHub App installation no connection holds.
 */
export type ReceiptStatus = "accepted" | "duplicate" | "pending" | "rejected" | "ignored";

/** The outcome of {@link Forgelink.receiveWebhook}. */
export interface Receipt {
  /** What became of it. */
  status: ReceiptStatus;
  /** The normalised event, for every authentic delivery. */
  event?: WebhookEvent;
  /**
   * The connection whose hook the delivery was sent to (by its route, never by what the
   * payload claims), for every authentic delivery.
   */
  connectionId?: string;
  /** The project that hook was registered on. */
  project?: string;
  /**
   * For an accepted delivery: the opaque token to pass to {@link Forgelink.confirmDelivery} once
   * the event is handled, or to {@link Forgelink.releaseDelivery} when it could not be. (An
   * unsigned ping has none: it is never remembered.)
   */
  claim?: string;
  /** For a pending delivery: after how many seconds the provider should try again. */
  retryAfterSeconds?: number;
  /**
   * Why it was rejected: `webhook.unknown_route` for a URL forgelink gave no hook, a
   * signature or parse code otherwise.
   */
  code?: ErrorCode;
  /** What was wrong, for a person. */
  message?: string;
}

/**
 * How a connection learns what happened on its projects: deliveries (`webhook`), polling
 * (`polling`), or deliveries with polling as a safety net (`hybrid`).
 */
export type SyncMode = "webhook" | "polling" | "hybrid";

/** A reading of the provider's rate-limit headers. */
export interface RateLimit {
  /** Calls allowed in the window, where the provider says. */
  limit: number | null;
  /** Calls left in the window, where the provider says. */
  remaining: number | null;
  /** When the window resets, in unix seconds. */
  resetAt: number | null;
  /** Seconds to wait before the next call (`Retry-After`). */
  retryAfter: number | null;
  /** The provider warns that few calls are left (Bitbucket Cloud `X-RateLimit-NearLimit`). */
  nearLimit: boolean;
}

/** How a poll ended. */
export type PollStatus = "complete" | "incomplete" | "disabled";

/** What one project's poll found. */
export interface ProjectPoll {
  /** The project. */
  project: string;
  /** Where this poll started looking, in unix seconds. */
  since: number;
  /** New events reported. */
  events: number;
  /** Events already reported (by a delivery or an earlier poll). */
  duplicates: number;
  /** Whether every list was read, so that the cursor moved. */
  complete: boolean;
  /**
   * Why a list could not be read; or, when every list was read and the poll found what the
   * project's webhook should have delivered, why the webhook did not (`webhook.hook_disabled`,
   * `webhook.hook_missing`).
   */
  code?: ErrorCode;
  /** What failed, for a person. */
  message?: string;
  /** How to fix it. */
  guidance?: Guidance;
}

/** The outcome of {@link Forgelink.pollEvents}. */
export interface PollResult {
  /**
   * Whether everything was read: `complete`; `incomplete` when a rate limit or the request
   * budget stopped it (the cursors of unread projects did not move); `disabled` in webhook
   * mode.
   */
  status: PollStatus;
  /** The connection's mode. */
  mode: SyncMode;
  /**
   * New events, in the normalised model deliveries use; none of them was reported before
   * by a delivery or a poll.
   */
  events: Array<WebhookEvent>;
  /** How many events were left out as already reported. */
  duplicates: number;
  /**
   * Every project's cursor after this poll, to pass as `cursor` to start from here again
   * (the cursors are also stored: passing it is optional).
   */
  cursor: string;
  /**
   * When to call again, in unix seconds: after the interval, and never before the
   * provider's rate limit allows. There is none in webhook mode.
   */
  nextPollAt: number | null;
  /** The last rate-limit reading. */
  rateLimit?: RateLimit;
  /** Each project's outcome. */
  projects: Array<ProjectPoll>;
}

/** Where feedback may go, in the order a policy tries them. */
export type FeedbackTarget = "merge_request" | "commit" | "issue";

/** Whether the comment is new. */
export type FeedbackAction = "created" | "updated";

/** A target that was tried or skipped before the one that took the feedback. */
export interface SkippedTarget {
  /** The target. */
  target: FeedbackTarget;
  /** Why it did not take the feedback; none when the request gave nothing for it. */
  code?: ErrorCode;
  /** What happened, for a person. */
  message: string;
}

/** Where the feedback landed. */
export interface FeedbackResult {
  /** The target that took it. */
  target: FeedbackTarget;
  /** Created or updated. */
  action: FeedbackAction;
  /** The comment's id at the provider (for a new issue: its number). */
  commentId: string;
  /** Its web page, where the provider says. */
  url?: string;
  /** The issue's number, when the feedback went to an issue. */
  issue?: number;
  /** The targets tried or skipped first, in order. */
  skipped: Array<SkippedTarget>;
}

/**
 * What a poll request lists: pipelines, one pipeline read again, one pipeline's jobs, merge
 * requests, pushes, Data Center's most recently changed branches, or one commit's build
 * statuses.
 */
export type PollResource =
  | {
      resource: "pipelines";
    }
  | {
      resource: "pipeline";
      /** The pipeline's id. */
      pipelineId: string;
      /** Its `updated_at` as the list gave it, so that each version is read once. */
      updatedAt: string | null;
    }
  | {
      resource: "jobs";
      /** The pipeline's id. */
      pipelineId: string;
    }
  | {
      resource: "merge_requests";
    }
  | {
      resource: "pushes";
    }
  | {
      resource: "branches";
    }
  | {
      resource: "commit_statuses";
      /** The commit. */
      sha: string;
    };

/** What one poll response held. */
export interface PollPage {
  /** The events, newest first as the provider lists them, each with its state key. */
  events: Array<WebhookEvent>;
  /** What to read next for these events: a pipeline's jobs, a commit's build statuses. */
  followUps: Array<PollResource>;
  /**
   * The next page of the same list, when there is one and it may still hold changes
   * since the cursor: send the same request with this URL.
   */
  nextPage: string | null;
  /** The response's rate-limit reading. */
  rateLimit: RateLimit;
}

/** One request of a poll, with the list it reads. */
export interface PollRequest {
  /** The list the request reads; pass it to {@link parsePollResponse} with the answer. */
  resource: PollResource;
  /** The request to send. */
  request: HttpRequest;
}

/** One place to post at. */
export type FeedbackLocation =
  | {
      target: "merge_request";
      /** Its number. */
      number: number;
    }
  | {
      target: "commit";
      /** Its SHA. */
      sha: string;
    }
  | {
      target: "issue";
      /** Its number. */
      number: number;
    }
  | {
      target: "new_issue";
      /** Its title. */
      title: string;
    };

/** A comment (or, for a new issue, the issue) as the provider describes it. */
export interface Comment {
  /** The provider's id (for a new issue: its number). */
  id: string;
  /** Its Markdown body. */
  body: string;
  /** Its web page, where the provider says. */
  url: string | null;
  /** GitLab commit discussions: the discussion holding the note, which an update needs. */
  discussionId: string | null;
  /** Data Center: the version an update must name. */
  version: number | null;
}

/** One page of comments. */
export interface CommentPage {
  /** The comments on this page. */
  comments: Array<Comment>;
  /** The next page's URL, when there is one: send the list request again with it. */
  next: string | null;
}

/** How much a permission grants, in GitHub's order. */
export type AccessLevel = "read" | "write" | "admin";

/** Who owns an app or an installation. */
export interface AppAccount {
  /** The login. */
  login: string;
  /** GitHub's numeric id. */
  id: number;
  /** `User` or `Organization`. */
  kind: string;
}

/** How a repository list was chosen. */
export type RepositorySelection = "all" | "selected";

/** An installation of the app, as GitHub describes it. */
export interface Installation {
  /** The installation's id. */
  id: number;
  /** The app. */
  appId: number;
  /** The app's slug. */
  appSlug?: string;
  /** The account it is installed on. */
  account: AppAccount;
  /** All repositories or the selected ones. */
  repositorySelection: RepositorySelection;
  /** The permissions granted, by name (`read`, `write`, `admin`). */
  permissions: Record<string, string>;
  /** The events delivered. */
  events: Array<string>;
  /** When it was suspended (RFC 3339), if it is. */
  suspendedAt?: string;
  /** Its settings page. */
  htmlUrl?: string;
}

/**
 * The form that creates the app: post `manifest` to `action` from the person's browser (an
 * HTML form with one hidden field, submitted by the person or by script).
 */
export interface AppManifestForm {
  /** The URL to post to, `state` included. */
  action: string;
  /** The value of the form's `manifest` field: the manifest as JSON. */
  manifest: string;
}

/** What the person did on the installation page. */
export type SetupAction = "install" | "update" | "request";

/**
 * The setup callback, read. `installation_id` comes from the browser and proves nothing by
 * itself: anyone can type any id into the setup URL. Connect it only with the `code` (the app
 * asks for user authorization during installation, and forgelink checks that this person can
 * reach the installation) or after the installation's own signed `installation` webhook.
 */
export interface AppSetup {
  /** The installation, except for a request (an organization owner must approve it first). */
  installationId: number | null;
  /** Install, update or request. */
  setupAction: SetupAction;
  /** The state given to {@link githubAppInstallUrl}, to check against the session. */
  state: string | null;
  /** The user authorization code, when the app requests it during installation. Secret. */
  code: string | null;
}

/** One GitHub App permission a profile needs, with the reason. */
export interface PermissionNeed {
  /** The permission, as the API names it (`pull_requests`). */
  permission: string;
  /** The least level that serves. */
  level: AccessLevel;
  /** Why the profile needs it. */
  reason: string;
}

/**
 * What a GitHub App needs for a profile: its permissions, and the events its webhook
 * subscribes to (the profile's GitHub webhook events: an app's events have the same names).
 */
export interface AppNeeds {
  /** The profile. */
  profile: ProfileId;
  /** The permissions to ask for. */
  permissions: Array<PermissionNeed>;
  /** The events to subscribe to. */
  events: Array<Need>;
}

/** Which kind of account resource a permission applies to. */
export type PermissionTarget = "repository" | "organization" | "account" | "enterprise";

/** A GitHub App permission: its name in the API, what it lets the app do, the levels it takes. */
export interface AppPermission {
  /** The permission as the API names it (`pull_requests`). */
  name: string;
  /** What it applies to. */
  target: PermissionTarget;
  /** The levels it takes (`read`, `write`, `admin`). */
  levels: Array<AccessLevel>;
  /** What it lets the app do. */
  meaning: string;
}

/**
 * A new app, as the manifest conversion returns it. Its secrets belong where the product
 * keeps secrets, never in logs; the private key goes to the host's signer.
 */
export interface GitHubAppCredentials {
  /** The instance the app lives on. */
  baseUrl: string;
  /** The app's id (the JWT's issuer, with the client id). */
  appId: number;
  /** Its URL name (`/apps/{slug}`). */
  slug: string;
  /** Its display name. */
  name: string;
  /** Who owns it. */
  owner: AppAccount | null;
  /** Its page. */
  htmlUrl: string | null;
  /** The OAuth client id of its user authorizations, and the JWT issuer GitHub recommends. */
  clientId: string;
  /** The OAuth client secret. Secret. */
  clientSecret: string;
  /** The secret its webhook deliveries are signed with, when it has a webhook. */
  webhookSecret: string | null;
  /** The private key (PKCS#1 PEM, `BEGIN RSA PRIVATE KEY`) its JWTs are signed with. */
  privateKey: string;
  /** The permissions it asks installations for. */
  permissions: Record<string, string>;
  /** The events it subscribes to. */
  events: Array<string>;
}

/** Where the app's webhook now delivers. */
export interface AppWebhook {
  /** The delivery URL set on the app. */
  url: string;
  /** Its route id, as {@link Forgelink.receiveWebhook} takes it. */
  route: string;
}
