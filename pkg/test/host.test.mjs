// The host contract of the Forgelink class: what the caller's fetch and storage may return or
// throw, and the coded error each failure becomes; fetchHost() and memoryStorage().
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { test } from "node:test";

import { fetchHost, Forgelink, ForgelinkError, memoryStorage } from "../flows.js";

const key = new Uint8Array(32).fill(7);
const token = { provider: "gitlab", baseUrl: "https://gitlab.example.com", token: "glpat-abcdefghijklmnopqrst" };

function forgelink(host = {}) {
  return new Forgelink({ fetch: () => assert.fail("no request expected"), storage: memoryStorage(), encryptionKey: key, ...host });
}

async function codeOf(promise) {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ForgelinkError, `${error?.constructor?.name}: ${error?.message}`);
    assert.equal(error.guidance.code, error.code);
    return error;
  }
  assert.fail("expected a rejection");
}

function thrown(fn) {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ForgelinkError, String(error));
    return error.code;
  }
  return "no error";
}

/** A GitLab answering the calls connectWithToken makes, with a version and a token's own description. */
function gitlab(request) {
  const json = (status, body) => ({ status, headers: [["Content-Type", "application/json"]], body: new TextEncoder().encode(JSON.stringify(body)) });
  const path = new URL(request.url).pathname;
  if (path === "/api/v4/user") return json(200, { id: 1, username: "grace", name: "Grace Hopper" });
  if (path === "/api/v4/version") return json(200, { version: "17.5.1-ee", revision: "abc" });
  if (path === "/api/v4/personal_access_tokens/self") return json(200, { scopes: ["api"], expires_at: null, active: true });
  return json(404, { message: "404 Not Found" });
}

test("the host is checked when the instance is made: input.invalid for every wrong shape", () => {
  const storage = memoryStorage();
  const good = { fetch: gitlab, storage, encryptionKey: key };
  assert.ok(new Forgelink(good) instanceof Forgelink);
  assert.ok(new Forgelink({ ...good, now: () => 0 }) instanceof Forgelink);
  const wrong = [
    undefined,
    null,
    "host",
    { ...good, fetch: undefined },
    { ...good, fetch: "https://gitlab.com" },
    { ...good, storage: undefined },
    { ...good, storage: new Map() },
    { ...good, storage: { ...storage, compareAndSwap: undefined } },
    { ...good, encryptionKey: undefined },
    { ...good, encryptionKey: new Uint8Array(16) },
    { ...good, encryptionKey: new Uint8Array(33) },
    { ...good, encryptionKey: Array.from(key) },
    { ...good, encryptionKey: "0".repeat(32) },
    { ...good, now: 5 },
    { ...good, clock: () => 0 },
  ];
  for (const host of wrong) {
    assert.equal(thrown(() => new Forgelink(host)), "input.invalid", JSON.stringify(host && Object.keys(host)));
  }
  try {
    new Forgelink({ ...good, encryptionKey: new Uint8Array(16) });
  } catch (error) {
    assert.match(error.message, /`host.encryptionKey` must be a Uint8Array of 32 bytes, got 16 bytes/);
  }
});

test("the key is copied: changing the caller's array later does not change what opens the records", async () => {
  const storage = memoryStorage();
  const mine = new Uint8Array(32).fill(1);
  const fl = new Forgelink({ fetch: gitlab, storage, encryptionKey: mine });
  const connection = await fl.connectWithToken(token);
  mine.fill(2);
  assert.equal(await fl.accessToken(connection.id), token.token);
});

test("wrong arguments reject with input.invalid; they never throw synchronously", async () => {
  const fl = forgelink();
  for (const call of [
    () => fl.accessToken(42),
    () => fl.testConnection(undefined),
    () => fl.disconnect({}),
    () => fl.connectFinish(null),
    () => fl.connectStart("gitlab"),
    () => fl.connectStart({ provider: "gitlab", clientId: "id" }),
    () => fl.connectStart({ provider: "gitlab", clientId: "id", redirectUri: "https://a.example/cb", client_secret: "x" }),
    () => fl.connectStart({ provider: "gitlab", clientId: "id", redirectUri: "https://a.example/cb", pkce: "yes" }),
    () => fl.connectStart({ provider: "gitlab", clientId: "id", redirectUri: "https://a.example/cb", scopes: ["api", 1] }),
    () => fl.connectWithToken({ provider: "gitlab", token: 42 }),
  ]) {
    let promise;
    assert.doesNotThrow(() => {
      promise = call();
    });
    assert.equal((await codeOf(promise)).code, "input.invalid", String(call));
  }
  assert.equal((await codeOf(fl.connectStart({ provider: "gitea", clientId: "id", redirectUri: "https://a.example/cb" }))).code, "provider.unknown");
  assert.equal((await codeOf(fl.accessToken("../etc"))).code, "connection.not_found");
  assert.equal((await codeOf(fl.accessToken("never-issued"))).code, "connection.not_found");
});

test("what the host's fetch throws becomes network.unreachable, network.timeout or tls.untrusted_certificate", async () => {
  const refused = Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }) });
  const certificate = Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("self-signed certificate"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" }) });
  const cases = [
    [refused, "network.unreachable", /ECONNREFUSED/],
    [new TypeError("Failed to fetch"), "network.unreachable", /Failed to fetch/],
    [new DOMException("The operation timed out.", "TimeoutError"), "network.timeout", undefined],
    [new DOMException("The operation was aborted.", "AbortError"), "network.timeout", undefined],
    [certificate, "tls.untrusted_certificate", /self-signed/],
    [new Error("something else"), "network.unreachable", /something else/],
    ["a string", "network.unreachable", /a string/],
    [undefined, "network.unreachable", /undefined/],
  ];
  for (const [thrownValue, code, detail] of cases) {
    for (const style of ["sync", "async"]) {
      const fetch = style === "sync" ? () => { throw thrownValue; } : async () => { throw thrownValue; };
      const error = await codeOf(forgelink({ fetch }).connectWithToken(token));
      assert.equal(error.code, code, `${style} ${String(thrownValue)}`);
      if (detail) assert.match(error.providerDetail, detail);
    }
  }
});

test("what the host's storage throws becomes storage.failed, with its message", async () => {
  for (const method of ["get", "set", "compareAndSwap"]) {
    for (const style of ["sync", "async"]) {
      const storage = memoryStorage();
      const broken = style === "sync" ? () => { throw new Error("disk full"); } : () => Promise.reject(new Error("disk full"));
      const fl = forgelink({ fetch: gitlab, storage: { ...storage, [method]: broken } });
      const error = await codeOf(
        method === "set" ? fl.connectStart({ provider: "gitlab", clientId: "id", redirectUri: "https://a.example/cb" }) : fl.connectWithToken(token).then((c) => fl.accessToken(c.id)),
      );
      assert.equal(error.code, "storage.failed", `${method} ${style}`);
      assert.match(error.providerDetail, new RegExp(`storage.${method} failed: disk full`));
    }
  }
});

test("a host that breaks the contract gets input.invalid naming the breach", async () => {
  const ok = (body) => () => ({ status: 200, headers: [], body });
  const cases = [
    [{ fetch: () => "200 OK" }, /fetch must return/],
    [{ fetch: () => null }, /fetch must return/],
    [{ fetch: () => ({ status: "200", headers: [], body: new Uint8Array() }) }, /status/],
    [{ fetch: () => ({ status: 200, headers: { "content-type": "application/json" }, body: new Uint8Array() }) }, /headers/],
    [{ fetch: () => ({ status: 200, headers: [["a"]], body: new Uint8Array() }) }, /headers/],
    [{ fetch: ok(42) }, /body as a Uint8Array/],
    [{ fetch: gitlab, storage: { ...memoryStorage(), compareAndSwap: () => "yes" } }, /compareAndSwap must return a boolean/],
    [{ fetch: gitlab, now: () => "noon" }, /now\(\) must return/],
    [{ fetch: gitlab, now: () => { throw new Error("no clock"); } }, /now\(\) threw/],
  ];
  for (const [host, message] of cases) {
    const error = await codeOf(forgelink(host).connectWithToken(token));
    assert.equal(error.code, "input.invalid", String(message));
    assert.match(error.message, message);
  }
  const storage = memoryStorage();
  const fl = forgelink({ fetch: gitlab, storage });
  const connection = await fl.connectWithToken(token);
  const stringly = forgelink({ fetch: gitlab, storage: { ...storage, get: () => "base64..." } });
  const error = await codeOf(stringly.accessToken(connection.id));
  assert.equal(error.code, "input.invalid");
  assert.match(error.message, /storage.get must return a Uint8Array or null, got a string/);
});

test("lenient where it costs nothing: promises or plain values, ArrayBuffer and string bodies, undefined for absent", async () => {
  const base = memoryStorage();
  const storage = {
    get: async (k) => base.get(k) ?? undefined,
    set: async (k, v) => base.set(k, v),
    delete: async (k) => base.delete(k),
    compareAndSwap: async (k, e, v) => base.compareAndSwap(k, e, v),
  };
  const fetch = async (request) => {
    const response = gitlab(request);
    return { ...response, body: request.url.endsWith("/version") ? new TextDecoder().decode(response.body) : response.body.buffer };
  };
  const fl = forgelink({ fetch, storage });
  const connection = await fl.connectWithToken(token);
  assert.equal(connection.account.username, "grace");
  assert.equal(connection.serverVersion, "17.5.1-ee");
  assert.equal(await fl.accessToken(connection.id), token.token);
});

test("the host's fetch gets the request as the contract says, body as bytes", async () => {
  const seen = [];
  const fl = forgelink({
    fetch: (request) => {
      seen.push(request);
      return gitlab(request);
    },
  });
  await fl.connectWithToken(token);
  const user = seen[0];
  assert.deepEqual(Object.keys(user).sort(), ["headers", "method", "url"]);
  assert.equal(user.method, "GET");
  assert.equal(user.url, "https://gitlab.example.com/api/v4/user");
  assert.ok(user.headers.every((h) => Array.isArray(h) && h.length === 2 && h.every((s) => typeof s === "string")));
  assert.deepEqual(user.headers.find(([n]) => n === "Authorization"), ["Authorization", `Bearer ${token.token}`]);

  const posts = [];
  const oauth = forgelink({
    fetch: (request) => {
      posts.push(request);
      return { status: 400, headers: [["Content-Type", "application/json"]], body: new TextEncoder().encode('{"error":"invalid_grant"}') };
    },
  });
  const { url } = await oauth.connectStart({ provider: "gitlab", clientId: "id", clientSecret: "s", redirectUri: "https://a.example/cb" });
  const state = new URL(url).searchParams.get("state");
  assert.equal((await codeOf(oauth.connectFinish(`https://a.example/cb?code=c&state=${state}`))).code, "oauth.invalid_grant");
  assert.ok(posts[0].body instanceof Uint8Array);
  const form = new URLSearchParams(new TextDecoder().decode(posts[0].body));
  assert.equal(form.get("grant_type"), "authorization_code");
  assert.equal(form.get("code"), "c");
});

test("fetchHost: a browser's opaque redirect is http.unexpected_status saying the redirect was not followed", async () => {
  let init;
  const platform = async (_url, options) => {
    init = options;
    return { type: "opaqueredirect", status: 0, headers: new Headers(), body: null, arrayBuffer: async () => new ArrayBuffer(0) };
  };
  const error = await codeOf(forgelink({ fetch: fetchHost({ fetch: platform }) }).connectWithToken(token));
  assert.equal(error.code, "http.unexpected_status");
  assert.match(error.message, /redirect/);
  assert.equal(init.redirect, "manual");
  assert.equal(init.credentials, "omit");
  // The same from a fetch of the caller's own that passes the opaque answer on.
  const own = await codeOf(forgelink({ fetch: () => ({ status: 0, headers: [], body: new Uint8Array() }) }).connectWithToken(token));
  assert.equal(own.code, "http.unexpected_status");
});

async function listen(server) {
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server.address().port;
}

test("fetchHost in Node: a redirect comes back as the response, and Bitbucket Data Center's login redirect is named", async () => {
  const server = createServer((req, res) => {
    res.writeHead(302, { location: "/login?next=%2Frest%2Fapi%2Flatest" });
    res.end();
  });
  const port = await listen(server);
  try {
    const host = fetchHost();
    const response = await host({ method: "GET", url: `http://127.0.0.1:${port}/rest/api/latest/application-properties`, headers: [] });
    assert.equal(response.status, 302);
    assert.ok(response.body instanceof Uint8Array);
    assert.ok(response.headers.some(([n, v]) => n === "location" && v.startsWith("/login")));
    const fl = forgelink({ fetch: host });
    const error = await codeOf(fl.connectWithToken({ provider: "bitbucket-data-center", baseUrl: `http://127.0.0.1:${port}`, token: "BBDC-abcdefghijklmnop" }));
    assert.equal(error.code, "http.login_redirect");
  } finally {
    server.close();
  }
});

test("fetchHost: nothing listening is network.unreachable, no answer in time is network.timeout", async () => {
  const closed = createTcpServer();
  const closedPort = await listen(closed);
  await new Promise((resolve) => closed.close(resolve));
  const unreachable = await codeOf(forgelink({ fetch: fetchHost() }).connectWithToken({ ...token, baseUrl: `http://127.0.0.1:${closedPort}` }));
  assert.equal(unreachable.code, "network.unreachable");
  assert.match(unreachable.providerDetail, /ECONNREFUSED/);

  const sockets = new Set();
  const silent = createTcpServer((socket) => sockets.add(socket));
  const silentPort = await listen(silent);
  try {
    const timeout = await codeOf(forgelink({ fetch: fetchHost({ timeoutMs: 200 }) }).connectWithToken({ ...token, baseUrl: `http://127.0.0.1:${silentPort}` }));
    assert.equal(timeout.code, "network.timeout");
  } finally {
    for (const socket of sockets) socket.destroy();
    silent.close();
  }
  assert.equal(thrown(() => fetchHost({ timeoutMs: 0 })), "input.invalid");
  assert.equal(thrown(() => fetchHost({ fetch: "fetch" })), "input.invalid");
  assert.equal(thrown(() => fetchHost({ retries: 3 })), "input.invalid");
});

test("memoryStorage: compareAndSwap compares bytes, and values are copies", async () => {
  const storage = memoryStorage();
  const value = new Uint8Array([1, 2, 3]);
  assert.equal(storage.get("k"), null);
  assert.equal(storage.compareAndSwap("k", new Uint8Array([1]), value), false);
  assert.equal(storage.compareAndSwap("k", null, value), true);
  assert.equal(storage.compareAndSwap("k", null, value), false);
  value[0] = 9;
  assert.deepEqual(storage.get("k"), new Uint8Array([1, 2, 3]));
  assert.equal(storage.compareAndSwap("k", new Uint8Array([1, 2]), new Uint8Array([4])), false);
  assert.equal(storage.compareAndSwap("k", new Uint8Array([1, 2, 3]), new Uint8Array([4])), true);
  storage.get("k")[0] = 5;
  assert.deepEqual(storage.get("k"), new Uint8Array([4]));
  storage.delete("k");
  storage.delete("k");
  assert.equal(storage.get("k"), null);
  storage.set("k", new Uint8Array([6]));
  assert.deepEqual(storage.get("k"), new Uint8Array([6]));
});

test("a host written as a class works: its methods are called on it", async () => {
  class Host {
    #answers = 0;
    constructor() {
      this.storage = memoryStorage();
      this.encryptionKey = key;
    }
    fetch(request) {
      this.#answers++;
      return gitlab(request);
    }
    now() {
      return 1_800_000_000_000 + this.#answers;
    }
    get answers() {
      return this.#answers;
    }
  }
  const host = new Host();
  const fl = new Forgelink(host);
  const connection = await fl.connectWithToken(token);
  assert.equal(connection.account.username, "grace");
  assert.ok(host.answers >= 2);
});
