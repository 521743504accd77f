// The host contract of the Forgelink class: what the caller's fetch and storage may return or
// throw, and the coded error each failure becomes; fetchHost() and memoryStorage().
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { createServer as createTcpServer } from "node:net";
import { test } from "node:test";

import { fetchHost, Forgelink, ForgelinkError, memoryStorage } from "../flows.js";
import { rejection as codeOf } from "./support/rejection.mjs";

const key = new Uint8Array(32).fill(7);
const token = { provider: "gitlab", baseUrl: "https://gitlab.example.com", token: "glpat-abcdefghijklmnopqrst" };

function forgelink(host = {}) {
  return new Forgelink({ fetch: () => assert.fail("no request expected"), storage: memoryStorage(), encryptionKey: key, ...host });
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

test("what the host's fetch throws becomes a network.* or tls.* code by its cause", async () => {
  const failed = (message, code) => Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error(message), { code }) });
  const wrongVersion = "error:0A00010B:SSL routines:ssl3_get_record:wrong version number";
  const cases = [
    [failed("connect ECONNREFUSED 127.0.0.1:9", "ECONNREFUSED"), "network.connection_refused", /ECONNREFUSED/],
    [failed("getaddrinfo ENOTFOUND gitlab.example.invalid", "ENOTFOUND"), "network.name_not_resolved", /ENOTFOUND/],
    [failed("getaddrinfo EAI_AGAIN gitlab.example.com", "EAI_AGAIN"), "network.name_not_resolved", /EAI_AGAIN/],
    [failed(wrongVersion, "ERR_SSL_WRONG_VERSION_NUMBER"), "tls.plain_http_on_https", /wrong version number/],
    // Node's https module: the code is EPROTO, the cause is in the message.
    [Object.assign(new Error(`write EPROTO ${wrongVersion}`), { code: "EPROTO" }), "tls.plain_http_on_https", /EPROTO/],
    [failed("read ECONNRESET", "ECONNRESET"), "network.unreachable", /ECONNRESET/],
    [new TypeError("Failed to fetch"), "network.unreachable", /Failed to fetch/],
    [new DOMException("The operation timed out.", "TimeoutError"), "network.timeout", undefined],
    [new DOMException("The operation was aborted.", "AbortError"), "network.timeout", undefined],
    [failed("self-signed certificate", "DEPTH_ZERO_SELF_SIGNED_CERT"), "tls.untrusted_certificate", /self-signed/],
    [failed("self-signed certificate in certificate chain", "SELF_SIGNED_CERT_IN_CHAIN"), "tls.untrusted_certificate", /chain/],
    [failed("unable to verify the first certificate", "UNABLE_TO_VERIFY_LEAF_SIGNATURE"), "tls.untrusted_certificate", /verify/],
    [failed("certificate has expired", "CERT_HAS_EXPIRED"), "tls.untrusted_certificate", /expired/],
    [failed("Hostname/IP does not match certificate's altnames", "ERR_TLS_CERT_ALTNAME_INVALID"), "tls.untrusted_certificate", /altnames/],
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

// What a caller that talks to servers on this machine (these tests, the sandbox) must say.
const LOCAL = { allowPrivateNetworks: true, allowInsecureHttp: true };

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
    const host = fetchHost(LOCAL);
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

test("fetchHost: nothing listening is network.connection_refused, no answer in time is network.timeout", async () => {
  const closed = createTcpServer();
  const closedPort = await listen(closed);
  await new Promise((resolve) => closed.close(resolve));
  const unreachable = await codeOf(forgelink({ fetch: fetchHost(LOCAL) }).connectWithToken({ ...token, baseUrl: `http://127.0.0.1:${closedPort}` }));
  assert.equal(unreachable.code, "network.connection_refused");
  assert.match(unreachable.providerDetail, /ECONNREFUSED/);

  const sockets = new Set();
  const silent = createTcpServer((socket) => sockets.add(socket));
  const silentPort = await listen(silent);
  try {
    const timeout = await codeOf(forgelink({ fetch: fetchHost({ ...LOCAL, timeoutMs: 200 }) }).connectWithToken({ ...token, baseUrl: `http://127.0.0.1:${silentPort}` }));
    assert.equal(timeout.code, "network.timeout");
    // The same over the platform's fetch.
    const overFetch = await codeOf(forgelink({ fetch: fetchHost({ ...LOCAL, fetch: globalThis.fetch, timeoutMs: 200 }) }).connectWithToken({ ...token, baseUrl: `http://127.0.0.1:${silentPort}` }));
    assert.equal(overFetch.code, "network.timeout");
  } finally {
    for (const socket of sockets) socket.destroy();
    silent.close();
  }
  assert.equal(thrown(() => fetchHost({ timeoutMs: 0 })), "input.invalid");
  assert.equal(thrown(() => fetchHost({ fetch: "fetch" })), "input.invalid");
  assert.equal(thrown(() => fetchHost({ retries: 3 })), "input.invalid");
});

/** A server on 127.0.0.1 that counts the connections made to it and answers `answer(req, res)`. */
async function counting(answer = (req, res) => res.writeHead(200, { "content-type": "text/plain" }).end("ok")) {
  const server = createServer(answer);
  let connections = 0;
  server.on("connection", () => connections++);
  const port = await listen(server);
  return {
    port,
    get connections() {
      return connections;
    },
    close: () => new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    }),
  };
}

/** The ForgelinkError `call` rejects with, and how many TCP client sockets this process opened meanwhile. */
async function refusedWithoutSockets(call) {
  let sockets = 0;
  const count = () => sockets++;
  subscribe("net.client.socket", count);
  try {
    return { error: await codeOf(call()), sockets };
  } finally {
    unsubscribe("net.client.socket", count);
  }
}

const get = (url) => ({ method: "GET", url, headers: [] });

test("fetchHost refuses loopback by default, naming the address and allowPrivateNetworks, and reaches it when allowed", async () => {
  const server = await counting();
  try {
    const url = `http://127.0.0.1:${server.port}/`;
    const direct = await codeOf(fetchHost()(get(url)));
    assert.equal(direct.code, "network.address_blocked");
    assert.match(direct.message, /127\.0\.0\.1/);
    assert.match(direct.message, /allowPrivateNetworks/);
    assert.equal(direct.providerDetail, `GET ${url}`);
    // Through the flows, the host's own coded error is what the caller gets.
    const flow = await codeOf(forgelink({ fetch: fetchHost() }).connectWithToken({ ...token, baseUrl: `https://127.0.0.1:${server.port}` }));
    assert.equal(flow.code, "network.address_blocked");
    assert.match(flow.message, /127\.0\.0\.1/);
    assert.equal(server.connections, 0, "nothing reached the server");

    // Plain http to this machine needs no allowInsecureHttp: it never leaves the machine.
    const allowed = await fetchHost({ allowPrivateNetworks: true })(get(url));
    assert.equal(allowed.status, 200);
    assert.equal(new TextDecoder().decode(allowed.body), "ok");
    assert.equal(server.connections, 1);
  } finally {
    await server.close();
  }
});

test("fetchHost judges a name by the address it resolves to: localhost is refused as 127.0.0.1 or ::1", async () => {
  const server = await counting();
  try {
    for (const url of [`https://localhost:${server.port}/`, `http://localhost:${server.port}/`, `https://LocalHost:${server.port}/`]) {
      const error = await codeOf(fetchHost()(get(url)));
      assert.equal(error.code, "network.address_blocked", url);
      assert.match(error.message, /^`localhost` resolves to (127\.0\.0\.1|::1), a loopback address/, url);
      assert.match(error.message, /allowPrivateNetworks/);
      assert.equal(error.providerDetail, `GET ${url}`);
    }
    assert.equal(server.connections, 0, "the lookup refused before any connection");
    const allowed = await fetchHost({ allowPrivateNetworks: true })(get(`http://localhost:${server.port}/`));
    assert.equal(allowed.status, 200);
    assert.equal(server.connections, 1);
  } finally {
    await server.close();
  }
});

test("fetchHost refuses private, link-local, metadata and special addresses before any connection is attempted", async () => {
  const always = [
    "http://169.254.169.254/latest/meta-data/",
    "https://[fd00:ec2::254]/latest/meta-data/",
    "https://100.100.100.200/latest/meta-data/",
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://Metadata.Google.Internal./computeMetadata/v1/",
    "https://[::ffff:169.254.169.254]/",
    "https://169.254.10.1/",
    "https://[fe80::1]/",
    "https://0.0.0.0/",
    "https://[::]/",
    "https://224.0.0.1/",
    "https://[ff02::1]/",
    "https://255.255.255.255/",
  ];
  const unlessAllowed = [
    "https://10.1.2.3/",
    "https://172.16.0.1/",
    "https://172.31.255.254/",
    "https://192.168.1.1/",
    "https://100.64.0.1/",
    "https://[fd12:3456::1]/",
    "https://[::ffff:10.0.0.1]/",
    "https://[::ffff:127.0.0.1]/",
    "https://[::127.0.0.1]/",
    "https://[64:ff9b::7f00:1]/",
    "https://[2002:c0a8:101::1]/",
    "https://[::1]/",
    "https://127.1.2.3/",
    "https://2130706433/",
    "https://0x7f.0.0.1/",
  ];
  for (const options of [{}, { allowPrivateNetworks: true, allowInsecureHttp: true }]) {
    for (const url of [...always, ...(options.allowPrivateNetworks ? [] : unlessAllowed)]) {
      const { error, sockets } = await refusedWithoutSockets(() => fetchHost(options)(get(url)));
      assert.equal(error.code, "network.address_blocked", url);
      assert.equal(sockets, 0, `no socket opened for ${url}`);
      assert.match(error.message, /allowPrivateNetworks/, url);
      if (always.includes(url)) assert.match(error.message, /even with `allowPrivateNetworks`/, url);
    }
  }
  const metadata = await codeOf(fetchHost()(get("http://169.254.169.254/latest/meta-data/")));
  assert.match(metadata.message, /^169\.254\.169\.254 is a cloud metadata address/);
  const mapped = await codeOf(fetchHost()(get("https://[::ffff:127.0.0.1]/")));
  assert.match(mapped.message, /^\[::ffff:7f00:1\] is a loopback address/);
});

test("fetchHost over a fetch of the caller's own checks what the URL says: literals and localhost names", async () => {
  const seen = [];
  const spy = async (url) => {
    seen.push(url);
    return new Response("{}", { status: 200 });
  };
  const host = fetchHost({ fetch: spy });
  for (const url of ["https://127.0.0.1/", "https://localhost/", "https://api.localhost/", "https://[::ffff:7f00:1]/", "https://10.0.0.8/", "https://169.254.169.254/", "https://metadata.google.internal/"]) {
    assert.equal((await codeOf(host(get(url)))).code, "network.address_blocked", url);
  }
  assert.equal((await codeOf(host(get("http://gitlab.example.com/")))).code, "network.insecure_http");
  assert.deepEqual(seen, [], "the caller's fetch was never asked");
  // A name it cannot resolve and a public address pass to the caller's fetch.
  for (const url of ["https://gitlab.example.com/api/v4/user", "https://8.8.8.8/", "https://[2606:4700::1111]/"]) {
    assert.equal((await host(get(url))).status, 200, url);
  }
  assert.deepEqual(seen, ["https://gitlab.example.com/api/v4/user", "https://8.8.8.8/", "https://[2606:4700::1111]/"]);
  // With the options, the caller's own fetch may reach this machine over http.
  assert.equal((await fetchHost({ fetch: spy, ...LOCAL })(get("http://127.0.0.1:9/"))).status, 200);
  assert.equal((await fetchHost({ fetch: spy, allowInsecureHttp: true })(get("http://gitlab.example.com/"))).status, 200);
});

test("fetchHost refuses plain http beyond this machine with network.insecure_http, unless allowInsecureHttp", async () => {
  for (const options of [{}, { allowPrivateNetworks: true }]) {
    const { error, sockets } = await refusedWithoutSockets(() => fetchHost(options)(get("http://gitlab.example.com/api/v4/user")));
    assert.equal(error.code, "network.insecure_http");
    assert.match(error.message, /gitlab\.example\.com/);
    assert.match(error.message, /allowInsecureHttp/);
    assert.equal(sockets, 0);
  }
  const flow = await codeOf(forgelink({ fetch: fetchHost() }).connectWithToken({ ...token, baseUrl: "http://gitlab.example.com" }));
  assert.equal(flow.code, "network.insecure_http");
  // A private address over http with private networks allowed is still clear text on a network.
  const privateHttp = await codeOf(fetchHost({ allowPrivateNetworks: true })(get("http://10.0.0.8/")));
  assert.equal(privateHttp.code, "network.insecure_http");
  assert.equal((await codeOf(fetchHost()(get("ftp://gitlab.example.com/")))).code, "input.invalid");
});

test("fetchHost caps response bodies: 11 MiB is http.response_too_large, an endless one is abandoned, 1 MiB passes", async () => {
  const MiB = 1024 * 1024;
  const abandoned = [];
  const server = await counting((req, res) => {
    const query = new URL(req.url, "http://x").searchParams;
    const endless = query.has("endless");
    const size = endless ? Number.POSITIVE_INFINITY : Number(query.get("size"));
    res.writeHead(200, query.has("declared") ? { "content-length": String(size) } : { "content-type": "application/octet-stream" });
    // 64 KiB at a time, each once the last was taken, so that a reader that stops stops the writes.
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    const more = () => {
      while (sent < size) {
        const piece = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += piece.length;
        if (!res.write(piece)) return res.once("drain", more);
      }
      res.end();
    };
    res.on("close", () => {
      if (endless) abandoned.push(sent);
    });
    more();
  });
  try {
    const base = `http://127.0.0.1:${server.port}/`;
    for (const [name, options] of [["node", LOCAL], ["platform fetch", { ...LOCAL, fetch: globalThis.fetch }]]) {
      const host = fetchHost({ ...options, timeoutMs: 20_000 });
      const small = await host(get(`${base}?size=${MiB}`));
      assert.equal(small.body.length, MiB, name);
      assert.ok(small.body.every((b) => b === 0x61), name);
      for (const path of [`${base}?size=${11 * MiB}`, `${base}?declared&size=${11 * MiB}`, `${base}?endless`]) {
        const error = await codeOf(host(get(path)));
        assert.equal(error.code, "http.response_too_large", `${name} ${path}`);
        assert.match(error.message, /10485760 bytes/);
        assert.match(error.message, /maxResponseBytes/);
        assert.equal(error.providerDetail, `GET ${path}`);
      }
      // An answer without end came back as too large (not a timeout), so reading stopped at the
      // cap, and the connection was closed on the server.
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(abandoned.length, 1, `${name}: the endless answer's connection was closed`);
      abandoned.length = 0;
      // The cap is the caller's to set.
      const tight = fetchHost({ ...options, maxResponseBytes: 1000 });
      assert.equal((await tight(get(`${base}?size=1000`))).body.length, 1000);
      assert.equal((await codeOf(tight(get(`${base}?size=1001`)))).code, "http.response_too_large");
    }
  } finally {
    await server.close();
  }
  for (const wrong of [0, -1, 1.5, "10", Number.POSITIVE_INFINITY]) {
    assert.equal(thrown(() => fetchHost({ maxResponseBytes: wrong })), "input.invalid", String(wrong));
  }
  assert.equal(thrown(() => fetchHost({ allowPrivateNetworks: "yes" })), "input.invalid");
  assert.equal(thrown(() => fetchHost({ allowInsecureHttp: 1 })), "input.invalid");
});

test("fetchHost in Node sends the request as given: method, headers, body, a User-Agent, never a cookie", async () => {
  let seen;
  const server = await counting(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    seen = { method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString() };
    res.writeHead(201, [["Content-Type", "application/json"], ["Link", "<a>; rel=next"], ["Link", "<b>; rel=last"], ["Set-Cookie", "a=1"], ["Set-Cookie", "b=2"]]);
    res.end("{}");
  });
  try {
    const host = fetchHost(LOCAL);
    const answer = await host({ method: "POST", url: `http://127.0.0.1:${server.port}/oauth/token`, headers: [["Content-Type", "application/x-www-form-urlencoded"], ["Accept", "application/json"]], body: new TextEncoder().encode("grant_type=refresh_token") });
    assert.equal(answer.status, 201);
    assert.deepEqual(seen.method, "POST");
    assert.equal(seen.body, "grant_type=refresh_token");
    assert.equal(seen.headers["content-type"], "application/x-www-form-urlencoded");
    assert.equal(seen.headers.accept, "application/json");
    assert.equal(seen.headers["user-agent"], "forgelink");
    assert.deepEqual(answer.headers.filter(([n]) => n === "link"), [["link", "<a>; rel=next, <b>; rel=last"]]);
    assert.deepEqual(answer.headers.filter(([n]) => n === "set-cookie"), [["set-cookie", "a=1"], ["set-cookie", "b=2"]]);
    // The next request carries no cookie from the answer before.
    await host(get(`http://127.0.0.1:${server.port}/again`));
    assert.equal(seen.headers.cookie, undefined);
  } finally {
    await server.close();
  }
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

test("memoryStorage honours ttlSeconds: an expired value is absent to get and compareAndSwap", () => {
  const clock = { ms: 1_800_000_000_000 };
  const storage = memoryStorage({ now: () => clock.ms });
  storage.set("claim", new Uint8Array([1]), { ttlSeconds: 10 });
  storage.set("record", new Uint8Array([2]));
  assert.equal(storage.compareAndSwap("lease", null, new Uint8Array([3]), { ttlSeconds: 20 }), true);
  clock.ms += 9_999;
  assert.deepEqual(storage.get("claim"), new Uint8Array([1]));
  assert.equal(storage.compareAndSwap("claim", null, new Uint8Array([9])), false, "still held a millisecond before");
  clock.ms += 1;
  assert.equal(storage.get("claim"), null, "gone once its time-to-live has passed");
  assert.deepEqual(storage.keys(), ["record", "lease"]);
  clock.ms += 10_000;
  // An expired value compares as absent, never as what it held.
  assert.equal(storage.compareAndSwap("lease", new Uint8Array([3]), new Uint8Array([4])), false);
  assert.equal(storage.compareAndSwap("lease", null, new Uint8Array([4])), true);
  // Written again without a time-to-live, it stays.
  clock.ms += 1e12;
  assert.deepEqual(storage.get("lease"), new Uint8Array([4]));
  assert.deepEqual(storage.keys(), ["record", "lease"]);
  // A time-to-live of 0 is already over.
  storage.set("instant", new Uint8Array([5]), { ttlSeconds: 0 });
  assert.equal(storage.get("instant"), null);
});

test("memoryStorage sweeps expired entries as it is written: what it holds stays bounded", () => {
  const clock = { ms: 0 };
  const storage = memoryStorage({ now: () => clock.ms });
  let most = 0;
  for (let i = 0; i < 10_000; i++) {
    clock.ms += 1000;
    storage.set(`claim/${i}`, new Uint8Array([1]), { ttlSeconds: 60 });
    most = Math.max(most, storage.size);
  }
  // Sixty are live at any time; without sweeping it would hold all 10 000.
  assert.ok(most <= 200, `held ${most} entries at most`);
  assert.equal(storage.keys().length, 60);
  assert.equal(storage.size, 60, "keys() swept the rest");
});

test("memoryStorage's options are checked: input.invalid", () => {
  for (const options of [{ now: 5 }, { clock: () => 0 }, "fast", 7]) {
    assert.equal(thrown(() => memoryStorage(options)), "input.invalid", String(options));
  }
  assert.equal(thrown(() => memoryStorage(null)), "no error");
  // A broken clock or time-to-live fails the storage call, which the flows report as storage.failed.
  assert.equal(thrown(() => memoryStorage({ now: () => "noon" }).get("k")), "input.invalid");
  for (const ttlSeconds of [-1, Number.NaN, "60"]) {
    assert.equal(thrown(() => memoryStorage().set("k", new Uint8Array([1]), { ttlSeconds })), "input.invalid", String(ttlSeconds));
  }
});

test("the flows hand storage a time-to-live, as { ttlSeconds }, for what expires, and no options otherwise", async () => {
  const calls = [];
  const base = memoryStorage();
  const kind = (key) => key.split("/")[2];
  const storage = {
    get: (k) => base.get(k),
    delete: (k) => base.delete(k),
    set: (...args) => {
      calls.push(["set", kind(args[0]), args.length, args[2]]);
      return base.set(...args);
    },
    compareAndSwap: (...args) => {
      calls.push(["compareAndSwap", kind(args[0]), args.length, args[3]]);
      return base.compareAndSwap(...args);
    },
  };
  const { gitlab: scripted, pushDelivery } = await import("./support/gitlab.mjs");
  const server = scripted();
  const fl = forgelink({ fetch: server.fetch, storage });
  await fl.connectStart({ provider: "gitlab", clientId: "id", redirectUri: "https://a.example/cb" });
  const connection = await fl.connectWithToken({ provider: "gitlab", baseUrl: "https://git.example.com/gitlab", token: "glpat-personal-token-value" });
  await fl.registerWebhooks(connection.id, { projects: ["group/app"], url: "https://app.example/hooks", profile: "ci-failure-analysis" });
  const { token: secret, url: route } = server.hooks.get("group/app")[0];
  const receipt = await fl.receiveWebhook({ route, ...pushDelivery(secret, "u-1") }, { dedupeSeconds: 3600 });
  assert.equal(receipt.status, "accepted");
  assert.equal(await fl.confirmDelivery(receipt.claim), true);
  await fl.disconnect(connection.id);
  const seen = (method, what) => calls.filter(([m, k]) => m === method && k === what).map(([, , count, options]) => [count, options]);
  assert.deepEqual(seen("set", "pending"), [[3, { ttlSeconds: 720 }]], "a pending authorization: ten minutes and the clock skew");
  // A connection record never expires: the options are left out, not passed empty.
  assert.ok(seen("compareAndSwap", "connection").length >= 1);
  assert.deepEqual(seen("compareAndSwap", "connection").slice(0, -1), seen("compareAndSwap", "connection").slice(0, -1).map(() => [3, undefined]));
  assert.deepEqual(seen("compareAndSwap", "connection").at(-1), [4, { ttlSeconds: 86_400 }], "the tombstone");
  // Claimed for the handling lease, then, confirmed, for the whole window.
  assert.deepEqual(seen("compareAndSwap", "delivery"), [[4, { ttlSeconds: 60 }], [4, { ttlSeconds: 3600 }]]);
  assert.deepEqual(seen("compareAndSwap", "state"), [[4, { ttlSeconds: 60 }], [4, { ttlSeconds: 31 * 86_400 }]]);
  const kept = calls.filter(([, k]) => ["hook", "routes", "hooks-of"].includes(k));
  assert.ok(kept.length >= 3);
  for (const [method, what, count] of kept) assert.equal(count, method === "set" ? 2 : 3, `${what} is kept without a time-to-live`);
});

test("a random source that is missing, throws or fills nothing is host.random_failed, and nothing is stored", async (t) => {
  const original = Object.getOwnPropertyDescriptor(globalThis, "crypto");
  t.after(() => Object.defineProperty(globalThis, "crypto", original));
  const cases = [
    [undefined, /no crypto\.getRandomValues/],
    [{ getRandomValues: () => { throw new Error("entropy pool exhausted"); } }, /entropy pool exhausted/],
    [{ getRandomValues: (buffer) => buffer }, /all zeros/],
  ];
  for (const [replacement, detail] of cases) {
    const storage = memoryStorage();
    const fl = forgelink({ fetch: gitlab, storage });
    Object.defineProperty(globalThis, "crypto", { value: replacement, configurable: true, writable: true });
    let start, withToken;
    try {
      start = await codeOf(fl.connectStart({ provider: "gitlab", clientId: "id", redirectUri: "https://a.example/cb" }));
      withToken = await codeOf(fl.connectWithToken(token));
    } finally {
      Object.defineProperty(globalThis, "crypto", original);
    }
    for (const error of [start, withToken]) {
      assert.equal(error.code, "host.random_failed");
      assert.match(error.providerDetail, detail);
    }
    assert.deepEqual(storage.keys(), [], "nothing sealed or identified with predictable bytes");
  }
  // The real source works again.
  assert.ok((await forgelink({ fetch: gitlab }).connectWithToken(token)).id.length >= 22);
});

test("a refused address or an oversized answer reaches the flows as what it is: registration results name it", async () => {
  const server = await counting((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(req.url.endsWith("/hooks") ? [] : { id: 1, username: "grace", name: "Grace Hopper", version: "17.5.1" }));
  });
  try {
    const storage = memoryStorage();
    const baseUrl = `http://127.0.0.1:${server.port}`;
    const open = forgelink({ fetch: fetchHost({ allowPrivateNetworks: true }), storage });
    const { id } = await open.connectWithToken({ ...token, baseUrl });
    const register = (fetch) => forgelink({ fetch, storage }).registerWebhooks(id, { projects: ["group/app"], url: "https://app.example/hooks", profile: "ci-failure-analysis" });
    const [blocked] = await register(fetchHost());
    assert.deepEqual([blocked.status, blocked.code, blocked.guidance.code], ["failed", "network.address_blocked", "network.address_blocked"]);
    const [tooLarge] = await register(fetchHost({ allowPrivateNetworks: true, maxResponseBytes: 10 }));
    assert.deepEqual([tooLarge.status, tooLarge.code], ["failed", "http.response_too_large"]);
    assert.match(tooLarge.message, /\b10 bytes/, "the cap fetchHost was given");
    // So does a report's check.
    const report = await forgelink({ fetch: fetchHost({ allowPrivateNetworks: true, maxResponseBytes: 10 }), storage }).testConnection(id);
    assert.ok(report.checks.some((c) => c.status === "fail" && c.code === "http.response_too_large"), JSON.stringify(report.checks));
    // A thrown flow error is still the host's own, naming the option that changes it.
    const direct = await codeOf(forgelink({ fetch: fetchHost({ allowPrivateNetworks: true, maxResponseBytes: 10 }) }).connectWithToken({ ...token, baseUrl }));
    assert.equal(direct.code, "http.response_too_large");
    assert.match(direct.message, /maxResponseBytes/);
  } finally {
    await server.close();
  }
});
