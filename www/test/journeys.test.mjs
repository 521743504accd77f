// The whole wizard in headless Chromium against the provider sandbox, started here: the OAuth
// path on GitLab self-managed, GitHub Enterprise Server and Bitbucket Cloud, the access-token
// path, and the mistakes people make, each from the instance URL to what they see.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { startSandbox } from "../sandbox/sandbox.mjs";
import { startWizardServer } from "../server/index.mjs";
import { assertNoOverflow, choose, disconnectConfirmed, finish, launchBrowser, openPage, pkgDir, registerWebhooks, requirePackage, section, waitReady } from "./support/browser.mjs";

let sandbox;
let server;
let browser;
let forgelink;

before(async () => {
  await requirePackage();
  forgelink = await import(pathToFileURL(join(pkgDir, "flows.js")).href);
  // Pages of ten, so the seed's projects take more than one page, as real accounts do.
  sandbox = await startSandbox({ maxPageSize: 10, log: process.env.FORGELINK_TEST_LOG === "1" ? (line) => console.error(`sandbox: ${line}`) : () => {} });
  browser = await launchBrowser("journeys");
  // FORGELINK_TEST_LOG=1 shows what the server and the sandbox did, to debug a journey.
  const log = process.env.FORGELINK_TEST_LOG === "1" ? (line) => console.error(line) : () => {};
  server = await startWizardServer({ port: 0, dataDir: join(browser.scratch, "data"), sandbox, log });
  await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(server.url).origin });
});

after(async () => {
  await browser?.close();
  await server?.close();
  await sandbox?.close();
});

const shot = (locator, name) => browser.shot(locator, name);
// The wizard's hooks: each at its own route under the server's webhook URL.
const routed = (url) => url.startsWith(`${server.webhookUrl}/`) && /^[A-Za-z0-9_-]{22,}$/.test(url.slice(server.webhookUrl.length + 1));
const ourHooks = (provider) => sandbox.hooks(provider).filter((hook) => routed(hook.url));

/** Step 1: the provider, its deployment and the sandbox's address for it. */
async function openAt(provider, deployment, { baseUrl = sandbox.providers[provider].baseUrl, allow = () => false } = {}) {
  // The outcome of a refused authorization is a 404 once read; nothing else may fail unless
  // the test says so.
  const outcomeRead = (r) => typeof r.url === "function" && /\/api\/outcome/.test(r.url()) && r.status() === 404;
  const page = await openPage(browser.context, server.url, { allowStatus: (r) => outcomeRead(r) || allow(r) });
  await choose(page, "provider", provider);
  await choose(page, "deployment", deployment);
  await page.getByLabel("Instance URL").fill(baseUrl);
  return page;
}

/** Steps 4 and 5 of the OAuth path, then the provider's sign-in and consent pages as a person sees them. */
/** The permissions step 4 lists for the first profile (only Bitbucket Cloud keeps them on the consumer). */
const listedScopes = (provider) => forgelink.profiles()[0].providers.find((n) => n.provider === provider).scopes.map((s) => s.name);

async function connectWithOAuth(page, provider, { clientSecret, scopes = listedScopes(provider) } = {}) {
  const application = await sandbox.registerApplication({ provider, redirectUri: server.redirectUri, scopes });
  assert.equal(await page.getByLabel("Redirect URI to paste").inputValue(), server.redirectUri, "the page shows the redirect URI the server uses");
  await page.getByLabel("Client ID").fill(application.clientId);
  await page.getByLabel("Client secret").fill(clientSecret ?? application.clientSecret);
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  // Signed in once, the browser keeps the provider's session and goes straight to consent.
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
  return application;
}

async function connectWithToken(page, token) {
  await choose(page, "method", "token");
  await page.getByLabel("Paste the access token").fill(token);
  await page.getByRole("button", { name: "Connect and test" }).click();
}

/** The connection report once `testConnection` answered. */
async function report(page) {
  // A failed connection shows its error where the person pressed Connect: fail with its words.
  const done = page.locator("#connection-checks [data-ok], #oauth-result [data-code], #token-result [data-code]");
  await done.first().waitFor();
  const failure = page.locator("#oauth-result [data-code], #token-result [data-code]");
  if (await failure.count()) assert.fail(`connecting failed: ${await failure.first().innerText()}`);
  return page.locator("#connection-checks");
}

async function pickProject(page, search, path) {
  await page.getByLabel("Search the projects this account can see").fill(search);
  await page.getByRole("button", { name: "Search", exact: true }).click();
  const item = page.locator(`#project-results li[data-project="${path}"]`);
  await item.waitFor();
  await item.getByRole("checkbox").check();
  return item;
}

/** Presses the sandbox's trigger and waits for the live view to show what arrived. */
async function triggerAndSee(page, provider, project, kind, status = "accepted") {
  const items = page.locator("#deliveries li");
  const before = await items.count();
  const deliveries = await sandbox.trigger({ provider, project, kind });
  assert.ok(deliveries.length > 0, `the sandbox delivered ${kind} on ${project}`);
  await page.waitForFunction((n) => document.querySelectorAll("#deliveries li").length > n, before);
  // The newest is first; a rejected delivery names no repository, so say what it shows instead.
  const item = items.first();
  assert.equal(await item.getAttribute("data-status"), status, await item.innerText());
  assert.equal(await item.getAttribute("data-repository"), project);
  return { deliveries, item };
}

async function disconnect(page) {
  const report = await disconnectConfirmed(page);
  assert.equal(await page.evaluate(() => document.activeElement.id), "step-disconnected", "focus moves to the outcome");
  return report;
}

describe("the OAuth path against the sandbox", () => {
  test("GitLab self-managed: connect, report, projects page by page, webhooks, live deliveries, disconnect", async () => {
    const page = await openAt("gitlab", "gitlab-self-managed");
    assert.match(await page.locator("#base-url-status").textContent(), /Usable as http:\/\/127\.0\.0\.1:\d+\/gitlab/);
    await connectWithOAuth(page, "gitlab");

    assert.equal(await page.evaluate(() => document.activeElement.id), "step-report", "focus moves to the report");
    const checks = await report(page);
    const summary = page.locator("#connection-summary");
    assert.equal(await summary.locator('[data-field="account"]').textContent(), "ada");
    assert.match(await summary.locator('[data-field="server-version"]').textContent(), /^\d+\.\d+/);
    assert.match(await summary.locator('[data-field="granted"]').textContent(), /api/);
    assert.match(await summary.locator('[data-field="missing"]').textContent(), /^None/);
    assert.match(await summary.locator('[data-field="expiry"]').textContent(), /in about (1|2) hours?/, "GitLab OAuth tokens live two hours");
    assert.equal(await checks.locator("[data-ok]").getAttribute("data-ok"), "true");
    assert.equal(await checks.locator('[data-status="fail"]').count(), 0);
    await shot(section(page, "step-report"), "20-connection-report.png");

    // Every project is listed a page at a time; the SHA-256 repository says so.
    const results = page.locator("#project-results");
    await results.locator("[data-shown]").waitFor();
    assert.equal(await results.locator("li[data-project]").count(), 10, "the first page");
    const all = sandbox.projects("gitlab").length;
    for (let pages = 1; await page.locator("#more-projects").count(); pages += 1) {
      const shown = await results.locator("li[data-project]").count();
      await page.getByRole("button", { name: "Show more projects" }).click();
      await page.waitForFunction((n) => document.querySelectorAll("#project-results li[data-project]").length > n, shown);
      assert.ok(pages < 10, "the pages end");
    }
    assert.equal(await results.locator("li[data-project]").count(), all, "every page loaded");

    // Keyboard only: type the search, Enter, Tab to the project, Space to choose it.
    await page.getByLabel("Search the projects this account can see").focus();
    await page.keyboard.type("runner");
    await page.keyboard.press("Enter");
    const runner = results.locator('li[data-project="platform/ci/runner-images"] input');
    await runner.waitFor();
    await page.waitForFunction(() => document.getElementById("project-results").getAttribute("aria-busy") === "false");
    for (let i = 0; i < 10 && !(await runner.evaluate((el) => el === document.activeElement)); i += 1) await page.keyboard.press("Tab");
    await page.keyboard.press("Space");
    assert.equal(await runner.isChecked(), true, "chosen with the keyboard");
    await page.getByLabel("Or paste projects, one a line").fill("platform/web/storefront\nhttps://elsewhere.example.com/group/x\nplatform/services/billing\n");
    await page.getByLabel("Leave out").fill("platform/services/");
    await page.locator('#chosen-projects [data-count="2"]').waitFor();
    assert.match(await page.locator("#project-list-diagnostics").textContent(), /Line 2/, "the other instance's URL is reported on its line");
    assert.match(await page.locator("#chosen-projects").textContent(), /1 left out/);
    await shot(section(page, "step-projects"), "21-projects.png");

    const registered = await registerWebhooks(page);
    assert.deepEqual(await registered.locator("[data-project]").evaluateAll((els) => els.map((el) => [el.dataset.project, el.dataset.status])), [
      ["platform/ci/runner-images", "created"],
      ["platform/web/storefront", "created"],
    ]);
    assert.deepEqual(ourHooks("gitlab").map((h) => h.project).sort(), ["platform/ci/runner-images", "platform/web/storefront"]);
    await shot(section(page, "step-webhooks"), "22-webhooks.png");

    const { deliveries, item } = await triggerAndSee(page, "gitlab", "platform/ci/runner-images", "pipeline_failed");
    assert.equal(await item.getAttribute("data-kind"), "pipeline");
    assert.match(await item.textContent(), /failure/);
    const job = (await triggerAndSee(page, "gitlab", "platform/web/storefront", "job_failed")).item;
    assert.equal(await job.getAttribute("data-kind"), "job");
    assert.match(await job.textContent(), /Job.*failure/);
    // The same delivery again, as GitLab's "Resend request" sends it: received once.
    await sandbox.redeliver(deliveries[0].deliveryId);
    await page.locator('#deliveries li[data-status="duplicate"]').waitFor();
    assert.match(await page.locator("#deliveries-status").textContent(), /3 so far/);
    await shot(section(page, "step-deliveries"), "23-deliveries.png");

    // A reload picks up where the person was: the account, its provider above, the deliveries so far.
    await page.reload();
    await waitReady(page);
    await report(page);
    assert.equal(await page.locator('input[name="provider"][value="gitlab"]').isChecked(), true);
    assert.equal(await page.getByLabel("Instance URL").inputValue(), sandbox.providers.gitlab.baseUrl);
    assert.equal(await page.locator('#connection-summary [data-field="account"]').textContent(), "ada");
    await page.waitForFunction(() => document.querySelectorAll("#deliveries li").length === 3);

    // The connected steps at a phone's width: nothing sticks out, and the live view still reads.
    await page.setViewportSize({ width: 390, height: 844 });
    await assertNoOverflow(page, 390);
    await shot(section(page, "step-deliveries"), "30-phone-deliveries.png");
    await page.setViewportSize({ width: 1280, height: 900 });

    const outcome = await disconnect(page);
    assert.deepEqual(ourHooks("gitlab"), [], "no webhook left on GitLab");
    assert.equal(await outcome.locator("[data-revoked]").getAttribute("data-revoked"), "true");
    assert.equal(await outcome.locator("[data-removed]").getAttribute("data-removed"), "2");
    await shot(section(page, "step-disconnected"), "24-disconnected.png");
    await finish(page);
  });

  test("GitHub Enterprise Server: connect, one repository, a failed workflow run arrives, disconnect", async () => {
    // The way a newcomer running `make demo` fills step 1: the sandbox's address in one click.
    const page = await openAt("github", "github-com", { baseUrl: "https://github.com" });
    const notice = page.locator('#sandbox-notice [data-sandbox="github"]');
    assert.match(await notice.textContent(), new RegExp(`Sign in there as ${sandbox.providers.github.account.username}`));
    await notice.getByRole("button", { name: "Use the sandbox's GitHub address" }).click();
    assert.equal(await page.getByLabel("Instance URL").inputValue(), sandbox.providers.github.baseUrl);
    assert.equal(await page.locator('input[name="deployment"][value="github-enterprise-server"]').isChecked(), true, "a self-hosted address picks Enterprise Server");
    await connectWithOAuth(page, "github");
    await report(page);
    assert.equal(await page.locator('#connection-summary [data-field="account"]').textContent(), "ada");
    assert.match(await page.locator('#connection-summary [data-field="expiry"]').textContent(), /Does not expire/);
    // Found on a later page: GitHub cannot search a person's repositories, forgelink filters them.
    await pickProject(page, "runner", "acme-platform/runner-images");
    const registered = await registerWebhooks(page);
    assert.equal(await registered.locator('[data-project="acme-platform/runner-images"]').getAttribute("data-status"), "created", await registered.innerText());
    assert.equal(ourHooks("github").length, 1);
    const { item } = await triggerAndSee(page, "github", "acme-platform/runner-images", "pipeline_failed");
    assert.equal(await item.getAttribute("data-kind"), "pipeline");
    await disconnect(page);
    assert.deepEqual(ourHooks("github"), [], "no webhook left on GitHub");
    await finish(page);
  });

  // Bitbucket answers GET /2.0/user only with `account`, which forgelink's profile does not list
  // yet (reported): these journeys tick it as well, as a person told by the error would.
  const cloudScopes = () => [...listedScopes("bitbucket-cloud"), "account"];

  test("Bitbucket Cloud: the sandbox stands in for bitbucket.org; connect, register, disconnect with no webhook left", async () => {
    const page = await openAt("bitbucket-cloud", "bitbucket-org");
    assert.equal(await page.getByLabel("Instance URL").inputValue(), "https://bitbucket.org");
    await connectWithOAuth(page, "bitbucket-cloud", { scopes: cloudScopes() });
    await report(page);
    assert.equal(await page.locator('#connection-summary [data-field="account"]').textContent(), "ada");
    await pickProject(page, "storefront", "acme/storefront");
    const registered = await registerWebhooks(page);
    assert.equal(await registered.locator('[data-project="acme/storefront"]').getAttribute("data-status"), "created", await registered.innerText());
    assert.equal(ourHooks("bitbucket-cloud").length, 1);
    const outcome = await disconnect(page);
    assert.deepEqual(ourHooks("bitbucket-cloud"), [], "no webhook left on Bitbucket Cloud");
    assert.ok((await outcome.locator(".manual-steps li").count()) > 0, "Bitbucket cannot revoke: the steps left say what to do");
    await finish(page);
  });

  test("Bitbucket Cloud: a failed build status arrives in the live view", async () => {
    const page = await openAt("bitbucket-cloud", "bitbucket-org");
    await connectWithOAuth(page, "bitbucket-cloud", { scopes: cloudScopes() });
    await report(page);
    try {
      await pickProject(page, "infrastructure", "acme/infrastructure");
      await registerWebhooks(page);
      const { item } = await triggerAndSee(page, "bitbucket-cloud", "acme/infrastructure", "pipeline_failed");
      assert.equal(await item.getAttribute("data-kind"), "commit_status");
      // repo:commit_status_updated with state FAILED: the card says it failed, in its headline
      // and in the commit status it read.
      assert.equal(await item.getAttribute("data-outcome"), "failed");
      assert.match(await item.locator(".check-head").innerText(), /commit_status.*failed/);
      assert.match(await item.locator(".delivery-facts").innerText(), /Commit status\s+failed \(FAILED\)/);
      await shot(item, "37-bitbucket-commit-status-failed.png");
    } finally {
      await disconnect(page);
      await page.close();
    }
  });

  test("Bitbucket Cloud: the permissions step 4 lists are enough to connect", async () => {
    const page = await openAt("bitbucket-cloud", "bitbucket-org");
    try {
      await connectWithOAuth(page, "bitbucket-cloud");
      await report(page);
      await disconnect(page);
    } finally {
      await page.close();
    }
  });
});

describe("the access-token path against the sandbox", () => {
  // GitLab names the object format `repository_object_format` in its projects API (the field
  // its merge request 137659 added), and the sandbox sends it that way.
  test("GitLab: a token connects, and the SHA-256 repository is flagged in the project list", async () => {
    const page = await openAt("gitlab", "gitlab-self-managed");
    const { token } = sandbox.createAccessToken({ provider: "gitlab", scopes: ["api"], role: "maintainer" });
    await connectWithToken(page, token);
    await report(page);
    const item = await pickProject(page, "analytical", "ada/analytical-engine");
    try {
      assert.match(await item.textContent(), /SHA-256 objects/);
      assert.equal(await page.locator("#project-results .badge-sha256").count(), 1);
    } finally {
      await disconnect(page);
      await page.close();
    }
  });

  // App passwords: creation stopped 2025-09-09, brownouts from 2026-06-09, removal on 2026-07-28
  // (community.atlassian.com: "Bitbucket Cloud enters phase 2 of app password deprecation" and
  // "Deprecation notice: Bitbucket Cloud app password brownout schedule and next steps"). The
  // page says what is true on the reader's date; API tokens need read and write scopes both
  // ("API token permissions", support.atlassian.com/bitbucket-cloud/docs/api-token-permissions/).
  test("Bitbucket Cloud: token instructions list API token scopes and say what is true of app passwords on the reader's date", async () => {
    const cases = [
      ["2026-07-01T12:00:00Z", /App passwords fail at times since 2026-06-09 and stop working on 2026-07-28/],
      ["2026-12-06T12:00:00Z", /App passwords were removed on 2026-07-28/],
      ["2025-10-01T12:00:00Z", /App passwords can no longer be created, and existing ones stop working on 2026-07-28/],
    ];
    for (const [now, sentence] of cases) {
      const page = await browser.context.newPage();
      await page.clock.setFixedTime(new Date(now));
      await page.goto(server.url);
      await waitReady(page);
      await choose(page, "provider", "bitbucket-cloud");
      await choose(page, "deployment", "bitbucket-org");
      await choose(page, "method", "token");
      const text = await page.locator("#token-instructions").textContent();
      assert.match(text, sentence, now);
      assert.doesNotMatch(text, /stop working in June 2026/);
      const needs = forgelink.profiles()[0].providers.find((n) => n.provider === "bitbucket-cloud");
      for (const scope of needs.apiTokenScopes) assert.ok(text.includes(scope.name), `${now}: ${scope.name} is listed`);
      assert.ok(text.includes("read:repository:bitbucket") && text.includes("read:webhook:bitbucket"));
      await page.close();
    }
  });

  test("Bitbucket Cloud: an API token goes with the account's email; the username alone is refused with the fix", async () => {
    // The refused token comes back from the wizard's server as a 502, which the browser logs.
    const refusedConnect = (r) => (typeof r.url === "function" ? /\/api\/connect\/token$/.test(r.url()) && r.status() === 502 : /status of 502/.test(r.text()));
    const page = await openAt("bitbucket-cloud", "bitbucket-org", { allow: refusedConnect });
    const { token } = sandbox.createAccessToken({ provider: "bitbucket-cloud", scopes: ["account", "repository", "pullrequest", "webhook", "pipeline"] });
    await choose(page, "method", "token");
    await page.getByLabel("Paste the access token").fill(token);
    await page.getByLabel("Atlassian account email").fill("ada");
    await page.getByRole("button", { name: "Connect and test" }).click();
    const refused = page.locator('#token-result [data-code="http.unauthorized"]');
    await refused.waitFor();
    assert.match(await refused.textContent(), /Atlassian account email as the user name/);

    await page.getByLabel("Paste the access token").fill(token);
    await page.getByLabel("Atlassian account email").fill("ada@example.com");
    await page.getByRole("button", { name: "Connect and test" }).click();
    await report(page);
    assert.match(await page.locator("#token-result").textContent(), /Connected as ada/);
    await disconnect(page);
    await finish(page);
  });

  test("Bitbucket Data Center: token instructions, connect and test, a push arrives, disconnect", async () => {
    const page = await openAt("bitbucket-data-center", "bitbucket-data-center");
    await choose(page, "method", "token");
    const instructions = page.locator("#token-instructions");
    assert.match(await instructions.textContent(), /HTTP access token/);
    assert.match(await instructions.textContent(), /Expiry/);
    // The link to the token page is the package's (Atlassian, "HTTP access tokens").
    const tokenPage = forgelink.settingsPages("bitbucket-data-center", sandbox.providers["bitbucket-data-center"].baseUrl).accessTokens;
    assert.match(tokenPage, /\/plugins\/servlet\/access-tokens\/manage$/);
    await instructions.locator(`a[href="${tokenPage}"]`).waitFor();
    assert.equal(await section(page, "step-app").isHidden(), true, "the OAuth steps make way");
    assert.equal(await page.locator("#step-token .step-number").textContent(), "4");
    const { token } = sandbox.createAccessToken({ provider: "bitbucket-data-center", scopes: ["REPO_ADMIN"], expiresInDays: 30 });
    await connectWithToken(page, token);
    await report(page);
    assert.match(await page.locator("#token-result").textContent(), /Connected as ada/);
    assert.match(await page.locator('#connection-summary').textContent(), /an access token/);
    assert.equal(await page.getByLabel("Paste the access token").inputValue(), "", "the token does not stay in the page");
    await shot(section(page, "step-token"), "25-access-token.png");

    await pickProject(page, "runner", "PLAT/runner-images");
    const registered = await registerWebhooks(page);
    assert.equal(await registered.locator('[data-project="PLAT/runner-images"]').getAttribute("data-status"), "created", await registered.innerText());
    await triggerAndSee(page, "bitbucket-data-center", "PLAT/runner-images", "push");
    const outcome = await disconnect(page);
    assert.deepEqual(ourHooks("bitbucket-data-center"), []);
    assert.match(await outcome.textContent(), /Left to do by hand/);
    await finish(page);
  });

  // Bitbucket Data Center answers 401 with an AuthorisationException when the account may not
  // manage a repository's webhooks (its REST reference says so, and the sandbox does the same).
  test("Bitbucket Data Center: a repository without admin rights gets the manual setup to hand to an administrator", async () => {
    const page = await openAt("bitbucket-data-center", "bitbucket-data-center");
    const { token } = sandbox.createAccessToken({ provider: "bitbucket-data-center", scopes: ["REPO_ADMIN"] });
    await connectWithToken(page, token);
    await report(page);
    try {
      await pickProject(page, "deploy", "OPS/deploy-scripts");
      const manual = (await registerWebhooks(page)).locator('[data-project="OPS/deploy-scripts"]');
      assert.equal(await manual.getAttribute("data-status"), "manual_setup_required", await manual.innerText());
      // The address to paste is the hook's own route: its deliveries name this connection.
      const pasted = await manual.locator('[data-copy="the webhook URL"]').textContent();
      assert.ok(routed(pasted), `${pasted} is a route under ${server.webhookUrl}`);
      assert.ok((await manual.locator('[data-copy="the webhook secret"]').textContent()).length >= 20, "a secret to paste");
      assert.ok((await manual.locator(".guidance-steps li").count()) > 0, "where to click");
      await manual.getByRole("button", { name: "Copy the webhook secret" }).click();
      // The clipboard answers asynchronously: wait for the status to say something, then read it.
      const copied = manual.locator(".copy-status").last();
      await page.waitForFunction((el) => el.textContent !== "", await copied.elementHandle());
      assert.match(await copied.textContent(), /Copied/);
      await shot(manual, "26-manual-setup.png");
    } finally {
      await disconnect(page);
      await page.close();
    }
  });
});

describe("mistakes, and the guidance a person sees", () => {
  test("a trailing slash is warned about, fixed with one click, and the connection works", async () => {
    const base = sandbox.providers.gitlab.baseUrl;
    const page = await openAt("gitlab", "gitlab-self-managed", { baseUrl: `${base}/` });
    const warning = page.locator('#base-url-diagnostics [data-code="base_url.trailing_slash"]');
    await warning.waitFor();
    assert.match(await warning.textContent(), new RegExp(`Suggestion: ${base.replace(/[.]/g, "\\.")}(?!/)`));
    await warning.getByRole("button", { name: "Use suggestion" }).click();
    assert.equal(await page.getByLabel("Instance URL").inputValue(), base);
    assert.equal(await warning.count(), 0);
    const { token } = sandbox.createAccessToken({ provider: "gitlab", scopes: ["api"], role: "maintainer" });
    await connectWithToken(page, token);
    await report(page);
    assert.match(await page.locator("#connection-summary").textContent(), new RegExp(`at ${base.replace(/[.]/g, "\\.")}`));
    await disconnect(page);
    await finish(page);
  });

  test("a wrong application secret: the token exchange fails and the page says to copy the secret again", async () => {
    const page = await openAt("gitlab", "gitlab-self-managed");
    await connectWithOAuth(page, "gitlab", { clientSecret: "gloas-this-is-not-the-secret" });
    const card = page.locator("#oauth-result [data-code]");
    await card.waitFor();
    assert.equal(await card.getAttribute("data-code"), "oauth.invalid_client");
    assert.match(await card.locator(".guidance").innerText(), /secret/i, "the fix names the secret");
    assert.equal(await page.locator("#connected-steps").isHidden(), true);
    await shot(section(page, "step-authorize"), "27-wrong-secret.png");
    await finish(page);
  });

  test("a token without the scope webhooks need: the report names the missing scope and how to add it", async () => {
    const page = await openAt("gitlab", "gitlab-self-managed");
    const { token } = sandbox.createAccessToken({ provider: "gitlab", scopes: ["read_api", "read_user"], role: "maintainer" });
    await connectWithToken(page, token);
    const checks = await report(page);
    const needed = forgelink.profiles()[0].providers.find((n) => n.provider === "gitlab").scopes.map((s) => s.name);
    const missing = await page.locator('#connection-summary [data-field="missing"]').innerText();
    assert.ok(needed.some((scope) => missing.includes(scope)), `the missing scope is named: ${missing}`);
    const scopes = checks.locator('[data-check="scopes"]');
    assert.equal(await scopes.getAttribute("data-status"), "fail");
    const guidance = await scopes.locator(".guidance").innerText();
    assert.match(guidance, /scope/i);
    assert.match(guidance, /token/i, "the fix says which token to change");
    await shot(section(page, "step-report"), "28-missing-scope.png");
    await disconnect(page);
    await finish(page);
  });

  test("a project gone once chosen: its registration fails with guidance, the others go through", async () => {
    const page = await openAt("gitlab", "gitlab-self-managed");
    const { token } = sandbox.createAccessToken({ provider: "gitlab", scopes: ["api"], role: "maintainer" });
    await connectWithToken(page, token);
    await report(page);
    // A pasted project counts as chosen once the provider knows it; it goes away afterwards.
    await page.getByLabel("Or paste projects, one a line").fill("platform/api-gateway\ndata/pipelines/warehouse-sync\n");
    await page.locator('#chosen-projects [data-count="2"]').waitFor();
    sandbox.setSwitch("projectNotFound", "data/pipelines/warehouse-sync");
    const registered = await registerWebhooks(page).finally(() => sandbox.setSwitch("projectNotFound", false));
    assert.equal(await registered.locator('[data-project="platform/api-gateway"]').getAttribute("data-status"), "created");
    const failed = registered.locator('[data-project="data/pipelines/warehouse-sync"]');
    assert.equal(await failed.getAttribute("data-status"), "failed");
    assert.equal(await failed.getAttribute("data-code"), "http.not_found");
    const guidance = await failed.locator(".guidance").innerText();
    assert.match(guidance, /path|exist|access/i, "the fix says to check the path and access");
    await shot(failed, "29-project-not-found.png");
    await disconnect(page);
    assert.deepEqual(ourHooks("gitlab"), []);
    await finish(page);
  });
});
