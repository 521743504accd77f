// What the browser tests share: one headless Chromium per test file (Debian's, driven by
// playwright-core), pages that fail the test on any script or console error, and screenshots.

import assert from "node:assert/strict";
import { access, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../../../pkg/test/support/chromium.mjs";

export const wwwDir = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const pkgDir = resolve(wwwDir, "..", "pkg");

// The committed screenshots change on every run (a fresh OAuth state, a free port), so they
// are rewritten only when asked: FORGELINK_UPDATE_SCREENSHOTS=1 make test-www. A picture not
// committed yet is written where it belongs; any other goes to a temporary directory, which
// still proves every step renders.
export const updateScreenshots = process.env.FORGELINK_UPDATE_SCREENSHOTS === "1";
const committedDir = join(wwwDir, "screenshots");


export async function requirePackage() {
  try {
    await access(join(pkgDir, "flows.js"));
    await access(join(pkgDir, "forgelink_flows_bg.wasm"));
  } catch {
    throw new Error("pkg/ is not built: build the npm package with `make pkg` before testing the wizard.");
  }
}

/** A fresh profile (nothing from an earlier run leaks in) and a browser on it. */
export async function launchBrowser(name) {
  const scratch = await mkdtemp(join(tmpdir(), `forgelink-${name}-`));
  const scratchShots = join(scratch, "screenshots");
  await mkdir(scratchShots, { recursive: true });
  const context = await launchChromium(join(scratch, "profile"), {
    viewport: { width: 1280, height: 900 },
    deviceScaleFactor: 1,
    reducedMotion: "reduce",
  });
  return {
    context,
    scratch,
    async shot(locator, file) {
      let path = join(committedDir, file);
      if (!updateScreenshots) {
        try {
          await access(path);
          path = join(scratchShots, file);
        } catch {
          // Not committed yet: write it where it belongs.
        }
      }
      // A pointer left over a card would show its hover colour in the picture.
      await locator.page().mouse.move(0, 0);
      // The step bar stays at the top of the window as the page scrolls; in a picture of one
      // part of the page it would cover that part's top, so it keeps its place meanwhile (set
      // through the CSSOM, which the page's content security policy allows).
      const unstick = (position) => locator.page().evaluate((value) => {
        const bar = document.getElementById("step-nav");
        if (bar) bar.style.position = value;
      }, position);
      await unstick("static");
      await locator.screenshot({ path, animations: "disabled" });
      await unstick("");
    },
    async close() {
      await context.close();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}

/** Opens `url` and fails the test on any script error, console error (which includes a
 * violation of the content security policy) or failed request of the wizard's own. */
export async function openPage(context, url, { width = 1280, height = 900, allowStatus = () => false } = {}) {
  const page = await context.newPage();
  await page.setViewportSize({ width, height });
  const problems = [];
  const own = new URL(url).origin;
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("response", (response) => {
    if (response.status() >= 400 && new URL(response.url()).origin === own && !allowStatus(response)) problems.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  page.on("console", (message) => {
    if (message.type() === "error" && new URL(page.url()).origin === own && !allowStatus(message)) problems.push(`console error: ${message.text()}`);
  });
  await page.goto(url);
  await waitReady(page);
  page.problems = problems;
  return page;
}

export async function waitReady(page) {
  await page.waitForFunction(() => document.documentElement.dataset.ready !== undefined);
  assert.equal(await page.evaluate(() => document.documentElement.dataset.ready), "true", "the page loaded the package");
}

export async function finish(page) {
  assert.deepEqual(page.problems, [], "no script or console errors");
  await page.close();
}

export const section = (page, headingId) => page.locator(`section[aria-labelledby="${headingId}"]`);

export async function choose(page, name, value) {
  await page.locator(`input[name="${name}"][value="${value}"]`).check();
}

/** Nothing sticks out past the right edge at the page's width (a phone's, say). */
export async function assertNoOverflow(page, width) {
  const overflowing = await page.evaluate(() => {
    const limit = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > limit + 0.5 && !el.closest(".visually-hidden, .copy-scratch, .skip-link, [hidden]"))
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}.${el.className}`);
    return { scrollWidth: document.documentElement.scrollWidth, limit, wide: wide.slice(0, 5) };
  });
  assert.ok(overflowing.scrollWidth <= overflowing.limit, `page is ${overflowing.scrollWidth}px wide at ${width}px: ${overflowing.wide}`);
  assert.deepEqual(overflowing.wide, [], `elements past the right edge at ${width}px`);
}

export function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Step 8: registers webhooks on the chosen projects and waits until every project has its answer. */
export async function registerWebhooks(page) {
  await page.getByRole("button", { name: "Register webhooks" }).click();
  await page.locator('#webhook-results .hook-summary[data-done="true"]').waitFor();
  return page.locator("#webhook-results");
}

/** Step 11: Disconnect, then the confirmation's danger button; the report once it shows. */
export async function disconnectConfirmed(page) {
  await page.getByRole("button", { name: "Disconnect…", exact: true }).click();
  await page.getByRole("button", { name: "Yes, disconnect", exact: true }).click();
  await page.locator("#disconnect-report [data-revoked]").waitFor();
  return page.locator("#disconnect-report");
}

/**
 * The provider sandbox, a browser and the wizard's server on that sandbox, for one test file
 * (`name` names its scratch directory); `stopWizard` ends all three. FORGELINK_TEST_LOG=1 prints
 * the sandbox's and the server's log lines.
 */
export async function startWizard(name, sandboxOptions = {}) {
  await requirePackage();
  // Imported once the package is known to be built: the server loads it.
  const [{ startSandbox }, { startWizardServer }] = await Promise.all([import("../../sandbox/sandbox.mjs"), import("../../server/index.mjs")]);
  const log = process.env.FORGELINK_TEST_LOG === "1" ? (line) => console.error(line) : () => {};
  const sandbox = await startSandbox({ log, ...sandboxOptions });
  const browser = await launchBrowser(name);
  const server = await startWizardServer({ port: 0, dataDir: join(browser.scratch, "data"), sandbox, log });
  return { sandbox, browser, server };
}

export async function stopWizard({ sandbox, browser, server }) {
  await browser?.close();
  await server?.close();
  await sandbox?.close();
}
