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

test("against real providers the wizard's own requests keep to the address policy, unless the environment opens it", async () => {
  await requirePackage();
  const { startSandbox } = await import("../sandbox/sandbox.mjs");
  // A GitLab on this machine, over plain http: what an on-premises instance on a private
  // network looks like to the policy.
  const sandbox = await startSandbox();
  const dataDir = await mkdtemp(join(tmpdir(), "forgelink-demo-"));
  try {
    const { token } = sandbox.createAccessToken({ provider: "gitlab", scopes: ["api", "read_user"], role: "maintainer" });
    const connect = { provider: "gitlab", baseUrl: sandbox.providers.gitlab.baseUrl, token, profile: "ci-failure-analysis" };
    for (const [env, expected] of [
      [{}, "network.address_blocked"],
      [{ FORGELINK_ALLOW_PRIVATE_NETWORKS: "1" }, "connected"],
      [{ FORGELINK_ALLOW_PRIVATE_NETWORKS: "1", FORGELINK_ALLOW_INSECURE_HTTP: "1" }, "connected"],
    ]) {
      const { child, output, exited } = runDemo({ PORT: "0", FORGELINK_DEMO_SANDBOX: "0", FORGELINK_DATA_DIR: join(dataDir, String(Object.keys(env).length)), FORGELINK_ALLOW_PRIVATE_NETWORKS: "", FORGELINK_ALLOW_INSECURE_HTTP: "", ...env });
      try {
        const [, wizardUrl] = await waitFor(/setup wizard:\s+(http:\/\/127\.0\.0\.1:\d+\/)/, output, exited);
        const client = await wizardClient(wizardUrl);
        const answer = await client.api("/api/connect/token", { method: "POST", body: connect });
        if (expected === "connected") {
          assert.equal(answer.status, 200, JSON.stringify(answer.body));
          assert.equal(answer.body.current.connection.account.username, sandbox.providers.gitlab.account.username);
        } else {
          assert.equal(answer.status, 502);
          assert.equal(answer.body.code, expected);
          assert.match(answer.body.message, /resolves to 127\.0\.0\.1|127\.0\.0\.1 is a loopback/);
          assert.ok(answer.body.guidance.steps.some((step) => step.includes("FORGELINK_ALLOW_PRIVATE_NETWORKS=1")), "the guidance names the switch");
        }
      } finally {
        child.kill("SIGTERM");
        await exited;
      }
    }
    const wrong = runDemo({ PORT: "0", FORGELINK_DEMO_SANDBOX: "0", FORGELINK_DATA_DIR: dataDir, FORGELINK_ALLOW_PRIVATE_NETWORKS: "yes" });
    const [code] = await wrong.exited;
    assert.equal(code, 2);
    assert.match(wrong.output.stderr, /FORGELINK_ALLOW_PRIVATE_NETWORKS must be 1 or 0, not "yes"/);
  } finally {
    await sandbox.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
