// End-to-end receive: signed deliveries sent over HTTP to the product's processes, each a Node
// worker on `webhookHandler` (tests/scale/worker.mjs) or `forgelink-host serve`, over Redis and
// PostgreSQL at one, two and four processes, beside the same handler called in-process over the
// memory store. Throughput is unique deliveries handled per second; latency is from sending to
// the answer, as the provider sees it. The sender runs on the same machine and takes CPU from
// the processes it measures: the numbers are this machine's scaling curve, not a server's.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { Forgelink, memoryStorage, webhookHandler } from "../pkg/flows.js";
import { GITLAB_TOKEN, startForge } from "../pkg/test/support/forge.mjs";
import { startPostgres, startRedis } from "../pkg/test/support/servers.mjs";
import { openStore } from "../pkg/test/support/stores.mjs";
import { hostBuilt, startNodeWorker, startServe } from "../tests/scale/processes.mjs";
import { plan, sender } from "../tests/scale/provider.mjs";

const DELIVERIES = 4_000;
const WARM_UP = 400;
const RECEIVER = "https://product.example/hooks";

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function hooked(forge, storage, key, fetch) {
  const forgelink = new Forgelink({ fetch, storage, encryptionKey: key });
  const { id } = await forgelink.connectWithToken({ provider: "gitlab", baseUrl: forge.baseUrl, token: GITLAB_TOKEN });
  const project = `bench-${randomBytes(4).toString("hex")}/app`;
  await forgelink.registerWebhooks(id, { projects: [project], url: RECEIVER, profile: "ci-failure-analysis" });
  return { forgelink, hooks: [{ forge, hook: forge.hook(project), project }] };
}

/** The same handler, called directly over the memory store: no HTTP, no other process. */
async function inProcess(forge) {
  const { fetchHost } = await import("../pkg/flows.js");
  const { forgelink, hooks } = await hooked(forge, memoryStorage(), randomBytes(32), fetchHost({ allowPrivateNetworks: true, allowInsecureHttp: true }));
  const handler = webhookHandler(forgelink, { onEvent() {} });
  const { unique } = plan(hooks, { total: DELIVERIES + WARM_UP, duplicates: 0, redeliveries: 0, seed: 3 });
  const send = ({ delivery }) => handler(new Request(`http://bench${new URL(delivery.url).pathname}`, { method: "POST", headers: delivery.headers, body: delivery.body }));
  for (const item of unique.slice(0, WARM_UP)) await send(item);
  const latencies = [];
  const start = performance.now();
  for (const item of unique.slice(WARM_UP)) {
    const t = performance.now();
    await send(item);
    latencies.push(performance.now() - t);
  }
  return { perSecond: DELIVERIES / ((performance.now() - start) / 1000), p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function overHttp(forge, kind, server, processes, cacheDir) {
  const namespace = `bench_${randomBytes(4).toString("hex")}`;
  const opened = await openStore(kind, server.url, namespace);
  const key = randomBytes(32);
  const { fetchHost } = await import("../pkg/flows.js");
  const { hooks } = await hooked(forge, opened.storage, key, fetchHost({ allowPrivateNetworks: true, allowInsecureHttp: true }));
  const store = { url: server.url, namespace };
  const started = processes.map(([face, n]) => (face === "node" ? startNodeWorker(`node-${n}`, store, key) : startServe(`serve-${n}`, store, key, { cacheDir })));
  try {
    for (const p of started) p.url = await p.ready;
    const { unique } = plan(hooks, { total: DELIVERIES + WARM_UP, duplicates: 0, redeliveries: 0, seed: 5 });
    await sender(started, { concurrency: 32 }).run(unique.slice(0, WARM_UP));
    const provider = sender(started, { concurrency: 32 });
    const start = performance.now();
    await provider.run(unique.slice(WARM_UP));
    const seconds = (performance.now() - start) / 1000;
    const handled = started.reduce((sum, p) => sum + p.events.length, 0);
    if (handled !== DELIVERIES + WARM_UP) throw new Error(`${handled} of ${DELIVERIES + WARM_UP} handled`);
    return { perSecond: DELIVERIES / seconds, p50: percentile(provider.latencies, 50), p99: percentile(provider.latencies, 99) };
  } finally {
    await Promise.all(started.map((p) => p.stop()));
    await opened.close();
  }
}

/** Every row: `{ store, processes, perSecond, p50, p99 }`, or `{ ..., error }` for one that failed. */
export async function measureReceive() {
  const forge = await startForge("gitlab");
  const cacheDir = mkdtempSync(join(tmpdir(), "forgelink-bench-cache-"));
  const rows = [];
  try {
    rows.push({ store: "memory", processes: "in-process, no HTTP", ...(await inProcess(forge)) });
    for (const kind of ["redis", "postgres"]) {
      const server = kind === "redis" ? await startRedis() : await startPostgres();
      try {
        const shapes = [
          ["1 Node", [["node", 1]]],
          ["2 Node", [["node", 1], ["node", 2]]],
          ["4 Node", [["node", 1], ["node", 2], ["node", 3], ["node", 4]]],
          ...(hostBuilt
            ? [
                ["1 serve", [["serve", 1]]],
                ["2 serve", [["serve", 1], ["serve", 2]]],
                ["2 Node + 2 serve", [["node", 1], ["node", 2], ["serve", 1], ["serve", 2]]],
              ]
            : []),
        ];
        for (const [label, processes] of shapes) {
          try {
            rows.push({ store: kind, processes: label, ...(await overHttp(forge, kind, server, processes, cacheDir)) });
          } catch (error) {
            rows.push({ store: kind, processes: label, error: String(error.message ?? error).split("\n")[0] });
          }
          const last = rows.at(-1);
          console.log(`bench: receive ${kind} ${label}: ${last.error ?? `${Math.round(last.perSecond)}/s`}`);
        }
      } finally {
        await server.stop();
      }
    }
  } finally {
    await forge.close();
    rmSync(cacheDir, { recursive: true, force: true });
  }
  return { rows, deliveries: DELIVERIES, warmUp: WARM_UP, hostBuilt };
}
