// The product's processes for the scale tests: Node workers (worker.mjs) and `forgelink-host
// serve`, each started as a real process, each reporting the events it handled as NDJSON on
// stdout. Every process is killed when the test process exits, whatever ended it.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const HOST_BINARY = `${ROOT}hosts/wasmtime/target/debug/forgelink-host`;
const children = new Set();
process.once("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

/** Whether `forgelink-host` is built (`make test-component` builds it before the scale tests). */
export const hostBuilt = existsSync(HOST_BINARY);

/**
 * A Node worker over `store` (`{ url, namespace }`): `{ name, url, events, kill(), accessTokens() }`.
 * `events` fills with every event it handled, in order.
 */
export function startNodeWorker(name, store, key, { handlingSeconds = 60, failFirst = false, appKeys } = {}) {
  const child = spawn(process.execPath, [fileURLToPath(new URL("./worker.mjs", import.meta.url))], {
    env: {
      ...process.env,
      FORGELINK_STORE: store.url,
      FORGELINK_NAMESPACE: store.namespace,
      FORGELINK_ENCRYPTION_KEY: key.toString("hex"),
      FORGELINK_HANDLING_SECONDS: String(handlingSeconds),
      FORGELINK_FAIL_FIRST: failFirst ? "1" : "0",
      ...(appKeys ? { FORGELINK_GITHUB_APP_KEYS: JSON.stringify(appKeys) } : {}),
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  return watch(name, child);
}

/** `forgelink-host serve` over `store`, printing what it handled as NDJSON. */
export function startServe(name, store, key, { handlingSeconds = 60, cacheDir } = {}) {
  const storage = store.url.startsWith("redis:") ? `${store.url}?prefix=${store.namespace}:` : `${store.url}?table=${store.namespace}`;
  const args = ["--component", `${ROOT}dist/forgelink.wasm`, "--cache-dir", cacheDir, "serve", "--listen", "127.0.0.1:0", "--storage", storage, "--workers", "4", "--handling-seconds", String(handlingSeconds)];
  const child = spawn(HOST_BINARY, args, { env: { ...process.env, FORGELINK_ENCRYPTION_KEY: key.toString("hex") }, stdio: ["ignore", "pipe", "pipe"] });
  return watch(name, child);
}

function watch(name, child) {
  children.add(child);
  const events = [];
  const thrown = [];
  const replies = [];
  let log = "";
  let listening;
  const ready = new Promise((resolve, reject) => {
    listening = resolve;
    child.once("exit", (code, signal) => reject(new Error(`${name} exited (${code ?? signal}) before listening:\n${log}`)));
  });
  createInterface({ input: child.stderr }).on("line", (line) => {
    log += `${line}\n`;
    const match = /^listening on (http:\/\/\S+)$/.exec(line);
    if (match) listening(match[1]);
  });
  createInterface({ input: child.stdout }).on("line", (line) => {
    let value;
    try {
      value = JSON.parse(line);
    } catch {
      log += `stdout: ${line}\n`; // not an event: kept with the log, for the failure message
      return;
    }
    if (value.reply) replies.shift()(value.reply);
    else if (value.thrown) thrown.push(value.thrown);
    else events.push(value);
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return {
    name,
    events,
    /** The commits whose event `onEvent` refused (FORGELINK_FAIL_FIRST). */
    thrown,
    ready,
    get log() {
      return log;
    },
    /** Kills the process outright, as a crash or an OOM killer would. */
    async kill() {
      child.kill("SIGKILL");
      await exited;
      children.delete(child);
    },
    async stop() {
      child.kill("SIGTERM");
      await exited;
      children.delete(child);
    },
    /** `count` concurrent `accessToken(id)` calls in this process, its clock `offsetMs` ahead. */
    accessTokens(id, count, offsetMs) {
      const reply = new Promise((resolve) => replies.push(resolve));
      child.stdin.write(`${JSON.stringify({ type: "accessToken", id, count, offsetMs })}\n`);
      return reply;
    },
  };
}
