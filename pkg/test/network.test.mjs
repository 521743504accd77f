// Network failures classified by cause, against real servers on this machine: a plain HTTP
// server asked over https, a closed port, a name that cannot resolve (RFC 6761 `.invalid`), a
// server with a self-signed certificate. Each through the flows with fetchHost over Node's own
// http/https and over the platform's fetch (undici), each with its own code and guidance.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createServer as createTlsServer } from "node:https";
import { createServer as createTcpServer } from "node:net";
import { test } from "node:test";

import { fetchHost, Forgelink, ForgelinkError, memoryStorage } from "../flows.js";
import { rejection as codeOf } from "./support/rejection.mjs";

const key = new Uint8Array(32).fill(7);
const LOCAL = { allowPrivateNetworks: true, allowInsecureHttp: true, timeoutMs: 10_000 };
const tls = new URL("../../tests/fixtures/tls/", import.meta.url);
const FETCHES = {
  "Node's http/https": (options) => fetchHost(options),
  "the platform's fetch": (options) => fetchHost({ ...options, fetch: globalThis.fetch }),
};

async function listen(server) {
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server.address().port;
}

async function closedPort() {
  const server = createTcpServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function connect(fetch, baseUrl) {
  const forgelink = new Forgelink({ fetch, storage: memoryStorage(), encryptionKey: key });
  return forgelink.connectWithToken({ provider: "gitlab", baseUrl, token: "glpat-abcdefghijklmnopqrst" });
}

/** A GitLab that answers connectWithToken, at any address. */
function gitlab(request) {
  const json = (body) => ({ status: 200, headers: [["content-type", "application/json"]], body: new TextEncoder().encode(JSON.stringify(body)) });
  const path = new URL(request.url).pathname;
  if (path === "/api/v4/user") return json({ id: 1, username: "grace", name: "Grace Hopper" });
  if (path === "/api/v4/version") return json({ version: "17.5.1-ee", revision: "abc" });
  return json({ scopes: ["api"], expires_at: null, active: true });
}

/** The reachability check of a connection to `baseUrl` (made while the address answered), tested now over `fetch`. */
async function reachability(fetch, baseUrl) {
  const storage = memoryStorage();
  const made = await new Forgelink({ fetch: gitlab, storage, encryptionKey: key }).connectWithToken({ provider: "gitlab", baseUrl, token: "glpat-abcdefghijklmnopqrst" });
  const report = await new Forgelink({ fetch, storage, encryptionKey: key }).testConnection(made.id);
  assert.equal(report.ok, false);
  // A reachability failure, not an identity one: nothing after it was checked.
  const checks = report.checks.filter((check) => check.name !== "token");
  assert.deepEqual(checks.map((check) => [check.name, check.status]), [["reachability", "fail"]]);
  return checks[0];
}

function words(guidance) {
  return [guidance.title, guidance.summary, ...guidance.steps].join(" ");
}

test("a plain HTTP server asked over https is tls.plain_http_on_https, which points at the scheme and port", async () => {
  const server = createServer((req, res) => res.end("plain"));
  const port = await listen(server);
  try {
    for (const [name, make] of Object.entries(FETCHES)) {
      const error = await codeOf(connect(make(LOCAL), `https://127.0.0.1:${port}`));
      assert.equal(error.code, "tls.plain_http_on_https", `${name}: ${error.providerDetail}`);
      assert.match(error.providerDetail, /wrong version number/i, name);
      assert.match(words(error.guidance), /http:\/\//);
      assert.match(words(error.guidance), /port/);
      assert.doesNotMatch(words(error.guidance), /certificate/i);
      const check = await reachability(make(LOCAL), `https://127.0.0.1:${port}`);
      assert.equal(check.code, "tls.plain_http_on_https", name);
      assert.equal(check.guidance.code, "tls.plain_http_on_https");
    }
    // The same address over http answers: it was the scheme.
    const answered = await fetchHost(LOCAL)({ method: "GET", url: `http://127.0.0.1:${port}/`, headers: [] });
    assert.equal(answered.status, 200);
  } finally {
    server.close();
  }
});

test("a closed port is network.connection_refused", async () => {
  const port = await closedPort();
  for (const [name, make] of Object.entries(FETCHES)) {
    for (const baseUrl of [`http://127.0.0.1:${port}`, `https://127.0.0.1:${port}`]) {
      const error = await codeOf(connect(make(LOCAL), baseUrl));
      assert.equal(error.code, "network.connection_refused", `${name} ${baseUrl}: ${error.providerDetail}`);
      assert.match(error.providerDetail, /ECONNREFUSED/);
      assert.match(words(error.guidance), /port/);
    }
    assert.equal((await reachability(make(LOCAL), `http://127.0.0.1:${port}`)).code, "network.connection_refused", name);
  }
});

test("a name under .invalid is network.name_not_resolved, with the default policy too", async () => {
  const baseUrl = "https://gitlab.forgelink-test.invalid";
  for (const [name, make] of Object.entries(FETCHES)) {
    for (const options of [{}, LOCAL]) {
      const error = await codeOf(connect(make(options), baseUrl));
      assert.equal(error.code, "network.name_not_resolved", `${name}: ${error.providerDetail}`);
      assert.match(error.providerDetail, /ENOTFOUND|EAI_AGAIN/);
      assert.match(words(error.guidance), /DNS/);
    }
    assert.equal((await reachability(make({}), baseUrl)).code, "network.name_not_resolved", name);
  }
});

test("a self-signed certificate is tls.untrusted_certificate", async () => {
  const server = createTlsServer({ key: readFileSync(new URL("localhost.key", tls)), cert: readFileSync(new URL("localhost.crt", tls)) }, (req, res) => res.end("{}"));
  const port = await listen(server);
  try {
    for (const [name, make] of Object.entries(FETCHES)) {
      const error = await codeOf(connect(make(LOCAL), `https://127.0.0.1:${port}`));
      assert.equal(error.code, "tls.untrusted_certificate", `${name}: ${error.providerDetail}`);
      assert.match(error.providerDetail, /self[- ]signed/i);
      assert.match(words(error.guidance), /certificate/i);
      assert.equal((await reachability(make(LOCAL), `https://127.0.0.1:${port}`)).code, "tls.untrusted_certificate", name);
    }
  } finally {
    server.close();
    server.closeAllConnections?.();
  }
});
