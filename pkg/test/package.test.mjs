// The published package: its manifest, its files, one import path for Node and browsers.
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
  assert.equal(Object.keys(manifest.exports["."])[0], "types", "types must come first in the conditions");
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
    ["README.md", "forgelink_bg.wasm", "glue/forgelink.js", "index.d.ts", "index.js", "package.json"],
  );
});

test("the package imports by its own name", async () => {
  const byName = await import("forgelink");
  const byPath = await import("../index.js");
  assert.equal(byName.validateBaseUrl, byPath.validateBaseUrl);
});

test("no module of the package imports a Node builtin statically", () => {
  for (const file of ["index.js", "glue/forgelink.js"]) {
    const source = readFileSync(new URL(file, root), "utf8");
    assert.doesNotMatch(source, /^\s*import[^;]*["']node:/m, file);
    assert.doesNotMatch(source, /\brequire\s*\(/, file);
    assert.doesNotMatch(source, /import\s*\(\s*["'](node:|fs|path)/, file);
    const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
    assert.doesNotMatch(code, /(^|[^.?\w])process\./m, `${file} reaches process only through globalThis`);
  }
});

test("the gzip of the wasm stays under the 150 KB goal", () => {
  const wasm = readFileSync(new URL("forgelink_bg.wasm", root));
  const gzip = gzipSync(wasm, { level: 9 }).length;
  assert.ok(gzip < 150_000, `${gzip} bytes gzip`);
});

test("the wasm imports only what the glue provides", async () => {
  const wasm = readFileSync(new URL("forgelink_bg.wasm", root));
  const module = await WebAssembly.compile(wasm);
  for (const entry of WebAssembly.Module.imports(module)) {
    assert.equal(entry.module, "./forgelink_bg.js", `${entry.module}.${entry.name}`);
  }
});
