// `make demo`: the provider sandbox and the setup wizard's server, side by side on this
// machine. With FORGELINK_DEMO_SANDBOX=0 the wizard talks to real providers instead.
//
//   PORT                    the wizard's port (8080)
//   SANDBOX_PORT            the sandbox's port (any free one)
//   FORGELINK_DEMO_SANDBOX  0 to use real GitLab, GitHub or Bitbucket instead of the sandbox
//   FORGELINK_DATA_DIR      where connections and the encryption key are kept (www/.data/sandbox
//                           or www/.data/real; the sandbox's connections start afresh each run)
//   FORGELINK_PUBLIC_URL    the https address providers deliver webhooks to, when this machine
//                           is reached through a tunnel or a proxy
//   FORGELINK_ALLOW_PRIVATE_NETWORKS  1 to let the flows reach loopback and private addresses
//                           (an on-premises instance); the sandbox mode always does
//   FORGELINK_ALLOW_INSECURE_HTTP     1 to let the flows use plain http beyond this machine

import { rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { explainListenError, isMainModule, parsePort, stopOnSignals } from "./serve.mjs";

const here = dirname(fileURLToPath(import.meta.url));

function fail(message, code = 1) {
  console.error(message);
  process.exit(code);
}

/** A yes-or-no variable: `1` or `0`, unset or empty for no. */
function flag(name) {
  const value = process.env[name];
  if (value === undefined || value === "" || value === "0") return false;
  if (value === "1") return true;
  return fail(`${name} must be 1 or 0, not "${value}".`, 2);
}

async function main() {
  const port = parsePort(process.env.PORT);
  if (port === null) fail(`PORT must be a number from 0 to 65535, not "${process.env.PORT}".`, 2);
  const sandboxPort = process.env.SANDBOX_PORT ? parsePort(process.env.SANDBOX_PORT) : 0;
  if (sandboxPort === null) fail(`SANDBOX_PORT must be a number from 0 to 65535, not "${process.env.SANDBOX_PORT}".`, 2);
  const useSandbox = process.env.FORGELINK_DEMO_SANDBOX !== "0";
  // The flows' address policy, for real providers; the sandbox mode opens it for the sandbox itself.
  const allowPrivateNetworks = flag("FORGELINK_ALLOW_PRIVATE_NETWORKS");
  const allowInsecureHttp = flag("FORGELINK_ALLOW_INSECURE_HTTP");
  if (!existsSync(resolve(here, "..", "pkg", "forgelink_flows_bg.wasm"))) fail("pkg/ is not built: run `make demo` (it builds the package first) or `make pkg`.");

  // The server imports the package at load time; import it only once the package is there.
  const { startWizardServer } = await import("./server/index.mjs");
  const chosenDir = process.env.FORGELINK_DATA_DIR;
  const dataDir = resolve(chosenDir || join(here, ".data", useSandbox ? "sandbox" : "real"));
  let sandbox = null;
  if (useSandbox) {
    const { startSandbox } = await import("./sandbox/sandbox.mjs");
    // The sandbox forgets everything when it stops, so connections kept from an earlier run
    // would point at tokens it no longer knows: start clean (a directory given by the person
    // is theirs, and is kept).
    if (!chosenDir) await rm(join(dataDir, "store"), { recursive: true, force: true });
    try {
      sandbox = await startSandbox({ port: sandboxPort, log: (line) => console.log(`  sandbox: ${line}`) });
    } catch (error) {
      fail(explainListenError(error, sandboxPort, "make demo").replaceAll("PORT=", "SANDBOX_PORT="));
    }
  }
  let wizard;
  try {
    wizard = await startWizardServer({
      port,
      dataDir,
      sandbox,
      publicUrl: process.env.FORGELINK_PUBLIC_URL || null,
      allowPrivateNetworks,
      allowInsecureHttp,
      log: (line) => console.log(`  ${line}`),
    });
  } catch (error) {
    await sandbox?.close();
    fail(explainListenError(error, port));
  }

  console.log(`forgelink setup wizard:   ${wizard.url}`);
  if (sandbox) {
    console.log(`provider sandbox:         ${sandbox.url}`);
    console.log("  GitLab self-managed, GitHub Enterprise Server, Bitbucket Cloud and Data Center, simulated on this machine.");
  } else {
    console.log("Real providers: register the redirect URI the wizard shows on the provider, then connect.");
  }
  console.log(`redirect URI:             ${wizard.redirectUri}`);
  console.log(`webhooks are received at: ${wizard.webhookUrl}`);
  console.log(`data (connections, key):  ${dataDir}`);
  console.log("Serving only on this machine (127.0.0.1). Press Ctrl-C to stop.");

  stopOnSignals(async (signal) => {
    await wizard.close();
    await sandbox?.close();
    console.log(`\nStopped (${signal}).`);
  });
}

if (isMainModule(import.meta.url)) main();
