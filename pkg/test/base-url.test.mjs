// validateBaseUrl through the npm package: every shape of address people paste, on real values.
import assert from "node:assert/strict";
import { test } from "node:test";

import { validateBaseUrl } from "../index.js";

/** The parts of a report a table row states; `suggestion` is that of the first diagnostic. */
function summary(report) {
  const out = {
    ok: report.ok,
    baseUrl: report.baseUrl,
    deployment: report.deployment,
    apiBase: report.apiBase,
    codes: report.diagnostics.map((d) => `${d.code}/${d.severity}`),
  };
  if (report.diagnostics[0]?.suggestion !== undefined) {
    out.suggestion = report.diagnostics[0].suggestion;
  }
  return out;
}

function accepted(baseUrl, deployment, apiBase, codes = [], suggestion) {
  const out = { ok: true, baseUrl, deployment, apiBase, codes };
  if (suggestion !== undefined) out.suggestion = suggestion;
  return out;
}

function rejected(codes, suggestion) {
  const out = { ok: false, baseUrl: null, deployment: null, apiBase: null, codes };
  if (suggestion !== undefined) out.suggestion = suggestion;
  return out;
}

const GL = "https://gitlab.example.com";

const cases = [
  // Surrounding whitespace is trimmed without a word; whitespace inside is an error.
  ["gitlab", `  ${GL}  `, accepted(GL, "self-hosted", `${GL}/api/v4`)],
  ["gitlab", `\t${GL}\n`, accepted(GL, "self-hosted", `${GL}/api/v4`)],
  ["gitlab", "https://git lab.example.com", rejected(["base_url.whitespace/error"], GL)],
  // Empty.
  ["gitlab", "", rejected(["base_url.empty/error"])],
  ["github", "   ", rejected(["base_url.empty/error"])],
  // No scheme: an error whose suggestion is https://<input>.
  ["gitlab", "gitlab.example.com", rejected(["base_url.missing_scheme/error"], GL)],
  ["gitlab", "  gitlab.example.com  ", rejected(["base_url.missing_scheme/error"], GL)],
  ["gitlab", "example.com/gitlab", rejected(["base_url.missing_scheme/error"], "https://example.com/gitlab")],
  ["bitbucket-data-center", "bb.example.com:7990", rejected(["base_url.missing_scheme/error"], "https://bb.example.com:7990")],
  // A scheme other than http or https.
  ["gitlab", "ftp://gitlab.example.com", rejected(["base_url.unsupported_scheme/error"], GL)],
  ["gitlab", "ssh://git@gitlab.example.com/group/project.git", rejected(["base_url.unsupported_scheme/error"], GL)],
  ["gitlab", "git@gitlab.example.com:group/project.git", rejected(["base_url.unsupported_scheme/error"], GL)],
  // Plain http: usable, with a warning suggesting https.
  ["gitlab", "http://gitlab.example.com", accepted("http://gitlab.example.com", "self-hosted", "http://gitlab.example.com/api/v4", ["base_url.insecure_http/warning"], GL)],
  ["gitlab", "http://gitlab.example.com:8080/gitlab", accepted("http://gitlab.example.com:8080/gitlab", "self-hosted", "http://gitlab.example.com:8080/gitlab/api/v4", ["base_url.insecure_http/warning"], "https://gitlab.example.com:8080/gitlab")],
  // A trailing slash: normalised without it, with a warning.
  ["gitlab", `${GL}/`, accepted(GL, "self-hosted", `${GL}/api/v4`, ["base_url.trailing_slash/warning"], GL)],
  ["gitlab", "https://example.com/gitlab/", accepted("https://example.com/gitlab", "self-hosted", "https://example.com/gitlab/api/v4", ["base_url.trailing_slash/warning"], "https://example.com/gitlab")],
  // Credentials in the URL.
  ["gitlab", "https://user:secret@gitlab.example.com", rejected(["base_url.credentials/error"], GL)],
  ["github", "https://token@ghe.example.com", rejected(["base_url.credentials/error"], "https://ghe.example.com")],
  // A query or a fragment.
  ["gitlab", `${GL}/?private_token=x`, rejected(["base_url.query_or_fragment/error"], GL)],
  ["gitlab", `${GL}#readme`, rejected(["base_url.query_or_fragment/error"], GL)],
  // A pasted API path: normalised to the web base, with a warning.
  ["gitlab", `${GL}/api/v4`, accepted(GL, "self-hosted", `${GL}/api/v4`, ["base_url.api_path/warning"], GL)],
  ["gitlab", `${GL}/api/v4/`, accepted(GL, "self-hosted", `${GL}/api/v4`, ["base_url.api_path/warning"], GL)],
  ["gitlab", "https://example.com/gitlab/api/v4/projects/42", accepted("https://example.com/gitlab", "self-hosted", "https://example.com/gitlab/api/v4", ["base_url.api_path/warning"], "https://example.com/gitlab")],
  ["github", "https://ghe.example.com/api/v3", accepted("https://ghe.example.com", "self-hosted", "https://ghe.example.com/api/v3", ["base_url.api_path/warning"], "https://ghe.example.com")],
  ["bitbucket-data-center", "https://bb.example.com/rest/api/1.0", accepted("https://bb.example.com", "self-hosted", "https://bb.example.com/rest/api/latest", ["base_url.api_path/warning"], "https://bb.example.com")],
  ["bitbucket-data-center", "https://bb.example.com/ctx/rest/api/1.0/projects", accepted("https://bb.example.com/ctx", "self-hosted", "https://bb.example.com/ctx/rest/api/latest", ["base_url.api_path/warning"], "https://bb.example.com/ctx")],
  // A project or repository path on a cloud host: normalised to the host, with a warning.
  ["gitlab", "https://gitlab.com/group/subgroup/project", accepted("https://gitlab.com", "cloud", "https://gitlab.com/api/v4", ["base_url.project_path/warning"], "https://gitlab.com")],
  ["gitlab", "https://gitlab.com/group/project/-/merge_requests/7", accepted("https://gitlab.com", "cloud", "https://gitlab.com/api/v4", ["base_url.project_path/warning"], "https://gitlab.com")],
  ["github", "https://github.com/octo-org/octo-repo", accepted("https://github.com", "cloud", "https://api.github.com", ["base_url.project_path/warning"], "https://github.com")],
  ["bitbucket-cloud", "https://bitbucket.org/workspace/repo/src/main", accepted("https://bitbucket.org", "cloud", "https://api.bitbucket.org/2.0", ["base_url.project_path/warning"], "https://bitbucket.org")],
  // A relative URL root or context path is kept.
  ["gitlab", "https://example.com/gitlab", accepted("https://example.com/gitlab", "self-hosted", "https://example.com/gitlab/api/v4")],
  ["bitbucket-data-center", "https://example.com/bitbucket", accepted("https://example.com/bitbucket", "self-hosted", "https://example.com/bitbucket/rest/api/latest")],
  // Cloud hosts resolve to the cloud deployment.
  ["gitlab", "https://gitlab.com", accepted("https://gitlab.com", "cloud", "https://gitlab.com/api/v4")],
  ["github", "https://github.com", accepted("https://github.com", "cloud", "https://api.github.com")],
  ["github", "https://www.github.com", accepted("https://github.com", "cloud", "https://api.github.com")],
  ["github", "https://api.github.com", accepted("https://github.com", "cloud", "https://api.github.com", ["base_url.api_path/warning"], "https://github.com")],
  ["bitbucket-cloud", "https://bitbucket.org", accepted("https://bitbucket.org", "cloud", "https://api.bitbucket.org/2.0")],
  ["bitbucket-cloud", "https://api.bitbucket.org", accepted("https://bitbucket.org", "cloud", "https://api.bitbucket.org/2.0", ["base_url.api_path/warning"], "https://bitbucket.org")],
  ["bitbucket-cloud", "https://api.bitbucket.org/2.0/repositories", accepted("https://bitbucket.org", "cloud", "https://api.bitbucket.org/2.0", ["base_url.api_path/warning"], "https://bitbucket.org")],
  // GitHub Enterprise Cloud with data residency.
  ["github", "https://octocorp.ghe.com", accepted("https://octocorp.ghe.com", "cloud", "https://api.octocorp.ghe.com")],
  ["github", "https://OctoCorp.GHE.com/", accepted("https://octocorp.ghe.com", "cloud", "https://api.octocorp.ghe.com", ["base_url.trailing_slash/warning"], "https://octocorp.ghe.com")],
  ["github", "https://api.octocorp.ghe.com", accepted("https://octocorp.ghe.com", "cloud", "https://api.octocorp.ghe.com", ["base_url.api_path/warning"], "https://octocorp.ghe.com")],
  // A cloud host given to the wrong choice is pointed at the right one.
  ["gitlab", "https://github.com", rejected(["base_url.wrong_provider/error"])],
  ["github", "https://gitlab.com/group/project", rejected(["base_url.wrong_provider/error"])],
  ["bitbucket-data-center", "https://bitbucket.org", rejected(["base_url.cloud_host/error"])],
  ["bitbucket-cloud", "https://bitbucket.example.com", rejected(["base_url.not_cloud/error"], "https://bitbucket.org")],
  // Ports.
  ["gitlab", "https://gitlab.example.com:8443", accepted("https://gitlab.example.com:8443", "self-hosted", "https://gitlab.example.com:8443/api/v4")],
  ["gitlab", "https://gitlab.example.com:443", accepted(GL, "self-hosted", `${GL}/api/v4`)],
  ["bitbucket-data-center", "https://bb.example.com:7990/bitbucket", accepted("https://bb.example.com:7990/bitbucket", "self-hosted", "https://bb.example.com:7990/bitbucket/rest/api/latest")],
  ["gitlab", "https://gitlab.example.com:65536", rejected(["base_url.invalid_port/error"])],
  ["gitlab", "https://gitlab.example.com:0", rejected(["base_url.invalid_port/error"])],
  ["gitlab", "https://gitlab.com:8443", rejected(["base_url.invalid_port/error"], "https://gitlab.com")],
  // IPv6 literals.
  ["gitlab", "https://[2001:db8::1]", accepted("https://[2001:db8::1]", "self-hosted", "https://[2001:db8::1]/api/v4")],
  ["gitlab", "https://[2001:DB8::1]:8443/gitlab/", accepted("https://[2001:db8::1]:8443/gitlab", "self-hosted", "https://[2001:db8::1]:8443/gitlab/api/v4", ["base_url.trailing_slash/warning"], "https://[2001:db8::1]:8443/gitlab")],
  ["gitlab", "https://[2001:db8::1", rejected(["base_url.invalid_host/error"])],
  // Internationalised host names become punycode.
  ["gitlab", "https://bücher.example", accepted("https://xn--bcher-kva.example", "self-hosted", "https://xn--bcher-kva.example/api/v4")],
  ["bitbucket-data-center", "https://münchen.example/bitbucket", accepted("https://xn--mnchen-3ya.example/bitbucket", "self-hosted", "https://xn--mnchen-3ya.example/bitbucket/rest/api/latest")],
  ["gitlab", "https://GitLab.Example.COM", accepted(GL, "self-hosted", `${GL}/api/v4`)],
  // Hosts that cannot be valid.
  ["gitlab", "https://exa_mple.com", rejected(["base_url.invalid_host/error"])],
  ["gitlab", "https://-gitlab.example.com", rejected(["base_url.invalid_host/error"])],
  ["gitlab", "https://gitlab..example.com", rejected(["base_url.invalid_host/error"])],
  ["gitlab", `https://${"a".repeat(64)}.example.com`, rejected(["base_url.invalid_host/error"])],
  ["gitlab", "https://999.1.1.1", rejected(["base_url.invalid_host/error"])],
  ["gitlab", "https://", rejected(["base_url.invalid_host/error"])],
  ["gitlab", "https://xn--.example", rejected(["base_url.invalid_host/error"])],
];

for (const [provider, input, expected] of cases) {
  test(`validateBaseUrl(${provider}, ${JSON.stringify(input)})`, () => {
    assert.deepEqual(summary(validateBaseUrl(provider, input)), expected);
  });
}

test("every diagnostic has a message for a person", () => {
  for (const [provider, input] of cases) {
    for (const d of validateBaseUrl(provider, input).diagnostics) {
      assert.equal(typeof d.message, "string");
      assert.ok(d.message.length > 10, `${input}: ${d.message}`);
      assert.ok(d.severity === "error" || d.severity === "warning");
    }
  }
});

test("errors come before warnings, and ok is false exactly when there is an error", () => {
  for (const [provider, input] of cases) {
    const report = validateBaseUrl(provider, input);
    const severities = report.diagnostics.map((d) => d.severity);
    const firstWarning = severities.indexOf("warning");
    if (firstWarning >= 0) {
      assert.ok(!severities.slice(firstWarning).includes("error"), input);
    }
    assert.equal(report.ok, !severities.includes("error"), input);
  }
});

test("a scheme typed with one slash or none is suggested with two", () => {
  // What someone types when they miss a key: the suggestion must be a usable address.
  for (const input of ["https:/gitlab.example.com", "https:gitlab.example.com"]) {
    const report = validateBaseUrl("gitlab", input);
    assert.equal(report.ok, false, input);
    assert.equal(report.diagnostics[0].suggestion, GL, `${input}: ${JSON.stringify(report.diagnostics[0])}`);
  }
});

test("a normalised base URL validates again without any diagnostic", () => {
  for (const [provider, input] of cases) {
    const report = validateBaseUrl(provider, input);
    if (!report.ok || report.baseUrl.startsWith("http:")) continue;
    const again = validateBaseUrl(provider, report.baseUrl);
    assert.deepEqual(summary(again), accepted(report.baseUrl, report.deployment, report.apiBase), input);
  }
});
