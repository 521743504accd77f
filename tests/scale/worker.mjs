// One Node process of a product: `webhookHandler` mounted with `createNodeMiddleware` on
// node:http, over a shared Redis or PostgreSQL store. It prints `listening on URL` on stderr once
// it takes requests, one NDJSON line per handled event on stdout (the shape `forgelink-host
// serve` prints), and answers control lines on stdin (`accessToken` calls, with this process's
// clock moved forward) with a `reply` line.
//
// Environment: FORGELINK_STORE (redis://… or postgres://…), FORGELINK_NAMESPACE (the Redis key
// prefix before `:`, or the PostgreSQL table), FORGELINK_ENCRYPTION_KEY (64 hex digits),
// FORGELINK_HANDLING_SECONDS, FORGELINK_GITHUB_APP_KEYS (a JSON object of GitHub App ids to
// private keys, for the signer), and FORGELINK_FAIL_FIRST: "1" makes `onEvent` throw the first time
// it sees an event whose commit starts with 0–3 (a quarter of them), as a queue that is briefly
// down would.
import { createServer } from "node:http";
import { createInterface } from "node:readline";

import pg from "pg";
import { createClient } from "redis";

import { createNodeMiddleware, fetchHost, Forgelink, nodeSigner, webhookHandler } from "../../pkg/flows.js";
import { postgresStorage } from "../../pkg/storage/postgres.js";
import { redisStorage } from "../../pkg/storage/redis.js";

const env = process.env;
const storeUrl = env.FORGELINK_STORE;
let storage;
if (storeUrl.startsWith("redis:")) {
  // Reconnecting, as a product's client would: a restarted Redis is used again once it is back.
  const client = createClient({ url: storeUrl, socket: { reconnectStrategy: (retries) => Math.min(50 * (retries + 1), 500) } });
  client.on("error", () => {}); // a failing command reports it; the event alone would crash the process
  await client.connect();
  storage = redisStorage(client, { prefix: `${env.FORGELINK_NAMESPACE}:` });
} else {
  const pool = new pg.Pool({ connectionString: storeUrl, max: 8 });
  pool.on("error", () => {});
  storage = postgresStorage(pool, { table: env.FORGELINK_NAMESPACE });
}

let offsetMs = 0;
const forgelink = new Forgelink({
  fetch: fetchHost({ allowPrivateNetworks: true, allowInsecureHttp: true, timeoutMs: 10_000 }),
  storage,
  encryptionKey: Buffer.from(env.FORGELINK_ENCRYPTION_KEY, "hex"),
  now: () => Date.now() + offsetMs,
  sign: env.FORGELINK_GITHUB_APP_KEYS ? nodeSigner(JSON.parse(env.FORGELINK_GITHUB_APP_KEYS)) : undefined,
});

const failFirst = env.FORGELINK_FAIL_FIRST === "1";
const failed = new Set();
const handler = webhookHandler(forgelink, {
  receive: { handlingSeconds: Number(env.FORGELINK_HANDLING_SECONDS ?? 60) },
  onEvent(event, receipt) {
    const sha = event.commitSha ?? "";
    if (failFirst && /^[0-3]/.test(sha) && !failed.has(sha)) {
      failed.add(sha);
      process.stdout.write(`${JSON.stringify({ thrown: sha })}\n`);
      throw new Error("the product's queue is unavailable");
    }
    process.stdout.write(`${JSON.stringify({ connectionId: receipt.connectionId, project: receipt.project, event })}\n`);
  },
});
const server = createServer(createNodeMiddleware(handler));
server.keepAliveTimeout = 30_000;
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
process.stderr.write(`listening on http://127.0.0.1:${server.address().port}\n`);

for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line);
  if (command.type === "accessToken") {
    offsetMs = command.offsetMs;
    const outcomes = await Promise.all(
      Array.from({ length: command.count }, () => forgelink.accessToken(command.id).then((token) => ({ token }), (error) => ({ error: error.code }))),
    );
    process.stdout.write(`${JSON.stringify({ reply: outcomes })}\n`);
  }
}
