// authorizationUrl and parseCallback.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";

import { authorizationUrl, ForgelinkError, parseCallback, profiles } from "../index.js";

function thrown(fn) {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ForgelinkError, String(error));
    assert.ok(error instanceof Error);
    return error;
  }
  assert.fail("expected a ForgelinkError");
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const app = { clientId: "my-client-id", redirectUri: "https://app.example.com/oauth/callback" };

function params(url) {
  const parsed = new URL(url);
  const names = [...parsed.searchParams.keys()];
  assert.equal(new Set(names).size, names.length, `no parameter twice in ${url}`);
  return Object.fromEntries(parsed.searchParams);
}

function endpointOf(url) {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

function profileScopes(id, provider) {
  return profiles()
    .find((p) => p.id === id)
    .providers.find((n) => n.provider === provider)
    .scopes.map((s) => s.name);
}

test("state carries at least 256 random bits, base64url, fresh every time", () => {
  // Enough calls to draw the random pool empty and refill it several times: no state or
  // verifier may ever repeat, across refills or between the two.
  const seen = new Set();
  const calls = 300;
  for (let i = 0; i < calls; i++) {
    const { state, codeVerifier } = authorizationUrl({ ...app, provider: "gitlab" });
    assert.match(state, BASE64URL);
    assert.ok(Buffer.from(state, "base64url").length >= 32, state);
    seen.add(state);
    seen.add(codeVerifier);
  }
  assert.equal(seen.size, 2 * calls);
});

for (const [provider, baseUrl] of [["github", undefined], ["gitlab", undefined], ["bitbucket-data-center", "https://bb.example.com"]]) {
  test(`${provider} uses PKCE with S256 by default`, () => {
    const auth = authorizationUrl({ ...app, provider, baseUrl });
    const q = params(auth.url);
    assert.equal(typeof auth.codeVerifier, "string");
    assert.match(auth.codeVerifier, BASE64URL);
    assert.ok(auth.codeVerifier.length >= 43 && auth.codeVerifier.length <= 128, auth.codeVerifier);
    assert.equal(q.code_challenge_method, "S256");
    assert.equal(q.code_challenge, createHash("sha256").update(auth.codeVerifier).digest("base64url"));
    assert.notEqual(auth.codeVerifier, auth.state);
  });
}

test("PKCE can be turned off", () => {
  const auth = authorizationUrl({ ...app, provider: "gitlab", pkce: false });
  assert.equal(auth.codeVerifier, undefined);
  assert.ok(!("codeVerifier" in auth));
  const q = params(auth.url);
  assert.equal(q.code_challenge, undefined);
  assert.equal(q.code_challenge_method, undefined);
});

test("GitHub: its authorize endpoint, space-delimited scopes, every parameter", () => {
  const auth = authorizationUrl({ ...app, provider: "github", scopes: ["repo", "read:org", "admin:repo_hook"] });
  assert.equal(endpointOf(auth.url), "https://github.com/login/oauth/authorize");
  const q = params(auth.url);
  assert.equal(q.response_type, "code");
  assert.equal(q.client_id, app.clientId);
  assert.equal(q.redirect_uri, app.redirectUri);
  assert.equal(q.state, auth.state);
  assert.equal(q.scope, "repo read:org admin:repo_hook");
  assert.ok(!new URL(auth.url).search.includes(","), "no comma-separated scopes in the request");
});

test("GitHub Enterprise Server and data residency use their own hosts", () => {
  const ghes = authorizationUrl({ ...app, provider: "github", baseUrl: "https://ghe.example.com/" });
  assert.equal(endpointOf(ghes.url), "https://ghe.example.com/login/oauth/authorize");
  const ghe = authorizationUrl({ ...app, provider: "github", baseUrl: "https://octocorp.ghe.com" });
  assert.equal(endpointOf(ghe.url), "https://octocorp.ghe.com/login/oauth/authorize");
});

test("GitLab: under the relative URL root, with the profile's scopes", () => {
  const auth = authorizationUrl({
    ...app,
    provider: "gitlab",
    baseUrl: "https://example.com/gitlab/",
    profile: "engineering-metrics",
  });
  assert.equal(endpointOf(auth.url), "https://example.com/gitlab/oauth/authorize");
  assert.equal(params(auth.url).scope, profileScopes("engineering-metrics", "gitlab").join(" "));
  const cloud = authorizationUrl({ ...app, provider: "gitlab", scopes: ["read_api"] });
  assert.equal(endpointOf(cloud.url), "https://gitlab.com/oauth/authorize");
  assert.equal(params(cloud.url).scope, "read_api");
});

test("scopes given with a profile are added to the profile's, once", () => {
  const fromProfile = profileScopes("code-correlation", "gitlab");
  const auth = authorizationUrl({
    ...app,
    provider: "gitlab",
    profile: "code-correlation",
    scopes: [fromProfile[0], "read_user"],
  });
  const scope = params(auth.url).scope.split(" ");
  assert.deepEqual(scope, [...new Set([...fromProfile, "read_user"])]);
});

test("Bitbucket Cloud: no scope parameter and no PKCE", () => {
  const auth = authorizationUrl({ ...app, provider: "bitbucket-cloud", profile: "ci-failure-analysis" });
  assert.equal(endpointOf(auth.url), "https://bitbucket.org/site/oauth2/authorize");
  const q = params(auth.url);
  assert.equal(q.scope, undefined);
  assert.equal(q.code_challenge, undefined);
  assert.equal(auth.codeVerifier, undefined);
  assert.equal(q.state, auth.state);
  assert.equal(thrown(() => authorizationUrl({ ...app, provider: "bitbucket-cloud", scopes: ["repository"] })).code, "scope.not_requestable");
  assert.equal(thrown(() => authorizationUrl({ ...app, provider: "bitbucket-cloud", pkce: true })).code, "oauth.pkce_unsupported");
});

test("Bitbucket Data Center: under the context path at /rest/oauth2/latest", () => {
  const auth = authorizationUrl({
    ...app,
    provider: "bitbucket-data-center",
    baseUrl: "https://bb.example.com/bitbucket",
    scopes: ["REPO_READ"],
  });
  assert.equal(endpointOf(auth.url), "https://bb.example.com/bitbucket/rest/oauth2/latest/authorize");
  assert.equal(params(auth.url).scope, "REPO_READ");
  assert.equal(thrown(() => authorizationUrl({ ...app, provider: "bitbucket-data-center" })).code, "base_url.required");
  const insecure = { ...app, provider: "bitbucket-data-center", baseUrl: "https://bb.example.com", redirectUri: "http://app.example.com/cb" };
  assert.equal(thrown(() => authorizationUrl(insecure)).code, "redirect_uri.insecure");
  const loopback = { ...insecure, redirectUri: "http://127.0.0.1:8080/cb" };
  assert.equal(params(authorizationUrl(loopback).url).redirect_uri, "http://127.0.0.1:8080/cb");
});

test("authorizationUrl errors are coded", () => {
  const cases = [
    [{ ...app, provider: "gitlab", clientId: "" }, "oauth.invalid_client_id"],
    [{ ...app, provider: "gitlab", clientId: "two words" }, "oauth.invalid_client_id"],
    [{ ...app, provider: "gitlab", redirectUri: "/relative" }, "redirect_uri.invalid"],
    [{ ...app, provider: "gitlab", redirectUri: "https://app.example.com/cb#frag" }, "redirect_uri.fragment"],
    [{ ...app, provider: "gitlab", scopes: ["offline_access"] }, "scope.unknown"],
    [{ ...app, provider: "gitlab", profile: "everything" }, "profile.unknown"],
    [{ ...app, provider: "bitbucket-data-center", baseUrl: "https://bb.example.com", profile: "secret-sync" }, "profile.unsupported"],
    [{ ...app, provider: "gitlab", baseUrl: "gitlab.example.com" }, "base_url.missing_scheme"],
    [{ ...app, provider: "gitea" }, "provider.unknown"],
  ];
  for (const [request, code] of cases) {
    const error = thrown(() => authorizationUrl(request));
    assert.equal(error.code, code, JSON.stringify(request));
    assert.equal(error.guidance.code, code);
  }
});

test("the URL's state comes back in the callback and yields the code", () => {
  const auth = authorizationUrl({ ...app, provider: "gitlab" });
  const callback = `${app.redirectUri}?code=the-code&state=${encodeURIComponent(auth.state)}`;
  assert.deepEqual(parseCallback(callback, auth.state), { code: "the-code" });
});

const STATE = "Zm9yZ2VsaW5rLXN0YXRlLWZvci10ZXN0cy0xMjM0NTY3";
const CB = `https://app.example.com/oauth/callback`;

test("parseCallback returns the code, and GitHub's iss when present", () => {
  assert.deepEqual(parseCallback(`${CB}?code=abc123&state=${STATE}`, STATE), { code: "abc123" });
  assert.deepEqual(
    parseCallback(`${CB}?code=abc123&state=${STATE}&iss=https%3A%2F%2Fgithub.com%2Flogin%2Foauth`, STATE),
    { code: "abc123", iss: "https://github.com/login/oauth" },
  );
  assert.deepEqual(parseCallback(new URL(`${CB}?state=${STATE}&code=a%2Fb`), STATE), { code: "a/b" });
  assert.deepEqual(parseCallback(`?code=abc&state=${STATE}`, STATE), { code: "abc" });
});

const failures = [
  [`${CB}?code=abc&state=another-state`, "oauth.state_mismatch"],
  [`${CB}?code=abc&state=${STATE}x`, "oauth.state_mismatch"],
  [`${CB}?code=abc`, "oauth.missing_state"],
  [`${CB}?state=${STATE}`, "oauth.missing_code"],
  [`${CB}?code=&state=${STATE}`, "oauth.missing_code"],
  [`${CB}?code=a&code=b&state=${STATE}`, "oauth.duplicate_parameter"],
  [`${CB}?code=a&state=${STATE}&state=${STATE}`, "oauth.duplicate_parameter"],
  [`${CB}?error=access_denied&state=${STATE}`, "oauth.access_denied"],
  [`${CB}?error=invalid_scope&state=${STATE}`, "oauth.invalid_scope"],
  [`${CB}?error=redirect_uri_mismatch&state=${STATE}`, "oauth.redirect_uri_mismatch"],
  [`${CB}?error=server_error&state=${STATE}`, "oauth.provider_error"],
  [`${CB}?error=temporarily_unavailable&state=${STATE}`, "oauth.provider_error"],
  [`${CB}?error=access_denied&state=wrong`, "oauth.state_mismatch"],
  ["not a callback", "oauth.invalid_callback"],
];

for (const [url, code] of failures) {
  test(`parseCallback(${url}) throws ${code}`, () => {
    const error = thrown(() => parseCallback(url, STATE));
    assert.equal(error.code, code);
    assert.equal(error.guidance.code, code);
    assert.ok(error.guidance.steps.length > 0);
  });
}

test("a provider's error keeps its error_description", () => {
  const error = thrown(() =>
    parseCallback(`${CB}?error=server_error&error_description=Try+again+in+a+minute&state=${STATE}`, STATE),
  );
  assert.equal(error.code, "oauth.provider_error");
  assert.equal(error.providerDetail, "Try again in a minute");
  const denied = thrown(() =>
    parseCallback(`${CB}?error=access_denied&error_description=The%20user%20denied%20access&state=${STATE}`, STATE),
  );
  assert.equal(denied.code, "oauth.access_denied");
  assert.equal(denied.providerDetail, "The user denied access");
  const bare = thrown(() => parseCallback(`${CB}?error=invalid_scope&state=${STATE}`, STATE));
  assert.equal(bare.providerDetail, undefined);
  assert.ok(!("providerDetail" in bare));
});

test("an empty expected state is refused", () => {
  assert.equal(thrown(() => parseCallback(`${CB}?code=abc&state=`, "")).code, "input.invalid");
});

// GitLab's `root_namespace_id` ("OAuth 2.0 identity provider API", "Authorization code flow",
// https://docs.gitlab.com/api/oauth2/#authorization-code-flow): for a group with SAML SSO,
// GitLab 18.2+. Sent for GitLab only, and only a numeric group id.
test("authorizationUrl sends GitLab's rootNamespaceId and refuses it elsewhere", () => {
  for (const id of ["112", 112, " 112 "]) {
    const { url } = authorizationUrl({ provider: "gitlab", ...app, rootNamespaceId: id });
    assert.equal(params(url).root_namespace_id, "112", String(id));
  }
  assert.equal(params(authorizationUrl({ provider: "gitlab", ...app, rootNamespaceId: null }).url).root_namespace_id, undefined);
  for (const id of ["my-group", "1e3", -1, 1.5, true, {}]) {
    const error = thrown(() => authorizationUrl({ provider: "gitlab", ...app, rootNamespaceId: id }));
    assert.equal(error.code, "input.invalid", String(id));
  }
  const github = thrown(() => authorizationUrl({ provider: "github", ...app, rootNamespaceId: "112" }));
  assert.equal(github.code, "input.invalid");
  assert.match(github.message, /GitLab/);
});
