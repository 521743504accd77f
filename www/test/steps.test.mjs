// Where the person is on the page, in headless Chromium against the provider sandbox: the bar at
// the top names the step in view and links to every visible step, as the path changes (OAuth or
// token, before and after connecting), by keyboard and at a phone's width.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { assertNoOverflow, choose, disconnectConfirmed, finish, openPage, startWizard, stopWizard } from "./support/browser.mjs";

let sandbox;
let server;
let browser;

before(async () => ({ sandbox, browser, server } = await startWizard("steps")));

after(() => stopWizard({ sandbox, browser, server }));

const links = (page) => page.locator("#step-links a");
const now = (page) => page.locator("#step-now");

test("the bar names the step in view and links to every step of the path", async () => {
  const page = await openPage(browser.context, server.url);
  // OAuth: where, what for, how, the application, its credentials.
  assert.equal(await now(page).innerText(), "Step 1 of 5: Where are your repositories?");
  assert.equal(await links(page).count(), 5);
  assert.equal(await links(page).first().getAttribute("aria-current"), "step");

  // The token path has one step less, and the numbers follow.
  await choose(page, "method", "token");
  assert.equal(await links(page).count(), 4);
  assert.equal(await links(page).nth(3).getAttribute("aria-label"), "Step 4: Create an access token and paste it");
  assert.equal(await page.locator("#step-token .step-number").innerText(), "4");

  // A link moves focus to its step's heading, and the bar follows.
  await links(page).nth(2).focus();
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement.id), "step-method");
  assert.equal(await links(page).nth(2).getAttribute("aria-current"), "step");
  assert.match(await now(page).innerText(), /^Step 3 of 4: How will the product sign in\?$/);

  // Connected: the steps on the account join the bar; scrolling to one marks it.
  await choose(page, "provider", "gitlab");
  await choose(page, "deployment", "gitlab-self-managed");
  await page.getByLabel("Instance URL").fill(sandbox.providers.gitlab.baseUrl);
  await page.getByLabel("Paste the access token").fill(sandbox.createAccessToken({ provider: "gitlab", scopes: ["api"], role: "maintainer" }).token);
  await page.getByRole("button", { name: "Connect and test" }).click();
  await page.locator("#connection-checks [data-ok]").waitFor();
  assert.equal(await links(page).count(), 10);
  await page.locator("#step-projects").scrollIntoViewIfNeeded();
  await page.evaluate(() => window.scrollBy(0, document.getElementById("step-projects").getBoundingClientRect().top - 150));
  await page.waitForFunction(() => /^Step 6 of 10: Choose the projects$/.test(document.getElementById("step-now").textContent));
  assert.equal(await page.locator('#step-links a[aria-current="step"]').innerText(), "6");

  // At a phone's width the bar wraps rather than overflowing.
  await page.setViewportSize({ width: 360, height: 740 });
  await assertNoOverflow(page, 360);
  await browser.shot(page.locator("#step-nav"), "44-step-bar.png");

  await disconnectConfirmed(page);
  assert.equal(await links(page).count(), 4, "back to the steps before connecting");
  await finish(page);
});
