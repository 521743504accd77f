// Real Redis and PostgreSQL servers for the storage tests, each started on a free port of
// 127.0.0.1 with its data in a temporary directory, and stopped (the directory removed) when
// the test file ends, whether it passed or not; also when the process exits early. Set
// FORGELINK_TEST_REDIS_URL or FORGELINK_TEST_POSTGRES_URL to use a server of your own instead.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const cleanups = new Set();
// Whatever ends the process, the servers go with it: a test runner killed on a timeout must
// not leave a postgres behind holding a port.
process.once("exit", () => {
  for (const cleanup of cleanups) cleanup();
});
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => process.exit(130));
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function which(command, candidates) {
  for (const path of candidates) if (existsSync(path)) return path;
  throw new Error(`${command} is not installed: run scripts/setup.sh, or set the FORGELINK_TEST_*_URL variables`);
}

/**
 * A Redis server: `{ url, stop() }`. No persistence unless `persistent`: then every write is
 * appended and synced before it is answered, and `crash()` then `restart()` bring the same
 * server back on the same port with its data, as a Redis restarted in production would be.
 */
export async function startRedis({ persistent = false } = {}) {
  if (process.env.FORGELINK_TEST_REDIS_URL) return { url: process.env.FORGELINK_TEST_REDIS_URL, external: true, stop: async () => {} };
  const binary = which("redis-server", ["/usr/bin/redis-server", "/usr/local/bin/redis-server"]);
  const dir = mkdtempSync(join(tmpdir(), "forgelink-redis-"));
  const port = await freePort();
  const persistence = persistent ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"];
  let child;
  const cleanup = () => {
    if (child?.exitCode === null) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  cleanups.add(cleanup);
  const launch = async () => {
    child = spawn(binary, ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", ...persistence], { stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    child.stdout.on("data", (chunk) => (log += chunk));
    child.stderr.on("data", (chunk) => (log += chunk));
    const deadline = Date.now() + 15_000;
    while (!log.includes("Ready to accept connections")) {
      if (child.exitCode !== null || Date.now() > deadline) {
        cleanup();
        throw new Error(`redis-server did not start:\n${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    external: false,
    /** Kills the server outright, as a crash would. */
    async crash() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    },
    /** Starts it again after `crash()`, on the same port, with what it had written. */
    restart: launch,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      cleanup();
      cleanups.delete(cleanup);
    },
  };
}

function postgresBin() {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => b - a) : [];
  for (const version of versions) {
    const bin = join(root, version, "bin");
    if (existsSync(join(bin, "initdb"))) return bin;
  }
  throw new Error("PostgreSQL is not installed: run scripts/setup.sh, or set FORGELINK_TEST_POSTGRES_URL");
}

/**
 * A PostgreSQL cluster made for the test: `{ url, stop() }`. PostgreSQL refuses to run as root,
 * so as root it runs as `nobody`, owning its temporary directory.
 */
export async function startPostgres() {
  if (process.env.FORGELINK_TEST_POSTGRES_URL) return { url: process.env.FORGELINK_TEST_POSTGRES_URL, external: true, stop: async () => {} };
  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), "forgelink-postgres-"));
  const data = join(dir, "data");
  const asUser = process.getuid?.() === 0 ? ["runuser", "-u", "nobody", "--"] : [];
  if (asUser.length > 0) {
    chownSync(dir, 65534, 65534);
    chmodSync(dir, 0o700);
  }
  const run = (args) => {
    const [command, ...rest] = [...asUser, ...args];
    const result = spawnSync(command, rest, { encoding: "utf8", cwd: dir });
    if (result.status !== 0) throw new Error(`${args.slice(0, 2).join(" ")} failed:\n${result.stdout}${result.stderr}${result.error ?? ""}`);
    return result;
  };
  const port = await freePort();
  let started = false;
  const cleanup = () => {
    // Immediate: nothing in a test cluster is worth a checkpoint.
    if (started) spawnSync(asUser[0] ?? join(bin, "pg_ctl"), [...asUser.slice(1), ...(asUser.length ? [join(bin, "pg_ctl")] : []), "stop", "-D", data, "-m", "immediate", "-w"], { stdio: "ignore", cwd: dir });
    started = false;
    rmSync(dir, { recursive: true, force: true });
  };
  cleanups.add(cleanup);
  try {
    // fsync off: the cluster is thrown away, and syncing makes the tests several times slower.
    run([join(bin, "initdb"), "-D", data, "-U", "forgelink", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
    started = true;
    run([join(bin, "pg_ctl"), "start", "-D", data, "-w", "-t", "30", "-l", join(dir, "log"),
      "-o", `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c max_connections=100`]);
  } catch (error) {
    cleanup();
    cleanups.delete(cleanup);
    throw error;
  }
  return {
    url: `postgres://forgelink@127.0.0.1:${port}/postgres`,
    external: false,
    async stop() {
      cleanup();
      cleanups.delete(cleanup);
    },
  };
}
