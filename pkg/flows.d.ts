/**
 * forgelink/flows: everything `forgelink` has, plus the token endpoint, the device flow, API
 * errors, webhook deliveries, GitHub Apps (manifest, installation, signers) and the
 * {@link Forgelink} class, which runs whole connections (OAuth, a pasted token or a GitHub App
 * installation; refresh, test, disconnect, projects and webhooks) over the `fetch` and
 * `storage` you give it.
 *
 * Its WebAssembly module is the whole of forgelink, about twice the size of the `forgelink`
 * entry's; import from `forgelink` where the pure functions are enough. Both entries throw
 * and export the same {@link ForgelinkError} class.
 *
 * In Node (20.16 and later) the WebAssembly module is loaded when the entry is imported. In a
 * browser, `await init()` once before calling anything else.
 *
 * @packageDocumentation
 */

import type {
  AccessLevel, Account, ApiError, AppAccount, AppManifestForm, AppNeeds, AppPermission, AppSetup,
  AppWebhook, Check, CheckStatus, Comment, CommentPage, ConnectStarted, Connection,
  ConnectionReport, ConnectionStatus, DeviceAuthorization, DisconnectReport, FeedbackAction,
  FeedbackLocation, FeedbackResult, FeedbackTarget, GitHubAppCredentials, Hook, HookPage,
  HttpRequest, Installation, LineDiagnostic, ManualSetup, PermissionNeed, PermissionTarget,
  PollPage, PollRequest, PollResource, PollResult, PollStatus, ProfileId, Project, ProjectPage,
  ProjectPoll, ProviderId, RateLimit, Receipt, ReceiptStatus, RegistrationResult,
  RegistrationStatus, RepositoryList, RepositorySelection, ScopeStatus, SetupAction,
  SignatureScheme, SkippedTarget, SyncMode, TokenInfo, TokenPrefix, TokenSet, VerifiedWebhook,
  VerifiedWebhookEvent, WebhookAccess, WebhookActor, WebhookCommitStatus, WebhookEvent,
  WebhookEventKind, WebhookIdentity, WebhookJob, WebhookMergeRequest, WebhookPipeline,
  WebhookRepository, WebhookStatus
} from "./types.js";

/** The values these functions return, declared in types.d.ts from the Rust types that make them. */
export type {
  AccessLevel, Account, ApiError, AppAccount, AppManifestForm, AppNeeds, AppPermission, AppSetup,
  AppWebhook, Check, CheckStatus, Comment, CommentPage, ConnectStarted, Connection,
  ConnectionReport, ConnectionStatus, DeviceAuthorization, DisconnectReport, FeedbackAction,
  FeedbackLocation, FeedbackResult, FeedbackTarget, GitHubAppCredentials, Hook, HookPage,
  HttpRequest, Installation, LineDiagnostic, ManualSetup, PermissionNeed, PermissionTarget,
  PollPage, PollRequest, PollResource, PollResult, PollStatus, Project, ProjectPage, ProjectPoll,
  RateLimit, Receipt, ReceiptStatus, RegistrationResult, RegistrationStatus, RepositoryList,
  RepositorySelection, ScopeStatus, SetupAction, SignatureScheme, SkippedTarget, SyncMode, TokenSet,
  VerifiedWebhook, VerifiedWebhookEvent, WebhookAccess, WebhookActor, WebhookCommitStatus,
  WebhookEvent, WebhookEventKind, WebhookIdentity, WebhookJob, WebhookMergeRequest, WebhookPipeline,
  WebhookRepository, WebhookStatus
};

import type { WasmSource, ForgelinkError, authorizationUrl } from "./index.js";

export * from "./index.js";

/**
 * Loads this entry's WebAssembly module. Needed once in browsers before any other call; in
 * Node the module is loaded at import and this resolves at once. Safe to call any number of
 * times. The `forgelink` entry has a module of its own, loaded by its own `init`.
 *
 * @param source Where the module is; by default `forgelink_flows_bg.wasm` next to this file.
 * @throws {ForgelinkError} `init.required` (as a rejection) when the module cannot be loaded.
 */
export function init(source?: WasmSource): Promise<void>;

/** An OAuth application registered on one deployment: what the token endpoint needs. */
export interface OAuthClient {
  provider: ProviderId;
  /** The instance's base URL; the provider's cloud when absent. */
  baseUrl?: string | null;
  /** The client id. */
  clientId: string;
  /** The client secret; absent for public clients that rely on PKCE. Bitbucket Cloud always needs it. */
  clientSecret?: string | null;
  /** The redirect URI of the authorization request: the code exchange repeats it, and GitLab's refresh too. */
  redirectUri?: string | null;
}

/** A response as the caller's HTTP client received it. */
export interface HttpResponse {
  /** The status code. */
  status: number;
  /** Header names and values, in order, names in any case. */
  headers: readonly (readonly [string, string])[];
  /** The raw body: bytes, or text (read as UTF-8). */
  body: Uint8Array | string;
}

/**
 * The request that exchanges an authorization code for tokens, with the client's credentials
 * placed the provider's way (Bitbucket Cloud: HTTP Basic; the others: form fields). Send it at
 * once: Bitbucket Data Center codes live ten seconds.
 *
 * @param codeVerifier The PKCE verifier from {@link authorizationUrl}, when PKCE was used.
 * @throws {ForgelinkError} `base_url.*`, `provider.unknown`, `oauth.client_secret_required`, `input.invalid`.
 */
export function prepareTokenExchange(client: OAuthClient, code: string, codeVerifier?: string | null): HttpRequest;

/**
 * The request that trades a refresh token for new tokens. Where the provider rotates refresh
 * tokens (GitLab, GitHub Apps, Bitbucket), the old one stops working once it succeeds.
 *
 * @throws {ForgelinkError} `input.invalid` (GitLab without `client.redirectUri`), `base_url.*`, `oauth.client_secret_required`.
 */
export function prepareRefresh(client: OAuthClient, refreshToken: string): HttpRequest;

/**
 * The request that revokes a token: GitLab's `/oauth/revoke`, GitHub's
 * `DELETE /applications/{client_id}/token`.
 *
 * @throws {ForgelinkError} `oauth.revoke_unsupported` (Bitbucket), `oauth.client_secret_required` (GitHub), `base_url.*`.
 */
export function prepareRevoke(client: OAuthClient, token: string): HttpRequest;

/**
 * The request that starts a device authorization (GitHub; GitLab 17.2+).
 *
 * @throws {ForgelinkError} `oauth.device_flow_unsupported`, `base_url.*`, `input.invalid`.
 */
export function prepareDeviceAuthorization(client: OAuthClient, scopes: readonly string[]): HttpRequest;

/**
 * The request that polls for a device authorization's tokens. Read the answer with
 * {@link parseTokenResponse}: `oauth.authorization_pending` and `oauth.slow_down` mean poll again later.
 *
 * @throws {ForgelinkError} `oauth.device_flow_unsupported`, `base_url.*`, `input.invalid`.
 */
export function prepareDevicePoll(client: OAuthClient, deviceCode: string): HttpRequest;

/**
 * Reads the answer to {@link prepareDeviceAuthorization}.
 *
 * @param now The caller's clock, in unix seconds.
 * @throws {ForgelinkError} the provider's OAuth error, `token.invalid_response`, `http.*`.
 */
export function parseDeviceAuthorization(provider: ProviderId, response: HttpResponse, now: number): DeviceAuthorization;

/**
 * Reads a token endpoint's answer (code exchange, refresh or device poll): JSON or GitHub's
 * form encoding, errors sent with HTTP 200 included.
 *
 * @param now The caller's clock, in unix seconds, when the response arrived.
 * @throws {ForgelinkError} every OAuth error as its code (`oauth.invalid_grant`,
 *   `oauth.invalid_client`, `oauth.bad_verification_code`, `oauth.authorization_pending`, ...),
 *   with the provider's `error_description` in `providerDetail`; `token.invalid_response`;
 *   `http.*` for other failures.
 */
export function parseTokenResponse(provider: ProviderId, response: HttpResponse, now: number): TokenSet;

/**
 * What a failed API call means (any status outside 2xx, redirects included): the code with its
 * guidance, and what the response said about retrying and scopes. Returned, not thrown.
 *
 * @throws {ForgelinkError} only `provider.unknown` and `input.invalid`.
 */
export function parseApiError(provider: ProviderId, response: HttpResponse): ApiError;

/**
 * The prefixes a provider's tokens start with, each with its kind and, for a kind the provider
 * is retiring (Bitbucket Cloud app passwords), its dates to judge against your clock.
 *
 * @throws {ForgelinkError} `provider.unknown`, `input.invalid`.
 */
export function tokenPrefixes(provider: ProviderId): TokenPrefix[];

/**
 * The provider and kind a token's prefix reveals (`ghp_`, `github_pat_`, `glpat-`, ...); never
 * echoes the token. `customPrefix`: a GitLab instance's personal access token prefix, which its
 * administrator can set in place of `glpat-`; a token starting with it is a GitLab access token.
 */
export function detectToken(token: string, customPrefix?: string): TokenInfo;

/**
 * Whether the access token expires within `skewSeconds` of `now` (unix seconds), and so should
 * be refreshed before its next use. A token set without `expiresAt` never needs it.
 */
export function needsRefresh(tokenSet: Pick<TokenSet, "expiresAt"> | TokenSet, now: number, skewSeconds: number): boolean;

/** The request the flows hand to the host's `fetch`. */
export interface FetchRequest {
  method: string;
  url: string;
  headers: [string, string][];
  /** The body's bytes (UTF-8 text: a form or JSON), when there is one. */
  body?: Uint8Array;
}

/** What the host's `fetch` answers. */
export interface FetchResponse {
  /** The status code. A redirect is an answer like any other: never follow it. */
  status: number;
  headers: readonly (readonly [string, string])[];
  body: Uint8Array;
}

/**
 * The host's HTTP client: sends the request as it is, never following redirects. A thrown
 * error becomes `network.timeout` (a `TimeoutError` or `AbortError`), `tls.plain_http_on_https`
 * (OpenSSL's "wrong version number": a plain HTTP answer to an https URL),
 * `network.name_not_resolved` (`ENOTFOUND`, `EAI_AGAIN`), `network.connection_refused`
 * (`ECONNREFUSED`), `tls.untrusted_certificate` (another certificate or TLS error code) or
 * `network.unreachable`; a thrown {@link ForgelinkError} keeps its
 * code. `network.address_blocked`, `network.insecure_http` and `http.response_too_large` (what
 * {@link fetchHost} throws for its address policy and body cap) also reach the flows as what they
 * are, so a report's check or a project's registration result names them too.
 */
export type HostFetch = (request: FetchRequest) => FetchResponse | Promise<FetchResponse>;

/**
 * How long a stored value must be kept, passed to {@link HostStorage.set} and
 * {@link HostStorage.compareAndSwap} for values that lose their use after a while: pending
 * authorizations, delivery and state claims, tombstones of disconnected connections.
 */
export interface StorageWriteOptions {
  /**
   * The value may be removed once this many seconds have passed (Redis `EX`, a DynamoDB TTL
   * attribute, an `expires_at` column a job sweeps). Honouring it is optional: the flows never
   * rely on a value being gone, and judge the expiry each value carries themselves. A storage
   * that ignores it grows with every delivery received, so a shared one should honour it.
   */
  ttlSeconds: number;
}

/**
 * A key-value store the host owns; each method may answer at once or with a promise. Several
 * {@link Forgelink} instances (processes, servers) may share one: `compareAndSwap` keeps an
 * authorization single-use, a delivery accepted once and a refresh single-caller. A thrown
 * error becomes `storage.failed`.
 */
export interface HostStorage {
  /** The value under `key`; `null` (or `undefined`) when there is none or it has expired. */
  get(key: string): Uint8Array | null | undefined | Promise<Uint8Array | null | undefined>;
  /** Stores `value`; `options` (only for values that expire) says after how long it may go. */
  set(key: string, value: Uint8Array, options?: StorageWriteOptions): void | Promise<void>;
  /** Removing a missing key succeeds. */
  delete(key: string): void | Promise<void>;
  /**
   * Atomically: when the value under `key` equals `expected` byte for byte (`null`: absent, or
   * expired where the storage honours `ttlSeconds`), store `value` (with `options` as for `set`)
   * and answer `true`; otherwise change nothing and answer `false`.
   */
  compareAndSwap(key: string, expected: Uint8Array | null, value: Uint8Array, options?: StorageWriteOptions): boolean | Promise<boolean>;
}

/** What forgelink asks {@link ForgelinkHost.sign} to sign. */
export interface SignRequest {
  /** RSASSA-PKCS1-v1_5 with SHA-256, as GitHub Apps' JSON web tokens are signed. */
  algorithm: "RS256";
  /** The GitHub App whose private key signs, as a decimal string: pick the key by it. */
  appId: string;
  /** The bytes to sign: the JWT's signing input (`header.payload`). A copy, the signer's to keep. */
  data: Uint8Array;
}

/**
 * The host's signer for GitHub Apps: answers the signature of `request.data` with the app's
 * private key. forgelink never holds the key; {@link nodeSigner} and {@link webCryptoSigner}
 * build one from a PEM, and a KMS or HSM fits behind the same function. A thrown error or a
 * rejection becomes `host.sign_failed`, with its message as `providerDetail`.
 */
export type HostSign = (request: SignRequest) => Uint8Array | Promise<Uint8Array>;

/** What {@link Forgelink} runs on. */
export interface ForgelinkHost {
  fetch: HostFetch;
  storage: HostStorage;
  /** 32 bytes from a secure source: everything stored is sealed with it (AES-256-GCM). */
  encryptionKey: Uint8Array;
  /** The clock, in milliseconds since 1970; `Date.now` when absent. For tests, and hosts whose clock is elsewhere. */
  now?: () => number;
  /**
   * Signs GitHub Apps' JSON web tokens; needed only for GitHub App connections. Without it,
   * every call that needs the app's token fails with `host.sign_failed`.
   */
  sign?: HostSign;
}

/** What {@link Forgelink.connectStart} needs. */
export interface ConnectStart {
  provider: ProviderId;
  /** The instance; the provider's cloud when absent. */
  baseUrl?: string | null;
  /** The OAuth application's client id. */
  clientId: string;
  /** Its secret, for confidential clients: kept sealed with the connection, for refreshes. */
  clientSecret?: string | null;
  /** The redirect URI registered on the application. */
  redirectUri: string;
  /** The profile whose scopes to request and check. */
  profile?: ProfileId | null;
  /** Scopes to request besides the profile's. */
  scopes?: readonly string[] | null;
  /** Whether to use PKCE; by default wherever the provider documents it (not Bitbucket Cloud, not GitHub Enterprise Server). */
  pkce?: boolean | null;
  /**
   * GitLab only: the numeric id of the top-level group whose SAML SSO the sign-in should go
   * through, sent as `root_namespace_id` (GitLab 18.2+, on by default from 18.3; older
   * instances ignore it). Another provider, or anything but a group id, is `input.invalid`.
   * Source: https://docs.gitlab.com/api/oauth2/#authorization-code-flow
   */
  rootNamespaceId?: string | number | null;
  /**
   * A value tied to the browser session that starts the authorization: a session id, or a
   * random value in a cookie set for the flow. forgelink stores only its hash, and
   * {@link Forgelink.connectFinish} must be given the same value. Without it, whoever has a
   * callback link can send it to someone else: opened in their session, it connects the
   * sender's account there (login CSRF). Non-empty when given.
   */
  session?: string | null;
  /**
   * To re-authorize an existing connection instead of creating one: its id. It must be of the
   * same provider and instance (else `connection.instance_mismatch`); {@link Forgelink.connectFinish}
   * then updates it in place, keeping its id, projects and webhooks, once the account is the
   * same (else `connection.account_mismatch`, and the new tokens are revoked).
   */
  connectionId?: string | null;
}

/** What {@link Forgelink.connectFinish} may need besides the callback URL. */
export interface ConnectFinishOptions {
  /** The session binding {@link ConnectStart.session} was given, read from the session the callback arrived in. */
  session?: string | null;
}

/** What {@link Forgelink.connectWithToken} needs. */
export interface ConnectWithToken {
  provider: ProviderId;
  /** The instance; the provider's cloud when absent. */
  baseUrl?: string | null;
  /** The personal, project, group or workspace access token. */
  token: string;
  /** Bitbucket Cloud API tokens: the Atlassian account email sent with it (HTTP Basic); app passwords (refused from 2026-07-28 by the host's clock): the username. */
  username?: string | null;
  /** The profile whose scopes to check. */
  profile?: ProfileId | null;
}

/** What {@link Forgelink.replaceCredentials} needs. */
export interface ReplaceCredentials {
  /** The new personal, project, group or workspace access token. */
  token: string;
  /** Bitbucket Cloud API tokens: the Atlassian account email sent with it (HTTP Basic). */
  username?: string | null;
}

/** How {@link Forgelink.disconnect} disconnects. */
export interface DisconnectOptions {
  /**
   * For a GitHub App connection: uninstall the app from the account too
   * (`DELETE /app/installations/{id}`, signed by the app). Without it the app stays installed
   * and the report's `uninstallUrl` links to where a person removes it.
   */
  uninstall?: boolean | null;
}

// ---------------------------------------------------------------------------------------------
// Webhook deliveries and repository lists.

/**
 * A delivery's headers as your server received them, names in any case: a `Headers`, a list of
 * `[name, value]` pairs, or an object of names to values (Node's `req.headers`; a repeated
 * header's array becomes one pair per value).
 */
export type WebhookHeaders =
  | Headers
  | readonly (readonly [string, string])[]
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * A delivery's body. Pass the raw bytes exactly as received: a signature is computed over
 * them, and a body parsed and serialised again (or decoded and re-encoded with another
 * encoding) no longer matches it. A string is encoded as UTF-8.
 */
export type WebhookBody = Uint8Array | string;

/** A delivery as received. */
export interface WebhookDelivery {
  headers: WebhookHeaders;
  /** The raw body; see {@link WebhookBody}. */
  body: WebhookBody;
}

/** What {@link verifyWebhook} checks. */
export interface VerifyWebhookRequest extends WebhookDelivery {
  /** The hook's secrets, the current one first while rotating; the answer says which matched. */
  secrets: readonly string[] | string;
  /** The current time in unix seconds, for timestamped signatures; this machine's clock when absent. */
  now?: number | null;
  /** How far a signed timestamp may be from `now`, in seconds; 300 when absent. */
  toleranceSeconds?: number | null;
  /** Accept a delivery without any signature. Only for one hook's known case (the Bitbucket Data Center test ping). */
  allowUnsigned?: boolean | null;
  /** Accept GitHub's legacy `X-Hub-Signature: sha1=` when no SHA-256 signature is sent. */
  allowSha1?: boolean | null;
}

/**
 * Tells the provider, event, delivery and hook from a delivery's headers. Gitea and Forgejo,
 * which also send GitHub's headers, are told apart (`webhook.unsupported_provider`).
 *
 * @throws {ForgelinkError} `webhook.unknown_provider`, `webhook.unsupported_provider`, `input.invalid`.
 */
export function identifyWebhook(headers: WebhookHeaders): WebhookIdentity;

/**
 * Checks a delivery's authenticity over its raw body: GitHub's and Bitbucket's HMAC-SHA256,
 * GitLab's token (in constant time) and its Standard Webhooks signature.
 *
 * @throws {ForgelinkError} `webhook.missing_signature`, `webhook.signature_mismatch`,
 *   `webhook.malformed_signature`, `webhook.no_secret`, `webhook.timestamp_out_of_range`,
 *   `webhook.unknown_provider`, `webhook.unsupported_provider`, `webhook.body_too_large`, `input.invalid`.
 */
export function verifyWebhook(request: VerifyWebhookRequest): VerifiedWebhook;

/**
 * {@link verifyWebhook}, then {@link parseWebhook}, in one call into the module: what a receiver
 * without storage runs. Nothing is parsed unless the delivery is authentic. In Node, the HMACs
 * are computed by `node:crypto` (forgelink still decides what is signed and compares).
 *
 * @throws {ForgelinkError} the errors of {@link verifyWebhook}, then those of {@link parseWebhook}.
 */
export function verifyAndParseWebhook(request: VerifyWebhookRequest): VerifiedWebhookEvent;

/**
 * Reads a delivery into {@link WebhookEvent}. It does not check the signature: call
 * {@link verifyWebhook} first, or let {@link Forgelink.receiveWebhook} do both.
 *
 * @throws {ForgelinkError} `webhook.invalid_payload`, `webhook.unknown_provider`, `webhook.unsupported_provider`, `input.invalid`.
 */
export function parseWebhook(delivery: WebhookDelivery): WebhookEvent;

/**
 * Reads one repository per line (`group/project`, `group/subgroup/project`, or a URL of one),
 * skipping blank lines and `#` comments, keeping repeats once. With `baseUrl`, URLs lose the
 * instance's path and URLs of other instances are reported. A line naming a group or
 * namespace (`group/`, a lone owner or workspace name, a group's page) is reported as
 * `repository.group_path`.
 *
 * @throws {ForgelinkError} only `input.invalid`.
 */
export function parseRepositoryList(text: string, baseUrl?: string | null): RepositoryList;

/**
 * Whether `role`, as {@link Project.role} reports it, may create the project's webhooks: null
 * for a role the provider does not name that way.
 *
 * @throws {ForgelinkError} `provider.unknown`, `input.invalid`.
 */
export function webhookAccess(provider: ProviderId, role: string): WebhookAccess | null;

/** A provider and, for self-hosted deployments, the instance. */
export interface Instance {
  provider: ProviderId;
  /** The instance; the provider's cloud when absent. */
  baseUrl?: string | null;
}

/** What a webhook should look like. */
export interface HookSpec {
  /** Where deliveries go. */
  url: string;
  /** The secret they are signed with (GitLab: sent as the token). Secret. */
  secret: string;
  /**
   * GitLab only: a signing token (`whsec_` and the base64 of 32 random bytes) with which GitLab
   * also signs each delivery as Standard Webhooks do, where the instance has the feature (see
   * `Hook.signingTokenSet`). Secret. Other providers refuse one with `input.invalid`.
   */
  signingSecret?: string | null;
  /** The events, in the provider's spelling: GitHub and Bitbucket event names, GitLab's `*_events` flags. */
  events: string[];
}

/**
 * The request that creates a webhook on `project` (`owner/repo`, `group/subgroup/project`,
 * `workspace/repo` or `PROJECT/repo`): JSON content, TLS verification on, signed with the secret.
 *
 * @throws {ForgelinkError} the base URL's errors, `repository.invalid_path`, `input.invalid`.
 */
export function prepareCreateHook(instance: Instance, token: string, project: string, hook: HookSpec): HttpRequest;
/** The request that updates webhook `hookId` on `project` to `hook` (its URL, events and a new secret). */
export function prepareUpdateHook(instance: Instance, token: string, project: string, hookId: string, hook: HookSpec): HttpRequest;
/** The request that removes webhook `hookId` from `project`. */
export function prepareDeleteHook(instance: Instance, token: string, project: string, hookId: string): HttpRequest;
/** The request for the first page of `project`'s webhooks; follow {@link HookPage.next}. */
export function prepareListHooks(instance: Instance, token: string, project: string): HttpRequest;
/**
 * Reads the answer to a create or update.
 *
 * @throws {ForgelinkError} the API's errors (`http.forbidden`, `http.not_found`, `webhook.limit_reached`...), `http.unexpected_status`.
 */
export function parseHook(provider: ProviderId, response: HttpResponse): Hook;
/** Reads a page of webhooks, with the next page the provider's way (Link headers, `next`, `isLastPage`). */
export function parseHookList(provider: ProviderId, requestUrl: string, response: HttpResponse): HookPage;

/** What {@link manualWebhookSetup} needs. */
export interface ManualWebhookSetupRequest {
  provider: ProviderId;
  /** The instance; the provider's cloud when absent. */
  baseUrl?: string | null;
  /** The repository, as its path. */
  project: string;
  /** Where deliveries go. */
  url: string;
  /** The profile whose webhook events to tick. */
  profile: ProfileId;
}

/**
 * What an administrator pastes to create a webhook by hand: the URL, a secret drawn from
 * `crypto.getRandomValues`, the profile's events and the steps on that provider's settings page.
 *
 * @throws {ForgelinkError} `base_url.*`, `profile.unknown`, `repository.invalid_path`, `input.invalid`.
 */
export function manualWebhookSetup(request: ManualWebhookSetupRequest): ManualSetup;

// ---------------------------------------------------------------------------------------------
// Projects and webhooks of a connection.

/** What {@link Forgelink.discoverProjects} lists. */
export interface DiscoverOptions {
  /** Only projects whose name matches. */
  search?: string | null;
  /** The `nextCursor` of the previous page. */
  cursor?: string | null;
  /**
   * Paths to leave out, such as `group/archived/*`: glob-like patterns compared without case,
   * `*` within one path segment, `**` across segments, `?` one character.
   */
  exclude?: readonly string[] | null;
}

/** What {@link Forgelink.registerWebhooks} needs. */
export interface RegisterWebhooks {
  /** Project paths (`group/project`, `owner/repo`, ...). */
  projects: readonly string[];
  /** Where deliveries go. */
  url: string | URL;
  /** The profile whose webhook events to subscribe to. */
  profile: ProfileId;
}

/** How {@link Forgelink.receiveWebhook} treats deliveries. */
export interface ReceiveOptions {
  /** How long a handled delivery's dedupe key is remembered, in seconds; 7 days when absent. */
  dedupeSeconds?: number | null;
  /**
   * How long an accepted delivery is held for its handler, in seconds; 60 when absent. Until
   * {@link Forgelink.confirmDelivery}, copies of it are `pending`; if it is neither confirmed
   * nor released by then (the process died), the claim lapses and a redelivery is accepted.
   */
  handlingSeconds?: number | null;
  /** Accept Bitbucket Data Center's unsigned test ping. */
  allowUnsignedPing?: boolean | null;
  /** How far a signed timestamp may be from now, in seconds; 300 when absent. */
  toleranceSeconds?: number | null;
}

/** What {@link Forgelink.pollEvents} needs. */
export interface PollOptions {
  /** Project paths (`group/project`, `owner/repo`, `workspace/repo`, `PROJECT/repo`). */
  projects: readonly string[];
  /** Look from this time (unix seconds) instead of the stored cursors. */
  since?: number | null;
  /** A `cursor` an earlier poll returned, instead of the stored cursors. */
  cursor?: string | null;
  /** How far back a project's first poll looks, in days (default 30). */
  lookbackDays?: number | null;
  /** Sets and stores the connection's mode (default `hybrid`). */
  mode?: SyncMode | null;
  /** Sets and stores the seconds between polls (default 60). */
  intervalSeconds?: number | null;
  /** The most requests this call sends (default 100). */
  maxRequests?: number | null;
}

/** Where feedback goes and whether it replaces its earlier version. */
export interface FeedbackPolicy {
  /** The targets to try, in order (default: merge request, commit, issue). */
  order?: readonly FeedbackTarget[];
  /** With a `key`: rewrite forgelink's earlier comment carrying it instead of adding one (default true). */
  updateExisting?: boolean;
}

/** What {@link Forgelink.postFeedback} needs. */
export interface PostFeedback {
  /** The project's path. */
  project: string;
  /** The merge request (pull request) number, when there is one. */
  mergeRequest?: number | null;
  /** The commit, for a commit comment. */
  commitSha?: string | null;
  /** An issue to comment on; without one, the issue target opens a new issue. */
  issue?: number | null;
  /** The title of a new issue. */
  issueTitle?: string | null;
  /** The comment, in Markdown. */
  body: string;
  /** Identifies this feedback across calls: with it, a later call updates the same comment (an HTML-comment marker). */
  key?: string | null;
  policy?: FeedbackPolicy | null;
}

/**
 * The lists a poll of one project starts with: pipelines, merge requests and pushes on GitLab
 * and GitHub; pipelines and pull requests on Bitbucket Cloud; pull requests and branches on
 * Bitbucket Data Center.
 *
 * @throws {ForgelinkError} `provider.unknown`, `input.invalid`.
 */
export function pollResources(provider: ProviderId): PollResource[];
/**
 * The request for one list of `project`, for what changed since `since` (unix seconds), with
 * the access `token`. Query parameters follow each provider's documentation (GitLab
 * `updated_after`, GitHub `created=>=`, Bitbucket Cloud `q=updated_on>=`, Data Center
 * `order=NEWEST`).
 *
 * @throws {ForgelinkError} the base URL's errors, `repository.invalid_path`, `input.invalid` (also for a list the provider does not have: pushes on Data Center).
 */
export function preparePollRequest(instance: Instance, token: string, project: string, resource: PollResource, since: number): HttpRequest;
/**
 * The first requests of a poll of `project`: one per list of {@link pollResources}.
 *
 * @throws {ForgelinkError} as {@link preparePollRequest}.
 */
export function preparePollRequests(instance: Instance, token: string, project: string, since: number): PollRequest[];
/**
 * Reads the answer to a poll request for `resource` of `project`. `requestUrl` is the URL that
 * was fetched (Data Center's pages are counted from it), `since` (unix seconds) drops what the
 * API could not filter, and `now` (unix seconds) dates the rate-limit reading.
 *
 * @throws {ForgelinkError} the API's errors (`http.unauthorized`, `http.forbidden`, `http.missing_scope`, `http.not_found`, `http.rate_limited`...), `http.unexpected_status` for an answer that is not JSON, and {@link preparePollRequest}'s for the instance and project.
 */
export function parsePollResponse(
  instance: Instance,
  project: string,
  resource: PollResource,
  requestUrl: string,
  response: HttpResponse,
  since: number,
  now: number,
): PollPage;
/**
 * Reads the rate-limit headers of any response, a success or a refusal, at `now` (unix
 * seconds): reset times given as seconds from now are moved to unix seconds.
 *
 * @throws {ForgelinkError} `input.invalid`.
 */
export function readRateLimit(response: HttpResponse, now: number): RateLimit;
/**
 * The key for the object `event` is about and the state it reports
 * (`provider:host:repository:object:id:state`), computed from its fields: the same for a
 * delivery and a poll of the same state. Null for other events (pings), and for events that
 * lack the fields their key needs.
 *
 * @throws {ForgelinkError} `provider.unknown`, `input.invalid`.
 */
export function stateKey(event: WebhookEvent): string | null;

/**
 * A comment as {@link findFeedback} and {@link prepareUpdateComment} take it: a {@link Comment}
 * as read, or one a caller made from its own records with only its id and body.
 */
export type CommentInput = Pick<Comment, "id" | "body"> & Partial<Pick<Comment, "url" | "discussionId" | "version">>;

/**
 * The marker that identifies forgelink's feedback with `key` inside a comment: an HTML comment,
 * which every provider's Markdown hides. Characters that could end it early are dropped.
 *
 * @throws {ForgelinkError} `input.invalid`.
 */
export function feedbackMarker(key: string): string;
/**
 * The body to post: the Markdown, then the marker for `key` when there is one.
 *
 * @throws {ForgelinkError} `input.invalid`.
 */
export function feedbackBody(body: string, key?: string | null): string;
/**
 * The first of `comments` carrying the marker for `key`, or null.
 *
 * @throws {ForgelinkError} `input.invalid`.
 */
export function findFeedback(comments: readonly CommentInput[], key: string): Comment | null;
/**
 * The request for the first page of comments at `location` of `project`, with the access
 * `token`; follow {@link CommentPage.next}. Data Center lists pull request comments through the
 * pull request's activities.
 *
 * @throws {ForgelinkError} the base URL's errors, `repository.invalid_path`, `feedback.no_target` where the provider has no issues (Data Center), `input.invalid` (also for a new issue, which has no comments to list).
 */
export function prepareListComments(instance: Instance, token: string, project: string, location: FeedbackLocation): HttpRequest;
/**
 * The request that posts `body` (Markdown; pass it through {@link feedbackBody} to mark it) at
 * `location`; a `new_issue` location opens the issue.
 *
 * @throws {ForgelinkError} as {@link prepareListComments}, but a new issue is allowed.
 */
export function prepareCreateComment(instance: Instance, token: string, project: string, location: FeedbackLocation, body: string): HttpRequest;
/**
 * The request that replaces the body of the earlier `comment` at `location` (for a new issue:
 * the issue, by its number in `comment.id`).
 *
 * @throws {ForgelinkError} as {@link prepareCreateComment}, and `input.invalid` for a GitLab commit note without its `discussionId`.
 */
export function prepareUpdateComment(
  instance: Instance,
  token: string,
  project: string,
  location: FeedbackLocation,
  comment: CommentInput,
  body: string,
): HttpRequest;
/**
 * Reads the answer to a create or update at `location`.
 *
 * @throws {ForgelinkError} `feedback.locked` for a locked discussion, `feedback.forbidden` for a role too low to comment, `feedback.no_target` where issues are turned off, the API's errors, `http.unexpected_status` for an answer that does not describe a comment.
 */
export function parseComment(provider: ProviderId, location: FeedbackLocation, response: HttpResponse): Comment;
/**
 * Reads a page of comments at `location`, with the next page's URL the provider's way;
 * `requestUrl` is the URL that was fetched (Data Center's pages are counted from it).
 *
 * @throws {ForgelinkError} as {@link parseComment}.
 */
export function parseCommentList(provider: ProviderId, location: FeedbackLocation, requestUrl: string, response: HttpResponse): CommentPage;

/**
 * A delivery as {@link Forgelink.receiveWebhook} takes it: where it was sent, and what arrived.
 */
export interface RoutedDelivery extends WebhookDelivery {
  /**
   * The URL the delivery arrived at (`https://app.example/webhooks/<route id>`), or just its
   * route id: forgelink gave each hook its own delivery URL, and this is what names the
   * connection and project it belongs to. Required.
   */
  route: string | URL;
}

// ---------------------------------------------------------------------------------------------
// GitHub Apps.

/** What {@link githubAppManifest} builds an app from. */
export interface AppManifestOptions {
  /** github.com when absent; a `SUB.ghe.com` or an Enterprise Server. */
  baseUrl?: string | null;
  /** Create the app in this organization rather than the person's own account. */
  organization?: string | null;
  /** The app's name: 1 to 34 characters, unique on the instance. */
  name: string;
  /** Its homepage. */
  url: string | URL;
  /** Where GitHub sends the person back with the `code` for {@link Forgelink.createGitHubApp}. */
  redirectUrl: string | URL;
  /** Where user authorizations of the app return (up to 10). */
  callbackUrls?: readonly (string | URL)[] | null;
  /** Where GitHub sends the person after installing the app (read it with {@link parseGitHubAppSetup}). */
  setupUrl?: string | URL | null;
  /** Send the person to the setup URL after changing an installation too. */
  setupOnUpdate?: boolean | null;
  /** Where the app's webhook delivers; without one the app subscribes to no events. */
  webhookUrl?: string | URL | null;
  /** Whether anyone may install it (default: only its owner). */
  public?: boolean | null;
  /**
   * Ask the person installing it to authorize it too, so that the setup callback carries a
   * `code` proving who installed it (recommended: see {@link ConnectGitHubApp.code}).
   */
  requestOauthOnInstall?: boolean | null;
  /** A description shown on the app's page. */
  description?: string | null;
  /** The profile whose permissions and events the app asks for. */
  profile: ProfileId;
  /** A random value kept with the person's session and checked when GitHub sends them back. */
  state: string;
}

/** What {@link githubAppInstallUrl} needs. */
export interface GitHubAppInstallUrlRequest {
  /** The app's URL name (`/apps/{slug}`). */
  slug: string;
  /** A random value to check when GitHub sends the person to the setup URL. */
  state?: string | null;
  /** github.com when absent. */
  baseUrl?: string | null;
}

/**
 * The form that creates a GitHub App with the profile's permissions and events (and a webhook
 * when `webhookUrl` is given), on github.com, ghe.com or an Enterprise Server, for a person or
 * an organization.
 *
 * @throws {ForgelinkError} `input.invalid` (a name too long, a relative URL, an empty state, more than 10 callback URLs), `profile.unknown`, `base_url.*`.
 */
export function githubAppManifest(options: AppManifestOptions): AppManifestForm;

/**
 * Where to send a person to install the app: `/apps/{slug}/installations/new` on github.com
 * and ghe.com, `/github-apps/{slug}/installations/new` on Enterprise Server.
 *
 * @throws {ForgelinkError} `input.invalid` (not a slug), `base_url.*`.
 */
export function githubAppInstallUrl(request: GitHubAppInstallUrlRequest): string;

/**
 * Reads the setup URL GitHub sent the person to: `installation_id`, `setup_action`, `state`
 * and `code`. Check `state` against the session before anything else.
 *
 * @throws {ForgelinkError} `input.invalid` (no or an unknown `setup_action`, a missing or non-numeric `installation_id`, a repeated parameter).
 */
export function parseGitHubAppSetup(url: string | URL): AppSetup;

/**
 * The request that converts a manifest's `code` (from the redirect after the person created the
 * app) into the new app: `POST /app-manifests/{code}/conversions`, unauthenticated, within the
 * hour GitHub keeps the code. {@link Forgelink.createGitHubApp} does this and the reading below
 * in one call; these two are for a caller that sends its own requests.
 *
 * @param baseUrl The Enterprise Server or ghe.com instance; github.com when absent.
 * @throws {ForgelinkError} `input.invalid` (not a code), `base_url.*`.
 */
export function prepareManifestConversion(baseUrl: string | null | undefined, code: string): HttpRequest;

/**
 * Reads the answer to {@link prepareManifestConversion}: the app's id, slug, client id and
 * secret, webhook secret and private key. A code used twice, older than an hour or mistyped is
 * `oauth.bad_verification_code`, as GitHub names a bad code.
 *
 * @throws {ForgelinkError} `oauth.bad_verification_code`, `http.*`, `input.invalid`.
 */
export function parseManifestConversion(baseUrl: string | null | undefined, response: HttpResponse): GitHubAppCredentials;

/**
 * The permissions (each with the least level and why) and webhook events a GitHub App needs
 * for a profile.
 *
 * @throws {ForgelinkError} `profile.unknown`.
 */
export function githubAppNeeds(profile: ProfileId): AppNeeds;

/** Every GitHub App permission GitHub documents, with what it applies to, its levels and what it lets an app do. */
export function githubAppPermissions(): AppPermission[];

/**
 * The needed permissions that `granted` lacks or grants below the level needed, as
 * `name:level` (`pull_requests:write`). `granted`: an installation's `permissions`; `needs`: a
 * profile id, {@link githubAppNeeds}'s answer, or a list of `{ permission, level }`.
 *
 * @throws {ForgelinkError} `profile.unknown`, `input.invalid` (a permission GitHub does not have, a level other than read, write or admin).
 */
export function missingPermissions(
  granted: Readonly<Record<string, string>>,
  needs: ProfileId | AppNeeds | readonly Pick<PermissionNeed, "permission" | "level">[],
): string[];

/** What {@link Forgelink.createGitHubApp} needs. */
export interface CreateGitHubApp {
  /** github.com when absent: the instance the manifest was posted to. */
  baseUrl?: string | null;
  /** The `code` GitHub sent to the manifest's redirect URL. */
  code: string;
}

/** What {@link Forgelink.connectGitHubApp} needs. */
export interface ConnectGitHubApp {
  /** The app's id (a number, or its digits): `host.sign` is asked to sign for it. */
  appId: number | string;
  /** The installation to connect. */
  installationId: number | string;
  /** github.com when absent. */
  baseUrl?: string | null;
  /** The app's client id: the JWT issuer GitHub recommends (the app id is used without it), and needed to check `code`. */
  clientId?: string | null;
  /** The profile whose permissions to check: missing ones are in the connection's `scopes.missing`. */
  profile?: ProfileId | null;
  /**
   * The setup callback's `code` ({@link AppSetup.code}): forgelink exchanges it, checks that
   * this person can reach the installation, and revokes the user token again. An installation
   * id from a URL proves nothing, so leave `code` out only for ids from a trusted source (the
   * app's own signed `installation` webhook). Needs `clientId` and `clientSecret`. Secret.
   */
  code?: string | null;
  /** The app's client secret, to exchange `code`. Secret. */
  clientSecret?: string | null;
  /** The callback URL the code was issued for, when the app has several. */
  redirectUri?: string | URL | null;
}

/** How {@link Forgelink.installationToken} narrows a token; at most 500 repositories. */
export interface TokenNarrowing {
  /** Repository names, without their owner. */
  repositories?: readonly string[] | null;
  /** Repository ids. */
  repositoryIds?: readonly (number | string)[] | null;
  /** Permissions at or below the installation's (`{ contents: "read" }`). */
  permissions?: Readonly<Record<string, AccessLevel>> | null;
}

/** What {@link Forgelink.registerGitHubApp} needs. */
export interface RegisterGitHubApp {
  /** The app. */
  appId: number | string;
  /** Where the product receives deliveries: forgelink appends the route id. */
  url: string | URL;
  /** github.com when absent. */
  baseUrl?: string | null;
  /** The JWT issuer (the client id); the app id without it. */
  clientId?: string | null;
}

/**
 * A {@link HostSign} for Node: RS256 with node:crypto. `keys`: the app's private key as PEM
 * (PKCS#1 `BEGIN RSA PRIVATE KEY`, as GitHub issues it, or PKCS#8), used for every app; or an
 * object of app ids to PEMs. The keys are read at once: one Node cannot read, or one that is
 * not RSA, fails here. Signing for an app without a key fails the flow with `host.sign_failed`.
 *
 * @throws {ForgelinkError} `input.invalid` (a key Node cannot read, not RSA, or no node:crypto, as in a browser).
 */
export function nodeSigner(keys: string | Readonly<Record<string, string>>): HostSign;

/**
 * A {@link HostSign} over WebCrypto (browsers in secure contexts, workers, Deno, Node): RS256
 * with `crypto.subtle`. `keys`: a `CryptoKey` (RSASSA-PKCS1-v1_5, SHA-256, usage `sign`), or
 * an unencrypted PEM, or an object of app ids to either. WebCrypto imports PKCS#8 only, so a
 * PKCS#1 PEM (`BEGIN RSA PRIVATE KEY`, as GitHub issues it) is wrapped into PKCS#8 here; any
 * other PEM (an encrypted key, say) is refused with the command that converts it:
 * `openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pkcs8.pem`. A PEM is imported, not
 * extractable, on its first use.
 *
 * @throws {ForgelinkError} `input.invalid` (not a PEM of an unencrypted private key, a CryptoKey for another algorithm, no `crypto.subtle`).
 */
export function webCryptoSigner(keys: string | CryptoKey | Readonly<Record<string, string | CryptoKey>>): HostSign;

/**
 * The connection flows over the host's `fetch` and `storage`. Every method rejects with a
 * {@link ForgelinkError}, never with another type: a failing host becomes `network.*`,
 * `tls.untrusted_certificate` or `storage.failed`, a host that breaks the contract (a string
 * where bytes belong, say) `input.invalid`.
 *
 * ```ts
 * const forgelink = new Forgelink({ fetch: fetchHost(), storage: memoryStorage(), encryptionKey });
 * const { url } = await forgelink.connectStart({ provider: "gitlab", clientId, clientSecret, redirectUri, profile: "ci-failure-analysis", session });
 * // ... the browser comes back to redirectUri, in the same session:
 * const connection = await forgelink.connectFinish(callbackUrl, { session });
 * const token = await forgelink.accessToken(connection.id);
 * ```
 */
export class Forgelink {
  /** @throws {ForgelinkError} `input.invalid` for a host of the wrong shape or a key that is not 32 bytes; `init.required`. */
  constructor(host: ForgelinkHost);
  /**
   * Stores the pending authorization (state, PKCE verifier, ten minutes to finish) and returns
   * the URL to send the person to.
   */
  connectStart(request: ConnectStart): Promise<ConnectStarted>;
  /**
   * Checks that the callback arrived at the redirect URI (pass the full URL the browser came
   * back to), in the session that started the authorization, from the issuer it was sent to;
   * only then consumes the state (once), exchanges the code, identifies the account, reads the
   * server version on self-hosted deployments, checks the scopes, and stores the connection. A
   * callback refused by those checks leaves the pending authorization unspent.
   *
   * @throws {ForgelinkError} `oauth.callback_mismatch` (another address than the redirect URI),
   *   `oauth.session_mismatch` (another session, or none where one was given),
   *   `oauth.issuer_mismatch` (an `iss` naming another server: a mix-up),
   *   `oauth.state_mismatch` (unknown or already used state), the callback's and the token
   *   endpoint's errors, `oauth.authorization_expired`.
   */
  connectFinish(callbackUrl: string | URL, options?: ConnectFinishOptions | null): Promise<Connection>;
  /** Connects with a personal, project, group or workspace access token. */
  connectWithToken(request: ConnectWithToken): Promise<Connection>;
  /**
   * Replaces the connection's token in place: checked as {@link Forgelink.connectWithToken}
   * checks one, on the connection's instance, it must act as the connection's account. The
   * connection keeps its id, projects, webhooks, poll state and history, is active again, and
   * its old OAuth tokens are revoked where the provider allows. Nothing changes when it fails.
   *
   * @throws {ForgelinkError} `connection.account_mismatch`, `connection.instance_mismatch`,
   *   `connection.not_found`, `connection.disconnected`, and the provider's refusals
   *   (`http.unauthorized`, `token.expired`, ...).
   */
  replaceCredentials(id: string, request: ReplaceCredentials): Promise<Connection>;
  /**
   * Checks the connection end to end; failures are in the report, not thrown. The
   * `server-version` check fails (`server.too_old`) only below what forgelink needs, and warns
   * (`server.deprecated`) when the vendor's support for the release has ended by the host's
   * clock (GitHub Enterprise Server: GitHub's published deprecation dates), naming that day and
   * the oldest release still supported.
   */
  testConnection(id: string): Promise<ConnectionReport>;
  /**
   * A valid access token, refreshed first when it expires within a minute. Concurrent callers
   * sharing storage make one refresh request between them.
   *
   * @throws {ForgelinkError} `connection.needs_reauthorization`, `connection.not_found`, `token.expired`.
   */
  accessToken(id: string): Promise<string>;
  /**
   * Revokes what the provider lets forgelink revoke, deletes the connection, and lists what is
   * left to do. A GitHub App connection's installation token is revoked; with
   * `options.uninstall` the app is uninstalled from the account instead (which ends the token).
   *
   * @throws {ForgelinkError} `connection.not_found`, `storage.failed`; with `uninstall`,
   *   `host.sign_failed`, `github_app.jwt_rejected` and GitHub's refusals.
   */
  disconnect(id: string, options?: DisconnectOptions | null): Promise<DisconnectReport>;
  /**
   * Converts the `code` GitHub sent to the manifest's `redirectUrl` ({@link githubAppManifest})
   * into the new app: its id, slug, client id and secret, webhook secret and private key.
   * Nothing is stored: keep the secrets where the product keeps secrets, and give the key to
   * the signer ({@link nodeSigner}, {@link webCryptoSigner}). A code converts once, within an hour.
   *
   * @throws {ForgelinkError} `oauth.bad_verification_code` (used, expired or mistyped), `input.invalid`, `base_url.*`, `network.*`.
   */
  createGitHubApp(request: CreateGitHubApp): Promise<GitHubAppCredentials>;
  /**
   * Connects an installation of a GitHub App: with `code` (the setup callback's, when the app
   * requests user authorization during installation), first checks that the person who came
   * back can reach the installation; then reads the installation with the app's JWT (signed by
   * `host.sign`), mints its first installation token and stores the connection, one per
   * installation. {@link Forgelink.accessToken} hands out its token from then on, minted again
   * by one caller among all sharing storage before it expires.
   *
   * @throws {ForgelinkError} `github_app.installation_not_accessible` (nothing is stored),
   *   `http.not_found` (no such installation), `github_app.installation_suspended`,
   *   `github_app.jwt_rejected`, `host.sign_failed`, `profile.unknown`, `input.invalid`.
   */
  connectGitHubApp(request: ConnectGitHubApp): Promise<Connection>;
  /**
   * A token of the connection's installation narrowed to some repositories or permissions,
   * minted for this call and not stored: {@link Forgelink.accessToken} keeps handing out the
   * connection's own token.
   *
   * @throws {ForgelinkError} `input.invalid` (not a GitHub App connection, an owner in a
   *   repository name, more than 500 repositories), `host.sign_failed`, GitHub's refusals
   *   (a permission above the installation's is `http.unprocessable`).
   */
  installationToken(id: string, options?: TokenNarrowing | null): Promise<string>;
  /**
   * Points the app's webhook at `url` + `/` + a route of its own, with a fresh secret forgelink
   * keeps sealed (`PATCH /app/hook/config`, signed by the app); registering again keeps the
   * route and rotates the secret, the old one verifying for another hour.
   *
   * @throws {ForgelinkError} `input.invalid`, `host.sign_failed`, `github_app.jwt_rejected`, `storage.failed`.
   */
  registerGitHubApp(request: RegisterGitHubApp): Promise<AppWebhook>;
  /**
   * One page of the projects the connection can see, paginated the provider's way, with the
   * account's role where the provider tells it.
   *
   * @throws {ForgelinkError} `input.invalid` (a cursor for another host), `connection.*`, `http.*`, `network.*`.
   */
  discoverProjects(id: string, options?: DiscoverOptions | null): Promise<ProjectPage>;
  /**
   * Registers a webhook on each project, idempotently. `url` is the receiver's base URL: each
   * hook is registered at `url` + `/` + a route id of its own, which
   * {@link Forgelink.receiveWebhook} resolves to this connection and project. A hook of this
   * connection already pointing at its routed URL, or at `url` itself (registered before
   * deliveries were routed), is updated (moved to the routed URL, events and a fresh secret);
   * otherwise one is created. Each hook gets its own random secret, stored sealed; the previous
   * one verifies for another hour. A project that fails is a result with a code and guidance.
   *
   * @throws {ForgelinkError} `profile.unknown`, `connection.*`, `storage.failed`.
   */
  registerWebhooks(id: string, request: RegisterWebhooks): Promise<RegistrationResult[]>;
  /**
   * Removes the hooks forgelink registered for the connection: on `projects`, or on all of them.
   * A hook an administrator was asked to add by hand is `manual_setup_required`: its secret is
   * forgotten, and deleting it is the administrator's part.
   */
  unregisterWebhooks(id: string, options?: { projects?: readonly string[] | null } | null): Promise<RegistrationResult[]>;
  /**
   * Finds the hook by the route the delivery was sent to, verifies it with that hook's secrets,
   * reads it, and accepts it once per connection across every instance sharing storage. The
   * receipt names the connection and project. A delivery to an unknown route
   * (`webhook.unknown_route`), a forged or an unreadable one is a `rejected` receipt, not a
   * rejection, and nothing is stored for it; pass the raw body (see {@link WebhookBody}).
   *
   * Acceptance is two-phase: an accepted delivery is held for `handlingSeconds` until its
   * `claim` is confirmed or released, so nothing is lost between accepting and handling it.
   * {@link webhookHandler} does all of this for a Fetch API server.
   *
   * @throws {ForgelinkError} `input.invalid` (`delivery.route` missing, say), `storage.failed`, `storage.corrupt`.
   */
  receiveWebhook(delivery: RoutedDelivery, options?: ReceiveOptions | null): Promise<Receipt>;
  /**
   * Confirms that an accepted delivery's event was handled: its claim is kept for the dedupe
   * window, so every later copy is a duplicate. Resolves `false` when the provisional claim
   * had lapsed first (handling outlasted `handlingSeconds`): another instance may then have
   * taken a redelivery too. Every authentic delivery is handled at least once and accepted as
   * new at most once per window.
   *
   * @throws {ForgelinkError} `input.invalid` for a token forgelink did not issue, `storage.failed`.
   */
  confirmDelivery(claim: string): Promise<boolean>;
  /**
   * Gives up an accepted delivery whose handling failed: the claim is released at once, so the
   * provider's redelivery is accepted as new.
   *
   * @throws {ForgelinkError} `input.invalid` for a token forgelink did not issue, `storage.failed`.
   */
  releaseDelivery(claim: string): Promise<void>;
  /**
   * Lists what happened on the projects since the last poll (or `lookbackDays` on the first):
   * pipelines, jobs, merge requests and pushes where the API shows them, as the events a
   * delivery would bring, less those a delivery or an earlier poll already reported (both claim
   * `stateKey` in the same storage). Honours the provider's rate-limit headers.
   *
   * @throws {ForgelinkError} `connection.not_found`, `connection.needs_reauthorization`, `storage.failed`, `input.invalid`.
   */
  pollEvents(id: string, options: PollOptions): Promise<PollResult>;
  /**
   * Posts a comment where developers look: on the merge request if there is one, else on the
   * commit, else on an issue (in the policy's order); rewrites its earlier comment with the same `key`.
   *
   * @throws {ForgelinkError} `feedback.no_target` (every target failed: see `skipped` in the message), `connection.not_found`, `input.invalid`.
   */
  postFeedback(id: string, request: PostFeedback): Promise<FeedbackResult>;
}

/**
 * Options of {@link fetchHost}. The address policy refuses, by default, every destination inside
 * the machine's own networks: loopback (127.0.0.0/8, ::1), private ranges (10/8, 172.16/12,
 * 192.168/16, 100.64/10, fc00::/7), link-local (169.254/16, fe80::/10), cloud metadata
 * (169.254.169.254, fd00:ec2::254, 100.100.100.200, metadata.google.internal), unspecified,
 * multicast and broadcast addresses, and the IPv4-mapped IPv6 forms of each; and plain `http:`
 * to anything but loopback.
 */
export interface FetchHostOptions {
  /**
   * The platform's fetch. When absent, Node sends the requests with node:http and node:https
   * and checks every address a name resolves to before connecting (a name that resolves to
   * 127.0.0.1, such as `localhost`, is refused); browsers use `globalThis.fetch`. When given
   * (and in browsers), the policy can check only what the URL says: IP literals, `localhost`
   * names and metadata names, not the addresses other names resolve to.
   */
  fetch?: typeof globalThis.fetch;
  /** How long a request may take, headers and body; 30 000 ms when absent. */
  timeoutMs?: number;
  /**
   * The largest response body accepted, in bytes: 10 485 760 (10 MiB) when absent. The body is
   * read as it arrives and the download abandoned once past it, with `http.response_too_large`.
   */
  maxResponseBytes?: number;
  /**
   * Reach loopback and private addresses (an on-premises instance, a test server on this
   * machine). Link-local, metadata, unspecified, multicast and broadcast addresses stay
   * refused: no Git host answers there, and metadata services hand out credentials. False when absent.
   */
  allowPrivateNetworks?: boolean;
  /** Send plain `http:` to machines other than this one, tokens in clear text. False when absent. */
  allowInsecureHttp?: boolean;
}

/**
 * A {@link HostFetch} that never follows redirects (a 3xx is the answer), never sends cookies,
 * gives up after `timeoutMs`, caps response bodies and applies the address policy of
 * {@link FetchHostOptions}. A browser hides a redirect's target (an opaque response): that fails
 * with `http.unexpected_status`, saying a redirect was not followed.
 *
 * @throws {ForgelinkError} `input.invalid` for options of the wrong type. The fetch it returns
 *   rejects with `network.address_blocked`, `network.insecure_http`, `http.response_too_large`,
 *   `network.timeout`, or the platform's own network error.
 */
export function fetchHost(options?: FetchHostOptions): HostFetch;

/** Options of {@link memoryStorage}. */
export interface MemoryStorageOptions {
  /** The clock, in milliseconds since 1970, that judges expiry; `Date.now` when absent. For tests that move time. */
  now?: () => number;
}

/** The {@link HostStorage} {@link memoryStorage} returns, with what tests look at. */
export interface MemoryStorage extends HostStorage {
  set(key: string, value: Uint8Array, options?: StorageWriteOptions): void;
  get(key: string): Uint8Array | null;
  delete(key: string): void;
  compareAndSwap(key: string, expected: Uint8Array | null, value: Uint8Array, options?: StorageWriteOptions): boolean;
  /** The keys of live values, in the order they were first written; expired entries are swept first. */
  keys(): string[];
  /** How many entries it holds now, expired ones not yet swept included. */
  readonly size: number;
}

/**
 * A {@link HostStorage} over a `Map`, for tests and single processes that keep nothing. It
 * honours `ttlSeconds`: an expired value counts as absent, and expired entries are swept as
 * values are written, so what it holds stays within a constant factor of what is live.
 *
 * @throws {ForgelinkError} `input.invalid` for options of the wrong type.
 */
export function memoryStorage(options?: MemoryStorageOptions | null): MemoryStorage;

/** How {@link webhookHandler} receives deliveries and hands their events over. */
export interface WebhookHandlerOptions {
  /**
   * Called once with each new event (and its receipt, which names the connection and project)
   * before the provider is answered. Resolve when the event is handled, durably: the handler
   * then answers 200 and confirms the delivery. Throw (or reject) and it answers 503 with
   * `Retry-After` and releases the delivery, so the provider's redelivery is taken as new.
   */
  onEvent(event: WebhookEvent, receipt: Receipt): unknown;
  /**
   * Told of what went wrong without reaching the provider's answer: storage failing
   * (`stage: "receive"`), `onEvent` throwing, a release or confirmation failing, or a
   * confirmation after the claim lapsed. Never thrown back.
   */
  onError?: ((error: unknown, context: { stage: "receive" | "onEvent" | "release" | "confirm"; receipt?: Receipt }) => void) | null;
  /** The largest body read, in bytes; larger ones are answered 413 unread. 25 MiB (GitHub's own cap) when absent. */
  maxBodyBytes?: number | null;
  /** Passed to {@link Forgelink.receiveWebhook}: the dedupe window, the handling lease, the tolerance. */
  receive?: ReceiveOptions | null;
}

/**
 * A webhook endpoint as a standard Fetch API handler, for Node (through
 * {@link createNodeMiddleware}), Hono, Bun, Deno and Workers. It reads the raw body (up to
 * `maxBodyBytes`), resolves the hook from the request URL, verifies, deduplicates, calls
 * `onEvent`, and answers:
 *
 * - 200 once `onEvent` has resolved (`accepted`), or for a copy already handled (`duplicate`);
 * - 401 for a missing or wrong signature, 404 for a URL forgelink gave no hook, 413 for a body
 *   over the cap, 400 for a delivery that cannot be read, 405 for anything but POST;
 * - 503 with `Retry-After` when storage fails, when `onEvent` throws (the delivery is released),
 *   or while another instance is still handling a copy.
 *
 * Every authentic delivery is handled at least once and accepted as new at most once per
 * dedupe window, across every instance sharing the storage.
 *
 * ```ts
 * const handler = webhookHandler(forgelink, { onEvent: (event, { connectionId }) => queue.push(connectionId, event) });
 * export default { fetch: handler };                        // Workers, Bun, Deno
 * http.createServer(createNodeMiddleware(handler)).listen(8080); // Node
 * ```
 *
 * @throws {ForgelinkError} `input.invalid` for a `forgelink` that is not a {@link Forgelink} or options of the wrong shape.
 */
export function webhookHandler(forgelink: Forgelink, options: WebhookHandlerOptions): (request: Request) => Promise<Response>;

/** A Node request, as node:http and Express pass it (only what the adapter reads). */
export interface NodeRequest extends AsyncIterable<Uint8Array | string> {
  method?: string;
  url?: string;
  /** Express: the URL before the mount path was stripped. */
  originalUrl?: string;
  rawHeaders: string[];
  /** A raw body a parser kept (a Buffer or string) is used; a parsed object is refused. */
  body?: unknown;
  readableEnded?: boolean;
  removeAllListeners(event: string): unknown;
  resume(): unknown;
}

/** A Node response, as node:http and Express pass it (only what the adapter writes). */
export interface NodeResponse {
  headersSent?: boolean;
  writeHead(status: number, headers?: Record<string, string>): unknown;
  end(body?: Uint8Array | string): unknown;
}

/**
 * The Fetch API handler as node:http and Express middleware. Mount it before any body parser:
 * the signature covers the raw body. With `path`, only requests under it are taken, and the
 * rest go to `next` (404 without one).
 *
 * ```ts
 * app.use("/hooks", createNodeMiddleware(webhookHandler(forgelink, { onEvent })));
 * ```
 *
 * @throws {ForgelinkError} `input.invalid` when `handler` is not a function.
 */
export function createNodeMiddleware(
  handler: (request: Request) => Promise<Response>,
  options?: { path?: string | null } | null,
): (req: NodeRequest, res: NodeResponse, next?: (error?: unknown) => void) => Promise<void>;
