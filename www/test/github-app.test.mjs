// The GitHub App method in headless Chromium against the sandbox's GitHub Enterprise Server:
// creating the app from the wizard's manifest, installing it on two repositories, coming back
// connected, the report, the projects, a failed run delivered through the app's webhook, and
// disconnecting with the app uninstalled; then the callbacks a person did not come back with
// (a forged state, another installation's id) and a suspended installation.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertNoOverflow, choose, disconnectConfirmed, finish, openPage, pkgDir, registerWebhooks, section, startWizard, stopWizard, waitReady } from "./support/browser.mjs";

let sandbox;
let browser;
let server;
let forgelink;

before(async () => {
  ({ sandbox, browser, server } = await startWizard("github-app"));
  forgelink = await import(pathToFileURL(join(pkgDir, "flows.js")).href);
});

after(() => stopWizard({ sandbox, browser, server }));

const shot = (locator, name) => browser.shot(locator, name);
const ACCOUNT = "acme-platform";
const REPOSITORIES = ["acme-platform/runner-images", "acme-platform/storefront"];
const callbackUrl = () => `${new URL(server.url).origin}/github-app/callback`;

/**
 * A person tampering with the address GitHub sends them back to after installing (the app's
 * first callback URL, since it requests user authorization during installation): `edit` changes
 * it on its way. Route handlers see no redirected request, so it is changed here.
 */
async function tamperWithCallback(page, edit) {
  await page.route(`${sandbox.githubOrigin}/github-apps/*/installations`, async (route) => {
    const response = await route.fetch({ maxRedirects: 0 });
    const location = response.headers().location ?? "";
    if (route.request().method() !== "POST" || !location.startsWith(callbackUrl())) return route.fulfill({ response });
    return route.fulfill({ response, headers: { ...response.headers(), location: edit(new URL(location)).href } });
  });
}

/** Step 1 to 3: GitHub Enterprise Server at the sandbox's address, the first profile, GitHub App. */
async function openAtGitHub({ allow = () => false, editCallback } = {}) {
  const outcomeRead = (r) => typeof r.url === "function" && /\/api\/outcome/.test(r.url()) && r.status() === 404;
  const page = await openPage(browser.context, server.url, { allowStatus: (r) => outcomeRead(r) || allow(r) });
  await choose(page, "provider", "github");
  await choose(page, "deployment", "github-enterprise-server");
  await page.getByLabel("Instance URL").fill(sandbox.providers.github.baseUrl);
  await choose(page, "method", "github-app");
  if (editCallback) await tamperWithCallback(page, editCallback);
  return page;
}

/** Back on the wizard's page after GitHub sent the browser there. */
async function backAtWizard(page) {
  await page.waitForURL((url) => url.href.startsWith(server.url) && !url.pathname.startsWith("/github-app/") && !url.searchParams.has("outcome"));
  await waitReady(page);
}

/** Step 4: Create on GitHub, the sandbox's manifest page, Create GitHub App, and back. */
async function createApp(page, { name, screenshot = false } = {}) {
  const create = section(page, "step-github-app");
  if (name) await page.getByLabel("App name").fill(name);
  await create.locator("#github-app-needs [data-permission]").first().waitFor();
  if (screenshot) {
    await page.locator("#github-app-name").blur();
    await shot(create, "45-github-app-create.png");
  }
  await page.getByRole("button", { name: "Create on GitHub" }).click();
  // GitHub's page: the manifest as it arrived, with the button that creates the app.
  await page.getByRole("button", { name: "Create GitHub App" }).waitFor();
  const asked = await page.locator("#permissions li").allInnerTexts();
  await page.getByRole("button", { name: "Create GitHub App" }).click();
  await backAtWizard(page);
  const card = page.locator("#github-app-created [data-app-id]");
  await card.waitFor();
  return { appId: Number(await card.getAttribute("data-app-id")), slug: await card.getAttribute("data-slug"), asked };
}

/** Step 5: Install on GitHub, sign in, the account and two repositories, Install, and back. */
async function install(page, { repositories = REPOSITORIES } = {}) {
  await page.getByRole("button", { name: "Install on GitHub" }).click();
  const signIn = page.getByRole("button", { name: "Sign in" });
  const installButton = page.getByRole("button", { name: /^(Install|Save)$/ });
  await signIn.or(installButton).first().waitFor();
  if (await signIn.count()) {
    await page.getByLabel("Password").fill(sandbox.providers.github.account.password);
    await signIn.click();
  }
  await page.locator(`input[name="account"][value="${ACCOUNT}"]`).check();
  await page.locator("#selection-selected").check();
  for (const path of repositories) await page.getByLabel(path, { exact: true }).check();
  await installButton.click();
  await backAtWizard(page);
}

/** The report once `testConnection` answered, failing with the refusal's words if connecting failed. */
async function report(page) {
  const done = page.locator("#connection-checks [data-ok], #github-app-result [data-code]");
  await done.first().waitFor();
  const failure = page.locator("#github-app-result [data-code]");
  if (await failure.count()) assert.fail(`connecting failed: ${await failure.first().innerText()}`);
  return page.locator("#connection-checks");
}

const installationsOf = (appId) => sandbox.githubApp(appId).installations;

/** The wizard's connection, as its API answers the page. */
const connectionOf = (page) => page.evaluate(async () => (await import("/api.js")).api("/api/connection"));

/** Leaves nothing connected for the next test, whatever this one did. */
async function disconnectIfConnected(page) {
  const { current } = await connectionOf(page);
  if (current) await page.evaluate(async () => (await import("/api.js")).api("/api/disconnect", { method: "POST", body: { uninstall: true } }));
}

describe("the GitHub App method against the sandbox's GitHub Enterprise Server", () => {
  test("create from the manifest, install on two repositories, report, projects, a delivery through the app's webhook, disconnect with uninstall", async () => {
    const page = await openAtGitHub();
    assert.equal(await section(page, "step-app").isHidden(), true, "the OAuth steps make way");
    assert.equal(await page.locator("#step-github-app .step-number").textContent(), "4");
    // What the page lists is what the manifest asks for, permission by permission, with meanings.
    const listed = await page.locator("#github-app-needs [data-permission]").evaluateAll((els) => els.map((el) => `${el.dataset.permission}: ${el.dataset.level}`));
    assert.ok(listed.includes("pull_requests: write") && listed.includes("actions: read"), listed.join(", "));
    for (const meaning of await page.locator("#github-app-needs .scope-meaning").allInnerTexts()) assert.ok(meaning.length > 10, "each permission says what it allows");
    // Three sign-in methods, and the app's steps, at a phone's width: nothing sticks out.
    await page.setViewportSize({ width: 390, height: 844 });
    await assertNoOverflow(page, 390);
    await page.setViewportSize({ width: 1280, height: 900 });

    const created = await createApp(page, { name: "Acme CI", screenshot: true });
    const app = sandbox.githubApp(created.appId);
    assert.equal(app.name, "Acme CI", "the name typed is the app's name");
    assert.deepEqual(created.asked.map((line) => line.replace(/\s+/g, " ")).sort(), listed.map((line) => line).sort(), "GitHub was asked for exactly the permissions listed");
    assert.ok(app.webhookUrl.startsWith(`${server.webhookUrl}/`) && app.webhookUrl.length > server.webhookUrl.length + 20, `the app's webhook delivers to a route of the wizard's receiver: ${app.webhookUrl}`);
    const card = page.locator("#github-app-created");
    assert.match(await card.innerText(), /App created: Acme CI/);
    assert.equal(await card.locator('[data-field="app-id"]').textContent(), String(app.appId));
    assert.match(await card.locator("a").getAttribute("href"), new RegExp(`/github-apps/${app.slug}$`));
    // The private key never reaches the page, in what it shows or what the API answers it.
    const answer = await page.evaluate(async () => (await import("/api.js")).api("/api/github-app"));
    assert.doesNotMatch(JSON.stringify(answer), /PRIVATE KEY|clientSecret|webhookSecret/);
    assert.doesNotMatch(await page.content(), /PRIVATE KEY-----\s*[A-Za-z0-9+/]{16}/);

    await install(page);
    const checks = await report(page);
    assert.match(await page.locator("#github-app-result").innerText(), new RegExp(`Connected: the app's installation on ${ACCOUNT}`));
    const [installation] = installationsOf(app.appId);
    assert.deepEqual([...installation.repositories].sort(), REPOSITORIES, "installed on the two repositories picked");
    const summary = page.locator("#connection-summary");
    assert.equal(await summary.locator('[data-field="installation"]').getAttribute("data-installation-id"), String(installation.id));
    assert.match(await summary.locator('[data-field="installation"]').textContent(), new RegExp(`on ${ACCOUNT}`));
    assert.equal(await summary.locator('[data-field="repository-selection"]').getAttribute("data-selection"), "selected");
    assert.match(await summary.locator('[data-field="granted"]').textContent(), /pull_requests:write/);
    assert.match(await summary.locator('[data-field="missing"]').textContent(), /^None/);
    assert.equal(await checks.locator("[data-ok]").getAttribute("data-ok"), "true", await checks.innerText());
    for (const name of ["reachability", "installation", "permissions", "webhooks"]) {
      assert.equal(await checks.locator(`[data-check="${name}"]`).getAttribute("data-status"), "pass", `${name}: ${await checks.innerText()}`);
    }
    // Connected: steps 1 to 3 hold, and nothing here can start a second installation.
    assert.deepEqual(await page.locator("fieldset[data-lock]").evaluateAll((els) => els.map((el) => el.disabled)), [true, true, true], "steps 1 to 3 hold");
    assert.equal(await page.getByRole("button", { name: "Install on GitHub" }).isDisabled(), true);
    await shot(section(page, "step-report"), "46-github-app-report.png");

    // A reload restores the connection as it was made: GitHub App chosen, the installation reported.
    await page.reload();
    await waitReady(page);
    await report(page);
    assert.equal(await page.locator('input[name="method"][value="github-app"]').isChecked(), true);
    assert.equal(await page.locator('#connection-summary [data-field="installation"]').getAttribute("data-installation-id"), String(installation.id));

    // The project step lists the installation's repositories, exactly the two picked.
    const results = page.locator("#project-results");
    await results.locator("[data-shown]").waitFor();
    assert.deepEqual((await results.locator("li[data-project]").evaluateAll((els) => els.map((el) => el.dataset.project))).sort(), REPOSITORIES);
    assert.equal(await results.locator(".role-warning").count(), 0, "the app's webhook needs no repository role: no warning");
    await results.locator(`li[data-project="${REPOSITORIES[0]}"] input`).check();
    await shot(section(page, "step-projects"), "47-github-app-projects.png");

    // Registering makes no repository hook: the app's webhook covers the repository.
    assert.match(await page.locator("#webhook-intro").innerText(), /app's own webhook/);
    const registered = await registerWebhooks(page);
    assert.equal(await registered.locator(`[data-project="${REPOSITORIES[0]}"]`).getAttribute("data-status"), "covered_by_app", await registered.innerText());
    assert.match(await registered.innerText(), /1 covered by the app's webhook/);
    assert.deepEqual(sandbox.hooks("github", REPOSITORIES[0]), [], "no repository webhook was made");

    // A failed run on an installed repository reaches the wizard through the app's webhook.
    const items = page.locator("#deliveries li");
    const before = await items.count();
    const sent = await sandbox.trigger({ provider: "github", project: REPOSITORIES[0], kind: "pipeline_failed" });
    assert.ok(sent.some((d) => d.url === app.webhookUrl && d.status === 200), `delivered to the app's webhook and accepted: ${JSON.stringify(sent.map((d) => [d.url, d.status]))}`);
    await page.waitForFunction((n) => document.querySelectorAll('#deliveries li[data-status="accepted"]').length > 0 && document.querySelectorAll("#deliveries li").length > n, before);
    const item = page.locator('#deliveries li[data-status="accepted"]').first();
    assert.equal(await item.getAttribute("data-repository"), REPOSITORIES[0]);
    assert.equal(await item.getAttribute("data-kind"), "pipeline");
    assert.equal(await item.getAttribute("data-outcome"), "failed");

    // Disconnect, and uninstall the app from the account as well.
    await page.getByRole("button", { name: "Disconnect…", exact: true }).click();
    await page.getByLabel(`Also uninstall the app from ${ACCOUNT}`).check();
    await page.getByRole("button", { name: "Yes, disconnect", exact: true }).click();
    const outcome = page.locator("#disconnect-report");
    await outcome.locator("[data-uninstalled]").waitFor();
    assert.equal(await outcome.locator("[data-uninstalled]").getAttribute("data-uninstalled"), "true");
    assert.deepEqual(installationsOf(app.appId), [], "the sandbox has no installation of the app left");
    assert.throws(() => sandbox.githubAppInstallation(installation.id), /No GitHub App installation/);
    await finish(page);
  });

  test("a callback with a forged state is refused with its code, and nothing is connected", async () => {
    const page = await openAtGitHub({ allow: (r) => /\/api\/outcome/.test(typeof r.url === "function" ? r.url() : "") });
    try {
      await page.goto(`${callbackUrl()}?code=forged&installation_id=7001001&setup_action=install&state=forged`);
      await backAtWizard(page);
      const refusal = page.locator('#github-app-result [data-code="oauth.state_mismatch"]');
      await refusal.waitFor();
      assert.ok((await refusal.locator(".guidance").count()) > 0, "with guidance");
      assert.equal(await page.locator("#connected-steps").isHidden(), true);
      assert.equal((await connectionOf(page)).current, null, "nothing connected");
    } finally {
      await page.close();
    }
  });

  test("a callback naming another installation than the one made is refused, and nothing is connected", async () => {
    // Someone else's installation, of another app on the same instance.
    const other = await sandbox.createGitHubApp({ name: "Someone else's app", permissions: { metadata: "read", actions: "read" } });
    await sandbox.installGitHubApp(other.installUrl, { account: "ada", repositories: ["ada/notes"] });
    const [theirs] = sandbox.githubApp(other.appId).installations;
    // The address GitHub sends the browser back to, edited on its way: the other installation's id.
    const editCallback = (url) => {
      url.searchParams.set("installation_id", String(theirs.id));
      return url;
    };
    const page = await openAtGitHub({ editCallback });
    try {
      // The app this browser created in the first test is still the server's: install it again.
      await page.locator("#github-app-created [data-app-id]").waitFor();
      await install(page, { repositories: [REPOSITORIES[1]] });
      const refusal = page.locator("#github-app-result [data-code]");
      await refusal.waitFor();
      // The code proves this person reaches the installations of the app they installed, and no other.
      assert.equal(await refusal.getAttribute("data-code"), "github_app.installation_not_accessible", await refusal.innerText());
      assert.ok((await refusal.locator(".guidance").count()) > 0, "with guidance");
      assert.equal(await page.locator("#connected-steps").isHidden(), true);
      assert.equal((await connectionOf(page)).current, null, "nothing connected");
      // The installation made here stays for another try; remove it for the next test.
      for (const mine of installationsOf(Number(await page.locator("#github-app-created [data-app-id]").getAttribute("data-app-id")))) await sandbox.uninstallGitHubApp(mine.id);
    } finally {
      await disconnectIfConnected(page);
      await page.close();
    }
  });

  test("a suspended installation: the report's installation check fails with guidance", async () => {
    const page = await openAtGitHub();
    await page.locator("#github-app-created [data-app-id]").waitFor();
    await install(page);
    await report(page);
    const appId = Number(await page.locator("#github-app-created [data-app-id]").getAttribute("data-app-id"));
    const [installation] = installationsOf(appId);
    await sandbox.suspendGitHubAppInstallation(installation.id);
    await page.getByRole("button", { name: "Test the connection again" }).click();
    const failing = page.locator('#connection-checks [data-check="installation"][data-status="fail"]');
    await failing.waitFor();
    assert.equal(await failing.getAttribute("data-code"), "github_app.installation_suspended", await failing.innerText());
    assert.ok((await failing.locator(".guidance li").count()) > 0, "the fix, step by step");
    assert.equal(await page.locator("#connection-checks [data-ok]").getAttribute("data-ok"), "false");
    await sandbox.unsuspendGitHubAppInstallation(installation.id);
    const outcome = await disconnectConfirmed(page);
    assert.equal(await outcome.locator("[data-uninstalled]").getAttribute("data-uninstalled"), "false", "left installed, with the link to uninstall it");
    assert.match(await outcome.locator('[data-field="uninstall-url"]').getAttribute("href"), new RegExp(`/settings/installations/${installation.id}$`));
    assert.equal(installationsOf(appId).length, 1, "still installed");
    await finish(page);
  });

  test("an app made before: its key is checked by pointing its webhook here, then it installs and connects", async () => {
    const needs = forgelink.githubAppNeeds(forgelink.profiles()[0].id);
    const existing = await sandbox.createGitHubApp({
      name: "Made by hand",
      permissions: Object.fromEntries(needs.permissions.map((p) => [p.permission, p.level])),
      events: needs.events.map((e) => e.name),
      callbackUrls: [callbackUrl()],
      requestOauthOnInstall: true,
    });
    const stranger = await sandbox.createGitHubApp({ name: "Another key" });
    // The wrong key is refused by GitHub when the wizard signs with it: the server answers 4xx.
    const refusedKey = (r) => (typeof r.url === "function" ? /\/api\/github-app\/existing$/.test(r.url()) && r.status() >= 400 && r.status() < 500 : /status of 4\d\d/.test(r.text()));
    const page = await openAtGitHub({ allow: refusedKey });
    try {
      await page.locator("#github-app-existing summary").click();
      await page.getByLabel("App ID").fill(String(existing.appId));
      await page.getByLabel("App's URL name (slug)").fill(existing.slug);
      await page.getByLabel("ID of the app's OAuth client").fill(existing.clientId);
      await page.getByLabel("Secret of the app's OAuth client").fill(existing.clientSecret);
      await page.getByLabel("Private key").fill(stranger.privateKey);
      await page.getByRole("button", { name: "Use this app" }).click();
      const refusal = page.locator("#github-app-existing-result [data-code]");
      await refusal.waitFor();
      assert.equal(await refusal.getAttribute("data-code"), "github_app.jwt_rejected", await refusal.innerText());
      assert.equal(sandbox.githubApp(existing.appId).webhookUrl ?? null, null, "nothing changed on the app");

      await page.getByLabel("Private key").fill(existing.privateKey);
      await page.getByLabel("Secret of the app's OAuth client").fill(existing.clientSecret);
      await page.getByRole("button", { name: "Use this app" }).click();
      const card = page.locator(`#github-app-created [data-app-id="${existing.appId}"]`);
      await card.waitFor();
      assert.match(await card.innerText(), /App ready/);
      assert.equal(await page.getByLabel("Private key").inputValue(), "", "the key does not stay in the page");
      assert.ok(sandbox.githubApp(existing.appId).webhookUrl.startsWith(`${server.webhookUrl}/`), "its webhook now delivers to the wizard");

      await install(page, { repositories: [REPOSITORIES[1]] });
      const checks = await report(page);
      assert.equal(await checks.locator("[data-ok]").getAttribute("data-ok"), "true", await checks.innerText());
      assert.match(await page.locator('#connection-summary [data-field="app"]').textContent(), /made-by-hand/);
      const outcome = await disconnectConfirmed(page);
      assert.equal(await outcome.locator("[data-uninstalled]").getAttribute("data-uninstalled"), "false");
    } finally {
      await disconnectIfConnected(page);
      await page.close();
    }
  });
});
