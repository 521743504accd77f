// The wizard's static server: what it serves, with which content types, what it refuses, and
// how the command behaves when it starts, finds its port taken, and stops.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { request } from "node:http";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../serve.mjs";

const wwwDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const serveScript = join(wwwDir, "serve.mjs");
const SECRET = "outside the served roots";

let fixture;
let running;

before(async () => {
  // A package directory of its own, next to a file that must never be served, so the test
  // does not depend on pkg/ having been built.
  fixture = await mkdtemp(join(tmpdir(), "forgelink-serve-"));
  const pkgDir = join(fixture, "pkg");
  await mkdir(join(pkgDir, "glue"), { recursive: true });
  await writeFile(join(pkgDir, "index.js"), "export const ok = true;\n");
  await writeFile(join(pkgDir, "glue", "forgelink.js"), "export {};\n");
  await writeFile(join(pkgDir, "forgelink_bg.wasm"), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  await writeFile(join(pkgDir, ".npmrc"), SECRET);
  await writeFile(join(fixture, "outside.txt"), SECRET);
  await symlink(join(fixture, "outside.txt"), join(pkgDir, "link-out.js"));
  running = await startServer({ port: 0, pkgDir });
});

after(async () => {
  await running?.close();
  if (fixture) await rm(fixture, { recursive: true, force: true });
});

/** A raw request: the path goes out exactly as written, with no client-side normalising. */
function get(path, method = "GET", port = running.port) {
  return new Promise((resolvePromise, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method }, (res) => {
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () => resolvePromise({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the static server", () => {
  test("listens on 127.0.0.1 only and reports its URL", () => {
    assert.equal(running.server.address().address, "127.0.0.1");
    assert.equal(running.url, `http://127.0.0.1:${running.port}/`);
  });

  test("serves the page at / and the package at /pkg/ with the content types browsers require", async () => {
    const page = await get("/");
    assert.equal(page.status, 200);
    assert.match(page.headers["content-type"], /^text\/html/);
    assert.match(page.body, /<title>/);
    assert.match((await get("/app.js")).headers["content-type"], /^text\/javascript/);
    assert.match((await get("/style.css")).headers["content-type"], /^text\/css/);
    const pkg = await get("/pkg/index.js");
    assert.equal(pkg.status, 200);
    assert.match(pkg.headers["content-type"], /^text\/javascript/);
    assert.equal(pkg.body, "export const ok = true;\n");
    assert.match((await get("/pkg/glue/forgelink.js")).headers["content-type"], /^text\/javascript/);
    assert.equal((await get("/pkg/forgelink_bg.wasm")).headers["content-type"], "application/wasm");
    assert.match(page.headers["content-security-policy"], /script-src 'self' 'wasm-unsafe-eval'/);
    assert.equal(page.headers["x-content-type-options"], "nosniff");
  });

  test("answers HEAD without a body and refuses other methods", async () => {
    const head = await get("/", "HEAD");
    assert.equal(head.status, 200);
    assert.equal(head.body, "");
    const post = await get("/", "POST");
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, "GET, HEAD");
  });

  test("never serves a file outside its two roots, a dot-file or a directory listing", async () => {
    const attempts = [
      "/pkg/../outside.txt",
      "/pkg/%2e%2e/outside.txt",
      "/pkg/..%2foutside.txt",
      "/pkg/%2e%2e%2foutside.txt",
      "/pkg/%2E%2E%5Coutside.txt",
      "/..%2f..%2f..%2fetc%2fpasswd",
      "/pkg/link-out.js",
      "/pkg/.npmrc",
      "/pkg/%2enpmrc",
      "/pkg/glue/",
      "/pkg/index.js%00.html",
      "/%E0%A4%A",
      "/test/",
    ];
    for (const path of attempts) {
      const res = await get(path);
      assert.ok(res.status === 404 || res.status === 400, `${path} answered ${res.status}`);
      assert.ok(!res.body.includes(SECRET), `${path} leaked a file`);
    }
  });

  test("sends a directory without its slash to the slash form, keeping the query", async () => {
    // A page directory of its own: the wizard's real pages are served at fixed paths.
    const wwwDir = join(fixture, "www");
    await mkdir(join(wwwDir, "docs", "guide"), { recursive: true });
    await writeFile(join(wwwDir, "docs", "guide", "index.html"), "<!doctype html><title>guide</title>\n");
    const pages = await startServer({ port: 0, wwwDir, pkgDir: join(fixture, "pkg") });
    try {
      const res = await get("/docs/guide?code=abc&state=xyz", "GET", pages.port);
      assert.equal(res.status, 301);
      assert.equal(res.headers.location, "/docs/guide/?code=abc&state=xyz");
      const sneaky = await get("//docs//guide", "GET", pages.port);
      assert.equal(sneaky.status, 301);
      assert.equal(sneaky.headers.location, "/docs/guide/", "never a protocol-relative redirect");
    } finally {
      await pages.close();
    }
  });
});

/** Runs `node www/serve.mjs` and collects what it prints. */
function runCommand(env) {
  const child = spawn(process.execPath, [serveScript], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const output = { stdout: "", stderr: "" };
  child.stdout.on("data", (chunk) => (output.stdout += chunk));
  child.stderr.on("data", (chunk) => (output.stderr += chunk));
  const exited = once(child, "exit");
  return { child, output, exited };
}

async function waitForUrl(output, exited) {
  for (;;) {
    const match = output.stdout.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
    if (match) return match[0];
    const race = await Promise.race([exited.then(() => "exited"), new Promise((r) => setTimeout(r, 50, "waiting"))]);
    if (race === "exited") throw new Error(`the server exited: ${output.stderr}`);
  }
}

describe("the serve command", () => {
  test("prints its URL, serves, and stops cleanly on SIGTERM and on Ctrl-C", async () => {
    for (const signal of ["SIGTERM", "SIGINT"]) {
      const { child, output, exited } = runCommand({ PORT: "0" });
      const url = await waitForUrl(output, exited);
      const res = await fetch(url);
      assert.equal(res.status, 200);
      await res.arrayBuffer();
      child.kill(signal);
      const [code] = await exited;
      assert.equal(code, 0, `exit code after ${signal}`);
      assert.match(output.stdout, /Stopped/);
    }
  });

  test("says clearly when the port is taken", async () => {
    const { output, exited } = runCommand({ PORT: String(running.port) });
    const [code] = await exited;
    assert.equal(code, 1);
    assert.match(output.stderr, new RegExp(`Port ${running.port} on 127\\.0\\.0\\.1 is already in use`));
    assert.match(output.stderr, /PORT=\d+ node www\/serve\.mjs/);
  });

  test("refuses a PORT that is not a port number", async () => {
    const { output, exited } = runCommand({ PORT: "eighty" });
    const [code] = await exited;
    assert.equal(code, 2);
    assert.match(output.stderr, /PORT must be a number/);
  });
});
