// Random and malformed inputs to every exported function: nothing traps, nothing throws
// anything but a ForgelinkError whose code is in errorCodes(), and the module stays usable.
import assert from "node:assert/strict";
import { test } from "node:test";

import fc from "fast-check";

import * as light from "../index.js";
import * as full from "../flows.js";

// The first slice's functions run against both entries, each over its own module; the token
// functions are in the flows entry only.
const ENTRIES = [
  ["forgelink", light],
  ["forgelink/flows", full],
];

const {
  detectToken,
  errorCodes,
  ForgelinkError,
  needsRefresh,
  parseApiError,
  parseDeviceAuthorization,
  parseTokenResponse,
  prepareDeviceAuthorization,
  prepareDevicePoll,
  prepareRefresh,
  prepareRevoke,
  prepareTokenExchange,
} = full;

const RUNS = 10_000;
// A fixed seed keeps `make test` deterministic; set FORGELINK_FC_SEED to explore further.
const SEED = Number(process.env.FORGELINK_FC_SEED ?? 20_251_122);
const PARAMS = { numRuns: RUNS, seed: SEED, endOnFailure: true };
const CODES = new Set(errorCodes());
const PROVIDERS = ["github", "gitlab", "bitbucket-cloud", "bitbucket-data-center"];

/** Runs `call`; a thrown value must be a ForgelinkError with a catalogued code and guidance. */
function coded(call) {
  try {
    return { value: call() };
  } catch (error) {
    if (!(error instanceof ForgelinkError)) {
      throw new Error(`not a ForgelinkError: ${error?.name}: ${error?.message}`, { cause: error });
    }
    assert.ok(CODES.has(error.code), `unknown code ${error.code}`);
    assert.equal(error.guidance.code, error.code);
    assert.ok(error.guidance.steps.length > 0);
    assert.equal(typeof error.message, "string");
    return { error };
  }
}

function diagnosticsAreCoded(diagnostics) {
  assert.ok(Array.isArray(diagnostics));
  for (const d of diagnostics) {
    assert.ok(CODES.has(d.code), d.code);
    assert.ok(d.severity === "error" || d.severity === "warning");
    assert.equal(typeof d.message, "string");
  }
}

// Pieces people paste, put together in every order, then damaged.
const scheme = fc.constantFrom("https://", "http://", "HTTPS://", "ftp://", "ssh://git@", "git@", "", "//", "https:/", "https:", "javascript:", " https://");
const host = fc.oneof(
  fc.constantFrom(
    "gitlab.com", "www.github.com", "api.github.com", "github.com", "bitbucket.org", "api.bitbucket.org",
    "octo.ghe.com", "api.octo.ghe.com", "gitlab.example.com", "localhost", "127.0.0.1", "[::1]",
    "[2001:db8::1]", "bücher.example", "xn--bcher-kva.example", "exa_mple.com", "-bad.example", "a..b",
    "999.1.1.1", "0x7f.1", "ＧＩＴＬＡＢ.example", "😀.example", "", ".", "[", "[::1", "%41.example",
  ),
  fc.domain(),
  fc.ipV4(),
  fc.ipV6().map((ip) => `[${ip}]`),
);
const port = fc.oneof(fc.constant(""), fc.integer({ min: -1, max: 70_000 }).map((p) => `:${p}`), fc.constantFrom(":", ":abc", ":443", ":08080"));
const segment = fc.oneof(
  fc.constantFrom("api", "v4", "v3", "rest", "api", "1.0", "latest", "gitlab", "-", "merge_requests", "projects", "scm", "repo.git", "oauth", "login", "..", ".", "%2F", "users", "2.0"),
  fc.webSegment(),
  fc.string({ maxLength: 6 }),
);
const path = fc.array(segment, { maxLength: 5 }).map((s) => (s.length ? `/${s.join("/")}` : ""));
const tail = fc.constantFrom("", "/", "?", "?a=b", "#x", "//", " ", "\n", "\u0000", "\ud800", "\\");
const urlish = fc
  .tuple(scheme, fc.option(fc.constantFrom("user@", "user:pw@", "@", ":@"), { nil: "" }), host, port, path, tail)
  .map((parts) => parts.join(""));
// UTF-16 units one by one, so that lone surrogates occur too.
const char16 = fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u));
const damaged = fc.tuple(urlish, fc.nat(), fc.string({ unit: char16, maxLength: 3 })).map(([s, at, insert]) => {
  const i = at % (s.length + 1);
  return s.slice(0, i) + insert + s.slice(i + 1);
});
const text = fc.oneof(urlish, damaged, fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.string(), fc.string({ unit: "binary", maxLength: 40 }), fc.string({ unit: char16, maxLength: 20 }), fc.constant(""));
/** Anything at all: what a JavaScript caller may hand over by mistake. */
const anything = fc.oneof(
  { weight: 1, arbitrary: fc.anything({ withBigInt: true, withBoxedValues: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true }) },
  { weight: 4, arbitrary: text },
);
const providerArg = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...PROVIDERS) },
  { weight: 1, arbitrary: fc.constantFrom("GitHub", "bitbucket", "bitbucket-server", " gitlab ", "gitea", "") },
  { weight: 1, arbitrary: anything },
);
const scopeName = fc.oneof(fc.constantFrom("api", "read_api", "repo", "repo:status", "read:org", "pullrequest:write", "repository:write", "REPO_READ", "offline_access", "", " ", ","), fc.string({ maxLength: 12 }));
const scopeList = fc.oneof(
  { weight: 4, arbitrary: fc.array(scopeName, { maxLength: 6 }) },
  { weight: 2, arbitrary: fc.array(scopeName, { maxLength: 6 }).map((s) => s.join(",")) },
  { weight: 2, arbitrary: fc.array(scopeName, { maxLength: 6 }).map((s) => s.join(" ")) },
  { weight: 1, arbitrary: anything },
);
const callbackUrl = fc.oneof(
  fc
    .tuple(
      fc.constantFrom("https://app.example.com/cb?", "?", "", "https://app.example.com/cb#", "not a url ", "https://app.example.com/cb"),
      fc.array(
        fc.tuple(
          fc.constantFrom("code", "state", "error", "error_description", "error_uri", "iss", "x", ""),
          fc.oneof(fc.constantFrom("s1", "abc", "access_denied", "invalid_scope", "redirect_uri_mismatch", "server_error", ""), fc.string({ maxLength: 8 })),
        ),
        { maxLength: 6 },
      ),
    )
    .map(([prefix, pairs]) => prefix + pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&")),
  text,
);
const requestArg = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record(
      {
        provider: providerArg,
        baseUrl: fc.oneof(text, fc.constant(undefined), fc.constant(null), anything),
        clientId: fc.oneof(fc.constantFrom("client-id", "", " ", "a b"), fc.string({ maxLength: 10 }), anything),
        redirectUri: fc.oneof(fc.constantFrom("https://app.example.com/cb", "http://127.0.0.1:8080/cb", "http://app.example.com/cb"), text, anything),
        scopes: fc.oneof(fc.constant(undefined), fc.array(scopeName, { maxLength: 4 }), anything),
        profile: fc.oneof(fc.constant(undefined), fc.constantFrom("ci-failure-analysis", "deployments", "engineering-metrics", "secret-sync", "secret-scanning", "code-correlation", "nope"), anything),
        pkce: fc.oneof(fc.constant(undefined), fc.boolean(), anything),
        extra: anything,
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: anything },
);
const codeArg = fc.oneof(fc.constantFrom(...CODES), fc.constantFrom("", "nope", "BASE_URL.EMPTY", "init.required "), anything);

// OAuth clients, token endpoint bodies and provider responses, well-formed and not.
const secretArg = fc.oneof(fc.constantFrom("s3cret", "", "gloas-abc"), fc.string({ maxLength: 10 }));
const clientArg = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record(
      {
        provider: providerArg,
        baseUrl: fc.oneof(fc.constant(undefined), fc.constant(null), fc.constantFrom("https://git.example.com/gitlab", "https://bb.example.com", "http://127.0.0.1:8080"), text, anything),
        clientId: fc.oneof(fc.constantFrom("client-id", "", "a b", "Iv1.0123"), fc.string({ maxLength: 10 }), anything),
        clientSecret: fc.oneof(fc.constant(undefined), fc.constant(null), secretArg, anything),
        redirectUri: fc.oneof(fc.constant(undefined), fc.constant(null), fc.constantFrom("https://app.example.com/cb", "http://127.0.0.1/cb"), text, anything),
        extra: anything,
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: anything },
);
const secretValue = fc.oneof({ weight: 4, arbitrary: fc.oneof(fc.constantFrom("the-code", "ghr_abc", "glpat-x", ""), fc.string({ maxLength: 40 })) }, { weight: 1, arbitrary: anything });
const numberish = fc.oneof(
  fc.integer({ min: -10, max: 100_000 }),
  fc.constantFrom(7200, 0, -1, 1e300, -1e300, 2 ** 63, 1.5, "7200", "abc", "", null, true, [], {}),
  fc.double(),
);
const fieldValue = fc.oneof(fc.string({ maxLength: 30 }), numberish, fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }));
const tokenFields = fc.dictionary(
  fc.oneof(
    fc.constantFrom("access_token", "token_type", "expires_in", "created_at", "refresh_token", "refresh_token_expires_in", "scope", "scopes", "error", "error_description", "device_code", "user_code", "verification_uri", "verification_uri_complete", "interval"),
    fc.string({ maxLength: 6 }),
  ),
  fieldValue,
  { maxKeys: 8 },
);
const oauthError = fc.constantFrom("invalid_grant", "invalid_client", "invalid_scope", "redirect_uri_mismatch", "bad_verification_code", "authorization_pending", "slow_down", "expired_token", "device_flow_disabled", "incorrect_client_credentials", "unverified_user_email", "whatever", "");
const bodyText = fc.oneof(
  tokenFields.map((f) => JSON.stringify(f)),
  tokenFields.map((f) => new URLSearchParams(Object.entries(f).map(([k, v]) => [k, String(v)])).toString()),
  fc.tuple(oauthError, fc.string({ maxLength: 20 })).map(([error, description]) => JSON.stringify({ error, error_description: description })),
  fc.tuple(oauthError, fc.string({ maxLength: 20 })).map(([error, description]) => `error=${encodeURIComponent(error)}&error_description=${encodeURIComponent(description)}`),
  fc.constantFrom('{"message":"401 Unauthorized"}', '{"error":"insufficient_scope","scope":"api"}', '{"type":"error","error":{"message":"Your credentials lack one or more required privilege scopes.","detail":{"required":["webhook"],"granted":["account"]}}}', "<html>login</html>", "{", "=", "&&=", '{"message":{"base":["x"]}}', '{"errors":[{"message":"m"}]}'),
  fc.string({ maxLength: 60 }),
  fc.string({ unit: char16, maxLength: 20 }),
);
const headerName = fc.oneof(fc.constantFrom("Date", "Retry-After", "X-RateLimit-Reset", "RateLimit-Reset", "X-RateLimit-Remaining", "X-OAuth-Scopes", "X-Accepted-OAuth-Scopes", "Location", "Content-Type", "WWW-Authenticate", "X-AUSERNAME", "GitHub-Authentication-Token-Expiration"), fc.string({ maxLength: 10 }));
const headerValue = fc.oneof(fc.constantFrom("Tue, 14 Nov 2023 22:13:20 GMT", "0", "60", "1700000000", "repo, read:org", "/login", "application/json", 'Bearer error="invalid_token", error_description="Token is expired"', "Sun, 06 Nov 1994 08:49:37 GMT", "yesterday"), fc.string({ maxLength: 20 }), fc.string({ unit: char16, maxLength: 8 }));
const headersArg = fc.oneof({ weight: 6, arbitrary: fc.array(fc.tuple(headerName, headerValue), { maxLength: 5 }) }, { weight: 1, arbitrary: anything });
const responseArg = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record(
      {
        status: fc.oneof(fc.constantFrom(200, 201, 302, 400, 401, 403, 404, 429, 500, 503), fc.integer({ min: -5, max: 1100 }), anything),
        headers: headersArg,
        body: fc.oneof(bodyText, bodyText.map((t) => new TextEncoder().encode(t)), fc.uint8Array({ maxLength: 40 }), anything),
        extra: anything,
      },
      { requiredKeys: ["status"] },
    ),
  },
  { weight: 1, arbitrary: anything },
);
const nowArg = fc.oneof({ weight: 6, arbitrary: fc.oneof(fc.integer({ min: 0, max: 4_000_000_000 }), fc.double()) }, { weight: 1, arbitrary: anything });

/** A built request: absolute URL, string headers, and no secret of the client in the URL. */
function wellFormedRequest(request, client) {
  assert.equal(typeof request.method, "string");
  assert.match(request.url, /^https?:\/\//);
  for (const pair of request.headers) {
    assert.equal(pair.length, 2);
    assert.ok(typeof pair[0] === "string" && typeof pair[1] === "string");
  }
  assert.ok(request.body === undefined || typeof request.body === "string");
  if (typeof client.clientSecret === "string" && client.clientSecret.length > 3) {
    assert.ok(!request.url.includes(client.clientSecret), request.url);
  }
}

function property(name, arbitraries, check, entry = full) {
  test(`${name}: ${RUNS} random and malformed inputs`, () => {
    fc.assert(fc.property(...arbitraries, check), PARAMS);
    // The module still answers correctly afterwards: nothing trapped or leaked state.
    assert.equal(entry.validateBaseUrl("gitlab", "https://example.com/gitlab/").apiBase, "https://example.com/gitlab/api/v4");
  });
}

for (const [name, fl] of ENTRIES) {
  const { authorizationUrl, checkScopes, endpoints, errorCodes, parseCallback, profiles, scopeCatalog, troubleshoot, validateBaseUrl, validateRedirectUri } = fl;

  property(`validateBaseUrl (${name})`, [providerArg, anything], (provider, input) => {
    const { value } = coded(() => validateBaseUrl(provider, input));
    if (value === undefined) return;
    diagnosticsAreCoded(value.diagnostics);
    assert.equal(value.ok, !value.diagnostics.some((d) => d.severity === "error"));
    if (value.ok) {
      assert.match(value.baseUrl, /^https?:\/\/[^/?#\s]+(\/[^?#\s]*[^/?#\s])?$/);
      assert.ok(value.deployment === "cloud" || value.deployment === "self-hosted");
      assert.match(value.apiBase, /^https?:\/\//);
    } else {
      assert.equal(value.baseUrl, null);
      assert.equal(value.apiBase, null);
      assert.equal(value.deployment, null);
    }
  }, fl);

  property(`endpoints (${name})`, [providerArg, fc.oneof(fc.constant(undefined), text, anything)], (provider, baseUrl) => {
    const { value } = coded(() => endpoints(provider, baseUrl));
    if (value === undefined) return;
    for (const key of ["web", "api", "authorize", "token", "currentUser"]) {
      assert.match(value[key], /^https?:\/\//, key);
    }
  }, fl);

  property(`validateRedirectUri (${name})`, [providerArg, fc.oneof(text, anything), fc.oneof(text, anything)], (provider, registered, requested) => {
    const { value } = coded(() => validateRedirectUri(provider, registered, requested));
    if (value !== undefined) diagnosticsAreCoded(value);
  }, fl);

  property(`scopeCatalog (${name})`, [providerArg], (provider) => {
    const { value } = coded(() => scopeCatalog(provider));
    if (value !== undefined) assert.ok(value.length > 0);
  }, fl);

  property(`checkScopes (${name})`, [providerArg, scopeList, scopeList], (provider, granted, required) => {
    const { value } = coded(() => checkScopes(provider, granted, required));
    if (value === undefined) return;
    assert.equal(value.satisfied, value.missing.length === 0);
    for (const missing of value.missing) assert.ok(required.includes(missing));
  }, fl);

  property(`profiles (${name})`, [fc.array(anything, { maxLength: 3 })], (args) => {
    const { value } = coded(() => profiles(...args));
    assert.equal(value.length, 6);
  }, fl);

  property(`authorizationUrl (${name})`, [requestArg], (request) => {
    const { value } = coded(() => authorizationUrl(request));
    if (value === undefined) return;
    const url = new URL(value.url);
    assert.equal(url.searchParams.get("state"), value.state);
    assert.match(value.state, /^[A-Za-z0-9_-]{43,}$/);
  }, fl);

  property(`parseCallback (${name})`, [fc.oneof(callbackUrl, anything), fc.oneof(fc.constantFrom("s1", "abc", ""), fc.string({ maxLength: 8 }), anything)], (url, state) => {
    const { value } = coded(() => parseCallback(url, state));
    if (value !== undefined) assert.ok(typeof value.code === "string" && value.code.length > 0);
  }, fl);

  property(`troubleshoot (${name})`, [codeArg, fc.oneof(fc.constant(undefined), providerArg)], (code, provider) => {
    const { value } = coded(() => troubleshoot(code, provider));
    if (value !== undefined) assert.equal(value.code, code);
  }, fl);

  property(`errorCodes (${name})`, [fc.array(anything, { maxLength: 3 })], (args) => {
    const { value } = coded(() => errorCodes(...args));
    assert.deepEqual(new Set(value), CODES);
  }, fl);
}

property("prepareTokenExchange", [clientArg, secretValue, fc.oneof(fc.constant(undefined), secretValue)], (client, code, verifier) => {
  const { value } = coded(() => prepareTokenExchange(client, code, verifier));
  if (value !== undefined) wellFormedRequest(value, client);
});

property("prepareRefresh", [clientArg, secretValue], (client, refreshToken) => {
  const { value } = coded(() => prepareRefresh(client, refreshToken));
  if (value !== undefined) wellFormedRequest(value, client);
});

property("prepareRevoke", [clientArg, secretValue], (client, token) => {
  const { value } = coded(() => prepareRevoke(client, token));
  if (value !== undefined) wellFormedRequest(value, client);
});

property("prepareDeviceAuthorization", [clientArg, scopeList], (client, scopes) => {
  const { value } = coded(() => prepareDeviceAuthorization(client, scopes));
  if (value !== undefined) wellFormedRequest(value, client);
});

property("prepareDevicePoll", [clientArg, secretValue], (client, deviceCode) => {
  const { value } = coded(() => prepareDevicePoll(client, deviceCode));
  if (value !== undefined) wellFormedRequest(value, client);
});

property("parseTokenResponse", [providerArg, responseArg, nowArg], (provider, response, now) => {
  const { value } = coded(() => parseTokenResponse(provider, response, now));
  if (value === undefined) return;
  assert.ok(typeof value.accessToken === "string" && value.accessToken.length > 0);
  assert.equal(typeof value.tokenType, "string");
  assert.ok(Array.isArray(value.scopes) && value.scopes.every((s) => typeof s === "string"));
  for (const field of ["expiresAt", "refreshTokenExpiresAt"]) {
    assert.ok(value[field] === undefined || Number.isInteger(value[field]), `${field}: ${value[field]}`);
  }
  assert.ok(value.refreshToken === undefined || typeof value.refreshToken === "string");
});

property("parseDeviceAuthorization", [providerArg, responseArg, nowArg], (provider, response, now) => {
  const { value } = coded(() => parseDeviceAuthorization(provider, response, now));
  if (value === undefined) return;
  for (const field of ["deviceCode", "userCode", "verificationUri"]) assert.ok(typeof value[field] === "string" && value[field].length > 0, field);
  assert.ok(Number.isInteger(value.expiresAt));
  assert.ok(Number.isInteger(value.interval) && value.interval >= 1 && value.interval <= 3600);
});

property("parseApiError", [providerArg, responseArg], (provider, response) => {
  const { value } = coded(() => parseApiError(provider, response));
  if (value === undefined) return;
  assert.ok(CODES.has(value.code), value.code);
  assert.equal(value.status, response.status);
  assert.equal(value.guidance.code, value.code);
  assert.ok(value.providerDetail === null || typeof value.providerDetail === "string");
  assert.ok(Array.isArray(value.requiredScopes) && Array.isArray(value.grantedScopes));
});

const KINDS = new Set(["fine-grained-pat", "classic-pat", "oauth", "app-user", "app-installation", "refresh", "access-token", "oauth-application-secret", "deploy-token", "pipeline-trigger", "runner", "ci-job", "feed", "scim", "runner-registered", "incoming-email", "kubernetes-agent", "workspace", "feature-flags-client", "api-token", "app-password", "http-access-token", "unknown"]);
const tokenish = fc.oneof(
  fc.tuple(fc.constantFrom("ghp_", "github_pat_", "gho_", "ghu_", "ghs_", "ghr_", "glpat-", "gloas-", "gldt-", "glrt-", "glrtr-", "glimt-", "glagent-", "glwt-", "glffct-", "ATATT", "ATCTT", "ATBB", "BBDC-", " ", ""), fc.string({ maxLength: 40 })).map(([p, rest]) => p + rest),
  anything,
);

property("detectToken", [tokenish], (token) => {
  const { value } = coded(() => detectToken(token));
  if (value === undefined) return;
  assert.ok(KINDS.has(value.kind), value.kind);
  assert.ok(value.provider === null || PROVIDERS.includes(value.provider));
  assert.equal(typeof value.usableAsAccessToken, "boolean");
  if (typeof token === "string" && token.trim().length >= 16) {
    assert.ok(!JSON.stringify(value).includes(token.trim()), "the token is never echoed");
  }
});

const expiry = fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer({ min: -1e12, max: 1e12 }), fc.double(), anything);

property("needsRefresh", [fc.oneof({ weight: 6, arbitrary: fc.record({ accessToken: fc.string(), expiresAt: expiry }, { requiredKeys: [] }) }, { weight: 1, arbitrary: anything }), nowArg, fc.oneof(fc.integer({ min: -100, max: 1e6 }), nowArg)], (tokens, now, skew) => {
  const { value } = coded(() => needsRefresh(tokens, now, skew));
  if (value === undefined) return;
  assert.equal(typeof value, "boolean");
  const at = tokens.expiresAt;
  if (at === undefined || at === null) {
    assert.equal(value, false);
  } else if ([at, now, skew].every(Number.isSafeInteger) && Math.abs(now) + Math.abs(skew) < 2 ** 52) {
    assert.equal(value, now + Math.max(skew, 0) >= at);
  }
});

for (const [name, fl] of ENTRIES) {
  test(`init (${name}): ${RUNS} random arguments leave the module loaded`, async () => {
    await fc.assert(
      fc.asyncProperty(anything, async (source) => {
        assert.equal(await fl.init(source), undefined);
      }),
      PARAMS,
    );
    assert.equal(fl.validateBaseUrl("github", "https://github.com").deployment, "cloud");
  });

  test(`${name}: a base URL accepted once is accepted again as it is, without a word`, () => {
    fc.assert(
      fc.property(fc.constantFrom(...PROVIDERS), urlish, (provider, input) => {
        const first = fl.validateBaseUrl(provider, input);
        if (!first.ok || first.baseUrl.startsWith("http:")) return;
        const again = fl.validateBaseUrl(provider, first.baseUrl);
        assert.deepEqual(
          { ok: again.ok, baseUrl: again.baseUrl, apiBase: again.apiBase, diagnostics: again.diagnostics },
          { ok: true, baseUrl: first.baseUrl, apiBase: first.apiBase, diagnostics: [] },
          `${input} → ${first.baseUrl}`,
        );
      }),
      PARAMS,
    );
  });
}
