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

import type {
  AuthorizationUrl, Callback, Deployment, Diagnostic, Endpoints, ErrorCode, ForgelinkErrorBody,
  Guidance, Need, Profile, ProfileId, ProviderId, ProviderNeeds, Retirement, ScopeCheck, ScopeInfo,
  ScopeKind, ScopeMode, ScopeSource, SettingsPages, Severity, TokenInfo, TokenKind, TokenPrefix
} from "./types.js";

/** The values these functions return, declared in types.d.ts from the Rust types that make them. */
export type {
  AuthorizationUrl, Callback, Deployment, Diagnostic, Endpoints, ErrorCode, ForgelinkErrorBody,
  Guidance, Need, Profile, ProfileId, ProviderId, ProviderNeeds, Retirement, ScopeCheck, ScopeInfo,
  ScopeKind, ScopeMode, ScopeSource, SettingsPages, Severity, TokenInfo, TokenKind, TokenPrefix
};

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
