// The safety net and feedback step in headless Chromium against the provider sandbox: on
// GitLab self-managed, a failed pipeline whose delivery the provider dropped never reaches the
// live view, "Poll now" finds it, and its late redelivery is a duplicate; a comment posted twice
// with one key is created, then updated in place; a rate limit and webhook-only mode say what
// they mean.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { assertNoOverflow, choose, disconnectConfirmed, finish, openPage, section, startWizard, stopWizard } from "./support/browser.mjs";

const PROJECT = "platform/ci/runner-images";

let sandbox;
let server;
let browser;

before(async () => ({ sandbox, browser, server } = await startWizard("safety", { maxPageSize: 10 })));

after(() => stopWizard({ sandbox, browser, server }));

const shot = (locator, name) => browser.shot(locator, name);

/** Waits for the poll's answer and returns its results container. */
async function pollNow(page) {
  const results = page.locator("#poll-results");
  await page.getByRole("button", { name: "Poll now" }).click();
  await page.locator("#poll-results [data-poll-status]").waitFor();
  await page.waitForFunction(() => document.getElementById("poll-results").getAttribute("aria-busy") === "false");
  return results;
}

test("GitLab: a dropped pipeline failure is found by Poll now, and a comment is created then updated in place", async () => {
  const page = await openPage(browser.context, server.url);
  await choose(page, "provider", "gitlab");
  await choose(page, "deployment", "gitlab-self-managed");
  await page.getByLabel("Instance URL").fill(sandbox.providers.gitlab.baseUrl);
  await choose(page, "method", "token");
  const { token } = sandbox.createAccessToken({ provider: "gitlab", scopes: ["api", "read_user"], role: "maintainer" });
  await page.getByLabel("Paste the access token").fill(token);
  await page.getByRole("button", { name: "Connect and test" }).click();
  await page.locator("#connection-checks [data-ok]").waitFor();

  await page.getByLabel("Search the projects this account can see").fill("runner");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await page.locator(`#project-results li[data-project="${PROJECT}"] input`).check();
  await page.getByRole("button", { name: "Register webhooks" }).click();
  await page.locator(`#webhook-results [data-project="${PROJECT}"][data-status="created"]`).waitFor();
  await page.locator("#deliveries-status").filter({ hasText: "Waiting for deliveries" }).waitFor();

  // The step offers the modes, hybrid first and chosen; the project chosen above is the one to comment on.
  const safety = section(page, "step-safety");
  assert.equal(await safety.locator('input[name="sync-mode"][value="hybrid"]').isChecked(), true);
  assert.equal(await page.getByLabel("Project", { exact: true }).inputValue(), PROJECT);

  // GitLab has turned the hook off: the pipeline fails, and no delivery leaves.
  sandbox.setSwitch("dropDeliveries", "gitlab");
  const [dropped] = await sandbox.trigger({ provider: "gitlab", project: PROJECT, kind: "pipeline_failed" });
  assert.equal(dropped.dropped, true);
  await page.waitForTimeout(500);
  assert.equal(await page.locator("#deliveries li").count(), 0, "nothing arrived in the live view");

  const results = await pollNow(page);
  const summary = results.locator("[data-found]");
  assert.ok(Number(await summary.getAttribute("data-found")) >= 2, await results.innerText());
  const pipeline = results.locator('#poll-events li[data-kind="pipeline"]');
  assert.equal(await pipeline.count(), 1, await results.innerText());
  assert.equal(await pipeline.getAttribute("data-status"), "found");
  assert.equal(await pipeline.getAttribute("data-repository"), PROJECT);
  assert.match(await pipeline.innerText(), /failure \(failed\)/);
  assert.match(await pipeline.innerText(), /Found by polling/);
  assert.match(await results.locator("#poll-events").innerText(), /smoke-test: failure, script_failure/, "the failed job, read from the pipeline's jobs");
  assert.match(await results.locator("[data-next-poll-at]").innerText(), /^Next poll due in about \d+ seconds/);
  assert.match(await results.locator("[data-rate-limit]").innerText(), /^Rate limit: [\d,]+ of 2,000 calls left/);
  assert.equal(await results.locator(`.poll-project[data-project="${PROJECT}"]`).getAttribute("data-state"), "complete");
  await shot(section(page, "step-safety"), "31-poll.png");
  // At a phone's width the cards, the rate limit and the form still fit.
  await page.setViewportSize({ width: 390, height: 844 });
  await assertNoOverflow(page, 390);
  await page.setViewportSize({ width: 1280, height: 900 });

  // The provider sends it after all: the live view shows it as a duplicate of what the poll found.
  sandbox.setSwitch("dropDeliveries", false);
  await sandbox.redeliver(dropped.deliveryId);
  await page.locator('#deliveries li[data-status="duplicate"][data-kind="pipeline"]').waitFor();
  const again = await pollNow(page);
  assert.equal(await again.locator("[data-found]").getAttribute("data-found"), "0", await again.innerText());
  assert.match(await again.locator("[data-found]").innerText(), /^Nothing new, \d+ already reported/);

  // The poll offered the merge request it saw; two posts with one key make one comment.
  assert.equal(await page.getByLabel("Merge request number").inputValue(), "1");
  await page.getByLabel("Comment, in Markdown").fill("**smoke-test failed**: the image lacks `curl`.");
  await page.getByLabel("Key", { exact: true }).fill("ci/pipeline-failure");
  await page.getByRole("button", { name: "Post the comment" }).click();
  const outcome = page.locator("#feedback-result [data-action]");
  await outcome.waitFor();
  assert.equal(await outcome.getAttribute("data-action"), "created", await outcome.innerText());
  assert.match(await outcome.locator(".check-head").textContent(), /^Created Comment \d+ on merge request !1 of platform\/ci\/runner-images: a new comment\.$/);
  const firstId = await outcome.getAttribute("data-comment-id");
  // GitLab's answer carries no address for a note: the one its merge request page links to.
  const link = outcome.getByRole("link", { name: "Open the comment (opens in a new tab)" });
  assert.ok((await link.getAttribute("href")).endsWith(`/platform/ci/runner-images/-/merge_requests/1#note_${firstId}`), await link.getAttribute("href"));
  // Keyboard only, the second time: the body, then Tab to the key and on to the button.
  await page.getByLabel("Comment, in Markdown").fill("");
  await page.getByLabel("Comment, in Markdown").focus();
  await page.keyboard.type("**smoke-test failed** again: `curl` is still missing.");
  for (let i = 0; i < 5 && !(await page.evaluate(() => document.activeElement.id === "post-feedback")); i += 1) await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await page.locator('#feedback-result [data-action="updated"]').waitFor();
  assert.equal(await page.locator("#feedback-result [data-action]").getAttribute("data-comment-id"), firstId, "the same comment");
  assert.match(await page.locator("#feedback-result").innerText(), /rewritten in place/);
  const notes = sandbox.comments("gitlab", PROJECT).filter((note) => note.mergeRequest === 1);
  assert.equal(notes.length, 1, JSON.stringify(notes));
  assert.match(notes[0].body, /again: `curl` is still missing\./);
  await shot(section(page, "step-safety"), "32-feedback.png");

  // A comment on the commit of the failure, which the poll offered too.
  await choose(page, "feedback-target", "commit");
  assert.equal(await page.getByLabel("Commit SHA").inputValue(), sandbox.pipelines("gitlab", PROJECT)[0].sha);
  await page.getByRole("button", { name: "Post the comment" }).click();
  await page.locator('#feedback-result [data-target="commit"]').waitFor();
  assert.equal(sandbox.comments("gitlab", PROJECT).filter((note) => note.commit).length, 1);

  // Over the rate limit: the poll stops, says until when, and how to live with it.
  sandbox.setSwitch("rateLimited", "gitlab");
  const limited = await pollNow(page);
  assert.equal(await limited.locator("[data-poll-status]").getAttribute("data-poll-status"), "incomplete");
  assert.equal(await limited.locator("[data-rate-limit]").getAttribute("data-rate-limit"), "spent");
  assert.match(await limited.locator("[data-rate-limit]").innerText(), /wait 60 seconds/);
  assert.match(await limited.locator("[data-next-poll-at]").innerText(), /in about \d+ seconds/);
  const project = limited.locator(`.poll-project[data-project="${PROJECT}"]`);
  assert.equal(await project.getAttribute("data-code"), "http.rate_limited");
  assert.equal(await project.getAttribute("data-state"), "failed");
  const cause = limited.locator('.poll-failure[data-code="http.rate_limited"]');
  assert.ok((await cause.locator(".guidance li").count()) > 0, "what to do about it");
  assert.match(await cause.locator("[data-retry-at]").innerText(), /allows calls again in about \d+ (seconds|minutes)/, "the time to wait until");
  sandbox.setSwitch("rateLimited", false);

  // Webhooks only: saved at once, and a poll reads nothing.
  await choose(page, "sync-mode", "webhook");
  await page.locator("#sync-mode-status").filter({ hasText: "Saved" }).waitFor();
  const off = await pollNow(page);
  assert.equal(await off.locator("[data-poll-status]").getAttribute("data-poll-status"), "disabled");
  assert.match(await off.innerText(), /polling is off/);

  await disconnectConfirmed(page);
  await finish(page);
});
