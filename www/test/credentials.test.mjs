// Replacing the credentials of the connected account in headless Chromium against the provider
// sandbox: a token that expired is replaced with a new one, and an OAuth connection is
// re-authorized; either way the connection keeps its id and its webhooks, deliveries still
// reach it, and a disconnect then removes the hooks from the provider.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { choose, disconnectConfirmed, finish, openPage, pkgDir, registerWebhooks, startWizard, stopWizard, waitReady } from "./support/browser.mjs";

let sandbox;
let server;
let browser;
let forgelink;

before(async () => {
  ({ sandbox, browser, server } = await startWizard("credentials"));
  forgelink = await import(pathToFileURL(join(pkgDir, "flows.js")).href);
});

after(() => stopWizard({ sandbox, browser, server }));

const routed = (url) => url.startsWith(`${server.webhookUrl}/`);
const ourHooks = (provider) => sandbox.hooks(provider).filter((hook) => routed(hook.url));

async function openGitLab({ allow = () => false } = {}) {
  const page = await openPage(browser.context, server.url, { allowStatus: allow });
  await choose(page, "provider", "gitlab");
  await choose(page, "deployment", "gitlab-self-managed");
  await page.getByLabel("Instance URL").fill(sandbox.providers.gitlab.baseUrl);
  return page;
}

async function connectWithToken(page, token) {
  await choose(page, "method", "token");
  await page.getByLabel("Paste the access token").fill(token);
  await page.getByRole("button", { name: "Connect and test" }).click();
}

async function connectWithOAuth(page) {
  const scopes = forgelink.profiles()[0].providers.find((n) => n.provider === "gitlab").scopes.map((s) => s.name);
  const application = await sandbox.registerApplication({ provider: "gitlab", redirectUri: server.redirectUri, scopes });
  await choose(page, "method", "oauth");
  await page.getByLabel("Client ID").fill(application.clientId);
  await page.getByLabel("Client secret").fill(application.clientSecret);
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  const signIn = page.getByRole("button", { name: "Sign in" });
  const authorize = page.getByRole("button", { name: "Authorize" });
  await signIn.or(authorize).first().waitFor();
  if (await signIn.count()) {
    await page.getByLabel("Password").fill(sandbox.providers.gitlab.account.password);
    await signIn.click();
  }
  await authorize.click();
  await page.waitForURL((url) => url.href.startsWith(server.url) && !url.searchParams.has("outcome"));
  await waitReady(page);
}

/** The report once it answered, and whether every check passed. */
async function report(page) {
  const checks = page.locator("#connection-checks");
  await page.waitForFunction(() => document.getElementById("connection-checks")?.getAttribute("aria-busy") === "false" && document.querySelector("#connection-checks [data-ok], #connection-checks [data-code]"));
  return checks;
}

const connectionId = (page) => page.locator("#connection-summary [data-connection]").getAttribute("data-connection");

async function registerRunner(page) {
  await page.getByLabel("Search the projects this account can see").fill("runner");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  const item = page.locator('#project-results li[data-project="platform/ci/runner-images"]');
  await item.waitFor();
  await item.getByRole("checkbox").check();
  const results = await registerWebhooks(page);
  assert.equal(await results.locator('[data-project="platform/ci/runner-images"]').getAttribute("data-status"), "created", await results.innerText());
}

async function deliveryArrives(page) {
  const before = await page.locator("#deliveries li").count();
  await sandbox.trigger({ provider: "gitlab", project: "platform/ci/runner-images", kind: "pipeline_failed" });
  await page.waitForFunction((n) => document.querySelectorAll("#deliveries li").length > n, before);
  const item = page.locator("#deliveries li").first();
  assert.equal(await item.getAttribute("data-status"), "accepted", await item.innerText());
}

async function disconnectRemovesTheHook(page) {
  const outcome = await disconnectConfirmed(page);
  assert.equal(await outcome.locator("[data-removed]").getAttribute("data-removed"), "1", await outcome.innerText());
  assert.deepEqual(ourHooks("gitlab"), [], "no webhook left on the provider");
}

test("an expired token is replaced in place: the same connection, its webhook, and a disconnect that removes it", async () => {
  const page = await openGitLab();
  try {
    await connectWithToken(page, sandbox.createAccessToken({ provider: "gitlab", scopes: ["api"], role: "maintainer" }).token);
    assert.equal(await (await report(page)).locator("[data-ok]").getAttribute("data-ok"), "true");
    const id = await connectionId(page);
    await registerRunner(page);
    assert.equal(ourHooks("gitlab").length, 1);

    // The token expires; the report says to replace it rather than to connect again.
    sandbox.setSwitch("expiredToken", true);
    await page.getByRole("button", { name: "Test the connection again" }).click();
    const failing = await report(page);
    assert.equal(await failing.locator("[data-ok]").getAttribute("data-ok"), "false");
    assert.match(await failing.innerText(), /replace/i, "the guidance points to replacing the token");

    await connectWithToken(page, sandbox.createAccessToken({ provider: "gitlab", scopes: ["api"], role: "maintainer" }).token);
    await page.locator('#token-result [data-replaced="true"]').waitFor();
    assert.match(await page.locator("#token-result").innerText(), /still connected as ada/);
    const fresh = await report(page);
    assert.equal(await fresh.locator("[data-ok]").getAttribute("data-ok"), "true", await fresh.innerText());
    assert.equal(await fresh.locator('[data-check="webhooks"]').getAttribute("data-status"), "pass", "the hook is still the connection's");
    assert.equal(await connectionId(page), id, "the same connection");
    assert.equal(await page.locator('#webhook-results [data-project="platform/ci/runner-images"]').count(), 1, "the webhook step still shows the hook");
    assert.equal(ourHooks("gitlab").length, 1, "no second hook");

    await deliveryArrives(page);
    await disconnectRemovesTheHook(page);
    await finish(page);
  } finally {
    sandbox.setSwitch("expiredToken", false);
  }
});

test("re-authorizing through OAuth keeps the connection and its webhook", async () => {
  const page = await openGitLab();
  await connectWithOAuth(page);
  assert.equal(await (await report(page)).locator("[data-ok]").getAttribute("data-ok"), "true");
  const id = await connectionId(page);
  await registerRunner(page);

  await connectWithOAuth(page);
  await page.locator('#oauth-result [data-replaced="true"]').waitFor();
  const fresh = await report(page);
  assert.equal(await fresh.locator("[data-ok]").getAttribute("data-ok"), "true", await fresh.innerText());
  assert.equal(await fresh.locator('[data-check="webhooks"]').getAttribute("data-status"), "pass");
  assert.equal(await connectionId(page), id, "the same connection");
  assert.equal(ourHooks("gitlab").length, 1);

  await deliveryArrives(page);
  await disconnectRemovesTheHook(page);
  await finish(page);
});
