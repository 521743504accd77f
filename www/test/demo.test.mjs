// `make demo` as a newcomer runs it: the sandbox and the wizard start, their addresses are
// printed, the wizard knows the sandbox, and Ctrl-C or SIGTERM stops both cleanly.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requirePackage, wwwDir } from "./support/browser.mjs";
import { wizardClient } from "./support/session.mjs";

function runDemo(env) {
  const child = spawn(process.execPath, [join(wwwDir, "demo.mjs")], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const output = { stdout: "", stderr: "" };
  child.stdout.on("data", (chunk) => (output.stdout += chunk));
  child.stderr.on("data", (chunk) => (output.stderr += chunk));
  return { child, output, exited: once(child, "exit") };
}

async function waitFor(pattern, output, exited) {
  for (;;) {
    const match = output.stdout.match(pattern);
    if (match) return match;
    const race = await Promise.race([exited.then(() => "exited"), new Promise((r) => setTimeout(r, 50, "waiting"))]);
    if (race === "exited") throw new Error(`the demo exited early:\n${output.stdout}\n${output.stderr}`);
  }
}

test("the demo starts the sandbox and the wizard, and stops both on SIGINT and SIGTERM", async () => {
  await requirePackage();
  const dataDir = await mkdtemp(join(tmpdir(), "forgelink-demo-"));
  try {
    for (const signal of ["SIGINT", "SIGTERM"]) {
      const { child, output, exited } = runDemo({ PORT: "0", FORGELINK_DATA_DIR: dataDir });
      const [, wizardUrl] = await waitFor(/setup wizard:\s+(http:\/\/127\.0\.0\.1:\d+\/)/, output, exited);
      const [, sandboxUrl] = await waitFor(/provider sandbox:\s+(http:\/\/127\.0\.0\.1:\d+\/sandbox\/)/, output, exited);
      const { body: config } = await (await wizardClient(wizardUrl)).api("/api/config");
      assert.equal(config.sandbox.url, sandboxUrl);
      assert.equal(config.redirectUri, `${wizardUrl}oauth/callback`);
      assert.equal((await fetch(sandboxUrl)).status, 200, "the sandbox's control page answers");
      assert.equal(((await stat(join(dataDir, "encryption.key"))).mode & 0o777), 0o600);
      child.kill(signal);
      const [code] = await exited;
      assert.equal(code, 0, `exit code after ${signal}: ${output.stderr}`);
      assert.match(output.stdout, new RegExp(`Stopped \\(${signal}\\)`));
      await assert.rejects(fetch(wizardUrl), "the wizard no longer answers");
      await assert.rejects(fetch(sandboxUrl), "the sandbox no longer answers");
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test("a taken port is explained, and nothing is left running", async () => {
  await requirePackage();
  const dataDir = await mkdtemp(join(tmpdir(), "forgelink-demo-"));
  const first = runDemo({ PORT: "0", FORGELINK_DATA_DIR: dataDir });
  try {
    const [, wizardUrl] = await waitFor(/setup wizard:\s+(http:\/\/127\.0\.0\.1:(\d+)\/)/, first.output, first.exited);
    const port = new URL(wizardUrl).port;
    const second = runDemo({ PORT: port, FORGELINK_DATA_DIR: join(dataDir, "second") });
    const [code] = await second.exited;
    assert.equal(code, 1);
    assert.match(second.output.stderr, new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use`));
  } finally {
    first.child.kill("SIGTERM");
    await first.exited;
    await rm(dataDir, { recursive: true, force: true });
  }
});
