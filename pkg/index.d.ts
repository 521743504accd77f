/**
 * forgelink: connect Git hosting accounts (GitHub, GitLab, Bitbucket) correctly.
 *
 * This entry, `forgelink`, holds the pure functions: base URLs, endpoints, redirect URIs,
 * scopes, profiles, authorization URLs, callbacks and guidance. Each is synchronous: it reads no
 * clock, opens no connection and stores nothing. Its WebAssembly module leaves out the token
 * functions and the connection flows; `forgelink/flows` has those, and everything here too.
 * Failures are thrown as {@link ForgelinkError}s with a stable {@link ErrorCode} and
 * {@link Guidance} a person can act on.
 *
 * In Node (20.16 and later) the WebAssembly module is loaded when the package is imported. In
 * a browser, `await init()` once before calling anything else.
 *
 * @packageDocumentation
 */

import type { Deployment, ProviderId } from "./types.js";

/** Declared in types.d.ts, which is generated from the Rust types whose JSON these functions return. */
export type { Deployment, ProviderId };

/** `error`: the input cannot be used as it is. `warning`: it was used (perhaps normalised) but deserves a look. */
export type Severity = "error" | "warning";

/**
 * Every code forgelink produces, as listed by {@link errorCodes}. A code's meaning never
 * changes once released; {@link troubleshoot} explains each.
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

/** One finding about an input. */
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

/** A base URL that can be used: no diagnostic is an error. Warnings may remain. */
export interface BaseUrlAccepted {
  ok: true;
  /** The normalised web base URL, without a trailing slash (`https://example.com/gitlab`). */
  baseUrl: string;
  /** Whether the URL is the provider's cloud or a self-hosted instance. */
  deployment: Deployment;
  /** The REST API base derived from it (`https://example.com/gitlab/api/v4`). */
  apiBase: string;
  /** Warnings about what was normalised, in the order met. */
  diagnostics: Diagnostic[];
}

/** A base URL that cannot be used: at least one diagnostic is an error. */
export interface BaseUrlRejected {
  ok: false;
  baseUrl: null;
  deployment: null;
  apiBase: null;
  /** Every finding, errors first. */
  diagnostics: Diagnostic[];
}

/** The outcome of {@link validateBaseUrl}; narrow it on `ok`. */
export type BaseUrlReport = BaseUrlAccepted | BaseUrlRejected;

/** How to learn which scopes a token was actually granted. */
export type ScopeSource =
  | {
      /** A response header on an authenticated API call. */
      source: "header";
      /** The header's name, such as `X-OAuth-Scopes`. */
      header: string;
      /** A cheap authenticated call whose response carries the header. */
      url: string;
    }
  | {
      /** A dedicated endpoint whose JSON body lists the scopes. */
      source: "endpoint";
      /** The endpoint to `GET` with the token. */
      url: string;
      /** The JSON field holding the scopes. */
      field: string;
    }
  | {
      /** Only the token response tells. */
      source: "token-response";
      /** The field of the token response. */
      field: string;
    };

/**
 * The pages, under a deployment's web base URL, where a person sets up access. `null` where
 * the provider has no such page under the base URL alone: Bitbucket Cloud's OAuth consumers
 * belong to a workspace, and its API tokens are made on the Atlassian account.
 */
export interface SettingsPages {
  /**
   * Where to register an OAuth application. GitHub: New OAuth App
   * (https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/creating-an-oauth-app);
   * GitLab: the user's Applications
   * (https://docs.gitlab.com/integration/oauth_provider/#create-a-user-owned-application);
   * Bitbucket Data Center: Application links, for administrators
   * (https://confluence.atlassian.com/bitbucketserver/configure-an-incoming-link-1108483657.html).
   */
  oauthApp: string | null;
  /**
   * Where to create a personal access token. GitHub: a new token (classic); GitLab: Access
   * tokens (https://docs.gitlab.com/user/profile/personal_access_tokens/); Bitbucket Data
   * Center: HTTP access tokens
   * (https://confluence.atlassian.com/bitbucketserver/http-access-tokens-939515499.html).
   */
  accessTokens: string | null;
}

/** Every URL forgelink's flows call for one deployment, and the settings pages a person opens there. */
export interface Endpoints {
  provider: ProviderId;
  deployment: Deployment;
  /** The web base URL people browse. */
  web: string;
  /** The REST API base. */
  api: string;
  /** Where the browser goes to authorize. */
  authorize: string;
  /** Where codes and refresh tokens are exchanged. */
  token: string;
  /** Where tokens are revoked, when the provider offers it. GitHub's holds a `{client_id}` placeholder. */
  revoke: string | null;
  /** Where the device flow starts, when the provider offers it. */
  deviceAuthorization: string | null;
  /** The call that identifies the token's account. */
  currentUser: string;
  /** Where there is no "current user" endpoint (Bitbucket Data Center): the response header naming the account. */
  currentUserHeader: string | null;
  /** The call that tells the server's version, where one exists. */
  version: string | null;
  /** How to read the scopes a token was granted. */
  grantedScopes: ScopeSource;
  /** The pages a person opens to register an OAuth application or create a token ({@link settingsPages}). */
  settingsPages: SettingsPages;
}

/**
 * Which kind of credential carries a scope. `api-token`: a Bitbucket Cloud API token scope
 * (`read:repository:bitbucket`), for which write does not imply read. `oauth`: every other
 * scope: OAuth applications', and access tokens' where they share the names.
 */
export type ScopeKind = "oauth" | "api-token";

/** One scope of a provider. */
export interface ScopeInfo {
  /** The scope's name in the provider's own spelling (`read_api`, `repo:status`, `REPO_READ`). */
  name: string;
  /** What it grants, in one line. */
  description: string;
  /** The scopes it grants as well, directly. */
  implies: string[];
  /**
   * The scopes it grants as well, on public repositories only: GitHub's `public_repo` is `repo`
   * limited to public repositories, including their webhooks. Empty for every other scope.
   */
  impliesOnPublicRepositories: string[];
  /** Which kind of credential carries it. Bitbucket Cloud's catalog holds both kinds; their names never overlap. */
  kind: ScopeKind;
}

/** Whether granted scopes cover the required ones. */
export interface ScopeCheck {
  /** Every required scope is granted, directly or through a scope that implies it. */
  satisfied: boolean;
  /** The required scopes that are not covered, in the order required. */
  missing: string[];
  /** The granted scopes as read (deduplicated, in the order given). */
  granted: string[];
  /**
   * The missing scopes that the grant covers on public repositories only (GitHub's `public_repo`
   * covers `admin:repo_hook` there): enough for a public repository, not for a private or
   * internal one. Absent when there are none.
   */
  publicRepositoriesOnly?: string[];
}

/** One thing a profile needs, with the reason in one line. */
export interface Need {
  /** The scope, role or event, in the provider's own spelling. */
  name: string;
  /** Where the need comes from. */
  reason: string;
}

/** `request`: scopes go in the authorization request. `consumer-permissions`: they are ticked on the OAuth consumer (Bitbucket Cloud). */
export type ScopeMode = "request" | "consumer-permissions";

/** What one provider needs for a profile. */
export interface ProviderNeeds {
  provider: ProviderId;
  /** Whether the provider can serve this use case at all; `minRole.reason` says why not. */
  supported: boolean;
  /** How the scopes are obtained. */
  scopeMode: ScopeMode;
  /** The scopes (or consumer permissions) to obtain: for OAuth, and for access tokens that use the same names. */
  scopes: Need[];
  /**
   * The scopes an API token needs for the same access, where API tokens have scopes of their
   * own (Bitbucket Cloud; write does not include read there). Empty for the other providers,
   * whose personal tokens use the names in `scopes`.
   */
  apiTokenScopes: Need[];
  /** The least role on each project that the connected account or token must hold. */
  minRole: Need;
  /** The webhook events to subscribe to. */
  webhookEvents: Need[];
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
  | "ci-job"
  | "feed"
  | "scim"
  | "runner-registered"
  | "incoming-email"
  | "kubernetes-agent"
  | "workspace"
  | "feature-flags-client"
  | "api-token"
  | "app-password"
  | "http-access-token"
  | "unknown";

/**
 * When a kind of token stops working, as dates in unix seconds (UTC). Judge them against your
 * own clock (`Date.now() / 1000`): forgelink's flows judge them against the host's.
 */
export interface Retirement {
  /** From when no new token of this kind can be created. */
  creationStoppedAt: number;
  /** From when the provider refuses these tokens at times (brownouts). */
  brownoutsFrom: number;
  /** From when the provider refuses every token of this kind. */
  removedAt: number;
  /** The provider's announcement. */
  source: string;
}

/** What a token's prefix reveals. Never holds the token. */
export interface TokenInfo {
  /** The provider that issues tokens with this prefix; `null` when nothing matched. */
  provider: ProviderId | null;
  /** The kind, such as `classic-pat`; `unknown` when nothing matched. */
  kind: TokenKind;
  /** What it is, for a person. */
  description: string;
  /** Whether it can act as an access token (refresh tokens, secrets and runner tokens cannot). A retired kind stays usable until `retirement.removedAt`. */
  usableAsAccessToken: boolean;
  /** For a kind the provider is retiring (Bitbucket Cloud app passwords): its dates. */
  retirement?: Retirement;
}

/** A prefix a provider's tokens start with, and what a token with it is. */
export interface TokenPrefix extends TokenInfo {
  /** The prefix, such as `glpat-` or `ATATT`. */
  prefix: string;
}

/** A use-case preset. */
export interface Profile {
  id: ProfileId;
  /** A short title. */
  title: string;
  /** What a product with this profile does, in one sentence. */
  summary: string;
  /** The needs per provider, one entry for every provider. */
  providers: ProviderNeeds[];
}

/** What to authorize: the provider, the OAuth application, and the access wanted. */
export interface AuthorizationRequest {
  provider: ProviderId;
  /** The instance's base URL; the provider's cloud when absent. */
  baseUrl?: string | null;
  /** The OAuth application's client id. */
  clientId: string;
  /** The redirect URI, exactly as registered on the application. */
  redirectUri: string;
  /** Scopes to request, in the provider's spelling. Added to the profile's when both are given. Not allowed for Bitbucket Cloud. */
  scopes?: readonly string[] | null;
  /** A profile whose scopes to request. */
  profile?: ProfileId | null;
  /** Whether to use PKCE (S256). Defaults to yes wherever the provider documents it (not Bitbucket Cloud, not GitHub Enterprise Server); asking for it elsewhere is `oauth.pkce_unsupported`. */
  pkce?: boolean | null;
  /**
   * GitLab only: the numeric id of the top-level group whose SAML SSO the sign-in should go
   * through, sent as `root_namespace_id` (GitLab 18.2+, on by default from 18.3; older
   * instances ignore it). Another provider, or anything but a group id, is `input.invalid`.
   * Source: https://docs.gitlab.com/api/oauth2/#authorization-code-flow
   */
  rootNamespaceId?: string | number | null;
}

/** Where to send the person, and what to keep until they come back. */
export interface AuthorizationUrl {
  /** The provider's authorization URL with every parameter. */
  url: string;
  /** The `state` to keep (single use) and pass to {@link parseCallback}: 256 random bits, base64url. */
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

/** What a code means and how to fix it. */
export interface Guidance {
  code: ErrorCode;
  /** A short title. */
  title: string;
  /** What it means, in a sentence or two. */
  summary: string;
  /** The steps to fix it, specific to the provider when one was given. */
  steps: string[];
  /** The provider's documentation on the subject, when there is a page. */
  docsUrl?: string;
}

/** The fields a {@link ForgelinkError} is built from. */
export interface ForgelinkErrorBody {
  code: ErrorCode;
  message: string;
  guidance: Guidance;
  providerDetail?: string;
  retryAfter?: number;
}

/** Every error forgelink throws. `instanceof Error` holds, so existing handlers keep working. */
export class ForgelinkError extends Error {
  constructor(body: ForgelinkErrorBody, options?: ErrorOptions);
  readonly name: "ForgelinkError";
  /** The stable code, such as `oauth.state_mismatch`. */
  readonly code: ErrorCode;
  /** What the code means and the steps to fix it. */
  readonly guidance: Guidance;
  /** What the provider itself said (an `error_description`, for instance), verbatim. */
  readonly providerDetail?: string;
  /**
   * Seconds to wait before trying again, where the provider said (`Retry-After`, or when its
   * rate-limit window resets), counted from the moment of its answer.
   */
  readonly retryAfter?: number;
}

/**
 * What {@link init} accepts: where to fetch the module from, a response for it, its bytes, or
 * the compiled module.
 */
export type WasmSource = URL | string | Request | Response | ArrayBuffer | ArrayBufferView | WebAssembly.Module;

/**
 * Loads the WebAssembly module. Needed once in browsers before any other call; in Node the
 * module is loaded at import and this resolves at once. Safe to call any number of times.
 *
 * @param source Where the module is; by default `forgelink_bg.wasm` next to this file.
 * @throws {ForgelinkError} `init.required` (as a rejection) when the module cannot be loaded.
 */
export function init(source?: WasmSource): Promise<void>;

/**
 * Checks and normalises the address a person typed for a provider's instance: trims it,
 * removes a trailing slash or a pasted API or project path (with a warning), recognises the
 * cloud hosts, keeps a relative URL root or context path, converts internationalised names to
 * punycode, and explains everything it cannot use.
 *
 * @throws {ForgelinkError} `provider.unknown`, `input.invalid`. A bad URL is reported in the result, not thrown.
 */
export function validateBaseUrl(provider: ProviderId, input: string): BaseUrlReport;

/**
 * Every URL forgelink's flows call for a deployment: the provider's cloud when `baseUrl` is absent.
 *
 * @throws {ForgelinkError} the first error {@link validateBaseUrl} finds in `baseUrl`;
 *   `base_url.required` for Bitbucket Data Center without one.
 */
export function endpoints(provider: ProviderId, baseUrl?: string | null): Endpoints;

/**
 * Where a person registers an OAuth application and creates an access token on a
 * deployment: the provider's cloud when `baseUrl` is absent. The same as
 * `endpoints(provider, baseUrl).settingsPages`.
 *
 * @throws {ForgelinkError} as {@link endpoints} does.
 */
export function settingsPages(provider: ProviderId, baseUrl?: string | null): SettingsPages;

/**
 * Whether `requested` will be accepted where `registered` is the application's redirect URI,
 * by the provider's own rule (GitLab: exact; GitHub: same host and port, path at or below,
 * loopback any port; Bitbucket Cloud: prefix; Bitbucket Data Center: exact, https unless
 * loopback). The URI is accepted when no diagnostic is an error.
 *
 * @throws {ForgelinkError} `provider.unknown`, `input.invalid`.
 */
export function validateRedirectUri(provider: ProviderId, registered: string, requested: string): Diagnostic[];

/**
 * Every scope of a provider, with its meaning and the scopes it implies.
 *
 * @throws {ForgelinkError} `provider.unknown`, `input.invalid`.
 */
export function scopeCatalog(provider: ProviderId): ScopeInfo[];

/**
 * Whether the granted scopes cover the required ones, counting implied scopes (`api` covers
 * `read_api`, `repo` covers `repo:status` and `admin:repo_hook`, `pullrequest:write` covers
 * `repository:write`). What GitHub's `public_repo` grants on public repositories only stays
 * missing and is named in `publicRepositoriesOnly`.
 *
 * @param granted The provider's own spelling (GitHub's `repo,read:org`, GitLab's `api read_user`) or a list.
 * @throws {ForgelinkError} `scope.unknown` when a required scope is not one of the provider's.
 */
export function checkScopes(provider: ProviderId, granted: string | readonly string[], required: readonly string[]): ScopeCheck;

/** The use-case presets: per provider, the scopes, minimum role and webhook events needed, each with its reason. */
export function profiles(): Profile[];

/**
 * Builds the URL to send a person to. The state (256 bits) and the PKCE verifier come from
 * `crypto.getRandomValues`; keep both until the callback.
 *
 * @throws {ForgelinkError} `base_url.*`, `oauth.invalid_client_id`, `redirect_uri.*`,
 *   `scope.unknown`, `scope.not_requestable`, `profile.unknown`, `profile.unsupported`,
 *   `oauth.pkce_unsupported`, `input.invalid`.
 */
export function authorizationUrl(request: AuthorizationRequest): AuthorizationUrl;

/**
 * Reads the URL the provider redirected the browser to (or its query string), checks its
 * `state` against the one kept from {@link authorizationUrl}, and returns the code.
 *
 * @throws {ForgelinkError} `oauth.state_mismatch`, `oauth.missing_state`, `oauth.missing_code`,
 *   `oauth.duplicate_parameter`, `oauth.invalid_callback`, the provider's error as
 *   `oauth.access_denied`, `oauth.invalid_scope`, `oauth.redirect_uri_mismatch`,
 *   `oauth.invalid_client` or `oauth.provider_error` (with its `error_description` in
 *   `providerDetail`).
 */
export function parseCallback(callbackUrl: string | URL, expectedState: string): Callback;

/**
 * What a code means and the steps to fix it, with provider-specific steps when `provider` is given.
 *
 * @throws {ForgelinkError} `input.unknown_code` when `code` is not one of {@link errorCodes}.
 */
export function troubleshoot(code: string, provider?: ProviderId | null): Guidance;

/** Every code forgelink can produce, in catalog order. */
export function errorCodes(): ErrorCode[];
