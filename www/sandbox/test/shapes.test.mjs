// The sandbox's own answers, read over HTTP without forgelink: token endpoint shapes,
// pagination the providers' ways, the headers a delivery carries, and signatures checked by
// an independent implementation (@octokit/webhooks-methods for GitHub's).

import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import { after, before, test } from "node:test";

import { verify } from "@octokit/webhooks-methods";

import { cloudUrl, sandboxFetch, startSandbox } from "../sandbox.mjs";

const REDIRECT = "http://127.0.0.1:9/oauth/callback";
let sandbox;
let receiver;
const received = [];

before(async () => {
  sandbox = await startSandbox({ maxPageSize: 10 });
  receiver = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(204).end();
    });
  });
  await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
});

after(async () => {
  await sandbox?.close();
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
});

const hookUrl = () => `http://127.0.0.1:${receiver.address().port}/hooks`;

/** Runs the authorization code flow by hand and answers the token endpoint's response. */
async function tokenResponse(provider, { scope, endpoint, basic = false, accept = "application/json", code: override } = {}) {
  const app = await sandbox.registerApplication({ provider, redirectUri: REDIRECT });
  const base = sandbox.providers[provider].baseUrl;
  const paths = {
    gitlab: ["/oauth/authorize", "/oauth/token"],
    github: ["/login/oauth/authorize", "/login/oauth/access_token"],
    "bitbucket-cloud": ["/site/oauth2/authorize", "/site/oauth2/access_token"],
    "bitbucket-data-center": ["/rest/oauth2/latest/authorize", "/rest/oauth2/latest/token"],
  }[provider];
  const authorize = new URL(`${base}${paths[0]}`);
  authorize.search = new URLSearchParams({ response_type: "code", client_id: app.clientId, redirect_uri: REDIRECT, state: "s", ...(scope ? { scope } : {}) }).toString();
  const callback = new URL(await sandbox.approve(authorize.href));
  const code = override ?? callback.searchParams.get("code");
  const form = { grant_type: "authorization_code", code, redirect_uri: REDIRECT };
  const headers = { "content-type": "application/x-www-form-urlencoded", accept };
  if (basic) headers.authorization = `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString("base64")}`;
  else Object.assign(form, { client_id: app.clientId, client_secret: app.clientSecret });
  const response = await sandboxFetch(sandbox)(endpoint ?? `${base}${paths[1]}`, { method: "POST", headers, body: new URLSearchParams(form).toString() });
  return { response, app };
}

test("GitLab's token answer: Bearer, 7200 s, created_at, a refresh token", async () => {
  const { response } = await tokenResponse("gitlab", { scope: "api read_user" });
  const body = await response.json();
  assert.deepEqual(Object.keys(body).sort(), ["access_token", "created_at", "expires_in", "refresh_token", "scope", "token_type"]);
  assert.equal(body.token_type, "Bearer");
  assert.equal(body.expires_in, 7200);
  assert.equal(body.scope, "api read_user");
  assert.ok(Math.abs(body.created_at - Date.now() / 1000) < 60);
});

test("GitHub's token answer: commas, no expiry, no refresh token", async () => {
  const { response } = await tokenResponse("github", { scope: "repo admin:repo_hook" });
  const body = await response.json();
  assert.deepEqual(Object.keys(body).sort(), ["access_token", "scope", "token_type"]);
  assert.equal(body.scope, "repo,admin:repo_hook");
  assert.equal(body.token_type, "bearer");
});

test("GitHub's token errors come with HTTP 200, form-encoded when JSON is not asked for", async () => {
  const { response } = await tokenResponse("github", { scope: "repo", accept: "*/*", code: "not-a-code" });
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type"), /application\/x-www-form-urlencoded/);
  const fields = new URLSearchParams(await response.text());
  assert.equal(fields.get("error"), "bad_verification_code");
});

test("Bitbucket Cloud's token answer: the consumer's permissions in `scopes`, HTTP Basic only", async () => {
  const { response } = await tokenResponse("bitbucket-cloud", { basic: true, endpoint: "https://bitbucket.org/site/oauth2/access_token" });
  const body = await response.json();
  assert.equal(body.scopes, "account repository pullrequest webhook pipeline");
  assert.equal(body.expires_in, 7200);
  assert.equal(body.state, "authorization_code");
  assert.ok(body.refresh_token);
  assert.equal(body.scope, undefined);
  const refused = await tokenResponse("bitbucket-cloud", { basic: false, endpoint: "https://bitbucket.org/site/oauth2/access_token" });
  assert.equal(refused.response.status, 401);
  assert.equal((await refused.response.json()).error, "invalid_client");
});

test("Data Center's token answer: scope, one hour, a refresh token", async () => {
  const { response } = await tokenResponse("bitbucket-data-center", { scope: "REPO_ADMIN" });
  const body = await response.json();
  assert.deepEqual(Object.keys(body).sort(), ["access_token", "expires_in", "refresh_token", "scope", "token_type"]);
  assert.equal(body.expires_in, 3600);
  assert.equal(body.scope, "REPO_ADMIN");
});

test("GitLab pages with Link and x-next-page, and names the SHA-256 format repository_object_format", async () => {
  const { token } = sandbox.createAccessToken({ provider: "gitlab", scopes: ["read_api"] });
  const headers = { authorization: `Bearer ${token}` };
  const base = `${sandbox.providers.gitlab.baseUrl}/api/v4/projects?membership=true&order_by=path&sort=asc&per_page=100`;
  const first = await fetch(base, { headers });
  assert.equal(first.headers.get("x-per-page"), "10", "per_page is capped at the largest page");
  assert.equal(first.headers.get("x-next-page"), "2");
  assert.equal(first.headers.get("x-total"), String(sandbox.projects("gitlab").length));
  const next = first.headers.get("link").match(/<([^>]+)>; rel="next"/)[1];
  const last = await fetch(next.replace("page=2", "page=3"), { headers });
  assert.equal(last.headers.get("x-next-page"), "");
  assert.doesNotMatch(last.headers.get("link"), /rel="next"/);
  const all = [...(await first.json()), ...(await (await fetch(next, { headers })).json()), ...(await last.json())];
  const sha256 = all.find((p) => p.path_with_namespace === "ada/analytical-engine");
  assert.equal(sha256.repository_object_format, "sha256");
  assert.deepEqual(sha256.permissions.project_access, { access_level: 50, notification_level: 3 });
});

test("Bitbucket Cloud pages with `next` on api.bitbucket.org", async () => {
  const { token } = sandbox.createAccessToken({ provider: "bitbucket-cloud", scopes: ["account", "repository"] });
  const fetchCloud = sandboxFetch(sandbox);
  const response = await fetchCloud("https://api.bitbucket.org/2.0/user/permissions/repositories?pagelen=100", { headers: { authorization: `Bearer ${token}` } });
  const body = await response.json();
  assert.equal(body.pagelen, 10);
  assert.match(body.next, /^https:\/\/api\.bitbucket\.org\/2\.0\/user\/permissions\/repositories\?pagelen=100&page=2$/);
  assert.equal(response.headers.get("x-oauth-scopes"), "account, repository");
  const second = await (await fetchCloud(body.next, { headers: { authorization: `Bearer ${token}` } })).json();
  assert.equal(second.next, undefined);
  assert.equal(body.values.length + second.values.length, sandbox.projects("bitbucket-cloud").length);
});

test("Data Center pages with isLastPage and nextPageStart, and names the caller in X-AUSERNAME", async () => {
  const { token } = sandbox.createAccessToken({ provider: "bitbucket-data-center", scopes: ["REPO_READ"] });
  const base = `${sandbox.providers["bitbucket-data-center"].baseUrl}/rest/api/1.0`;
  const first = await fetch(`${base}/repos?limit=100`, { headers: { authorization: `Bearer ${token}` } });
  const body = await first.json();
  assert.deepEqual([body.isLastPage, body.nextPageStart, body.limit], [false, 10, 10]);
  assert.equal(first.headers.get("x-ausername"), "ada");
  const anonymous = await fetch(`${base}/application-properties`);
  assert.equal(anonymous.headers.get("x-ausername"), null);
});

test("GitHub deliveries verify with @octokit/webhooks-methods over the exact bytes", async () => {
  const { token } = sandbox.createAccessToken({ provider: "github", scopes: ["repo", "admin:repo_hook"] });
  const created = await fetch(`${sandbox.providers.github.baseUrl}/api/v3/repos/ada/notes/hooks`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "web", active: true, events: ["push", "workflow_job"], config: { url: hookUrl(), content_type: "json", secret: "It's a Secret to Everybody", insecure_ssl: "0" } }),
  });
  assert.equal(created.status, 201);
  const hook = await created.json();
  assert.equal(hook.config.secret, "********");
  received.length = 0;
  const [sent] = await sandbox.trigger({ provider: "github", project: "ada/notes", kind: "job_failed" });
  assert.equal(sent.status, 204);
  const { headers, body } = received[0];
  assert.equal(headers["x-github-event"], "workflow_job");
  assert.equal(headers["x-github-hook-id"], String(hook.id));
  assert.ok(await verify("It's a Secret to Everybody", body.toString("utf8"), headers["x-hub-signature-256"]));
  assert.equal(JSON.parse(body).workflow_job.conclusion, "failure");
  // Not subscribed to workflow_run: nothing is sent.
  assert.deepEqual(await sandbox.trigger({ provider: "github", project: "ada/notes", kind: "pipeline_failed" }), []);
});

test("Bitbucket Cloud deliveries: X-Hook-UUID without braces, X-Hub-Signature over the body", async () => {
  const { token } = sandbox.createAccessToken({ provider: "bitbucket-cloud", scopes: ["webhook", "repository"] });
  const created = await sandboxFetch(sandbox)("https://api.bitbucket.org/2.0/repositories/acme/docs/hooks", {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ description: "t", url: hookUrl(), active: true, secret: "s3cret", events: ["repo:push"] }),
  });
  // acme/docs is only writable: hooks need admin.
  assert.equal(created.status, 403);
  const ok = await sandboxFetch(sandbox)("https://api.bitbucket.org/2.0/repositories/acme/infrastructure/hooks", {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ description: "t", url: hookUrl(), active: true, secret: "s3cret", events: ["repo:push"] }),
  });
  const hook = await ok.json();
  assert.match(hook.uuid, /^\{[0-9a-f-]{36}\}$/);
  assert.equal(hook.secret_set, true);
  received.length = 0;
  await sandbox.trigger({ provider: "bitbucket-cloud", project: "acme/infrastructure", kind: "push" });
  const { headers, body } = received[0];
  assert.equal(`{${headers["x-hook-uuid"]}}`, hook.uuid);
  assert.equal(headers["x-event-key"], "repo:push");
  assert.equal(headers["x-hub-signature"], `sha256=${createHmac("sha256", "s3cret").update(body).digest("hex")}`);
  await sandbox.redeliver(headers["x-request-uuid"]);
  assert.equal(received[1].headers["x-request-uuid"], headers["x-request-uuid"]);
  assert.equal(received[1].headers["x-attempt-number"], "2");
  assert.ok(received[1].body.equals(body));
});

test("Data Center refuses webhooks without repository admin with 401 and an AuthorisationException", async () => {
  const { token } = sandbox.createAccessToken({ provider: "bitbucket-data-center", role: "REPO_ADMIN", scopes: [] });
  const response = await fetch(`${sandbox.providers["bitbucket-data-center"].baseUrl}/rest/api/latest/projects/OPS/repos/deploy-scripts/webhooks`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(response.status, 401);
  assert.equal((await response.json()).errors[0].exceptionName, "com.atlassian.bitbucket.AuthorisationException");
});

test("cloudUrl maps only Bitbucket Cloud's hosts, onto the newest sandbox", () => {
  assert.equal(cloudUrl("https://bitbucket.org/site/oauth2/authorize?x=1"), `${sandbox.origin}/bitbucket-cloud/site/oauth2/authorize?x=1`);
  assert.equal(cloudUrl("https://api.bitbucket.org/2.0/user"), `${sandbox.origin}/bitbucket-cloud/api/2.0/user`);
  for (const other of ["https://bitbucket.org.evil.example/x", "https://gitlab.com/api/v4/user", `${sandbox.providers.gitlab.baseUrl}/api/v4/user`]) assert.equal(cloudUrl(other), other);
});
