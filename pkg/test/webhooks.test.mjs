// Webhooks through forgelink/flows: signatures that interoperate with @octokit/webhooks-methods,
// the providers' test vectors, the golden outputs the Rust tests pin, and receiving one
// delivery on two instances that share storage.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { test } from "node:test";

import { sign, verify } from "@octokit/webhooks-methods";

import {
  Forgelink,
  ForgelinkError,
  identifyWebhook,
  manualWebhookSetup,
  memoryStorage,
  parseHook,
  parseHookList,
  parseRepositoryList,
  parseWebhook,
  prepareCreateHook,
  prepareDeleteHook,
  prepareListHooks,
  prepareUpdateHook,
  verifyAndParseWebhook,
  verifyWebhook,
  webhookAccess,
} from "../flows.js";
import { BASE, gitlab, issueDelivery, pushDelivery, slowStorage, TOKEN } from "./support/gitlab.mjs";

const require = createRequire(import.meta.url);
const root = new URL("../../", import.meta.url);
const readJson = (path) => JSON.parse(readFileSync(new URL(path, root), "utf8"));

function thrown(call) {
  try {
    call();
  } catch (error) {
    assert.ok(error instanceof ForgelinkError, String(error));
    assert.equal(error.guidance.code, error.code);
    return error;
  }
  assert.fail("expected a ForgelinkError");
}

/** GitHub's signature, computed as forgelink checks it: HMAC-SHA256 over the raw bytes, hex. */
function githubSignature(secret, body) {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

function githubHeaders(event, signature) {
  return { "X-GitHub-Event": event, "X-GitHub-Delivery": "d-1", "X-GitHub-Hook-ID": "42", "X-Hub-Signature-256": signature };
}

test("GitHub's documented signature test vector", () => {
  const signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
  const secret = "It's a Secret to Everybody";
  assert.equal(githubSignature(secret, "Hello, World!"), signature);
  const verified = verifyWebhook({ headers: githubHeaders("ping", signature), body: "Hello, World!", secrets: ["old", secret] });
  assert.deepEqual(verified, { provider: "github", scheme: "hmac-sha256", secretIndex: 1 });
  const mismatch = thrown(() => verifyWebhook({ headers: githubHeaders("ping", signature), body: "Hello, World?", secrets: [secret] }));
  assert.equal(mismatch.code, "webhook.signature_mismatch");
});

test("the Standard Webhooks test vector, as GitLab sends it", () => {
  const headers = [
    ["X-Gitlab-Event", "Push Hook"],
    ["webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"],
    ["webhook-timestamp", "1614265330"],
    ["webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="],
  ];
  const request = { headers, body: '{"test": 2432232314}', secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"], now: 1614265330 + 10 };
  assert.deepEqual(verifyWebhook(request), { provider: "gitlab", scheme: "standard-webhooks", secretIndex: 0 });
  assert.deepEqual(verifyWebhook({ ...request, headers: new Headers(headers) }).scheme, "standard-webhooks");
  assert.equal(thrown(() => verifyWebhook({ ...request, now: 1614265330 + 301 })).code, "webhook.timestamp_out_of_range");
  // Without `now`, the machine's clock decides: years later, the signature is stale.
  assert.equal(thrown(() => verifyWebhook({ ...request, now: undefined })).code, "webhook.timestamp_out_of_range");
  assert.equal(verifyWebhook({ ...request, now: undefined, toleranceSeconds: 1e12 }).secretIndex, 0);
});

test("signatures made by @octokit/webhooks-methods verify in forgelink", async () => {
  const examples = readJson("node_modules/@octokit/webhooks-examples/api.github.com/index.json");
  let checked = 0;
  for (const entry of examples.slice(0, 12)) {
    for (const example of entry.examples.slice(0, 2)) {
      const body = JSON.stringify(example);
      const secret = randomBytes(12).toString("base64");
      const signature = await sign(secret, body);
      const headers = githubHeaders(entry.name, signature);
      assert.equal(verifyWebhook({ headers, body, secrets: [secret] }).secretIndex, 0);
      assert.equal(verifyWebhook({ headers, body: new TextEncoder().encode(body), secrets: ["other", secret] }).secretIndex, 1);
      assert.equal(thrown(() => verifyWebhook({ headers, body: `${body} `, secrets: [secret] })).code, "webhook.signature_mismatch");
      checked++;
    }
  }
  assert.ok(checked >= 12);
  // Non-ASCII text signs as its UTF-8 bytes on both sides.
  const unicode = JSON.stringify({ zen: "Ünïcödé ✓ 😀", hook_id: 42 });
  const signature = await sign("s3cret ✓", unicode);
  assert.equal(verifyWebhook({ headers: githubHeaders("ping", signature), body: unicode, secrets: ["s3cret ✓"] }).scheme, "hmac-sha256");
});

test("signatures forgelink accepts verify in @octokit/webhooks-methods", async () => {
  // octokit refuses an empty payload, so every body here has bytes.
  const bodies = ['{"zen":"Keep it logically awesome.","hook_id":42}', "Hello, World!", JSON.stringify({ text: "Ünïcödé ✓ 😀" }), " "];
  for (const body of bodies) {
    const secret = randomBytes(16).toString("hex");
    const signature = githubSignature(secret, Buffer.from(body, "utf8"));
    assert.equal(verifyWebhook({ headers: githubHeaders("ping", signature), body, secrets: [secret] }).secretIndex, 0);
    assert.equal(await verify(secret, body, signature), true, body);
    assert.equal(await verify(`${secret}x`, body, signature), false, body);
  }
});

test("headers are read from pairs, plain objects and Headers, names in any case", () => {
  const pairs = [["x-github-event", "push"], ["X-GITHUB-DELIVERY", "abc"], ["X-GitHub-Hook-ID", "7"]];
  const expected = { provider: "github", event: "push", deliveryId: "abc", hookId: "7" };
  assert.deepEqual(identifyWebhook(pairs), expected);
  assert.deepEqual(identifyWebhook(Object.fromEntries(pairs)), expected);
  assert.deepEqual(identifyWebhook(new Headers(pairs)), expected);
  // Node's req.headers: lower-case names, a repeated header as an array.
  assert.deepEqual(identifyWebhook({ "x-github-event": "push", "x-github-delivery": ["abc"], "x-github-hook-id": "7", host: undefined }), expected);
});

test("unsupported forges and bad arguments are coded", () => {
  assert.equal(thrown(() => identifyWebhook({ "X-Gitea-Event": "push", "X-GitHub-Event": "push" })).code, "webhook.unsupported_provider");
  assert.equal(thrown(() => identifyWebhook({ "Content-Type": "application/json" })).code, "webhook.unknown_provider");
  assert.equal(thrown(() => identifyWebhook("X-GitHub-Event: push")).code, "input.invalid");
  assert.equal(thrown(() => identifyWebhook({ "X-GitHub-Event": 1 })).code, "input.invalid");
  assert.equal(thrown(() => parseWebhook({ headers: {}, body: {} })).code, "input.invalid");
  assert.equal(thrown(() => parseWebhook({ headers: {}, body: "", extra: 1 })).code, "input.invalid");
  const headers = { "X-GitHub-Event": "ping" };
  assert.equal(thrown(() => verifyWebhook({ headers, body: "{}", secrets: ["s"] })).code, "webhook.missing_signature");
  assert.equal(verifyWebhook({ headers, body: "{}", secrets: [], allowUnsigned: true }).scheme, "unsigned");
  assert.equal(thrown(() => verifyWebhook({ headers, body: "{}", secrets: "s", allowUnsigned: "yes" })).code, "input.invalid");
  assert.equal(thrown(() => verifyWebhook({ headers, body: "{}", secrets: ["s"], now: Number.NaN })).code, "input.invalid");
});

test("GitHub's legacy SHA-1 signature verifies only when allowed", () => {
  const body = '{"zen":"z","hook_id":42}';
  const headers = { "X-GitHub-Event": "ping", "X-Hub-Signature": `sha1=${createHmac("sha1", "s").update(body).digest("hex")}` };
  assert.equal(thrown(() => verifyWebhook({ headers, body, secrets: ["s"] })).code, "webhook.missing_signature");
  assert.equal(verifyWebhook({ headers, body, secrets: ["s"], allowSha1: true }).scheme, "hmac-sha1");
});

test("verifyAndParseWebhook: verified first, then read, in one call", () => {
  const body = JSON.stringify({ ref: "refs/heads/main", after: "a".repeat(40), repository: { full_name: "o/r", id: 1 } });
  const headers = githubHeaders("push", githubSignature("s", body));
  const { verified, event } = verifyAndParseWebhook({ headers, body, secrets: ["x", "s"] });
  assert.deepEqual(verified, verifyWebhook({ headers, body, secrets: ["x", "s"] }));
  assert.deepEqual(event, parseWebhook({ headers, body }));
  assert.equal(verified.secretIndex, 1);
  // A forged body is refused before it is read: the signature's error, not the payload's.
  const forged = { headers: githubHeaders("push", githubSignature("s", "{}")), body: "not json", secrets: ["s"] };
  assert.equal(thrown(() => verifyAndParseWebhook(forged)).code, "webhook.signature_mismatch");
  assert.equal(thrown(() => verifyAndParseWebhook({ ...forged, headers: githubHeaders("push", githubSignature("s", "not json")) })).code, "webhook.invalid_payload");
});

test("HMACs come from node:crypto where Node has it, from the module otherwise, with the same answers", () => {
  // Each run is a fresh process: which engine is used is decided when flows.js loads.
  const script = `
    const engine = process.argv[1];
    let calls = 0;
    const builtin = process.getBuiltinModule;
    process.getBuiltinModule = (name) => {
      const real = builtin(name);
      if (name !== "node:crypto") return real;
      return engine === "module" ? undefined : { createHmac: (...args) => (calls++, real.createHmac(...args)) };
    };
    const { createHmac } = builtin("node:crypto");
    const f = await import(${JSON.stringify(new URL("../flows.js", import.meta.url).href)});
    const answer = (request) => { try { return f.verifyWebhook(request); } catch (error) { return error.code; } };
    const gh = (body, secret, header = "X-Hub-Signature-256", alg = "sha256") =>
      ({ "X-GitHub-Event": "ping", [header]: alg + "=" + createHmac(alg, secret).update(body).digest("hex") });
    const answers = [
      answer({ headers: gh("Hello, World!", "It's a Secret to Everybody"), body: "Hello, World!", secrets: ["a", "It's a Secret to Everybody"] }),
      answer({ headers: gh("Hello, World!", "s"), body: "Hello, World?", secrets: ["s"] }),
      answer({ headers: gh("{}", "s", "X-Hub-Signature", "sha1"), body: "{}", secrets: ["s"], allowSha1: true }),
      answer({ headers: [["X-Gitlab-Event", "Push Hook"], ["webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"],
        ["webhook-timestamp", "1614265330"], ["webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="]],
        body: '{"test": 2432232314}', secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"], now: 1614265340 }),
      answer({ headers: { "X-Event-Key": "repo:push", "X-Hub-Signature": "sha256=" + "0".repeat(64) }, body: "{}", secrets: ["s"] }),
    ];
    console.log(JSON.stringify({ answers, calls }));
  `;
  const run = (engine) => JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script, engine], { encoding: "utf8" }));
  const native = run("node");
  const module = run("module");
  assert.deepEqual(native.answers, module.answers);
  assert.deepEqual(native.answers.map((a) => a.scheme ?? a), ["hmac-sha256", "webhook.signature_mismatch", "hmac-sha1", "standard-webhooks", "webhook.signature_mismatch"]);
  assert.equal(native.answers[0].secretIndex, 1);
  assert.equal(native.calls, 6, "one HMAC per secret tried, each by node:crypto");
  assert.equal(module.calls, 0);
});

test("webhook registration requests and answers, for every provider", () => {
  const hook = { url: "https://app.example/hooks", secret: "s3cret", events: ["push"] };
  const cases = [
    [{ provider: "github", baseUrl: "https://ghe.example.com" }, "octo/app", "https://ghe.example.com/api/v3/repos/octo/app/hooks"],
    [{ provider: "gitlab", baseUrl: "https://example.com/gitlab/" }, "group/sub/app", "https://example.com/gitlab/api/v4/projects/group%2Fsub%2Fapp/hooks"],
    [{ provider: "bitbucket-cloud" }, "team/app", "https://api.bitbucket.org/2.0/repositories/team/app/hooks"],
    [{ provider: "bitbucket-data-center", baseUrl: "https://bb.example.com/ctx" }, "PROJ/app", "https://bb.example.com/ctx/rest/api/latest/projects/PROJ/repos/app/webhooks"],
  ];
  for (const [instance, project, url] of cases) {
    const create = prepareCreateHook(instance, "tok", project, hook);
    assert.equal(create.method, "POST");
    assert.equal(create.url, url);
    assert.ok(create.headers.some(([n, v]) => n.toLowerCase() === "authorization" && v === "Bearer tok"), instance.provider);
    const body = JSON.parse(create.body);
    assert.ok(JSON.stringify(body).includes("s3cret"), `${instance.provider}: the secret is sent`);
    assert.ok(!JSON.stringify(body).includes('"insecure_ssl":"1"') && !JSON.stringify(body).includes('"skip_cert_verification":true'));
    // Bitbucket Cloud names hooks by UUID, written in braces in its URLs.
    const hookPath = instance.provider === "bitbucket-cloud" ? "%7B7%7D" : "7";
    assert.equal(prepareUpdateHook(instance, "tok", project, "7", hook).url, `${url}/${hookPath}`);
    assert.equal(prepareDeleteHook(instance, "tok", project, "7").method, "DELETE");
    assert.ok(prepareListHooks(instance, "tok", project).url.startsWith(`${url}?`));
  }
  assert.equal(thrown(() => prepareCreateHook({ provider: "github" }, "t", "just-a-name", hook)).code, "repository.invalid_path");
  assert.equal(thrown(() => prepareCreateHook({ provider: "github" }, "t", "o/r", { ...hook, events: "push" })).code, "input.invalid");

  const github = { id: 12, active: true, events: ["push"], config: { url: hook.url, content_type: "json" } };
  assert.deepEqual(parseHook("github", { status: 201, headers: [], body: JSON.stringify(github) }), { id: "12", url: hook.url, events: ["push"], active: true, disabledUntil: null, signingTokenSet: null });
  // GitLab ("Project webhooks API", docs.gitlab.com/api/project_webhooks/): a signing token
  // beside the secret token, confirmed by `signing_token_present`; `alert_status` and
  // `disabled_until` for a hook GitLab paused after failing ("Auto-disabled webhooks").
  const gitlab = { provider: "gitlab" };
  const signingSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwMfKQ9r8GKYo=";
  const signed = JSON.parse(prepareCreateHook(gitlab, "tok", "g/app", { ...hook, signingSecret }).body);
  assert.deepEqual([signed.token, signed.signing_token], ["s3cret", signingSecret]);
  assert.equal(thrown(() => prepareCreateHook(gitlab, "tok", "g/app", { ...hook, signingSecret: "whsec_c2hvcnQ=" })).code, "input.invalid");
  assert.equal(thrown(() => prepareCreateHook({ provider: "github" }, "tok", "o/r", { ...hook, signingSecret })).code, "input.invalid");
  const paused = { id: 3, url: hook.url, pipeline_events: true, alert_status: "temporarily_disabled", disabled_until: "2026-12-07T10:00:00.000Z", signing_token_present: true };
  assert.deepEqual(parseHook("gitlab", { status: 200, headers: [], body: JSON.stringify(paused) }), { id: "3", url: hook.url, events: ["pipeline_events"], active: false, disabledUntil: "2026-12-07T10:00:00.000Z", signingTokenSet: true });
  const page = parseHookList("github", "https://api.github.com/repos/o/r/hooks?per_page=100", {
    status: 200,
    headers: [["Link", '<https://api.github.com/repositories/1/hooks?per_page=100&page=2>; rel="next"']],
    body: JSON.stringify([github]),
  });
  assert.equal(page.hooks.length, 1);
  assert.equal(page.next, "https://api.github.com/repositories/1/hooks?per_page=100&page=2");
  const refused = thrown(() => parseHook("github", { status: 404, headers: [], body: '{"message":"Not Found"}' }));
  assert.equal(refused.code, "http.not_found");
});

test("manualWebhookSetup: a fresh secret, the profile's events and the steps on the provider's page", () => {
  const request = { provider: "bitbucket-data-center", baseUrl: "https://bb.example.com/ctx", project: "PROJ/app", url: "https://app.example/hooks", profile: "ci-failure-analysis" };
  const first = manualWebhookSetup(request);
  const second = manualWebhookSetup(request);
  assert.match(first.secret, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(first.secret, second.secret);
  assert.equal(first.url, request.url);
  assert.ok(first.events.length > 0);
  assert.ok(first.steps[0].includes("https://bb.example.com/ctx/plugins/servlet/webhooks/projects/PROJ/repos/app"));
  assert.ok(first.steps.some((step) => step.includes(request.url)));
  for (const provider of ["github", "gitlab", "bitbucket-cloud"]) {
    assert.ok(manualWebhookSetup({ ...request, provider, baseUrl: undefined }).steps.length >= 4, provider);
  }
  assert.equal(thrown(() => manualWebhookSetup({ ...request, profile: "nope" })).code, "profile.unknown");
  assert.equal(thrown(() => manualWebhookSetup({ ...request, baseUrl: undefined })).code, "base_url.required");
});

const GITHUB_EVENTS = ["push", "pull_request", "workflow_run", "workflow_job", "check_run", "check_suite", "status", "ping"];

test("every @octokit/webhooks-examples delivery of the CI events parses as the Rust golden file pins", () => {
  const corpus = readJson("node_modules/@octokit/webhooks-examples/api.github.com/index.json");
  const golden = readJson("tests/fixtures/webhooks/github.golden.json");
  const outputs = [];
  for (const name of GITHUB_EVENTS) {
    const entry = corpus.find((e) => e.name === name);
    assert.ok(entry, name);
    entry.examples.forEach((example, index) => {
      const headers = [["X-GitHub-Event", name], ["X-GitHub-Delivery", `${name}-${index}`], ["X-GitHub-Hook-ID", "42"]];
      outputs.push(parseWebhook({ headers, body: JSON.stringify(example) }));
    });
  }
  assert.ok(outputs.length >= 50, `the corpus shrank: ${outputs.length}`);
  assert.equal(outputs.length, golden.length);
  outputs.forEach((output, i) => assert.deepEqual(output, golden[i], golden[i].deliveryId));
});

/**
 * The bytes the Rust test sends: serde_json writes an object's keys sorted, and a delivery
 * without an id is deduplicated by a hash of its bytes, so the same order is needed here.
 */
function serdeJson(value) {
  if (Array.isArray(value)) return `[${value.map(serdeJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${serdeJson(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

test("the GitLab and Bitbucket documented deliveries parse as the Rust golden file pins", () => {
  const { cases } = readJson("tests/fixtures/webhooks/deliveries.json");
  const golden = readJson("tests/fixtures/webhooks/deliveries.golden.json");
  assert.equal(cases.length, golden.length);
  cases.forEach((c, i) => {
    const event = parseWebhook({ headers: c.headers, body: serdeJson(c.body) });
    assert.deepEqual(event, golden[i], c.name);
    for (const [field, expected] of Object.entries(c.expect)) {
      assert.deepEqual(field.split(".").reduce((v, key) => v?.[key], event), expected, `${c.name}: ${field}`);
    }
  });
});

test("pasted repository lists", () => {
  const list = parseRepositoryList("group/app\n# a comment\n\nGroup/App\nhttps://git.example.com/gitlab/group/sub/new\nhttps://other.example/x/y\nnot-a-path\ngroup/sub/\n", "https://git.example.com/gitlab");
  assert.deepEqual(list.repositories, ["group/app", "group/sub/new"]);
  assert.deepEqual(list.diagnostics.map((d) => [d.line, d.code]), [[4, "repository.duplicate"], [6, "repository.invalid_path"], [7, "repository.group_path"], [8, "repository.group_path"]]);
  // A line naming a group says so, in words a person can act on.
  assert.equal(list.diagnostics.at(-1).message, "`group/sub/` names a group or namespace, not a project.");
  assert.equal(thrown(() => parseRepositoryList(["group/app"])).code, "input.invalid");
});

test("which project roles may create webhooks", () => {
  assert.deepEqual(webhookAccess("gitlab", "developer"), { neededRole: "maintainer", allowed: false });
  assert.deepEqual(webhookAccess("gitlab", "owner"), { neededRole: "maintainer", allowed: true });
  assert.deepEqual(webhookAccess("github", "maintain"), { neededRole: "admin", allowed: false });
  assert.deepEqual(webhookAccess("bitbucket-cloud", "admin"), { neededRole: "admin", allowed: true });
  assert.equal(webhookAccess("gitlab", "admin"), null, "not a GitLab role");
  assert.equal(thrown(() => webhookAccess("gitea", "admin")).code, "provider.unknown");
});

test("projects, webhook registration, and one delivery received once by two instances sharing storage", async () => {
  const server = gitlab();
  const storage = slowStorage(memoryStorage());
  const encryptionKey = new Uint8Array(randomBytes(32));
  const one = new Forgelink({ fetch: server.fetch, storage, encryptionKey });
  const two = new Forgelink({ fetch: server.fetch, storage, encryptionKey });
  const connection = await one.connectWithToken({ provider: "gitlab", baseUrl: BASE, token: TOKEN, profile: "ci-failure-analysis" });

  const page = await one.discoverProjects(connection.id, {});
  assert.deepEqual(page.projects.map((p) => [p.path, p.role]), [["group/app", "maintainer"]]);
  assert.equal(page.nextCursor, null);

  const registered = await one.registerWebhooks(connection.id, { projects: ["group/app", "group/missing"], url: "https://app.example/hooks/gitlab", profile: "ci-failure-analysis" });
  assert.deepEqual(registered.map((r) => [r.project, r.status, r.code]), [["group/app", "created", undefined], ["group/missing", "failed", "http.not_found"]]);
  assert.equal(registered[1].guidance.code, "http.not_found");
  const again = await two.registerWebhooks(connection.id, { projects: ["group/app"], url: "https://app.example/hooks/gitlab", profile: "ci-failure-analysis" });
  assert.equal(again[0].status, "updated");
  assert.equal(server.hooks.get("group/app").length, 1);
  const { token: secret, url: route } = server.hooks.get("group/app")[0];
  assert.ok(secret.length >= 43);
  // The hook delivers to the receiver's URL and a route id of its own, kept when registered again.
  assert.match(route, /^https:\/\/app\.example\/hooks\/gitlab\/[A-Za-z0-9_-]{22,}$/);

  for (let round = 0; round < 5; round++) {
    const delivery = { route, ...pushDelivery(secret, `uuid-${round}`) };
    const receipts = await Promise.all([one.receiveWebhook(delivery), two.receiveWebhook(delivery)]);
    const statuses = receipts.map((r) => r.status).sort();
    // The copy that lost the race is pending while the winner handles the event.
    assert.deepEqual(statuses, ["accepted", "pending"], `round ${round}`);
    const { claim } = receipts.find((r) => r.status === "accepted");
    assert.equal(await one.confirmDelivery(claim), true);
    for (const receipt of receipts) {
      assert.equal(receipt.event.kind, "push");
      assert.equal(receipt.event.repository.fullPath, "group/app");
      assert.equal(receipt.connectionId, connection.id);
      assert.equal(receipt.project, "group/app");
    }
    // The route id alone, or the URL as a URL, names the same hook.
    assert.equal((await one.receiveWebhook({ ...delivery, route: route.split("/").at(-1) })).status, "duplicate");
    assert.equal((await one.receiveWebhook({ ...delivery, route: new URL(route) })).status, "duplicate");
  }

  const forged = await two.receiveWebhook({ route, ...pushDelivery("not-the-secret", "uuid-forged") });
  assert.equal(forged.status, "rejected");
  assert.equal(forged.code, "webhook.signature_mismatch");
  assert.equal(forged.event, undefined);
  assert.equal(forged.connectionId, undefined);
  const unknown = await one.receiveWebhook({ route, headers: [["Content-Type", "application/json"]], body: "{}" }, { dedupeSeconds: 60 });
  assert.deepEqual([unknown.status, unknown.code], ["rejected", "webhook.unknown_provider"]);
  // The receiver's bare URL, or another route, leads to no hook whatever the delivery carries.
  for (const elsewhere of ["https://app.example/hooks/gitlab", "https://app.example/hooks/gitlab/AAAAAAAAAAAAAAAAAAAAAA", "", "../../etc"]) {
    const receipt = await one.receiveWebhook({ route: elsewhere, ...pushDelivery(secret, "uuid-elsewhere") });
    assert.deepEqual([receipt.status, receipt.code], ["rejected", "webhook.unknown_route"], elsewhere);
  }

  const removed = await two.unregisterWebhooks(connection.id);
  assert.deepEqual(removed.map((r) => [r.project, r.status]), [["group/app", "removed"]]);
  assert.equal(server.hooks.get("group/app").length, 0);
  const gone = await one.receiveWebhook({ route, ...pushDelivery(secret, "uuid-after") });
  assert.deepEqual([gone.status, gone.code], ["rejected", "webhook.unknown_route"]);

  await assert.rejects(one.registerWebhooks(connection.id, { projects: "group/app", url: "https://app.example/h", profile: "ci-failure-analysis" }), (e) => e instanceof ForgelinkError && e.code === "input.invalid");
  await assert.rejects(one.receiveWebhook({ route, headers: {}, body: 5 }), (e) => e instanceof ForgelinkError && e.code === "input.invalid");
  // The route is required: a receiver that forgets it is told so, by name.
  for (const missing of [pushDelivery(secret, "uuid-no-route"), { route: null, ...pushDelivery(secret, "uuid-no-route") }]) {
    await assert.rejects(one.receiveWebhook(missing), (e) => e instanceof ForgelinkError && e.code === "input.invalid" && /delivery\.route/.test(e.message));
  }
  await assert.rejects(one.receiveWebhook({ route: 7, ...pushDelivery(secret, "u") }), (e) => e.code === "input.invalid" && /delivery\.route/.test(e.message));
  await assert.rejects(one.discoverProjects(connection.id, { page: 2 }), (e) => e instanceof ForgelinkError && e.code === "input.invalid");
});

test("a call the provider refuses as over its rate limit throws with the wait it gave", async () => {
  const server = gitlab();
  let limited = false;
  const fetch = (request) =>
    limited && new URL(request.url).pathname.endsWith("/projects")
      ? { status: 429, headers: [["Retry-After", "42"], ["Content-Type", "application/json"]], body: new TextEncoder().encode('{"message":"429 Too Many Requests"}') }
      : server.fetch(request);
  const forgelink = new Forgelink({ fetch, storage: memoryStorage(), encryptionKey: new Uint8Array(randomBytes(32)) });
  const connection = await forgelink.connectWithToken({ provider: "gitlab", baseUrl: BASE, token: TOKEN, profile: "ci-failure-analysis" });
  limited = true;
  await assert.rejects(forgelink.discoverProjects(connection.id, {}), (e) => e instanceof ForgelinkError && e.code === "http.rate_limited" && e.retryAfter === 42);
  limited = false;
  const page = await forgelink.discoverProjects(connection.id, {});
  assert.equal(page.projects.length, 1);
});

test("a delivery's dedupe key is remembered for dedupeSeconds, then forgotten; a CI state is remembered longer", async () => {
  const server = gitlab();
  const clock = { ms: Date.UTC(2026, 0, 1) };
  const forgelink = new Forgelink({ fetch: server.fetch, storage: memoryStorage(), encryptionKey: new Uint8Array(randomBytes(32)), now: () => clock.ms });
  const connection = await forgelink.connectWithToken({ provider: "gitlab", baseUrl: BASE, token: TOKEN, profile: "ci-failure-analysis" });
  await forgelink.registerWebhooks(connection.id, { projects: ["group/app"], url: new URL("https://app.example/hooks/gitlab"), profile: "ci-failure-analysis" });
  const { token: secret, url: route } = server.hooks.get("group/app")[0];
  const delivery = { route, ...issueDelivery(secret, "uuid-expiry") };
  const push = { route, ...pushDelivery(secret, "uuid-push") };
  const options = { dedupeSeconds: 60 };
  // Each accepted delivery is handled at once: its claim confirmed.
  const receive = async (what) => {
    const receipt = await forgelink.receiveWebhook(what, options);
    if (receipt.claim !== undefined) assert.equal(await forgelink.confirmDelivery(receipt.claim), true);
    return receipt.status;
  };
  assert.equal(await receive(delivery), "accepted");
  assert.equal(await receive(push), "accepted");
  clock.ms += 59_000;
  assert.equal(await receive(delivery), "duplicate");
  clock.ms += 2_000;
  assert.equal(await receive(delivery), "accepted");
  assert.equal(await receive(delivery), "duplicate");
  // The push carries a state (its ref and commit), kept as long as polls look back: the same
  // push delivered again a day later is still not news.
  clock.ms += 86_400_000;
  assert.equal(await receive(push), "duplicate");
  await assert.rejects(forgelink.receiveWebhook(delivery, { dedupeSeconds: "60" }), (e) => e instanceof ForgelinkError && e.code === "input.invalid");
});

test("a signed delivery of every provider and scheme verifies, reads as documented, and fails with a wrong secret or body", () => {
  const { cases } = readJson("tests/fixtures/webhooks/signed.json");
  assert.equal(cases.length, 5);
  for (const c of cases) {
    const request = { headers: c.headers, body: c.body, secrets: c.secrets, now: c.now };
    assert.deepEqual(verifyWebhook(request), { provider: c.provider, scheme: c.scheme, secretIndex: 1 }, c.name);
    const event = parseWebhook({ headers: c.headers, body: c.body });
    for (const [field, expected] of Object.entries(c.expect)) {
      assert.deepEqual(field.split(".").reduce((v, key) => v?.[key], event), expected, `${c.name}: ${field}`);
    }
    const refused = (r) => assert.throws(() => verifyWebhook(r), (e) => e instanceof ForgelinkError && e.code === "webhook.signature_mismatch", c.name);
    refused({ ...request, secrets: c.secrets.slice(0, 1) });
    if (c.scheme !== "token") refused({ ...request, body: `${c.body.slice(0, 10)}${String.fromCharCode(c.body.charCodeAt(10) ^ 1)}${c.body.slice(11)}` });
  }
});
