// The JavaScript boundary: wrong argument types, init(), and loading without Node's fs, as in
// a browser.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { test } from "node:test";

import * as forgelink from "../index.js";

const {
  authorizationUrl,
  checkScopes,
  endpoints,
  errorCodes,
  ForgelinkError,
  init,
  parseCallback,
  profiles,
  scopeCatalog,
  troubleshoot,
  validateBaseUrl,
  validateRedirectUri,
} = forgelink;

function codeOf(fn) {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ForgelinkError, `${error?.constructor?.name}: ${error?.message}`);
    return error.code;
  }
  return "no error";
}

// Values that are not strings (nor arrays): every string parameter must refuse them.
const WRONG = [undefined, null, 0, 42n, true, {}, Symbol("s"), () => "gitlab", new String("gitlab")];
const app = { provider: "gitlab", clientId: "id", redirectUri: "https://app.example.com/cb" };

function label(value) {
  return typeof value === "symbol" ? "symbol" : typeof value === "bigint" ? `${value}n` : String(value);
}

test("the package exports exactly the documented names", () => {
  assert.deepEqual(Object.keys(forgelink).sort(), [
    "ForgelinkError",
    "authorizationUrl",
    "checkScopes",
    "endpoints",
    "errorCodes",
    "init",
    "parseCallback",
    "profiles",
    "scopeCatalog",
    "troubleshoot",
    "validateBaseUrl",
    "validateRedirectUri",
  ]);
});

test("arguments of the wrong type are input.invalid errors, never TypeErrors", () => {
  const url = "https://a.example/cb";
  for (const wrong of [...WRONG, ["gitlab"], []]) {
    const where = label(wrong);
    const calls = [
      () => validateBaseUrl(wrong, url),
      () => validateBaseUrl("gitlab", wrong),
      () => validateRedirectUri(wrong, url, url),
      () => validateRedirectUri("gitlab", wrong, url),
      () => validateRedirectUri("gitlab", url, wrong),
      () => scopeCatalog(wrong),
      () => checkScopes(wrong, "api", []),
      () => parseCallback(wrong, "state"),
      () => parseCallback(`${url}?code=a&state=s`, wrong),
      () => troubleshoot(wrong),
      () => endpoints(wrong),
      () => authorizationUrl(wrong),
      () => authorizationUrl({ ...app, provider: wrong }),
      () => authorizationUrl({ ...app, clientId: wrong }),
      () => authorizationUrl({ ...app, redirectUri: wrong }),
    ];
    if (!Array.isArray(wrong)) {
      calls.push(() => checkScopes("gitlab", wrong, []), () => checkScopes("gitlab", "api", wrong));
    }
    if (wrong !== undefined && wrong !== null) {
      // Optional parameters take undefined and null as "absent".
      calls.push(
        () => endpoints("gitlab", wrong),
        () => troubleshoot("http.forbidden", wrong),
        () => authorizationUrl({ ...app, baseUrl: wrong }),
        () => authorizationUrl({ ...app, profile: wrong }),
      );
      if (typeof wrong !== "boolean") calls.push(() => authorizationUrl({ ...app, pkce: wrong }));
      if (!Array.isArray(wrong)) calls.push(() => authorizationUrl({ ...app, scopes: wrong }));
    }
    for (const call of calls) {
      assert.equal(codeOf(call), "input.invalid", `${where}: ${call}`);
    }
  }
  // Arrays where lists are expected, with a wrong element.
  assert.equal(codeOf(() => checkScopes("gitlab", ["api", 1], [])), "input.invalid");
  assert.equal(codeOf(() => checkScopes("gitlab", "api", ["read_api", null])), "input.invalid");
  assert.equal(codeOf(() => checkScopes("gitlab", "api", [, "read_api"])), "input.invalid");
  assert.equal(codeOf(() => authorizationUrl({ ...app, scopes: ["read_api", 7] })), "input.invalid");
  // A missing required field.
  assert.equal(codeOf(() => authorizationUrl({ provider: "gitlab", redirectUri: url })), "input.invalid");
  // Lists where lists are expected work, strings where either is allowed too.
  assert.deepEqual(checkScopes("gitlab", ["api"], ["read_api"]).missing, []);
  assert.equal(authorizationUrl({ ...app, scopes: [] }).url.includes("scope="), false);
});

test("unknown request fields, throwing getters and proxies are input.invalid", () => {
  assert.equal(codeOf(() => authorizationUrl({ ...app, client_id: "snake" })), "input.invalid");
  const getter = Object.defineProperty({ ...app }, "clientId", {
    enumerable: true,
    get() {
      throw new Error("no");
    },
  });
  assert.equal(codeOf(() => authorizationUrl(getter)), "input.invalid");
  const proxy = new Proxy(app, {
    ownKeys() {
      throw new Error("no");
    },
  });
  assert.equal(codeOf(() => authorizationUrl(proxy)), "input.invalid");
});

test("input.invalid messages name the argument and what was given", () => {
  try {
    validateBaseUrl("gitlab", 42);
  } catch (error) {
    assert.match(error.message, /`input`/);
    assert.match(error.message, /number/);
    return;
  }
  assert.fail("expected an error");
});

test("strings with lone surrogates, NULs and huge lengths are handled", () => {
  const odd = ["\ud800", "https://gitlab.example.com/\udfff", "\u0000", "https://a.example/\u0000", "x".repeat(1 << 20)];
  for (const input of odd) {
    const report = validateBaseUrl("gitlab", input);
    assert.equal(typeof report.ok, "boolean");
    assert.ok(Array.isArray(validateRedirectUri("gitlab", input, input)));
    assert.match(codeOf(() => parseCallback(input, input)), /^[a-z_]+\.[a-z_]+$/);
  }
  // Lone surrogates reach the core as U+FFFD, as any UTF-8 boundary would carry them.
  assert.deepEqual(parseCallback("?code=\ud800&state=s", "s"), { code: "\ufffd" });
});

test("provider ids are read case-insensitively, aliases included", () => {
  assert.equal(validateBaseUrl("GitLab", "https://gitlab.com").deployment, "cloud");
  assert.equal(endpoints("bitbucket").provider, "bitbucket-cloud");
  assert.equal(codeOf(() => scopeCatalog("gitea")), "provider.unknown");
});

test("init() resolves at once in Node, every time, to the same state", async () => {
  const first = init();
  assert.ok(first instanceof Promise);
  assert.equal(await first, undefined);
  await init();
  assert.equal(validateBaseUrl("gitlab", "https://gitlab.com").ok, true);
});

test("returned values are fresh objects the caller may change", () => {
  const a = profiles();
  a[0].id = "changed";
  assert.notEqual(profiles()[0].id, "changed");
  const codes = errorCodes();
  codes.pop();
  assert.equal(errorCodes().length, codes.length + 1);
});

// A Node without process.getBuiltinModule loads the package the way a browser does: nothing is
// initialised at import, calls throw init.required, and init() loads the module.
const browserLike = `
  delete process.getBuiltinModule;
  const { readFile } = await import("node:fs/promises");
  const pkg = await import(process.argv[1]);
  const out = {};
  try { pkg.validateBaseUrl("gitlab", "https://gitlab.com"); out.before = "no error"; }
  catch (e) { out.before = [e instanceof pkg.ForgelinkError, e.code, e.guidance.code, e.guidance.steps.length > 0]; }
  try { pkg.errorCodes(); } catch (e) { out.codesBefore = e.code; }
  // Node's fetch cannot read file: URLs, so the default init() fails: with a coded error.
  try { await pkg.init(); out.defaultInit = "resolved"; }
  catch (e) { out.defaultInit = [e instanceof pkg.ForgelinkError, e.code, e.cause instanceof Error]; }
  const bytes = await readFile(new URL("forgelink_bg.wasm", process.argv[1]));
  const response = new Response(bytes, { headers: { "content-type": "application/wasm" } });
  await Promise.all([pkg.init(response), pkg.init(response)]);
  await pkg.init();
  out.after = pkg.validateBaseUrl("gitlab", "https://gitlab.com/").baseUrl;
  out.codes = pkg.errorCodes().includes("init.required");
  out.guidance = pkg.troubleshoot("init.required").code;
  console.log(JSON.stringify(out));
`;

test("without Node's fs, calls before init() throw init.required and init() loads the module", () => {
  const index = new URL("../index.js", import.meta.url).href;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", browserLike, index], {
    encoding: "utf8",
    cwd: fileURLToPath(new URL(".", import.meta.url)),
  });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), {
    before: [true, "init.required", "init.required", true],
    codesBefore: "init.required",
    defaultInit: [true, "init.required", true],
    after: "https://gitlab.com",
    codes: true,
    guidance: "init.required",
  });
});
