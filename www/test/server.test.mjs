// The wizard's server without a browser: its file-backed storage and key, and its API driven
// over HTTP against a scripted GitLab (the same one the package's own flow tests use).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BASE, TOKEN, gitlab, pushDelivery } from "../../pkg/test/support/gitlab.mjs";
import { loadOrCreateKey } from "../server/key.mjs";
import { fileStorage } from "../server/storage.mjs";
import { startWizardServer } from "../server/index.mjs";

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
  const api = async (path, { method = "GET", body, headers = {} } = {}) => {
    const response = await fetch(new URL(path, server.url), {
      method,
      headers: body === undefined ? headers : { "Content-Type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };

  before(async () => {
    fake = gitlab();
    dataDir = join(scratch, "wizard");
    server = await startWizardServer({ port: 0, dataDir, fetch: platformFetch(fake) });
  });
  after(async () => {
    await server?.close();
  });

  test("refuses other sites, other host names and bodies that are not JSON", async () => {
    const token = { provider: "gitlab", baseUrl: BASE, token: TOKEN, profile: "ci-failure-analysis" };
    const crossSite = await api("/api/connect/token", { method: "POST", body: token, headers: { Origin: "https://evil.example" } });
    assert.equal(crossSite.status, 403);
    assert.equal(crossSite.body.code, "request.cross_origin");
    const form = await fetch(new URL("/api/connect/token", server.url), { method: "POST", body: new URLSearchParams(token) });
    assert.equal(form.status, 415);
    const rebinding = await new Promise((resolve, reject) => {
      request({ host: "127.0.0.1", port: server.port, path: "/api/connection", headers: { Host: "evil.example" } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      })
        .on("error", reject)
        .end();
    });
    assert.equal(rebinding, 421, "a name pointed at this machine by another site is not answered");
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
    assert.equal(hook.url, `${server.url}webhooks`);

    // The live view: a stream that reports each delivery as it is received.
    const controller = new AbortController();
    const stream = await fetch(new URL("/api/deliveries/stream", server.url), { signal: controller.signal });
    assert.match(stream.headers.get("content-type"), /text\/event-stream/);
    const reader = stream.body.getReader();
    let streamed = "";
    const until = async (pattern) => {
      while (!pattern.test(streamed)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${pattern}`);
        streamed += new TextDecoder().decode(value);
      }
    };

    const post = (delivery) => fetch(new URL("/webhooks", server.url), { method: "POST", headers: delivery.headers, body: delivery.body });
    const first = await post(pushDelivery(hook.token, "uuid-1"));
    assert.equal(first.status, 200);
    assert.equal((await first.json()).status, "accepted");
    await until(/"status":"accepted"/);
    assert.match(streamed, /"repository":"group\/app"/);
    assert.match(streamed, /"ref":"refs\/heads\/main"/);
    const again = await post(pushDelivery(hook.token, "uuid-1"));
    assert.equal(again.status, 200);
    assert.equal((await again.json()).status, "duplicate");
    const forged = await post(pushDelivery("not-the-secret", "uuid-2"));
    assert.equal(forged.status, 401);
    await until(/"status":"rejected"/);
    controller.abort();

    const log = (await api("/api/deliveries")).body.deliveries;
    assert.deepEqual(log.map((d) => d.status), ["accepted", "duplicate", "rejected"]);
    assert.equal(log[2].code, "webhook.signature_mismatch");
    assert.ok(log[2].guidance.title, "a rejected delivery carries its guidance");

    // What the server knows survives a restart: same directory, same key.
    await server.close();
    server = await startWizardServer({ port: 0, dataDir, fetch: platformFetch(fake) });
    assert.equal((await api("/api/connection")).body.current.connection.account.username, "ada");

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

    fake.pipelines.push({ id: 812, status: "failed", sha: "bcbb5ec396a2c0f828686f14fac9b80b780504f2", updatedAt: Math.floor(Date.now() / 1000) });
    const polled = await api("/api/poll", { method: "POST", body: {} });
    assert.equal(polled.status, 200, JSON.stringify(polled.body));
    assert.equal(polled.body.status, "complete");
    assert.equal(polled.body.mode, "hybrid");
    const [pipeline] = polled.body.events.filter((e) => e.kind === "pipeline");
    assert.equal(pipeline.status, "found");
    assert.equal(pipeline.repository, "group/app");
    assert.deepEqual([pipeline.pipeline.id, pipeline.pipeline.status], ["812", "failure"]);
    assert.match(pipeline.stateKey, /:pipeline:812:failure$/);
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
});
