// The Forgelink class against a real OAuth 2.0 authorization server (oidc-provider, dressed as
// a GitLab self-managed instance under /gitlab; see tests/oauth-server): the authorization-code
// flow, refresh, revocation, the failures each gives a code to, and one refresh between many
// concurrent callers.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";

import { startOAuthServer } from "../../tests/oauth-server/server.mjs";
import {
  fetchHost,
  Forgelink,
  ForgelinkError,
  memoryStorage,
  parseTokenResponse,
  prepareTokenExchange,
} from "../flows.js";
import { rejection } from "./support/rejection.mjs";

let server;

before(async () => {
  server = await startOAuthServer();
});

after(async () => {
  await server?.close();
});

const HOUR = 3600 * 1000;

/** A Forgelink over the platform fetch, a Map and a clock the test moves. */
function forgelink({ storage = memoryStorage(), key = new Uint8Array(randomBytes(32)), clock = { ms: Date.now() } } = {}) {
  const instance = new Forgelink({ fetch: fetchHost({ timeoutMs: 10_000, allowPrivateNetworks: true, allowInsecureHttp: true }), storage, encryptionKey: key, now: () => clock.ms });
  return { forgelink: instance, storage, key, clock };
}

function app(overrides = {}) {
  return {
    provider: "gitlab",
    baseUrl: server.baseUrl,
    clientId: server.clientId,
    clientSecret: server.clientSecret,
    redirectUri: server.redirectUri,
    profile: "ci-failure-analysis",
    ...overrides,
  };
}

/** Connects as ada through the whole authorization-code flow. */
async function connected(options = {}, approval = {}) {
  const host = forgelink(options);
  const { url } = await host.forgelink.connectStart(app(options.app));
  const connection = await host.forgelink.connectFinish(await server.approve(url, approval));
  return { ...host, connection };
}

async function apiUser(token) {
  const response = await fetch(`${server.baseUrl}/api/v4/user`, { headers: { authorization: `Bearer ${token}` } });
  return response.status;
}

/** Exchanges a code with the pure functions and the platform fetch, as a caller without Forgelink would. */
async function exchange(client, code, verifier) {
  const request = prepareTokenExchange(client, code, verifier);
  const response = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body });
  const body = new Uint8Array(await response.arrayBuffer());
  return parseTokenResponse("gitlab", { status: response.status, headers: [...response.headers], body }, Math.floor(Date.now() / 1000));
}

test("the authorization-code flow connects ada, with version, scopes and a passing report", async () => {
  const before = server.stats().authorizationCode;
  const { forgelink: fl, clock } = forgelink();
  const started = await fl.connectStart(app());
  const url = new URL(started.url);
  assert.equal(`${url.origin}${url.pathname}`, `${server.baseUrl}/oauth/authorize`);
  assert.equal(url.searchParams.get("state"), started.state);
  assert.equal(url.searchParams.get("code_challenge_method"), "S256");
  assert.equal(url.searchParams.get("scope"), "api");

  const callback = await server.approve(started.url);
  assert.ok(callback.startsWith(`${server.redirectUri}?`), callback);
  const connection = await fl.connectFinish(callback);
  assert.equal(server.stats().authorizationCode, before + 1);
  assert.equal(connection.provider, "gitlab");
  assert.equal(connection.baseUrl, server.baseUrl);
  assert.deepEqual(connection.account, { id: "7", username: "ada", name: "Ada Lovelace", webUrl: `${server.baseUrl}/ada` });
  assert.equal(connection.serverVersion, "17.5.1-ee");
  assert.deepEqual(connection.scopes, { granted: ["api"], missing: [] });
  assert.equal(connection.status, "active");
  // 7200 s from the server's created_at, moved to the host's clock through the Date header.
  assert.ok(Math.abs(connection.expiresAt - (Math.floor(clock.ms / 1000) + 7200)) <= 2, `${connection.expiresAt}`);

  const report = await fl.testConnection(connection.id);
  assert.equal(report.ok, true, JSON.stringify(report));
  assert.deepEqual(
    report.checks.map((c) => [c.name, c.status]),
    [["reachability", "pass"], ["identity", "pass"], ["server-version", "pass"], ["scopes", "pass"], ["token-expiry", "pass"], ["refresh-token", "pass"]],
  );
  const token = await fl.accessToken(connection.id);
  assert.equal(await apiUser(token), 200);
});

test("scopes the person did not grant are reported missing, and the report fails on them", async () => {
  const { forgelink: fl, connection } = await connected({ app: { scopes: ["read_user"] } }, { scopes: ["read_user"] });
  assert.deepEqual(connection.scopes, { granted: ["read_user"], missing: ["api"] });
  const report = await fl.testConnection(connection.id);
  assert.equal(report.ok, false);
  const scopes = report.checks.find((c) => c.name === "scopes");
  assert.equal(scopes.status, "fail");
  assert.equal(scopes.code, "http.missing_scope");
  assert.match(scopes.message, /api/);
});

test("an expiring token is refreshed once, the refresh token rotates, and the new token works", async () => {
  const { forgelink: fl, clock, connection } = await connected();
  const first = await fl.accessToken(connection.id);
  const refreshes = server.stats().refreshToken;
  assert.equal(await fl.accessToken(connection.id), first, "no refresh while the token is fresh");
  assert.equal(server.stats().refreshToken, refreshes);

  clock.ms += 2 * HOUR; // past expiry, on the host's clock only
  const second = await fl.accessToken(connection.id);
  assert.notEqual(second, first);
  assert.equal(server.stats().refreshToken, refreshes + 1);
  assert.equal(await apiUser(second), 200);
  assert.equal(await fl.accessToken(connection.id), second);

  // The rotated refresh token was kept: a later refresh succeeds with it. (The server revokes
  // every token of the authorization when a spent refresh token comes back, so success also
  // says the old one was not sent again.)
  clock.ms += 2 * HOUR;
  const third = await fl.accessToken(connection.id);
  assert.notEqual(third, second);
  assert.equal(server.stats().refreshToken, refreshes + 2);
  assert.equal(await apiUser(third), 200);
  const report = await fl.testConnection(connection.id);
  assert.equal(report.ok, true, JSON.stringify(report));
});

test("a revoked refresh token turns the connection to connection.needs_reauthorization", async () => {
  const { forgelink: fl, clock, connection } = await connected();
  server.revokeRefreshTokens();
  clock.ms += 2 * HOUR;
  const refreshes = server.stats().refreshToken;
  const error = await rejection(fl.accessToken(connection.id));
  assert.equal(error.code, "connection.needs_reauthorization");
  assert.equal(server.stats().refreshToken, refreshes + 1);
  // Remembered: no further refresh request is made for a dead connection.
  assert.equal((await rejection(fl.accessToken(connection.id))).code, "connection.needs_reauthorization");
  assert.equal(server.stats().refreshToken, refreshes + 1);
  const report = await fl.testConnection(connection.id);
  assert.equal(report.ok, false);
  assert.deepEqual([report.checks[0].name, report.checks[0].status, report.checks[0].code], ["token", "fail", "connection.needs_reauthorization"]);
});

test("connectStart sends GitLab's rootNamespaceId (docs.gitlab.com/api/oauth2/#authorization-code-flow)", async () => {
  const { forgelink: fl } = forgelink();
  const { url } = await fl.connectStart(app({ rootNamespaceId: 112 }));
  assert.equal(new URL(url).searchParams.get("root_namespace_id"), "112");
  assert.equal((await rejection(fl.connectStart(app({ rootNamespaceId: "acme" })))).code, "input.invalid");
});

test("a reused callback is oauth.state_mismatch before the server is asked; a reused code is oauth.invalid_grant at the server", async () => {
  const { forgelink: fl } = forgelink();
  const { url } = await fl.connectStart(app());
  const callback = await server.approve(url);
  const exchanges = server.stats().authorizationCode;
  await fl.connectFinish(callback);
  // The pending state is single use: the second finish never reaches the token endpoint.
  assert.equal((await rejection(fl.connectFinish(callback))).code, "oauth.state_mismatch");
  assert.equal(server.stats().authorizationCode, exchanges + 1);

  // Without Forgelink, the same code sent twice is refused by the server.
  const { authorizationUrl } = await import("../flows.js");
  const auth = authorizationUrl({ provider: "gitlab", baseUrl: server.baseUrl, clientId: server.clientId, redirectUri: server.redirectUri, scopes: ["api"] });
  const code = new URL(await server.approve(auth.url)).searchParams.get("code");
  const client = { provider: "gitlab", baseUrl: server.baseUrl, clientId: server.clientId, clientSecret: server.clientSecret, redirectUri: server.redirectUri };
  const tokens = await exchange(client, code, auth.codeVerifier);
  assert.equal(tokens.scopes.join(" "), "api");
  assert.ok(tokens.refreshToken);
  const reused = await exchange(client, code, auth.codeVerifier).then(
    () => assert.fail("a reused code must fail"),
    (error) => error,
  );
  assert.ok(reused instanceof ForgelinkError);
  assert.equal(reused.code, "oauth.invalid_grant");
});

test("a session-bound authorization finishes only in its session and at its redirect URI; refused callbacks leave it unspent", async () => {
  const { forgelink: fl } = forgelink();
  const { url } = await fl.connectStart(app({ session: "cookie-of-the-person" }));
  const callback = await server.approve(url);
  const exchanges = server.stats().authorizationCode;
  // The link opened in someone else's session, or in none, or finished at another address.
  assert.equal((await rejection(fl.connectFinish(callback, { session: "cookie-of-someone-else" }))).code, "oauth.session_mismatch");
  assert.equal((await rejection(fl.connectFinish(callback))).code, "oauth.session_mismatch");
  const elsewhere = new URL(callback);
  elsewhere.pathname += "-other";
  assert.equal((await rejection(fl.connectFinish(elsewhere, { session: "cookie-of-the-person" }))).code, "oauth.callback_mismatch");
  // A callback naming another authorization server (a mix-up) never reaches a token endpoint.
  const mixed = new URL(callback);
  mixed.searchParams.set("iss", "https://gitlab.evil.example");
  assert.equal((await rejection(fl.connectFinish(mixed, { session: "cookie-of-the-person" }))).code, "oauth.issuer_mismatch");
  assert.equal(server.stats().authorizationCode, exchanges, "no code was exchanged");
  // The state was not spent: the person's own callback, in the person's session, connects.
  const connection = await fl.connectFinish(callback, { session: "cookie-of-the-person" });
  assert.equal(connection.account.username, "ada");
  assert.equal((await rejection(fl.connectFinish(callback, { session: "cookie-of-the-person" }))).code, "oauth.state_mismatch");
  // An empty binding binds nothing: refused before anything is stored.
  const empty = await rejection(fl.connectStart(app({ session: " " })));
  assert.equal(empty.code, "input.invalid");
  assert.match(empty.message, /`session` is empty/);
  assert.equal((await rejection(fl.connectFinish(callback, { session: 5 }))).code, "input.invalid");
  assert.equal((await rejection(fl.connectFinish(callback, { sesion: "typo" }))).code, "input.invalid");
});

test("a wrong client secret is oauth.invalid_client", async () => {
  const { forgelink: fl } = forgelink();
  const { url } = await fl.connectStart(app({ clientSecret: "gloas-not-the-secret" }));
  const error = await rejection(fl.connectFinish(await server.approve(url)));
  assert.equal(error.code, "oauth.invalid_client");
  assert.equal(error.providerDetail, "client authentication failed");
});

test("a wrong redirect URI: refused on the server's page, or oauth.invalid_grant at the token endpoint", async () => {
  const { forgelink: fl } = forgelink();
  // Not registered: the server refuses on its own page and never redirects, as GitLab does.
  const { url } = await fl.connectStart(app({ redirectUri: "http://127.0.0.1:9/elsewhere" }));
  await assert.rejects(server.approve(url), (error) => error.error === "invalid_redirect_uri");

  // Registered for the authorization but another at the exchange: invalid_grant, as GitLab
  // (Doorkeeper) answers too; no server sends redirect_uri_mismatch from the token endpoint here.
  const { authorizationUrl } = await import("../flows.js");
  const auth = authorizationUrl({ provider: "gitlab", baseUrl: server.baseUrl, clientId: server.clientId, redirectUri: server.redirectUri, scopes: ["api"] });
  const code = new URL(await server.approve(auth.url)).searchParams.get("code");
  const client = { provider: "gitlab", baseUrl: server.baseUrl, clientId: server.clientId, clientSecret: server.clientSecret, redirectUri: `${server.redirectUri}/other` };
  const error = await exchange(client, code, auth.codeVerifier).then(
    () => assert.fail("a mismatched redirect URI must fail"),
    (e) => e,
  );
  assert.ok(error instanceof ForgelinkError);
  assert.equal(error.code, "oauth.invalid_grant");
});

test("a declined authorization is oauth.access_denied; one without PKCE is refused by the server", async () => {
  const { forgelink: fl } = forgelink();
  const declined = await fl.connectStart(app());
  const denied = await rejection(fl.connectFinish(await server.approve(declined.url, { deny: true })));
  assert.equal(denied.code, "oauth.access_denied");

  const withoutPkce = await fl.connectStart(app({ pkce: false }));
  assert.equal(new URL(withoutPkce.url).searchParams.get("code_challenge"), null);
  const refused = await rejection(fl.connectFinish(await server.approve(withoutPkce.url)));
  // The callback carries error=invalid_request, with the provider's words kept.
  assert.equal(refused.code, "oauth.invalid_request");
  assert.match(refused.providerDetail, /PKCE/);
});

test("eight concurrent accessToken calls on an expired connection make one refresh request", async () => {
  const { forgelink: fl, clock, connection } = await connected();
  const old = await fl.accessToken(connection.id);
  clock.ms += 3 * HOUR;
  const refreshes = server.stats().refreshToken;
  const tokens = await Promise.all(Array.from({ length: 8 }, () => fl.accessToken(connection.id)));
  assert.equal(server.stats().refreshToken, refreshes + 1);
  assert.equal(new Set(tokens).size, 1);
  assert.notEqual(tokens[0], old);
  assert.equal(await apiUser(tokens[0]), 200);
});

test("two Forgelink instances sharing one storage make one refresh request between them", async () => {
  const storage = memoryStorage();
  const key = new Uint8Array(randomBytes(32));
  const clock = { ms: Date.now() };
  const { connection } = await connected({ storage, key, clock });
  const a = forgelink({ storage, key, clock }).forgelink;
  const b = forgelink({ storage, key, clock }).forgelink;
  clock.ms += 3 * HOUR;
  const refreshes = server.stats().refreshToken;
  const tokens = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).accessToken(connection.id)));
  assert.equal(server.stats().refreshToken, refreshes + 1);
  assert.equal(new Set(tokens).size, 1);
  assert.equal(await apiUser(tokens[0]), 200);
});

test("an instance with another encryption key cannot read the shared connection: storage.corrupt", async () => {
  const storage = memoryStorage();
  const { connection } = await connected({ storage });
  const other = forgelink({ storage }).forgelink;
  assert.equal((await rejection(other.accessToken(connection.id))).code, "storage.corrupt");
});

test("nothing stored holds a token, a secret or a verifier in plain text", async () => {
  const values = new Map();
  const base = memoryStorage();
  const storage = {
    ...base,
    set: (key, value) => {
      values.set(key, value.slice());
      return base.set(key, value);
    },
    compareAndSwap: (key, expected, value) => {
      const swapped = base.compareAndSwap(key, expected, value);
      if (swapped) values.set(key, value.slice());
      return swapped;
    },
  };
  const { forgelink: fl, connection } = await connected({ storage });
  const token = await fl.accessToken(connection.id);
  const stored = Buffer.concat([...values.values()].map((v) => Buffer.from(v))).toString("latin1");
  for (const secret of [token, server.clientSecret, "ada", "Ada Lovelace"]) {
    assert.ok(!stored.includes(secret), `storage holds ${secret}`);
  }
  for (const key of values.keys()) assert.match(key, /^forgelink\/v1\/(pending|connection)\/[A-Za-z0-9_-]+$/);
});

test("disconnect revokes the token at the server and forgets the connection", async () => {
  const { forgelink: fl, connection } = await connected();
  const token = await fl.accessToken(connection.id);
  const revoked = server.stats().revoked;
  const report = await fl.disconnect(connection.id);
  assert.deepEqual(report, { revoked: true, webhooks: [], manualSteps: [] });
  assert.equal(server.stats().revoked, revoked + 1);
  assert.equal(await apiUser(token), 401);
  assert.equal((await rejection(fl.accessToken(connection.id))).code, "connection.not_found");
});

test("a personal access token connects with its scopes and expiry, and is handed back as it is", async () => {
  const { forgelink: fl } = forgelink();
  const connection = await fl.connectWithToken({ provider: "gitlab", baseUrl: server.baseUrl, token: server.personalAccessToken, profile: "ci-failure-analysis" });
  assert.equal(connection.account.username, "ada");
  assert.deepEqual(connection.scopes, { granted: ["api", "read_user"], missing: [] });
  assert.equal(connection.expiresAt, Date.UTC(2099, 0, 1) / 1000);
  assert.equal(connection.serverVersion, "17.5.1-ee");
  assert.equal(await fl.accessToken(connection.id), server.personalAccessToken);
  const report = await fl.testConnection(connection.id);
  assert.equal(report.ok, true, JSON.stringify(report));
  const disconnected = await fl.disconnect(connection.id);
  assert.equal(disconnected.revoked, false);
  assert.equal(disconnected.manualSteps.length, 1);

  const refused = await rejection(fl.connectWithToken({ provider: "gitlab", baseUrl: server.baseUrl, token: "glpat-not-a-token-of-this-server" }));
  assert.equal(refused.code, "http.unauthorized");
  assert.equal((await rejection(fl.connectWithToken({ provider: "gitlab", baseUrl: server.baseUrl, token: "ghp_0123456789" }))).code, "base_url.wrong_provider");
});
