// Replacing a connection's credentials in place, against a real OAuth 2.0 authorization server
// (oidc-provider dressed as a GitLab self-managed instance; see tests/oauth-server): a
// connection that needs re-authorization is re-authorized through OAuth and keeps its id, a
// pasted token replaces the OAuth tokens, and credentials of another provider or instance
// change nothing.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";

import { startOAuthServer } from "../../tests/oauth-server/server.mjs";
import { fetchHost, Forgelink, ForgelinkError, memoryStorage } from "../flows.js";
import { rejection } from "./support/rejection.mjs";

let server;

before(async () => {
  server = await startOAuthServer();
});

after(async () => {
  await server?.close();
});

const HOUR = 3600 * 1000;

/** A memory storage that records every write that took effect. */
function recordingStorage() {
  const inner = memoryStorage();
  const writes = [];
  return {
    writes,
    get: (key) => inner.get(key),
    set: async (key, value, options) => {
      writes.push(["set", key]);
      return inner.set(key, value, options);
    },
    delete: async (key) => {
      writes.push(["delete", key]);
      return inner.delete(key);
    },
    compareAndSwap: async (key, expected, value, options) => {
      const swapped = await inner.compareAndSwap(key, expected, value, options);
      if (swapped) writes.push(["compareAndSwap", key]);
      return swapped;
    },
  };
}

function forgelink() {
  const storage = recordingStorage();
  const clock = { ms: Date.now() };
  const fetch = fetchHost({ timeoutMs: 10_000, allowPrivateNetworks: true, allowInsecureHttp: true });
  const instance = new Forgelink({ fetch, storage, encryptionKey: new Uint8Array(randomBytes(32)), now: () => clock.ms });
  return { fl: instance, storage, clock };
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

async function apiUser(token) {
  const response = await fetch(`${server.baseUrl}/api/v4/user`, { headers: { authorization: `Bearer ${token}` } });
  return response.status;
}


test("a connection that needs re-authorization is re-authorized through OAuth and keeps its id", async () => {
  const { fl, clock } = forgelink();
  const { url } = await fl.connectStart(app());
  const connection = await fl.connectFinish(await server.approve(url));
  const first = await fl.accessToken(connection.id);
  server.revokeRefreshTokens();
  clock.ms += 2 * HOUR;
  const dead = await rejection(fl.accessToken(connection.id));
  assert.equal(dead.code, "connection.needs_reauthorization");
  assert.match(dead.guidance.steps.join(" "), /Re-authorize the connection, or replace its token/);
  const report = await fl.testConnection(connection.id);
  assert.equal(report.checks[0].code, "connection.needs_reauthorization");

  const again = await fl.connectStart(app({ connectionId: connection.id }));
  const renewed = await fl.connectFinish(await server.approve(again.url));
  assert.equal(renewed.id, connection.id, "the same connection, not a new one");
  assert.equal(renewed.status, "active");
  assert.equal(renewed.account.username, connection.account.username);
  const second = await fl.accessToken(connection.id);
  assert.notEqual(second, first);
  assert.equal(await apiUser(second), 200);
  assert.equal((await fl.testConnection(connection.id)).ok, true);
});

test("replaceCredentials swaps the OAuth tokens for a pasted token in place, and revokes the old ones", async () => {
  const { fl } = forgelink();
  const { url } = await fl.connectStart(app());
  const connection = await fl.connectFinish(await server.approve(url));
  const oauthToken = await fl.accessToken(connection.id);
  const revoked = server.stats().revoked;
  const replaced = await fl.replaceCredentials(connection.id, { token: server.personalAccessToken });
  assert.equal(replaced.id, connection.id);
  assert.equal(replaced.status, "active");
  assert.equal(await fl.accessToken(connection.id), server.personalAccessToken);
  assert.equal(server.stats().revoked, revoked + 1);
  assert.equal(await apiUser(oauthToken), 401, "the old OAuth token no longer works");
});

test("credentials of another provider or instance, or no connection, change nothing", async () => {
  const { fl, storage } = forgelink();
  const connection = await fl.connectWithToken({ provider: "gitlab", baseUrl: server.baseUrl, token: server.personalAccessToken, profile: "ci-failure-analysis" });
  const writes = storage.writes.length;
  const github = await rejection(fl.replaceCredentials(connection.id, { token: "ghp_16C7e42F292c6912E7710c838347Ae178B4a" }));
  assert.equal(github.code, "connection.instance_mismatch");
  const refused = await rejection(fl.replaceCredentials(connection.id, { token: "glpat-not-a-token-of-this-instance" }));
  assert.equal(refused.code, "http.unauthorized");
  const elsewhere = await rejection(fl.connectStart(app({ baseUrl: "https://gitlab.com", connectionId: connection.id })));
  assert.equal(elsewhere.code, "connection.instance_mismatch");
  assert.deepEqual(storage.writes.slice(writes), [], "nothing was written");
  assert.equal(await fl.accessToken(connection.id), server.personalAccessToken);
  await assert.rejects(fl.replaceCredentials(connection.id, { token: "" }), ForgelinkError);
  await assert.rejects(fl.replaceCredentials(connection.id, { token: server.personalAccessToken, extra: 1 }), ForgelinkError);
  await fl.disconnect(connection.id);
  const gone = await rejection(fl.replaceCredentials(connection.id, { token: server.personalAccessToken }));
  assert.equal(gone.code, "connection.not_found");
});
