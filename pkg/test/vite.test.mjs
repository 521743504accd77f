// The package in a Vite app, as a dashboard uses it: `import ... from "forgelink"`, and the
// flows loaded on demand from "forgelink/flows", built for production and served by Vite's dev
// server, each run in headless Chromium.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";

import { build, createServer as createViteServer } from "vite";

import { CHROMIUM, launchChromium } from "./support/chromium.mjs";

const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };
const skip = !existsSync(CHROMIUM) && "no Chromium";

const main = `
  import { init, validateBaseUrl, authorizationUrl, ForgelinkError } from "forgelink";
  const out = {};
  try { validateBaseUrl("gitlab", "x"); } catch (e) { out.before = e instanceof ForgelinkError && e.code; }
  await init();
  out.baseUrl = validateBaseUrl("gitlab", "https://example.com/gitlab/").baseUrl;
  out.authorize = authorizationUrl({ provider: "gitlab", clientId: "id", redirectUri: "https://app.example.com/cb" }).url.split("?")[0];
  const flows = await import("forgelink/flows");
  await flows.init();
  out.token = flows.detectToken("ghp_x").kind;
  out.sameError = flows.ForgelinkError === ForgelinkError;
  window.result = out;
`;
const expected = {
  before: "init.required",
  baseUrl: "https://example.com/gitlab",
  authorize: "https://gitlab.com/oauth/authorize",
  token: "classic-pat",
  sameError: true,
};

let app;
let context;
let profile;

before(async () => {
  app = await mkdtemp(join(tmpdir(), "forgelink-vite-"));
  // The app depends on the package as `npm install` lays it out: its published files, copied.
  const installed = join(app, "node_modules", "forgelink");
  const manifest = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8"));
  for (const file of ["package.json", ...manifest.files]) {
    await mkdir(dirname(join(installed, file)), { recursive: true });
    await copyFile(new URL(`../${file}`, import.meta.url), join(installed, file));
  }
  await writeFile(join(app, "index.html"), '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="/main.js"></script>');
  await writeFile(join(app, "main.js"), main);
  if (!skip) {
    profile = await mkdtemp(join(tmpdir(), "forgelink-vite-profile-"));
    context = await launchChromium(profile);
  }
});

after(async () => {
  await context?.close();
  for (const dir of [app, profile]) if (dir) await rm(dir, { recursive: true, force: true });
});

async function resultAt(url) {
  const tab = await context.newPage();
  const errors = [];
  tab.on("pageerror", (error) => errors.push(error.message));
  tab.on("console", (message) => message.type() === "error" && errors.push(message.text()));
  try {
    await tab.goto(url);
    await tab.waitForFunction(() => window.result !== undefined, null, { timeout: 20_000 });
    assert.deepEqual(errors, []);
    return await tab.evaluate(() => window.result);
  } finally {
    await tab.close();
  }
}

test("vite build emits both wasm modules as assets and the app runs", { skip }, async () => {
  const outDir = join(app, "dist");
  await build({ root: app, logLevel: "silent", configFile: false, build: { outDir } });
  const assets = await readdir(join(outDir, "assets"));
  // Two modules: the forgelink entry's, and the flows entry's for the chunk loaded on demand.
  assert.equal(assets.filter((name) => name.endsWith(".wasm")).length, 2, assets.join(", "));
  const server = createServer(async (request, response) => {
    const path = new URL(request.url, "http://localhost").pathname;
    const file = path === "/" ? "/index.html" : path;
    const type = TYPES[file.slice(file.lastIndexOf("."))];
    try {
      if (!type || file.includes("..")) throw new Error("not served");
      response.writeHead(200, { "content-type": type }).end(await readFile(join(outDir, file)));
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    assert.deepEqual(await resultAt(`http://127.0.0.1:${server.address().port}/`), expected);
  } finally {
    // Chromium keeps speculative connections open that would hold close() for a minute.
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test("the Vite dev server serves the app with its default configuration", { skip }, async () => {
  const server = await createViteServer({
    root: app,
    logLevel: "silent",
    configFile: false,
    server: { host: "127.0.0.1", port: 0, strictPort: false },
  });
  await server.listen();
  try {
    const url = server.resolvedUrls.local[0];
    assert.deepEqual(await resultAt(url), expected);
  } finally {
    await server.close();
  }
});
