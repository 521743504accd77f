// One of several processes racing on one store. Reads its task as JSON from argv, opens its
// own client, waits for a line on stdin (so that all processes start at once) and prints its
// result as JSON on stdout.
import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { createInterface } from "node:readline";

import { fetchHost, Forgelink, init } from "../../flows.js";
import { openStore } from "./stores.mjs";

// `node --test pkg/test/` runs every module under a test directory, this one too, without a
// task: then there is nothing to do.
if (process.argv[2] === undefined) process.exit(0);
const task = JSON.parse(process.argv[2]);
const { storage, close } = await openStore(task.kind, task.url, task.namespace);
let forgelink;
if (task.task === "receive") {
  await init();
  forgelink = new Forgelink({ fetch: fetchHost(), storage, encryptionKey: Buffer.from(task.encryptionKey, "hex") });
}
// Connected and (PostgreSQL) past creating the table before the start: the first request
// costs more than the rest, and would put one process ahead of the others for the whole race.
await storage.get("warm-up");
process.stdout.write("ready\n");
const lines = createInterface({ input: process.stdin });
await new Promise((resolve) => lines.once("line", resolve));
lines.close();

const encode = (text) => new TextEncoder().encode(text);
let result;
if (task.task === "race") {
  // Every process claims every key from absent: each key must have one winner. Each walks the
  // keys in an order of its own: in one shared order, whichever process starts first stays
  // ahead and wins every key uncontested; shuffled, the processes meet on keys all along.
  const order = Array.from({ length: task.keys }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const won = [];
  for (const i of order) {
    if (await storage.compareAndSwap(`race/${i}`, null, encode(task.worker))) won.push(i);
  }
  result = { won };
} else if (task.task === "count") {
  // A read-modify-write counter: get, add one, compareAndSwap, again on a lost race.
  let attempts = 0;
  for (let n = 0; n < task.increments; n++) {
    for (;;) {
      attempts++;
      const current = await storage.get("counter");
      const next = encode(String((current === null ? 0 : Number(new TextDecoder().decode(current))) + 1));
      if (await storage.compareAndSwap("counter", current, next)) break;
    }
  }
  result = { attempts };
} else if (task.task === "receive") {
  const statuses = [];
  for (const delivery of task.deliveries) {
    const receipt = await forgelink.receiveWebhook({ route: delivery.url, headers: delivery.headers, body: Buffer.from(delivery.body, "base64") });
    // Handled at once: the claim is confirmed, as a product's handler does.
    if (receipt.claim !== undefined) assert(await forgelink.confirmDelivery(receipt.claim), "a claim confirmed at once has not lapsed");
    statuses.push(receipt.code === undefined ? receipt.status : `${receipt.status} ${receipt.code}`);
  }
  result = { statuses };
}
await close();
process.stdout.write(`${JSON.stringify(result)}\n`);
