// The webhook endpoint: `webhookHandler` as a Fetch API handler, and `createNodeMiddleware` on a
// real node:http server. Every answer a provider can get, and the guarantee behind them: every
// authentic delivery is handled at least once and accepted as new at most once per window.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { test } from "node:test";

import { createNodeMiddleware, Forgelink, ForgelinkError, memoryStorage, webhookHandler } from "../flows.js";
import { BASE, gitlab, pipelineDelivery, pushDelivery, TOKEN } from "./support/gitlab.mjs";

/** A connected GitLab project with a hook, a handler over it, and what its `onEvent` saw. */
async function endpoint(options = {}) {
  const server = gitlab();
  const clock = { ms: Date.now() };
  const inner = memoryStorage({ now: () => clock.ms });
  const failing = { on: false };
  // A storage that can be switched off, as a Redis that went away.
  const storage = Object.fromEntries(
    ["get", "set", "delete", "compareAndSwap"].map((name) => [
      name,
      async (...args) => {
        if (failing.on) throw new Error("connection refused");
        return inner[name](...args);
      },
    ]),
  );
  const forgelink = new Forgelink({ fetch: server.fetch, storage, encryptionKey: new Uint8Array(randomBytes(32)), now: () => clock.ms });
  const connection = await forgelink.connectWithToken({ provider: "gitlab", baseUrl: BASE, token: TOKEN, profile: "ci-failure-analysis" });
  await forgelink.registerWebhooks(connection.id, { projects: ["group/app"], url: "https://app.example/hooks", profile: "ci-failure-analysis" });
  const { token: secret, url: route } = server.hooks.get("group/app")[0];
  const handled = [];
  const errors = [];
  const onEvent = options.onEvent ?? ((event, receipt) => handled.push([event.kind, receipt.connectionId, event.commitSha]));
  const handler = webhookHandler(forgelink, { onEvent, onError: (error, context) => errors.push([context.stage, error]), ...options.handler });
  const post = (delivery, url = route) => handler(new Request(url, { method: "POST", headers: delivery.headers, body: delivery.body }));
  return { forgelink, connection, secret, route, handler, handled, errors, post, clock, failing };
}

async function answer(response) {
  return [response.status, (await response.json()).status, response.headers.get("retry-after")];
}

test("a delivery is handled once and answered 200; its redeliveries are duplicates", async () => {
  const e = await endpoint();
  const delivery = pushDelivery(e.secret, "uuid-1");
  assert.deepEqual(await answer(await e.post(delivery)), [200, "accepted", null]);
  assert.deepEqual(e.handled, [["push", e.connection.id, e.handled[0][2]]]);
  // GitLab retries, and an attacker replays it under a new event UUID: both are duplicates.
  assert.deepEqual(await answer(await e.post(delivery)), [200, "duplicate", null]);
  assert.deepEqual(await answer(await e.post({ ...delivery, headers: { ...delivery.headers, "X-Gitlab-Event-UUID": "uuid-2" } })), [200, "duplicate", null]);
  assert.equal(e.handled.length, 1);
  assert.deepEqual(e.errors, []);
});

test("each way a delivery is refused has its status, and nothing reaches onEvent", async () => {
  const e = await endpoint({ handler: { maxBodyBytes: 4096 } });
  const forged = pushDelivery("not-the-secret", "uuid-1");
  assert.deepEqual(await answer(await e.post(forged)), [401, "rejected", null]);
  const unsigned = pushDelivery(e.secret, "uuid-1");
  delete unsigned.headers["X-Gitlab-Token"];
  assert.deepEqual(await answer(await e.post(unsigned)), [401, "rejected", null]);
  assert.deepEqual(await answer(await e.post(pushDelivery(e.secret, "uuid-1"), "https://app.example/hooks/AAAAAAAAAAAAAAAAAAAAAA")), [404, "rejected", null]);
  // Over the cap: by its declared length, and by what arrives when no length is declared.
  const big = { headers: pushDelivery(e.secret, "uuid-1").headers, body: new Uint8Array(5000) };
  assert.deepEqual(await answer(await e.post(big)), [413, "rejected", null]);
  const streamed = new ReadableStream({
    pull(controller) {
      controller.enqueue(new Uint8Array(1024));
    },
  });
  const response = await e.handler(new Request(e.route, { method: "POST", headers: big.headers, body: streamed, duplex: "half" }));
  assert.deepEqual(await answer(response), [413, "rejected", null]);
  // Signed but unreadable, and a method that is not POST.
  assert.deepEqual(await answer(await e.post({ headers: pushDelivery(e.secret, "u").headers, body: "{not json" })), [400, "rejected", null]);
  const get = await e.handler(new Request(e.route));
  assert.deepEqual([get.status, get.headers.get("allow")], [405, "POST"]);
  assert.deepEqual(e.handled, []);
});

test("when onEvent throws, the answer is 503 and the provider's redelivery is handled", async () => {
  let fail = true;
  const seen = [];
  const e = await endpoint({
    onEvent: (event) => {
      seen.push(event.commitSha);
      if (fail) throw new Error("queue unavailable");
    },
  });
  const delivery = pushDelivery(e.secret, "uuid-1");
  assert.deepEqual(await answer(await e.post(delivery)), [503, "retry", "5"]);
  assert.deepEqual(e.errors.map(([stage, error]) => [stage, error.message]), [["onEvent", "queue unavailable"]]);
  fail = false;
  assert.deepEqual(await answer(await e.post(delivery)), [200, "accepted", null]);
  assert.deepEqual(await answer(await e.post(delivery)), [200, "duplicate", null]);
  assert.equal(seen.length, 2, "the failed attempt and the redelivery, nothing after");
});

test("while storage is down the answer is 503, and the redelivery is handled once after", async () => {
  const e = await endpoint();
  const delivery = pushDelivery(e.secret, "uuid-1");
  e.failing.on = true;
  assert.deepEqual(await answer(await e.post(delivery)), [503, "retry", "5"]);
  assert.equal(e.errors[0][0], "receive");
  assert.ok(e.errors[0][1] instanceof ForgelinkError && e.errors[0][1].code === "storage.failed");
  e.failing.on = false;
  assert.deepEqual(await answer(await e.post(delivery)), [200, "accepted", null]);
  assert.deepEqual(await answer(await e.post(delivery)), [200, "duplicate", null]);
  assert.equal(e.handled.length, 1);
});

test("a copy arriving while the first is handled is asked to retry, never dropped", async () => {
  let finish;
  const gate = new Promise((resolve) => (finish = resolve));
  const handled = [];
  const e = await endpoint({
    onEvent: async (event) => {
      await gate;
      handled.push(event.pipeline.status);
    },
    handler: { receive: { handlingSeconds: 20 } },
  });
  const delivery = pipelineDelivery(e.secret, "uuid-1", 100, "failed");
  const first = e.post(delivery);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(await answer(await e.post(delivery)), [503, "retry", "20"]);
  // The same pipeline state in another delivery waits too: it is the same news.
  assert.deepEqual(await answer(await e.post(pipelineDelivery(e.secret, "uuid-2", 100, "failed"))), [503, "retry", "20"]);
  finish();
  assert.deepEqual(await answer(await first), [200, "accepted", null]);
  assert.deepEqual(await answer(await e.post(delivery)), [200, "duplicate", null]);
  assert.deepEqual(handled, ["failure"]);
});

test("a handler that outlasts its claim is reported, and its event stays handled", async () => {
  const e = await endpoint({
    onEvent: () => {
      e.clock.ms += 61_000; // the handler ran past the default 60 s lease
    },
  });
  const delivery = pushDelivery(e.secret, "uuid-1");
  assert.deepEqual(await answer(await e.post(delivery)), [200, "accepted", null]);
  assert.deepEqual(e.errors.map(([stage, error]) => [stage, error.code]), [["confirm", "input.invalid"]]);
  assert.match(e.errors[0][1].message, /handlingSeconds/);
});

test("the Node adapter serves the handler on node:http, under a path, with raw bodies a parser kept", async (t) => {
  const e = await endpoint({ handler: { maxBodyBytes: 4096 } });
  const middleware = createNodeMiddleware(e.handler, { path: "/hooks" });
  const passed = [];
  const server = createServer((req, res) => {
    middleware(req, res, (error) => {
      passed.push(error?.code ?? "next");
      res.writeHead(error ? 500 : 404).end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  const base = `http://127.0.0.1:${server.address().port}`;
  const path = new URL(e.route).pathname;
  const send = (url, delivery) => fetch(`${base}${url}`, { method: "POST", headers: delivery.headers, body: delivery.body });

  const delivery = pushDelivery(e.secret, "uuid-1");
  assert.deepEqual(await answer(await send(path, delivery)), [200, "accepted", null]);
  assert.deepEqual(await answer(await send(path, delivery)), [200, "duplicate", null]);
  assert.deepEqual(await answer(await send(path, pushDelivery("wrong", "uuid-2"))), [401, "rejected", null]);
  const big = await send(path, { headers: delivery.headers, body: new Uint8Array(100_000) });
  assert.equal(big.status, 413);
  // Outside the path: on to the next handler.
  assert.equal((await send("/elsewhere", delivery)).status, 404);
  assert.deepEqual(passed, ["next"]);
  assert.equal(e.handled.length, 1);

  // Express after a raw body parser: the Buffer it kept is the body; a parsed object is refused.
  const second = pushDelivery(e.secret, "uuid-3");
  const response = fakeResponse();
  const expressReq = { method: "POST", url: path, originalUrl: path, rawHeaders: Object.entries(second.headers).flat(), body: Buffer.from(second.body), readableEnded: true };
  await middleware(expressReq, response, (error) => assert.fail(error));
  assert.equal(response.status, 200);
  let refused;
  await middleware({ ...expressReq, body: { parsed: true } }, fakeResponse(), (error) => (refused = error));
  assert.ok(refused instanceof ForgelinkError && refused.code === "input.invalid" && /before body parsers/.test(refused.message), String(refused));
});

test("a handler set up wrongly fails as the rest of the package does", async () => {
  const e = await endpoint();
  const refuses = (call) => assert.throws(call, (error) => error instanceof ForgelinkError && error.code === "input.invalid");
  refuses(() => webhookHandler({}, { onEvent() {} }));
  refuses(() => webhookHandler(e.forgelink, {}));
  refuses(() => webhookHandler(e.forgelink, { onEvent() {}, onEvnt() {} }));
  refuses(() => webhookHandler(e.forgelink, { onEvent() {}, maxBodyBytes: -1 }));
  refuses(() => createNodeMiddleware("handler"));
});

function fakeResponse() {
  return {
    headersSent: false,
    writeHead(status) {
      this.status = status;
      this.headersSent = true;
      return this;
    },
    end() {},
  };
}
