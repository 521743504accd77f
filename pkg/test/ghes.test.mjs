// GitHub Enterprise Server through the npm package: PKCE only where GitHub documents it, the
// scopes GitHub reports, and the server version judged on the host's clock against forgelink's
// need and GitHub's own release dates. The instance is a fake forge on 127.0.0.1
// (support/forge.mjs) over real HTTP.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { authorizationUrl, fetchHost, Forgelink, ForgelinkError, memoryStorage } from "../flows.js";
import { GITHUB_TOKEN, startForge } from "./support/forge.mjs";

let forge;
before(async () => {
  forge = await startForge("github");
});
after(async () => {
  await forge?.close();
});

/** Milliseconds at midnight UTC starting `day` (`YYYY-MM-DD`). */
const at = (day) => Date.parse(`${day}T00:00:00Z`);

function connected() {
  const clock = { ms: at("2026-01-15") };
  const forgelink = new Forgelink({
    fetch: fetchHost({ allowPrivateNetworks: true, allowInsecureHttp: true, timeoutMs: 10_000 }),
    storage: memoryStorage({ now: () => clock.ms }),
    encryptionKey: new Uint8Array(32).fill(5),
    now: () => clock.ms,
  });
  return { clock, forgelink };
}

const versionCheck = (report) => report.checks.find((c) => c.name === "server-version");

test("GitHub documents PKCE for github.com and ghe.com, not Enterprise Server: no challenge there", () => {
  // "PKCE support for OAuth and GitHub App authentication" (GitHub changelog, 2025-07-14); the
  // docs show the code_challenge parameter for github.com and Enterprise Cloud only.
  const app = { provider: "github", clientId: "Iv1.app", redirectUri: "https://app.example/cb" };
  for (const baseUrl of [undefined, "https://octocorp.ghe.com"]) {
    const auth = authorizationUrl({ ...app, baseUrl });
    assert.equal(new URL(auth.url).searchParams.get("code_challenge_method"), "S256", String(baseUrl));
    assert.equal(typeof auth.codeVerifier, "string");
  }
  const ghes = authorizationUrl({ ...app, baseUrl: "https://ghe.example.com" });
  assert.equal(new URL(ghes.url).searchParams.get("code_challenge"), null);
  assert.equal(ghes.codeVerifier, undefined);
  try {
    authorizationUrl({ ...app, baseUrl: "https://ghe.example.com", pkce: true });
    assert.fail("PKCE on Enterprise Server is refused");
  } catch (error) {
    assert.ok(error instanceof ForgelinkError);
    assert.equal(error.code, "oauth.pkce_unsupported");
    assert.match(error.guidance.steps.join(" "), /Enterprise Server/);
  }
});

test("a token GitHub reports as repo alone covers the profile's webhooks", async () => {
  // "Scopes for OAuth apps": repo includes repository hooks, and GitHub drops admin:repo_hook
  // from a token that has repo ("Normalized scopes").
  forge.setServerVersion("3.17.2");
  const { forgelink } = connected();
  const connection = await forgelink.connectWithToken({ provider: "github", baseUrl: forge.baseUrl, token: GITHUB_TOKEN, profile: "ci-failure-analysis" });
  assert.deepEqual(connection.scopes, { granted: ["repo"], missing: [] });
  const report = await forgelink.testConnection(connection.id);
  assert.equal(report.checks.find((c) => c.name === "scopes").status, "pass");
});

test("the server version: supported, then past GitHub's support by the host's clock, newer, too old", async () => {
  // GitHub's dates (github/docs enterprise-dates.json): 3.17 deprecated on 2026-08-25, when
  // 3.18 became the oldest supported release; 3.19 supported until 2026-12-09.
  forge.setServerVersion("3.17.2");
  const { clock, forgelink } = connected();
  const connection = await forgelink.connectWithToken({ provider: "github", baseUrl: forge.baseUrl, token: GITHUB_TOKEN });
  assert.equal(connection.serverVersion, "3.17.2");

  clock.ms = at("2026-08-25") - 1000;
  let report = await forgelink.testConnection(connection.id);
  let check = versionCheck(report);
  assert.deepEqual([report.ok, check.status, check.code], [true, "pass", undefined]);
  assert.match(check.message, /until 2026-08-25/);

  clock.ms = at("2026-08-25");
  report = await forgelink.testConnection(connection.id);
  check = versionCheck(report);
  assert.deepEqual([report.ok, check.status, check.code], [true, "warn", "server.deprecated"], JSON.stringify(check));
  assert.match(check.message, /on 2026-08-25/);
  assert.match(check.message, /upgrade to 3\.18 or later/);
  assert.equal(check.guidance.code, "server.deprecated");
  assert.match(check.guidance.docsUrl, /docs\.github\.com/);

  // A release newer than the dates forgelink knows is fine.
  forge.setServerVersion("3.40.1");
  check = versionCheck(await forgelink.testConnection(connection.id));
  assert.equal(check.status, "pass");

  // Below what forgelink needs (3.11): the check fails, and a new connection is refused.
  forge.setServerVersion("3.10.3");
  report = await forgelink.testConnection(connection.id);
  check = versionCheck(report);
  assert.deepEqual([report.ok, check.status, check.code], [false, "fail", "server.too_old"]);
  assert.match(check.message, /3\.11/);
  await assert.rejects(
    forgelink.connectWithToken({ provider: "github", baseUrl: forge.baseUrl, token: GITHUB_TOKEN }),
    (error) => error instanceof ForgelinkError && error.code === "server.too_old" && /3\.11/.test(error.message),
  );
  forge.setServerVersion("3.17.2");
});
