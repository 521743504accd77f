// What the connected steps say against the provider sandbox, checked for being true: the live
// view keeps to the connection the page works on, a poll that could not read a project says so
// (a host that does not answer, a project that is gone), each cause's fix is shown once with
// the projects it concerns, and a pasted token's expiry the provider did not report is not
// called "does not expire".

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { startSandbox } from "../sandbox/sandbox.mjs";
import { startWizardServer } from "../server/index.mjs";
import { assertNoOverflow, choose, disconnectConfirmed, launchBrowser, openPage, pkgDir, registerWebhooks, requirePackage, section } from "./support/browser.mjs";

const PROJECTS = ["platform/ci/runner-images", "platform/web/storefront"];

let sandbox;
let server;
let browser;
let forgelink;

before(async () => {
  await requirePackage();
  forgelink = await import(pathToFileURL(join(pkgDir, "flows.js")).href);
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
  const previous = await page.locator('#connection-summary [data-field="account"]').count();
  await page.getByLabel("Paste the access token").fill(token);
  await page.getByRole("button", { name: "Connect and test" }).click();
  if (previous) await page.waitForFunction(() => document.querySelector("#connection-checks [data-ok]") === null);
  const done = page.locator("#connection-checks [data-ok], #token-result [data-code]");
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
  test("the live view shows the current connection's deliveries, not those of the connection before it", async () => {
    const first = await openAt("gitlab", "gitlab-self-managed");
    let second;
    try {
      await connectWithToken(first, gitlabToken());
      await chooseProjects(first, [PROJECTS[0]]);
      await registerWebhooks(first);
      await first.locator("#deliveries-status").filter({ hasText: "Waiting for deliveries" }).waitFor();
      await sandbox.trigger({ provider: "gitlab", project: PROJECTS[0], kind: "job_failed" });
      await first.waitForFunction(() => document.querySelectorAll("#deliveries li").length === 1);

      // Connected to another provider: a new connection. (A new token of the same account on
      // the same instance would replace the first connection's credentials in place instead.)
      // The earlier connection's hook stays on GitLab and keeps delivering to this product.
      second = await openAt("github", "github-enterprise-server");
      const github = sandbox.createAccessToken({ provider: "github", scopes: neededScopes("github") }).token;
      await connectWithToken(second, github);
      await second.waitForFunction(() => document.querySelectorAll("#deliveries li").length === 0);
      const sent = await sandbox.trigger({ provider: "gitlab", project: PROJECTS[0], kind: "pipeline_failed" });
      assert.equal(sent.length, 1, "the earlier connection's hook delivered");
      assert.ok(sent[0].status >= 200 && sent[0].status < 300, JSON.stringify(sent[0]));
      // Give the delivery time to show up, if it were going to.
      await second.waitForTimeout(1000);
      assert.equal(await second.locator("#deliveries li").count(), 0, await second.locator("#deliveries").innerText());
      await shot(section(second, "step-deliveries"), "33-deliveries-current-connection.png");
      await disconnectConfirmed(second);
    } finally {
      await first.close();
      await second?.close();
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
});
