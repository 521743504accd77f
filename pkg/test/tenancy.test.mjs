// Two customers (tenants) of one product share its storage and encryption key; one of them is
// hostile and runs its own "self-managed" GitLab. Through the npm package, over real HTTP: the
// instances are fake forges on 127.0.0.1 (support/forge.mjs) and the product's webhook receiver
// is an HTTP server taking `POST /webhooks/<route>`. Whatever the hostile tenant registers, sends
// or replays, every attack ends in a coded result and the victim's connection, hooks, secrets
// and events stay its own. Mirrors tests/tenancy.rs.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, test } from "node:test";

import { fetchHost, Forgelink, ForgelinkError, memoryStorage } from "../flows.js";
import { GITHUB_TOKEN, GITLAB_TOKEN, OAUTH_CLIENT, startForge } from "./support/forge.mjs";
import { rejection } from "./support/rejection.mjs";

const REDIRECT_URI = "https://product.example/oauth/callback";
const DAY = 86_400_000;
const HOUR = 3_600_000;

let forges;
before(async () => {
  forges = {
    // Stands for gitlab.com: the victim's instance.
    gitlab: await startForge("gitlab"),
    // The hostile tenant's own "self-managed" instance: it decides every answer.
    evil: await startForge("gitlab"),
    ghesA: await startForge("github"),
    ghesB: await startForge("github"),
  };
});
after(async () => {
  await Promise.all(Object.values(forges ?? {}).map((forge) => forge.close()));
});

/**
 * The product: one storage, one key, one clock; a process per tenant and a webhook receiver,
 * each a Forgelink of its own over the same storage, as separate servers would be.
 */
async function product(t) {
  const clock = { ms: Date.now() };
  const storage = memoryStorage({ now: () => clock.ms });
  const encryptionKey = new Uint8Array(32).fill(3);
  // The hostile instance listens on this machine, so the product's fetch must reach it.
  const fetch = fetchHost({ allowPrivateNetworks: true, allowInsecureHttp: true, timeoutMs: 10_000 });
  const process = () => new Forgelink({ fetch, storage, encryptionKey, now: () => clock.ms });
  const receiver = process();
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const route = `http://127.0.0.1:${server.address().port}${req.url}`;
    try {
      if (req.method !== "POST" || !req.url.startsWith("/webhooks/")) throw new Error(`${req.method} ${req.url}`);
      const receipt = await receiver.receiveWebhook({ route, headers: req.headers, body: Buffer.concat(chunks) });
      // Handled at once: the claim is confirmed before the provider is answered.
      if (receipt.claim !== undefined) await receiver.confirmDelivery(receipt.claim);
      res.writeHead(receipt.status === "rejected" ? 400 : 200, { "content-type": "application/json" });
      res.end(JSON.stringify(receipt));
    } catch (error) {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: String(error), code: error?.code }));
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise((resolve) => {
    server.close(resolve);
    server.closeAllConnections();
  }));
  return {
    clock,
    storage,
    victim: process(),
    attacker: process(),
    receiver,
    receiverUrl: `http://127.0.0.1:${server.address().port}/webhooks`,
  };
}

async function connect(forgelink, forge) {
  const token = forge.kind === "github" ? GITHUB_TOKEN : GITLAB_TOKEN;
  return (await forgelink.connectWithToken({ provider: forge.kind, baseUrl: forge.baseUrl, token })).id;
}

async function register(p, forgelink, id, project, url = p.receiverUrl) {
  const results = await forgelink.registerWebhooks(id, { projects: [project], url, profile: "ci-failure-analysis" });
  assert.deepEqual(results.map((r) => [r.status, r.code]), [[results[0].status, undefined]], JSON.stringify(results));
  return results[0];
}

/** Every live key and its value, as hex. */
function snapshot(storage) {
  return new Map(storage.keys().map((key) => [key, Buffer.from(storage.get(key)).toString("hex")]));
}

/** Whether every entry of `before` is still there, unchanged. */
function untouched(before, storage) {
  const now = snapshot(storage);
  return [...before].every(([key, value]) => now.get(key) === value);
}

/** A GitLab "pipeline failed" payload about `project`. */
function pipelineFailed(project) {
  return {
    object_kind: "pipeline",
    object_attributes: { id: 9001, ref: "main", sha: "bcbb5ec396a2c0f828686f14fac9b80b780504f2", status: "failed", created_at: "2026-06-01 10:00:00 UTC", finished_at: "2026-06-01 10:05:00 UTC" },
    user: { id: 42, username: "ada", name: "Ada" },
    project: { id: 7, path_with_namespace: project, web_url: `https://gitlab.com/${project}`, default_branch: "main" },
  };
}

/** A GitHub `workflow_run` completed with a failure. */
const WORKFLOW_FAILED = {
  action: "completed",
  workflow_run: { id: 30433642, run_attempt: 1, name: "CI", status: "completed", conclusion: "failure", head_sha: "6dcb09b5b57875f334f61aebed695e2e4193db5e", head_branch: "main" },
  repository: { id: 1, full_name: "octo/app" },
  sender: { login: "octocat", id: 1 },
};

/** Events without a CI state: deduplicated by the delivery's own claim alone. */
const ISSUE_OPENED = {
  object_kind: "issue",
  event_type: "issue",
  user: { id: 42, username: "ada", name: "Ada" },
  project: { id: 7, path_with_namespace: "victimgroup/app" },
  object_attributes: { id: 301, iid: 23, title: "Flaky test", state: "opened", action: "open" },
};
const ISSUES_OPENED = {
  action: "opened",
  issue: { number: 7, title: "Flaky test", state: "open" },
  repository: { id: 1, full_name: "octo/app" },
  sender: { login: "octocat", id: 1 },
};

test("a hostile self-managed instance cannot take over another tenant's deliveries", async (t) => {
  const p = await product(t);
  const { gitlab, evil } = forges;
  const victim = await connect(p.victim, gitlab);
  await register(p, p.victim, victim, "victimgroup/app");
  const victimHook = gitlab.hook("victimgroup/app");
  const before = snapshot(p.storage);

  // The attacker types its own instance and registers the victim's project path on it; then
  // names the victim's own delivery URL as its receiver.
  const attacker = await connect(p.attacker, evil);
  await register(p, p.attacker, attacker, "victimgroup/app");
  const evilHook = evil.hook("victimgroup/app");
  await register(p, p.attacker, attacker, "victimgroup/other", victimHook.url);
  const nestedHook = evil.hook("victimgroup/other");
  assert.notEqual(evilHook.url, victimHook.url, "each hook has its own route");
  assert.ok(evilHook.url.startsWith(`${p.receiverUrl}/`) && victimHook.url.startsWith(`${p.receiverUrl}/`));
  assert.notEqual(nestedHook.url.split("/").at(-1), victimHook.url.split("/").at(-1), "a receiver URL never lends its route");
  assert.ok(untouched(before, p.storage), "registering changed nothing of the victim's");

  // Claim poisoning: the victim's exact failure, sent first through the attacker's own hook.
  const poisoned = await evil.send(evil.delivery(evilHook, "Pipeline Hook", pipelineFailed("victimgroup/app"), "uuid-real"));
  assert.deepEqual([poisoned.receipt.status, poisoned.receipt.connectionId], ["accepted", attacker], "it is the attacker's own");
  // Sent to the victim's URL, whatever it found out, through the route its receiver gave it.
  for (const forged of [
    evil.delivery({ ...evilHook, url: victimHook.url }, "Pipeline Hook", pipelineFailed("victimgroup/app"), "uuid-forged"),
    evil.delivery({ ...evilHook, url: victimHook.url, secret: "" }, "Pipeline Hook", pipelineFailed("victimgroup/app"), "uuid-forged"),
    evil.delivery(nestedHook, "Pipeline Hook", pipelineFailed("victimgroup/app"), "uuid-nested"),
  ]) {
    const { status, receipt } = await evil.send(forged);
    if (forged.url === nestedHook.url) {
      // The attacker's own hook: an event of the attacker's (one it has already heard of).
      assert.deepEqual([receipt.status, receipt.connectionId, receipt.project], ["duplicate", attacker, "victimgroup/other"]);
      continue;
    }
    assert.equal(status, 400);
    assert.equal(receipt.status, "rejected");
    assert.ok(["webhook.signature_mismatch", "webhook.missing_signature"].includes(receipt.code), JSON.stringify(receipt));
    assert.equal(receipt.connectionId, undefined);
  }

  // The victim's genuine failure is still news to the victim, and names the victim.
  const genuine = gitlab.delivery(victimHook, "Pipeline Hook", pipelineFailed("victimgroup/app"), "uuid-real");
  const first = await gitlab.send(genuine);
  assert.deepEqual([first.receipt.status, first.receipt.connectionId, first.receipt.project], ["accepted", victim, "victimgroup/app"], JSON.stringify(first.receipt));
  assert.equal(first.receipt.event.pipeline.status, "failure");

  // GitLab's own redelivery is a duplicate; so is the captured delivery replayed with a new
  // event UUID, which GitLab does not sign.
  assert.equal((await gitlab.send(genuine)).receipt.status, "duplicate");
  const replayed = { ...genuine, headers: { ...genuine.headers, "x-gitlab-event-uuid": "uuid-fresh" } };
  assert.equal((await gitlab.send(replayed)).receipt.status, "duplicate");
  // The same for an event with no CI state to fall back on: only the delivery's own claim,
  // made from what the token vouches for (its body), stops the replay.
  const issue = gitlab.delivery(victimHook, "Issue Hook", ISSUE_OPENED, "uuid-issue");
  assert.equal((await gitlab.send(issue)).receipt.status, "accepted");
  const issueReplayed = { ...issue, headers: { ...issue.headers, "x-gitlab-event-uuid": "uuid-issue-fresh" } };
  assert.equal((await gitlab.send(issueReplayed)).receipt.status, "duplicate");

  // Registering again on its instance moves nothing of the victim's either.
  await register(p, p.attacker, attacker, "victimgroup/app");
  const victimRecords = new Map([...before].filter(([key]) => !key.startsWith("forgelink/v1/delivery/") && !key.startsWith("forgelink/v1/state/")));
  assert.ok(untouched(victimRecords, p.storage));
  // Whatever a payload names, the route decides.
  const elsewhere = await gitlab.send(gitlab.delivery(victimHook, "Pipeline Hook", pipelineFailed("attackergroup/x"), "uuid-x"));
  assert.deepEqual([elsewhere.receipt.connectionId, elsewhere.receipt.project], [victim, "victimgroup/app"]);
});

test("Enterprise Servers that both number their first hook 1 do not collide", async (t) => {
  const p = await product(t);
  const { ghesA, ghesB } = forges;
  const a = await connect(p.victim, ghesA);
  const b = await connect(p.attacker, ghesB);
  await register(p, p.victim, a, "octo/app");
  await register(p, p.attacker, b, "octo/app");
  const hookA = ghesA.hook("octo/app");
  const hookB = ghesB.hook("octo/app");
  assert.deepEqual([hookA.id, hookB.id], [1, 1], "both instances number their first hook 1");

  const fromA = ghesA.delivery(hookA, "workflow_run", WORKFLOW_FAILED, "d-1");
  const fromB = ghesB.delivery(hookB, "workflow_run", WORKFLOW_FAILED, "d-1");
  const receiptA = (await ghesA.send(fromA)).receipt;
  const receiptB = (await ghesB.send(fromB)).receipt;
  assert.deepEqual([receiptA.status, receiptA.connectionId], ["accepted", a]);
  assert.deepEqual([receiptB.status, receiptB.connectionId], ["accepted", b]);
  // B's delivery sent to A's URL (same hook id, same delivery id) is refused.
  const crossed = await ghesB.send({ ...fromB, url: hookA.url });
  assert.deepEqual([crossed.receipt.status, crossed.receipt.code], ["rejected", "webhook.signature_mismatch"]);
  // A captured delivery replayed with a fresh X-GitHub-Delivery (unsigned) is a duplicate, also
  // for an event with no CI state, which only the delivery's own claim catches.
  const replay = { ...fromA, headers: { ...fromA.headers, "x-github-delivery": "d-2-fresh" } };
  assert.equal((await ghesA.send(replay)).receipt.status, "duplicate");
  const issue = ghesA.delivery(hookA, "issues", ISSUES_OPENED, "d-3");
  assert.equal((await ghesA.send(issue)).receipt.status, "accepted");
  const issueReplay = { ...issue, headers: { ...issue.headers, "x-github-delivery": "d-3-fresh" } };
  assert.equal((await ghesA.send(issueReplay)).receipt.status, "duplicate");
});

test("nothing is written for a delivery that does not verify", async (t) => {
  const p = await product(t);
  const { gitlab, ghesA } = forges;
  const id = await connect(p.victim, gitlab);
  await register(p, p.victim, id, "group/storage-check");
  const hook = gitlab.hook("group/storage-check");
  const before = snapshot(p.storage);
  const payload = pipelineFailed("group/storage-check");
  const bareReceiver = { ...hook, url: p.receiverUrl.replace(/\/webhooks$/, "/webhooks/") };
  const cases = [
    ["a guessed token", gitlab.delivery({ ...hook, secret: "guess" }, "Pipeline Hook", payload), "webhook.signature_mismatch"],
    ["another provider's delivery", ghesA.delivery({ ...hook, id: 1 }, "workflow_run", WORKFLOW_FAILED), "webhook.signature_mismatch"],
    ["a route never issued", gitlab.delivery({ ...hook, url: `${p.receiverUrl}/AAAAAAAAAAAAAAAAAAAAAAAA` }, "Pipeline Hook", payload), "webhook.unknown_route"],
    ["not a route at all", gitlab.delivery({ ...hook, url: `${p.receiverUrl}/not-a-route` }, "Pipeline Hook", payload), "webhook.unknown_route"],
    ["the bare receiver URL", gitlab.delivery(bareReceiver, "Pipeline Hook", payload), "webhook.unknown_route"],
    ["an unreadable body with the right token", gitlab.delivery(hook, "Pipeline Hook", "{not json"), "webhook.invalid_payload"],
  ];
  for (const [name, delivery, code] of cases) {
    const { status, receipt } = await gitlab.send(delivery);
    assert.deepEqual([status, receipt.status, receipt.code], [400, "rejected", code], `${name}: ${JSON.stringify(receipt)}`);
  }
  assert.deepEqual(snapshot(p.storage), before);
  // An unsigned Data Center ping is answered but never stored, even where allowed.
  const receipt = await p.receiver.receiveWebhook({ route: hook.url, headers: { "X-Event-Key": "diagnostics:ping", "X-Request-Id": "r-1" }, body: "{\"test\":true}" }, { allowUnsignedPing: true });
  assert.equal(receipt.status, "rejected", "this route is a GitLab hook's");
  assert.deepEqual(snapshot(p.storage), before);
});

test("a disconnect during a refresh wins: the connection stays gone and the new tokens are revoked", async (t) => {
  const p = await product(t);
  const { gitlab } = forges;
  const started = await p.victim.connectStart({ provider: "gitlab", baseUrl: gitlab.baseUrl, ...OAUTH_CLIENT, redirectUri: REDIRECT_URI, profile: "ci-failure-analysis", session: "victim-browser" });
  const connection = await p.victim.connectFinish(await gitlab.authorize(started.url), { session: "victim-browser" });
  const key = `forgelink/v1/connection/${connection.id}`;
  p.clock.ms += 3 * HOUR; // the access token has expired

  // One process refreshes, and the provider's answer is held up past the refresh lease (three
  // minutes); meanwhile another process disconnects the connection. A disconnect waits for a
  // refresh in progress, so it proceeds only once the lease has lapsed.
  const held = gitlab.holdNextRefresh();
  const refreshing = p.victim.accessToken(connection.id).then(
    () => assert.fail("a refresh that outlived a disconnect must not hand out a token"),
    (error) => error,
  );
  const issued = await held.arrived;
  p.clock.ms += 181_000;
  const report = await p.attacker.disconnect(connection.id);
  assert.equal(report.revoked, true, "the token stored at the time was revoked");
  assert.equal(Buffer.from(p.storage.get(key)).toString(), "forgelink:disconnected");
  held.release();
  const error = await refreshing;
  assert.ok(error instanceof ForgelinkError, String(error));
  assert.equal(error.code, "connection.disconnected");
  // What the late refresh obtained was revoked rather than written back: the tombstone stands.
  assert.ok(gitlab.revoked.includes(issued.access_token), "the new access token was revoked");
  assert.equal(Buffer.from(p.storage.get(key)).toString(), "forgelink:disconnected");
  assert.equal((await rejection(p.victim.accessToken(connection.id))).code, "connection.not_found");
  // The tombstone expires by itself once no refresh can still be in flight.
  p.clock.ms += 2 * DAY;
  assert.equal(p.storage.get(key), null);
});

test("OAuth: a mixed-up issuer, a wrong callback address and another session are refused before the state is spent", async (t) => {
  const p = await product(t);
  const { gitlab, evil } = forges;
  const start = (forgelink, session) =>
    forgelink.connectStart({ provider: "gitlab", baseUrl: gitlab.baseUrl, ...OAUTH_CLIENT, redirectUri: REDIRECT_URI, profile: "ci-failure-analysis", session });
  const victimStarted = await start(p.victim, "victim-browser");
  const callback = await gitlab.authorize(victimStarted.url, "ada");
  // The attacker authorizes its own account at the same instance, in its own session, and
  // sends the callback link to the victim (login CSRF).
  const attackerStarted = await start(p.attacker, "attacker-browser");
  const attackerCallback = await gitlab.authorize(attackerStarted.url, "mallory");
  const before = snapshot(p.storage);
  const exchanges = gitlab.stats.authorizationCode + evil.stats.authorizationCode;

  const withIssuer = (url, issuer) => {
    const mixed = new URL(url);
    mixed.searchParams.set("iss", issuer);
    return mixed.href;
  };
  const refused = [
    // A mix-up: the callback names the attacker's authorization server.
    [withIssuer(callback, evil.baseUrl), "victim-browser", "oauth.issuer_mismatch"],
    // Taken to another page, or another site, that happens to hold the state.
    [callback.replace(REDIRECT_URI, "https://product.example/oauth/other"), "victim-browser", "oauth.callback_mismatch"],
    [callback.replace("https://product.example/", "https://evil.example/"), "victim-browser", "oauth.callback_mismatch"],
    // The attacker's link opened in the victim's session, or in none.
    [attackerCallback, "victim-browser", "oauth.session_mismatch"],
    [attackerCallback, undefined, "oauth.session_mismatch"],
    // The victim's link opened in the attacker's session.
    [callback, "attacker-browser", "oauth.session_mismatch"],
  ];
  for (const [url, session, code] of refused) {
    const finish = session === undefined ? p.victim.connectFinish(url) : p.victim.connectFinish(url, { session });
    assert.equal((await rejection(finish)).code, code, `${url} in ${session}`);
  }
  assert.equal(gitlab.stats.authorizationCode + evil.stats.authorizationCode, exchanges, "no code reached a token endpoint");
  assert.deepEqual(snapshot(p.storage), before, "no state was spent, nothing was written");

  // The victim's own callback, in the victim's session, connects the victim's account, naming
  // its issuer or not; the attacker's own still connects only the attacker, in its session.
  const mine = await p.victim.connectFinish(withIssuer(callback, gitlab.baseUrl), { session: "victim-browser" });
  assert.equal(mine.account.username, "ada");
  const theirs = await p.attacker.connectFinish(attackerCallback, { session: "attacker-browser" });
  assert.equal(theirs.account.username, "mallory");
  assert.equal((await rejection(p.victim.connectFinish(callback, { session: "victim-browser" }))).code, "oauth.state_mismatch");
});

test("10,000 deliveries with duplicates leave storage bounded, and only the connection's records once their windows pass", async (t) => {
  const p = await product(t);
  const { gitlab } = forges;
  const id = await connect(p.victim, gitlab);
  await register(p, p.victim, id, "group/busy");
  const hook = gitlab.hook("group/busy");
  const baseline = p.storage.keys().length;
  let accepted = 0;
  let duplicates = 0;
  let most = 0;
  let previous;
  for (let n = 0; n < 10_000; n++) {
    // Three in ten are a redelivery of the delivery before.
    const redelivery = n % 10 >= 7 && previous !== undefined;
    const body = redelivery
      ? previous
      : JSON.stringify({
          object_kind: "push",
          ref: "refs/heads/main",
          before: "0".repeat(40),
          after: n.toString(16).padStart(40, "0"),
          checkout_sha: n.toString(16).padStart(40, "0"),
          user_username: "ada",
          project: { id: 7, path_with_namespace: "group/busy" },
          commits: [],
          total_commits_count: 0,
        });
    previous = body;
    const headers = { "X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": hook.secret, "X-Gitlab-Event-UUID": `uuid-${n}` };
    const receipt = await p.receiver.receiveWebhook({ route: hook.url, headers, body });
    if (receipt.claim !== undefined) await p.receiver.confirmDelivery(receipt.claim);
    if (receipt.status === "accepted") accepted++;
    else if (receipt.status === "duplicate") duplicates++;
    else assert.fail(JSON.stringify(receipt));
    // A day passes every hundred deliveries: a hundred days in all, past every window.
    if (n % 100 === 99) p.clock.ms += DAY;
    most = Math.max(most, p.storage.size);
  }
  assert.deepEqual([accepted, duplicates], [7000, 3000]);
  // Some 2 700 claims are live at any time (a delivery's for 7 days, its state's for 31, at 70
  // accepted a day); sweeping as it writes, memoryStorage holds about twice that at most.
  // Without sweeping it would hold every claim ever made: 14 000.
  assert.ok(most < baseline + 8000, `held ${most} entries at most`);
  // Once every window has passed, only the connection's own records are left.
  p.clock.ms += 32 * DAY;
  assert.equal(p.storage.keys().length, baseline, JSON.stringify(p.storage.keys().slice(0, 5)));
});
