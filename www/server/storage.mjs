// A forgelink storage (get, set, delete, compare-and-swap) over a directory: one file per key.
//
// Writes go to a temporary file that is flushed and then renamed over the old one, so a crash
// leaves either the old value or the new one, never half of each. Every operation on a key
// holds that key's lock file (created with O_EXCL, so only one holder at a time across
// processes sharing the directory): compare-and-swap reads, compares and renames without
// another writer slipping in between, which is what keeps an OAuth state single-use and a
// refresh single-caller when two servers share the directory.

import { createHash, randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm, stat, unlink } from "node:fs/promises";
import { join } from "node:path";

const LOCK_RETRY_MS = 5;
// A lock older than this was left by a process that died holding it; no operation here takes
// anywhere near as long.
const STALE_LOCK_MS = 10_000;
const LOCK_TIMEOUT_MS = 15_000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function sameBytes(a, b) {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

/**
 * A storage in `dir` (created with mode 0700 when missing). Keys may be any string: file names
 * are their SHA-256, so no key can name a path outside the directory.
 */
export async function fileStorage(dir) {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const fileOf = (key) => join(dir, createHash("sha256").update(String(key)).digest("hex"));
  // Within one process, callers queue per key instead of spinning on the lock file.
  const queues = new Map();

  async function acquire(lockPath) {
    const started = Date.now();
    for (;;) {
      try {
        const handle = await open(lockPath, "wx", 0o600);
        await handle.close();
        return;
      } catch (error) {
        if (error.code !== "EEXIST") throw error;
      }
      try {
        const info = await stat(lockPath);
        if (Date.now() - info.mtimeMs > STALE_LOCK_MS) await unlink(lockPath).catch(() => {});
      } catch {
        // Released between our attempts: try again at once.
        continue;
      }
      if (Date.now() - started > LOCK_TIMEOUT_MS) throw new Error(`storage key is locked by another process (${lockPath})`);
      await sleep(LOCK_RETRY_MS);
    }
  }

  function locked(key, operation) {
    const file = fileOf(key);
    const previous = queues.get(file) ?? Promise.resolve();
    const run = previous.then(async () => {
      const lockPath = `${file}.lock`;
      await acquire(lockPath);
      try {
        return await operation(file);
      } finally {
        await unlink(lockPath).catch(() => {});
      }
    });
    const settled = run.catch(() => {});
    queues.set(file, settled);
    settled.then(() => {
      if (queues.get(file) === settled) queues.delete(file);
    });
    return run;
  }

  async function read(file) {
    try {
      return new Uint8Array(await readFile(file));
    } catch (error) {
      if (error.code === "ENOENT") return null;
      throw error;
    }
  }

  async function write(file, value) {
    const temporary = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
    const handle = await open(temporary, "w", 0o600);
    try {
      await handle.writeFile(value);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  return {
    get: (key) => locked(key, read),
    set: (key, value) => locked(key, (file) => write(file, value)),
    delete: (key) => locked(key, (file) => rm(file, { force: true })),
    compareAndSwap: (key, expected, value) =>
      locked(key, async (file) => {
        const current = await read(file);
        const matches = expected === null || expected === undefined ? current === null : current !== null && sameBytes(current, expected);
        if (matches) await write(file, value);
        return matches;
      }),
  };
}

/** JSON values over the same storage, for the server's own records beside forgelink's. */
export function jsonRecords(storage) {
  return {
    async get(key) {
      const bytes = await storage.get(key);
      return bytes === null ? null : JSON.parse(Buffer.from(bytes).toString("utf8"));
    },
    set: (key, value) => storage.set(key, new Uint8Array(Buffer.from(JSON.stringify(value)))),
    delete: (key) => storage.delete(key),
  };
}
