// troubleshoot() for every code and provider, and the shape of thrown errors.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { errorCodes, ForgelinkError, troubleshoot, validateBaseUrl, endpoints } from "../index.js";

const PROVIDERS = ["github", "gitlab", "bitbucket-cloud", "bitbucket-data-center"];

function thrown(fn) {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ForgelinkError, String(error));
    return error;
  }
  assert.fail("expected a ForgelinkError");
}

function checkGuidance(guidance, code, where) {
  assert.equal(guidance.code, code, where);
  assert.equal(typeof guidance.title, "string", where);
  assert.ok(guidance.title.length > 3, where);
  assert.ok(guidance.summary.length > 15, where);
  assert.ok(Array.isArray(guidance.steps) && guidance.steps.length > 0, `${where} has steps`);
  for (const step of guidance.steps) {
    assert.equal(typeof step, "string", where);
    assert.ok(step.length > 10, `${where}: ${step}`);
  }
  if ("docsUrl" in guidance) {
    assert.equal(new URL(guidance.docsUrl).protocol, "https:", where);
  }
  const keys = Object.keys(guidance).sort();
  assert.deepEqual(keys, ["code", "docsUrl", "steps", "summary", "title"].filter((k) => k !== "docsUrl" || "docsUrl" in guidance), where);
}

test("errorCodes lists each code once, in the family.name form", () => {
  const codes = errorCodes();
  assert.equal(new Set(codes).size, codes.length);
  for (const code of codes) {
    assert.match(code, /^[a-z0-9_]+\.[a-z0-9_]+$/, code);
  }
});

test("every code the first release promises is in the catalog", () => {
  const required = [
    "base_url.empty", "base_url.missing_scheme", "base_url.unsupported_scheme", "base_url.insecure_http",
    "base_url.trailing_slash", "base_url.credentials", "base_url.query_or_fragment", "base_url.api_path",
    "base_url.project_path", "base_url.invalid_host", "redirect_uri.trailing_slash_mismatch",
    "redirect_uri.mismatch", "oauth.state_mismatch", "oauth.missing_code", "oauth.duplicate_parameter",
    "oauth.access_denied", "oauth.invalid_scope", "oauth.redirect_uri_mismatch", "oauth.provider_error",
    "input.unknown_code", "input.invalid", "http.unauthorized", "http.forbidden", "http.not_found",
    "network.unreachable", "network.connection_refused", "network.name_not_resolved", "tls.untrusted_certificate",
    "tls.plain_http_on_https", "oauth.invalid_client", "token.expired",
    "server.too_old", "repository.sha256_unsupported",
  ];
  const codes = new Set(errorCodes());
  for (const code of required) {
    assert.ok(codes.has(code), code);
  }
});

for (const code of errorCodes()) {
  test(`troubleshoot(${code}) for every provider and for none`, () => {
    checkGuidance(troubleshoot(code), code, `${code}/-`);
    checkGuidance(troubleshoot(code, null), code, `${code}/null`);
    for (const provider of PROVIDERS) {
      checkGuidance(troubleshoot(code, provider), code, `${code}/${provider}`);
    }
  });
}

test("guidance names provider-specific places and roles", () => {
  const steps = (code, provider) => troubleshoot(code, provider).steps.join(" ");
  for (const code of ["http.forbidden", "redirect_uri.mismatch", "oauth.invalid_client", "oauth.redirect_uri_mismatch"]) {
    const texts = new Set(PROVIDERS.map((p) => steps(code, p)));
    assert.equal(texts.size, PROVIDERS.length, `${code} differs per provider`);
  }
  assert.match(steps("http.forbidden", "gitlab"), /Maintainer|Reporter/);
  assert.match(steps("oauth.invalid_client", "github"), /Developer settings/);
  assert.match(steps("oauth.invalid_client", "bitbucket-cloud"), /OAuth consumers/);
  assert.match(steps("redirect_uri.mismatch", "gitlab"), /exact/i);
});

test("guidance covers what each code must explain", () => {
  const text = (code, provider) => {
    const g = troubleshoot(code, provider);
    return `${g.title} ${g.summary} ${g.steps.join(" ")}`;
  };
  assert.match(text("http.not_found"), /project path/i);
  assert.match(text("http.not_found"), /base URL/);
  assert.match(text("network.unreachable"), /firewall/i);
  assert.match(text("network.unreachable"), /allow-list/i);
  assert.match(text("network.unreachable"), /private network|internet/i);
  assert.match(text("tls.untrusted_certificate"), /self-signed/i);
  assert.match(text("tls.untrusted_certificate"), /certificate authority|private CA/i);
  assert.match(text("oauth.invalid_client"), /client id/i);
  assert.match(text("oauth.invalid_client"), /secret/i);
  assert.match(text("server.too_old", "gitlab"), /9\.0/);
  assert.match(text("server.too_old", "bitbucket-data-center"), /7\.20/);
  assert.match(text("token.expired", "gitlab"), /Token is expired/);
  assert.match(text("http.unauthorized"), /401/);
  assert.match(text("http.forbidden"), /403/);
  assert.match(text("http.not_found"), /404/);
  assert.match(text("repository.sha256_unsupported"), /SHA-256/);
});

test("troubleshoot rejects what is not a code or a provider", () => {
  for (const code of ["", "nope", "BASE_URL.EMPTY", "base_url.empty ", "base_url"]) {
    const error = thrown(() => troubleshoot(code));
    assert.equal(error.code, "input.unknown_code", JSON.stringify(code));
  }
  assert.equal(thrown(() => troubleshoot("http.forbidden", "gitea")).code, "provider.unknown");
});

test("thrown errors are Error instances with code, message and guidance", () => {
  const error = thrown(() => endpoints("bitbucket-data-center"));
  assert.ok(error instanceof Error);
  assert.equal(error.name, "ForgelinkError");
  assert.equal(error.code, "base_url.required");
  assert.ok(error.message.length > 10);
  assert.match(String(error), /^ForgelinkError: /);
  assert.ok(typeof error.stack === "string" && error.stack.includes("ForgelinkError"));
  assert.deepEqual(error.guidance, troubleshoot("base_url.required"));
  const invalid = thrown(() => validateBaseUrl("gitlab", 42));
  assert.equal(invalid.code, "input.invalid");
  checkGuidance(invalid.guidance, "input.invalid", "input.invalid error");
});

test("the ErrorCode type lists exactly errorCodes()", () => {
  const dts = readFileSync(new URL("../types.d.ts", import.meta.url), "utf8");
  const union = dts.match(/export type ErrorCode =([^;]+);/);
  assert.ok(union, "types.d.ts declares ErrorCode");
  const declared = new Set([...union[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]));
  const codes = new Set(errorCodes());
  const undeclared = [...codes].filter((c) => !declared.has(c));
  const stale = [...declared].filter((c) => !codes.has(c));
  assert.deepEqual({ undeclared, stale }, { undeclared: [], stale: [] }, "generate types.d.ts again");
});
