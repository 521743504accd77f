// Horizontal scale with nothing lost, across real processes on real servers: two Node workers on
// `webhookHandler` and two `forgelink-host serve` share one Redis, and then one PostgreSQL.
// 20,000 signed deliveries over several connections, 30% of them copies sent to another process
// at the same moment and 5% provider redeliveries, reach every unique event exactly once; 50
// concurrent `accessToken` calls across processes make one refresh, and 50 on a GitHub App
// installation (the sandbox's Enterprise Server, its JWTs verified) one token request. Then the faults: a Node
// worker and a serve killed mid-run, Redis crashed and restarted mid-run, `onEvent` throwing, and the holder of a
// refresh lease killed mid-refresh.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { fetchHost, Forgelink, nodeSigner } from "../../pkg/flows.js";
import { GITLAB_TOKEN, OAUTH_CLIENT, startForge } from "../../pkg/test/support/forge.mjs";
import { startPostgres, startRedis } from "../../pkg/test/support/servers.mjs";
import { openStore } from "../../pkg/test/support/stores.mjs";
import { startSandbox } from "../../www/sandbox/sandbox.mjs";
import { hostBuilt, startNodeWorker, startServe } from "./processes.mjs";
import { plan, sender } from "./provider.mjs";

const RECEIVER = "https://product.example/hooks";
const TOKEN_LIFETIME_MS = 7_200_000; // the fake forge's `expires_in`
const LEASE_MS = 180_000; // forgelink's refresh lease
// How far ahead a worker's clock is moved so that an installation token (an hour) is due for
// replacement (five minutes before its end). GitHub then refuses the JWT's times, judged on its
// own clock, and forgelink signs again on the clock of GitHub's answer.
const INSTALLATION_DUE_MS = (3600 - 200) * 1000;

let forge;
let sandbox;
let app;
let installationId;
let cacheDir;
before(async () => {
  assert.ok(hostBuilt, "forgelink-host is not built: `make test` builds it (test-component) before these tests");
  forge = await startForge("gitlab");
  sandbox = await startSandbox();
  app = await sandbox.createGitHubApp({ name: "Scale CI", setupUrl: "https://product.example/github/setup", permissions: { actions: "read", checks: "read", contents: "read", metadata: "read", pull_requests: "write" } });
  // Installed once; each product below connects it in a store of its own. The id comes from
  // the sandbox's setup callback (trusted here: the test installed it).
  const setup = new URL(await sandbox.installGitHubApp(app.installUrl, { repositories: "all" }));
  installationId = Number(setup.searchParams.get("installation_id"));
  assert.ok(installationId > 0, setup.href);
  // One compile cache for every serve process: the first compiles the component, the rest load it.
  cacheDir = mkdtempSync(join(tmpdir(), "forgelink-scale-cache-"));
});
after(async () => {
  await forge?.close();
  await sandbox?.close();
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
});

/**
 * The product over `kind`'s store: a Forgelink of its own (connecting and registering, as a web
 * process would), `connections` GitLab connections with two hooked projects each, and one OAuth
 * connection whose token the workers will race to refresh.
 */
async function product(kind, server, connections) {
  const namespace = `scale_${randomBytes(4).toString("hex")}`;
  const opened = await openStore(kind, server.url, namespace);
  const key = randomBytes(32);
  const appKeys = { [app.appId]: app.privateKey };
  const forgelink = new Forgelink({ fetch: fetchHost({ allowPrivateNetworks: true, allowInsecureHttp: true }), storage: opened.storage, encryptionKey: key, sign: nodeSigner(appKeys) });
  const hooks = [];
  for (let c = 0; c < connections; c++) {
    const { id } = await forgelink.connectWithToken({ provider: "gitlab", baseUrl: forge.baseUrl, token: GITLAB_TOKEN });
    const projects = [`${namespace}-${c}/app`, `${namespace}-${c}/api`];
    const results = await forgelink.registerWebhooks(id, { projects, url: RECEIVER, profile: "ci-failure-analysis" });
    assert.deepEqual(results.map((r) => r.code), [undefined, undefined], JSON.stringify(results));
    for (const project of projects) hooks.push({ forge, hook: forge.hook(project), project, connectionId: id });
  }
  const started = await forgelink.connectStart({ provider: "gitlab", baseUrl: forge.baseUrl, ...OAUTH_CLIENT, redirectUri: "https://product.example/oauth/callback", profile: "ci-failure-analysis", session: "browser" });
  const oauth = await forgelink.connectFinish(await forge.authorize(started.url), { session: "browser" });
  const installation = await forgelink.connectGitHubApp({ baseUrl: sandbox.providers.github.baseUrl, appId: app.appId, installationId });
  return { store: { url: server.url, namespace }, key, appKeys, hooks, oauth, installation, close: opened.close };
}

/** Starts the processes one after another (the first serve compiles, the next loads its cache). */
async function launch(processes) {
  for (const p of processes) p.url = await p.ready;
  return processes;
}

/** How many times each commit's event was handled, across every process. */
function handledCounts(processes) {
  const counts = new Map();
  for (const p of processes) for (const line of p.events) counts.set(line.event.commitSha, (counts.get(line.event.commitSha) ?? 0) + 1);
  return counts;
}

/** Checks that each handled line names its delivery's hook: connection and project. */
function assertRouted(processes, hooks) {
  const byProject = new Map(hooks.map((h) => [h.project, h.connectionId]));
  for (const p of processes) {
    for (const line of p.events) assert.equal(line.connectionId, byProject.get(line.project), `${p.name}: ${JSON.stringify(line).slice(0, 200)}`);
  }
}

for (const kind of ["redis", "postgres"]) {
  describe(`four processes on one ${kind}`, () => {
    let server;
    before(async () => {
      server = kind === "redis" ? await startRedis() : await startPostgres();
    });
    after(() => server?.stop());

    test("20,000 deliveries with copies and redeliveries: every unique event handled exactly once; one refresh for 50 callers", { timeout: 600_000 }, async () => {
      const p = await product(kind, server, 4);
      const processes = await launch([
        startNodeWorker("node-1", p.store, p.key, { appKeys: p.appKeys }),
        startNodeWorker("node-2", p.store, p.key, { appKeys: p.appKeys }),
        startServe("serve-1", p.store, p.key, { cacheDir }),
        startServe("serve-2", p.store, p.key, { cacheDir }),
      ]);
      try {
        const { unique, sent } = plan(p.hooks, { total: 20_000, duplicates: 0.3, redeliveries: 0.05, seed: kind.length });
        assert.equal(sent, 20_000);
        const provider = sender(processes);
        await provider.run(unique);

        const counts = handledCounts(processes);
        const twice = [...counts].filter(([, n]) => n !== 1);
        assert.deepEqual(twice, [], "no event handled twice");
        assert.equal(counts.size, unique.length, "no event lost");
        for (const item of unique) assert.ok(counts.has(item.sha), `${item.sha} was handled`);
        assert.equal(provider.answers.get("200 accepted"), unique.length, JSON.stringify([...provider.answers]));
        assert.equal(provider.answers.get("200 duplicate"), sent - unique.length, JSON.stringify([...provider.answers]));
        assertRouted(processes, p.hooks);
        for (const process of processes) assert.ok(process.events.length > 0, `${process.name} took a share`);

        // 50 callers in two processes, on a token their clocks see as expired: one refresh.
        const refreshes = forge.stats.refresh;
        const outcomes = (await Promise.all(processes.slice(0, 2).map((w) => w.accessTokens(p.oauth.id, 25, TOKEN_LIFETIME_MS)))).flat();
        assert.equal(outcomes.length, 50);
        assert.deepEqual(outcomes.filter((o) => o.error), [], "every caller got a token");
        assert.equal(new Set(outcomes.map((o) => o.token)).size, 1, "all 50 got the same, refreshed, token");
        assert.equal(forge.stats.refresh - refreshes, 1, "one refresh request");

        // 50 callers in two processes on an installation token due for replacement: one token request.
        const minted = sandbox.githubApp(app.appId).tokenRequests;
        const tokens = (await Promise.all(processes.slice(0, 2).map((w) => w.accessTokens(p.installation.id, 25, INSTALLATION_DUE_MS)))).flat();
        assert.deepEqual(tokens.filter((o) => o.error), [], "every caller got a token");
        assert.equal(new Set(tokens.map((o) => o.token)).size, 1, "all 50 got the same new installation token");
        assert.equal(sandbox.githubApp(app.appId).tokenRequests - minted, 1, "one installation token request");
      } finally {
        await Promise.all(processes.map((process) => process.stop()));
        await p.close();
      }
    });
  });
}

describe("faults, on one Redis", () => {
  let server;
  before(async () => {
    server = await startRedis({ persistent: true });
  });
  after(() => server?.stop());

  test("a Node worker and a serve killed mid-run, Redis crashed and restarted, onEvent throwing: nothing lost, nothing accepted twice", { timeout: 600_000 }, async () => {
    const p = await product("redis", server, 2);
    // Short handling leases, so that what a killed worker held comes back within the test.
    const lease = { handlingSeconds: 2 };
    const processes = await launch([
      startNodeWorker("node-1", p.store, p.key, lease),
      startNodeWorker("node-2", p.store, p.key, { ...lease, failFirst: true }),
      startServe("serve-1", p.store, p.key, { ...lease, cacheDir }),
      startServe("serve-2", p.store, p.key, { ...lease, cacheDir }),
    ]);
    try {
      const { unique } = plan(p.hooks, { total: 3_000, duplicates: 0.3, redeliveries: 0.05, seed: 7 });
      const provider = sender(processes);
      let inFlightAtKill = 0;
      let redisDown = 0;
      await provider.run(unique, async (done) => {
        // kill -9 mid-run, a Node worker and then a serve: whatever each was handling right
        // then may be handled again.
        for (const [at, victim] of [[3, processes[0]], [2, processes[3]]]) {
          if (done === Math.floor(unique.length / at)) {
            inFlightAtKill += provider.outstanding(victim);
            victim.dead = true;
            await victim.kill();
          }
        }
        if (done === Math.floor((2 * unique.length) / 3)) {
          await server.crash();
          redisDown = Date.now();
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          await server.restart();
          redisDown = Date.now() - redisDown;
        }
      });
      assert.ok(redisDown >= 1_000);
      assert.equal(provider.answers.get("gave up"), undefined, JSON.stringify([...provider.answers]));
      // The faults were felt: 503s came while Redis was down, while onEvent threw and while
      // copies waited for their first; onEvent threw for events that were then handled.
      assert.ok(provider.retried.unavailable > 0, JSON.stringify(provider.retried));

      const counts = handledCounts(processes);
      assert.equal(counts.size, unique.length, "every unique event was handled");
      const extra = [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
      assert.ok(extra <= inFlightAtKill, `${extra} handled again, but only ${inFlightAtKill} were in flight on the killed processes`);
      assert.ok(processes[1].thrown.length > 0, "onEvent threw");
      for (const sha of processes[1].thrown) assert.ok(counts.has(sha), `${sha} was handled after onEvent threw`);
      assert.ok(processes[1].events.length > 0, "the worker whose onEvent threw handled the rest");
      assertRouted(processes, p.hooks);
    } finally {
      await Promise.all(processes.map((process) => (process.dead ? undefined : process.stop())));
      await p.close();
    }
  });

  test("the holder of a refresh lease killed mid-refresh: another process takes over once the lease has run out", { timeout: 120_000 }, async () => {
    const p = await product("redis", server, 0);
    const [holder, other] = await launch([startNodeWorker("holder", p.store, p.key), startNodeWorker("other", p.store, p.key)]);
    try {
      const held = forge.holdNextRefresh({ beforeIssuing: true });
      const refreshes = forge.stats.refresh;
      const lost = holder.accessTokens(p.oauth.id, 1, TOKEN_LIFETIME_MS);
      await held.arrived;
      await holder.kill();
      void lost; // it never answers: its process is gone
      // Past the lease (its clock a lease later), the other process takes over and refreshes
      // with the token the holder never got to use.
      const [taken] = await other.accessTokens(p.oauth.id, 1, TOKEN_LIFETIME_MS + LEASE_MS + 1_000);
      assert.equal(taken.error, undefined, JSON.stringify(taken));
      assert.equal(forge.stats.refresh - refreshes, 2, "the held refresh and the one that took over");
      held.release();
    } finally {
      await Promise.all([holder.kill(), other.stop()]);
      await p.close();
    }
  });
});
