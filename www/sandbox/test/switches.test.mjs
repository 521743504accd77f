// Each failure switch, answered the way each provider answers it, read by forgelink into the
// error code it documents for that failure.

import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";

import { startSandbox } from "../sandbox.mjs";
import { describeReport, forgelinkFor, rejection } from "./support.mjs";

const PROVIDERS = ["gitlab", "github", "bitbucket-cloud", "bitbucket-data-center"];
const HOOK_PROJECT = { gitlab: "platform/ci/runner-images", github: "acme-platform/runner-images", "bitbucket-cloud": "acme/runner-images", "bitbucket-data-center": "PLAT/runner-images" };
const REDIRECT_URI = "http://127.0.0.1:9/oauth/callback";
const HOOK_URL = "http://127.0.0.1:9/hooks";

let sandbox;

before(async () => {
  sandbox = await startSandbox();
});

after(async () => {
  await sandbox?.close();
});

afterEach(() => {
  for (const name of Object.keys(sandbox.switches())) sandbox.setSwitch(name, name === "slow" ? 0 : false);
});

const baseUrl = (provider) => (provider === "bitbucket-cloud" ? null : sandbox.providers[provider].baseUrl);

/** An OAuth connection made through the consent pages, with the profile's scopes. */
async function oauthConnection(provider, options = {}) {
  const host = forgelinkFor(sandbox, options);
  const app = await sandbox.registerApplication({ provider, redirectUri: REDIRECT_URI });
  const { url } = await host.forgelink.connectStart({ provider, baseUrl: baseUrl(provider), clientId: app.clientId, clientSecret: app.clientSecret, redirectUri: REDIRECT_URI, profile: "ci-failure-analysis" });
  const connection = await host.forgelink.connectFinish(await sandbox.approve(url));
  return { ...host, connection };
}

const check = (report, name) => report.checks.find((c) => c.name === name);

describe("expiredToken", () => {
  const CODES = { gitlab: "token.expired", github: "http.unauthorized", "bitbucket-cloud": "token.expired", "bitbucket-data-center": "http.unauthorized" };
  for (const provider of PROVIDERS) {
    test(`${provider}: the token answers as expired, the provider's way (${CODES[provider]})`, async () => {
      const { forgelink, connection } = await oauthConnection(provider);
      sandbox.setSwitch("expiredToken", true);
      const report = await forgelink.testConnection(connection.id);
      assert.equal(report.ok, false);
      assert.equal(check(report, "identity").code, CODES[provider], describeReport(report));
    });
  }

  test("a refresh brings a token that works again", async () => {
    const { forgelink, connection, clock } = await oauthConnection("gitlab");
    sandbox.setSwitch("expiredToken", true);
    // Two hours on, forgelink refreshes before the call; the new token was issued after the switch.
    clock.ms += 2 * 3600 * 1000;
    const report = await forgelink.testConnection(connection.id);
    assert.ok(report.ok, describeReport(report));
  });
});

describe("missingScope", () => {
  test("gitlab: the token has read_api instead of api; hooks answer insufficient_scope", async () => {
    sandbox.setSwitch("missingScope", true);
    const { forgelink, connection } = await oauthConnection("gitlab");
    assert.deepEqual(connection.scopes.missing, ["api"]);
    const report = await forgelink.testConnection(connection.id);
    assert.equal(check(report, "scopes").code, "http.missing_scope");
    assert.match(check(report, "scopes").message, /\bapi\b/);
    const [result] = await forgelink.registerWebhooks(connection.id, { projects: [HOOK_PROJECT.gitlab], url: HOOK_URL, profile: "ci-failure-analysis" });
    assert.equal(result.code, "http.missing_scope", JSON.stringify(result));
    assert.match(result.message, /\bapi\b/);
  });

  // repo includes repository hooks ("Scopes for OAuth apps"), so a token lacking what hooks
  // need lacks repo: it has public_repo, which covers public repositories only.
  test("github: X-OAuth-Scopes has public_repo, not repo; the private repository's hooks are hidden", async () => {
    sandbox.setSwitch("missingScope", "github");
    const { forgelink, connection } = await oauthConnection("github");
    assert.deepEqual(connection.scopes.missing, ["repo"]);
    const report = await forgelink.testConnection(connection.id);
    assert.equal(check(report, "scopes").code, "http.missing_scope");
    assert.match(check(report, "scopes").message, /\brepo\b/);
    const [result] = await forgelink.registerWebhooks(connection.id, { projects: [HOOK_PROJECT.github], url: HOOK_URL, profile: "ci-failure-analysis" });
    assert.equal(result.code, "http.missing_scope", JSON.stringify(result));
  });

  test("bitbucket-cloud: the consumer lacks webhook; hooks answer the privilege-scopes 403", async () => {
    sandbox.setSwitch("missingScope", ["bitbucket-cloud"]);
    const { forgelink, connection } = await oauthConnection("bitbucket-cloud");
    assert.deepEqual(connection.scopes.missing, ["webhook"]);
    const [result] = await forgelink.registerWebhooks(connection.id, { projects: [HOOK_PROJECT["bitbucket-cloud"]], url: HOOK_URL, profile: "ci-failure-analysis" });
    assert.equal(result.code, "http.missing_scope", JSON.stringify(result));
    assert.match(result.message, /webhook/);
  });

  test("bitbucket-data-center: the token response grants REPO_WRITE, not REPO_ADMIN", async () => {
    sandbox.setSwitch("missingScope", true);
    const { forgelink, connection } = await oauthConnection("bitbucket-data-center");
    assert.deepEqual(connection.scopes.missing, ["REPO_ADMIN"]);
    const report = await forgelink.testConnection(connection.id);
    assert.equal(check(report, "scopes").code, "http.missing_scope");
  });
});

describe("projectNotFound", () => {
  for (const provider of PROVIDERS) {
    test(`${provider}: registering on the project answers 404`, async () => {
      const { forgelink, connection } = await oauthConnection(provider);
      sandbox.setSwitch("projectNotFound", HOOK_PROJECT[provider]);
      const [result] = await forgelink.registerWebhooks(connection.id, { projects: [HOOK_PROJECT[provider]], url: HOOK_URL, profile: "deployments" });
      assert.equal(result.status, "failed");
      assert.equal(result.code, "http.not_found", JSON.stringify(result));
    });
  }
});

describe("instanceTooOld", () => {
  test("gitlab: 8.17 is refused as too old", async () => {
    sandbox.setSwitch("instanceTooOld", true);
    const { forgelink } = forgelinkFor(sandbox);
    const { token } = sandbox.createAccessToken({ provider: "gitlab", scopes: ["api"] });
    const error = await rejection(forgelink.connectWithToken({ provider: "gitlab", baseUrl: baseUrl("gitlab"), token }));
    assert.equal(error.code, "server.too_old");
    assert.match(error.message, /8\.17\.8/);
  });

  test("gitlab: a connection made earlier fails its version check", async () => {
    const { forgelink, connection } = await oauthConnection("gitlab");
    sandbox.setSwitch("instanceTooOld", "gitlab");
    const report = await forgelink.testConnection(connection.id);
    assert.equal(check(report, "server-version").code, "server.too_old", describeReport(report));
  });

  test("bitbucket-data-center: 7.17 has no OAuth 2.0 for forgelink, but takes HTTP access tokens", async () => {
    sandbox.setSwitch("instanceTooOld", true);
    const error = await rejection(oauthConnection("bitbucket-data-center"));
    assert.equal(error.code, "server.too_old");
    const { forgelink } = forgelinkFor(sandbox);
    const { token } = sandbox.createAccessToken({ provider: "bitbucket-data-center", scopes: ["REPO_ADMIN"] });
    const connection = await forgelink.connectWithToken({ provider: "bitbucket-data-center", baseUrl: baseUrl("bitbucket-data-center"), token });
    assert.equal(connection.serverVersion, "7.17.0");
  });

  test("github: GHES 2.22.0 is refused as too old, and a connection made earlier fails its version check", async () => {
    sandbox.setSwitch("instanceTooOld", "github");
    const error = await rejection(oauthConnection("github"));
    assert.equal(error.code, "server.too_old");
    assert.match(error.message, /2\.22\.0/);
    // forgelink needs 3.11: polling for pushes reads the repository activity list, new in 3.11.
    assert.match(error.guidance.steps.join(" "), /Enterprise Server 3\.11/);
    sandbox.setSwitch("instanceTooOld", false);
    const { forgelink, connection } = await oauthConnection("github");
    sandbox.setSwitch("instanceTooOld", "github");
    const report = await forgelink.testConnection(connection.id);
    assert.equal(check(report, "server-version").code, "server.too_old", describeReport(report));
  });
});

describe("unreachable", () => {
  for (const provider of PROVIDERS) {
    test(`${provider}: connections are reset (network.unreachable)`, async () => {
      const { forgelink, connection } = await oauthConnection(provider);
      sandbox.setSwitch("unreachable", provider);
      const report = await forgelink.testConnection(connection.id);
      assert.equal(check(report, "reachability").code, "network.unreachable", describeReport(report));
      const { token } = sandbox.createAccessToken({ provider });
      const error = await rejection(forgelinkFor(sandbox).forgelink.connectWithToken({ provider, baseUrl: baseUrl(provider), token }));
      assert.equal(error.code, "network.unreachable");
    });
  }

  test("the control page stays reachable", async () => {
    sandbox.setSwitch("unreachable", true);
    const response = await fetch(sandbox.url);
    assert.equal(response.status, 200);
    await response.body.cancel();
  });
});

describe("slow", () => {
  test("answers later than the host waits (network.timeout)", async () => {
    sandbox.setSwitch("slow", 600);
    const { forgelink } = forgelinkFor(sandbox, { timeoutMs: 150 });
    const { token } = sandbox.createAccessToken({ provider: "github" });
    const error = await rejection(forgelink.connectWithToken({ provider: "github", baseUrl: baseUrl("github"), token }));
    assert.equal(error.code, "network.timeout");
  });

  test("answers in time when the host waits long enough", async () => {
    sandbox.setSwitch("slow", 100);
    const { forgelink } = forgelinkFor(sandbox, { timeoutMs: 5000 });
    const { token } = sandbox.createAccessToken({ provider: "github" });
    const connection = await forgelink.connectWithToken({ provider: "github", baseUrl: baseUrl("github"), token });
    assert.equal(connection.account.username, "ada");
  });
});

test("unknown switches and values are refused", () => {
  assert.throws(() => sandbox.setSwitch("offline", true), /Unknown switch/);
  assert.throws(() => sandbox.setSwitch("slow", -5), /milliseconds/);
  assert.throws(() => sandbox.setSwitch("missingScope", 3), /provider id/);
});
