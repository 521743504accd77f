// The shared fixture tables (tests/fixtures at the repository root) through the npm package:
// the same inputs and answers the Rust crate and the component are held to.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { parseCallback, validateBaseUrl, validateRedirectUri } from "../index.js";
import { webhookAccess } from "../flows.js";

const table = (name) =>
  JSON.parse(readFileSync(new URL(`../../tests/fixtures/${name}`, import.meta.url), "utf8")).cases;

test("base URLs answer as the fixture table says", () => {
  for (const { provider, input, expect } of table("base-urls.json")) {
    const report = validateBaseUrl(provider, input);
    const context = `${provider} ${JSON.stringify(input)}`;
    for (const field of ["ok", "baseUrl", "apiBase", "deployment"]) {
      assert.equal(report[field], expect[field], `${field} of ${context}`);
    }
    assert.deepEqual(report.diagnostics.map((d) => d.code), expect.codes, `codes of ${context}`);
    if ("suggestion" in expect) {
      assert.equal(report.diagnostics[0].suggestion, expect.suggestion, `suggestion of ${context}`);
    }
  }
});

test("redirect URIs answer as the fixture table says", () => {
  for (const { provider, registered, requested, errors } of table("redirect-uris.json")) {
    const found = validateRedirectUri(provider, registered, requested)
      .filter((d) => d.severity === "error")
      .map((d) => d.code);
    assert.deepEqual(found, errors, `${provider} ${registered} ← ${requested}`);
  }
});

test("callbacks answer as the fixture table says", () => {
  for (const { callbackUrl, expectedState, expect } of table("callbacks.json")) {
    if (expect.error) {
      assert.throws(
        () => parseCallback(callbackUrl, expectedState),
        (error) => {
          assert.equal(error.code, expect.error, callbackUrl);
          if (expect.providerDetail) assert.equal(error.providerDetail, expect.providerDetail, callbackUrl);
          return true;
        },
      );
    } else {
      const callback = parseCallback(callbackUrl, expectedState);
      assert.equal(callback.code, expect.code, callbackUrl);
      assert.equal(callback.iss, expect.iss, callbackUrl);
    }
  }
});

test("webhook access by role answers as the fixture table says", () => {
  for (const { provider, role, expect } of table("webhook-access.json")) {
    assert.deepEqual(webhookAccess(provider, role), expect, `${provider} ${role}`);
  }
});
