// What the connected steps say against the provider sandbox, checked for being true: the live
// view keeps to the connection the page works on, a poll that could not read a project says so
// (a host that does not answer, a project that is gone), each cause's fix is shown once with
// the projects it concerns, and a pasted token's expiry the provider did not report is not
// called "does not expire".

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { sandboxFetch, startSandbox } from "../sandbox/sandbox.mjs";
import { loadOrCreateKey } from "../server/key.mjs";
import { fileStorage } from "../server/storage.mjs";
import { startWizardServer } from "../server/index.mjs";
import { assertNoOverflow, choose, disconnectConfirmed, launchBrowser, openPage, pkgDir, registerWebhooks, requirePackage, section } from "./support/browser.mjs";

const PROJECTS = ["platform/ci/runner-images", "platform/web/storefront"];

let sandbox;
let server;
let browser;
let forgelink;
let Forgelink;
let fetchHost;

before(async () => {
  await requirePackage();
  forgelink = await import(pathToFileURL(join(pkgDir, "flows.js")).href);
  ({ Forgelink, fetchHost } = forgelink);
  const log = process.env.FORGELINK_TEST_LOG === "1" ? (line) => console.error(line) : () => {};
  sandbox = await startSandbox({ maxPageSize: 10, log });
  browser = await launchBrowser("truth");
  server = await startWizardServer({ port: 0, dataDir: join(browser.scratch, "data"), sandbox, log });
});

after(async () => {
  await browser?.close();
  await server?.close();
  await sandbox?.close();
});

const shot = (locator, name) => browser.shot(locator, name);
const routed = (url) => url.startsWith(`${server.webhookUrl}/`);
const neededScopes = (provider) => forgelink.profiles()[0].providers.find((n) => n.provider === provider).scopes.map((s) => s.name);

async function openAt(provider, deployment, { allow = () => false } = {}) {
  const page = await openPage(browser.context, server.url, { allowStatus: allow });
  await choose(page, "provider", provider);
  await choose(page, "deployment", deployment);
  await page.getByLabel("Instance URL").fill(sandbox.providers[provider].baseUrl);
  return page;
}

/** Pastes a token, connects, and waits for the connection report (a new connection each time). */
async function connectWithToken(page, token) {
  await choose(page, "method", "token");
  // The report of an earlier connection is marked, so that only the new one's counts as done:
  // the new report may replace the old before a wait for the old to vanish would begin.
  await page.evaluate(() => document.querySelector("#connection-checks [data-ok]")?.setAttribute("data-stale", ""));
  await page.getByLabel("Paste the access token").fill(token);
  await page.getByRole("button", { name: "Connect and test" }).click();
  const done = page.locator("#connection-checks [data-ok]:not([data-stale]), #token-result [data-code]");
  await done.first().waitFor();
  const failure = page.locator("#token-result [data-code]");
  if (await failure.count()) assert.fail(`connecting failed: ${await failure.first().innerText()}`);
}

async function chooseProjects(page, projects) {
  await page.getByLabel("Or paste projects, one a line").fill(`${projects.join("\n")}\n`);
  await page.locator(`#chosen-projects [data-count="${projects.length}"]`).waitFor();
}

async function pollNow(page) {
  await page.getByRole("button", { name: "Poll now" }).click();
  await page.locator("#poll-results [data-poll-status], #poll-results [data-code]").first().waitFor();
  await page.waitForFunction(() => document.getElementById("poll-results").getAttribute("aria-busy") === "false");
  return page.locator("#poll-results");
}

const gitlabToken = () => sandbox.createAccessToken({ provider: "gitlab", scopes: ["api", "read_user"], role: "maintainer" }).token;

describe("the connected steps tell the truth", () => {
  test("the live view shows the current connection's deliveries, not those of a connection made before", async () => {
    // A connection made before, beside the wizard's (another process of the product, on the
    // same storage, key and webhook address), with a hook of its own on the project. The page
    // cannot make one itself: while connected, its choices stay as they are.
    const dataDir = join(browser.scratch, "data");
    const network = { fetch: sandboxFetch(sandbox), allowPrivateNetworks: true, allowInsecureHttp: true };
    const beside = new Forgelink({ fetch: fetchHost(network), storage: await fileStorage(join(dataDir, "store")), encryptionKey: await loadOrCreateKey(dataDir) });
    const earlier = await beside.connectWithToken({ provider: "gitlab", baseUrl: sandbox.providers.gitlab.baseUrl, token: gitlabToken(), profile: "ci-failure-analysis" });
    await beside.registerWebhooks(earlier.id, { projects: [PROJECTS[0]], url: server.webhookUrl, profile: "ci-failure-analysis" });
    const page = await openAt("gitlab", "gitlab-self-managed");
    try {
      await connectWithToken(page, gitlabToken());
      assert.notEqual(await page.locator("#connection-summary [data-connection]").getAttribute("data-connection"), earlier.id);
      await chooseProjects(page, [PROJECTS[0]]);
      await registerWebhooks(page);
      await page.locator("#deliveries-status").filter({ hasText: "Waiting for deliveries" }).waitFor();
      const sent = await sandbox.trigger({ provider: "gitlab", project: PROJECTS[0], kind: "job_failed" });
      assert.equal(sent.length, 2, "both connections' hooks delivered");
      assert.ok(sent.every((s) => s.status >= 200 && s.status < 300), JSON.stringify(sent));
      await page.waitForFunction(() => document.querySelectorAll("#deliveries li").length >= 1);
      // Give the other delivery time to show up, if it were going to.
      await page.waitForTimeout(1000);
      assert.equal(await page.locator("#deliveries li").count(), 1, await page.locator("#deliveries").innerText());
      await shot(section(page, "step-deliveries"), "33-deliveries-current-connection.png");
      await disconnectConfirmed(page);
    } finally {
      await beside.disconnect(earlier.id);
      await page.close();
    }
  });

  test("a poll that cannot reach the host, or finds a project gone, shows failures with each fix once", async () => {
    // The sandbox's refused connections and 404s show up as failed requests in the browser.
    const page = await openAt("gitlab", "gitlab-self-managed");
    try {
      await connectWithToken(page, gitlabToken());
      await chooseProjects(page, PROJECTS);

      // One project gone: it fails, the other is read.
      sandbox.setSwitch("projectNotFound", PROJECTS[1]);
      let results = await pollNow(page);
      const headline = results.locator("[data-poll-status]");
      assert.equal(await headline.getAttribute("data-failed"), "1", await results.innerText());
      assert.match(await headline.getAttribute("class"), /status-error/);
      assert.match(await headline.innerText(), /1 of 2 projects could not be read/);
      const gone = results.locator(`.poll-project[data-project="${PROJECTS[1]}"]`);
      assert.equal(await gone.getAttribute("data-state"), "failed");
      assert.match(await gone.innerText(), /^Failed/i);
      assert.match(await gone.getAttribute("class"), /poll-project-failed/);
      assert.equal(await results.locator(`.poll-project[data-project="${PROJECTS[0]}"]`).getAttribute("data-state"), "complete");
      await shot(section(page, "step-safety"), "34-poll-project-not-found.png");

      // Both gone: one cause, one fix, both projects named in it.
      sandbox.setSwitch("projectNotFound", true);
      results = await pollNow(page);
      assert.equal(await results.locator("[data-poll-status]").getAttribute("data-failed"), "2");
      assert.match(await results.locator("[data-poll-status]").innerText(), /^The poll failed/);
      const causes = results.locator(".poll-failure");
      assert.equal(await causes.count(), 1, await results.innerText());
      assert.equal(await causes.getAttribute("data-projects"), "2");
      for (const project of PROJECTS) assert.ok((await causes.locator(".check-head").innerText()).includes(project), project);
      assert.equal(await results.locator(".guidance").count(), 1, "the fix is shown once");
      // At a phone's width the failure and its list of projects still fit.
      await page.setViewportSize({ width: 390, height: 844 });
      await assertNoOverflow(page, 390);
      await page.setViewportSize({ width: 1280, height: 900 });
      sandbox.setSwitch("projectNotFound", false);

      // The host does not answer: an error naming the failure, not "nothing new".
      sandbox.setSwitch("unreachable", "gitlab");
      results = await pollNow(page);
      const text = await results.innerText();
      assert.doesNotMatch(text, /Nothing new/i);
      const polled = results.locator("[data-poll-status]");
      assert.match(await polled.getAttribute("class"), /status-error/, text);
      assert.equal(await polled.getAttribute("data-failed"), "2", text);
      assert.match(await polled.innerText(), /^The poll failed: no project could be read\. \S/);
      assert.match(await results.locator(".poll-failure").first().getAttribute("data-code"), /^network\./, text);
      assert.equal(await results.locator('.poll-project[data-state="complete"]').count(), 0, "no project is shown as read");
      await shot(section(page, "step-safety"), "35-poll-unreachable.png");
      sandbox.setSwitch("unreachable", false);
      await disconnectConfirmed(page);
    } finally {
      sandbox.setSwitch("projectNotFound", false);
      sandbox.setSwitch("unreachable", false);
      await page.close();
    }
  });

  test("GitHub: a pasted token whose expiry the provider did not report is not called 'does not expire'", async () => {
    const page = await openAt("github", "github-enterprise-server");
    try {
      // The sandbox, like a GitHub answer without the expiration header, does not say when.
      const { token, expiresAt } = sandbox.createAccessToken({ provider: "github", scopes: neededScopes("github"), expiresInDays: 30 });
      assert.ok(expiresAt, "the token does expire");
      await connectWithToken(page, token);
      const expiry = await page.locator('#connection-summary [data-field="expiry"]').textContent();
      assert.doesNotMatch(expiry, /Does not expire/);
      assert.match(expiry, /GitHub did not say when this token expires/);
      const check = page.locator('#connection-checks [data-check="token-expiry"]');
      await check.waitFor();
      assert.doesNotMatch(await check.innerText(), /does not expire/i, "nor does the expiry check");
      await shot(section(page, "step-report"), "36-expiry-not-reported.png");
      await disconnectConfirmed(page);
    } finally {
      await page.close();
    }
  });

  test("the summary is what the last test found, and the choices stay as they are while connected", async () => {
    const page = await openAt("gitlab", "gitlab-self-managed");
    const summary = page.locator("#connection-summary");
    const field = (name) => summary.locator(`[data-field="${name}"]`);
    try {
      await connectWithToken(page, gitlabToken());
      assert.equal(await field("source").getAttribute("data-observed"), "true");

      // Connected: the provider, address, profile and method are held; the token field is
      // open, since a new token replaces the connection's in place.
      const locked = page.locator("#locked-notice");
      assert.match(await locked.innerText(), /Connected to GitLab at .*disconnect/s);
      for (const control of [page.locator('input[name="provider"][value="github"]'), page.getByLabel("Instance URL"), page.locator('input[name="profile"]').first(), page.locator('input[name="method"][value="oauth"]')]) {
        assert.equal(await control.isDisabled(), true, await control.evaluate((e) => e.outerHTML));
      }
      assert.equal(await page.getByLabel("Paste the access token").isDisabled(), false);

      // The token expires: the summary beside the failing check says so, and that it could not
      // read the rest again.
      sandbox.setSwitch("expiredToken", true);
      await retest(page);
      assert.equal(await field("status").getAttribute("data-status"), "needs_reauthorization", await summary.innerText());
      assert.match(await field("status").innerText(), /Needs a new token/);
      assert.equal(await field("source").getAttribute("data-observed"), "false");
      sandbox.setSwitch("expiredToken", false);

      // The instance is downgraded: the summary shows the version the failing check names.
      sandbox.setSwitch("instanceTooOld", true);
      await retest(page);
      const version = page.locator('#connection-checks [data-check="server-version"]');
      assert.equal(await version.getAttribute("data-status"), "fail");
      assert.equal(await field("server-version").innerText(), "8.17.8");
      assert.ok((await version.innerText()).includes("8.17.8"));
      assert.equal(await field("source").getAttribute("data-observed"), "true");
      assert.equal(await field("status").getAttribute("data-status"), "active", "an old instance is not the token's fault");
      await shot(section(page, "step-report"), "41-report-summary-as-tested.png");
      sandbox.setSwitch("instanceTooOld", false);

      // After a reload the page shows the method the connection was made with.
      await page.reload();
      await page.locator('#connection-checks [data-ok="true"]').waitFor();
      assert.equal(await page.locator('input[name="method"][value="token"]').isChecked(), true);
      assert.equal(await page.locator('section[data-method="token"]').isHidden(), false);
      assert.equal(await page.locator('section[data-method="oauth"]').first().isHidden(), true);

      // Disconnected: nothing above says "connected", and the choices are free again.
      await disconnectConfirmed(page);
      assert.equal(await page.locator("#token-result").innerText(), "");
      assert.equal(await locked.isHidden(), true);
      assert.equal(await page.locator('input[name="provider"][value="github"]').isDisabled(), false);

      // Where the provider does not tell a token's scopes, none are said to be missing.
      await choose(page, "provider", "bitbucket-data-center");
      await page.getByLabel("Instance URL").fill(sandbox.providers["bitbucket-data-center"].baseUrl);
      await connectWithToken(page, sandbox.createAccessToken({ provider: "bitbucket-data-center", scopes: ["REPO_ADMIN"], expiresInDays: 30 }).token);
      assert.match(await field("granted").innerText(), /does not tell/);
      assert.match(await field("missing").innerText(), /^Unknown/);
      await disconnectConfirmed(page);
    } finally {
      sandbox.setSwitch("expiredToken", false);
      sandbox.setSwitch("instanceTooOld", false);
      await page.close();
    }
  });

  test("an error over the provider's rate limit says when calls are allowed again", async () => {
    const page = await openAt("gitlab", "gitlab-self-managed");
    try {
      await connectWithToken(page, gitlabToken());
      sandbox.setSwitch("rateLimited", true);
      await page.getByLabel("Search the projects this account can see").fill("runner");
      await page.getByRole("button", { name: "Search", exact: true }).click();
      const card = page.locator('#project-results [data-code="http.rate_limited"]');
      await card.waitFor();
      const retry = card.locator(".retry-at");
      assert.match(await retry.innerText(), /^The provider allows calls again in about \d+ (seconds|minutes) \(/);
      const retryAt = Number(await retry.getAttribute("data-retry-at"));
      assert.ok(retryAt > Date.now() / 1000, "a time to come");
      sandbox.setSwitch("rateLimited", false);
      await disconnectConfirmed(page);
    } finally {
      sandbox.setSwitch("rateLimited", false);
      await page.close();
    }
  });
});

/** Runs the report again and waits for its answer. */
async function retest(page) {
  await page.getByRole("button", { name: "Test the connection again" }).click();
  await page.waitForFunction(() => document.getElementById("connection-checks").getAttribute("aria-busy") === "false" && document.querySelector("#connection-checks [data-ok]"));
}
