// The `forgelink/flows` entry: everything `forgelink` has, plus the token endpoint, the device
// flow, API errors, webhook deliveries and the Forgelink class, which runs whole connections
// (and their projects and webhooks) over the caller's fetch and storage. Its module is the same crate built with the flows in, nearly twice the size of
// the `forgelink` entry's; each entry loads only its own. What is JavaScript's own is here:
// reading the caller's fetch and storage, and what their errors say.
// The wasm-bindgen glue in ./glue stays private; common.js holds the code both entries share.

import initGlue, * as glue from "./glue/forgelink_flows.js";
import { bind, describe, describeCause, ForgelinkError } from "./common.js";
import { bindHandler } from "./handler.js";
import { createHostFetch, responseCap } from "./host-fetch.js";

// Written here, in the entry, so that bundlers see the asset next to the module that loads it.
const WASM_URL = new URL("./forgelink_flows_bg.wasm", import.meta.url);

const { api, requireReady, unwrap, invalid, faithfulJson, callWith, string, stringArray } = bind(
  initGlue,
  glue,
  WASM_URL,
  "forgelink_flows_bg.wasm",
  "flows.js",
);

export { ForgelinkError };
export const { webhookHandler, createNodeMiddleware } = bindHandler(invalid);
export const {
  init,
  validateBaseUrl,
  endpoints,
  settingsPages,
  validateRedirectUri,
  scopeCatalog,
  checkScopes,
  profiles,
  authorizationUrl,
  parseCallback,
  troubleshoot,
  errorCodes,
} = api;

// ---------------------------------------------------------------------------------------------
// Token endpoint, device flow and API errors: pure request builders and response readers.

/** Reads an object argument: a plain object with only the named fields, each read once. */
function fields(name, value, allowed) {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalid(`\`${name}\` must be an object, got ${describe(value)}.`);
  }
  let copy;
  try {
    copy = { ...value };
  } catch (cause) {
    throw invalid(`\`${name}\` cannot be read: ${describeCause(cause)}`);
  }
  for (const key of Object.keys(copy)) {
    if (!allowed.has(key)) {
      throw invalid(`\`${name}.${key}\` is not a field of ${name === "client" ? "an OAuth client" : `\`${name}\``}.`);
    }
  }
  return copy;
}

function finite(name, value) {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw invalid(`\`${name}\` must be a finite number, got ${typeof value === "number" ? value : describe(value)}.`);
  }
  return value;
}

const encoder = new TextEncoder();

/** Bytes from a Uint8Array (a copy), another view or buffer, or a string (UTF-8); else undefined. */
function bytesOf(value) {
  if (value instanceof Uint8Array) return value.slice();
  if (typeof value === "string") return encoder.encode(value);
  if (value instanceof ArrayBuffer) return new Uint8Array(value.slice(0));
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
  return undefined;
}

/** Header pairs, flattened to `[name, value, name, value, ...]`; a string describing the fault otherwise. */
function flatHeaders(value) {
  if (value === undefined || value === null) return [];
  if (typeof value !== "object" || typeof value[Symbol.iterator] !== "function") {
    return `must be a list of [name, value] pairs, got ${describe(value)}`;
  }
  const flat = [];
  let i = 0;
  try {
    for (const pair of value) {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string" || typeof pair[1] !== "string") {
        return `[${i}] must be a [name, value] pair of strings, got ${describe(pair)}`;
      }
      flat.push(pair[0], pair[1]);
      i++;
    }
  } catch (cause) {
    // Proxies and generators that throw end up here.
    return `cannot be read: ${describeCause(cause)}`;
  }
  return flat;
}

/**
 * Calls a reader of `response` with the rest of its arguments, `input`: the response's status
 * and headers go with them (a `Headers`, or any iterable of pairs, read into a list of pairs),
 * its body apart, as bytes.
 */
function callWithResponse(exported, input, response) {
  let head = response;
  let body = NO_BODY;
  if (typeof response === "object" && response !== null) {
    let given;
    try {
      const { body: b, headers, ...rest } = response;
      given = b;
      const pairs = typeof headers === "object" && headers !== null && typeof headers[Symbol.iterator] === "function";
      head = { ...rest, headers: pairs ? Array.from(headers) : (headers ?? undefined) };
    } catch (cause) {
      // Proxies, throwing getters and iterators end up here.
      throw invalid(`\`response\` cannot be read: ${describeCause(cause)}`);
    }
    if (given !== undefined && given !== null) {
      body = given instanceof Uint8Array ? given : bytesOf(given);
      if (body === undefined) {
        throw invalid(`\`response.body\` must be a Uint8Array or a string, got ${describe(given)}.`);
      }
    }
  }
  return callWith(exported, { ...input, response: head }, body);
}

const NO_BODY = new Uint8Array(0);

/**
 * A delivery's headers as `name\nvalue\nname\nvalue...` (one string crosses into the module
 * far faster than a list): from a `Headers`, a list of `[name, value]` pairs, or a plain object
 * of names to strings (Node's `req.headers` repeats a header as an array; each value becomes its
 * own pair). HTTP forbids line breaks in headers, so one here is refused rather than misread.
 */
function webhookHeaders(name, value) {
  const flat = flatWebhookHeaders(name, value);
  const broken = flat.findIndex((item) => item.includes("\n"));
  if (broken >= 0) {
    const header = flat[broken - (broken % 2)];
    throw invalid(`\`${name}\` holds a line break in ${broken % 2 ? `the value of \`${header}\`` : "a header name"}; HTTP headers never do.`);
  }
  return flat.join("\n");
}

function flatWebhookHeaders(name, value) {
  if (typeof value !== "object" || value === null) {
    throw invalid(`\`${name}\` must be a Headers, a list of [name, value] pairs or an object of header values, got ${describe(value)}.`);
  }
  let iterable;
  try {
    iterable = typeof value[Symbol.iterator] === "function";
  } catch (cause) {
    throw invalid(`\`${name}\` cannot be read: ${describeCause(cause)}`);
  }
  if (iterable) {
    const flat = flatHeaders(value);
    if (typeof flat === "string") throw invalid(`\`${name}\` ${flat}.`);
    return flat;
  }
  let entries;
  try {
    entries = Object.entries(value);
  } catch (cause) {
    throw invalid(`\`${name}\` cannot be read: ${describeCause(cause)}`);
  }
  const flat = [];
  for (const [header, v] of entries) {
    if (typeof v === "string") {
      flat.push(header, v);
    } else if (Array.isArray(v) && v.every((item) => typeof item === "string")) {
      for (const item of v) flat.push(header, item);
    } else if (v !== undefined) {
      throw invalid(`\`${name}.${header}\` must be a string, got ${describe(v)}.`);
    }
  }
  return flat;
}

/**
 * A delivery's body as the bytes received; a string is UTF-8 encoded, which only matches the
 * signature if it is the exact text received. Not copied: the module copies it once, on the call.
 */
function webhookBody(name, value) {
  const bytes = value instanceof Uint8Array ? value : bytesOf(value);
  if (bytes === undefined) {
    throw invalid(`\`${name}\` must be the raw body as a Uint8Array (or the exact text received), got ${describe(value)}.`);
  }
  return bytes;
}

function optionalFinite(name, value) {
  return value === undefined || value === null ? undefined : finite(name, value);
}

function optionalBoolean(name, value) {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw invalid(`\`${name}\` must be a boolean, got ${describe(value)}.`);
  return value;
}

// Node's HMAC runs at about ten times the speed of SHA-256 compiled to WebAssembly; forgelink
// still decides what is signed and compares. Browsers (asynchronous WebCrypto only) keep the
// built-in one. `getBuiltinModule` reaches node:crypto without an import a bundler would follow.
const nodeCrypto = globalThis.process?.getBuiltinModule?.("node:crypto");
let hmacRegistered = false;
// The body of the synchronous verify call in progress: the module passes `undefined` for it
// rather than copying it back out.
let pendingBody;

/** requireReady(), then hands Node's HMAC to the module once. */
function webhooksReady() {
  requireReady();
  if (!hmacRegistered && typeof nodeCrypto?.createHmac === "function") {
    glue.use_native_hmac((algorithm, key, parts) => {
      const mac = nodeCrypto.createHmac(algorithm, key);
      for (const part of parts) mac.update(part ?? pendingBody);
      return mac.digest();
    });
  }
  hmacRegistered = true;
}

/** Runs a synchronous verify call of the module with `body` pending. */
function withBody(body, call) {
  pendingBody = body;
  try {
    return call();
  } finally {
    pendingBody = undefined;
  }
}

/** Who sent a delivery and which one it is, from its headers alone. */
export function identifyWebhook(headers) {
  requireReady();
  const flat = flatWebhookHeaders("headers", headers);
  const pairs = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
  return callWith(glue.identify_webhook, { headers: pairs });
}

const VERIFY_FIELDS = new Set(["headers", "body", "secrets", "now", "toleranceSeconds", "allowUnsigned", "allowSha1"]);

/** A verify request read into the module's arguments. */
function verifyArguments(request) {
  webhooksReady();
  const r = fields("request", request, VERIFY_FIELDS);
  const headers = webhookHeaders("request.headers", r.headers);
  const body = webhookBody("request.body", r.body);
  const secrets = typeof r.secrets === "string" ? [r.secrets] : stringArray("request.secrets", r.secrets);
  // Standard Webhooks signatures are timestamped: the caller's clock unless it names another.
  const now = optionalFinite("request.now", r.now) ?? Date.now() / 1000;
  const tolerance = optionalFinite("request.toleranceSeconds", r.toleranceSeconds);
  const allowUnsigned = optionalBoolean("request.allowUnsigned", r.allowUnsigned) ?? false;
  const allowSha1 = optionalBoolean("request.allowSha1", r.allowSha1) ?? false;
  return [headers, body, secrets, now, tolerance, allowUnsigned, allowSha1];
}

/** Checks a delivery's signature or token over its raw body, against each of the secrets. */
export function verifyWebhook(request) {
  const args = verifyArguments(request);
  return unwrap(withBody(args[1], () => glue.verify_webhook(...args)));
}

/** Verifies a delivery, then reads it: `{ verified, event }`, in one call into the module. */
export function verifyAndParseWebhook(request) {
  const args = verifyArguments(request);
  return unwrap(withBody(args[1], () => glue.verify_and_parse_webhook(...args)));
}

/** Reads a delivery into the one event model every provider shares. It does not verify it. */
export function parseWebhook(delivery) {
  requireReady();
  const d = fields("delivery", delivery, new Set(["headers", "body"]));
  return unwrap(glue.parse_webhook(webhookHeaders("delivery.headers", d.headers), webhookBody("delivery.body", d.body)));
}

/** Whether a project role, as `discoverProjects` reports it, may create the project's webhooks, and the least role that may. */
export function webhookAccess(provider, role) {
  return callWith(glue.webhook_access, { provider, role });
}

/** Reads a pasted list of repositories, one per line, with a diagnostic per bad or repeated line. */
export function parseRepositoryList(text, baseUrl) {
  return callWith(glue.parse_repository_list, { text, baseUrl });
}

// ---------------------------------------------------------------------------------------------
// Webhook registration: pure request builders and response readers.

/** The request that creates a webhook on a project: JSON, TLS verified, signed with the secret. */
export function prepareCreateHook(instance, token, project, hook) {
  return callWith(glue.prepare_create_hook, { instance, token, project, hook });
}

/** The request that updates a project's webhook to the URL, secret and events given. */
export function prepareUpdateHook(instance, token, project, hookId, hook) {
  return callWith(glue.prepare_update_hook, { instance, token, project, hookId, hook });
}

/** The request that removes a project's webhook. */
export function prepareDeleteHook(instance, token, project, hookId) {
  return callWith(glue.prepare_delete_hook, { instance, token, project, hookId });
}

/** The request for the first page of a project's webhooks; follow `next` of the answer. */
export function prepareListHooks(instance, token, project) {
  return callWith(glue.prepare_list_hooks, { instance, token, project });
}

/** Reads the answer to a create or update: the hook, or the failure with its guidance. */
export function parseHook(provider, response) {
  return callWithResponse(glue.parse_hook, { provider }, response);
}

/** Reads a page of webhooks and the URL of the next page, the provider's way. */
export function parseHookList(provider, requestUrl, response) {
  return callWithResponse(glue.parse_hook_list, { provider, requestUrl }, response);
}

// ---------------------------------------------------------------------------------------------
// Polling: the lists a poll reads, their requests and answers, rate limits and state keys.

/** Resource tags and the fields each takes besides `resource`. */
const POLL_RESOURCES = {
  pipelines: [],
  pipeline: ["pipelineId", "updatedAt"],
  jobs: ["pipelineId"],
  merge_requests: [],
  pushes: [],
  branches: [],
  commit_statuses: ["sha"],
};

/** A tagged object (a poll resource, a feedback location): its copy, its fields checked against its tag's. */
function tagged(name, value, tagField, tags) {
  const all = new Set([tagField, ...Object.values(tags).flat()]);
  const copy = fields(name, value, all);
  const tag = copy[tagField];
  if (typeof tag !== "string" || !Object.hasOwn(tags, tag)) {
    throw invalid(`\`${name}.${tagField}\` must be one of ${Object.keys(tags).join(", ")}, got ${typeof tag === "string" ? JSON.stringify(tag) : describe(tag)}.`);
  }
  for (const key of Object.keys(copy)) {
    if (key !== tagField && !tags[tag].includes(key)) throw invalid(`\`${name}.${key}\` is not a field of a \`${tag}\` ${name}.`);
  }
  return copy;
}

/**
 * A poll resource (`{ resource: "pipelines" }`, `{ resource: "jobs", pipelineId }`, ...) with
 * its fields checked against its tag's, which its type in the module does not refuse; serde
 * checks their values.
 */
function resourceArg(name, value) {
  return tagged(name, value, "resource", POLL_RESOURCES);
}

/** The lists a poll of one project starts with, for `provider`. */
export function pollResources(provider) {
  return callWith(glue.poll_resources, { provider });
}

/**
 * The request for one list of `project`, for what changed since `since` (unix seconds), with
 * the access `token`.
 */
export function preparePollRequest(instance, token, project, resource, since) {
  requireReady();
  return callWith(glue.prepare_poll_request, { instance, token, project, resource: resourceArg("resource", resource), since });
}

/** The first requests of a poll of `project`: one per list of {@link pollResources}. */
export function preparePollRequests(instance, token, project, since) {
  return callWith(glue.prepare_poll_requests, { instance, token, project, since });
}

/**
 * Reads the answer to a poll request for `resource` of `project`: events, follow-ups, the next
 * page and the rate-limit reading. `since` and `now` are unix seconds.
 */
export function parsePollResponse(instance, project, resource, requestUrl, response, since, now) {
  requireReady();
  const input = { instance, project, resource: resourceArg("resource", resource), requestUrl, since, now };
  return callWithResponse(glue.parse_poll_response, input, response);
}

/** Reads the rate-limit headers of any response at `now` (unix seconds). */
export function readRateLimit(response, now) {
  return callWithResponse(glue.read_rate_limit, { now }, response);
}

/** The key for the object `event` is about and the state it reports, or null. */
export function stateKey(event) {
  return callWith(glue.state_key, { event });
}

// ---------------------------------------------------------------------------------------------
// Feedback: comments marked so that a later post updates the earlier one.

/** Location tags and the field each takes besides `target`. */
const FEEDBACK_LOCATIONS = { merge_request: ["number"], commit: ["sha"], issue: ["number"], new_issue: ["title"] };

/**
 * A feedback location (`{ target: "merge_request", number }`, ...) with its fields checked
 * against its tag's, which its type in the module does not refuse; serde checks their values,
 * but reads a tagged type's fields from a buffer that loses their path, so a number, the one
 * a caller computes, is checked here to name it.
 */
function locationArg(name, value) {
  const location = tagged(name, value, "target", FEEDBACK_LOCATIONS);
  if ("number" in location) count(`${name}.number`, location.number);
  return location;
}

/** A whole number from 0 up. */
function count(name, value) {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw invalid(`\`${name}\` must be a whole number, got ${typeof value === "number" ? value : describe(value)}.`);
  }
  return value;
}

/** The marker that identifies forgelink's feedback with `key` inside a comment (an HTML comment). */
export function feedbackMarker(key) {
  return callWith(glue.feedback_marker, { key });
}

/** The body to post: the Markdown, then the marker for `key` when there is one. */
export function feedbackBody(body, key) {
  return callWith(glue.feedback_body, { body, key });
}

/** The first of `comments` carrying the marker for `key`, or null. */
export function findFeedback(comments, key) {
  return callWith(glue.find_feedback, { comments, key });
}

/** The request for the first page of comments at `location` of `project`; follow `next` of the answer. */
export function prepareListComments(instance, token, project, location) {
  requireReady();
  return callWith(glue.prepare_list_comments, { instance, token, project, location: locationArg("location", location) });
}

/** The request that posts `body` (Markdown) at `location`; a `new_issue` location opens the issue. */
export function prepareCreateComment(instance, token, project, location, body) {
  requireReady();
  return callWith(glue.prepare_create_comment, { instance, token, project, location: locationArg("location", location), body });
}

/** The request that replaces the body of the earlier `comment` at `location`. */
export function prepareUpdateComment(instance, token, project, location, comment, body) {
  requireReady();
  const input = { instance, token, project, location: locationArg("location", location), comment, body };
  return callWith(glue.prepare_update_comment, input);
}

/** Reads the answer to a create or update at `location`: the comment, or the failure with its guidance. */
export function parseComment(provider, location, response) {
  requireReady();
  return callWithResponse(glue.parse_comment, { provider, location: locationArg("location", location) }, response);
}

/** Reads a page of comments at `location` and the URL of the next page, the provider's way. */
export function parseCommentList(provider, location, requestUrl, response) {
  requireReady();
  const input = { provider, location: locationArg("location", location), requestUrl };
  return callWithResponse(glue.parse_comment_list, input, response);
}

/** 32 bytes from `crypto.getRandomValues`, base64url: a webhook secret. */
function freshSecret() {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * What an administrator pastes to create a webhook by hand (Bitbucket Data Center without
 * admin rights, most often): the URL, a fresh secret, the events the profile needs, the steps.
 */
export function manualWebhookSetup(request) {
  return callWith(glue.manual_webhook_setup, { request, secret: freshSecret() });
}

/** The request that exchanges an authorization code (and PKCE verifier) for tokens. */
export function prepareTokenExchange(client, code, codeVerifier) {
  return callWith(glue.prepare_token_exchange, { client, code, codeVerifier });
}

/** The request that trades a refresh token for new tokens. */
export function prepareRefresh(client, refreshToken) {
  return callWith(glue.prepare_refresh, { client, refreshToken });
}

/** The request that revokes a token, where the provider has one. */
export function prepareRevoke(client, token) {
  return callWith(glue.prepare_revoke, { client, token });
}

/** The request that starts a device authorization (GitHub; GitLab 17.2+). */
export function prepareDeviceAuthorization(client, scopes) {
  return callWith(glue.prepare_device_authorization, { client, scopes });
}

/** The request that polls for a device authorization's tokens. */
export function prepareDevicePoll(client, deviceCode) {
  return callWith(glue.prepare_device_poll, { client, deviceCode });
}

/** Reads the answer to {@link prepareDeviceAuthorization}; `now` is unix seconds. */
export function parseDeviceAuthorization(provider, response, now) {
  return callWithResponse(glue.parse_device_authorization, { provider, now }, response);
}

/** Reads a token endpoint's answer into a token set; `now` is unix seconds. */
export function parseTokenResponse(provider, response, now) {
  return callWithResponse(glue.parse_token_response, { provider, now }, response);
}

/** What a failed API call means: the code, guidance, and what it said about retrying and scopes. */
export function parseApiError(provider, response) {
  return callWithResponse(glue.parse_api_error, { provider }, response);
}

/** The prefixes a provider's tokens start with: each kind, and a retired kind's dates. */
export function tokenPrefixes(provider) {
  return callWith(glue.token_prefixes, { provider });
}

/**
 * The provider and kind a token's prefix reveals; never the token itself. `customPrefix` is a
 * GitLab instance's own personal access token prefix, which its administrator can set in place
 * of `glpat-`.
 */
export function detectToken(token, customPrefix) {
  return callWith(glue.detect_token, { token, customPrefix });
}

/** Whether the token set's access token expires within `skewSeconds` of `now` (unix seconds). */
export function needsRefresh(tokenSet, now, skewSeconds) {
  return callWith(glue.needs_refresh, { tokenSet, now, skewSeconds });
}

// ---------------------------------------------------------------------------------------------
// GitHub Apps: the manifest, the installation URL, the setup callback, permissions, signers.

/**
 * The form that creates a GitHub App with a profile's permissions and events: post `manifest`
 * to `action` from the person's browser.
 */
export function githubAppManifest(options) {
  return callWith(glue.github_app_manifest, { options });
}

/** Where to send a person to install the app `slug`, with `state` to check on the setup URL. */
export function githubAppInstallUrl(request) {
  return callWith(glue.github_app_install_url, { request });
}

/** Reads the setup URL GitHub sent the person to after installing (the whole URL, or its query). */
export function parseGitHubAppSetup(url) {
  return callWith(glue.parse_github_app_setup, { url });
}

/** The permissions and webhook events a GitHub App needs for a profile. */
export function githubAppNeeds(profile) {
  return callWith(glue.github_app_needs, { profile });
}

/**
 * The request that converts a GitHub App manifest's `code` into the new app, within the hour
 * GitHub keeps it. Send it with your HTTP client; read the answer with parseManifestConversion.
 */
export function prepareManifestConversion(baseUrl, code) {
  return callWith(glue.prepare_manifest_conversion, { baseUrl, code });
}

/** Reads the manifest conversion's answer: the new app's id, slug, client id and secrets. */
export function parseManifestConversion(baseUrl, response) {
  return callWithResponse(glue.parse_manifest_conversion, { baseUrl }, response);
}

/** Every GitHub App permission GitHub documents, with what it lets an app do and its levels. */
export function githubAppPermissions() {
  requireReady();
  return unwrap(glue.github_app_permissions());
}

/**
 * The needed permissions that `granted` (an installation's `permissions`) lacks or grants below
 * the level needed, as `name:level`. `needs`: a profile id, `githubAppNeeds(profile)`, or a
 * list of `{ permission, level }`.
 */
export function missingPermissions(granted, needs) {
  requireReady();
  if (typeof needs === "string") return callWith(glue.missing_permissions, { granted, profile: needs });
  let list = needs;
  if (typeof needs === "object" && needs !== null && !Array.isArray(needs)) {
    try {
      list = needs.permissions;
    } catch (cause) {
      throw invalid(`\`needs\` cannot be read: ${describeCause(cause)}`);
    }
  }
  if (!Array.isArray(list)) {
    throw invalid(`\`needs\` must be a profile id, githubAppNeeds(profile) or a list of { permission, level }, got ${describe(needs)}.`);
  }
  return callWith(glue.missing_permissions, { granted, needs: list });
}

/**
 * A signer's keys: one key for every app, or an object of app ids to keys. `read(name, value)`
 * checks and prepares one key.
 */
function signerKeys(name, keys, read) {
  if (typeof keys === "string" || isCryptoKey(keys)) return { single: read(name, keys), byApp: new Map() };
  if (typeof keys !== "object" || keys === null || Array.isArray(keys)) {
    throw invalid(`\`${name}\` must be a private key, or an object of GitHub App ids to private keys, got ${describe(keys)}.`);
  }
  let entries;
  try {
    entries = Object.entries(keys);
  } catch (cause) {
    throw invalid(`\`${name}\` cannot be read: ${describeCause(cause)}`);
  }
  if (entries.length === 0) throw invalid(`\`${name}\` holds no key.`);
  const byApp = new Map();
  for (const [appId, value] of entries) byApp.set(appId, read(`${name}[${JSON.stringify(appId)}]`, value));
  return { single: undefined, byApp };
}

/** The key for a sign request; throws (and the flow fails with `host.sign_failed`) without one. */
function signingKey(table, request, signer) {
  if (request?.algorithm !== "RS256") throw new Error(`${signer} signs RS256 only, not ${request?.algorithm}.`);
  const key = table.byApp.get(String(request.appId)) ?? table.single;
  if (key === undefined) {
    throw new Error(`${signer} has no private key for GitHub App ${request.appId} (it has keys for ${[...table.byApp.keys()].join(", ")}).`);
  }
  return key;
}

function isCryptoKey(value) {
  return typeof globalThis.CryptoKey === "function" && value instanceof globalThis.CryptoKey;
}

/**
 * A `sign` for {@link Forgelink} in Node: RS256 with node:crypto. `keys` is the app's private
 * key as PEM (PKCS#1 `RSA PRIVATE KEY`, as GitHub issues it, or PKCS#8), or an object of app
 * ids to PEMs for several apps. The keys are read now, so a key Node cannot read fails here.
 */
export function nodeSigner(keys) {
  requireReady();
  if (typeof nodeCrypto?.createPrivateKey !== "function" || typeof nodeCrypto?.sign !== "function") {
    throw invalid("nodeSigner needs Node's crypto module (Node 20.16 or later); in a browser, use webCryptoSigner.");
  }
  const table = signerKeys("keys", keys, (name, pem) => {
    if (typeof pem !== "string") throw invalid(`\`${name}\` must be a PEM private key, got ${describe(pem)}.`);
    let key;
    try {
      key = nodeCrypto.createPrivateKey(pem);
    } catch (cause) {
      throw invalid(`\`${name}\` is not a private key Node can read (an unencrypted PEM): ${describeCause(cause)}`);
    }
    if (key.asymmetricKeyType !== "rsa") {
      throw invalid(`\`${name}\` is a ${key.asymmetricKeyType} key; GitHub Apps sign with RSA keys.`);
    }
    return key;
  });
  return (request) => {
    const key = signingKey(table, request, "nodeSigner");
    return new Uint8Array(nodeCrypto.sign("sha256", request.data, key));
  };
}

const PEM = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;
const TO_PKCS8 = "openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pkcs8.pem";

/** A DER length. */
function derLength(length) {
  if (length < 0x80) return [length];
  const bytes = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return [0x80 | bytes.length, ...bytes];
}

// AlgorithmIdentifier { rsaEncryption (1.2.840.113549.1.1.1), NULL } and version 0: what a
// PKCS#8 PrivateKeyInfo puts before an RSA key (RFC 5208 section 5, RFC 8017 appendix A.1).
const RSA_ALGORITHM = [0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00];
const VERSION_0 = [0x02, 0x01, 0x00];

/** A PKCS#1 RSAPrivateKey wrapped as the PKCS#8 PrivateKeyInfo WebCrypto imports. */
function pkcs1ToPkcs8(pkcs1) {
  const octets = [0x04, ...derLength(pkcs1.length)];
  const length = VERSION_0.length + RSA_ALGORITHM.length + octets.length + pkcs1.length;
  const out = new Uint8Array(1 + derLength(length).length + length);
  out.set([0x30, ...derLength(length), ...VERSION_0, ...RSA_ALGORITHM, ...octets]);
  out.set(pkcs1, out.length - pkcs1.length);
  return out;
}

/** PKCS#8 DER from a PEM: PKCS#8 as it is, PKCS#1 (GitHub's) wrapped; anything else refused. */
function pkcs8Der(name, pem) {
  const match = PEM.exec(pem);
  if (match === null) throw invalid(`\`${name}\` is not a PEM private key (-----BEGIN PRIVATE KEY----- ...).`);
  const [, label, body] = match;
  if ((label !== "PRIVATE KEY" && label !== "RSA PRIVATE KEY") || body.includes("Proc-Type:")) {
    const what = body.includes("Proc-Type:") || label.includes("ENCRYPTED") ? "an encrypted key" : `a PEM "${label}"`;
    throw invalid(`\`${name}\` is ${what}; webCryptoSigner takes an unencrypted RSA private key, PKCS#8 ("PRIVATE KEY") or PKCS#1 ("RSA PRIVATE KEY", as GitHub issues it). Convert it with: ${TO_PKCS8}`);
  }
  let der;
  try {
    der = Uint8Array.from(atob(body.replace(/\s+/g, "")), (c) => c.charCodeAt(0));
  } catch {
    throw invalid(`\`${name}\` is not a PEM private key: its body is not base64.`);
  }
  return label === "RSA PRIVATE KEY" ? pkcs1ToPkcs8(der) : der;
}

const RS256 = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };

/**
 * A `sign` for {@link Forgelink} over WebCrypto (browsers, Deno, workers, Node): RS256 with
 * `crypto.subtle`. `keys`: a `CryptoKey` imported for RSASSA-PKCS1-v1_5 with SHA-256, or a PEM
 * (PKCS#8, or GitHub's PKCS#1, which is wrapped into PKCS#8 here), or an object of app ids to
 * either. A PEM is imported on its first use, not extractable.
 */
export function webCryptoSigner(keys) {
  requireReady();
  const subtle = globalThis.crypto?.subtle;
  if (typeof subtle?.sign !== "function" || typeof subtle?.importKey !== "function") {
    throw invalid("webCryptoSigner needs crypto.subtle, which browsers offer only in secure contexts (https, or localhost).");
  }
  const table = signerKeys("keys", keys, (name, value) => {
    if (isCryptoKey(value)) {
      if (value.type !== "private" || value.algorithm?.name !== RS256.name || value.algorithm?.hash?.name !== RS256.hash || !value.usages.includes("sign")) {
        throw invalid(`\`${name}\` must be a private CryptoKey for RSASSA-PKCS1-v1_5 with SHA-256 and the "sign" usage.`);
      }
      return { key: Promise.resolve(value) };
    }
    if (typeof value !== "string") throw invalid(`\`${name}\` must be a PEM private key or a CryptoKey, got ${describe(value)}.`);
    return { der: pkcs8Der(name, value), key: undefined };
  });
  return async (request) => {
    const entry = signingKey(table, request, "webCryptoSigner");
    entry.key ??= subtle.importKey("pkcs8", entry.der, RS256, false, ["sign"]).catch((cause) => {
      entry.key = undefined;
      throw new Error(`WebCrypto could not import the private key for GitHub App ${request.appId}: ${describeCause(cause)}`);
    });
    return new Uint8Array(await subtle.sign(RS256.name, await entry.key, request.data));
  };
}

// ---------------------------------------------------------------------------------------------
// The flows: the Forgelink class over the caller's fetch and storage.

function coded(code, message, providerDetail) {
  const body = { code, message, guidance: unwrap(glue.troubleshoot(code, undefined)) };
  if (providerDetail !== undefined) body.providerDetail = providerDetail;
  return new ForgelinkError(body);
}

/** What a thrown value says, with the cause's code and message where Node's fetch puts them. */
function explain(error) {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  const code = typeof cause?.code === "string" ? cause.code : typeof error.code === "string" ? error.code : undefined;
  const detail = cause instanceof Error && cause.message !== error.message ? `: ${cause.message}` : "";
  return `${error.message}${detail}${code && !`${error.message}${detail}`.includes(code) ? ` (${code})` : ""}`;
}

const TLS_CODES = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ALTNAME/;
const TIMEOUT_CODES = new Set(["ETIMEDOUT", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);
const UNRESOLVED_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_NODATA", "EAI_FAIL"]);
// OpenSSL's words for a first record that is not TLS, as when a plain HTTP server answers an
// https request: undici sets the code, Node's https module only the message (code EPROTO).
const PLAIN_HTTP = /WRONG_VERSION_NUMBER|wrong version number/i;

// The coded errors of a host's fetch that the core has a FetchError kind for. A refused address,
// plain http or an oversized answer reaches the core as what it is, so that a report's check or
// a project's registration result names it too, not only the error a failing flow throws.
const FETCH_ERROR_KINDS = {
  "network.timeout": "timeout",
  "tls.untrusted_certificate": "tls",
  "tls.plain_http_on_https": "plain_http_on_https",
  "network.name_not_resolved": "name_not_resolved",
  "network.connection_refused": "connection_refused",
  "network.unreachable": "connection",
  "network.address_blocked": "blocked",
  "network.insecure_http": "insecure_http",
  "http.response_too_large": "too_large",
};
// Of those, the ones the host decided on purpose: the flow throws the host's own error, which
// names the address or the cap and the option that changes it.
const HOST_DECISIONS = new Set(["network.address_blocked", "network.insecure_http", "http.response_too_large"]);

/**
 * The FetchError kind a thrown value stands for: timeout, tls, plain_http_on_https,
 * name_not_resolved, connection_refused, connection, blocked, insecure_http, too_large or other;
 * undefined for another coded error.
 */
function fetchErrorKind(error) {
  if (error instanceof ForgelinkError) {
    const kind = FETCH_ERROR_KINDS[error.code];
    // The core states an oversized answer with the cap; without one it is the host's error alone.
    return kind === "too_large" && responseCap(error) === undefined ? undefined : kind;
  }
  if (error?.name === "TimeoutError" || error?.name === "AbortError") return "timeout";
  const code = typeof error?.cause?.code === "string" ? error.cause.code : typeof error?.code === "string" ? error.code : "";
  if (TIMEOUT_CODES.has(code)) return "timeout";
  if (PLAIN_HTTP.test(code) || (error instanceof Error && PLAIN_HTTP.test(explain(error)))) return "plain_http_on_https";
  if (UNRESOLVED_CODES.has(code)) return "name_not_resolved";
  if (code === "ECONNREFUSED") return "connection_refused";
  if (TLS_CODES.test(code)) return "tls";
  if (code !== "" || error instanceof TypeError) return "connection";
  return "other";
}

function redirectNotFollowed(url) {
  return coded(
    "http.unexpected_status",
    "The server answered with a redirect, which forgelink does not follow; the browser does not reveal where it pointed.",
    `A redirect from ${url} was not followed.`,
  );
}

/**
 * The host object the Rust flows call, one per flow call. It calls the caller's functions,
 * awaits what they return, checks its shape and catches what they throw, so that every promise
 * it hands to Rust resolves to `{ ok: true, ... }` or `{ ok: false, kind?, message }`.
 *
 * A contract the caller's host broke is kept in `violation` and thrown whatever the flow's
 * outcome: it is a bug in the host, and a flow that got by with a fallback must not hide it.
 * A coded error the host threw on purpose (fetchHost's redirect) is kept in `failure` and
 * thrown instead of the flow's own error, which could only call it a network failure.
 */
class Bridge {
  constructor(host) {
    this.host = host;
    this.violation = undefined;
    this.failure = undefined;
  }

  broken(message) {
    this.violation ??= invalid(message);
    return { ok: false, kind: "other", message };
  }

  async fetch(method, url, flat, body) {
    const headers = [];
    for (let i = 0; i + 1 < flat.length; i += 2) headers.push([flat[i], flat[i + 1]]);
    const request = { method, url, headers };
    if (body !== undefined) request.body = encoder.encode(body);
    let response;
    try {
      response = await this.host.fetch(request);
    } catch (error) {
      const kind = fetchErrorKind(error);
      if (kind === undefined) {
        // A coded error of the host's own, such as fetchHost's redirect: it is the answer.
        this.failure ??= error;
        return { ok: false, kind: "other", message: error.message };
      }
      if (error instanceof ForgelinkError && HOST_DECISIONS.has(error.code)) this.failure ??= error;
      return { ok: false, kind, message: explain(error), limit: responseCap(error) };
    }
    if (typeof response !== "object" || response === null) {
      return this.broken(`The host's fetch must return { status, headers, body }, got ${describe(response)}.`);
    }
    let status, rawHeaders, rawBody;
    try {
      ({ status, headers: rawHeaders, body: rawBody } = response);
    } catch (cause) {
      return this.broken(`The host's fetch returned a response that cannot be read: ${describeCause(cause)}`);
    }
    if (status === 0) {
      // An opaque redirect (fetch with redirect: "manual" in a browser).
      this.failure ??= redirectNotFollowed(url);
      return { ok: false, kind: "other", message: this.failure.message };
    }
    if (!Number.isInteger(status) || status < 100 || status > 999) {
      return this.broken(`The host's fetch returned the status ${describe(status) === "a number" ? status : describe(status)}; it must be an HTTP status code.`);
    }
    const headerList = flatHeaders(rawHeaders);
    if (typeof headerList === "string") return this.broken(`The host's fetch returned headers that are not valid: headers${headerList}.`);
    const bytes = rawBody === undefined || rawBody === null ? new Uint8Array(0) : bytesOf(rawBody);
    if (bytes === undefined) {
      return this.broken(`The host's fetch must return the body as a Uint8Array, got ${describe(rawBody)}.`);
    }
    return { ok: true, status, headers: headerList, body: bytes };
  }

  async storage(operation, call) {
    try {
      return { ok: true, result: await call(this.host.storage) };
    } catch (error) {
      return { ok: false, message: `storage.${operation} failed: ${explain(error)}` };
    }
  }

  async get(key) {
    const outcome = await this.storage("get", (s) => s.get(key));
    if (!outcome.ok) return outcome;
    if (outcome.result === undefined || outcome.result === null) return { ok: true, value: undefined };
    if (typeof outcome.result === "string") {
      return this.broken(`storage.get must return a Uint8Array or null, got a string.`);
    }
    const value = bytesOf(outcome.result);
    return value === undefined ? this.broken(`storage.get must return a Uint8Array or null, got ${describe(outcome.result)}.`) : { ok: true, value };
  }

  async set(key, value, ttlSeconds) {
    // The bytes are a view into the module's memory: the caller keeps a copy.
    const copy = value.slice();
    const outcome = await this.storage("set", (s) => (ttlSeconds === undefined ? s.set(key, copy) : s.set(key, copy, { ttlSeconds })));
    return outcome.ok ? { ok: true } : outcome;
  }

  async delete(key) {
    const outcome = await this.storage("delete", (s) => s.delete(key));
    return outcome.ok ? { ok: true } : outcome;
  }

  async compareAndSwap(key, expected, value, ttlSeconds) {
    const copy = value.slice();
    const old = expected === undefined ? null : expected.slice();
    const outcome = await this.storage("compareAndSwap", (s) =>
      ttlSeconds === undefined ? s.compareAndSwap(key, old, copy) : s.compareAndSwap(key, old, copy, { ttlSeconds }),
    );
    if (!outcome.ok) return outcome;
    if (typeof outcome.result !== "boolean") {
      return this.broken(`storage.compareAndSwap must return a boolean, got ${describe(outcome.result)}.`);
    }
    return { ok: true, swapped: outcome.result };
  }

  now() {
    if (this.host.now === undefined) return Date.now();
    let ms;
    try {
      ms = this.host.now();
    } catch (cause) {
      this.broken(`The host's now() threw: ${describeCause(cause)}`);
      return Date.now();
    }
    if (typeof ms !== "number" || !Number.isFinite(ms)) {
      this.broken(`The host's now() must return milliseconds since 1970 as a number, got ${describe(ms)}.`);
      return Date.now();
    }
    return ms;
  }

  /**
   * Fills `buffer` from `crypto.getRandomValues`; answers why it could not, or undefined. The
   * flows stop on an answer rather than draw an id, a secret or a nonce from predictable bytes.
   */
  random(buffer) {
    const source = globalThis.crypto;
    if (typeof source?.getRandomValues !== "function") {
      return "This platform has no crypto.getRandomValues.";
    }
    try {
      // getRandomValues fills at most 65 536 bytes per call.
      for (let offset = 0; offset < buffer.length; offset += 65536) {
        source.getRandomValues(buffer.subarray(offset, offset + 65536));
      }
    } catch (cause) {
      return `crypto.getRandomValues threw: ${describeCause(cause)}`;
    }
    // Eight or more zero bytes from a working source happen once in 2^64 draws; from a stub that
    // returns without filling, every time.
    if (buffer.length >= 8 && buffer.every((b) => b === 0)) {
      return "crypto.getRandomValues left the buffer all zeros.";
    }
    return undefined;
  }

  sleep(millis) {
    return new Promise((resolve) => setTimeout(resolve, millis));
  }

  /**
   * Signs a GitHub App's JWT through the caller's `sign`: `{ ok: true, signature }`, or
   * `{ ok: false, message }` (the signer's own words), which the flow throws as
   * `host.sign_failed`.
   */
  async sign(algorithm, appId, data) {
    // A view into the module's memory, which may move while the signer runs: copied first.
    const copy = data.slice();
    if (this.host.sign === undefined) {
      return { ok: false, message: `No signer for GitHub App ${appId}: pass \`sign\` to new Forgelink(...) (nodeSigner(privateKey) in Node, webCryptoSigner(privateKey) in a browser).` };
    }
    let signature;
    try {
      signature = await this.host.sign({ algorithm, appId, data: copy });
    } catch (error) {
      return { ok: false, message: explain(error) };
    }
    const bytes = typeof signature === "string" ? undefined : bytesOf(signature);
    if (bytes === undefined) {
      return this.broken(`The host's sign must return the signature as a Uint8Array, got ${describe(signature)}.`);
    }
    if (bytes.length === 0) return { ok: false, message: "The signer returned an empty signature." };
    return { ok: true, signature: bytes };
  }
}

const STORAGE_METHODS = ["get", "set", "delete", "compareAndSwap"];

/**
 * The connection flows over the caller's `fetch` and `storage`: connect an account (OAuth or a
 * pasted token), hand out fresh access tokens, test a connection, disconnect it, list its
 * projects, register their webhooks and receive deliveries once. Everything stored is sealed
 * with `encryptionKey` (AES-256-GCM).
 */
export class Forgelink {
  #host;
  #key;

  /**
   * @param {{ fetch: Function, storage: object, encryptionKey: Uint8Array, now?: () => number, sign?: Function }} host
   */
  constructor(host) {
    requireReady();
    // Read through the object rather than a copy of it, so that a host written as a class
    // (methods on its prototype) works too; each property is read once.
    fields("host", host, new Set(["fetch", "storage", "encryptionKey", "now", "sign"]));
    let h;
    try {
      h = { fetch: host.fetch, storage: host.storage, encryptionKey: host.encryptionKey, now: host.now, sign: host.sign };
    } catch (cause) {
      throw invalid(`\`host\` cannot be read: ${describeCause(cause)}`);
    }
    if (typeof h.fetch !== "function") {
      throw invalid(`\`host.fetch\` must be a function, got ${describe(h.fetch)}.`);
    }
    if (typeof h.storage !== "object" || h.storage === null) {
      throw invalid(`\`host.storage\` must be an object with ${STORAGE_METHODS.join(", ")}, got ${describe(h.storage)}.`);
    }
    for (const method of STORAGE_METHODS) {
      let fn;
      try {
        fn = h.storage[method];
      } catch (cause) {
        throw invalid(`\`host.storage.${method}\` cannot be read: ${describeCause(cause)}`);
      }
      if (typeof fn !== "function") {
        throw invalid(`\`host.storage.${method}\` must be a function, got ${describe(fn)}.`);
      }
    }
    if (!(h.encryptionKey instanceof Uint8Array) || h.encryptionKey.length !== 32) {
      const got = h.encryptionKey instanceof Uint8Array ? `${h.encryptionKey.length} bytes` : describe(h.encryptionKey);
      throw invalid(`\`host.encryptionKey\` must be a Uint8Array of 32 bytes, got ${got}.`);
    }
    if (h.now !== undefined && typeof h.now !== "function") {
      throw invalid(`\`host.now\` must be a function returning milliseconds, got ${describe(h.now)}.`);
    }
    if (h.sign !== undefined && typeof h.sign !== "function") {
      throw invalid(`\`host.sign\` must be a function (nodeSigner(...) or webCryptoSigner(...)), got ${describe(h.sign)}.`);
    }
    const { fetch, now, sign } = h;
    this.#host = {
      fetch: (request) => fetch.call(host, request),
      storage: h.storage,
      now: now === undefined ? undefined : () => now.call(host),
      sign: sign === undefined ? undefined : (request) => sign.call(host, request),
    };
    this.#key = h.encryptionKey.slice();
  }

  async #run(call) {
    const bridge = new Bridge(this.#host);
    const envelope = JSON.parse(await call(bridge, this.#key));
    if (bridge.violation !== undefined) throw bridge.violation;
    if (envelope.error !== undefined) {
      throw bridge.failure ?? new ForgelinkError(envelope.error);
    }
    return envelope.ok;
  }

  /** Starts an OAuth connection: stores the pending authorization and returns where to send the person. */
  async connectStart(request) {
    requireReady();
    const body = faithfulJson(request, "request");
    return this.#run((bridge, key) => glue.flows_connect_start(bridge, key, body));
  }

  /**
   * Finishes an OAuth connection from the full URL the provider redirected the browser to, in
   * the browser session that started it (`options.session`, when `connectStart` had one).
   */
  async connectFinish(callbackUrl, options) {
    requireReady();
    const url = callbackUrl instanceof URL ? callbackUrl.href : string("callbackUrl", callbackUrl);
    const body = faithfulJson(options ?? {}, "options");
    return this.#run((bridge, key) => glue.flows_connect_finish(bridge, key, url, body));
  }

  /** Connects with a personal, project, group or workspace access token. */
  async connectWithToken(request) {
    requireReady();
    const body = faithfulJson(request, "request");
    return this.#run((bridge, key) => glue.flows_connect_with_token(bridge, key, body));
  }

  /**
   * Replaces a connection's token in place, keeping its id, projects, webhooks and history. The
   * token must act as the connection's account on its instance; otherwise nothing changes.
   */
  async replaceCredentials(id, request) {
    requireReady();
    const text = string("id", id);
    const body = faithfulJson(request, "request");
    return this.#run((bridge, key) => glue.flows_replace_credentials(bridge, key, text, body));
  }

  /** Checks the connection end to end and reports each check with its guidance. */
  async testConnection(id) {
    requireReady();
    const text = string("id", id);
    return this.#run((bridge, key) => glue.flows_test_connection(bridge, key, text));
  }

  /** A valid access token for the connection, refreshed first when it is about to expire. */
  async accessToken(id) {
    requireReady();
    const text = string("id", id);
    return this.#run((bridge, key) => glue.flows_access_token(bridge, key, text));
  }

  /**
   * Revokes what the provider lets forgelink revoke, deletes the connection, and lists what is
   * left to do; `options.uninstall` also uninstalls a GitHub App from the account.
   */
  async disconnect(id, options) {
    requireReady();
    const text = string("id", id);
    const body = faithfulJson(options ?? {}, "options");
    return this.#run((bridge, key) => glue.flows_disconnect(bridge, key, text, body));
  }

  /** Converts the code GitHub sent to a manifest's redirect URL into the new app's id, secrets and private key. */
  async createGitHubApp(request) {
    requireReady();
    const body = faithfulJson(request, "request");
    return this.#run((bridge, key) => glue.flows_create_github_app(bridge, key, body));
  }

  /** Connects an installation of a GitHub App, checking the setup callback's code when given. */
  async connectGitHubApp(request) {
    requireReady();
    const body = faithfulJson(request, "request");
    return this.#run((bridge, key) => glue.flows_connect_github_app(bridge, key, body));
  }

  /** A token of the connection's installation narrowed to some repositories or permissions, minted for this call. */
  async installationToken(id, options) {
    requireReady();
    const text = string("id", id);
    const body = faithfulJson(options ?? {}, "options");
    return this.#run((bridge, key) => glue.flows_installation_token(bridge, key, text, body));
  }

  /** Points the GitHub App's webhook at `url` plus a route of its own, with a fresh secret forgelink keeps. */
  async registerGitHubApp(request) {
    requireReady();
    const body = faithfulJson(request, "request");
    return this.#run((bridge, key) => glue.flows_register_github_app(bridge, key, body));
  }

  /** One page of the projects the connection can see, with the account's role where the provider tells it. */
  async discoverProjects(id, options) {
    requireReady();
    const text = string("id", id);
    const body = faithfulJson(options ?? {}, "options");
    return this.#run((bridge, key) => glue.flows_discover_projects(bridge, key, text, body));
  }

  /** Registers a webhook on each project, reusing one that already points at the URL; one result per project. */
  async registerWebhooks(id, request) {
    requireReady();
    const text = string("id", id);
    const body = faithfulJson(request, "request");
    return this.#run((bridge, key) => glue.flows_register_webhooks(bridge, key, text, body));
  }

  /** Removes the webhooks forgelink registered for the connection: on the projects named, or on all. */
  async unregisterWebhooks(id, options) {
    requireReady();
    const text = string("id", id);
    const body = faithfulJson(options ?? {}, "options");
    return this.#run((bridge, key) => glue.flows_unregister_webhooks(bridge, key, text, body));
  }

  /**
   * Lists what happened on the projects since the last poll (or `lookbackDays`): the events a
   * delivery would have brought, less those deliveries or earlier polls already reported.
   */
  async pollEvents(id, options) {
    requireReady();
    const text = string("id", id);
    const o = faithfulJson(options, "options");
    return this.#run((bridge, key) => glue.flows_poll_events(bridge, key, text, o));
  }

  /** Posts a comment where developers look: the merge request, else the commit, else an issue; updated in place when asked. */
  async postFeedback(id, request) {
    requireReady();
    const text = string("id", id);
    const r = faithfulJson(request, "request");
    return this.#run((bridge, key) => glue.flows_post_feedback(bridge, key, text, r));
  }

  /**
   * Routes, verifies, reads and deduplicates a delivery as received: `route` is the URL it
   * arrived at (or the route id, its last path segment), which names the connection and project
   * whose hook it is; accepted once across every instance sharing storage.
   */
  async receiveWebhook(delivery, options) {
    webhooksReady();
    const d = fields("delivery", delivery, new Set(["route", "headers", "body"]));
    if (d.route === undefined || d.route === null) {
      throw invalid("`delivery.route` is missing: pass the URL the delivery arrived at (or its route id), which names the hook it was sent to.");
    }
    const route = d.route instanceof URL ? d.route.href : string("delivery.route", d.route);
    const headers = webhookHeaders("delivery.headers", d.headers);
    const body = webhookBody("delivery.body", d.body);
    const o = options === undefined || options === null ? {} : fields("options", options, RECEIVE_FIELDS);
    const dedupe = optionalFinite("options.dedupeSeconds", o.dedupeSeconds);
    const handling = optionalFinite("options.handlingSeconds", o.handlingSeconds);
    const allowPing = optionalBoolean("options.allowUnsignedPing", o.allowUnsignedPing);
    const tolerance = optionalFinite("options.toleranceSeconds", o.toleranceSeconds);
    return this.#run((bridge, key) => glue.flows_receive_webhook(bridge, key, route, headers, body, dedupe, handling, allowPing, tolerance));
  }

  /** The accepted delivery's event was handled: every later copy is a duplicate. `false` when its claim had lapsed first. */
  async confirmDelivery(claim) {
    webhooksReady();
    const text = string("claim", claim);
    return this.#run((bridge, key) => glue.flows_confirm_delivery(bridge, key, text));
  }

  /** The accepted delivery's event could not be handled: the provider's redelivery is accepted as new. */
  async releaseDelivery(claim) {
    webhooksReady();
    const text = string("claim", claim);
    await this.#run((bridge, key) => glue.flows_release_delivery(bridge, key, text));
  }
}

const RECEIVE_FIELDS = new Set(["dedupeSeconds", "handlingSeconds", "allowUnsignedPing", "toleranceSeconds"]);

const FETCH_HOST_FIELDS = new Set(["fetch", "timeoutMs", "maxResponseBytes", "allowPrivateNetworks", "allowInsecureHttp"]);
// 10 MiB: far above any answer the flows read (a page of projects, a token), far below what
// would strain a server that holds many answers at once.
const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

/**
 * A `fetch` for {@link Forgelink}: redirects are not followed, cookies are not sent, a request
 * without an answer after `timeoutMs` fails with `network.timeout`, a body past
 * `maxResponseBytes` with `http.response_too_large`, and the address policy refuses loopback,
 * private, link-local and metadata destinations (`network.address_blocked`) and plain http
 * beyond this machine (`network.insecure_http`). In Node, without `options.fetch`, requests go
 * through node:http and node:https and the policy checks every address a name resolves to;
 * with `options.fetch` (and in browsers) it can only check what the URL says.
 */
export function fetchHost(options) {
  requireReady();
  const o = options === undefined || options === null ? {} : fields("options", options, FETCH_HOST_FIELDS);
  const platformFetch = o.fetch ?? undefined;
  if (platformFetch !== undefined && typeof platformFetch !== "function") {
    throw invalid(`\`options.fetch\` must be a function, got ${describe(platformFetch)}.`);
  }
  const timeoutMs = o.timeoutMs ?? 30_000;
  if (typeof timeoutMs !== "number" || !(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
    throw invalid(`\`options.timeoutMs\` must be a positive number, got ${describe(timeoutMs)}.`);
  }
  const maxResponseBytes = o.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  if (!Number.isSafeInteger(maxResponseBytes) || maxResponseBytes < 1) {
    throw invalid(`\`options.maxResponseBytes\` must be a whole number of bytes from 1, got ${typeof maxResponseBytes === "number" ? maxResponseBytes : describe(maxResponseBytes)}.`);
  }
  const settings = {
    fetch: platformFetch,
    timeoutMs,
    maxResponseBytes,
    allowPrivateNetworks: optionalBoolean("options.allowPrivateNetworks", o.allowPrivateNetworks) ?? false,
    allowInsecureHttp: optionalBoolean("options.allowInsecureHttp", o.allowInsecureHttp) ?? false,
  };
  const hostFetch = createHostFetch(settings, { coded, redirectNotFollowed });
  if (hostFetch === undefined) {
    throw invalid("This platform has no fetch of its own: pass `options.fetch`.");
  }
  return hostFetch;
}

function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const MEMORY_STORAGE_FIELDS = new Set(["now"]);

/**
 * Storage for {@link Forgelink} in a `Map`: for tests, and for one process that keeps nothing.
 * It honours time-to-live: an expired value counts as absent (to `get` and to
 * `compareAndSwap`), and expired entries are swept as values are written, so that a process
 * receiving deliveries for months holds only what is still live. `options.now` is the clock in
 * milliseconds (`Date.now` when absent), so that tests can move time.
 */
export function memoryStorage(options) {
  // Without options it needs no module, so a browser may build one before init().
  if (options !== undefined && options !== null) requireReady();
  const o = options === undefined || options === null ? {} : fields("options", options, MEMORY_STORAGE_FIELDS);
  if (o.now !== undefined && typeof o.now !== "function") {
    throw invalid(`\`options.now\` must be a function returning milliseconds, got ${describe(o.now)}.`);
  }
  const clock = o.now ?? Date.now;
  // key → { value, expiresAt? } (milliseconds of the clock)
  const map = new Map();
  let writesSinceSweep = 0;

  function now() {
    const ms = clock();
    if (typeof ms !== "number" || Number.isNaN(ms)) {
      throw invalid(`memoryStorage's \`now()\` must return milliseconds as a number, got ${describe(ms)}.`);
    }
    return ms;
  }

  function live(key, at) {
    const entry = map.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= at) {
      map.delete(key);
      return undefined;
    }
    return entry;
  }

  function sweep(at) {
    for (const [key, entry] of map) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= at) map.delete(key);
    }
    writesSinceSweep = 0;
  }

  function expiry(at, ttl) {
    const seconds = ttl?.ttlSeconds;
    if (seconds === undefined || seconds === null) return undefined;
    if (typeof seconds !== "number" || Number.isNaN(seconds) || seconds < 0) {
      throw invalid(`\`ttlSeconds\` must be a number of seconds from 0, got ${typeof seconds === "number" ? seconds : describe(seconds)}.`);
    }
    return at + seconds * 1000;
  }

  function write(key, value, at, ttl) {
    const expiresAt = expiry(at, ttl);
    map.set(key, { value: value.slice(), expiresAt });
    // A full sweep after as many writes as half the entries held: each write pays for a
    // constant share of it, and what is held stays within a constant factor of what is live.
    writesSinceSweep++;
    if (writesSinceSweep >= Math.max(64, map.size / 2)) sweep(at);
  }

  return {
    get: (key) => live(key, now())?.value.slice() ?? null,
    set: (key, value, ttl) => {
      write(key, value, now(), ttl);
    },
    delete: (key) => {
      map.delete(key);
    },
    compareAndSwap: (key, expected, value, ttl) => {
      const at = now();
      const current = live(key, at)?.value;
      const matches = expected === null || expected === undefined ? current === undefined : current !== undefined && sameBytes(current, expected);
      if (matches) write(key, value, at, ttl);
      return matches;
    },
    keys: () => {
      sweep(now());
      return [...map.keys()];
    },
    get size() {
      return map.size;
    },
  };
}
