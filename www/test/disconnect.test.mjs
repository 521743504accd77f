// Disconnecting and the slow steps before it, in headless Chromium against the provider sandbox:
// Disconnect asks first and says what will go, the report names every webhook still there (on
// Data Center, the one an administrator was to add by hand is never called removed), and
// registering or testing against a slow provider shows how far it got while it works.

import { after, afterEach, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { choose, disconnectConfirmed, finish, openPage, registerWebhooks, section, startWizard, stopWizard } from "./support/browser.mjs";

let sandbox;
let server;
let browser;

before(async () => ({ sandbox, browser, server } = await startWizard("disconnect", { maxPageSize: 10 })));

after(() => stopWizard({ sandbox, browser, server }));

// A test that fails half-way must not leave the sandbox slow or refusing for the next one.
afterEach(() => {
  sandbox.setSwitch("slow", 0);
  sandbox.setSwitch("expiredToken", false);
});

/** The wizard's hooks on `project`: those delivering to a route under the server's webhook URL. */
const ourHooks = (provider, project) => sandbox.hooks(provider, project).filter((hook) => hook.url.startsWith(`${server.webhookUrl}/`));

/** Connects a fresh access token for `provider` and waits for the connection report. */
async function connected(provider, deployment, token) {
  const page = await openPage(browser.context, server.url);
  await choose(page, "provider", provider);
  await choose(page, "deployment", deployment);
  await page.getByLabel("Instance URL").fill(sandbox.providers[provider].baseUrl);
  await choose(page, "method", "token");
  await page.getByLabel("Paste the access token").fill(sandbox.createAccessToken({ provider, ...token }).token);
  await page.getByRole("button", { name: "Connect and test" }).click();
  await page.locator("#connection-checks [data-ok]").waitFor();
  return page;
}

async function chooseProjects(page, projects) {
  await page.getByLabel("Or paste projects, one a line").fill(`${projects.join("\n")}\n`);
  await page.locator(`#chosen-projects [data-count="${projects.length}"]`).waitFor();
}

const focused = (page) => page.evaluate(() => document.activeElement.id);
const gitlab = () => connected("gitlab", "gitlab-self-managed", { scopes: ["api", "read_user"], role: "maintainer" });

describe("Disconnect asks first", () => {
  test("the confirmation says what goes; Escape and Cancel keep everything and return focus", async () => {
    const projects = ["platform/api-gateway", "platform/web/storefront"];
    const page = await gitlab();
    await chooseProjects(page, projects);
    await registerWebhooks(page);

    const disconnect = page.getByRole("button", { name: "Disconnect…", exact: true });
    const panel = page.locator("#disconnect-confirm");
    assert.equal(await panel.isHidden(), true);
    // By keyboard: Enter on the button opens the confirmation and moves focus to it.
    await disconnect.focus();
    await page.keyboard.press("Enter");
    await panel.waitFor();
    assert.equal(await focused(page), "disconnect-confirm-title", "focus moves to the confirmation");
    assert.equal(await disconnect.getAttribute("aria-expanded"), "true");
    const hooks = panel.locator('[data-consequence="webhooks"]');
    assert.equal(await hooks.getAttribute("data-count"), "2");
    for (const project of projects) assert.match(await hooks.textContent(), new RegExp(project), "each webhook to remove is named by project");
    assert.match(await panel.locator('[data-consequence="token"]').textContent(), /not revoked/, "a pasted token is not revoked, and the page says so");
    const danger = panel.getByRole("button", { name: "Yes, disconnect", exact: true });
    assert.match(await danger.getAttribute("class"), /button-danger/);
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.textContent), "Yes, disconnect", "the danger button is next by Tab");
    await browser.shot(section(page, "step-disconnect"), "38-disconnect-confirm.png");

    await page.keyboard.press("Escape");
    await panel.waitFor({ state: "hidden" });
    assert.equal(await focused(page), "disconnect", "Escape returns focus to Disconnect");
    assert.equal(await disconnect.getAttribute("aria-expanded"), "false");

    await disconnect.click();
    await panel.getByRole("button", { name: "Cancel", exact: true }).click();
    await panel.waitFor({ state: "hidden" });
    assert.equal(await focused(page), "disconnect", "Cancel returns focus to Disconnect");

    assert.equal(await page.locator("#connected-steps").isVisible(), true, "still connected");
    assert.equal(await page.locator("#disconnected").isHidden(), true);
    for (const project of projects) assert.equal(ourHooks("gitlab", project).length, 1, `the webhook on ${project} is still there`);

    const report = await disconnectConfirmed(page);
    assert.equal(await report.locator("[data-removed]").getAttribute("data-removed"), "2", await report.innerText());
    assert.equal(await report.locator(".webhooks-left > li").count(), 0);
    for (const project of projects) assert.deepEqual(ourHooks("gitlab", project), [], `the webhook on ${project} is gone`);
    await finish(page);
  });

  test("a webhook that could not be removed is named, with why and how to delete it by hand", async () => {
    const projects = ["platform/ci/pipeline-templates", "platform/services/accounts"];
    const page = await gitlab();
    await chooseProjects(page, projects);
    await registerWebhooks(page);
    // The token stops working after the hooks were made: the provider refuses to delete them.
    sandbox.setSwitch("expiredToken", true);
    const report = await disconnectConfirmed(page);
    assert.equal(await report.locator("[data-removed]").getAttribute("data-removed"), "0");
    assert.match(await report.locator("[data-removed]").textContent(), /No webhook was removed/);
    const left = report.locator(".webhooks-left > li");
    assert.equal(await left.count(), 2, await report.innerText());
    for (const project of projects) {
      const item = report.locator(`.webhooks-left > li[data-project="${project}"]`);
      assert.equal(await item.getAttribute("data-status"), "failed");
      assert.ok(await item.getAttribute("data-code"), "why it was not removed");
      assert.ok((await item.locator(".guidance").count()) > 0, "the fix for that reason");
      assert.match(await item.textContent(), new RegExp(`open ${project}'s webhook settings.*${server.webhookUrl}/`), "how to delete it by hand");
      assert.equal(ourHooks("gitlab", project).length, 1, `the webhook on ${project} is really still there`);
    }
    assert.match(await report.locator(".manual-steps").textContent(), /listed as not removed/);
    await finish(page);
  });
});

describe("Bitbucket Data Center", () => {
  test("the hook an administrator was to add by hand is never called removed, and is named as left", async () => {
    const page = await connected("bitbucket-data-center", "bitbucket-data-center", { scopes: ["REPO_ADMIN"] });
    await chooseProjects(page, ["PLAT/storefront", "OPS/deploy-scripts"]);
    const registered = await registerWebhooks(page);
    assert.equal(await registered.locator('[data-project="PLAT/storefront"]').getAttribute("data-status"), "created");
    assert.equal(await registered.locator('[data-project="OPS/deploy-scripts"]').getAttribute("data-status"), "manual_setup_required");

    await page.getByRole("button", { name: "Disconnect…", exact: true }).click();
    const panel = page.locator("#disconnect-confirm");
    await panel.waitFor();
    const removable = await panel.locator('[data-consequence="webhooks"]').textContent();
    assert.match(removable, /PLAT\/storefront/);
    assert.doesNotMatch(removable, /OPS\/deploy-scripts/, "the hand-made hook is not promised as removed");
    assert.match(await panel.locator('[data-consequence="hand-made"]').textContent(), /OPS\/deploy-scripts.*administrator deletes it/);
    await panel.getByRole("button", { name: "Cancel", exact: true }).click();

    const report = await disconnectConfirmed(page);
    const removed = report.locator("[data-removed]");
    assert.equal(await removed.getAttribute("data-removed"), "1", await report.innerText());
    assert.match(await removed.textContent(), /PLAT\/storefront/);
    assert.doesNotMatch(await removed.textContent(), /OPS\/deploy-scripts/, "no claim to have removed a hook this product did not create");
    const left = report.locator(".webhooks-left > li");
    assert.equal(await left.count(), 1, "every webhook left is named: the hand-made one");
    assert.equal(await left.getAttribute("data-project"), "OPS/deploy-scripts");
    assert.equal(await left.getAttribute("data-status"), "manual_setup_required");
    assert.match(await left.textContent(), /did not create/);
    assert.match(await left.textContent(), /delete the webhook whose URL starts with/);
    assert.deepEqual(ourHooks("bitbucket-data-center", "PLAT/storefront"), []);
    await browser.shot(section(page, "step-disconnected"), "39-disconnect-data-center.png");
    await finish(page);
  });
});

describe("slow providers", () => {
  test("registering on several projects shows each project's progress before all are done", async () => {
    const projects = ["platform/ci/runner-images", "platform/services/alerts", "platform/services/audit-log"];
    const page = await gitlab();
    await chooseProjects(page, projects);
    sandbox.setSwitch("slow", 400);
    await page.getByRole("button", { name: "Register webhooks" }).click();
    const results = page.locator("#webhook-results");
    assert.equal(await results.getAttribute("aria-live"), "polite");
    // One project answered while another still waits or is under way: progress, not a static line.
    await page.waitForFunction(() => {
      const statuses = [...document.querySelectorAll("#webhook-results .hook-result")].map((li) => li.dataset.status);
      return statuses.includes("created") && statuses.some((s) => s === "pending" || s === "registering");
    });
    assert.notEqual(await results.getAttribute("aria-busy"), "true", "the list announces each answer as it lands");
    assert.equal(await results.locator(".hook-summary").getAttribute("data-done"), "false");
    assert.match(await results.locator(".hook-summary").textContent(), /of 3 done so far/);
    assert.equal(await results.locator(".hook-result").count(), 3, "every project is listed from the start");
    await browser.shot(section(page, "step-webhooks"), "40-webhooks-progress.png");

    await results.locator('.hook-summary[data-done="true"]').waitFor();
    assert.equal(await results.locator('[aria-busy="true"]').count(), 0, "no row is left busy");
    for (const project of projects) assert.equal(await results.locator(`[data-project="${project}"]`).getAttribute("data-status"), "created");
    assert.match(await results.locator(".hook-summary").textContent(), /^3 registered\.$/);
    sandbox.setSwitch("slow", 0);
    await disconnectConfirmed(page);
    await finish(page);
  });

  test("registering can be stopped between projects: the one under way finishes, the rest are listed as not started", async () => {
    const projects = ["platform/ci/runner-images", "platform/services/alerts", "platform/services/audit-log"];
    const page = await gitlab();
    await chooseProjects(page, projects);
    const hooksBefore = projects.map((project) => ourHooks("gitlab", project).length);
    sandbox.setSwitch("slow", 600);
    await page.getByRole("button", { name: "Register webhooks" }).click();
    const results = page.locator("#webhook-results");
    await results.locator('[data-status="registering"]').first().waitFor();
    await page.getByRole("button", { name: "Stop after this project" }).click();
    await results.locator('.hook-summary[data-done="true"]').waitFor();
    sandbox.setSwitch("slow", 0);
    const statuses = await results.locator(".hook-result").evaluateAll((items) => items.map((li) => li.dataset.status));
    assert.equal(statuses[0], "created", "the project under way finished");
    assert.deepEqual(statuses.slice(1), ["not_started", "not_started"], statuses.join());
    assert.match(await results.locator(".hook-summary").textContent(), /^1 registered, 2 not started \(stopped; register again to include them\)\.$/);
    assert.equal(await page.locator("#stop-registering").count(), 0, "the stop button goes once registering ends");
    const added = projects.map((project, i) => ourHooks("gitlab", project).length - hooksBefore[i]);
    assert.deepEqual(added, [1, 0, 0], "only the project under way got a hook");
    await disconnectConfirmed(page);
    await finish(page);
  });

  test("a slow connection test says at once what it checks, and counts the seconds", async () => {
    const page = await gitlab();
    sandbox.setSwitch("slow", 1500);
    const again = page.getByRole("button", { name: "Test the connection again" });
    await again.click();
    const progress = page.locator("section[aria-labelledby='step-report'] .progress-line");
    await progress.waitFor({ timeout: 500 });
    assert.match(await progress.textContent(), /Asking GitLab about the token, the account, the server version, the scopes and the webhooks/);
    assert.equal(await again.getAttribute("aria-busy"), "true");
    assert.equal(await page.locator("#connection-checks").getAttribute("aria-busy"), "true");
    assert.equal(await progress.getAttribute("role"), "status");
    await page.waitForFunction(() => Number.parseInt(document.querySelector(".progress-line .elapsed")?.textContent, 10) >= 2, null, { timeout: 10000 });

    await page.locator("#connection-checks [data-ok]").waitFor();
    assert.equal(await progress.count(), 0, "the progress goes once the report is there");
    assert.equal(await again.getAttribute("aria-busy"), "false");
    assert.equal(await page.locator("#connection-checks").getAttribute("aria-busy"), "false");
    sandbox.setSwitch("slow", 0);
    await disconnectConfirmed(page);
    await finish(page);
  });
});
