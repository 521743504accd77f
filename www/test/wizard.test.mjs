// The wizard before an account is connected, in a real headless Chromium against the real npm
// package and the wizard's server (with no provider reachable): every check of what a person
// types, the start of the OAuth path, and the screenshots the README shows.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createServer } from "node:http";
import { startWizardServer } from "../server/index.mjs";
import { assertNoOverflow, choose, escapeRegExp, finish, launchBrowser, openPage, pkgDir, requirePackage, section, updateScreenshots } from "./support/browser.mjs";

let server;
let browser;
let context;
let forgelink;
let origin;

before(async () => {
  await requirePackage();
  // The same package the page loads, read in Node, tells the test what the page must show.
  forgelink = await import(pathToFileURL(join(pkgDir, "index.js")).href);
  await forgelink.init();
  browser = await launchBrowser("wizard");
  context = browser.context;
  // No provider is reachable from these tests: every request the flows make fails, as a
  // network failure would; the journeys against the sandbox cover the rest.
  const unreachable = () => Promise.reject(new TypeError("fetch failed: no provider in these tests"));
  const start = (port) => startWizardServer({ port, dataDir: join(browser.scratch, "data"), fetch: unreachable });
  // Pictures for the README read best with the address `make demo` prints; any free port
  // does for everything else.
  server = await start(updateScreenshots ? 8080 : 0).catch(() => start(0));
  origin = new URL(server.url).origin;
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const openWizard = (size) => openPage(context, server.url, size);
const shot = (locator, name) => browser.shot(locator, name);

const baseUrl = (page) => page.getByLabel("Instance URL");
const diagnostic = (page, container, code) => page.locator(`#${container} [data-code="${code}"]`);

describe("the first page of the setup wizard", () => {
  test("GitLab self-managed: a missing scheme, then a trailing slash, each fixed by its suggestion", async () => {
    const page = await openWizard();
    await choose(page, "provider", "gitlab");
    await choose(page, "deployment", "gitlab-self-managed");
    await baseUrl(page).fill("gitlab.example.com/gitlab/");

    const missing = diagnostic(page, "base-url-diagnostics", "base_url.missing_scheme");
    await missing.waitFor();
    assert.match(await missing.getAttribute("class"), /diagnostic-error/);
    assert.match(await missing.textContent(), /https:\/\/gitlab\.example\.com\/gitlab\//);
    const missingGuidance = forgelink.troubleshoot("base_url.missing_scheme", "gitlab");
    assert.equal(await missing.locator(".guidance-title").textContent(), missingGuidance.title);
    assert.equal(await baseUrl(page).getAttribute("aria-invalid"), "true");
    await shot(section(page, "step-host"), "01-missing-scheme.png");

    await missing.getByRole("button", { name: "Use suggestion" }).click();
    assert.equal(await baseUrl(page).inputValue(), "https://gitlab.example.com/gitlab/");
    assert.equal(await page.evaluate(() => document.activeElement.id), "base-url", "focus returns to the field");

    const slash = diagnostic(page, "base-url-diagnostics", "base_url.trailing_slash");
    await slash.waitFor();
    assert.match(await slash.getAttribute("class"), /diagnostic-warning/);
    const slashGuidance = forgelink.troubleshoot("base_url.trailing_slash", "gitlab");
    assert.equal(await slash.locator(".guidance-title").textContent(), slashGuidance.title);
    assert.equal(await slash.locator(".guidance p").first().textContent(), slashGuidance.summary);
    assert.equal(await slash.locator(".guidance-steps li").count(), slashGuidance.steps.length);
    assert.equal(await missing.count(), 0, "the fixed error is gone");
    assert.equal(await baseUrl(page).getAttribute("aria-invalid"), "false", "a warning leaves the URL usable");
    await shot(section(page, "step-host"), "02-trailing-slash-warning.png");

    await slash.getByRole("button", { name: "Use suggestion" }).click();
    assert.equal(await baseUrl(page).inputValue(), "https://gitlab.example.com/gitlab");
    assert.equal(await page.locator("#base-url-diagnostics > *").count(), 0, "no diagnostics left");
    assert.match(await page.locator("#base-url-status").textContent(), /Looks good/);
    const resolved = page.locator("#resolved");
    assert.equal(await resolved.locator('[data-deployment]').getAttribute("data-deployment"), "self-hosted");
    assert.match(await resolved.textContent(), /https:\/\/gitlab\.example\.com\/gitlab\/api\/v4/);
    assert.equal(await page.locator("#deployment-mismatch > *").count(), 0);
    await shot(section(page, "step-host"), "03-clean-url.png");
    await finish(page);
  });

  test("step 1 says what is true of the field as it stands: the slash still typed, gitlab.com under self-managed", async () => {
    const page = await openWizard();
    await choose(page, "provider", "gitlab");
    await choose(page, "deployment", "gitlab-self-managed");
    await baseUrl(page).fill("https://gitlab.example.com/");
    const slash = diagnostic(page, "base-url-diagnostics", "base_url.trailing_slash");
    await slash.waitFor();
    assert.equal(await baseUrl(page).inputValue(), "https://gitlab.example.com/", "the field still holds the slash");
    const words = await slash.locator(".diagnostic-message").textContent();
    assert.doesNotMatch(words, /was removed/, "nothing was removed from the field");
    assert.match(words, /ends with a slash, which is left out.*https:\/\/gitlab\.example\.com(?!\/)/);

    // GitLab.com typed while self-managed is chosen: not "looks good", but which one it is.
    await baseUrl(page).fill("https://gitlab.com");
    const notice = page.locator('#deployment-mismatch [data-mismatch="cloud"]');
    await notice.waitFor();
    const status = page.locator("#base-url-status");
    assert.doesNotMatch(await status.textContent(), /Looks good/);
    assert.match(await status.getAttribute("class"), /status-warning/);
    assert.match(await status.textContent(), /This is GitLab\.com .*not a self-managed/);
    await shot(section(page, "step-host"), "05b-gitlab-com-under-self-managed.png");
    await notice.getByRole("button", { name: "Switch to GitLab.com" }).click();
    assert.equal(await page.locator('input[name="deployment"][value="gitlab-com"]').isChecked(), true);
    assert.match(await status.textContent(), /Looks good: https:\/\/gitlab\.com/);
    await finish(page);
  });

  test("step 5 names the chosen provider as where Connect sends people", async () => {
    const page = await openWizard();
    const names = { github: "GitHub", gitlab: "GitLab", "bitbucket-cloud": "Bitbucket Cloud", "bitbucket-data-center": "Bitbucket Data Center" };
    for (const [provider, name] of Object.entries(names)) {
      await choose(page, "provider", provider);
      await page.getByLabel("Client ID").fill("");
      const empty = await page.locator("#authorization").textContent();
      assert.match(empty, new RegExp(`sends people to ${name} to approve`), provider);
      if (provider !== "github") assert.doesNotMatch(empty, /GitHub/, provider);
      // Only GitLab takes a SAML SSO group for the sign-in (`root_namespace_id`).
      assert.equal(await page.locator("#root-namespace-id").isVisible(), provider === "gitlab", provider);
    }
    await shot(section(page, "step-authorize"), "08b-step5-names-provider.png");
    await finish(page);
  });

  test("GitHub: https://github.com/ is the cloud, and a self-hosted choice is pointed at it", async () => {
    const page = await openWizard();
    await choose(page, "provider", "github");
    await choose(page, "deployment", "github-com");
    await baseUrl(page).fill("https://github.com/");
    const resolved = page.locator("#resolved [data-deployment]");
    await resolved.waitFor();
    assert.equal(await resolved.getAttribute("data-deployment"), "cloud");
    assert.match(await page.locator("#resolved").textContent(), /https:\/\/github\.com(?!\/)/);
    assert.equal(await page.locator("#deployment-mismatch > *").count(), 0, "github.com chosen, github.com typed");

    await choose(page, "deployment", "github-enterprise-server");
    assert.equal(await baseUrl(page).inputValue(), "https://github.com/", "what the person typed is kept");
    const notice = page.locator("#deployment-mismatch [data-mismatch]");
    await notice.waitFor();
    assert.equal(await notice.getAttribute("data-mismatch"), "cloud");
    assert.match(await notice.textContent(), /GitHub\.com.*but you chose GitHub Enterprise Server/);
    await shot(section(page, "step-host"), "04-deployment-mismatch.png");
    await notice.getByRole("button", { name: "Switch to GitHub.com" }).click();
    assert.equal(await page.locator('input[name="deployment"][value="github-com"]').isChecked(), true);
    assert.equal(await page.locator("#deployment-mismatch > *").count(), 0);

    // The other way round: a self-hosted address while the cloud is chosen.
    await choose(page, "provider", "gitlab");
    await choose(page, "deployment", "gitlab-com");
    await baseUrl(page).fill("https://gitlab.example.com");
    const selfHosted = page.locator('#deployment-mismatch [data-mismatch="self-hosted"]');
    await selfHosted.waitFor();
    await selfHosted.getByRole("button").click();
    assert.equal(await page.locator('input[name="deployment"][value="gitlab-self-managed"]').isChecked(), true);

    // Another provider's cloud: the page names the right provider and switches to it.
    await choose(page, "provider", "bitbucket-data-center");
    await baseUrl(page).fill("https://bitbucket.org");
    await diagnostic(page, "base-url-diagnostics", "base_url.cloud_host").waitFor();
    const otherProvider = page.locator('#deployment-mismatch [data-mismatch="provider"]');
    await otherProvider.getByRole("button", { name: "Switch to Bitbucket Cloud" }).click();
    assert.equal(await page.locator('input[name="provider"][value="bitbucket-cloud"]').isChecked(), true);
    assert.equal(await page.locator("#resolved [data-deployment]").getAttribute("data-deployment"), "cloud");
    assert.equal(await page.evaluate(() => document.activeElement.id), "base-url");
    await finish(page);
  });

  test("a profile shows each scope to tick with its meaning and the reason it is needed", async () => {
    const page = await openWizard();
    await choose(page, "provider", "gitlab");
    await choose(page, "deployment", "gitlab-self-managed");
    await baseUrl(page).fill("https://gitlab.example.com/gitlab");

    const cases = [
      { provider: "gitlab", deployment: "gitlab-self-managed" },
      { provider: "bitbucket-cloud", deployment: "bitbucket-org" },
      { provider: "github", deployment: "github-com" },
      { provider: "bitbucket-data-center", deployment: "bitbucket-data-center" },
    ];
    const allProfiles = forgelink.profiles();
    assert.ok(allProfiles.length >= 6, "the package offers the profiles");
    for (const { provider, deployment } of cases) {
      await choose(page, "provider", provider);
      await choose(page, "deployment", deployment);
      const catalog = forgelink.scopeCatalog(provider);
      for (const profile of allProfiles) {
        await choose(page, "profile", profile.id);
        const radio = page.locator(`input[name="profile"][value="${profile.id}"]`);
        const summaryId = await radio.getAttribute("aria-describedby");
        assert.equal(await page.locator(`[id="${summaryId}"]`).textContent(), profile.summary, "the summary describes the choice");
        const needs = profile.providers.find((n) => n.provider === provider);
        assert.match(await page.locator("#profile-details").textContent(), new RegExp(escapeRegExp(needs.minRole.reason)));
        if (needs.scopes.length === 0) {
          assert.match(await page.locator("#scopes .scopes-none").textContent(), /no scope/);
        }
        const items = page.locator("#scopes [data-scope]");
        assert.deepEqual(
          await items.evaluateAll((els) => els.map((el) => el.dataset.scope)),
          needs.scopes.map((s) => s.name),
          `${profile.id} on ${provider}`,
        );
        for (const need of needs.scopes) {
          const item = page.locator(`#scopes [data-scope="${need.name}"]`);
          const meaning = catalog.find((s) => s.name === need.name).description;
          assert.equal(await item.locator(".scope-meaning").textContent(), meaning);
          assert.match(await item.locator(".scope-reason").textContent(), new RegExp(escapeRegExp(need.reason)));
        }
        const heading = await page.locator("#scopes-heading").textContent();
        if (needs.scopeMode === "consumer-permissions") assert.match(heading, /consumer/);
      }
    }
    await choose(page, "provider", "gitlab");
    await choose(page, "deployment", "gitlab-self-managed");
    await choose(page, "profile", allProfiles[0].id);
    await shot(section(page, "step-profile"), "05-profile.png");
    await finish(page);
  });

  test("the redirect URI to paste comes from the page's origin, is checked live and copies", async () => {
    const page = await openWizard();
    await choose(page, "provider", "gitlab");
    await choose(page, "deployment", "gitlab-self-managed");
    await baseUrl(page).fill("https://gitlab.example.com/gitlab");
    const field = page.getByLabel("Redirect URI to paste");
    const expected = `${origin}/oauth/callback`;
    assert.equal(await field.inputValue(), expected);
    assert.match(await page.locator("#redirect-uri-status").textContent(), /will accept/);
    assert.match(await page.locator("#app-instructions").textContent(), /Applications/);
    assert.match(await page.locator("#app-instructions").textContent(), /Confidential/);
    // The link to where the application is created is the package's settings page for this
    // instance (GitLab, "Create a user-owned application": /-/user_settings/applications).
    const gitlabPage = forgelink.settingsPages("gitlab", "https://gitlab.example.com/gitlab").oauthApp;
    assert.equal(gitlabPage, "https://gitlab.example.com/gitlab/-/user_settings/applications");
    await page.locator(`#app-instructions a[href="${gitlabPage}"]`).waitFor();

    await page.getByRole("button", { name: "Copy the redirect URI" }).click();
    await page.locator("#copy-status[data-copied]").waitFor();
    assert.equal(await page.locator("#copy-status").getAttribute("data-copied"), "true");
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), expected);
    await shot(section(page, "step-app"), "06-oauth-application.png");

    // Where the clipboard API is refused (an insecure origin, a policy), the fallback copies.
    await page.evaluate(async () => {
      await navigator.clipboard.writeText("something else");
      navigator.clipboard.writeText = () => Promise.reject(new DOMException("refused", "NotAllowedError"));
      document.getElementById("copy-status").textContent = "";
    });
    await page.getByRole("button", { name: "Copy the redirect URI" }).click();
    await page.waitForFunction(() => document.getElementById("copy-status").textContent !== "");
    assert.equal(await page.locator("#copy-status").getAttribute("data-copied"), "true");
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), expected);
    assert.equal(await page.evaluate(() => document.activeElement.id), "copy-redirect-uri", "focus stays on the button");

    // GitLab compares redirect URIs exactly: one extra slash is the classic mistake.
    await field.fill(`${expected}/`);
    const mismatch = diagnostic(page, "redirect-uri-diagnostics", "redirect_uri.trailing_slash_mismatch");
    await mismatch.waitFor();
    assert.equal(await field.getAttribute("aria-invalid"), "true");
    assert.equal(
      await mismatch.locator(".guidance-title").textContent(),
      forgelink.troubleshoot("redirect_uri.trailing_slash_mismatch", "gitlab").title,
    );
    await shot(page.locator("#redirect-uri-diagnostics"), "07-redirect-uri-mismatch.png");
    await mismatch.getByRole("button", { name: "Use the product's redirect URI" }).click();
    assert.equal(await field.inputValue(), expected);
    assert.equal(await page.evaluate(() => document.activeElement.id), "redirect-uri");
    assert.equal(await page.locator("#redirect-uri-diagnostics > *").count(), 0);

    // Another provider, another rule: Bitbucket Data Center wants the same URI, host and all.
    await choose(page, "provider", "bitbucket-data-center");
    await baseUrl(page).fill("https://bitbucket.example.com");
    await field.fill("https://wizard.example.com/oauth/callback");
    assert.equal(await field.getAttribute("aria-invalid"), "true");
    await diagnostic(page, "redirect-uri-diagnostics", "redirect_uri.mismatch").waitFor();
    // Data Center's application links page ("Configure an incoming link"), from the package too.
    const dcPage = forgelink.settingsPages("bitbucket-data-center", "https://bitbucket.example.com").oauthApp;
    assert.equal(dcPage, "https://bitbucket.example.com/plugins/servlet/applinks/listApplicationLinks");
    await page.locator(`#app-instructions a[href="${dcPage}"]`).waitFor();
    await finish(page);
  });

  test("the authorization URL for a client ID has each deployment's authorize path and the profile's scopes", async () => {
    const page = await openWizard();
    const profile = forgelink.profiles()[0];
    await choose(page, "profile", profile.id);
    const cases = [
      { provider: "gitlab", deployment: "gitlab-self-managed", url: "https://gitlab.example.com/gitlab", authorize: "https://gitlab.example.com/gitlab/oauth/authorize" },
      { provider: "github", deployment: "github-com", url: "https://github.com", authorize: "https://github.com/login/oauth/authorize" },
      { provider: "github", deployment: "github-enterprise-server", url: "https://github.example.com", authorize: "https://github.example.com/login/oauth/authorize" },
      { provider: "gitlab", deployment: "gitlab-com", url: "https://gitlab.com", authorize: "https://gitlab.com/oauth/authorize" },
      { provider: "bitbucket-cloud", deployment: "bitbucket-org", url: "https://bitbucket.org", authorize: "https://bitbucket.org/site/oauth2/authorize" },
      { provider: "bitbucket-data-center", deployment: "bitbucket-data-center", url: "https://bitbucket.example.com/bitbucket", authorize: "https://bitbucket.example.com/bitbucket/rest/oauth2/latest/authorize" },
    ];
    const clientId = "forgelink-demo-client";
    await page.getByLabel("Client ID").fill(clientId);
    for (const c of cases) {
      await choose(page, "provider", c.provider);
      await choose(page, "deployment", c.deployment);
      await baseUrl(page).fill(c.url);
      const code = page.locator("#authorization-url");
      await code.waitFor();
      const url = new URL(await code.textContent());
      assert.equal(`${url.origin}${url.pathname}`, c.authorize, c.deployment);
      assert.equal(url.searchParams.get("client_id"), clientId);
      assert.equal(url.searchParams.get("redirect_uri"), `${origin}/oauth/callback`);
      assert.equal(url.searchParams.get("response_type"), "code");
      assert.ok((url.searchParams.get("state") ?? "").length >= 43, "state carries at least 256 bits");
      const needs = profile.providers.find((n) => n.provider === c.provider);
      if (needs.scopeMode === "consumer-permissions") {
        assert.equal(url.searchParams.has("scope"), false, "Bitbucket Cloud takes no scope parameter");
      } else {
        assert.deepEqual(url.searchParams.get("scope").split(" ").sort(), needs.scopes.map((s) => s.name).sort());
      }
      // GitHub documents PKCE for github.com and ghe.com, not for Enterprise Server.
      if (c.deployment === "github-enterprise-server") {
        assert.equal(url.searchParams.has("code_challenge"), false, "no PKCE on GitHub Enterprise Server");
        assert.match(await page.locator("#authorization .authorization > p").first().textContent(), /no PKCE here/);
      }
      if (c.deployment === "github-com") assert.equal(url.searchParams.get("code_challenge_method"), "S256");
      if (c.deployment === "gitlab-self-managed") {
        assert.equal(url.searchParams.get("code_challenge_method"), "S256");
        await page.locator("#authorization details.params summary").click();
        await shot(section(page, "step-authorize"), "08-authorization-url.png");
      }
    }

    // A base URL the library refuses: its error and guidance show in place of the URL.
    await choose(page, "provider", "gitlab");
    await choose(page, "deployment", "gitlab-self-managed");
    await baseUrl(page).fill("ssh://git@gitlab.example.com");
    const failure = page.locator("#authorization [data-code]");
    await failure.waitFor();
    const code = await failure.getAttribute("data-code");
    assert.match(code, /^base_url\./);
    assert.equal(await failure.locator(".guidance-title").textContent(), forgelink.troubleshoot(code, "gitlab").title);
    assert.equal(await page.locator("#authorization-url").count(), 0);
    await finish(page);
  });

  test("Connect sends the person to the provider, and the server reads the answer once and explains a refusal", async () => {
    const page = await openWizard();
    // The provider's authorization page, as far as these tests go: it only has to exist.
    await page.route("https://gitlab.example.com/**", (route) => route.fulfill({ status: 200, contentType: "text/html", body: "<!doctype html><title>GitLab</title>" }));
    const fillChoices = async () => {
      await choose(page, "provider", "gitlab");
      await choose(page, "deployment", "gitlab-self-managed");
      await baseUrl(page).fill("https://gitlab.example.com/gitlab");
      await page.getByLabel("Client ID").fill("forgelink-demo-client");
      await page.getByLabel("Client secret").fill("gloas-a-secret-that-stays-on-the-server");
    };
    const connect = async () => {
      await page.getByRole("button", { name: "Connect", exact: true }).click();
      await page.waitForURL(/^https:\/\/gitlab\.example\.com\//);
      const url = new URL(page.url());
      assert.equal(`${url.origin}${url.pathname}`, "https://gitlab.example.com/gitlab/oauth/authorize");
      assert.equal(url.searchParams.get("redirect_uri"), `${origin}/oauth/callback`);
      assert.equal(url.searchParams.get("client_id"), "forgelink-demo-client");
      assert.equal(url.searchParams.get("code_challenge_method"), "S256");
      assert.equal(url.searchParams.has("client_secret"), false, "the secret never travels through the browser");
      return url.searchParams.get("state");
    };
    const answer = async (query) => {
      await page.goto(`${origin}/oauth/callback?${new URLSearchParams(query)}`);
      await page.waitForFunction(() => document.documentElement.dataset.ready !== undefined);
      await page.locator("#oauth-result [data-code]").waitFor();
      return page.locator("#oauth-result [data-code]");
    };

    await fillChoices();
    let state = await connect();
    let card = await answer({ error: "access_denied", error_description: "The resource owner or authorization server denied the request.", state });
    assert.equal(await card.getAttribute("data-code"), "oauth.access_denied");
    assert.equal(await card.locator(".guidance-title").textContent(), forgelink.troubleshoot("oauth.access_denied", "gitlab").title);
    assert.equal(await page.evaluate(() => location.search), "", "the outcome leaves the address bar");
    assert.equal(await page.evaluate(() => document.activeElement.id), "oauth-result-title", "focus moves to the explanation");
    assert.equal(await page.locator('input[name="provider"][value="gitlab"]').isChecked(), true, "the choices survive the trip");
    assert.equal(await baseUrl(page).inputValue(), "https://gitlab.example.com/gitlab");
    assert.equal(await page.getByLabel("Client secret").inputValue(), "", "the secret is not kept in the browser");
    await shot(section(page, "step-authorize"), "13-callback-denied.png");

    // The same state again: already used, whatever the answer carries; the code is never shown.
    card = await answer({ code: "a-code-that-stays-secret", state });
    assert.equal(await card.getAttribute("data-code"), "oauth.state_mismatch");
    assert.equal(await card.locator(".guidance-title").textContent(), forgelink.troubleshoot("oauth.state_mismatch", "gitlab").title);
    assert.doesNotMatch(await page.content(), /a-code-that-stays-secret/);

    // A state this server never issued.
    await fillChoices();
    state = await connect();
    card = await answer({ code: "c", state: `${state}x` });
    assert.equal(await card.getAttribute("data-code"), "oauth.state_mismatch");
    assert.equal(await page.locator("#connected-steps").isHidden(), true, "nothing connected");
    await finish(page);
  });

  test("keyboard only: every field is reachable, choices change with arrow keys, focus is visible", async () => {
    const page = await openWizard();
    const reached = [];
    const describeFocus = () =>
      page.evaluate(() => {
        const el = document.activeElement;
        return el ? el.id || `${el.tagName.toLowerCase()}[name=${el.getAttribute("name")}]` : "";
      });
    for (let i = 0; i < 60 && !reached.includes("client-id"); i += 1) {
      await page.keyboard.press("Tab");
      reached.push(await describeFocus());
    }
    const radioReached = (name) => reached.some((r) => r.startsWith(`${name}-`));
    assert.ok(radioReached("provider"), `provider reached: ${reached}`);
    assert.ok(radioReached("deployment"), `deployment reached: ${reached}`);
    assert.ok(radioReached("profile"), `profile reached: ${reached}`);
    for (const id of ["base-url", "redirect-uri", "copy-redirect-uri", "client-id"]) {
      assert.ok(reached.includes(id), `${id} reached: ${reached}`);
    }
    assert.ok(reached.indexOf("base-url") < reached.indexOf("redirect-uri"), "focus follows the page order");

    // Back to the start, then choose GitLab self-managed and type the URL without a mouse.
    await page.reload();
    await page.waitForFunction(() => document.documentElement.dataset.ready === "true");
    await page.keyboard.press("Tab"); // the skip link
    // The bar's link to each step, then the provider group.
    for (let i = await page.locator("#step-links a").count(); i > 0; i -= 1) {
      await page.keyboard.press("Tab");
      assert.equal(await page.evaluate(() => document.activeElement.closest("#step-links") !== null), true);
    }
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.name), "provider");
    await page.keyboard.press("ArrowRight");
    assert.equal(await page.locator('input[name="provider"][value="gitlab"]').isChecked(), true);
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.name), "deployment");
    await page.keyboard.press("ArrowDown");
    assert.equal(await page.locator('input[name="deployment"][value="gitlab-self-managed"]').isChecked(), true);
    const cardOutline = await page.evaluate(() => getComputedStyle(document.activeElement.closest("label")).outlineStyle);
    assert.notEqual(cardOutline, "none", "the focused choice shows an outline");
    await shot(section(page, "step-host"), "09-keyboard-focus.png");
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.id), "base-url");
    const outline = await page.evaluate(() => {
      const style = getComputedStyle(document.activeElement);
      return { style: style.outlineStyle, width: parseFloat(style.outlineWidth) };
    });
    assert.notEqual(outline.style, "none", "the focused field shows an outline");
    assert.ok(outline.width >= 2, "the outline is thick enough to see");
    await page.keyboard.type("gitlab.example.com");
    await page.keyboard.press("Tab");
    assert.match(await page.evaluate(() => document.activeElement.textContent), /Use suggestion/);
    await page.keyboard.press("Enter");
    assert.equal(await baseUrl(page).inputValue(), "https://gitlab.example.com");
    assert.equal(await page.evaluate(() => document.activeElement.id), "base-url");
    await finish(page);
  });

  test("at a phone's 390px width nothing overflows sideways", async () => {
    for (const width of [390, 1280]) {
      const page = await openWizard({ width, height: 844 });
      await choose(page, "provider", "gitlab");
      await choose(page, "deployment", "gitlab-self-managed");
      // Long inputs are what push a layout wider: a long address with a suggestion, a long URL.
      await baseUrl(page).fill("gitlab.a-rather-long-internal-host-name.engineering.example.com/gitlab/");
      await page.getByLabel("Client ID").fill("a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6");
      await page.locator("details.catalog summary").click();
      await diagnostic(page, "base-url-diagnostics", "base_url.missing_scheme").waitFor();
      await assertNoOverflow(page, width);
      if (width === 390) {
        await page.getByRole("button", { name: "Use suggestion" }).first().click();
        await shot(section(page, "step-host"), "10-phone-instance.png");
        await shot(section(page, "step-authorize"), "11-phone-authorization.png");
      }
      await finish(page);
    }
  });
});

describe("the wizard's API in a browser", () => {
  test("a page on another port of this machine gets the session cookie sent, and still cannot use the API", async () => {
    // Another local program's page: same site as the wizard (127.0.0.1), so the browser sends
    // the wizard's SameSite=Strict cookie with its requests; another origin, so it cannot read
    // the CSRF token, and the server refuses what it sends.
    const cookiesSeen = [];
    const attacker = createServer((req, res) => {
      cookiesSeen.push(req.headers.cookie ?? "");
      res.writeHead(200, { "content-type": "text/html" }).end(`<!doctype html><title>elsewhere</title><script type="module">
        const wizard = ${JSON.stringify(origin)};
        const out = {};
        try { out.session = (await (await fetch(wizard + "/api/session", { credentials: "include" })).json()).csrfToken ?? "no token"; }
        catch (e) { out.session = "unreadable"; }
        await fetch(wizard + "/api/connection", { mode: "no-cors", credentials: "include" });
        await fetch(wizard + "/api/connect/token", { method: "POST", mode: "no-cors", credentials: "include", headers: { "content-type": "text/plain" }, body: "{}" });
        const form = Object.assign(document.createElement("form"), { method: "POST", action: wizard + "/api/disconnect", target: "sink" });
        document.body.append(Object.assign(document.createElement("iframe"), { name: "sink" }), form);
        form.submit();
        window.result = out;
      </script>`);
    });
    const attackerPort = await new Promise((resolve) => attacker.listen(0, "127.0.0.1", () => resolve(attacker.address().port)));
    try {
      const wizardPage = await openWizard();
      const page = await context.newPage();
      const answered = (path) => page.waitForResponse((response) => response.url() === `${origin}${path}`);
      const answers = await Promise.all([answered("/api/connection"), answered("/api/connect/token"), answered("/api/disconnect"), page.goto(`http://127.0.0.1:${attackerPort}/`)]);
      await page.waitForFunction(() => window.result !== undefined);
      assert.equal((await page.evaluate(() => window.result)).session, "unreadable", "the token is not readable from another origin");
      // Cookies are per host, not per port: the browser hands the session even to this page's own server.
      assert.match(cookiesSeen.join("\n"), new RegExp(`forgelink_session_${server.port}=`));
      // A read without an Origin header (no-cors GET) as much as the changes.
      for (const response of answers.slice(0, 3)) {
        assert.equal(response.status(), 403, response.url());
      }
      await page.close();
      // The wizard's own page, meanwhile, uses the API as before.
      assert.equal(await wizardPage.evaluate(async () => (await import("/api.js")).api("/api/connection").then((a) => a.current)), null);
      await finish(wizardPage);
    } finally {
      await new Promise((resolve) => {
        attacker.close(resolve);
        attacker.closeAllConnections();
      });
    }
  });
});
