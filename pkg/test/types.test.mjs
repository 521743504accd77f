// The declarations in index.d.ts and flows.d.ts, checked by the TypeScript compiler as a user's code would be.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { test } from "node:test";

import { gitlab, pushDelivery, TOKEN, BASE } from "./support/gitlab.mjs";

const require = createRequire(import.meta.url);

for (const file of ["usage.ts", "storage-usage.ts", "polling-feedback-usage.ts"]) test(`a TypeScript user of the public API compiles with tsc --noEmit --strict: ${file}`, () => {
  const tsc = require.resolve("typescript/bin/tsc");
  const usage = fileURLToPath(new URL(`types/${file}`, import.meta.url));
  const run = spawnSync(
    process.execPath,
    [
      tsc,
      "--noEmit",
      "--strict",
      "--exactOptionalPropertyTypes",
      "--noUncheckedIndexedAccess",
      "--target", "es2022",
      "--lib", "es2022,dom",
      "--module", "nodenext",
      "--moduleResolution", "nodenext",
      // The stores are used with node-redis, whose declarations need Node's; the rest of the
      // API is checked without them, as a browser user sees it.
      ...(file === "storage-usage.ts" ? ["--types", "node"] : []),
      usage,
    ],
    { encoding: "utf8" },
  );
  assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
});

// types.d.ts holds the declarations generated from the Rust types; the entries export them.
const DECLARATIONS = ["index.d.ts", "flows.d.ts", "types.d.ts"];

test("the declarations hold no `any`", () => {
  for (const file of [...DECLARATIONS, "storage/redis.d.ts", "storage/postgres.d.ts"]) {
    const dts = readFileSync(new URL(`../${file}`, import.meta.url), "utf8");
    const code = dts.replace(/\/\*\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
    assert.doesNotMatch(code, /\bany\b/, file);
  }
});

test("each declaration file declares exactly what its entry exports", async () => {
  const flowsDts = readFileSync(new URL("../flows.d.ts", import.meta.url), "utf8");
  assert.match(flowsDts, /^export \* from "\.\/index\.js";$/m, "flows.d.ts re-exports the first slice");
  for (const [file, entry] of [["index.d.ts", "../index.js"], ["flows.d.ts", "../flows.js"]]) {
    const declared = new Set();
    for (const f of file === "flows.d.ts" ? DECLARATIONS : [file]) {
      const dts = readFileSync(new URL(`../${f}`, import.meta.url), "utf8");
      for (const m of dts.matchAll(/^export (?:function|class) (\w+)/gm)) declared.add(m[1]);
    }
    assert.deepEqual([...declared].sort(), Object.keys(await import(entry)).sort(), file);
  }
  for (const store of ["redis", "postgres"]) {
    const dts = readFileSync(new URL(`../storage/${store}.d.ts`, import.meta.url), "utf8");
    const declared = [...dts.matchAll(/^export (?:function|class) (\w+)/gm)].map((m) => m[1]);
    assert.deepEqual(declared, Object.keys(await import(`../storage/${store}.js`)), store);
  }
});

test("an entry exports every generated declaration", () => {
  const read = (file) => readFileSync(new URL(`../${file}`, import.meta.url), "utf8");
  const exported = new Set(
    ["index.d.ts", "flows.d.ts"].flatMap((file) =>
      [...read(file).matchAll(/^export type \{([^}]*)\};$/gm)].flatMap((m) => m[1].split(",").map((name) => name.trim())),
    ),
  );
  for (const [, name] of read("types.d.ts").matchAll(/^export (?:interface|type) (\w+)/gm)) {
    assert.ok(exported.has(name), `index.d.ts or flows.d.ts exports ${name}`);
  }
});

/** The fields of each `export interface` in the declaration files: name → { required, optional }. */
function declaredInterfaces() {
  const dts = DECLARATIONS.map((file) => readFileSync(new URL(`../${file}`, import.meta.url), "utf8")).join("\n");
  const out = new Map();
  for (const match of dts.matchAll(/^export interface (\w+) \{\n([\s\S]*?)^\}/gm)) {
    const required = new Set();
    const optional = new Set();
    for (const field of match[2].matchAll(/^ {2}(?:readonly )?(\w+)(\??):/gm)) {
      (field[2] ? optional : required).add(field[1]);
    }
    out.set(match[1], { required, optional });
  }
  return out;
}

test("the values the package returns have exactly the declared fields", async () => {
  // The flows entry holds every function; the first slice's answer the same from both.
  const fl = await import("../flows.js");
  const interfaces = declaredInterfaces();
  const seen = new Set();
  const check = (name, value) => {
    const declared = interfaces.get(name);
    assert.ok(declared, `index.d.ts or flows.d.ts declares ${name}`);
    seen.add(name);
    const keys = Object.keys(value);
    for (const key of declared.required) assert.ok(keys.includes(key), `${name}.${key} is returned`);
    for (const key of keys) {
      assert.ok(declared.required.has(key) || declared.optional.has(key), `${name}.${key} is declared`);
    }
  };
  const providers = ["github", "gitlab", "bitbucket-cloud", "bitbucket-data-center"];
  for (const provider of providers) {
    const accepted = fl.validateBaseUrl(provider, provider === "bitbucket-cloud" ? "https://bitbucket.org/" : "http://git.example.com/api/v4/");
    check("BaseUrlAccepted", accepted);
    accepted.diagnostics.forEach((d) => check("Diagnostic", d));
    const rejected = fl.validateBaseUrl(provider, "git.example.com");
    check("BaseUrlRejected", rejected);
    rejected.diagnostics.forEach((d) => check("Diagnostic", d));
    check("Endpoints", fl.endpoints(provider, provider === "bitbucket-data-center" ? "https://bb.example.com" : undefined));
    fl.scopeCatalog(provider).forEach((s) => check("ScopeInfo", s));
    check("ScopeCheck", fl.checkScopes(provider, "", []));
    if (provider === "github") check("ScopeCheck", fl.checkScopes(provider, "public_repo", ["admin:repo_hook"]));
    check("Guidance", fl.troubleshoot("http.forbidden", provider));
    check("Guidance", fl.troubleshoot("tls.untrusted_certificate", provider));
  }
  for (const profile of fl.profiles()) {
    check("Profile", profile);
    for (const needs of profile.providers) {
      check("ProviderNeeds", needs);
      [needs.minRole, ...needs.scopes, ...needs.webhookEvents].forEach((n) => check("Need", n));
    }
  }
  const app = { clientId: "id", redirectUri: "https://app.example.com/cb" };
  check("AuthorizationUrl", fl.authorizationUrl({ ...app, provider: "gitlab" }));
  check("AuthorizationUrl", fl.authorizationUrl({ ...app, provider: "bitbucket-cloud" }));
  check("Callback", fl.parseCallback("https://a.example/?code=c&state=s&iss=https%3A%2F%2Fgithub.com%2Flogin%2Foauth", "s"));
  check("Callback", fl.parseCallback("https://a.example/?code=c&state=s", "s"));
  try {
    fl.parseCallback("https://a.example/?error=server_error&error_description=d&state=s", "s");
  } catch (error) {
    check("ForgelinkErrorBody", { code: error.code, message: error.message, guidance: error.guidance, providerDetail: error.providerDetail });
  }
  for (const name of ["BaseUrlAccepted", "BaseUrlRejected", "Endpoints", "Profile", "ProviderNeeds", "Guidance"]) {
    assert.ok(seen.has(name), name);
  }

  // The token functions.
  const client = { provider: "gitlab", baseUrl: "https://git.example.com", clientId: "id", clientSecret: "s", redirectUri: "https://app.example.com/cb" };
  check("OAuthClient", client);
  check("HttpRequest", fl.prepareTokenExchange(client, "code", "v".repeat(43)));
  check("HttpRequest", fl.prepareRevoke({ ...client, provider: "github" }, "token"));
  const tokenResponse = { status: 200, headers: [["Date", "Tue, 14 Nov 2023 22:13:20 GMT"]], body: '{"access_token":"abcdefghijklmnop","token_type":"Bearer","expires_in":7200,"refresh_token":"r","refresh_token_expires_in":9,"scope":"api","created_at":1700000000}' };
  check("HttpResponse", tokenResponse);
  check("TokenSet", fl.parseTokenResponse("gitlab", tokenResponse, 1700000000));
  check("TokenSet", fl.parseTokenResponse("github", { status: 200, headers: [], body: "access_token=gho_abc&scope=repo&token_type=bearer" }, 0));
  check("DeviceAuthorization", fl.parseDeviceAuthorization("github", { status: 200, headers: [], body: '{"device_code":"d","user_code":"U","verification_uri":"https://github.com/login/device","verification_uri_complete":"https://github.com/login/device?u=U","expires_in":9,"interval":5}' }, 0));
  check("TokenInfo", fl.detectToken("ghp_abc"));
  check("TokenInfo", fl.detectToken("nothing"));
  check("ApiError", fl.parseApiError("bitbucket-cloud", { status: 403, headers: [], body: '{"type":"error","error":{"message":"Your credentials lack one or more required privilege scopes.","detail":{"required":["webhook"],"granted":["account"]}}}' }));

  // The flows, over a GitLab of a few lines.
  const seenRequests = [];
  const gitlab = (request) => {
    check("FetchRequest", request);
    seenRequests.push(request);
    const path = new URL(request.url).pathname;
    const body = path.endsWith("/user") ? { id: 1, username: "grace", name: "Grace", web_url: "https://git.example.com/grace" } : path.endsWith("/version") ? { version: "17.5.1" } : { scopes: ["api"], expires_at: "2030-01-01" };
    return { status: 200, headers: [["content-type", "application/json"]], body: new TextEncoder().encode(JSON.stringify(body)) };
  };
  const forgelink = new fl.Forgelink({ fetch: gitlab, storage: fl.memoryStorage(), encryptionKey: new Uint8Array(32), now: () => 1_800_000_000_000 });
  check("ConnectStart", { ...client, session: "browser-session" });
  check("ConnectStarted", await forgelink.connectStart({ ...client, session: "browser-session" }));
  check("ConnectWithToken", { provider: "gitlab", baseUrl: "https://git.example.com", token: "glpat-x", username: null, profile: "ci-failure-analysis" });
  const connection = await forgelink.connectWithToken({ provider: "gitlab", baseUrl: "https://git.example.com", token: "glpat-x", profile: "ci-failure-analysis" });
  check("Connection", connection);
  check("Account", connection.account);
  check("ScopeStatus", connection.scopes);
  const report = await forgelink.testConnection(connection.id);
  check("ConnectionReport", report);
  check("Connection", report.connection);
  report.checks.forEach((c) => check("Check", c));
  check("DisconnectReport", await forgelink.disconnect(connection.id));
  const fetched = await fl.fetchHost({ fetch: async () => new Response("{}", { status: 201, headers: { "x-a": "b" } }) })({ method: "GET", url: "https://a.example/", headers: [] });
  check("FetchResponse", fetched);
  assert.ok(seenRequests.length > 0);
  for (const name of ["TokenSet", "DeviceAuthorization", "TokenInfo", "ApiError", "Connection", "Check", "FetchRequest", "FetchResponse"]) {
    assert.ok(seen.has(name), name);
  }
});

test("the webhook values have exactly the declared fields", async () => {
  const fl = await import("../flows.js");
  const interfaces = declaredInterfaces();
  const check = (name, value) => {
    const declared = interfaces.get(name);
    assert.ok(declared, `flows.d.ts declares ${name}`);
    const keys = Object.keys(value);
    for (const key of declared.required) assert.ok(keys.includes(key), `${name}.${key} is returned`);
    for (const key of keys) {
      assert.ok(declared.required.has(key) || declared.optional.has(key), `${name}.${key} is declared`);
    }
  };
  const checkEvent = (event) => {
    check("WebhookEvent", event);
    const parts = [
      ["WebhookRepository", event.repository],
      ["WebhookActor", event.sender],
      ["WebhookMergeRequest", event.mergeRequest],
      ["WebhookPipeline", event.pipeline],
      ["WebhookJob", event.job],
      ["WebhookCommitStatus", event.commitStatus],
    ];
    for (const [name, value] of parts) if (value !== null) check(name, value);
  };
  const golden = JSON.parse(readFileSync(new URL("../../tests/fixtures/webhooks/deliveries.golden.json", import.meta.url), "utf8"));
  const { cases } = JSON.parse(readFileSync(new URL("../../tests/fixtures/webhooks/deliveries.json", import.meta.url), "utf8"));
  assert.equal(cases.length, golden.length);
  for (const c of cases) checkEvent(fl.parseWebhook({ headers: c.headers, body: JSON.stringify(c.body) }));
  for (const event of JSON.parse(readFileSync(new URL("../../tests/fixtures/webhooks/github.golden.json", import.meta.url), "utf8"))) checkEvent(event);
  check("WebhookIdentity", fl.identifyWebhook({ "X-GitHub-Event": "ping" }));
  check("VerifiedWebhook", fl.verifyWebhook({ headers: { "X-GitHub-Event": "ping" }, body: "{}", secrets: [], allowUnsigned: true }));
  check("VerifiedWebhookEvent", fl.verifyAndParseWebhook({ headers: { "X-GitHub-Event": "ping" }, body: "{}", secrets: [], allowUnsigned: true }));
  const list = fl.parseRepositoryList("a/b\na/b\nnope");
  check("RepositoryList", list);
  assert.equal(list.diagnostics.length, 2);
  list.diagnostics.forEach((d) => check("LineDiagnostic", d));
  const gitlabInstance = { provider: "gitlab", baseUrl: "https://example.com/gitlab" };
  check("HttpRequest", fl.prepareCreateHook(gitlabInstance, "t", "g/p", { url: "https://app.example/h", secret: "s", events: ["push_events"] }));
  const hookJson = JSON.stringify({ id: 7, url: "https://app.example/h", push_events: true, alert_status: "executable" });
  check("Hook", fl.parseHook("gitlab", { status: 201, headers: [], body: hookJson }));
  check("HookPage", fl.parseHookList("gitlab", "https://example.com/gitlab/api/v4/projects/g%2Fp/hooks", { status: 200, headers: [], body: `[${hookJson}]` }));
  const pollInstance = { provider: "gitlab", baseUrl: "https://example.com/gitlab" };
  fl.preparePollRequests(pollInstance, "t", "g/p", 0).forEach((r) => {
    check("PollRequest", r);
    check("HttpRequest", r.request);
  });
  const pipelines = JSON.stringify([{ id: 48, status: "running", ref: "main", sha: "abc", web_url: "https://example.com/gitlab/g/p/-/pipelines/48", updated_at: "2024-01-01T00:00:00Z" }]);
  const pollPage = fl.parsePollResponse(pollInstance, "g/p", { resource: "pipelines" }, "https://example.com/gitlab/api/v4/projects/g%2Fp/pipelines", { status: 200, headers: [], body: pipelines }, 0, 60);
  check("PollPage", pollPage);
  check("RateLimit", pollPage.rateLimit);
  assert.ok(pollPage.events.length > 0);
  pollPage.events.forEach(checkEvent);
  check("RateLimit", fl.readRateLimit({ status: 429, headers: [["Retry-After", "30"]] }, 0));
  const mr = { target: "merge_request", number: 7 };
  const commentJson = JSON.stringify({ id: 1, body: "b", html_url: "https://github.com/o/r/pull/7#issuecomment-1" });
  check("Comment", fl.parseComment("github", mr, { status: 201, headers: [], body: commentJson }));
  const commentPage = fl.parseCommentList("github", mr, "https://api.github.com/repos/o/r/issues/7/comments", { status: 200, headers: [], body: `[${commentJson}]` });
  check("CommentPage", commentPage);
  commentPage.comments.forEach((c) => check("Comment", c));
  check("ManualSetup", fl.manualWebhookSetup({ provider: "bitbucket-data-center", baseUrl: "https://bb.example.com", project: "P/r", url: "https://app.example/h", profile: "ci-failure-analysis" }));

  const server = gitlab();
  const forgelink = new fl.Forgelink({ fetch: server.fetch, storage: fl.memoryStorage(), encryptionKey: new Uint8Array(32) });
  const connection = await forgelink.connectWithToken({ provider: "gitlab", baseUrl: BASE, token: TOKEN, profile: "ci-failure-analysis" });
  const page = await forgelink.discoverProjects(connection.id);
  check("ProjectPage", page);
  page.projects.forEach((p) => check("Project", p));
  const results = await forgelink.registerWebhooks(connection.id, { projects: ["group/app", "group/missing"], url: "https://app.example/hooks", profile: "ci-failure-analysis" });
  results.forEach((r) => check("RegistrationResult", r));
  const { token: secret, url: route } = server.hooks.get("group/app")[0];
  const delivery = { route, ...pushDelivery(secret, "u-1") };
  const accepted = await forgelink.receiveWebhook(delivery);
  check("Receipt", accepted);
  assert.deepEqual([accepted.connectionId, accepted.project], [connection.id, "group/app"]);
  checkEvent(accepted.event);
  check("Receipt", await forgelink.receiveWebhook({ route, ...pushDelivery("forged", "u-2") }));
  check("Receipt", await forgelink.receiveWebhook({ route: "https://app.example/hooks", ...pushDelivery(secret, "u-3") }));
  (await forgelink.unregisterWebhooks(connection.id)).forEach((r) => check("RegistrationResult", r));
});
