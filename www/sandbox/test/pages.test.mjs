// The pages a person clicks through, over plain HTTP: the control page's forms (register an
// application, create a token, flip switches, trigger and redeliver), and each provider's
// login and consent pages, refusals included.

import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, describe, test } from "node:test";

import { startSandbox } from "../sandbox.mjs";

let sandbox;
let receiver;
let received = [];

before(async () => {
  sandbox = await startSandbox();
  receiver = createServer((req, res) => {
    received.push(req.headers);
    req.resume().on("end", () => res.writeHead(204).end());
  });
  await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
});

after(async () => {
  await sandbox?.close();
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
});

const post = (path, fields, headers = {}) =>
  fetch(new URL(path, sandbox.url), { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body: new URLSearchParams(fields).toString(), redirect: "manual" });

const text = (html, id) => html.match(new RegExp(`id="${id}"[^>]*>([^<]*)<`))?.[1];

describe("control page", () => {
  test("is an accessible page with every form, and names each base URL", async () => {
    const response = await fetch(sandbox.url);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type"), /text\/html/);
    const html = await response.text();
    assert.match(html, /<html lang="en">/);
    for (const action of ["/sandbox/applications", "/sandbox/tokens", "/sandbox/switches"]) assert.ok(html.includes(`action="${action}"`), action);
    for (const { baseUrl } of Object.values(sandbox.providers)) assert.ok(html.includes(baseUrl), baseUrl);
    // Every input a person types into has a label or an accessible name.
    for (const [, id] of html.matchAll(/<input id="([^"]+)"/g)) assert.ok(html.includes(`for="${id}"`), `label for ${id}`);
    assert.doesNotMatch(html, /<script\b|<link\b(?![^>]*href="data:)|https?:\/\/(?!127\.0\.0\.1|bitbucket\.org)[^"<\s]+\.(js|css|woff2?)/);
  });

  test("registers an application and shows its id and secret once", async () => {
    const response = await post("/sandbox/applications", { provider: "gitlab", name: "Wizard", redirectUri: "http://127.0.0.1:8080/oauth/callback" });
    assert.equal(response.status, 201);
    const html = await response.text();
    const clientId = text(html, "client-id");
    assert.match(clientId, /^[0-9a-f]{64}$/);
    assert.match(text(html, "client-secret"), /^gloas-[0-9a-f]{64}$/);
    assert.ok(sandbox.applications("gitlab").some((a) => a.clientId === clientId && a.name === "Wizard"));
  });

  test("refuses an application without a redirect URI, saying why", async () => {
    const response = await post("/sandbox/applications", { provider: "github", name: "x", redirectUri: "not a url" });
    assert.equal(response.status, 400);
    assert.match(await response.text(), /not an absolute URL/);
  });

  test("creates a Data Center token with a role", async () => {
    const response = await post("/sandbox/tokens", { provider: "bitbucket-data-center", scopes: "", role: "REPO_WRITE" });
    assert.equal(response.status, 201);
    const html = await response.text();
    assert.match(text(html, "token"), /^BBDC-/);
    assert.match(html, /REPO_WRITE/);
  });

  test("refuses a scope the provider does not have", async () => {
    const response = await post("/sandbox/tokens", { provider: "github", scopes: "api" });
    assert.equal(response.status, 400);
    assert.match(await response.text(), /Not GitHub Enterprise Server scopes: api/);
  });

  test("flips switches and shows them flipped", async () => {
    const response = await post("/sandbox/switches", { expiredToken: "off", missingScope: "only", "missingScope-only": "gitlab github", projectNotFound: "on", instanceTooOld: "off", unreachable: "off", slow: "0" });
    assert.equal(response.status, 303);
    assert.deepEqual(sandbox.switches(), { expiredToken: false, missingScope: ["gitlab", "github"], projectNotFound: true, instanceTooOld: false, unreachable: false, slow: 0, dropDeliveries: false, rateLimited: false, signingTokens: true });
    const html = await (await fetch(sandbox.url)).text();
    assert.match(html, /id="projectNotFound-on" name="projectNotFound" value="on" checked/);
    assert.match(html, /id="missingScope-only" name="missingScope" value="only" checked/);
    await post("/sandbox/switches", { missingScope: "off", projectNotFound: "off", slow: "0" });
    assert.equal(sandbox.switches().projectNotFound, false);
  });

  test("refuses a form posted from another site", async () => {
    const response = await post("/sandbox/switches", { unreachable: "on" }, { origin: "https://evil.example" });
    assert.equal(response.status, 403);
    assert.equal(sandbox.switches().unreachable, false);
  });

  test("triggers a delivery to a project's hooks and redelivers it", async () => {
    // A hook registered through the API, as forgelink would.
    const { token } = sandbox.createAccessToken({ provider: "gitlab", scopes: ["api"] });
    const hookUrl = `http://127.0.0.1:${receiver.address().port}/hooks`;
    const created = await fetch(`${sandbox.providers.gitlab.baseUrl}/api/v4/projects/${encodeURIComponent("platform/api-gateway")}/hooks`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ url: hookUrl, token: "s3cret", push_events: true }),
    });
    assert.equal(created.status, 201);
    const page = await (await fetch(sandbox.url)).text();
    assert.ok(page.includes(hookUrl));
    assert.match(page, /aria-label="Push on platform\/api-gateway"/);
    received = [];
    const response = await post("/sandbox/trigger", { provider: "gitlab", project: "platform/api-gateway", kind: "push" });
    assert.equal(response.status, 200);
    assert.match(await response.text(), /204/);
    assert.equal(received.length, 1);
    assert.equal(received[0]["x-gitlab-event"], "Push Hook");
    assert.equal(received[0]["x-gitlab-token"], "s3cret");
    const deliveryId = received[0]["x-gitlab-event-uuid"];
    const again = await post("/sandbox/redeliver", { deliveryId });
    assert.equal(again.status, 200);
    assert.equal(received.length, 2);
    assert.equal(received[1]["idempotency-key"], received[0]["idempotency-key"]);
    const state = await (await fetch(new URL("state.json", sandbox.url))).json();
    assert.equal(state.deliveries.find((d) => d.deliveryId === deliveryId).attempts, 2);
  });

  test("with dropDeliveries on for a project, its deliveries are recorded as dropped and not sent", async () => {
    const switched = await post("/sandbox/switches", { dropDeliveries: "only", "dropDeliveries-only": "platform/api-gateway", slow: "0" });
    assert.equal(switched.status, 303);
    assert.equal(sandbox.switches().dropDeliveries, "platform/api-gateway");
    received = [];
    const response = await post("/sandbox/trigger", { provider: "gitlab", project: "platform/api-gateway", kind: "push" });
    assert.equal(response.status, 200);
    assert.match(await response.text(), /dropped, not sent \(dropDeliveries is on\)/);
    assert.equal(received.length, 0, "nothing left the sandbox");
    const state = await (await fetch(new URL("state.json", sandbox.url))).json();
    const dropped = state.deliveries.at(-1);
    assert.deepEqual([dropped.status, dropped.error, dropped.dropped], [null, "dropped", true]);
    await post("/sandbox/switches", { dropDeliveries: "off", slow: "0" });
    assert.equal(sandbox.switches().dropDeliveries, false);
    // Once the hook works again, a redelivery sends it.
    await post("/sandbox/redeliver", { deliveryId: dropped.deliveryId });
    assert.equal(received.length, 1);
  });
});

describe("login and consent pages", () => {
  const REDIRECT = "http://127.0.0.1:9/oauth/callback";

  /** The authorization URL a client would build, on the sandbox. */
  async function authorization(provider, extra = {}) {
    const app = await sandbox.registerApplication({ provider, redirectUri: REDIRECT });
    const endpoint = {
      gitlab: `${sandbox.providers.gitlab.baseUrl}/oauth/authorize`,
      github: `${sandbox.providers.github.baseUrl}/login/oauth/authorize`,
      "bitbucket-cloud": "https://bitbucket.org/site/oauth2/authorize",
      "bitbucket-data-center": `${sandbox.providers["bitbucket-data-center"].baseUrl}/rest/oauth2/latest/authorize`,
    }[provider];
    const url = new URL(endpoint);
    url.search = new URLSearchParams({ response_type: "code", client_id: app.clientId, redirect_uri: REDIRECT, state: "st4te", ...extra }).toString();
    return url.href;
  }

  /** Follows redirects inside the sandbox by hand, keeping cookies, until a page answers. */
  async function open(href, jar = new Map(), init = {}) {
    for (let i = 0; i < 6; i++) {
      const response = await fetch(href, { ...init, redirect: "manual", headers: { ...init.headers, cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") } });
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(";");
        const eq = pair.indexOf("=");
        jar.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
      const location = response.headers.get("location");
      if (!location || !new URL(location, href).href.startsWith("http://127.0.0.1") || new URL(location, href).href.startsWith(REDIRECT)) return { response, href, jar, location: location && new URL(location, href).href };
      await response.body?.cancel();
      href = new URL(location, href).href;
      init = {};
    }
    throw new Error("too many redirects");
  }

  test("GitLab's sign-in page shows the sandbox password and labels its fields", async () => {
    const { response } = await open(await authorization("gitlab", { scope: "api" }));
    assert.equal(response.status, 200);
    const html = await response.text();
    assert.match(html, /<label for="username">Username<\/label><input id="username"/);
    assert.match(html, /<label for="password">Password<\/label><input id="password" name="password" type="password"/);
    assert.ok(html.includes(sandbox.providers.gitlab.account.password), "the password is on the page");
  });

  test("a wrong password is refused on the page", async () => {
    const first = await open(await authorization("github", { scope: "repo" }));
    const html = await first.response.text();
    const action = html.match(/<form method="post" action="([^"]+\/login)"/)[1];
    const { response } = await open(new URL(action, first.href).href, first.jar, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "username=ada&password=wrong",
    });
    assert.equal(response.status, 401);
    assert.match(await response.text(), /role="alert"[^>]*>Invalid username or password/);
    await assert.rejects(sandbox.approve(await authorization("github", { scope: "repo" }), { password: "wrong" }), /Invalid username or password/);
  });

  test("the consent page lists the scopes, and Deny sends access_denied back", async () => {
    const url = await authorization("bitbucket-data-center", { scope: "REPO_ADMIN" });
    const callback = await sandbox.approve(url, { deny: true });
    const params = new URL(callback).searchParams;
    assert.equal(params.get("error"), "access_denied");
    assert.equal(params.get("state"), "st4te");
  });

  test("Bitbucket Cloud's consent lists the consumer's permissions, not the request's", async () => {
    // The authorization URL names bitbucket.org; the sandbox stands in for it.
    const first = await open(sandbox.cloudUrl(await authorization("bitbucket-cloud")));
    const login = await first.response.text();
    const action = login.match(/<form method="post" action="([^"]+\/login)"/)[1];
    const consent = await open(new URL(action, first.href).href, first.jar, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "username=ada&password=analytical-engine",
    });
    const html = await consent.response.text();
    assert.match(html, /<h1>Authorize forgelink<\/h1>/);
    for (const scope of ["account", "repository", "pullrequest", "webhook", "pipeline"]) assert.ok(html.includes(`<code>${scope}</code>`), scope);
  });

  test("an unregistered redirect URI is refused on the provider's page", async () => {
    const url = new URL(await authorization("gitlab", { scope: "api" }));
    url.searchParams.set("redirect_uri", "http://127.0.0.1:9/elsewhere");
    const response = await fetch(url, { redirect: "manual" });
    assert.equal(response.status, 400);
    assert.match(await response.text(), /data-error="invalid_redirect_uri"/);
  });
});
