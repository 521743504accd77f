// forgelink's npm Forgelink class against every provider of the sandbox, end to end: the OAuth
// round trip through the real login and consent pages, the connection test, project discovery
// over every page, webhook registration, deliveries the sandbox really sends and forgelink
// receives once, and a disconnect that leaves no hook behind; then the access-token path.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { init, profiles } from "../../../pkg/flows.js";
import { cookieFetch } from "../cookies.mjs";
import { startSandbox } from "../sandbox.mjs";
import { allProjects, describeReport, forgelinkFor, rejection, startReceiver } from "./support.mjs";

// The largest page the sandbox serves here, so that the seed spans several pages.
const PAGE = 10;

const CASES = {
  gitlab: { ciProject: "platform/ci/runner-images", pushProject: "platform/api-gateway", sha256: "ada/analytical-engine", jobs: true },
  github: { ciProject: "acme-platform/runner-images", pushProject: "ada/analytical-engine", jobs: true },
  "bitbucket-cloud": { ciProject: "acme/runner-images", pushProject: "acme/storefront", jobs: true },
  "bitbucket-data-center": { pushProject: "PLAT/runner-images", manualProject: "OPS/deploy-scripts", jobs: false },
};

let sandbox;

before(async () => {
  sandbox = await startSandbox({ maxPageSize: PAGE });
});

after(async () => {
  await sandbox?.close();
});

for (const [provider, c] of Object.entries(CASES)) {
  describe(`${provider} over OAuth`, () => {
    let receiver;
    let forgelink;
    let clock;
    let connection;
    const delivered = {};
    // The person's browser, signed in to the provider across both approvals.
    const browser = cookieFetch();

    before(async () => {
      receiver = await startReceiver();
      ({ forgelink, clock } = forgelinkFor(sandbox));
      receiver.use(forgelink);
    });

    after(async () => {
      await receiver?.close();
    });

    /** Starts an authorization with `app` in the browser session that finishes it. */
    const start = (app, extra = {}) =>
      forgelink.connectStart({
        provider,
        baseUrl: provider === "bitbucket-cloud" ? null : sandbox.providers[provider].baseUrl,
        clientId: app.clientId,
        clientSecret: app.clientSecret,
        redirectUri: receiver.redirectUri,
        profile: "ci-failure-analysis",
        session: "the-browser-that-started",
        ...extra,
      });

    test("connects through the login and consent pages", async () => {
      const app = await sandbox.registerApplication({ provider, name: "forgelink tests", redirectUri: receiver.redirectUri });
      const { url } = await start(app);
      const callbackUrl = await sandbox.approve(url, { cookies: browser });
      assert.ok(callbackUrl.startsWith(receiver.redirectUri), callbackUrl);
      // Finished in another browser, the callback is refused and stays usable in its own.
      const elsewhere = await rejection(forgelink.connectFinish(callbackUrl, { session: "another-browser" }));
      assert.equal(elsewhere.code, "oauth.session_mismatch");
      connection = await forgelink.connectFinish(callbackUrl, { session: "the-browser-that-started" });
      assert.equal(connection.account.username, "ada");
      assert.equal(connection.status, "active");
      assert.deepEqual(connection.scopes.missing, [], JSON.stringify(connection.scopes));
      if (provider !== "bitbucket-cloud") assert.ok(connection.serverVersion, "a self-hosted instance tells its version");
    });

    test("passes the connection test", async () => {
      const report = await forgelink.testConnection(connection.id);
      assert.ok(report.ok, describeReport(report));
      assert.ok(report.checks.some((check) => check.name === "identity" && check.status === "pass"));
    });

    if (provider !== "github") {
      test("refreshes the token when it is about to expire, and the new one works", async () => {
        const before = await forgelink.accessToken(connection.id);
        clock.ms += 2 * 3600 * 1000;
        const after = await forgelink.accessToken(connection.id);
        assert.notEqual(after, before);
        const report = await forgelink.testConnection(connection.id);
        assert.ok(report.ok, describeReport(report));
        // Back to the sandbox's time: it signs GitLab deliveries with its own clock, and a
        // signature two hours off is refused as a replay.
        clock.ms -= 2 * 3600 * 1000;
      });
    }

    test("re-authorizing keeps the connection, and its new token works after the old one is revoked", async () => {
      const before = await forgelink.accessToken(connection.id);
      const { url } = await start(sandbox.applications(provider).at(-1), { connectionId: connection.id });
      // The same signed-in browser: a provider may send back at once for an application the
      // person approved, under the same authorization, as GitHub does.
      const again = await forgelink.connectFinish(await sandbox.approve(url, { cookies: browser }), { session: "the-browser-that-started" });
      assert.equal(again.id, connection.id, "the same connection");
      assert.notEqual(await forgelink.accessToken(connection.id), before, "new credentials");
      const report = await forgelink.testConnection(connection.id);
      assert.ok(report.ok, describeReport(report));
    });

    test("discovers every project over every page", async () => {
      const seeded = sandbox.projects(provider).length;
      assert.ok(seeded > PAGE, "the seed spans several pages");
      const { projects, pages } = await allProjects(forgelink, connection.id);
      assert.equal(projects.length, seeded);
      assert.equal(pages, Math.ceil(seeded / PAGE));
      assert.deepEqual(
        projects.map((p) => p.path).sort(),
        sandbox.projects(provider).map((p) => p.path).sort(),
      );
      const pushed = projects.find((p) => p.path === c.pushProject);
      if (provider !== "bitbucket-data-center") assert.ok(pushed.role, `${provider} tells the account's role`);
    });

    if (c.sha256) {
      // GitLab's Projects API names the format repository_object_format.
      test("marks the SHA-256 repository", async () => {
        const { projects } = await allProjects(forgelink, connection.id);
        assert.equal(projects.find((p) => p.path === c.sha256).sha256, true);
      });
    }

    test("registers webhooks that the sandbox keeps", async () => {
      const projects = c.ciProject ? [c.ciProject] : [];
      if (projects.length) {
        const ci = await forgelink.registerWebhooks(connection.id, { projects, url: `${receiver.origin}/hooks/ci`, profile: "ci-failure-analysis" });
        assert.deepEqual(ci.map((r) => r.status), ["created"], JSON.stringify(ci));
        const [hook] = sandbox.hooks(provider, c.ciProject);
        // Each hook delivers to the receiver's URL and a route id of its own.
        assert.match(hook.url, new RegExp(`^${receiver.origin}/hooks/ci/[A-Za-z0-9_-]{22,}$`));
        assert.equal(String(hook.id), ci[0].hookId);
      }
      const push = await forgelink.registerWebhooks(connection.id, { projects: [c.pushProject], url: `${receiver.origin}/hooks/push`, profile: "deployments" });
      assert.deepEqual(push.map((r) => r.status), ["created"], JSON.stringify(push));
      const [pushHook] = sandbox.hooks(provider, c.pushProject);
      assert.equal(sandbox.hooks(provider, c.pushProject).length, 1);
      // Registering again finds the hook at its routed URL and updates it instead of adding another.
      const again = await forgelink.registerWebhooks(connection.id, { projects: [c.pushProject], url: `${receiver.origin}/hooks/push`, profile: "deployments" });
      assert.deepEqual(again.map((r) => r.status), ["updated"]);
      assert.deepEqual(sandbox.hooks(provider, c.pushProject).map((h) => h.url), [pushHook.url], "the route is kept");
    });

    if (c.manualProject) {
      // Data Center refuses the hooks API with 401 and an AuthorisationException there.
      test("asks for a hand-made hook where the account is not admin", async () => {
        const [result] = await forgelink.registerWebhooks(connection.id, { projects: [c.manualProject], url: `${receiver.origin}/hooks/manual`, profile: "ci-failure-analysis" });
        assert.equal(result.status, "manual_setup_required", JSON.stringify(result));
        assert.ok(result.manualSetup.secret);
        assert.equal(sandbox.hooks(provider, c.manualProject).length, 0);
      });
    }

    // Bitbucket Cloud's X-Hook-UUID names the hook without the braces its API writes.
    test("a push is delivered, signed, and accepted once", async () => {
      const sent = await sandbox.trigger({ provider, project: c.pushProject, kind: "push" });
      assert.equal(sent.length, 1);
      const { receipt, path } = receiver.receipts.at(-1);
      assert.equal(receipt.status, "accepted", JSON.stringify(receipt));
      assert.equal(sent[0].status, 202);
      // The sandbox delivered to the URL the hook was registered with; its route named the connection.
      assert.equal(`${receiver.origin}${path}`, sandbox.hooks(provider, c.pushProject)[0].url);
      assert.deepEqual([receipt.connectionId, receipt.project], [connection.id, c.pushProject]);
      assert.equal(receipt.event.kind, "push");
      assert.equal(receipt.event.repository.fullPath, c.pushProject);
      if (provider === "gitlab") {
        // The instance kept the signing token forgelink sent ("Project webhooks API"): the
        // delivery carries the Standard Webhooks signature beside the secret token.
        assert.equal(sandbox.hooks(provider, c.pushProject)[0].raw.signing_token_present, true);
        const { headers } = receiver.receipts.at(-1);
        assert.match(headers["webhook-signature"], /^v1,[A-Za-z0-9+/]+=*$/);
        assert.equal(headers["webhook-id"], headers["idempotency-key"]);
      }
      delivered.push = sent[0];
    });

    if (c.ciProject) {
      test("a failed pipeline is delivered and accepted", async () => {
        const sent = await sandbox.trigger({ provider, project: c.ciProject, kind: "pipeline_failed" });
        assert.equal(sent.length, 1);
        const { receipt } = receiver.receipts.at(-1);
        assert.equal(receipt.status, "accepted", JSON.stringify(receipt));
        const event = receipt.event;
        if (provider === "bitbucket-cloud") {
          assert.equal(event.kind, "commit_status");
          assert.equal(event.commitStatus.state, "failure");
        } else {
          assert.equal(event.kind, "pipeline");
          assert.equal(event.pipeline.status, "failure");
        }
        delivered.pipeline = sent[0];
      });

      test("a failed job is delivered and accepted", async () => {
        const sent = await sandbox.trigger({ provider, project: c.ciProject, kind: "job_failed" });
        const { receipt } = receiver.receipts.at(-1);
        assert.equal(receipt.status, "accepted", JSON.stringify(receipt));
        if (provider === "gitlab") {
          assert.equal(receipt.event.job.failureReason, "script_failure");
          assert.equal(receipt.event.repository.fullPath, c.ciProject);
        }
        assert.equal(sent[0].status, 202);
      });
    } else {
      test("has no build status event to trigger", async () => {
        await assert.rejects(sandbox.trigger({ provider, project: c.pushProject, kind: "pipeline_failed" }), /no pipeline failed webhook event/);
      });
    }

    test("a redelivery is a duplicate", async () => {
      const first = delivered.pipeline ?? delivered.push;
      assert.ok(first, "an accepted delivery to repeat");
      const before = sandbox.deliveries().find((d) => d.deliveryId === first.deliveryId);
      const again = await sandbox.redeliver(first.deliveryId);
      assert.equal(again.status, 200);
      const { receipt, headers } = receiver.receipts.at(-1);
      assert.equal(receipt.status, "duplicate");
      const after = sandbox.deliveries().find((d) => d.deliveryId === first.deliveryId);
      assert.equal(after.body, before.body, "the same bytes");
      assert.equal(after.attempts, 2);
      assert.ok(Object.values(headers).includes(first.deliveryId));
    });

    test("disconnecting leaves no hook behind, and never calls the one to make by hand removed", async () => {
      const report = await forgelink.disconnect(connection.id);
      // forgelink never created the hand-made hook: deleting it is its administrator's part.
      for (const result of report.webhooks) assert.equal(result.status, result.project === c.manualProject ? "manual_setup_required" : "removed", JSON.stringify(result));
      assert.deepEqual(sandbox.hooks(provider), []);
      if (provider === "gitlab" || provider === "github") assert.equal(report.revoked, true, JSON.stringify(report));
    });
  });
}

// Connecting reads GET /2.0/user, which needs account: the profile asks the consumer for it.
test("bitbucket-cloud: a consumer with exactly the profile's permissions connects", async () => {
  await init();
  const needs = profiles().find((p) => p.id === "ci-failure-analysis").providers.find((p) => p.provider === "bitbucket-cloud");
  const scopes = needs.scopes.map((s) => s.name);
  assert.ok(scopes.includes("account"), JSON.stringify(scopes));
  const receiver = await startReceiver();
  try {
    const { forgelink } = forgelinkFor(sandbox);
    const app = await sandbox.registerApplication({ provider: "bitbucket-cloud", redirectUri: receiver.redirectUri, scopes });
    const { url } = await forgelink.connectStart({ provider: "bitbucket-cloud", clientId: app.clientId, clientSecret: app.clientSecret, redirectUri: receiver.redirectUri, profile: "ci-failure-analysis" });
    const connection = await forgelink.connectFinish(await sandbox.approve(url));
    assert.equal(connection.account.username, "ada");
  } finally {
    await receiver.close();
  }
});

describe("access tokens", () => {
  const TOKENS = {
    gitlab: { scopes: ["api", "read_user"], role: undefined },
    github: { scopes: ["repo", "admin:repo_hook", "read:user"] },
    "bitbucket-cloud": { scopes: ["account", "repository", "pullrequest", "webhook", "pipeline"] },
    "bitbucket-data-center": { scopes: [], role: "REPO_ADMIN" },
  };
  for (const [provider, options] of Object.entries(TOKENS)) {
    test(`${provider}: a created token connects and lists projects`, async () => {
      const { forgelink } = forgelinkFor(sandbox);
      const { token, scopes } = sandbox.createAccessToken({ provider, ...options });
      assert.ok(scopes.length > 0);
      const baseUrl = provider === "bitbucket-cloud" ? null : sandbox.providers[provider].baseUrl;
      const connection = await forgelink.connectWithToken({ provider, baseUrl, token, profile: "ci-failure-analysis" });
      assert.equal(connection.account.username, "ada");
      const report = await forgelink.testConnection(connection.id);
      assert.ok(report.ok, describeReport(report));
      const { projects } = await allProjects(forgelink, connection.id);
      assert.equal(projects.length, sandbox.projects(provider).length);
      if (provider === "gitlab") {
        assert.deepEqual(connection.scopes.granted, ["api", "read_user"]);
        assert.ok(connection.expiresAt > Date.now() / 1000, "GitLab tokens carry their expiry");
      }
    });
  }

  test("bitbucket-cloud: an API token goes as Basic with the account's email, and a wrong email is refused", async () => {
    const { forgelink } = forgelinkFor(sandbox);
    const { token } = sandbox.createAccessToken({ provider: "bitbucket-cloud", ...TOKENS["bitbucket-cloud"] });
    const connection = await forgelink.connectWithToken({ provider: "bitbucket-cloud", token, username: "ada@example.com", profile: "ci-failure-analysis" });
    assert.equal(connection.account.username, "ada");
    const report = await forgelink.testConnection(connection.id);
    assert.ok(report.ok, describeReport(report));
    const { projects } = await allProjects(forgelink, connection.id);
    assert.equal(projects.length, sandbox.projects("bitbucket-cloud").length);
    await assert.rejects(
      forgelink.connectWithToken({ provider: "bitbucket-cloud", token, username: "ada" }),
      (error) => error.code === "http.unauthorized" && /Atlassian account email/.test(error.guidance.steps.join(" ")),
    );
  });

  test("a GitLab project token below Maintainer cannot register hooks", async () => {
    const { forgelink } = forgelinkFor(sandbox);
    const { token } = sandbox.createAccessToken({ provider: "gitlab", scopes: ["api"], role: "developer" });
    const connection = await forgelink.connectWithToken({ provider: "gitlab", baseUrl: sandbox.providers.gitlab.baseUrl, token });
    const [result] = await forgelink.registerWebhooks(connection.id, { projects: ["platform/ci/runner-images"], url: "http://127.0.0.1:9/hooks", profile: "ci-failure-analysis" });
    assert.equal(result.status, "failed");
    assert.equal(result.code, "http.forbidden");
  });

  test("GitLab without signing tokens: hooks verify by their secret token", async () => {
    sandbox.setSwitch("signingTokens", false);
    const receiver = await startReceiver();
    try {
      const { forgelink } = forgelinkFor(sandbox);
      receiver.use(forgelink);
      const { token } = sandbox.createAccessToken({ provider: "gitlab", ...TOKENS.gitlab });
      const connection = await forgelink.connectWithToken({ provider: "gitlab", baseUrl: sandbox.providers.gitlab.baseUrl, token, profile: "deployments" });
      const project = "platform/api-gateway";
      const [result] = await forgelink.registerWebhooks(connection.id, { projects: [project], url: `${receiver.origin}/hooks/unsigned`, profile: "deployments" });
      assert.equal(result.status, "created", JSON.stringify(result));
      const [hook] = sandbox.hooks("gitlab", project).filter((h) => h.url.startsWith(`${receiver.origin}/hooks/unsigned`));
      assert.equal(hook.raw.signing_token_present, undefined, "an instance without the feature does not name it");
      const [sent] = await sandbox.trigger({ provider: "gitlab", project, kind: "push" });
      const { receipt, headers } = receiver.receipts.at(-1);
      assert.equal(receipt.status, "accepted", JSON.stringify(receipt));
      assert.equal(headers["webhook-signature"], undefined);
      assert.equal(sent.status, 202);
      await forgelink.disconnect(connection.id);
    } finally {
      sandbox.setSwitch("signingTokens", true);
      await receiver.close();
    }
  });
});
