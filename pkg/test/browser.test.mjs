// The same import paths in a real browser: headless Chromium loads index.js and flows.js as
// native ES modules from a plain static server, with no bundler.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { CHROMIUM, launchChromium } from "./support/chromium.mjs";


const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };
const root = new URL("../", import.meta.url);

const page = `<!doctype html><meta charset="utf-8"><title>forgelink</title>
<script type="module">
  import * as forgelink from "/index.js";
  const out = {};
  try { forgelink.validateBaseUrl("gitlab", "https://gitlab.com"); out.before = "no error"; }
  catch (e) { out.before = { isError: e instanceof Error, isForgelink: e instanceof forgelink.ForgelinkError, code: e.code, guidance: e.guidance.code }; }
  await forgelink.init();
  await forgelink.init();
  out.report = forgelink.validateBaseUrl("gitlab", " https://example.com/gitlab/api/v4/ ");
  const auth = forgelink.authorizationUrl({ provider: "github", clientId: "id", redirectUri: "https://app.example.com/cb", scopes: ["repo"] });
  out.authorize = new URL(auth.url).origin + new URL(auth.url).pathname;
  out.stateLength = auth.state.length;
  out.roundTrip = forgelink.parseCallback("https://app.example.com/cb?code=c&state=" + auth.state, auth.state).code;
  try { forgelink.checkScopes("gitlab", "api", [1]); } catch (e) { out.invalid = e.code; }
  // The forgelink entry fetched its own module only.
  out.loaded = performance.getEntriesByType("resource").map((r) => new URL(r.name).pathname).filter((p) => p.endsWith(".wasm"));
  // The flows entry, over the browser's own fetch, crypto and timers, against this page's server.
  const full = await import("/flows.js");
  try { full.detectToken("ghp_x"); out.flowsBefore = "no error"; } catch (e) { out.flowsBefore = [e instanceof forgelink.ForgelinkError, e.code]; }
  await full.init();
  out.sameError = full.ForgelinkError === forgelink.ForgelinkError;
  try {
    const host = { fetch: full.fetchHost({ timeoutMs: 5000, allowPrivateNetworks: true, allowInsecureHttp: true }), storage: full.memoryStorage(), encryptionKey: crypto.getRandomValues(new Uint8Array(32)) };
    const flows = new full.Forgelink(host);
    const token = "glpat-browser-token-0001";
    const connection = await flows.connectWithToken({ provider: "gitlab", baseUrl: location.origin + "/gitlab", token });
    out.connected = [connection.account.username, connection.serverVersion, connection.scopes.granted, (await flows.accessToken(connection.id)) === token];
    try { await flows.connectWithToken({ provider: "gitlab", baseUrl: location.origin + "/moved", token }); out.redirect = "no error"; }
    catch (e) { out.redirect = [e instanceof forgelink.ForgelinkError, e.code, /redirect/.test(e.message)]; }
  } catch (e) { out.flows = String(e); }
  window.result = out;
</script>`;

let server;
let context;
let origin;
let profile;

before(async () => {
  server = createServer(async (request, response) => {
    const path = new URL(request.url, "http://localhost").pathname;
    if (path === "/") {
      response.writeHead(200, { "content-type": "text/html" }).end(page);
      return;
    }
    // A GitLab of three answers for the flows, and an address that has moved.
    const gitlab = {
      "/gitlab/api/v4/user": { id: 5, username: "lin", name: "Lin" },
      "/gitlab/api/v4/version": { version: "17.5.1-ee", revision: "abc" },
      "/gitlab/api/v4/personal_access_tokens/self": { scopes: ["read_api"], expires_at: null, active: true },
    }[path];
    if (gitlab) {
      const ok = request.headers.authorization === "Bearer glpat-browser-token-0001";
      response.writeHead(ok ? 200 : 401, { "content-type": "application/json" }).end(JSON.stringify(ok ? gitlab : { message: "401 Unauthorized" }));
      return;
    }
    if (path.startsWith("/moved/")) {
      response.writeHead(302, { location: "/elsewhere" }).end();
      return;
    }
    const extension = path.slice(path.lastIndexOf("."));
    if (path.includes("..") || !TYPES[extension]) {
      response.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(new URL(`.${path}`, root));
      response.writeHead(200, { "content-type": TYPES[extension] }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
});

after(async () => {
  await context?.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  if (profile) await rm(profile, { recursive: true, force: true });
});

test("Chromium imports both entries as native ESM, each needs init() for its own module, then works", { skip: !existsSync(CHROMIUM) && "no Chromium" }, async () => {
  profile = await mkdtemp(join(tmpdir(), "forgelink-pkg-"));
  context = await launchChromium(profile);
  const tab = await context.newPage();
  const errors = [];
  tab.on("pageerror", (error) => errors.push(error.message));
  await tab.goto(`${origin}/`);
  await tab.waitForFunction(() => window.result !== undefined, null, { timeout: 15_000 });
  const result = await tab.evaluate(() => window.result);
  assert.deepEqual(errors, []);
  assert.deepEqual(result.before, { isError: true, isForgelink: true, code: "init.required", guidance: "init.required" });
  assert.equal(result.report.baseUrl, "https://example.com/gitlab");
  assert.equal(result.report.apiBase, "https://example.com/gitlab/api/v4");
  assert.equal(result.authorize, "https://github.com/login/oauth/authorize");
  assert.equal(result.stateLength, 43);
  assert.equal(result.roundTrip, "c");
  assert.equal(result.invalid, "input.invalid");
  assert.deepEqual(result.loaded, ["/forgelink_bg.wasm"]);
  assert.deepEqual(result.flowsBefore, [true, "init.required"]);
  assert.equal(result.sameError, true);
  assert.equal(result.flows, undefined);
  assert.deepEqual(result.connected, ["lin", "17.5.1-ee", ["read_api"], true]);
  // A browser hides a manual redirect behind an opaque answer: named, not a network failure.
  assert.deepEqual(result.redirect, [true, "http.unexpected_status", true]);
});
