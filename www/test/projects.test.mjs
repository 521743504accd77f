// Choosing projects against the provider sandbox's GitLab, checked for telling the truth: a
// pasted group is not taken for a project, a pasted project counts only once the provider knows
// it, a role that cannot create webhooks is named before registering, "Leave out" says what it
// left out and which of its lines left out nothing, and line errors read as text, not Markdown.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { choose, disconnectConfirmed, finish, openPage, registerWebhooks, startWizard, stopWizard } from "./support/browser.mjs";

let sandbox;
let server;
let browser;

before(async () => ({ sandbox, browser, server } = await startWizard("projects", { maxPageSize: 10 })));

after(() => stopWizard({ sandbox, browser, server }));

/** The wizard connected to the sandbox's GitLab with a maintainer's token, at the projects step. */
async function connected() {
  const page = await openPage(browser.context, server.url);
  await choose(page, "provider", "gitlab");
  await choose(page, "deployment", "gitlab-self-managed");
  await page.getByLabel("Instance URL").fill(sandbox.providers.gitlab.baseUrl);
  await choose(page, "method", "token");
  const { token } = sandbox.createAccessToken({ provider: "gitlab", scopes: ["api", "read_user"], role: "maintainer" });
  await page.getByLabel("Paste the access token").fill(token);
  await page.getByRole("button", { name: "Connect and test" }).click();
  await page.locator("#connection-checks [data-ok], #token-result [data-code]").first().waitFor();
  assert.equal(await page.locator("#token-result [data-code]").count(), 0, "connected");
  return page;
}

/** Pastes lines and waits until the provider has answered for the projects among them. */
async function paste(page, lines) {
  await page.getByLabel("Or paste projects, one a line").fill(`${lines.join("\n")}\n`);
  await page.waitForFunction(() => document.getElementById("project-list-diagnostics").getAttribute("aria-busy") === "false");
}

const chosenPaths = (page) => page.locator("#chosen-projects .chosen-list li").evaluateAll((items) => items.map((li) => li.dataset.project));
const ourHooks = () => sandbox.hooks("gitlab").filter((hook) => hook.url.startsWith(`${server.webhookUrl}/`)).map((hook) => hook.project);

describe("choosing projects tells the truth", () => {
  test("a pasted group is reported as a group with guidance, in plain text, and not chosen", async () => {
    const page = await connected();
    await paste(page, ["platform/services/", "platform/services/billing"]);
    await page.locator('#chosen-projects [data-count="1"]').waitFor();
    assert.deepEqual(await chosenPaths(page), ["platform/services/billing"]);

    const group = page.locator('#project-list-diagnostics [data-code="repository.group_path"]');
    assert.equal(await group.getAttribute("data-line"), "1");
    const message = group.locator(".diagnostic-message");
    assert.equal(await message.innerText(), "platform/services/ names a group or namespace, not a project.");
    // The path is set as code, the way the rest of the wizard shows Markdown; no backtick is left.
    assert.equal(await message.locator("code").innerText(), "platform/services/");
    assert.doesNotMatch(await page.locator("#project-list-diagnostics").innerText(), /`/);
    assert.match(await group.locator(".guidance").innerText(), /Search for the group's path/);
    assert.equal(await page.getByLabel("Or paste projects, one a line").getAttribute("aria-invalid"), "true");
    await disconnectConfirmed(page);
    await finish(page);
  });

  test("a pasted project the provider does not know is marked with guidance and never registered", async () => {
    const page = await connected();
    await paste(page, ["platform/api-gateway", "platform/no-such-project"]);
    await page.locator('#chosen-projects [data-count="1"]').waitFor();
    assert.deepEqual(await chosenPaths(page), ["platform/api-gateway"]);
    const missing = page.locator('#project-list-diagnostics .project-check[data-project="platform/no-such-project"]');
    assert.equal(await missing.getAttribute("data-status"), "not_found");
    assert.match(await missing.innerText(), /does not exist, or the account has no access to it/);
    assert.equal(await missing.locator(".guidance").count(), 1, "the fix is shown with it");

    const registered = await registerWebhooks(page);
    assert.deepEqual(await registered.locator("[data-project]").evaluateAll((els) => els.map((el) => el.dataset.project)), ["platform/api-gateway"]);
    assert.deepEqual(ourHooks(), ["platform/api-gateway"]);
    await disconnectConfirmed(page);
    assert.deepEqual(ourHooks(), []);
    await finish(page);
  });

  test("a role that cannot create webhooks is named, in the list and when pasted, and can still be chosen", async () => {
    const page = await connected();
    // Discovered: a developer's project carries the warning; a maintainer's does not.
    await page.getByLabel("Search the projects this account can see").fill("platform/ci");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    const developer = page.locator('#project-results li[data-project="platform/ci/build-cache"]');
    await developer.waitFor();
    const warning = developer.locator(".role-warning");
    assert.equal(await warning.getAttribute("data-needed-role"), "maintainer");
    assert.match(await warning.innerText(), /needs the maintainer role or higher, and this account is developer/);
    assert.doesNotMatch(await warning.innerText(), /\*\*/);
    assert.equal(await page.locator('#project-results li[data-project="platform/ci/runner-images"] .role-warning').count(), 0);
    await developer.locator('input[type="checkbox"]').check();

    // Pasted: a reporter's project is found, chosen, and warned about.
    await paste(page, ["data/pipelines/ingest"]);
    await page.locator('#chosen-projects [data-count="2"]').waitFor();
    const pasted = page.locator('#project-list-diagnostics .project-check[data-project="data/pipelines/ingest"]');
    assert.equal(await pasted.getAttribute("data-status"), "role");
    assert.match(await pasted.innerText(), /this account is reporter/);
    for (const path of ["platform/ci/build-cache", "data/pipelines/ingest"]) {
      assert.equal(await page.locator(`#chosen-projects li[data-project="${path}"] .role-warning`).count(), 1, path);
    }
    await disconnectConfirmed(page);
    await finish(page);
  });

  test("Leave out says which projects it left out and which of its lines left out nothing", async () => {
    const page = await connected();
    await paste(page, ["platform/services/billing", "platform/services/orders", "platform/api-gateway"]);
    await page.locator('#chosen-projects [data-count="3"]').waitFor();
    await page.getByLabel("Leave out").fill("platform/services/\nplatform/nope\n");
    await page.locator('#chosen-projects [data-count="1"]').waitFor();

    const left = page.locator("#chosen-projects .left-out");
    assert.equal(await left.getAttribute("data-left-out"), "2");
    assert.match(await left.innerText(), /^2 left out:/);
    assert.deepEqual(await left.locator("li").evaluateAll((items) => items.map((li) => li.dataset.project)), ["platform/services/billing", "platform/services/orders"]);
    const idle = page.locator("#chosen-projects .left-out-idle [data-line]");
    assert.equal(await idle.count(), 1);
    assert.equal(await idle.getAttribute("data-line"), "2");
    assert.match(await idle.innerText(), /platform\/nope leaves out no chosen project/);
    assert.doesNotMatch(await idle.innerText(), /`/);
    await disconnectConfirmed(page);
    await finish(page);
  });
});
