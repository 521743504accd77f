// The token endpoint, device flow and API error functions, pure: the requests they build, the
// recorded provider bodies of tests/fixtures (the same tables and assertions as the Rust
// crate's tests/fixtures.rs), and their arguments.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import {
  detectToken,
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
} from "../flows.js";

const table = (name) =>
  JSON.parse(readFileSync(new URL(`../../tests/fixtures/${name}`, import.meta.url), "utf8")).cases;

function thrown(fn) {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ForgelinkError, `${error?.constructor?.name}: ${error?.message}`);
    assert.equal(error.guidance.code, error.code);
    return error;
  }
  assert.fail("expected a ForgelinkError");
}

const gitlab = { provider: "gitlab", baseUrl: "https://example.com/gitlab", clientId: "the-client", clientSecret: "s3cret", redirectUri: "https://app.example/cb" };

function form(request) {
  return Object.fromEntries(new URLSearchParams(request.body));
}

function header(request, name) {
  return request.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
}

test("token responses answer as the fixture table says", () => {
  const cases = table("token-responses.json");
  assert.ok(cases.length >= 20);
  for (const { name, provider, response, now, expect } of cases) {
    if (expect.error) {
      const error = thrown(() => parseTokenResponse(provider, response, now));
      assert.equal(error.code, expect.error, name);
      if (expect.providerDetail) assert.equal(error.providerDetail, expect.providerDetail, name);
      continue;
    }
    const tokens = parseTokenResponse(provider, response, now);
    assert.ok(tokens.accessToken.length > 10, name);
    assert.equal(tokens.tokenType, expect.tokenType, name);
    assert.deepEqual(tokens.scopes, expect.scopes, name);
    assert.equal(tokens.expiresAt ?? null, expect.expiresAt, name);
    if ("refreshTokenExpiresAt" in expect) assert.equal(tokens.refreshTokenExpiresAt, expect.refreshTokenExpiresAt, name);
    assert.equal(tokens.refreshToken !== undefined, expect.refresh, name);
    // The body as bytes reads the same as the body as text.
    const bytes = { ...response, body: new TextEncoder().encode(response.body) };
    assert.deepEqual(parseTokenResponse(provider, bytes, now), tokens, name);
  }
});

test("API errors answer as the fixture table says", () => {
  const cases = table("api-errors.json");
  assert.ok(cases.length >= 20);
  for (const { name, provider, response, expect } of cases) {
    const parsed = parseApiError(provider, response);
    for (const [field, expected] of Object.entries(expect)) {
      assert.deepEqual(parsed[field], expected, `${name}: ${field} of ${JSON.stringify(parsed)}`);
    }
    assert.ok(parsed.guidance.steps.length > 0, name);
    assert.equal(parsed.guidance.code, parsed.code, name);
    assert.equal(parsed.status, response.status, name);
  }
});

test("the code exchange places the client's credentials the provider's way", () => {
  const exchange = prepareTokenExchange(gitlab, "the-code", "v".repeat(43));
  assert.equal(exchange.method, "POST");
  assert.equal(exchange.url, "https://example.com/gitlab/oauth/token");
  assert.equal(header(exchange, "accept"), "application/json");
  assert.equal(header(exchange, "content-type"), "application/x-www-form-urlencoded");
  assert.deepEqual(form(exchange), {
    grant_type: "authorization_code",
    code: "the-code",
    redirect_uri: "https://app.example/cb",
    code_verifier: "v".repeat(43),
    client_id: "the-client",
    client_secret: "s3cret",
  });
  const github = prepareTokenExchange({ provider: "github", clientId: "Iv1.abc", clientSecret: "x" }, "c");
  assert.equal(github.url, "https://github.com/login/oauth/access_token");
  assert.equal(form(github).code_verifier, undefined);
  const bitbucket = prepareTokenExchange({ provider: "bitbucket-cloud", clientId: "the-client", clientSecret: "s3cret" }, "c", null);
  assert.equal(header(bitbucket, "authorization"), "Basic dGhlLWNsaWVudDpzM2NyZXQ=");
  assert.equal(form(bitbucket).client_secret, undefined);
  assert.equal(thrown(() => prepareTokenExchange({ provider: "bitbucket-cloud", clientId: "id" }, "c")).code, "oauth.client_secret_required");
  assert.equal(thrown(() => prepareTokenExchange({ provider: "bitbucket-data-center", clientId: "id" }, "c")).code, "base_url.required");
});

test("refresh repeats GitLab's redirect URI; revoke and the device flow where the provider has them", () => {
  const refresh = prepareRefresh(gitlab, "rt");
  assert.deepEqual([form(refresh).grant_type, form(refresh).refresh_token, form(refresh).redirect_uri], ["refresh_token", "rt", "https://app.example/cb"]);
  assert.equal(thrown(() => prepareRefresh({ ...gitlab, redirectUri: undefined }, "rt")).code, "input.invalid");

  const revoke = prepareRevoke(gitlab, "tok");
  assert.equal(revoke.url, "https://example.com/gitlab/oauth/revoke");
  assert.equal(form(revoke).token, "tok");
  const githubRevoke = prepareRevoke({ provider: "github", clientId: "the-client", clientSecret: "s3cret" }, "tok");
  assert.deepEqual([githubRevoke.method, githubRevoke.url, githubRevoke.body], ["DELETE", "https://api.github.com/applications/the-client/token", '{"access_token":"tok"}']);
  assert.equal(thrown(() => prepareRevoke({ provider: "bitbucket-cloud", clientId: "id", clientSecret: "s" }, "tok")).code, "oauth.revoke_unsupported");

  const device = prepareDeviceAuthorization({ provider: "github", clientId: "Iv1.abc" }, ["repo", "read:org"]);
  assert.equal(device.url, "https://github.com/login/device/code");
  assert.deepEqual(form(device), { client_id: "Iv1.abc", scope: "repo read:org" });
  const poll = prepareDevicePoll(gitlab, "dc");
  assert.equal(form(poll).grant_type, "urn:ietf:params:oauth:grant-type:device_code");
  assert.equal(thrown(() => prepareDeviceAuthorization({ provider: "bitbucket-cloud", clientId: "id" }, [])).code, "oauth.device_flow_unsupported");
  assert.equal(thrown(() => prepareDevicePoll({ provider: "bitbucket-cloud", clientId: "id" }, "dc")).code, "oauth.device_flow_unsupported");
});

test("a device authorization and the polls that follow it", () => {
  const response = {
    status: 200,
    headers: [["Content-Type", "application/json"]],
    body: '{"device_code":"3584d83530557fdd1f46af8289938c8ef79f9dc5","user_code":"WDJB-MJHT","verification_uri":"https://github.com/login/device","expires_in":900,"interval":5}',
  };
  assert.deepEqual(parseDeviceAuthorization("github", response, 1000), {
    deviceCode: "3584d83530557fdd1f46af8289938c8ef79f9dc5",
    userCode: "WDJB-MJHT",
    verificationUri: "https://github.com/login/device",
    expiresAt: 1900,
    interval: 5,
  });
  const pending = { status: 200, headers: [], body: "error=authorization_pending&error_description=pending" };
  assert.equal(thrown(() => parseTokenResponse("github", pending, 0)).code, "oauth.authorization_pending");
  const slow = { status: 400, headers: [], body: '{"error":"slow_down"}' };
  assert.equal(thrown(() => parseTokenResponse("gitlab", slow, 0)).code, "oauth.slow_down");
  assert.equal(thrown(() => parseDeviceAuthorization("github", { status: 200, headers: [], body: "{}" }, 0)).code, "token.invalid_response");
});

test("detectToken names the kind and never returns the token", () => {
  const cases = [
    ["github_pat_11ABCDEFG0123456789_abcdef", "github", "fine-grained-pat", true],
    ["ghp_16C7e42F292c6912E7710c838347Ae178B4a", "github", "classic-pat", true],
    ["gho_16C7e42F292c6912E7710c838347Ae178B4a", "github", "oauth", true],
    ["ghr_1B4a2e77838347a7E420ce178F2E7c6912E1", "github", "refresh", false],
    ["glpat-xxxxxxxxxxxxxxxxxxxx", "gitlab", "access-token", true],
    ["glrt-xxxxxxxxxxxxxxxxxxxx", "gitlab", "runner", false],
    // GitLab "Token prefixes" (docs.gitlab.com/security/tokens/#token-prefixes).
    ["glrtr-xxxxxxxxxxxxxxxxxxxx", "gitlab", "runner-registered", false],
    ["glimt-xxxxxxxxxxxxxxxxxxxx", "gitlab", "incoming-email", false],
    ["glagent-xxxxxxxxxxxxxxxxxx", "gitlab", "kubernetes-agent", false],
    ["glwt-xxxxxxxxxxxxxxxxxxxxx", "gitlab", "workspace", false],
    ["glffct-xxxxxxxxxxxxxxxxxxx", "gitlab", "feature-flags-client", false],
    ["BBDC-NjQ3ODk0NTY0NTY0OnZh", "bitbucket-data-center", "http-access-token", true],
    ["de6780bc506a0446309bd9362820ba8aed28aa506c71eedbe1c5c4f9dd350e54", null, "unknown", true],
  ];
  for (const [token, provider, kind, usable] of cases) {
    const info = detectToken(` ${token} `);
    assert.deepEqual([info.provider, info.kind, info.usableAsAccessToken], [provider, kind, usable], token);
    assert.deepEqual(Object.keys(info).sort(), ["description", "kind", "provider", "usableAsAccessToken"]);
    assert.ok(!JSON.stringify(info).includes(token.slice(6)), token);
  }
});

// GitLab "Account and limit settings": an administrator can replace `glpat-` with the
// instance's own personal access token prefix, which only the caller knows.
test("detectToken takes a GitLab instance's own personal access token prefix", () => {
  const custom = detectToken("acme-secretvalue", "acme-");
  assert.deepEqual([custom.provider, custom.kind, custom.usableAsAccessToken], ["gitlab", "access-token", true]);
  assert.ok(!JSON.stringify(custom).includes("secretvalue"));
  assert.equal(detectToken("acme-secretvalue").kind, "unknown");
  assert.equal(detectToken("acme-secretvalue", null).kind, "unknown");
  assert.equal(detectToken("ghp_secretvalue", "acme-").kind, "classic-pat");
  assert.equal(thrown(() => detectToken("acme-x", 7)).code, "input.invalid");
});

test("needsRefresh: within the skew of expiry, never without an expiry", () => {
  const tokens = { accessToken: "a", tokenType: "bearer", expiresAt: 1000, scopes: [] };
  assert.equal(needsRefresh(tokens, 900, 60), false);
  assert.equal(needsRefresh(tokens, 940, 60), true);
  assert.equal(needsRefresh(tokens, 1000, 0), true);
  assert.equal(needsRefresh(tokens, 999.9, 0), false);
  assert.equal(needsRefresh({ ...tokens, expiresAt: undefined }, Number.MAX_SAFE_INTEGER, 60), false);
  assert.equal(needsRefresh({ expiresAt: null }, 0, 0), false);
  assert.equal(needsRefresh(tokens, 900, -500), false, "a negative skew counts as none");
  const fromResponse = parseTokenResponse("gitlab", { status: 200, headers: [], body: '{"access_token":"abcdefghijklmnop","expires_in":7200,"created_at":1700000000}' }, 1700000000);
  assert.equal(needsRefresh(fromResponse, 1700007100, 60), false);
  assert.equal(needsRefresh(fromResponse, 1700007141, 60), true);
});

test("arguments of the wrong type are input.invalid, a wrong provider provider.unknown", () => {
  const response = { status: 200, headers: [], body: "" };
  const wrongs = [
    () => prepareTokenExchange(undefined, "c"),
    () => prepareTokenExchange("gitlab", "c"),
    () => prepareTokenExchange({ ...gitlab, clientId: 5 }, "c"),
    () => prepareTokenExchange({ ...gitlab, client_secret: "s" }, "c"),
    () => prepareTokenExchange(gitlab, 5),
    () => prepareTokenExchange(gitlab, "c", 5),
    () => prepareRefresh(gitlab),
    () => prepareRevoke(gitlab, null),
    () => prepareDeviceAuthorization(gitlab, "api"),
    () => prepareDeviceAuthorization(gitlab, undefined),
    () => prepareDevicePoll(gitlab, {}),
    () => parseTokenResponse("gitlab", response, "now"),
    () => parseTokenResponse("gitlab", response, Number.NaN),
    () => parseTokenResponse("gitlab", response),
    () => parseTokenResponse("gitlab", { ...response, status: "200" }, 0),
    () => parseTokenResponse("gitlab", { ...response, status: 1000 }, 0),
    () => parseTokenResponse("gitlab", { ...response, headers: { a: "b" } }, 0),
    () => parseTokenResponse("gitlab", { ...response, headers: [["a", 1]] }, 0),
    () => parseTokenResponse("gitlab", { ...response, body: 42 }, 0),
    () => parseTokenResponse("gitlab", { ...response, extra: 1 }, 0),
    () => parseTokenResponse(5, response, 0),
    () => parseApiError("gitlab", null),
    () => parseDeviceAuthorization("github", response, Infinity),
    () => detectToken(undefined),
    () => needsRefresh(null, 0, 0),
    () => needsRefresh({ expiresAt: "soon" }, 0, 0),
    () => needsRefresh({ expiresAt: 1 }, 0),
  ];
  for (const wrong of wrongs) assert.equal(thrown(wrong).code, "input.invalid", String(wrong));
  assert.equal(thrown(() => prepareTokenExchange({ ...gitlab, provider: "gitea" }, "c")).code, "provider.unknown");
  assert.equal(thrown(() => parseApiError("gitea", response)).code, "provider.unknown");
  // Headers may come straight from a fetch Response.
  const fromHeaders = parseApiError("gitlab", { status: 429, headers: new Headers({ "retry-after": "30" }), body: "" });
  assert.deepEqual([fromHeaders.code, fromHeaders.retryAfter], ["http.rate_limited", 30]);
});

test("headers that cannot be read are input.invalid, not a TypeError", () => {
  const throwing = {
    *[Symbol.iterator]() {
      yield ["a", "b"];
      throw new Error("no more");
    },
  };
  const error = thrown(() => parseApiError("gitlab", { status: 500, headers: throwing, body: "" }));
  assert.equal(error.code, "input.invalid");
  assert.match(error.message, /no more/);
});
