// The same import path in a real browser: headless Chromium loads index.js as a native ES
// module from a plain static server, with no bundler.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { chromium } from "playwright-core";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
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

test("Chromium imports the package as native ESM, needs init(), then works", { skip: !existsSync(CHROMIUM) && "no Chromium" }, async () => {
  profile = await mkdtemp(join(tmpdir(), "forgelink-pkg-"));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
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
});
