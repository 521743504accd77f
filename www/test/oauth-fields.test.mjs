// Steps 4 and 5 of the OAuth path in headless Chromium against the provider sandbox: what
// Connect refuses before anyone is sent to the provider, each problem said next to its field,
// and the client secret kept by the server, never by the browser, across the trip there and back.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { choose, disconnectConfirmed, finish, openPage, pkgDir, section, startWizard, stopWizard, waitReady } from "./support/browser.mjs";

let sandbox;
let server;
let browser;
let forgelink;

before(async () => {
  ({ sandbox, browser, server } = await startWizard("oauth-fields"));
  forgelink = await import(pathToFileURL(join(pkgDir, "flows.js")).href);
});

after(() => stopWizard({ sandbox, browser, server }));

const scopesFor = (provider) => forgelink.profiles()[0].providers.find((n) => n.provider === provider).scopes.map((s) => s.name);
const register = (provider) => sandbox.registerApplication({ provider, redirectUri: server.redirectUri, scopes: scopesFor(provider) });

/**
 * The wizard on `provider`'s self-hosted deployment at the sandbox's address, with every request
 * that leaves the wizard's own origin noted: the provider's authorization page is one.
 */
async function openAt(provider, deployment) {
  // The server refuses some fields with a 400, which the page shows at the field.
  const refusedStart = (r) =>
    typeof r.status === "function"
      ? new URL(r.url()).pathname === "/api/connect/start" && r.status() === 400
      : /status of 400/.test(r.text()) && new URL(r.location().url).pathname === "/api/connect/start";
  const page = await openPage(browser.context, server.url, { allowStatus: refusedStart });
  const wizard = new URL(server.url).origin;
  page.leftForProvider = [];
  page.on("request", (request) => {
    if (new URL(request.url()).origin !== wizard) page.leftForProvider.push(request.url());
  });
  await choose(page, "provider", provider);
  await choose(page, "deployment", deployment);
  await page.getByLabel("Instance URL").fill(sandbox.providers[provider].baseUrl);
  return page;
}

const connect = (page) => page.getByRole("button", { name: "Connect", exact: true }).click();

/** Waits for the field's problem, then checks that it is said next to the field and focused. */
async function refusedAt(page, id, pattern) {
  const problem = page.locator(`#${id}-problem`);
  await problem.waitFor();
  assert.match(await problem.innerText(), pattern);
  const field = page.locator(`#${id}`);
  assert.equal(await field.getAttribute("aria-invalid"), "true", `${id} is marked invalid`);
  assert.ok((await field.getAttribute("aria-describedby")).split(" ").includes(`${id}-problem`), `${id} is described by its problem`);
  assert.equal(await page.evaluate(() => document.activeElement.id), id, "focus moves to the first problem");
  assert.match(await page.locator("#oauth-result").innerText(), /Connect waits until the fields marked above are right/);
  return problem;
}

/** Nothing went to the provider: no request for its authorization page, or anything else of it. */
async function stayedHere(page) {
  // Long enough for a navigation Connect had started to be requested.
  await page.waitForTimeout(300);
  assert.deepEqual(page.leftForProvider, [], "no request left for the provider");
  assert.equal(new URL(page.url()).origin, new URL(server.url).origin);
}

async function signInAndAuthorize(page, provider) {
  const signIn = page.getByRole("button", { name: "Sign in" });
  const authorize = page.getByRole("button", { name: "Authorize" });
  await signIn.or(authorize).first().waitFor();
  if (await signIn.count()) {
    await page.getByLabel("Password").fill(sandbox.providers[provider].account.password);
    await signIn.click();
  }
  await authorize.click();
  await page.waitForURL((url) => url.href.startsWith(server.url) && !url.searchParams.has("outcome"));
  await waitReady(page);
}

/** Everything the browser keeps for the page, and its address. */
const browserKept = (page) =>
  page.evaluate(() => ({
    session: JSON.stringify({ ...sessionStorage }),
    local: JSON.stringify({ ...localStorage }),
    cookie: document.cookie,
    url: location.href,
  }));

describe("Connect checks steps 4 and 5 before sending anyone to the provider", () => {
  test("an empty client ID is refused next to the field", async () => {
    const page = await openAt("github", "github-enterprise-server");
    await connect(page);
    await refusedAt(page, "client-id", /The client ID is empty/);
    await stayedHere(page);
    // Fixing the field takes its problem away.
    await page.getByLabel("Client ID").fill("Iv1.0123456789abcdef");
    assert.equal(await page.locator("#client-id-problem").isHidden(), true);
    assert.equal(await page.locator("#client-id").getAttribute("aria-invalid"), "false");
    await finish(page);
  });

  test("GitHub without a client secret: the server's rule, said at the secret field", async () => {
    const page = await openAt("github", "github-enterprise-server");
    const application = await register("github");
    await page.getByLabel("Client ID").fill(application.clientId);
    await connect(page);
    const problem = await refusedAt(page, "client-secret", /secret/i);
    assert.equal(await problem.locator("[data-code]").getAttribute("data-code"), "oauth.client_secret_required");
    await browser.shot(section(page, "step-authorize"), "42-client-secret-required.png");
    await stayedHere(page);
    await finish(page);
  });

  test("an access token pasted as the client secret is refused by its prefix", async () => {
    const page = await openAt("github", "github-enterprise-server");
    const application = await register("github");
    await page.getByLabel("Client ID").fill(application.clientId);
    await page.getByLabel("Client secret").fill(`ghp_${"a".repeat(36)}`);
    await connect(page);
    const problem = await refusedAt(page, "client-secret", /personal access token/);
    assert.equal(await problem.locator("[data-code]").getAttribute("data-code"), "wizard.client_secret_shape");
    await stayedHere(page);
    await finish(page);
  });

  test("spaces pasted around the client ID and secret are removed and said; the next Connect goes", async () => {
    const page = await openAt("gitlab", "gitlab-self-managed");
    const application = await register("gitlab");
    await page.getByLabel("Client ID").fill(`  ${application.clientId}\n`);
    await page.getByLabel("Client secret").fill(`${application.clientSecret} `);
    await connect(page);
    await refusedAt(page, "client-id", /Spaces pasted around the client ID were removed/);
    assert.match(await page.locator("#client-secret-problem").innerText(), /Spaces pasted around the client secret were removed/);
    assert.equal(await page.getByLabel("Client ID").inputValue(), application.clientId);
    assert.equal(await page.getByLabel("Client secret").inputValue(), application.clientSecret);
    await stayedHere(page);

    await connect(page);
    await page.waitForURL((url) => url.href.startsWith(sandbox.providers.gitlab.baseUrl));
    await page.close();
  });

  test("a redirect URI other than the server's is refused at step 4's field", async () => {
    const page = await openAt("gitlab", "gitlab-self-managed");
    const application = await register("gitlab");
    const other = server.redirectUri.replace("/oauth/callback", "/callback");
    await page.getByLabel("Redirect URI to paste").fill(other);
    await page.getByLabel("Client ID").fill(application.clientId);
    await page.getByLabel("Client secret").fill(application.clientSecret);
    await connect(page);
    const problem = await refusedAt(page, "redirect-uri", /Register exactly that/);
    assert.match(await problem.innerText(), new RegExp(server.redirectUri.replace(/[.]/g, "\\.")));
    await stayedHere(page);
    await finish(page);
  });

  test("GitLab goes without a client secret: a non-confidential application uses PKCE alone", async () => {
    const page = await openAt("gitlab", "gitlab-self-managed");
    const application = await register("gitlab");
    await page.getByLabel("Client ID").fill(application.clientId);
    await connect(page);
    await page.waitForURL((url) => url.href.startsWith(sandbox.providers.gitlab.baseUrl));
    const authorize = new URL(page.leftForProvider[0]);
    assert.equal(authorize.searchParams.get("client_id"), application.clientId);
    assert.equal(authorize.searchParams.get("code_challenge_method"), "S256");
    await page.close();
  });
});

describe("the client secret stays with the server across the trip to the provider", () => {
  test("after connecting, the page says the server keeps the secret; the browser holds none of it", async () => {
    const page = await openAt("github", "github-enterprise-server");
    const application = await register("github");
    await page.getByLabel("Client ID").fill(application.clientId);
    await page.getByLabel("Client secret").fill(application.clientSecret);
    await connect(page);
    // The connected steps ask for the report and the projects at once; each finishes before the
    // re-authorization below replaces the token they use.
    const projectsListed = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/projects");
    await signInAndAuthorize(page, "github");
    await page.locator("#oauth-result .status-ok").waitFor();
    await page.locator("#connection-checks [data-ok]").waitFor();
    await projectsListed;

    const kept = page.locator("#client-secret-kept");
    assert.equal(await kept.isVisible(), true, "the page says where the secret is");
    assert.match(await kept.innerText(), /The client secret is kept by the server for this connection/);
    assert.ok((await page.locator("#client-secret").getAttribute("aria-describedby")).includes("client-secret-kept-text"));
    assert.equal(await page.getByLabel("Client secret").inputValue(), "");
    const held = await browserKept(page);
    for (const [where, value] of Object.entries(held)) assert.ok(!value.includes(application.clientSecret), `no secret in ${where}`);
    assert.ok(!(await page.content()).includes(application.clientSecret), "no secret in the page");
    await browser.shot(section(page, "step-authorize"), "43-client-secret-kept.png");

    // Connect again uses the server's secret: the connection is re-authorized in place.
    // Another application's ID: the kept secret is not its own, so the field asks for one.
    await page.getByLabel("Client ID").fill("Iv1.another-application");
    assert.equal(await kept.isHidden(), true);
    await page.getByLabel("Client ID").fill(application.clientId);
    assert.equal(await kept.isVisible(), true);

    // Connect again sends no secret: the server's own goes with the authorization. The
    // provider's page is stood in for, as the trip itself was made above.
    await page.route(`${sandbox.providers.github.baseUrl}/**`, (route) => route.fulfill({ status: 200, contentType: "text/html", body: "<!doctype html><title>GitHub</title>" }));
    const started = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/connect/start");
    await connect(page);
    const answer = await started;
    assert.deepEqual(
      { clientSecret: answer.request().postDataJSON().clientSecret, keptSecret: answer.request().postDataJSON().keptSecret, status: answer.status() },
      { clientSecret: null, keptSecret: true, status: 200 },
    );
    await page.waitForURL((url) => url.href.startsWith(sandbox.providers.github.baseUrl));
    await page.unroute(`${sandbox.providers.github.baseUrl}/**`);

    // A reload of the connected wizard says the same, and Replace gives the field back.
    await page.goto(server.url);
    await waitReady(page);
    await kept.waitFor();
    assert.match(await kept.innerText(), /kept by the server/);
    for (const [where, value] of Object.entries(await browserKept(page))) assert.ok(!value.includes(application.clientSecret), `no secret in ${where} after a reload`);
    // Reloaded with nothing kept by the browser, the server's answer names the application.
    await page.reload();
    await waitReady(page);
    await kept.waitFor();
    assert.equal(await page.getByLabel("Client ID").inputValue(), application.clientId);
    await page.getByRole("button", { name: "Replace", exact: true }).click();
    assert.equal(await kept.isHidden(), true);
    assert.equal(await page.evaluate(() => document.activeElement.id), "client-secret");
    await disconnectConfirmed(page);
    await finish(page);
  });

  test("refused by the person, the authorization keeps the secret for the next try; refused by the provider, it does not", async () => {
    const page = await openAt("gitlab", "gitlab-self-managed");
    const application = await register("gitlab");
    await page.getByLabel("Client ID").fill(application.clientId);
    await page.getByLabel("Client secret").fill(application.clientSecret);
    await connect(page);
    const signIn = page.getByRole("button", { name: "Sign in" });
    const deny = page.getByRole("button", { name: "Deny" });
    await signIn.or(deny).first().waitFor();
    if (await signIn.count()) {
      await page.getByLabel("Password").fill(sandbox.providers.gitlab.account.password);
      await signIn.click();
    }
    await deny.click();
    await page.waitForURL((url) => url.href.startsWith(server.url) && !url.searchParams.has("outcome"));
    await waitReady(page);
    await page.locator('#oauth-result [data-code="oauth.access_denied"]').waitFor();
    const kept = page.locator("#client-secret-kept");
    assert.equal(await kept.isVisible(), true, "the secret is not lost with the refusal");
    for (const [where, value] of Object.entries(await browserKept(page))) assert.ok(!value.includes(application.clientSecret), `no secret in ${where}`);

    // A wrong secret: the provider refuses it at the exchange, and the page asks for the right one.
    await page.getByRole("button", { name: "Replace", exact: true }).click();
    await page.getByLabel("Client secret").fill("gloas-this-is-not-the-secret");
    await connect(page);
    await signInAndAuthorize(page, "gitlab");
    await page.locator('#oauth-result [data-code="oauth.invalid_client"]').waitFor();
    assert.equal(await kept.isHidden(), true, "a secret the provider refused is not kept");
    await finish(page);
  });

  test("the secret goes with the connection: once it is disconnected, the server keeps none", async () => {
    const page = await openAt("gitlab", "gitlab-self-managed");
    const application = await register("gitlab");
    await page.getByLabel("Client ID").fill(application.clientId);
    await page.getByLabel("Client secret").fill(application.clientSecret);
    await connect(page);
    await signInAndAuthorize(page, "gitlab");
    const kept = page.locator("#client-secret-kept");
    await kept.waitFor();

    await disconnectConfirmed(page);
    const askServer = () => page.evaluate(async () => (await import("/api.js")).api("/api/connect/secret"));
    assert.deepEqual(await askServer(), { kept: null }, "the server keeps no secret once disconnected");
    // Reloaded and pointed at the same application again, the page asks for the secret.
    await page.reload();
    await waitReady(page);
    await choose(page, "provider", "gitlab");
    await choose(page, "deployment", "gitlab-self-managed");
    await page.getByLabel("Instance URL").fill(sandbox.providers.gitlab.baseUrl);
    await page.getByLabel("Client ID").fill(application.clientId);
    assert.equal(await kept.isHidden(), true, "no secret shown as kept once disconnected");
    await finish(page);
  });
});
