// The sandbox's GitHub Apps over real HTTP: the manifest flow and its conversion, installing
// (all and selected repositories) with the setup redirect and the signed installation webhook,
// the JWT checks, installation tokens (expiry, suspension, narrowing), the installation's
// repositories page by page, uninstalling, and user-to-server tokens rotated on refresh.

import assert from "node:assert/strict";
import { createHmac, sign } from "node:crypto";
import { createServer } from "node:http";
import { after, before, test } from "node:test";

import { verify } from "@octokit/webhooks-methods";
import { createRequire } from "node:module";

import { startSandbox } from "../sandbox.mjs";

// GitHub Enterprise Server 3.5's documented payloads, to hold the app's deliveries against.
const examples = createRequire(import.meta.url)("@octokit/webhooks-examples/ghes-35/index.json");
const example = (event, action) => examples.find((e) => e.name === event).examples.find((p) => p.action === action);
const missing = (documented, ours) => Object.keys(documented).filter((key) => !(key in ours));

let sandbox;
let receiver;
let api;
let web;

before(async () => {
  sandbox = await startSandbox({ maxPageSize: 4 });
  receiver = await startHookReceiver();
  api = `${sandbox.githubOrigin}/api/v3`;
  web = sandbox.githubOrigin;
});

after(async () => {
  await sandbox?.close();
  await receiver?.close();
});

/** A server that keeps every delivery's raw body and headers. */
async function startHookReceiver() {
  const deliveries = [];
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    deliveries.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
    res.writeHead(204);
    res.end();
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    deliveries,
    since: (count, path) => deliveries.slice(count).filter((d) => !path || d.path === path),
    close: () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

/** An RS256 JWT signed with `pem`, with claims relative to now (seconds). */
function jwt(pem, { iss, iat = -60, exp = 540, alg = "RS256" } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const encode = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const input = `${encode({ alg, typ: "JWT" })}.${encode({ iat: now + iat, exp: now + exp, iss })}`;
  return `${input}.${sign("RSA-SHA256", Buffer.from(input), pem).toString("base64url")}`;
}

const call = (path, { token, method = "GET", body, headers = {} } = {}) =>
  fetch(`${api}${path}`, { method, headers: { accept: "application/vnd.github+json", ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { "content-type": "application/json" } : {}), ...headers }, body: body ? JSON.stringify(body) : undefined });

async function newApp(options = {}) {
  const hookPath = `/hooks/${Math.random().toString(36).slice(2)}`;
  const app = await sandbox.createGitHubApp({ name: `app ${hookPath}`, permissions: { metadata: "read", actions: "read", pull_requests: "write", repository_hooks: "write" }, events: ["workflow_run", "workflow_job", "check_run", "pull_request"], webhookUrl: `${receiver.origin}${hookPath}`, setupUrl: `${receiver.origin}/setup`, callbackUrls: [`${receiver.origin}/callback`], ...options });
  return { ...app, hookPath };
}

async function installed(options = {}, installOptions = {}) {
  const app = await newApp(options);
  const callback = new URL(await sandbox.installGitHubApp(`${app.installUrl}?state=s1`, installOptions));
  return { app, callback, installationId: Number(callback.searchParams.get("installation_id")) };
}

async function installationToken(app, installationId, body) {
  const response = await call(`/app/installations/${installationId}/access_tokens`, { token: jwt(app.privateKey, { iss: app.appId }), method: "POST", body });
  return { response, body: await response.json() };
}

test("manifest: the page shows the app, Create redirects with a code, the conversion hands over the credentials once", async () => {
  const manifest = { name: "Forgelink CI", url: "https://forgelink.example", hook_attributes: { url: `${receiver.origin}/manifest-hook`, active: true }, redirect_url: `${receiver.origin}/redirect`, callback_urls: [`${receiver.origin}/callback`], setup_url: `${receiver.origin}/setup`, description: "CI failures", public: false, default_events: ["workflow_run"], default_permissions: { actions: "read", repository_hooks: "write" }, request_oauth_on_install: false, setup_on_update: true };
  const form = new URLSearchParams({ manifest: JSON.stringify(manifest) }).toString();
  const preview = await fetch(`${web}/settings/apps/new?state=abc`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form });
  assert.equal(preview.status, 200);
  const page = await preview.text();
  assert.match(page, /Forgelink CI/);
  assert.match(page, /repository_hooks<\/code>: write/);
  assert.match(page, /workflow_run/);
  const action = page.match(/<form method="post" action="([^"]+)">/)[1];
  const fields = Object.fromEntries([...page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2].replace(/&quot;/g, '"').replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&#39;/g, "'")]));
  assert.match(page, /Create GitHub App<\/button>/);
  const created = await fetch(new URL(action, web), { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString(), redirect: "manual" });
  assert.equal(created.status, 302);
  const location = new URL(created.headers.get("location"));
  assert.equal(`${location.origin}${location.pathname}`, `${receiver.origin}/redirect`);
  assert.equal(location.searchParams.get("state"), "abc");
  const code = location.searchParams.get("code");
  const conversion = await fetch(`${api}/app-manifests/${code}/conversions`, { method: "POST" });
  assert.equal(conversion.status, 201);
  const app = await conversion.json();
  assert.equal(app.slug, "forgelink-ci");
  assert.equal(app.name, "Forgelink CI");
  assert.match(app.client_id, /^Iv23li/);
  assert.ok(app.client_secret && app.webhook_secret);
  assert.match(app.pem, /^-----BEGIN RSA PRIVATE KEY-----/);
  assert.deepEqual(app.owner.login, "ada");
  assert.deepEqual(app.permissions, { metadata: "read", actions: "read", repository_hooks: "write" });
  assert.deepEqual(app.events, ["workflow_run"]);
  for (const key of ["id", "node_id", "description", "external_url", "html_url", "created_at", "updated_at"]) assert.ok(key in app, key);
  // The key works: the app's JWT reads GET /app.
  const self = await call("/app", { token: jwt(app.pem, { iss: app.id }) });
  assert.equal(self.status, 200);
  assert.equal((await self.json()).slug, "forgelink-ci");
  // Single use.
  const again = await fetch(`${api}/app-manifests/${code}/conversions`, { method: "POST" });
  assert.equal(again.status, 404);
  assert.equal((await again.json()).message, "Not Found");
});

test("manifest: an organization's page, a code that expires after an hour, and invalid manifests", async () => {
  const manifest = { name: "Org App", url: "https://forgelink.example", redirect_url: `${receiver.origin}/redirect` };
  const created = await fetch(`${web}/organizations/acme-platform/settings/apps/new/create`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ manifest: JSON.stringify(manifest), state: "o" }).toString(), redirect: "manual" });
  assert.equal(created.status, 302);
  const code = new URL(created.headers.get("location")).searchParams.get("code");
  sandbox.advanceGitHubAppClock(3601);
  try {
    const late = await fetch(`${api}/app-manifests/${code}/conversions`, { method: "POST" });
    assert.equal(late.status, 404);
  } finally {
    sandbox.advanceGitHubAppClock(-3601);
  }
  for (const bad of ["{not json", JSON.stringify({ url: "https://x.example" }), JSON.stringify({ name: "No URL" })]) {
    const response = await fetch(`${web}/settings/apps/new?state=x`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ manifest: bad }).toString() });
    assert.equal(response.status, 422, bad);
    await response.body.cancel();
  }
  const org = sandbox.githubApps().find((a) => a.name === "Org App");
  assert.ok(org);
});

test("install on all repositories: setup redirect, signed installation webhook, the installation as the API shows it", async () => {
  const count = receiver.deliveries.length;
  const { app, callback, installationId } = await installed({}, { account: "acme-platform" });
  assert.equal(`${callback.origin}${callback.pathname}`, `${receiver.origin}/setup`);
  assert.equal(callback.searchParams.get("setup_action"), "install");
  assert.equal(callback.searchParams.get("state"), "s1");
  assert.equal(callback.searchParams.get("code"), null);
  const [delivery] = receiver.since(count, app.hookPath);
  assert.ok(delivery, "the installation webhook arrived");
  assert.equal(delivery.headers["x-github-event"], "installation");
  assert.equal(delivery.headers["x-github-hook-installation-target-type"], "integration");
  assert.equal(delivery.headers["x-github-hook-installation-target-id"], String(app.appId));
  assert.match(delivery.headers["user-agent"], /^GitHub-Hookshot\//);
  assert.ok(await verify(app.webhookSecret, delivery.body, delivery.headers["x-hub-signature-256"]));
  assert.equal(delivery.headers["x-hub-signature-256"], `sha256=${createHmac("sha256", app.webhookSecret).update(delivery.body).digest("hex")}`);
  const payload = JSON.parse(delivery.body);
  assert.equal(payload.action, "created");
  assert.equal(payload.installation.id, installationId);
  assert.equal(payload.installation.account.login, "acme-platform");
  assert.equal(payload.installation.repository_selection, "all");
  assert.ok(payload.repositories.some((r) => r.full_name === "acme-platform/runner-images"));
  assert.equal(payload.sender.login, "ada");
  const documented = example("installation", "created");
  assert.deepEqual(missing(documented, payload), []);
  assert.deepEqual(missing(documented.installation, payload.installation), []);
  assert.deepEqual(missing(documented.installation.account, payload.installation.account), []);
  assert.deepEqual(missing(documented.repositories[0], payload.repositories[0]), []);
  assert.equal(typeof payload.installation.created_at, "number");

  const response = await call(`/app/installations/${installationId}`, { token: jwt(app.privateKey, { iss: app.clientId }) });
  assert.equal(response.status, 200);
  const installation = await response.json();
  assert.equal(installation.account.type, "Organization");
  assert.equal(installation.target_type, "Organization");
  assert.equal(installation.app_id, app.appId);
  assert.equal(installation.app_slug, app.slug);
  assert.equal(installation.single_file_name, null);
  assert.equal(installation.suspended_at, null);
  assert.equal(installation.access_tokens_url, `${api}/app/installations/${installationId}/access_tokens`);
  const list = await call("/app/installations", { token: jwt(app.privateKey, { iss: String(app.appId) }) });
  assert.deepEqual((await list.json()).map((i) => i.id), [installationId]);
  for (const path of ["/repos/acme-platform/docs/installation", "/orgs/acme-platform/installation"]) {
    const found = await call(path, { token: jwt(app.privateKey, { iss: app.appId }) });
    assert.equal(found.status, 200, path);
    assert.equal((await found.json()).id, installationId);
  }
  assert.equal((await call("/users/ada/installation", { token: jwt(app.privateKey, { iss: app.appId }) })).status, 404);
});

test("install on selected repositories, then change them: setup_action=update and installation_repositories", async () => {
  const { app, callback, installationId } = await installed({ setupOnUpdate: true, requestOauthOnInstall: true }, { repositories: ["notes"] });
  assert.equal(callback.searchParams.get("setup_action"), "install");
  // User authorization during installation returns to the first callback URL, not the setup URL.
  assert.equal(callback.pathname, "/callback");
  const code = callback.searchParams.get("code");
  assert.ok(code, "request_oauth_on_install brings a code");
  const exchanged = await fetch(`${web}/login/oauth/access_token`, { method: "POST", headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ grant_type: "authorization_code", client_id: app.clientId, client_secret: app.clientSecret, code, redirect_uri: `${receiver.origin}/callback` }) });
  assert.match((await exchanged.json()).access_token, /^ghu_/);
  assert.deepEqual(sandbox.githubAppInstallation(installationId).repositories, ["ada/notes"]);
  const count = receiver.deliveries.length;
  const again = new URL(await sandbox.installGitHubApp(`${app.installUrl}?state=s2`, { repositories: ["analytical-engine"] }));
  assert.equal(again.searchParams.get("setup_action"), "update");
  assert.equal(again.searchParams.get("installation_id"), String(installationId));
  const events = receiver.since(count, app.hookPath).map((d) => JSON.parse(d.body));
  const documented = example("installation_repositories", "added");
  assert.deepEqual(missing(documented, events[0]), []);
  assert.deepEqual(missing(documented.installation, events[0].installation), []);
  assert.deepEqual(events.map((e) => [e.action, e.repositories_added.map((r) => r.full_name), e.repositories_removed.map((r) => r.full_name)]), [
    ["added", ["ada/analytical-engine"], []],
    ["removed", [], ["ada/notes"]],
  ]);
  // Without setup_on_update the person lands on the installation's settings page.
  const plain = await installed({}, { repositories: ["notes"] });
  const updated = await sandbox.installGitHubApp(`${plain.app.installUrl}?state=s3`, { repositories: "all" });
  assert.match(updated, new RegExp(`/settings/installations/${plain.installationId}$`));
});

test("JWT: a good one passes and is counted; wrong key, expired, too long, iat in the future and unknown app are refused as GitHub does", async () => {
  const app = await newApp();
  const other = await newApp();
  const good = await call("/app", { token: jwt(app.privateKey, { iss: app.appId }) });
  assert.equal(good.status, 200);
  assert.equal((await good.json()).id, app.appId);
  assert.equal(good.headers.get("x-ratelimit-resource"), "core");
  assert.ok(good.headers.get("x-github-enterprise-version"));
  const cases = [
    [jwt(other.privateKey, { iss: app.appId }), 401, "A JSON web token could not be decoded"],
    ["not.a.jwt", 401, "A JSON web token could not be decoded"],
    [jwt(app.privateKey, { iss: app.appId, iat: -700, exp: -100 }), 401, "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires"],
    [jwt(app.privateKey, { iss: app.appId, iat: -30, exp: 660 }), 401, "'Expiration time' claim ('exp') is too far in the future"],
    [jwt(app.privateKey, { iss: app.appId, iat: 300, exp: 600 }), 401, "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued"],
    [jwt(app.privateKey, { iss: 999_999 }), 404, "Integration not found"],
    [jwt(app.privateKey, { iss: app.slug }), 404, "Integration not found"],
  ];
  for (const [token, status, message] of cases) {
    const response = await call("/app", { token });
    assert.equal(response.status, status, message);
    assert.equal((await response.json()).message, message);
  }
  assert.equal(sandbox.githubApp(app.appId).jwtRequests, 1);
});

test("installation tokens: repository routes within the installation, narrowing, expiry, suspension, revocation", async () => {
  const { app, installationId } = await installed({}, { repositories: ["notes", "analytical-engine"] });
  const { response, body } = await installationToken(app, installationId);
  assert.equal(response.status, 201);
  assert.match(body.token, /^ghs_/);
  assert.ok(Math.abs(Date.parse(body.expires_at) - Date.now() - 3_600_000) < 5_000);
  assert.equal(body.repository_selection, "selected");
  assert.equal(body.repositories, undefined);
  assert.equal(sandbox.githubApp(app.appId).tokenRequests, 1);

  const repo = await call("/repos/ada/notes", { token: body.token });
  assert.equal(repo.status, 200);
  assert.equal(repo.headers.get("x-oauth-scopes"), null);
  assert.equal((await call("/repos/acme-platform/docs", { token: body.token })).status, 404);
  assert.equal((await call("/repos/ada/notes/hooks", { token: body.token })).status, 200);
  assert.equal((await call("/repos/ada/notes/actions/runs", { token: body.token })).status, 200);
  const user = await call("/user", { token: body.token });
  assert.equal(user.status, 403);
  assert.equal((await user.json()).message, "Resource not accessible by integration");

  // Narrowed to one repository and to fewer permissions.
  const narrow = await installationToken(app, installationId, { repositories: ["notes"], repository_ids: [sandbox.projects("github").find((p) => p.path === "ada/notes").id], permissions: { metadata: "read", actions: "read" } });
  assert.equal(narrow.response.status, 201);
  assert.deepEqual(narrow.body.permissions, { metadata: "read", actions: "read" });
  assert.deepEqual(narrow.body.repositories.map((r) => r.full_name), ["ada/notes"]);
  assert.equal((await call("/repos/ada/analytical-engine", { token: narrow.body.token })).status, 404);
  const hooks = await call("/repos/ada/notes/hooks", { token: narrow.body.token });
  assert.equal(hooks.status, 403);
  const more = await installationToken(app, installationId, { permissions: { administration: "write" } });
  assert.equal(more.response.status, 422);
  const elsewhere = await installationToken(app, installationId, { repositories: ["docs"] });
  assert.equal(elsewhere.response.status, 422);

  // Expiry, on the sandbox clock and with a short lifetime.
  sandbox.setGitHubAppTokenLifetime(1);
  try {
    const short = await installationToken(app, installationId);
    sandbox.advanceGitHubAppClock(2);
    const expired = await call("/repos/ada/notes", { token: short.body.token });
    assert.equal(expired.status, 401);
    assert.equal((await expired.json()).message, "Bad credentials");
  } finally {
    sandbox.advanceGitHubAppClock(-2);
    sandbox.setGitHubAppTokenLifetime(3600);
  }

  // Suspension refuses new tokens and is announced.
  const count = receiver.deliveries.length;
  await sandbox.suspendGitHubAppInstallation(installationId);
  const suspended = await installationToken(app, installationId);
  assert.equal(suspended.response.status, 403);
  assert.equal(suspended.body.message, "This installation has been suspended");
  const during = await call("/repos/ada/notes", { token: body.token });
  assert.equal(during.status, 403);
  assert.equal((await during.json()).message, "This installation has been suspended");
  await sandbox.unsuspendGitHubAppInstallation(installationId);
  assert.deepEqual(receiver.since(count, app.hookPath).map((d) => JSON.parse(d.body).action), ["suspend", "unsuspend"]);
  assert.equal((await installationToken(app, installationId)).response.status, 201);

  // The expiredToken switch expires the installation tokens that exist when it is turned on.
  sandbox.setSwitch("expiredToken", "github");
  try {
    assert.equal((await call("/repos/ada/notes", { token: body.token })).status, 401);
  } finally {
    sandbox.setSwitch("expiredToken", false);
  }
  assert.equal((await call("/repos/ada/notes", { token: body.token })).status, 200);

  // DELETE /installation/token revokes the token it carries.
  assert.equal((await call("/installation/token", { token: body.token, method: "DELETE" })).status, 204);
  assert.equal((await call("/repos/ada/notes", { token: body.token })).status, 401);
});

test("new permissions show on the installation only once accepted", async () => {
  const { app, installationId } = await installed();
  sandbox.requestGitHubAppPermissions(app.appId, { checks: "read" });
  const read = async () => (await (await call(`/app/installations/${installationId}`, { token: jwt(app.privateKey, { iss: app.appId }) })).json()).permissions;
  assert.equal((await read()).checks, undefined);
  const count = receiver.deliveries.length;
  await sandbox.acceptGitHubAppPermissions(installationId);
  assert.equal((await read()).checks, "read");
  assert.deepEqual(receiver.since(count, app.hookPath).map((d) => JSON.parse(d.body).action), ["new_permissions_accepted"]);
});

test("/installation/repositories pages with Link, and repository events reach the app with the installation", async () => {
  const { app, installationId } = await installed({}, { account: "acme-platform" });
  const { body } = await installationToken(app, installationId);
  const names = [];
  let next = "/installation/repositories?per_page=4";
  let pages = 0;
  while (next) {
    const response = await call(next, { token: body.token });
    assert.equal(response.status, 200);
    const page = await response.json();
    assert.equal(page.total_count, 13);
    assert.equal(page.repository_selection, "all");
    assert.ok(page.repositories.every((r) => r.permissions && r.owner.login === "acme-platform"));
    names.push(...page.repositories.map((r) => r.full_name));
    const link = response.headers.get("link")?.match(/<([^>]+)>; rel="next"/)?.[1];
    next = link ? link.slice(api.length) : null;
    pages += 1;
  }
  assert.equal(pages, 4);
  assert.equal(new Set(names).size, 13);

  const count = receiver.deliveries.length;
  await sandbox.trigger({ provider: "github", project: "acme-platform/runner-images", kind: "pipeline_failed" });
  const [run] = receiver.since(count, app.hookPath);
  assert.ok(run, "the app heard of the workflow run");
  assert.equal(run.headers["x-github-event"], "workflow_run");
  assert.equal(run.headers["x-github-hook-installation-target-type"], "integration");
  assert.ok(await verify(app.webhookSecret, run.body, run.headers["x-hub-signature-256"]));
  const payload = JSON.parse(run.body);
  assert.equal(payload.installation.id, installationId);
  assert.ok(payload.installation.node_id);
  // Not subscribed to push: nothing for the app.
  const before = receiver.deliveries.length;
  await sandbox.trigger({ provider: "github", project: "acme-platform/runner-images", kind: "push" });
  assert.equal(receiver.since(before, app.hookPath).length, 0);
});

test("uninstall through the API and from the settings page: installation deleted, tokens gone", async () => {
  const { app, installationId } = await installed();
  const { body } = await installationToken(app, installationId);
  const count = receiver.deliveries.length;
  const removed = await call(`/app/installations/${installationId}`, { token: jwt(app.privateKey, { iss: app.appId }), method: "DELETE" });
  assert.equal(removed.status, 204);
  assert.deepEqual(receiver.since(count, app.hookPath).map((d) => [d.headers["x-github-event"], JSON.parse(d.body).action]), [["installation", "deleted"]]);
  assert.equal((await call("/repos/ada/notes", { token: body.token })).status, 401);
  assert.equal((await call(`/app/installations/${installationId}`, { token: jwt(app.privateKey, { iss: app.appId }) })).status, 404);

  // From the web: sign in, open the installation, press Uninstall.
  const second = await installed();
  const session = await fetch(`${web}/session`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ login: "ada", password: "analytical-engine", return_to: `/settings/installations/${second.installationId}` }), redirect: "manual" });
  assert.equal(session.status, 302);
  const cookie = session.headers.get("set-cookie").split(";")[0];
  const settings = await fetch(`${web}/settings/installations/${second.installationId}`, { headers: { cookie } });
  assert.match(await settings.text(), /Uninstall<\/button>/);
  const before = receiver.deliveries.length;
  const gone = await fetch(`${web}/settings/installations/${second.installationId}/delete`, { method: "POST", headers: { cookie } });
  assert.equal(gone.status, 200);
  await gone.body.cancel();
  assert.deepEqual(receiver.since(before, second.app.hookPath).map((d) => JSON.parse(d.body).action), ["deleted"]);
  assert.throws(() => sandbox.githubAppInstallation(second.installationId), TypeError);
});

test("user-to-server tokens: ghu_ for 8 hours, ghr_ rotated on refresh, the old one refused, revocation stops them", async () => {
  const { app } = await installed({}, { repositories: ["notes"] });
  const authorize = `${web}/login/oauth/authorize?response_type=code&client_id=${app.clientId}&redirect_uri=${encodeURIComponent(`${receiver.origin}/callback`)}&state=u1`;
  const back = new URL(await sandbox.approve(authorize));
  assert.equal(back.searchParams.get("state"), "u1");
  const token = (fields) =>
    fetch(`${web}/login/oauth/access_token`, { method: "POST", headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ client_id: app.clientId, client_secret: app.clientSecret, ...fields }) }).then((r) => r.json());
  const first = await token({ grant_type: "authorization_code", code: back.searchParams.get("code"), redirect_uri: `${receiver.origin}/callback` });
  assert.match(first.access_token, /^ghu_/);
  assert.match(first.refresh_token, /^ghr_/);
  assert.equal(first.expires_in, 28800);
  assert.equal(first.refresh_token_expires_in, 15897600);
  assert.equal(first.token_type, "bearer");
  const repos = await call("/user/repos", { token: first.access_token });
  assert.deepEqual((await repos.json()).map((r) => r.full_name), ["ada/notes"]);
  assert.equal((await call("/user", { token: first.access_token })).status, 200);

  const second = await token({ grant_type: "refresh_token", refresh_token: first.refresh_token });
  assert.match(second.access_token, /^ghu_/);
  assert.match(second.refresh_token, /^ghr_/);
  assert.notEqual(second.access_token, first.access_token);
  assert.notEqual(second.refresh_token, first.refresh_token);
  const reused = await token({ grant_type: "refresh_token", refresh_token: first.refresh_token });
  assert.equal(reused.error, "bad_refresh_token");

  // (oidc-provider then revokes the whole grant, as OAuth 2.0 Security BCP advises for a reused
  // refresh token; GitHub does not document what it does, so this test does not lean on it.)
  const fresh = new URL(await sandbox.approve(authorize.replace("state=u1", "state=u2")));
  const third = await token({ grant_type: "authorization_code", code: fresh.searchParams.get("code"), redirect_uri: `${receiver.origin}/callback` });
  assert.match(third.access_token, /^ghu_/);
  assert.equal((await call("/user", { token: third.access_token })).status, 200);
  const count = receiver.deliveries.length;
  await sandbox.revokeGitHubAppAuthorization(app.appId);
  assert.equal((await call("/user", { token: third.access_token })).status, 401);
  assert.deepEqual(receiver.since(count, app.hookPath).map((d) => [d.headers["x-github-event"], JSON.parse(d.body).action]), [["github_app_authorization", "revoked"]]);
  assert.equal((await token({ grant_type: "refresh_token", refresh_token: third.refresh_token })).error, "bad_refresh_token");
});

test("control page: register a GitHub App, then suspend its installation with a button", async () => {
  const post = (path, fields) => fetch(`${sandbox.origin}${path}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields), redirect: "manual" });
  const registered = await post("/sandbox/github-apps", { name: "From the control page", permissions: "metadata=read actions=read", events: "workflow_run", webhookUrl: "", setupUrl: `${receiver.origin}/setup`, callbackUrl: "" });
  assert.equal(registered.status, 201);
  const page = await registered.text();
  const appId = Number(page.match(/id="app-id">(\d+)</)[1]);
  assert.match(page, /-----BEGIN RSA PRIVATE KEY-----/);
  const app = sandbox.githubApp(appId);
  assert.deepEqual(app.permissions, { metadata: "read", actions: "read" });
  await sandbox.installGitHubApp(`${sandbox.githubOrigin}/apps/${app.slug}/installations/new`);
  const [installation] = sandbox.githubApp(appId).installations;
  const home = await (await fetch(sandbox.url)).text();
  assert.ok(home.includes(`aria-label="Suspend: installation ${installation.id}"`));
  const suspended = await post("/sandbox/github-apps/installation", { installationId: String(installation.id), action: "suspend" });
  assert.equal(suspended.status, 303);
  assert.ok(sandbox.githubAppInstallation(installation.id).suspendedAt);
  const state = await (await fetch(new URL("state.json", sandbox.url))).json();
  assert.ok(state.githubApps.some((a) => a.appId === appId));
});

test("the app's webhook configuration: read, pointed elsewhere with a new secret, then deliveries follow it", async () => {
  const { app, installationId } = await installed({}, { account: "acme-platform" });
  const token = () => jwt(app.privateKey, { iss: app.appId });
  const read = await call("/app/hook/config", { token: token() });
  assert.equal(read.status, 200);
  assert.deepEqual(await read.json(), { content_type: "json", insecure_ssl: "0", url: `${receiver.origin}${app.hookPath}`, secret: "********" });
  const moved = await call("/app/hook/config", { token: token(), method: "PATCH", body: { url: `${receiver.origin}/moved`, content_type: "json", secret: "a new secret", insecure_ssl: "0" } });
  assert.equal(moved.status, 200);
  assert.equal((await moved.json()).url, `${receiver.origin}/moved`);
  assert.equal((await call("/app/hook/config", { token: token(), method: "PATCH", body: { url: "not a url" } })).status, 422);
  const count = receiver.deliveries.length;
  await sandbox.suspendGitHubAppInstallation(installationId);
  const [delivery] = receiver.since(count, "/moved");
  assert.ok(delivery, "the delivery went to the new URL");
  assert.ok(await verify("a new secret", delivery.body, delivery.headers["x-hub-signature-256"]));
  assert.equal(receiver.since(count, app.hookPath).length, 0);
});

test("/user/installations with a user-to-server token, refused to other tokens; the Date header follows the sandbox clock", async () => {
  const { app, installationId } = await installed({}, { repositories: ["notes"] });
  const back = new URL(await sandbox.approve(`${web}/login/oauth/authorize?response_type=code&client_id=${app.clientId}&redirect_uri=${encodeURIComponent(`${receiver.origin}/callback`)}&state=i1`));
  const exchanged = await fetch(`${web}/login/oauth/access_token`, { method: "POST", headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ grant_type: "authorization_code", client_id: app.clientId, client_secret: app.clientSecret, code: back.searchParams.get("code"), redirect_uri: `${receiver.origin}/callback` }) });
  const { access_token: ghu } = await exchanged.json();
  const list = await call("/user/installations?per_page=100", { token: ghu });
  assert.equal(list.status, 200);
  const body = await list.json();
  assert.equal(body.total_count, 1);
  assert.deepEqual(body.installations.map((i) => i.id), [installationId]);
  const repositories = await call(`/user/installations/${installationId}/repositories`, { token: ghu });
  assert.deepEqual((await repositories.json()).repositories.map((r) => r.full_name), ["ada/notes"]);
  const { token: classic } = sandbox.createAccessToken({ provider: "github", scopes: ["repo"] });
  const refused = await call("/user/installations", { token: classic });
  assert.equal(refused.status, 403);

  sandbox.advanceGitHubAppClock(7200);
  try {
    const later = await call("/app", { token: jwt(app.privateKey, { iss: app.appId, iat: 7140, exp: 7700 }) });
    assert.equal(later.status, 200);
    assert.ok(Math.abs(Date.parse(later.headers.get("date")) - (Date.now() + 7_200_000)) < 5_000);
  } finally {
    sandbox.advanceGitHubAppClock(-7200);
  }
});
