// The storage contract, run alike against every store: memoryStorage, Redis and PostgreSQL
// (real servers started for this file, support/servers.mjs). Then what only a shared store
// has to get right: several real processes, each with its own client, racing on one server
// with compareAndSwap, and two Forgelink processes receiving the same delivery. A stopped
// server makes a flow fail with storage.failed and the client's message, not wait.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";

import { createClient } from "redis";

import { fetchHost, Forgelink, ForgelinkError } from "../flows.js";
import { postgresStorage } from "../storage/postgres.js";
import { redisStorage } from "../storage/redis.js";
import { GITLAB_TOKEN, startForge } from "./support/forge.mjs";
import { startPostgres, startRedis } from "./support/servers.mjs";
import { openStore } from "./support/stores.mjs";

const WORKER = fileURLToPath(new URL("support/storage-worker.mjs", import.meta.url));
const servers = {};
before(async () => {
  // Each kept as soon as it runs, so that `after` stops it even when the other failed to start.
  await Promise.all([startRedis().then((server) => (servers.redis = server)), startPostgres().then((server) => (servers.postgres = server))]);
});
after(async () => {
  await Promise.all(Object.values(servers).map((server) => server.stop()));
});

/** A fresh namespace (Redis prefix, PostgreSQL table) per test, so tests share no keys. */
const namespace = () => `t_${randomBytes(6).toString("hex")}`;
const bytes = (...values) => new Uint8Array(values);
const text = (value) => new TextEncoder().encode(value);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function open(t, kind, ns = namespace()) {
  const store = await openStore(kind, servers[kind]?.url, ns);
  t.after(() => store.close());
  return store.storage;
}

// name → (storage) => assertions. Each runs on a store of its own.
const CASES = {
  "a missing key is null, and deleting it is no error": async (s) => {
    assert.equal(await s.get("forgelink/v1/missing"), null);
    await s.delete("forgelink/v1/missing");
    assert.equal(await s.get("forgelink/v1/missing"), null);
  },
  "set, get, overwrite and delete": async (s) => {
    await s.set("k", text("one"));
    assert.deepEqual(await s.get("k"), text("one"));
    await s.set("k", text("two"));
    assert.deepEqual(await s.get("k"), text("two"));
    await s.delete("k");
    assert.equal(await s.get("k"), null);
  },
  "every byte value, and the empty value, come back as written": async (s) => {
    const all = new Uint8Array(256).map((_, i) => i);
    await s.set("all", all);
    const back = await s.get("all");
    assert.ok(back instanceof Uint8Array);
    assert.deepEqual([...back], [...all]);
    await s.set("empty", new Uint8Array(0));
    const empty = await s.get("empty");
    assert.ok(empty instanceof Uint8Array, "an empty value is present, not null");
    assert.equal(empty.length, 0);
    // A view into a larger buffer is stored as its own bytes only.
    const view = new Uint8Array([9, 1, 2, 3, 9]).subarray(1, 4);
    await s.set("view", view);
    assert.deepEqual(await s.get("view"), bytes(1, 2, 3));
    // And a key holds any text, separators and all (PostgreSQL's text has no NUL; forgelink's keys have none).
    await s.set("forgelink/v1/ключ:with spaces*?", bytes(7));
    assert.deepEqual(await s.get("forgelink/v1/ключ:with spaces*?"), bytes(7));
  },
  "a value of 4 MB comes back whole": async (s) => {
    const large = randomBytes(4 * 1024 * 1024);
    await s.set("large", new Uint8Array(large));
    assert.ok(Buffer.from(await s.get("large")).equals(large));
    const larger = randomBytes(5 * 1024 * 1024);
    assert.equal(await s.compareAndSwap("large", new Uint8Array(large), new Uint8Array(larger)), true);
    assert.ok(Buffer.from(await s.get("large")).equals(larger));
  },
  "what get answers is the caller's: changing it changes nothing stored": async (s) => {
    const value = bytes(1, 2, 3);
    await s.set("copy", value);
    value[0] = 99;
    const read = await s.get("copy");
    read[1] = 99;
    assert.deepEqual(await s.get("copy"), bytes(1, 2, 3));
  },
  "compareAndSwap from absent stores once": async (s) => {
    assert.equal(await s.compareAndSwap("claim", null, text("first")), true);
    assert.equal(await s.compareAndSwap("claim", null, text("second")), false);
    assert.deepEqual(await s.get("claim"), text("first"));
    // An empty value is present: it is not absent.
    await s.set("empty", new Uint8Array(0));
    assert.equal(await s.compareAndSwap("empty", null, text("x")), false);
  },
  "compareAndSwap from a value swaps it only when it matches byte for byte": async (s) => {
    await s.set("v", bytes(0, 1, 2));
    assert.equal(await s.compareAndSwap("v", bytes(0, 1, 3), text("wrong")), false);
    assert.equal(await s.compareAndSwap("v", bytes(0, 1), text("prefix")), false);
    assert.equal(await s.compareAndSwap("v", bytes(0, 1, 2, 0), text("longer")), false);
    assert.deepEqual(await s.get("v"), bytes(0, 1, 2));
    assert.equal(await s.compareAndSwap("v", bytes(0, 1, 2), bytes(255, 0)), true);
    assert.deepEqual(await s.get("v"), bytes(255, 0));
    assert.equal(await s.compareAndSwap("v", bytes(0, 1, 2), text("stale")), false);
    // Expecting a value where there is none fails, and stores nothing.
    assert.equal(await s.compareAndSwap("none", bytes(1), text("x")), false);
    assert.equal(await s.get("none"), null);
    // The empty value can be expected, and swapped from.
    await s.set("e", new Uint8Array(0));
    assert.equal(await s.compareAndSwap("e", new Uint8Array(0), bytes(1)), true);
    assert.deepEqual(await s.get("e"), bytes(1));
  },
  "an expired value is absent to get and to compareAndSwap from absent; one without expiry stays": async (s) => {
    await s.set("short", text("a"), { ttlSeconds: 1 });
    assert.equal(await s.compareAndSwap("claimed", null, text("c"), { ttlSeconds: 1 }), true);
    await s.set("kept", text("k"));
    await s.set("long", text("l"), { ttlSeconds: 60 });
    await s.set("renewed", text("r"), { ttlSeconds: 1 });
    await s.set("renewed", text("r2")); // a later set without expiry keeps it
    assert.deepEqual(await s.get("short"), text("a"));
    await sleep(1600);
    assert.equal(await s.get("short"), null);
    assert.equal(await s.get("claimed"), null);
    assert.deepEqual(await s.get("kept"), text("k"));
    assert.deepEqual(await s.get("long"), text("l"));
    assert.deepEqual(await s.get("renewed"), text("r2"));
    // Expired counts as absent: claimed again from null, and not swapped from the old value.
    assert.equal(await s.compareAndSwap("short", text("a"), text("b")), false);
    assert.equal(await s.compareAndSwap("claimed", null, text("again")), true);
    assert.deepEqual(await s.get("claimed"), text("again"));
    assert.equal(await s.compareAndSwap("claimed", null, text("third")), false);
  },
  "compareAndSwap sets the expiry it is given, and removes it when given none": async (s) => {
    await s.set("x", text("1"));
    assert.equal(await s.compareAndSwap("x", text("1"), text("2"), { ttlSeconds: 1 }), true);
    await s.set("y", text("1"), { ttlSeconds: 1 });
    assert.equal(await s.compareAndSwap("y", text("1"), text("2")), true);
    await sleep(1600);
    assert.equal(await s.get("x"), null);
    assert.deepEqual(await s.get("y"), text("2"));
  },
  "a time-to-live that is not a number of seconds is refused with input.invalid": async (s) => {
    for (const ttlSeconds of [-1, Number.NaN, "60"]) {
      await assert.rejects(async () => s.set("bad", text("x"), { ttlSeconds }), (error) => error.code === "input.invalid");
    }
    assert.equal(await s.get("bad"), null);
  },
};

for (const kind of ["memory", "redis", "postgres"]) {
  describe(`${kind} storage`, () => {
    for (const [name, run] of Object.entries(CASES)) {
      test(name, async (t) => run(await open(t, kind)));
    }
  });
}

/** Starts `count` workers on `task`, lets them go at once, and answers their results. */
async function race(count, task) {
  const workers = Array.from({ length: count }, (_, worker) => {
    const child = spawn(process.execPath, [WORKER, JSON.stringify({ ...task, worker: `w${worker}` })], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (err += chunk));
    const exited = new Promise((resolve) => child.once("exit", resolve));
    const ready = (async () => {
      while (!out.includes("ready\n")) {
        if (child.exitCode !== null) throw new Error(`worker ${worker} died before it was ready:\n${err}`);
        await sleep(10);
      }
    })();
    return { child, ready, exited, output: () => out, errors: () => err };
  });
  try {
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.child.stdin.end("go\n");
    const codes = await Promise.all(workers.map((w) => w.exited));
    return workers.map((w, i) => {
      assert.equal(codes[i], 0, `worker ${i} failed:\n${w.errors()}`);
      return JSON.parse(w.output().split("\n").filter(Boolean).at(-1));
    });
  } finally {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill("SIGKILL");
  }
}

for (const kind of ["redis", "postgres"]) {
  describe(`${kind} storage shared by several processes`, () => {
    test("four processes claiming the same 300 keys from absent: each key has exactly one winner", async (t) => {
      const ns = namespace();
      const s = await open(t, kind, ns);
      assert.equal(await s.get("race/0"), null); // the table exists before the race starts
      const results = await race(4, { task: "race", kind, url: servers[kind].url, namespace: ns, keys: 300 });
      const wins = new Map();
      results.forEach(({ won }, worker) => won.forEach((key) => wins.set(key, [...(wins.get(key) ?? []), `w${worker}`])));
      assert.equal(wins.size, 300);
      for (const [key, winners] of wins) {
        assert.equal(winners.length, 1, `race/${key} won by ${winners}`);
        // And what is stored is the winner's value.
        assert.equal(new TextDecoder().decode(await s.get(`race/${key}`)), winners[0]);
      }
      // A real race: the wins are spread over the processes, not taken by one before the rest started.
      assert.ok(results.filter(({ won }) => won.length > 0).length >= 2, JSON.stringify(results.map(({ won }) => won.length)));
    });

    test("four processes incrementing one counter 100 times each with get and compareAndSwap lose nothing", async (t) => {
      const ns = namespace();
      const s = await open(t, kind, ns);
      const results = await race(4, { task: "count", kind, url: servers[kind].url, namespace: ns, increments: 100 });
      assert.equal(new TextDecoder().decode(await s.get("counter")), "400");
      // Some compareAndSwap calls lost and were retried: the processes did run into each other.
      const attempts = results.reduce((sum, { attempts }) => sum + attempts, 0);
      assert.ok(attempts > 400, `no contention in ${attempts} attempts`);
    });

    test("two Forgelink processes receiving the same 25 signed deliveries accept each exactly once", async (t) => {
      const forge = await startForge("gitlab");
      t.after(() => forge.close());
      const ns = namespace();
      const storage = await open(t, kind, ns);
      const encryptionKey = randomBytes(32);
      const forgelink = new Forgelink({ fetch: fetchHost({ allowPrivateNetworks: true, allowInsecureHttp: true, timeoutMs: 10_000 }), storage, encryptionKey });
      const { id } = await forgelink.connectWithToken({ provider: "gitlab", baseUrl: forge.baseUrl, token: GITLAB_TOKEN });
      const [registered] = await forgelink.registerWebhooks(id, { projects: ["group/app"], url: "http://127.0.0.1:9/webhooks", profile: "ci-failure-analysis" });
      assert.equal(registered.code, undefined, JSON.stringify(registered));
      // 25 deliveries, each of another pipeline, all sent to both processes: one race per delivery.
      const deliveries = Array.from({ length: 25 }, (_, i) => {
        const pipeline = {
          object_kind: "pipeline",
          object_attributes: { id: 9000 + i, ref: "main", sha: "bcbb5ec396a2c0f828686f14fac9b80b780504f2", status: "failed", created_at: "2026-06-01 10:00:00 UTC", finished_at: "2026-06-01 10:05:00 UTC" },
          user: { id: 42, username: "ada", name: "Ada" },
          project: { id: 7, path_with_namespace: "group/app", web_url: "https://gitlab.example/group/app", default_branch: "main" },
        };
        return forge.delivery(forge.hook("group/app"), "Pipeline Hook", pipeline, `uuid-${i}`);
      });
      const task = { task: "receive", kind, url: servers[kind].url, namespace: ns, encryptionKey: encryptionKey.toString("hex"), deliveries: deliveries.map((d) => ({ ...d, body: d.body.toString("base64") })) };
      const [first, second] = await race(2, task);
      // One process accepts each delivery; the other's copy came while it was being handled
      // (pending: the provider is asked to retry) or after (a duplicate).
      const outcomes = deliveries.map((_, i) => [first.statuses[i], second.statuses[i]].sort().join(" "));
      for (const outcome of outcomes) assert.match(outcome, /^accepted (duplicate|pending)$/);
      // And after the race, a delivery again is a duplicate here too.
      const again = await forgelink.receiveWebhook({ route: deliveries[0].url, headers: deliveries[0].headers, body: deliveries[0].body });
      assert.equal(again.status, "duplicate");
    });
  });
}

describe("a stopped server", () => {
  for (const kind of ["redis", "postgres"]) {
    // The timeout turns a flow waiting on a dead server into a failure rather than a stuck run.
    test(`${kind}: a flow fails at once with storage.failed and the client's message`, { timeout: 20_000 }, async (t) => {
      const server = kind === "redis" ? await startRedis() : await startPostgres();
      t.after(() => server.stop());
      if (server.external) return t.skip("the server is not this test's to stop");
      let storage;
      if (kind === "redis") {
        // node-redis as most set it up: reconnecting, which queues commands while the server is
        // gone. The store must not wait in that queue.
        const client = createClient({ url: server.url });
        client.on("error", () => {});
        await client.connect();
        t.after(() => client.disconnect().catch(() => {}));
        storage = redisStorage(client);
      } else {
        const store = await openStore(kind, server.url, namespace());
        t.after(() => store.close());
        storage = store.storage;
      }
      const forgelink = new Forgelink({ fetch: fetchHost(), storage, encryptionKey: new Uint8Array(32) });
      await storage.set("before", bytes(1)); // connected and working
      await server.stop();
      const started = Date.now();
      const error = await forgelink
        .receiveWebhook({ route: "https://product.example/webhooks/AAAAAAAAAAAAAAAAAAAAAAAA", headers: { "x-gitlab-event": "Push Hook", "x-gitlab-token": "t" }, body: "{}" })
        .then((receipt) => assert.fail(`answered ${JSON.stringify(receipt)}`), (e) => e);
      assert.ok(error instanceof ForgelinkError, String(error));
      assert.equal(error.code, "storage.failed");
      // The client's own words are kept, in providerDetail.
      // Redis: the write to the dead socket fails (EPIPE, ECONNRESET), or the store refuses
      // because the client knows it is disconnected.
      const lost = kind === "redis" ? /the Redis client is not connected|EPIPE|ECONNRESET|closed/ : /ECONNREFUSED|Connection terminated/;
      assert.match(error.providerDetail ?? "", new RegExp(`^storage\\.get failed: .*(${lost.source})`));
      assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
      // And a direct call fails the same way, again and again, while the server stays down.
      for (let i = 0; i < 3; i++) {
        const again = Date.now();
        await assert.rejects(async () => storage.compareAndSwap("before", bytes(1), bytes(2)), kind === "redis" ? /not connected/ : /ECONNREFUSED/);
        assert.ok(Date.now() - again < 2000);
      }
    });
  }
});

describe("store options", () => {
  test("a table name that is not a plain identifier is refused with input.invalid", () => {
    const pool = { query: async () => ({ rows: [], rowCount: 0 }), connect: async () => ({}) };
    for (const table of ['x"; DROP TABLE users; --', "Upper", "1st", "a.b.c", "", "a".repeat(51), 7]) {
      assert.throws(() => postgresStorage(pool, { table }), (error) => error.code === "input.invalid", String(table));
    }
    assert.doesNotThrow(() => postgresStorage(pool, { table: "app.forgelink_kv" }));
    assert.throws(() => postgresStorage(pool, { tabel: "x" }), (error) => error.code === "input.invalid");
    assert.throws(() => postgresStorage({}), (error) => error.code === "input.invalid");
  });

  test("a Redis prefix keeps stores apart on one server", async (t) => {
    const ns = namespace(); // a server given by URL may hold earlier runs' keys
    const a = await open(t, "redis", `${ns}_a`);
    const b = await open(t, "redis", `${ns}_b`);
    await a.set("k", text("a"));
    assert.equal(await b.get("k"), null);
    assert.equal(await b.compareAndSwap("k", null, text("b")), true);
    assert.deepEqual(await a.get("k"), text("a"));
    assert.throws(() => redisStorage({}), (error) => error.code === "input.invalid");
    assert.throws(() => redisStorage({ sendCommand() {} }, { prefix: 1 }), (error) => error.code === "input.invalid");
  });

  test("postgres: writes sweep expired rows now and then, without sweep()", async (t) => {
    const ns = namespace();
    const store = await openStore("postgres", servers.postgres.url, ns);
    t.after(() => store.close());
    const s = store.storage;
    for (let i = 0; i < 20; i++) await s.set(`claim/${i}`, text("c"), { ttlSeconds: 1 });
    await sleep(1300);
    const held = async () => Number((await store.pool.query(`SELECT count(*) AS n FROM "${ns}"`)).rows[0].n);
    assert.equal(await held(), 20, "expired rows stay until swept");
    // 20 writes so far; the 256th write of this store sweeps.
    for (let i = 20; i < 255; i++) await s.set(`live/${i}`, text("l"));
    assert.equal(await held(), 255);
    await s.set("live/255", text("l"));
    assert.equal(await held(), 236);
  });

  test("postgres: sweep() deletes expired rows only, and the table is created once by racing stores", async (t) => {
    const ns = namespace();
    // Several stores creating the same table at once, as processes starting together would.
    const stores = await Promise.all([1, 2, 3].map(() => openStore("postgres", servers.postgres.url, ns)));
    t.after(() => Promise.all(stores.map((store) => store.close())));
    await Promise.all(stores.map((store, i) => store.storage.set(`k${i}`, text("v"), { ttlSeconds: 1 })));
    const s = stores[0].storage;
    await s.set("kept", text("k"));
    await s.set("later", text("l"), { ttlSeconds: 60 });
    await sleep(1300);
    assert.equal(await s.sweep(), 3);
    assert.equal(await s.sweep(), 0);
    const { rows } = await stores[0].pool.query(`SELECT key FROM "${ns}" ORDER BY key`);
    assert.deepEqual(rows.map((r) => r.key), ["kept", "later"]);
  });
});
