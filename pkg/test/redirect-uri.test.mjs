// validateRedirectUri with each provider's own rule.
import assert from "node:assert/strict";
import { test } from "node:test";

import { validateRedirectUri } from "../index.js";

/** The codes of the diagnostics, with their severity. */
function codes(provider, registered, requested) {
  return validateRedirectUri(provider, registered, requested).map((d) => `${d.code}/${d.severity}`);
}

const APP = "https://app.example.com/oauth/callback";
const ACCEPTED = [];
const MISMATCH = ["redirect_uri.mismatch/error"];
const SLASH = ["redirect_uri.trailing_slash_mismatch/error"];

const cases = [
  // GitLab: exactly the registered string.
  ["gitlab", APP, APP, ACCEPTED],
  ["gitlab", APP, `${APP}/`, SLASH],
  ["gitlab", `${APP}/`, APP, SLASH],
  ["gitlab", APP, `${APP}/gitlab`, MISMATCH],
  ["gitlab", APP, "https://app.example.com:8443/oauth/callback", MISMATCH],
  ["gitlab", APP, `${APP}?next=/`, MISMATCH],
  ["gitlab", APP, "https://other.example.com/oauth/callback", MISMATCH],
  ["gitlab", "http://app.example.com/cb", "http://app.example.com/cb", ["redirect_uri.insecure/warning"]],
  ["gitlab", "http://localhost:3000/cb", "http://localhost:3000/cb", ACCEPTED],
  // GitHub: same host and port, the path at or below the registered one; loopback any port.
  ["github", APP, APP, ACCEPTED],
  ["github", APP, `${APP}/github`, ACCEPTED],
  ["github", "https://app.example.com/oauth", "https://app.example.com/oauth/callback?x=1", ACCEPTED],
  ["github", APP, "https://app.example.com/oauth/other", MISMATCH],
  ["github", APP, "https://app.example.com/oauth/callbacks", MISMATCH],
  ["github", APP, "https://app.example.com:8443/oauth/callback", MISMATCH],
  ["github", APP, "https://evil.example.com/oauth/callback", MISMATCH],
  ["github", APP, "https://app.example.com.evil.example/oauth/callback", MISMATCH],
  ["github", APP, "http://app.example.com/oauth/callback", ["redirect_uri.insecure/warning", "redirect_uri.mismatch/error"]],
  ["github", "http://127.0.0.1/callback", "http://127.0.0.1:53817/callback", ACCEPTED],
  ["github", "http://127.0.0.1:8080/callback", "http://127.0.0.1:61234/callback", ACCEPTED],
  ["github", "http://[::1]/callback", "http://[::1]:40000/callback", ACCEPTED],
  ["github", `${APP}/`, APP, SLASH],
  // Bitbucket Cloud: the requested URL starts with the consumer's callback URL.
  ["bitbucket-cloud", APP, APP, ACCEPTED],
  ["bitbucket-cloud", APP, `${APP}/bitbucket?workspace=acme`, ACCEPTED],
  ["bitbucket-cloud", "https://app.example.com", `${APP}`, ACCEPTED],
  ["bitbucket-cloud", APP, "https://app.example.com/oauth", MISMATCH],
  ["bitbucket-cloud", APP, "https://other.example.com/oauth/callback", MISMATCH],
  ["bitbucket-cloud", `${APP}/`, APP, SLASH],
  // Bitbucket Data Center: exactly the registered string, over https unless on this machine.
  ["bitbucket-data-center", APP, APP, ACCEPTED],
  ["bitbucket-data-center", APP, `${APP}/`, SLASH],
  ["bitbucket-data-center", APP, `${APP}/more`, MISMATCH],
  ["bitbucket-data-center", "http://app.example.com/cb", "http://app.example.com/cb", ["redirect_uri.insecure/error"]],
  ["bitbucket-data-center", "http://localhost:3000/cb", "http://localhost:3000/cb", ACCEPTED],
  ["bitbucket-data-center", "http://127.0.0.1:3000/cb", "http://127.0.0.1:3000/cb", ACCEPTED],
  // URIs that are not absolute http(s) URLs, or carry a fragment.
  ["gitlab", "not a url", APP, ["redirect_uri.invalid/error"]],
  ["gitlab", APP, "/oauth/callback", ["redirect_uri.invalid/error"]],
  ["github", APP, "ftp://app.example.com/oauth/callback", ["redirect_uri.invalid/error"]],
  ["gitlab", `${APP}#x`, APP, ["redirect_uri.fragment/error"]],
  ["bitbucket-cloud", APP, `${APP}#x`, ["redirect_uri.fragment/error"]],
];

for (const [provider, registered, requested, expected] of cases) {
  test(`validateRedirectUri(${provider}, ${registered}, ${requested})`, () => {
    assert.deepEqual(codes(provider, registered, requested), expected);
  });
}

test("a mismatch suggests the registered URI and says what differs", () => {
  const [mismatch] = validateRedirectUri("gitlab", APP, "https://app.example.com:8443/oauth/callback");
  assert.equal(mismatch.code, "redirect_uri.mismatch");
  assert.equal(mismatch.suggestion, APP);
  assert.match(mismatch.message, /port/);
  const [slash] = validateRedirectUri("gitlab", APP, `${APP}/`);
  assert.equal(slash.suggestion, APP);
  assert.match(slash.message, /trailing slash/);
});
