// The wizard's server without a browser: its file-backed storage and key, and its API driven
// over HTTP against a scripted GitLab (the same one the package's own flow tests use).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { createServer } from "node:http";
import { join } from "node:path";
import { BASE, TOKEN, gitlab, pushDelivery } from "../../pkg/test/support/gitlab.mjs";
import { Forgelink, fetchHost } from "../../pkg/flows.js";
import { loadOrCreateKey } from "../server/key.mjs";
import { fileStorage } from "../server/storage.mjs";
import { startWizardServer } from "../server/index.mjs";
import { cookiesOf, rawRequest, wizardClient } from "./support/session.mjs";

let scratch;
before(async () => {
  scratch = await mkdtemp(join(tmpdir(), "forgelink-server-"));
});
after(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const bytes = (text) => new TextEncoder().encode(text);
const textOf = (value) => (value === null ? null : new TextDecoder().decode(value));

describe("the file-backed storage", () => {
  test("gets what was set, deletes, and keeps values across instances", async () => {
    const dir = join(scratch, "basic");
    const storage = await fileStorage(dir);
    assert.equal(await storage.get("conn/1"), null);
    await storage.set("conn/1", bytes("one"));
    assert.equal(textOf(await storage.get("conn/1")), "one");
    const again = await fileStorage(dir);
    assert.equal(textOf(await again.get("conn/1")), "one", "another instance on the directory reads it");
    await again.delete("conn/1");
    await again.delete("conn/1");
    assert.equal(await storage.get("conn/1"), null);
    assert.deepEqual((await readdir(dir)).filter((f) => f.endsWith(".tmp") || f.endsWith(".lock")), [], "no temporary or lock file left");
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
  });

  test("compare-and-swap changes a value only when it is what the caller saw", async () => {
    const storage = await fileStorage(join(scratch, "cas"));
    assert.equal(await storage.compareAndSwap("k", null, bytes("a")), true, "absent as expected");
    assert.equal(await storage.compareAndSwap("k", null, bytes("b")), false, "no longer absent");
    assert.equal(await storage.compareAndSwap("k", bytes("x"), bytes("b")), false, "another value");
    assert.equal(textOf(await storage.get("k")), "a");
    assert.equal(await storage.compareAndSwap("k", bytes("a"), bytes("b")), true);
    assert.equal(textOf(await storage.get("k")), "b");
  });

  test("a value given a time-to-live counts as absent once past it, and sweeps remove expired files", async () => {
    const dir = join(scratch, "ttl");
    const clock = { ms: 1_800_000_000_000 };
    const storage = await fileStorage(dir, { now: () => clock.ms });
    await storage.set("claim", bytes("1800000060"), { ttlSeconds: 60 });
    await storage.set("record", bytes("kept"));
    assert.equal(await storage.compareAndSwap("lease", null, bytes("held"), { ttlSeconds: 30 }), true);
    clock.ms += 59_999;
    assert.equal(textOf(await storage.get("claim")), "1800000060");
    assert.equal(await storage.compareAndSwap("claim", null, bytes("again")), false, "still held");
    clock.ms += 1;
    assert.equal(await storage.get("claim"), null, "expired");
    // An expired value compares as absent, never as what it held.
    assert.equal(await storage.compareAndSwap("lease", bytes("held"), bytes("x")), false);
    assert.equal(await storage.compareAndSwap("lease", null, bytes("mine")), true);
    assert.equal(textOf(await storage.get("record")), "kept");

    // A file written before expiry was kept (the value alone) still reads.
    const legacy = await fileStorage(join(scratch, "ttl-legacy"));
    await legacy.set("old", bytes("{}"));
    const [file] = await readdir(join(scratch, "ttl-legacy"));
    await writeFile(join(scratch, "ttl-legacy", file), "\u0001sealed");
    assert.equal(textOf(await legacy.get("old")), "\u0001sealed");

    // Expired files nobody reads again are swept as writing goes on.
    for (let i = 0; i < 300; i += 1) await storage.set(`delivery/${i}`, bytes("x"), { ttlSeconds: 1 });
    clock.ms += 2_000;
    for (let i = 0; i < 300; i += 1) await storage.set(`later/${i}`, bytes("y"), { ttlSeconds: 3600 });
    const files = (await readdir(dir)).filter((f) => /^[0-9a-f]{64}$/.test(f));
    assert.ok(files.length <= 2 + 300 + 256, `${files.length} files: the expired ones were swept`);
    await storage.sweep();
    assert.equal((await readdir(dir)).filter((f) => /^[0-9a-f]{64}$/.test(f)).length, 2 + 300, "the record, the lease and the live claims");
  });

  test("of many racing swaps from two instances on one directory, exactly one wins each round", async () => {
    const dir = join(scratch, "race");
    const [one, two] = await Promise.all([fileStorage(dir), fileStorage(dir)]);
    let value = null;
    for (let round = 0; round < 5; round += 1) {
      const contenders = Array.from({ length: 12 }, (_, i) => (i % 2 ? one : two).compareAndSwap("race", value, bytes(`r${round}-${i}`)));
      const wins = (await Promise.all(contenders)).filter(Boolean).length;
      assert.equal(wins, 1, `round ${round}`);
      value = await one.get("race");
    }
  });
});

describe("the encryption key", () => {
  test("is 32 random bytes made once, readable by this user only", async () => {
    const dir = join(scratch, "key");
    await mkdir(dir);
    const key = await loadOrCreateKey(dir);
    assert.equal(key.length, 32);
    assert.equal((await stat(join(dir, "encryption.key"))).mode & 0o777, 0o600);
    assert.deepEqual(await loadOrCreateKey(dir), key, "the same key on the next start");
    await chmod(join(dir, "encryption.key"), 0o644);
    await loadOrCreateKey(dir);
    assert.equal((await stat(join(dir, "encryption.key"))).mode & 0o777, 0o600, "looser permissions are tightened");
    await writeFile(join(dir, "encryption.key"), "short");
    await assert.rejects(loadOrCreateKey(dir), /exactly 32 bytes/);
  });
});

/** The scripted GitLab behind the platform fetch signature the server takes. */
/** The live deliveries stream as the page opens it: `until(pattern)` reads until the text seen so far matches. */
async function deliveryStream(server, client) {
  const controller = new AbortController();
  const url = new URL(`/api/deliveries/stream?csrf=${encodeURIComponent(client.csrfToken)}`, server.url);
  const response = await fetch(url, { headers: { cookie: client.cookie }, signal: controller.signal });
  const reader = response.body.getReader();
  const stream = {
    contentType: response.headers.get("content-type"),
    streamed: "",
    async until(pattern) {
      while (!pattern.test(stream.streamed)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${pattern}`);
        stream.streamed += new TextDecoder().decode(value);
      }
    },
    close: () => controller.abort(),
  };
  return stream;
}

function platformFetch(fake) {
  return async (url, init) => {
    const answer = await fake.fetch({ method: init.method, url: String(url), headers: init.headers, body: init.body });
    return new Response(answer.status === 204 ? null : answer.body, { status: answer.status, headers: answer.headers });
  };
}

describe("the wizard's API against a scripted GitLab", () => {
  let server;
  let fake;
  let dataDir;
  let client;
  const api = (path, options) => client.api(path, options);

  before(async () => {
    fake = gitlab();
    dataDir = join(scratch, "wizard");
    server = await startWizardServer({ port: 0, dataDir, fetch: platformFetch(fake) });
    client = await wizardClient(server.url);
  });
  after(async () => {
    await server?.close();
  });

  test("refuses other sites, other host names and bodies that are not JSON", async () => {
    const token = { provider: "gitlab", baseUrl: BASE, token: TOKEN, profile: "ci-failure-analysis" };
    const crossSite = await api("/api/connect/token", { method: "POST", body: token, headers: { Origin: "https://evil.example" } });
    assert.equal(crossSite.status, 403);
    assert.equal(crossSite.body.code, "request.cross_origin");
    const form = await fetch(new URL("/api/connect/token", server.url), { method: "POST", headers: client.headersFor("POST"), body: new URLSearchParams(token) });
    assert.equal(form.status, 415);
    const rebinding = await rawRequest(server.port, { path: "/api/connection", headers: { Host: "evil.example", ...client.headersFor("GET") } });
    assert.equal(rebinding.status, 421, "a name pointed at this machine by another site is not answered");
    assert.equal((await api("/api/connection")).body.current, null, "nothing connected by any of them");
  });

  test("a wrong token: the page gets the code and guidance, nothing is stored", async () => {
    const answer = await api("/api/connect/token", { method: "POST", body: { provider: "gitlab", baseUrl: BASE, token: "glpat-wrong", profile: "ci-failure-analysis" } });
    assert.equal(answer.status, 502);
    assert.equal(answer.body.code, "http.unauthorized");
    assert.ok(answer.body.guidance.title && answer.body.guidance.steps.length > 0);
    assert.equal((await api("/api/connection")).body.current, null);
  });

  test("token, report, projects, webhooks, deliveries (live, once, forged refused), disconnect", async () => {
    const connected = await api("/api/connect/token", { method: "POST", body: { provider: "gitlab", baseUrl: BASE, token: TOKEN, profile: "ci-failure-analysis" } });
    assert.equal(connected.status, 200, JSON.stringify(connected.body));
    assert.equal(connected.body.current.connection.account.username, "ada");
    assert.equal(connected.body.current.connection.serverVersion, "17.5.0");
    assert.equal(JSON.stringify(connected.body).includes(TOKEN), false, "the token never goes back to the page");

    const stored = await readdir(join(dataDir, "store"));
    for (const file of stored) {
      const content = await readFile(join(dataDir, "store", file), "utf8");
      assert.equal(content.includes(TOKEN), false, "the token is sealed at rest");
    }

    const report = await api("/api/test", { method: "POST", body: {} });
    assert.equal(report.status, 200);
    assert.ok(report.body.report.checks.some((c) => c.name === "identity" && c.status === "pass"));

    const projects = await api("/api/projects?search=app");
    assert.deepEqual(projects.body.projects.map((p) => p.path), ["group/app"]);

    const parsed = await api("/api/projects/parse", { method: "POST", body: { text: `group/app\n${BASE}/group/sub/api\nnot a path\ngroup/app` } });
    assert.deepEqual(parsed.body.repositories, ["group/app", "group/sub/api"]);
    assert.deepEqual(parsed.body.diagnostics.map((d) => [d.line, d.code]), [[3, "repository.invalid_path"], [4, "repository.duplicate"]]);

    const registered = await api("/api/webhooks", { method: "POST", body: { projects: ["group/app", "group/missing"] } });
    assert.equal(registered.status, 200);
    assert.equal(registered.body.url, `${server.url}webhooks`);
    const [app, missing] = registered.body.results;
    assert.equal(app.status, "created");
    assert.equal(missing.status, "failed");
    assert.equal(missing.code, "http.not_found");
    assert.ok(missing.guidance.steps.length > 0);
    const hook = fake.hooks.get("group/app")[0];
    // The hook delivers to an address of its own under the receiver, which names the connection.
    assert.match(hook.url, new RegExp(`^${server.url}webhooks/[A-Za-z0-9_-]{22,}$`));

    // The live view: a stream that reports each delivery as it is received.
    const stream = await deliveryStream(server, client);
    assert.match(stream.contentType, /text\/event-stream/);

    const post = (delivery, url = hook.url) => fetch(url, { method: "POST", headers: delivery.headers, body: delivery.body });
    const first = await post(pushDelivery(hook.token, "uuid-1"));
    assert.equal(first.status, 200);
    assert.equal((await first.json()).status, "accepted");
    await stream.until(/"status":"accepted"/);
    assert.match(stream.streamed, /"repository":"group\/app"/);
    assert.match(stream.streamed, /"ref":"refs\/heads\/main"/);
    const again = await post(pushDelivery(hook.token, "uuid-1"));
    assert.equal(again.status, 200);
    assert.equal((await again.json()).status, "duplicate");
    const forged = await post(pushDelivery("not-the-secret", "uuid-2"));
    assert.equal(forged.status, 401);
    await stream.until(/"status":"rejected"/);
    // At the bare receiver URL, where hooks registered before routes deliver, or at a route
    // never issued: refused with the code that says so, the right secret notwithstanding.
    for (const url of [new URL("/webhooks", server.url), new URL("/webhooks/AAAAAAAAAAAAAAAAAAAAAA", server.url)]) {
      const unrouted = await post(pushDelivery(hook.token, "uuid-3"), url);
      assert.equal(unrouted.status, 400, String(url));
      assert.equal((await unrouted.json()).code, "webhook.unknown_route");
    }
    const deeper = await post(pushDelivery(hook.token, "uuid-4"), `${hook.url}/more`);
    assert.equal(deeper.status, 405, "only one segment under the receiver is a route: deeper is the pages, which take no POST");
    stream.close();

    const log = (await api("/api/deliveries")).body.deliveries;
    assert.deepEqual(log.map((d) => d.status), ["accepted", "duplicate", "rejected", "rejected", "rejected"]);
    assert.deepEqual(log.map((d) => d.connectionId), [connected.body.current.connection.id, connected.body.current.connection.id, null, null, null]);
    assert.equal(log[2].code, "webhook.signature_mismatch");
    assert.ok(log[2].guidance.title, "a rejected delivery carries its guidance");
    assert.equal(log[3].code, "webhook.unknown_route");

    // What the server knows survives a restart: same directory, same key.
    await server.close();
    const before = client;
    server = await startWizardServer({ port: 0, dataDir, fetch: platformFetch(fake) });
    client = await wizardClient(server.url);
    assert.equal((await api("/api/connection")).body.current.connection.account.username, "ada");
    assert.notEqual(client.cookie, before.cookie, "a new port, a new session");

    const disconnected = await api("/api/disconnect", { method: "POST", body: {} });
    assert.equal(disconnected.status, 200);
    assert.deepEqual(disconnected.body.report.webhooks.map((w) => [w.project, w.status]), [["group/app", "removed"]]);
    assert.deepEqual(fake.hooks.get("group/app"), [], "the hook is gone from GitLab");
    assert.ok(disconnected.body.report.manualSteps.length > 0, "a personal token is revoked by a person");
    assert.equal((await api("/api/connection")).body.current, null);
    const after = await api("/api/projects");
    assert.equal(after.status, 409);
    assert.equal(after.body.code, "wizard.not_connected");
  });

  test("the safety net: the mode, a poll of the projects with webhooks, and feedback created then updated", async () => {
    const connected = await api("/api/connect/token", { method: "POST", body: { provider: "gitlab", baseUrl: BASE, token: TOKEN, profile: "ci-failure-analysis" } });
    assert.equal(connected.status, 200, JSON.stringify(connected.body));
    const nothing = await api("/api/poll", { method: "POST", body: {} });
    assert.equal(nothing.status, 400, "no project to poll yet");
    assert.equal(nothing.body.code, "request.missing_field");
    await api("/api/webhooks", { method: "POST", body: { projects: ["group/app"] } });
    assert.deepEqual((await api("/api/connection")).body.current.projects, ["group/app"], "the projects with a hook are remembered");

    const webhookOnly = await api("/api/poll/mode", { method: "POST", body: { mode: "webhook" } });
    assert.deepEqual(webhookOnly.body, { mode: "webhook" });
    const disabled = await api("/api/poll", { method: "POST", body: {} });
    assert.equal(disabled.body.status, "disabled");
    assert.equal((await api("/api/poll/mode", { method: "POST", body: { mode: "sometimes" } })).status, 400);
    await api("/api/poll/mode", { method: "POST", body: { mode: "hybrid" } });

    const finished = Math.floor(Date.now() / 1000);
    fake.pipelines.push({ id: 812, status: "failed", sha: "bcbb5ec396a2c0f828686f14fac9b80b780504f2", updatedAt: finished });
    const polled = await api("/api/poll", { method: "POST", body: {} });
    assert.equal(polled.status, 200, JSON.stringify(polled.body));
    assert.equal(polled.body.status, "complete");
    assert.equal(polled.body.mode, "hybrid");
    const [pipeline] = polled.body.events.filter((e) => e.kind === "pipeline");
    assert.equal(pipeline.status, "found");
    assert.equal(pipeline.repository, "group/app");
    assert.deepEqual([pipeline.pipeline.id, pipeline.pipeline.status], ["812", "failure"]);
    // A finished GitLab pipeline's key names the second it finished.
    assert.ok(pipeline.stateKey.endsWith(`:pipeline:812@${finished}:failure`), pipeline.stateKey);
    assert.ok(pipeline.id && pipeline.receivedAt, "each card has an id and a time");
    assert.ok(polled.body.nextPollAt > Date.now() / 1000);
    const again = await api("/api/poll", { method: "POST", body: { projects: ["group/app"] } });
    assert.equal(again.body.events.filter((e) => e.kind === "pipeline").length, 0);
    assert.ok(again.body.duplicates >= 1);

    const post = (body) => api("/api/feedback", { method: "POST", body: { project: "group/app", target: "merge_request", mergeRequest: 5, key: "ci/812", ...body } });
    const created = await post({ body: "**Failed**" });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    assert.deepEqual([created.body.result.target, created.body.result.action], ["merge_request", "created"]);
    const updated = await post({ body: "**Failed** again" });
    assert.equal(updated.body.result.action, "updated");
    assert.equal(updated.body.result.commentId, created.body.result.commentId);
    assert.equal(fake.notes.length, 1);
    assert.match(fake.notes[0].body, /^\*\*Failed\*\* again/);
    const badSha = await api("/api/feedback", { method: "POST", body: { project: "group/app", target: "commit", commitSha: "not-a-sha", body: "x" } });
    assert.equal(badSha.status, 400);
    assert.equal(badSha.body.code, "request.invalid_field");
    const empty = await post({ body: "   " });
    assert.equal(empty.status, 400);
    assert.equal(empty.body.code, "input.invalid", "forgelink refuses an empty body");
    await api("/api/disconnect", { method: "POST", body: {} });
  });

  test("the deliveries view shows the connected account's deliveries, not those of a connection made before", async () => {
    const connect = async () => (await api("/api/connect/token", { method: "POST", body: { provider: "gitlab", baseUrl: BASE, token: TOKEN, profile: "ci-failure-analysis" } })).body;
    // A connection made before, beside the wizard's: another process of the product, on the
    // same storage and key, with a hook of its own on the project.
    const beside = new Forgelink({ fetch: fetchHost({ fetch: platformFetch(fake) }), storage: await fileStorage(join(dataDir, "store")), encryptionKey: await loadOrCreateKey(dataDir) });
    const before = (await beside.connectWithToken({ provider: "gitlab", baseUrl: BASE, token: TOKEN, profile: "ci-failure-analysis" })).id;
    await beside.registerWebhooks(before, { projects: ["group/app"], url: server.webhookUrl, profile: "ci-failure-analysis" });
    const earlierHook = fake.hooks.get("group/app").at(-1);
    const now = (await connect()).current.connection.id;
    assert.notEqual(now, before);
    // The same token again, while connected to that instance: the wizard's connection, in place.
    const again = await connect();
    assert.equal(again.replaced, true);
    assert.equal(again.current.connection.id, now, "connecting again keeps the connection");
    await api("/api/webhooks", { method: "POST", body: { projects: ["group/app"] } });
    const hook = fake.hooks.get("group/app").at(-1);
    assert.notEqual(hook.url, earlierHook.url);
    const post = (target, delivery) => fetch(target.url, { method: "POST", headers: delivery.headers, body: delivery.body });

    const stream = await deliveryStream(server, client);
    // The earlier connection's hook still delivers, and forgelink accepts it for that connection.
    const earlier = await post(earlierHook, pushDelivery(earlierHook.token, "uuid-earlier"));
    assert.equal((await earlier.json()).status, "accepted");
    const current = await post(hook, pushDelivery(hook.token, "uuid-current"));
    assert.equal((await current.json()).status, "accepted");
    await stream.until(/uuid-current/);
    stream.close();
    assert.doesNotMatch(stream.streamed, /uuid-earlier/, "the stream leaves the earlier connection's out");
    assert.doesNotMatch(stream.streamed, new RegExp(before), "and never names it");

    const log = (await api("/api/deliveries")).body.deliveries;
    assert.ok(log.some((d) => d.deliveryId === "uuid-current" && d.connectionId === now));
    assert.ok(log.every((d) => d.connectionId === null || d.connectionId === now), JSON.stringify(log.map((d) => [d.deliveryId, d.connectionId])));
    await api("/api/disconnect", { method: "POST", body: {} });
  });
});

describe("the doors: the wizard's page, the public address, the OAuth callback", () => {
  const PUBLIC = "hooks.example.com";
  let server;
  let fake;

  before(async () => {
    fake = gitlab();
    server = await startWizardServer({ port: 0, dataDir: join(scratch, "doors"), fetch: platformFetch(fake), publicUrl: `https://${PUBLIC}` });
  });
  after(async () => {
    await server?.close();
  });

  const token = { provider: "gitlab", baseUrl: BASE, token: TOKEN, profile: "ci-failure-analysis" };
  const json = async (response) => ({ status: response.status, body: await response.json() });
  const at = (path) => new URL(path, server.url);

  test("loading the page gives the browser a session cookie: random, HttpOnly, SameSite=Strict, Path=/", async () => {
    const first = await fetch(server.url);
    assert.equal(first.status, 200);
    const [cookie, ...others] = first.headers.getSetCookie();
    assert.deepEqual(others, []);
    assert.match(cookie, new RegExp(`^forgelink_session_${server.port}=[A-Za-z0-9_-]{43}\\.\\d+\\.[A-Za-z0-9_-]{43}; `));
    const attributes = cookie.split("; ").slice(1);
    for (const attribute of ["Path=/", "HttpOnly", "SameSite=Strict"]) assert.ok(attributes.includes(attribute), `${attribute} in ${cookie}`);
    assert.ok(!attributes.includes("Secure"), "served over http: a Secure cookie would not be kept");
    const second = await fetch(server.url);
    assert.notEqual(cookiesOf(second), cookiesOf(first), "each browser its own session");
    const kept = await fetch(server.url, { headers: { cookie: cookiesOf(first) } });
    assert.deepEqual(kept.headers.getSetCookie(), [], "a valid session is kept, not replaced");
    assert.deepEqual((await fetch(at("/style.css"))).headers.getSetCookie(), [], "only the page hands out sessions");
  });

  test("the API refuses a request without the session cookie, without its CSRF token, or with another session's", async () => {
    const client = await wizardClient(server.url);
    const other = await wizardClient(server.url);
    const noCookie = await json(await fetch(at("/api/config"), { headers: { "x-forgelink-csrf": client.csrfToken } }));
    assert.equal(noCookie.status, 401);
    assert.equal(noCookie.body.code, "request.session_required");
    assert.ok(noCookie.body.guidance.steps.length > 0, "the page can say what to do");
    assert.equal((await fetch(at("/api/session"))).status, 401, "no token without a session");
    const forged = client.cookie.replace(/\.[^.]+$/, `.${"A".repeat(43)}`);
    assert.equal((await fetch(at("/api/session"), { headers: { cookie: forged } })).status, 401, "a cookie the server did not sign");

    for (const [what, headers, query = ""] of [
      ["no token", { cookie: client.cookie }],
      ["a wrong token", { cookie: client.cookie, "x-forgelink-csrf": "A".repeat(43) }],
      ["another session's token", { cookie: client.cookie, "x-forgelink-csrf": other.csrfToken }],
      ["the token in the query", { cookie: client.cookie }, `?csrf=${client.csrfToken}`],
    ]) {
      const read = await json(await fetch(at(`/api/config${query}`), { headers }));
      assert.equal(read.status, 403, what);
      assert.equal(read.body.code, "request.csrf_invalid", what);
      const write = await json(await fetch(at("/api/connect/token"), { method: "POST", headers: { ...headers, origin: client.origin, "content-type": "application/json" }, body: JSON.stringify(token) }));
      assert.equal(write.status, 403, what);
      assert.equal(write.body.code, "request.csrf_invalid", what);
    }
    // The live stream takes the token in its query (EventSource sends no headers), and only there.
    assert.equal((await fetch(at("/api/deliveries/stream"), { headers: { cookie: client.cookie } })).status, 403);
    const stream = await fetch(at(`/api/deliveries/stream?csrf=${other.csrfToken}`), { headers: { cookie: client.cookie } });
    assert.equal(stream.status, 403);
    assert.equal((await client.api("/api/config")).status, 200, "with both, the API answers");
    assert.equal((await client.api("/api/connection")).body.current, null, "nothing was connected");
    assert.deepEqual(fake.requests, [], "and no request reached the provider");
  });

  test("a change without the wizard's Origin is refused with 403, whatever else it carries", async () => {
    const client = await wizardClient(server.url);
    for (const origin of [undefined, "https://evil.example", `http://localhost:${server.port}`, "null", `http://127.0.0.1:${server.port + 1}`]) {
      const headers = { cookie: client.cookie, "x-forgelink-csrf": client.csrfToken, "content-type": "application/json" };
      if (origin !== undefined) headers.origin = origin;
      for (const path of ["/api/connect/token", "/api/disconnect", "/api/feedback", "/api/webhooks"]) {
        const answer = await json(await fetch(at(path), { method: "POST", headers, body: JSON.stringify(token) }));
        assert.equal(answer.status, 403, `${path} from ${origin}`);
        assert.equal(answer.body.code, "request.cross_origin");
      }
    }
    const crossSiteRead = await fetch(at("/api/connection"), { headers: { ...client.headersFor("GET"), "sec-fetch-site": "same-site" } });
    assert.equal(crossSiteRead.status, 403, "a page on another port of this machine is another origin");
    const foreignRead = await fetch(at("/api/connection"), { headers: { ...client.headersFor("GET"), origin: "https://evil.example" } });
    assert.equal(foreignRead.status, 403);
    assert.equal((await client.api("/api/connection")).body.current, null);
    assert.deepEqual(fake.requests, []);
  });

  test("the public address serves the webhook receiver and nothing else", async () => {
    const client = await wizardClient(server.url);
    const signedIn = client.headersFor("POST");
    const outside = (path, options = {}) => rawRequest(server.port, { ...options, path, headers: { Host: PUBLIC, ...signedIn, ...options.headers } });
    for (const [method, path] of [["GET", "/api/config"], ["GET", "/api/session"], ["GET", "/api/connection"], ["POST", "/api/connect/token"], ["POST", "/api/disconnect"], ["GET", "/"], ["GET", "/index.html"], ["GET", "/app.js"], ["GET", "/pkg/flows.js"], ["GET", "/oauth/callback?code=c&state=s"], ["GET", "/webhooks"]]) {
      const answer = await outside(path, { method, headers: { "content-type": "application/json" }, body: method === "POST" ? JSON.stringify(token) : undefined });
      assert.equal(answer.status, 404, `${method} ${path} from outside`);
      assert.equal(JSON.parse(answer.body).code, "request.not_found");
      assert.equal(answer.headers["set-cookie"], undefined, "no session is handed out there");
    }
    // Through a proxy that keeps this server's own Host, the request still came from outside.
    const proxied = await rawRequest(server.port, { path: "/api/config", headers: { ...client.headersFor("GET"), Host: `127.0.0.1:${server.port}`, "X-Forwarded-For": "203.0.113.9" } });
    assert.equal(proxied.status, 404);

    // The receiver itself: a hook registered through the wizard, a delivery through the public address.
    assert.equal((await client.api("/api/connect/token", { method: "POST", body: token })).status, 200);
    const registered = await client.api("/api/webhooks", { method: "POST", body: { projects: ["group/app"] } });
    assert.equal(registered.body.url, `https://${PUBLIC}/webhooks`);
    const hook = fake.hooks.get("group/app")[0];
    assert.match(hook.url, new RegExp(`^https://${PUBLIC.replace(/\./g, "\\.")}/webhooks/[A-Za-z0-9_-]{22,}$`), "registered at the public address, under its own route");
    const path = new URL(hook.url).pathname;
    const delivery = pushDelivery(hook.token, "uuid-public-1");
    const deliver = (headers) => rawRequest(server.port, { method: "POST", path, headers: { ...Object.fromEntries(new Headers(delivery.headers)), ...headers }, body: delivery.body });
    const accepted = await deliver({ Host: PUBLIC, "X-Forwarded-For": "198.51.100.7" });
    assert.equal(accepted.status, 200, accepted.body);
    assert.equal(JSON.parse(accepted.body).status, "accepted");
    const forged = pushDelivery("not-the-secret", "uuid-public-2");
    const refused = await rawRequest(server.port, { method: "POST", path, headers: { ...Object.fromEntries(new Headers(forged.headers)), Host: PUBLIC }, body: forged.body });
    assert.equal(refused.status, 401);
    // Below the receiver, only a route: anything deeper is not served from outside.
    const deeper = await rawRequest(server.port, { method: "POST", path: `${path}/x`, headers: { ...Object.fromEntries(new Headers(delivery.headers)), Host: PUBLIC }, body: delivery.body });
    assert.equal(deeper.status, 404);
    assert.equal((await client.api("/api/disconnect", { method: "POST", body: {} })).status, 200);
  });

  test("other names: localhost is sent to the wizard's address, a foreign name is not answered", async () => {
    const alias = await rawRequest(server.port, { path: "/?outcome=x", headers: { Host: `localhost:${server.port}` } });
    assert.equal(alias.status, 308);
    assert.equal(alias.headers.location, `${new URL(server.url).origin}/?outcome=x`);
    const client = await wizardClient(server.url);
    const aliasApi = await rawRequest(server.port, { method: "POST", path: "/api/disconnect", headers: { ...client.headersFor("POST"), Host: `localhost:${server.port}` } });
    assert.equal(aliasApi.status, 421);
    const foreign = await rawRequest(server.port, { path: "/", headers: { Host: "evil.example" } });
    assert.equal(foreign.status, 421);
  });

  // "OAuth 2.0 identity provider API" (docs.gitlab.com/api/oauth2/): `root_namespace_id` names
  // the top-level group whose SAML SSO a sign-in goes through (GitLab 18.2 and later).
  test("a GitLab sign-in can name its SAML SSO group; a name that is not an id is refused", async () => {
    const client = await wizardClient(server.url);
    const start = (body) => fetch(at("/api/connect/start"), { method: "POST", headers: { ...client.headersFor("POST"), "content-type": "application/json" }, body: JSON.stringify(body) });
    const app = { provider: "gitlab", profile: "ci-failure-analysis", baseUrl: BASE, clientId: "wizard-client", clientSecret: "gloas-secret" };
    const named = await start({ ...app, rootNamespaceId: "112" });
    assert.equal(named.status, 200);
    assert.equal(new URL((await named.json()).url).searchParams.get("root_namespace_id"), "112");
    const plain = await start(app);
    assert.equal(new URL((await plain.json()).url).searchParams.has("root_namespace_id"), false);
    const wrong = await start({ ...app, rootNamespaceId: "acme" });
    assert.equal(wrong.status, 400);
    assert.equal((await wrong.json()).code, "input.invalid");
  });

  test("the OAuth callback finishes a flow only in the browser that started it", async () => {
    const starter = await wizardClient(server.url);
    const stranger = await wizardClient(server.url);
    const app = { provider: "gitlab", profile: "ci-failure-analysis", baseUrl: BASE, clientId: "wizard-client", clientSecret: "gloas-secret" };
    const start = async (client) => {
      const response = await fetch(at("/api/connect/start"), { method: "POST", headers: { ...client.headersFor("POST"), "content-type": "application/json" }, body: JSON.stringify(app) });
      assert.equal(response.status, 200);
      const [flowCookie, ...rest] = response.headers.getSetCookie();
      assert.deepEqual(rest, []);
      const attributes = flowCookie.split("; ");
      for (const attribute of ["Path=/oauth/callback", "HttpOnly", "SameSite=Lax", "Max-Age=600"]) assert.ok(attributes.includes(attribute), `${attribute} in ${flowCookie}`);
      return { state: new URL((await response.json()).url).searchParams.get("state"), flowCookie: flowCookie.split(";")[0] };
    };
    /** The callback as a browser with `cookie` follows it, and the outcome its page reads. */
    const callback = async (reader, state, cookie) => {
      const response = await fetch(at(`/oauth/callback?code=the-code&state=${state}`), { headers: cookie ? { cookie } : {}, redirect: "manual" });
      assert.equal(response.status, 303);
      const outcome = new URL(response.headers.get("location"), server.url).searchParams.get("outcome");
      return (await reader.api(`/api/outcome?id=${outcome}`)).body;
    };
    const tokenRequests = () => fake.requests.filter((r) => r.includes("/oauth/token")).length;

    const { state, flowCookie } = await start(starter);
    // Another browser (its own session, no flow cookie) following the starter's callback link.
    const elsewhere = await callback(stranger, state, stranger.cookie);
    assert.equal(elsewhere.ok, false);
    assert.equal(elsewhere.error.code, "oauth.session_mismatch");
    assert.ok(elsewhere.error.guidance.steps.length > 0);
    const noCookie = await callback(stranger, state, null);
    assert.equal(noCookie.error.code, "oauth.session_mismatch");
    const wrongFlow = await callback(stranger, state, `${flowCookie.split("=")[0]}=${"B".repeat(43)}`);
    assert.equal(wrongFlow.error.code, "oauth.session_mismatch");
    assert.equal(tokenRequests(), 0, "the code was not exchanged for them");

    // The browser that started it finishes it: the code goes to the token endpoint (which
    // refuses this scripted one), and only once.
    const own = await callback(starter, state, `${starter.cookie}; ${flowCookie}`);
    assert.notEqual(own.error?.code, "oauth.session_mismatch");
    assert.equal(tokenRequests(), 1, "the starter's callback reached the token endpoint");
    const replay = await callback(starter, state, `${starter.cookie}; ${flowCookie}`);
    assert.equal(replay.error.code, "oauth.state_mismatch");
    const unknown = await callback(starter, `${state}x`, `${starter.cookie}; ${flowCookie}`);
    assert.equal(unknown.error.code, "oauth.state_mismatch");
    assert.equal(tokenRequests(), 1);
  });
});

describe("the wizard names a network failure by its cause", () => {
  let server;
  let plain;
  let client;

  before(async () => {
    // A plain HTTP server, as on an instance's http-only port.
    plain = createServer((req, res) => res.end("plain"));
    await new Promise((resolve) => plain.listen(0, "127.0.0.1", resolve));
    // Node's own requests (no fetch given), with private networks allowed for this machine.
    server = await startWizardServer({ port: 0, dataDir: join(scratch, "network"), allowPrivateNetworks: true });
    client = await wizardClient(server.url);
  });
  after(async () => {
    await server?.close();
    plain?.close();
  });

  test("an https:// address on a plain HTTP port: check the scheme and the port, not certificates", async () => {
    const baseUrl = `https://127.0.0.1:${plain.address().port}`;
    const answer = await client.api("/api/connect/token", { method: "POST", body: { provider: "gitlab", baseUrl, token: TOKEN, profile: "ci-failure-analysis" } });
    assert.equal(answer.body.code, "tls.plain_http_on_https", JSON.stringify(answer.body));
    const advice = [answer.body.guidance.title, answer.body.guidance.summary, ...answer.body.guidance.steps].join(" ");
    assert.match(advice, /http:\/\//);
    assert.match(advice, /port/);
    assert.doesNotMatch(advice, /certificate/i);
    assert.match(answer.body.providerDetail, /wrong version number/i);
    assert.equal((await client.api("/api/connection")).body.current, null);
  });
});
