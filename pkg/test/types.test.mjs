// The declarations in index.d.ts, checked by the TypeScript compiler as a user's code would be.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { test } from "node:test";

const require = createRequire(import.meta.url);

test("a TypeScript user of the public API compiles with tsc --noEmit --strict", () => {
  const tsc = require.resolve("typescript/bin/tsc");
  const usage = fileURLToPath(new URL("types/usage.ts", import.meta.url));
  const run = spawnSync(
    process.execPath,
    [
      tsc,
      "--noEmit",
      "--strict",
      "--exactOptionalPropertyTypes",
      "--noUncheckedIndexedAccess",
      "--target", "es2022",
      "--lib", "es2022,dom",
      "--module", "nodenext",
      "--moduleResolution", "nodenext",
      usage,
    ],
    { encoding: "utf8" },
  );
  assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
});

test("the declarations hold no `any`", () => {
  const dts = readFileSync(new URL("../index.d.ts", import.meta.url), "utf8");
  const code = dts.replace(/\/\*\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
  assert.doesNotMatch(code, /\bany\b/);
});

/** The fields of each `export interface` in index.d.ts: name → { required, optional }. */
function declaredInterfaces() {
  const dts = readFileSync(new URL("../index.d.ts", import.meta.url), "utf8");
  const out = new Map();
  for (const match of dts.matchAll(/^export interface (\w+) \{\n([\s\S]*?)^\}/gm)) {
    const required = new Set();
    const optional = new Set();
    for (const field of match[2].matchAll(/^ {2}(?:readonly )?(\w+)(\??):/gm)) {
      (field[2] ? optional : required).add(field[1]);
    }
    out.set(match[1], { required, optional });
  }
  return out;
}

test("the values the package returns have exactly the declared fields", async () => {
  const fl = await import("../index.js");
  const interfaces = declaredInterfaces();
  const seen = new Set();
  const check = (name, value) => {
    const declared = interfaces.get(name);
    assert.ok(declared, `index.d.ts declares ${name}`);
    seen.add(name);
    const keys = Object.keys(value);
    for (const key of declared.required) assert.ok(keys.includes(key), `${name}.${key} is returned`);
    for (const key of keys) {
      assert.ok(declared.required.has(key) || declared.optional.has(key), `${name}.${key} is declared`);
    }
  };
  const providers = ["github", "gitlab", "bitbucket-cloud", "bitbucket-data-center"];
  for (const provider of providers) {
    const accepted = fl.validateBaseUrl(provider, provider === "bitbucket-cloud" ? "https://bitbucket.org/" : "http://git.example.com/api/v4/");
    check("BaseUrlAccepted", accepted);
    accepted.diagnostics.forEach((d) => check("Diagnostic", d));
    const rejected = fl.validateBaseUrl(provider, "git.example.com");
    check("BaseUrlRejected", rejected);
    rejected.diagnostics.forEach((d) => check("Diagnostic", d));
    check("Endpoints", fl.endpoints(provider, provider === "bitbucket-data-center" ? "https://bb.example.com" : undefined));
    fl.scopeCatalog(provider).forEach((s) => check("ScopeInfo", s));
    check("ScopeCheck", fl.checkScopes(provider, "", []));
    check("Guidance", fl.troubleshoot("http.forbidden", provider));
    check("Guidance", fl.troubleshoot("tls.untrusted_certificate", provider));
  }
  for (const profile of fl.profiles()) {
    check("Profile", profile);
    for (const needs of profile.providers) {
      check("ProviderNeeds", needs);
      [needs.minRole, ...needs.scopes, ...needs.webhookEvents].forEach((n) => check("Need", n));
    }
  }
  const app = { clientId: "id", redirectUri: "https://app.example.com/cb" };
  check("AuthorizationUrl", fl.authorizationUrl({ ...app, provider: "gitlab" }));
  check("AuthorizationUrl", fl.authorizationUrl({ ...app, provider: "bitbucket-cloud" }));
  check("Callback", fl.parseCallback("https://a.example/?code=c&state=s&iss=https%3A%2F%2Fgithub.com%2Flogin%2Foauth", "s"));
  check("Callback", fl.parseCallback("https://a.example/?code=c&state=s", "s"));
  try {
    fl.parseCallback("https://a.example/?error=server_error&error_description=d&state=s", "s");
  } catch (error) {
    check("ForgelinkErrorBody", { code: error.code, message: error.message, guidance: error.guidance, providerDetail: error.providerDetail });
  }
  for (const name of ["BaseUrlAccepted", "BaseUrlRejected", "Endpoints", "Profile", "ProviderNeeds", "Guidance"]) {
    assert.ok(seen.has(name), name);
  }
});
