// Bitbucket facts as the package shows them: API token scopes beside the consumer's, app
// password retirement dates as data, and the error a retired app password gets. Each
// expectation names the Atlassian page it comes from.
import assert from "node:assert/strict";
import { test } from "node:test";

import { checkScopes, errorCodes, profiles, scopeCatalog, troubleshoot } from "../index.js";
import * as flows from "../flows.js";

const { tokenPrefixes } = flows;

// "Bitbucket Cloud enters phase 2 of app password deprecation" (community.atlassian.com,
// 2025-09-09) and "Deprecation notice: Bitbucket Cloud app password brownout schedule and next
// steps": brownouts from 2026-06-09, removal on 2026-07-28.
const CREATION_STOPPED = Date.UTC(2025, 8, 9) / 1000;
const BROWNOUTS_FROM = Date.UTC(2026, 5, 9) / 1000;
const REMOVED = Date.UTC(2026, 6, 28) / 1000;

test("app passwords carry their retirement dates, for the caller to judge by its clock", () => {
  const appPassword = tokenPrefixes("bitbucket-cloud").find((t) => t.kind === "app-password");
  assert.equal(appPassword.prefix, "ATBB");
  assert.deepEqual(
    [appPassword.retirement.creationStoppedAt, appPassword.retirement.brownoutsFrom, appPassword.retirement.removedAt],
    [CREATION_STOPPED, BROWNOUTS_FROM, REMOVED],
  );
  assert.match(appPassword.retirement.source, /^https:\/\/community\.atlassian\.com\//);
  const detected = flows.detectToken("ATBBq8Rz3example");
  assert.equal(detected.kind, "app-password");
  assert.deepEqual(detected.retirement, appPassword.retirement);
  // API tokens (support.atlassian.com/bitbucket-cloud/docs/using-api-tokens/) are not retired.
  const apiToken = tokenPrefixes("bitbucket-cloud").find((t) => t.kind === "api-token");
  assert.equal(apiToken.prefix, "ATATT");
  assert.equal(apiToken.retirement, undefined);
  assert.deepEqual(tokenPrefixes("bitbucket-data-center").map((t) => t.prefix), ["BBDC-"]);
});

test("a retired app password has a code, in the ErrorCode list, with guidance towards API tokens", () => {
  assert.ok(errorCodes().includes("token.app_password_retired"));
  const guidance = troubleshoot("token.app_password_retired", "bitbucket-cloud");
  assert.ok(guidance.steps.some((s) => s.includes("API token") && s.includes("email")));
  assert.ok(guidance.steps.some((s) => s.includes("access token")));
});

// "API token permissions" (support.atlassian.com/bitbucket-cloud/docs/api-token-permissions/):
// "This scope does not imply the read:repository:bitbucket scope, so you need to request that
// separately". The consumer's repository:write does include repository
// (developer.atlassian.com/cloud/bitbucket/bitbucket-cloud-rest-api-scopes/).
test("API token scopes sit beside the consumer's, and for them write does not imply read", () => {
  const catalog = scopeCatalog("bitbucket-cloud");
  const kind = (name) => catalog.find((s) => s.name === name).kind;
  assert.equal(kind("repository"), "oauth");
  assert.equal(kind("read:repository:bitbucket"), "api-token");
  assert.ok(catalog.filter((s) => s.kind === "api-token").every((s) => s.implies.length === 0));
  assert.deepEqual(checkScopes("bitbucket-cloud", "write:repository:bitbucket", ["read:repository:bitbucket"]).missing, ["read:repository:bitbucket"]);
  assert.equal(checkScopes("bitbucket-cloud", "repository:write", ["repository"]).satisfied, true);
  assert.ok(scopeCatalog("github").every((s) => s.kind === "oauth"));
});

test("profiles name the API token scopes a Bitbucket Cloud connection needs", () => {
  for (const profile of profiles()) {
    for (const needs of profile.providers) {
      if (needs.provider !== "bitbucket-cloud") {
        assert.deepEqual(needs.apiTokenScopes, [], `${profile.id}/${needs.provider}`);
        continue;
      }
      assert.ok(needs.apiTokenScopes.length > 0, profile.id);
      const names = needs.apiTokenScopes.map((n) => n.name);
      assert.ok(names.includes("read:user:bitbucket"), `${profile.id}: connecting reads GET /2.0/user`);
      for (const name of names) {
        if (name.startsWith("write:")) assert.ok(names.includes(`read:${name.slice(6)}`), `${profile.id}: ${name} needs its read scope`);
      }
      assert.equal(checkScopes("bitbucket-cloud", names, names).satisfied, true);
    }
  }
});
