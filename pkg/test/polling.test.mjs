// Polling and feedback through forgelink/flows: the safety net finds a delivery that never
// came, deliveries and polls report each state once, and feedback lands on the merge request
// and is rewritten in place.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Forgelink, ForgelinkError, memoryStorage } from "../flows.js";
import { BASE, gitlab, pipelineDelivery, TOKEN } from "./support/gitlab.mjs";

async function connected() {
  const server = gitlab();
  const forgelink = new Forgelink({ fetch: server.fetch, storage: memoryStorage(), encryptionKey: new Uint8Array(32).fill(3) });
  const connection = await forgelink.connectWithToken({ provider: "gitlab", baseUrl: BASE, token: TOKEN, profile: "ci-failure-analysis" });
  await forgelink.registerWebhooks(connection.id, { projects: ["group/app"], url: "https://app.example/hooks", profile: "ci-failure-analysis" });
  // The hook's own delivery URL, routed to this connection and project.
  const { token: secret, url: route } = server.hooks.get("group/app")[0];
  return { server, forgelink, id: connection.id, secret, route };
}

test("a dropped delivery is found by the next poll; a late one is then a duplicate", async () => {
  const { server, forgelink, id, secret, route } = await connected();
  const now = Math.floor(Date.now() / 1000);
  server.pipelines.push({ id: 100, status: "failed", sha: "bcbb5ec396a2c0f828686f14fac9b80b780504f2", updatedAt: now - 600 });
  // Pipeline 100's failure arrives by webhook.
  const delivered = await forgelink.receiveWebhook({ route, ...pipelineDelivery(secret, "uuid-1", 100, "failed", now - 600) });
  assert.equal(delivered.status, "accepted");
  assert.equal(await forgelink.confirmDelivery(delivered.claim), true);
  assert.ok(delivered.event.stateKey.endsWith(`:pipeline:100@${now - 600}:failure`), delivered.event.stateKey);

  // Pipeline 101's delivery is lost; the poll finds it, and not pipeline 100 again.
  server.pipelines.push({ id: 101, status: "failed", sha: "bcbb5ec396a2c0f828686f14fac9b80b780504f2", updatedAt: now - 300 });
  const first = await forgelink.pollEvents(id, { projects: ["group/app"] });
  assert.equal(first.status, "complete");
  assert.equal(first.mode, "hybrid");
  assert.deepEqual(first.events.map((e) => [e.kind, e.pipeline.id, e.pipeline.status]), [["pipeline", "101", "failure"]]);
  assert.equal(first.duplicates, 1, "pipeline 100 was seen through its delivery");
  assert.ok(first.nextPollAt >= now + 60, `${first.nextPollAt} is at least the interval away`);
  assert.equal(first.projects[0].complete, true);

  // Pipeline 101's delivery arrives late: the poll already reported that state.
  const late = await forgelink.receiveWebhook({ route, ...pipelineDelivery(secret, "uuid-2", 101, "failed", now - 300) });
  assert.equal(late.status, "duplicate");
  // A new state of a known pipeline is news again.
  const retried = await forgelink.receiveWebhook({ route, ...pipelineDelivery(secret, "uuid-3", 101, "success", now - 100) });
  assert.equal(retried.status, "accepted");
});

// "Retry jobs in a pipeline" keeps the pipeline's id (docs.gitlab.com/api/pipelines/); each
// attempt that finishes has its own finished_at, which the Pipeline Hook writes to the second
// ("2016-08-12 15:26:29 UTC", docs.gitlab.com/user/project/integrations/webhook_events/
// #pipeline-events) and "Get a single pipeline" to the millisecond, while "List project
// pipelines" leaves it out.
test("a GitLab pipeline retried under its id that fails again is news, once, by webhook or by poll", async () => {
  const { server, forgelink, id, secret, route } = await connected();
  const now = Math.floor(Date.now() / 1000);
  const pipeline = { id: 300, status: "failed", sha: "bcbb5ec396a2c0f828686f14fac9b80b780504f2", updatedAt: now - 900 };
  server.pipelines.push(pipeline);
  const deliver = async (uuid, finished) => {
    const receipt = await forgelink.receiveWebhook({ route, ...pipelineDelivery(secret, uuid, 300, "failed", finished) });
    if (receipt.status === "accepted") assert.equal(await forgelink.confirmDelivery(receipt.claim), true);
    return receipt;
  };

  // The first failure arrives by webhook; the poll takes its own reading of it for the same.
  const first = await deliver("uuid-1", now - 900);
  assert.equal(first.status, "accepted");
  assert.ok(first.event.stateKey.endsWith(`:pipeline:300@${now - 900}:failure`), first.event.stateKey);
  const polled = await forgelink.pollEvents(id, { projects: ["group/app"] });
  assert.deepEqual(polled.events, []);
  assert.equal(polled.duplicates, 1);

  // Retried, it fails again, with the finish time in milliseconds; its delivery is lost.
  pipeline.updatedAt = now - 400;
  pipeline.finishedAt = now - 400;
  const again = await forgelink.pollEvents(id, { projects: ["group/app"], since: now - 3600 });
  assert.deepEqual(again.events.map((e) => [e.kind, e.pipeline.id, e.pipeline.status, e.stateKey.split(":pipeline:")[1]]), [["pipeline", "300", "failure", `300@${now - 400}:failure`]]);
  // Its delivery, arriving late, is a duplicate; so is the first attempt's, redelivered.
  assert.equal((await deliver("uuid-2", now - 400)).status, "duplicate");
  assert.equal((await deliver("uuid-1-again", now - 900)).status, "duplicate");

  // A third attempt fails: the delivery comes first, and the poll finds nothing new.
  pipeline.updatedAt = now - 100;
  pipeline.finishedAt = now - 100;
  assert.equal((await deliver("uuid-3", now - 100)).status, "accepted");
  const third = await forgelink.pollEvents(id, { projects: ["group/app"], since: now - 3600 });
  assert.deepEqual(third.events, []);
  assert.equal(third.duplicates, 1);
});

test("webhook mode polls nothing; bad options are input.invalid", async () => {
  const { server, forgelink, id } = await connected();
  const before = server.requests.length;
  const disabled = await forgelink.pollEvents(id, { projects: ["group/app"], mode: "webhook" });
  assert.equal(disabled.status, "disabled");
  assert.equal(disabled.nextPollAt, null);
  assert.equal(server.requests.length, before, "no request in webhook mode");
  for (const options of [{ projects: "group/app" }, { projects: [], mode: "sometimes" }, { projects: [], lookbackDays: -1 }, { projects: [], nope: 1 }, undefined, "group/app"]) {
    await assert.rejects(forgelink.pollEvents(id, options), (error) => error instanceof ForgelinkError && error.code === "input.invalid");
  }
  // What JSON would turn into something else is refused by its path, not sent as null.
  for (const [options, path] of [[{ projects: [], since: NaN }, "options.since"], [{ projects: [Symbol("x")] }, "options.projects[0]"], [{ projects: [], since: 1n }, "options.since"]]) {
    await assert.rejects(forgelink.pollEvents(id, options), (error) => error.code === "input.invalid" && error.message.includes(`\`${path}\``));
  }
  await assert.rejects(forgelink.pollEvents("nope", { projects: ["group/app"] }), (error) => error.code === "connection.not_found");
});

test("feedback lands on the merge request and is updated in place", async () => {
  const { server, forgelink, id } = await connected();
  const request = { project: "group/app", mergeRequest: 5, commitSha: "bcbb5ec396a2c0f828686f14fac9b80b780504f2", body: "**2 jobs failed**", key: "ci-summary" };
  const first = await forgelink.postFeedback(id, request);
  assert.deepEqual([first.target, first.action], ["merge_request", "created"]);
  assert.ok(first.url.endsWith(`/group/app/-/merge_requests/5#note_${first.commentId}`), `the note's page: ${first.url}`);
  assert.equal(server.notes.length, 1);
  assert.ok(server.notes[0].body.includes("**2 jobs failed**"));
  assert.ok(server.notes[0].body.includes("forgelink:feedback:ci-summary"), "the marker that finds it again");
  const second = await forgelink.postFeedback(id, { ...request, body: "**All green**" });
  assert.deepEqual([second.action, second.commentId], ["updated", first.commentId]);
  assert.equal(server.notes.length, 1, "rewritten, not added");
  assert.ok(server.notes[0].body.includes("**All green**"));
  await assert.rejects(forgelink.postFeedback(id, { ...request, body: 42 }), (error) => error.code === "input.invalid");
});
