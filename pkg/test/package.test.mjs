// The published package: its manifest, its files, two entries each with one import path for
// Node and browsers.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { test } from "node:test";

const root = new URL("../", import.meta.url);
const manifest = JSON.parse(readFileSync(new URL("package.json", root), "utf8"));

test("the manifest is an ES module package with types, an exports map and a files list", () => {
  assert.equal(manifest.name, "forgelink");
  assert.equal(manifest.type, "module");
  assert.equal(manifest.sideEffects, false);
  assert.deepEqual(manifest.exports["."], { types: "./index.d.ts", default: "./index.js" });
  assert.deepEqual(manifest.exports["./flows"], { types: "./flows.d.ts", default: "./flows.js" });
  assert.deepEqual(manifest.exports["./storage/redis"], { types: "./storage/redis.d.ts", default: "./storage/redis.js" });
  assert.deepEqual(manifest.exports["./storage/postgres"], { types: "./storage/postgres.d.ts", default: "./storage/postgres.js" });
  for (const entry of [".", "./flows", "./storage/redis", "./storage/postgres"]) {
    assert.equal(Object.keys(manifest.exports[entry])[0], "types", `types must come first in the conditions of ${entry}`);
  }
  for (const file of manifest.files) {
    assert.ok(existsSync(new URL(file, root)), `${file} is built`);
  }
  for (const target of Object.values(manifest.exports).flatMap((t) => (typeof t === "string" ? [t] : Object.values(t)))) {
    assert.ok(existsSync(new URL(target, root)), `${target} exists`);
  }
});

test("npm would publish exactly the package's files", () => {
  const run = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: fileURLToPath(root),
    encoding: "utf8",
  });
  assert.equal(run.status, 0, run.stderr);
  const [packed] = JSON.parse(run.stdout);
  assert.deepEqual(
    packed.files.map((f) => f.path).sort(),
    [
      "README.md",
      "common.js",
      "flows.d.ts",
      "flows.js",
      "forgelink_bg.wasm",
      "forgelink_flows_bg.wasm",
      "glue/forgelink.js",
      "glue/forgelink_flows.js",
      "handler.js",
      "host-fetch.js",
      "index.d.ts",
      "index.js",
      "package.json",
      "storage/postgres.d.ts",
      "storage/postgres.js",
      "storage/redis.d.ts",
      "storage/redis.js",
      "storage/shared.js",
      "types.d.ts",
    ],
  );
});

test("the package imports by its own name, both entries", async () => {
  const byName = await import("forgelink");
  const byPath = await import("../index.js");
  assert.equal(byName.validateBaseUrl, byPath.validateBaseUrl);
  const flowsByName = await import("forgelink/flows");
  const flowsByPath = await import("../flows.js");
  assert.equal(flowsByName.Forgelink, flowsByPath.Forgelink);
  assert.equal(flowsByName.ForgelinkError, byName.ForgelinkError);
  assert.equal(byName.Forgelink, undefined, "the forgelink entry leaves the flows out");
  // Only the entries are public: the shared code and the glue are not.
  await assert.rejects(import("forgelink/common.js"), { code: "ERR_PACKAGE_PATH_NOT_EXPORTED" });
  await assert.rejects(import("forgelink/host-fetch.js"), { code: "ERR_PACKAGE_PATH_NOT_EXPORTED" });
  await assert.rejects(import("forgelink/glue/forgelink_flows.js"), { code: "ERR_PACKAGE_PATH_NOT_EXPORTED" });
});

test("no module of the package imports a Node builtin statically", () => {
  for (const file of ["index.js", "flows.js", "common.js", "handler.js", "host-fetch.js", "glue/forgelink.js", "glue/forgelink_flows.js"]) {
    const source = readFileSync(new URL(file, root), "utf8");
    assert.doesNotMatch(source, /^\s*import[^;]*["']node:/m, file);
    assert.doesNotMatch(source, /\brequire\s*\(/, file);
    assert.doesNotMatch(source, /import\s*\(\s*["'](node:|fs|path)/, file);
    const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
    assert.doesNotMatch(code, /(^|[^.?\w])process\./m, `${file} reaches process only through globalThis`);
  }
});

/** Raw and gzip (node:zlib, level 9, as the build and the benchmarks measure) sizes of a wasm. */
function sizes(file) {
  const wasm = readFileSync(new URL(file, root));
  return { raw: wasm.length, gzip: gzipSync(wasm, { level: 9 }).length };
}

test("the gzip of the forgelink entry's wasm stays under the 150 KB goal", (t) => {
  const { raw, gzip } = sizes("forgelink_bg.wasm");
  t.diagnostic(`forgelink_bg.wasm: ${raw} bytes, ${gzip} bytes gzip`);
  assert.ok(gzip < 150_000, `${gzip} bytes gzip`);
});

test("the size of the forgelink/flows entry's wasm, reported", (t) => {
  // No goal of its own: it is what a page that runs the flows downloads, and the reason the
  // forgelink entry leaves them out.
  const full = sizes("forgelink_flows_bg.wasm");
  const light = sizes("forgelink_bg.wasm");
  t.diagnostic(`forgelink_flows_bg.wasm: ${full.raw} bytes, ${full.gzip} bytes gzip`);
  assert.ok(full.raw > light.raw, "the flows entry's module holds more than the forgelink entry's");
});

for (const [wasmFile, glueModule] of [
  ["forgelink_bg.wasm", "./forgelink_bg.js"],
  ["forgelink_flows_bg.wasm", "./forgelink_flows_bg.js"],
]) {
  test(`${wasmFile} imports only what its glue provides`, async () => {
    const module = await WebAssembly.compile(readFileSync(new URL(wasmFile, root)));
    for (const entry of WebAssembly.Module.imports(module)) {
      assert.equal(entry.module, glueModule, `${entry.module}.${entry.name}`);
    }
  });
}

test("the forgelink entry's wasm has none of the token functions or flows", async () => {
  const exports = (file) =>
    WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(new URL(file, root)))).map((e) => e.name);
  const light = exports("forgelink_bg.wasm");
  const full = exports("forgelink_flows_bg.wasm");
  for (const name of ["validate_base_url", "authorization_url", "parse_callback", "troubleshoot"]) {
    assert.ok(light.includes(name) && full.includes(name), name);
  }
  for (const name of ["prepare_token_exchange", "parse_token_response", "detect_token", "flows_connect_start"]) {
    assert.ok(!light.includes(name), `forgelink_bg.wasm exports ${name}`);
    assert.ok(full.includes(name), `forgelink_flows_bg.wasm lacks ${name}`);
  }
});
