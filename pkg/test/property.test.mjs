// Random and malformed inputs to every exported function: nothing traps, nothing throws
// anything but a ForgelinkError whose code is in errorCodes(), and the module stays usable.
import assert from "node:assert/strict";
import { test } from "node:test";

import fc from "fast-check";

import * as forgelink from "../index.js";

const {
  authorizationUrl,
  checkScopes,
  endpoints,
  errorCodes,
  ForgelinkError,
  init,
  parseCallback,
  profiles,
  scopeCatalog,
  troubleshoot,
  validateBaseUrl,
  validateRedirectUri,
} = forgelink;

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

function property(name, arbitraries, check) {
  test(`${name}: ${RUNS} random and malformed inputs`, () => {
    fc.assert(fc.property(...arbitraries, check), PARAMS);
    // The module still answers correctly afterwards: nothing trapped or leaked state.
    assert.equal(validateBaseUrl("gitlab", "https://example.com/gitlab/").apiBase, "https://example.com/gitlab/api/v4");
  });
}

property("validateBaseUrl", [providerArg, anything], (provider, input) => {
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
});

property("endpoints", [providerArg, fc.oneof(fc.constant(undefined), text, anything)], (provider, baseUrl) => {
  const { value } = coded(() => endpoints(provider, baseUrl));
  if (value === undefined) return;
  for (const key of ["web", "api", "authorize", "token", "currentUser"]) {
    assert.match(value[key], /^https?:\/\//, key);
  }
});

property("validateRedirectUri", [providerArg, fc.oneof(text, anything), fc.oneof(text, anything)], (provider, registered, requested) => {
  const { value } = coded(() => validateRedirectUri(provider, registered, requested));
  if (value !== undefined) diagnosticsAreCoded(value);
});

property("scopeCatalog", [providerArg], (provider) => {
  const { value } = coded(() => scopeCatalog(provider));
  if (value !== undefined) assert.ok(value.length > 0);
});

property("checkScopes", [providerArg, scopeList, scopeList], (provider, granted, required) => {
  const { value } = coded(() => checkScopes(provider, granted, required));
  if (value === undefined) return;
  assert.equal(value.satisfied, value.missing.length === 0);
  for (const missing of value.missing) assert.ok(required.includes(missing));
});

property("profiles", [fc.array(anything, { maxLength: 3 })], (args) => {
  const { value } = coded(() => profiles(...args));
  assert.equal(value.length, 6);
});

property("authorizationUrl", [requestArg], (request) => {
  const { value } = coded(() => authorizationUrl(request));
  if (value === undefined) return;
  const url = new URL(value.url);
  assert.equal(url.searchParams.get("state"), value.state);
  assert.match(value.state, /^[A-Za-z0-9_-]{43,}$/);
});

property("parseCallback", [fc.oneof(callbackUrl, anything), fc.oneof(fc.constantFrom("s1", "abc", ""), fc.string({ maxLength: 8 }), anything)], (url, state) => {
  const { value } = coded(() => parseCallback(url, state));
  if (value !== undefined) assert.ok(typeof value.code === "string" && value.code.length > 0);
});

property("troubleshoot", [codeArg, fc.oneof(fc.constant(undefined), providerArg)], (code, provider) => {
  const { value } = coded(() => troubleshoot(code, provider));
  if (value !== undefined) assert.equal(value.code, code);
});

property("errorCodes", [fc.array(anything, { maxLength: 3 })], (args) => {
  const { value } = coded(() => errorCodes(...args));
  assert.deepEqual(new Set(value), CODES);
});

test(`init: ${RUNS} random arguments leave the module loaded`, async () => {
  await fc.assert(
    fc.asyncProperty(anything, async (source) => {
      assert.equal(await init(source), undefined);
    }),
    PARAMS,
  );
  assert.equal(validateBaseUrl("github", "https://github.com").deployment, "cloud");
});

test("a base URL accepted once is accepted again as it is, without a word", () => {
  fc.assert(
    fc.property(fc.constantFrom(...PROVIDERS), urlish, (provider, input) => {
      const first = validateBaseUrl(provider, input);
      if (!first.ok || first.baseUrl.startsWith("http:")) return;
      const again = validateBaseUrl(provider, first.baseUrl);
      assert.deepEqual(
        { ok: again.ok, baseUrl: again.baseUrl, apiBase: again.apiBase, diagnostics: again.diagnostics },
        { ok: true, baseUrl: first.baseUrl, apiBase: first.apiBase, diagnostics: [] },
        `${input} → ${first.baseUrl}`,
      );
    }),
    PARAMS,
  );
});
