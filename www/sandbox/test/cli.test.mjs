// The standalone command: it prints the addresses and one JSON line, serves, and stops
// cleanly on SIGTERM and SIGINT.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { test } from "node:test";

import { VERSION } from "../providers/github.mjs";

const CLI = fileURLToPath(new URL("../cli.mjs", import.meta.url));

async function start(args) {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const lines = [];
  const lineReader = createInterface({ input: child.stdout });
  for await (const line of lineReader) {
    lines.push(line);
    if (line.startsWith("{")) break;
  }
  return { child, lines, info: JSON.parse(lines.at(-1)) };
}

for (const signal of ["SIGTERM", "SIGINT"]) {
  test(`prints where everything is, serves, and stops on ${signal}`, async () => {
    const { child, lines, info } = await start(["--port", "0", "--quiet"]);
    try {
      assert.match(lines[0], /^forgelink provider sandbox: http:\/\/127\.0\.0\.1:\d+\/sandbox\/$/);
      assert.ok(lines.some((l) => l.includes("https://bitbucket.org")));
      assert.deepEqual(Object.keys(info.providers), ["gitlab", "github", "bitbucket-cloud", "bitbucket-data-center"]);
      const response = await fetch(info.url);
      assert.equal(response.status, 200);
      await response.body.cancel();
      const version = await fetch(`${info.providers.github.baseUrl}/api/v3/meta`);
      assert.equal((await version.json()).installed_version, VERSION);
    } finally {
      child.kill(signal);
    }
    const [code] = await once(child, "exit");
    assert.equal(code, 0);
  });
}

test("refuses a port that is not a number", async () => {
  const child = spawn(process.execPath, [CLI, "--port", "eighty"], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const [code] = await once(child, "exit");
  assert.equal(code, 2);
  assert.match(stderr, /--port must be a port number/);
});
