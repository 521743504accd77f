// The JavaScript boundary: wrong argument types, init(), and loading without Node's fs, as in
// a browser.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { test } from "node:test";

import * as forgelink from "../index.js";
import * as flows from "../flows.js";

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

// The first slice's functions, the whole of the `forgelink` entry.
const FIRST_SLICE = [
  "ForgelinkError",
  "authorizationUrl",
  "checkScopes",
  "endpoints",
  "errorCodes",
  "init",
  "parseCallback",
  "profiles",
  "scopeCatalog",
  "settingsPages",
  "troubleshoot",
  "validateBaseUrl",
  "validateRedirectUri",
];

test("the forgelink entry exports exactly the first slice's names", () => {
  assert.deepEqual(Object.keys(forgelink).sort(), FIRST_SLICE);
});

test("the forgelink/flows entry exports exactly the documented names", () => {
  assert.deepEqual(Object.keys(flows).sort(), [
    ...FIRST_SLICE,
    "Forgelink",
    "createNodeMiddleware",
    "detectToken",
    "feedbackBody",
    "feedbackMarker",
    "fetchHost",
    "findFeedback",
    "githubAppInstallUrl",
    "githubAppManifest",
    "githubAppNeeds",
    "githubAppPermissions",
    "identifyWebhook",
    "manualWebhookSetup",
    "memoryStorage",
    "missingPermissions",
    "needsRefresh",
    "nodeSigner",
    "parseApiError",
    "parseComment",
    "parseCommentList",
    "parseDeviceAuthorization",
    "parseGitHubAppSetup",
    "parseHook",
    "parseHookList",
    "parseManifestConversion",
    "parsePollResponse",
    "parseRepositoryList",
    "parseTokenResponse",
    "parseWebhook",
    "pollResources",
    "prepareCreateComment",
    "prepareCreateHook",
    "prepareDeleteHook",
    "prepareDeviceAuthorization",
    "prepareDevicePoll",
    "prepareListComments",
    "prepareListHooks",
    "prepareManifestConversion",
    "preparePollRequest",
    "preparePollRequests",
    "prepareRefresh",
    "prepareRevoke",
    "prepareTokenExchange",
    "prepareUpdateComment",
    "prepareUpdateHook",
    "readRateLimit",
    "stateKey",
    "tokenPrefixes",
    "verifyAndParseWebhook",
    "verifyWebhook",
    "webCryptoSigner",
    "webhookAccess",
    "webhookHandler",
  ].sort());
});

test("both entries export one ForgelinkError class, and the errors of each are instances of it", () => {
  assert.equal(flows.ForgelinkError, forgelink.ForgelinkError);
  const thrown = (fn) => {
    try {
      fn();
    } catch (error) {
      return error;
    }
    assert.fail("expected an error");
  };
  for (const error of [thrown(() => forgelink.validateBaseUrl("gitlab", 1)), thrown(() => flows.detectToken(1))]) {
    assert.ok(error instanceof forgelink.ForgelinkError);
    assert.ok(error instanceof flows.ForgelinkError);
    assert.equal(error.code, "input.invalid");
  }
});

test("each entry has its own module: the first slice answers the same from both", () => {
  assert.deepEqual(flows.validateBaseUrl("gitlab", " https://example.com/gitlab/api/v4/ "), forgelink.validateBaseUrl("gitlab", " https://example.com/gitlab/api/v4/ "));
  assert.deepEqual(flows.errorCodes(), forgelink.errorCodes());
  assert.deepEqual(flows.profiles(), forgelink.profiles());
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
  const [entry, wasm] = process.argv.slice(1);
  const pkg = await import(entry);
  const out = {};
  try { pkg.validateBaseUrl("gitlab", "https://gitlab.com"); out.before = "no error"; }
  catch (e) { out.before = [e instanceof pkg.ForgelinkError, e.code, e.guidance.code, e.guidance.steps.some((s) => s.includes(wasm))]; }
  try { pkg.errorCodes(); } catch (e) { out.codesBefore = e.code; }
  if (pkg.Forgelink) {
    try { new pkg.Forgelink({}); } catch (e) { out.classBefore = e.code; }
    out.flowBefore = await pkg.Forgelink.prototype.accessToken.call({}, "id").catch((e) => e.code);
    try { pkg.detectToken("ghp_x"); } catch (e) { out.tokensBefore = e.code; }
  }
  // Node's fetch cannot read file: URLs, so the default init() fails: with a coded error.
  try { await pkg.init(); out.defaultInit = "resolved"; }
  catch (e) { out.defaultInit = [e instanceof pkg.ForgelinkError, e.code, e.cause instanceof Error]; }
  const bytes = await readFile(new URL(wasm, entry));
  const response = new Response(bytes, { headers: { "content-type": "application/wasm" } });
  await Promise.all([pkg.init(response), pkg.init(response)]);
  await pkg.init();
  out.after = pkg.validateBaseUrl("gitlab", "https://gitlab.com/").baseUrl;
  out.codes = pkg.errorCodes().includes("init.required");
  out.guidance = pkg.troubleshoot("init.required").code;
  if (pkg.detectToken) out.tokens = pkg.detectToken("ghp_x").kind;
  console.log(JSON.stringify(out));
`;

const common = {
  before: [true, "init.required", "init.required", true],
  codesBefore: "init.required",
  defaultInit: [true, "init.required", true],
  after: "https://gitlab.com",
  codes: true,
  guidance: "init.required",
};

for (const [file, wasm, expected] of [
  ["index.js", "forgelink_bg.wasm", common],
  ["flows.js", "forgelink_flows_bg.wasm", { ...common, classBefore: "init.required", flowBefore: "init.required", tokensBefore: "init.required", tokens: "classic-pat" }],
]) {
  test(`without Node's fs, calls to ${file} before init() throw init.required and init() loads ${wasm}`, () => {
    const entry = new URL(`../${file}`, import.meta.url).href;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", browserLike, entry, wasm], {
      encoding: "utf8",
      cwd: fileURLToPath(new URL(".", import.meta.url)),
    });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), expected);
  });
}
