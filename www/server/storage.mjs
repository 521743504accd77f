// A forgelink storage (get, set, delete, compare-and-swap) over a directory: one file per key.
//
// Writes go to a temporary file that is flushed and then renamed over the old one, so a crash
// leaves either the old value or the new one, never half of each. Every operation on a key
// holds that key's lock file (created with O_EXCL, so only one holder at a time across
// processes sharing the directory): compare-and-swap reads, compares and renames without
// another writer slipping in between, which is what keeps an OAuth state single-use and a
// refresh single-caller when two servers share the directory.
//
// Values forgelink gives a time-to-live (pending authorizations, delivery and state claims,
// tombstones) carry their expiry in the file: an expired one counts as absent, is deleted when
// next read, and a sweep every so many writes deletes the rest, so that a wizard receiving
// deliveries for months keeps only what is still live.

import { createHash, randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from "node:fs/promises";
import { join } from "node:path";

const LOCK_RETRY_MS = 5;
// A lock older than this was left by a process that died holding it; no operation here takes
// anywhere near as long.
const STALE_LOCK_MS = 10_000;
const LOCK_TIMEOUT_MS = 15_000;

// A sweep of the directory after this many writes: often enough that expired files never
// outnumber live ones by much, rarely enough that its cost (reading every file's header) is
// spread thin.
const SWEEP_EVERY = 256;

// Every file written starts with this header: the magic `\0flx`, then the expiry in
// milliseconds since 1970 as a big-endian float (Infinity: none). A file without it, written
// before expiry was kept, is the value itself: none of those began with a NUL byte (forgelink's
// sealed values begin with 1, its claims and markers with text, the wizard's records with JSON).
const MAGIC = Buffer.from("\0flx", "latin1");
const HEADER = MAGIC.length + 8;

function encode(value, expiresAt) {
  const out = Buffer.alloc(HEADER + value.length);
  MAGIC.copy(out, 0);
  out.writeDoubleBE(expiresAt, MAGIC.length);
  out.set(value, HEADER);
  return out;
}

/** `{ value, expiresAt }` of a file's bytes. */
function decode(bytes) {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (buffer.length >= HEADER && buffer.subarray(0, MAGIC.length).equals(MAGIC)) {
    return { value: new Uint8Array(buffer.subarray(HEADER)), expiresAt: buffer.readDoubleBE(MAGIC.length) };
  }
  return { value: new Uint8Array(buffer), expiresAt: Infinity };
}

/** When a value written at `now` with `options` expires. */
function expiryOf(options, now) {
  const seconds = options?.ttlSeconds;
  if (seconds === undefined || seconds === null) return Infinity;
  if (typeof seconds !== "number" || Number.isNaN(seconds) || seconds < 0) throw new TypeError(`ttlSeconds must be a number of seconds from 0, got ${seconds}.`);
  return now + seconds * 1000;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function sameBytes(a, b) {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

/**
 * A storage in `dir` (created with mode 0700 when missing). Keys may be any string: file names
 * are their SHA-256, so no key can name a path outside the directory. `now` is the clock that
 * judges expiry, in milliseconds (tests move it).
 */
export async function fileStorage(dir, { now = () => Date.now() } = {}) {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const fileOf = (key) => join(dir, createHash("sha256").update(String(key)).digest("hex"));
  let writes = 0;
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
    return lockedFile(fileOf(key), operation);
  }

  function lockedFile(file, operation) {
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

  /** The live value in `file`, or null; an expired one is deleted. Called with the file's lock held. */
  async function read(file) {
    let bytes;
    try {
      bytes = new Uint8Array(await readFile(file));
    } catch (error) {
      if (error.code === "ENOENT") return null;
      throw error;
    }
    const { value, expiresAt } = decode(bytes);
    if (expiresAt <= now()) {
      await rm(file, { force: true });
      return null;
    }
    return value;
  }

  async function write(file, value, options) {
    const bytes = encode(value, expiryOf(options, now()));
    const temporary = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
    const handle = await open(temporary, "w", 0o600);
    try {
      await handle.writeFile(bytes);
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

  /** Deletes every expired value in the directory, each under its own lock. */
  async function sweep() {
    for (const name of await readdir(dir)) {
      // Values only: their names are 64 hex digits; locks and temporary files have a suffix.
      if (!/^[0-9a-f]{64}$/.test(name)) continue;
      await lockedFile(join(dir, name), read);
    }
  }

  /** Counts a write, and sweeps once every SWEEP_EVERY of them. */
  async function wrote() {
    writes += 1;
    if (writes >= SWEEP_EVERY) {
      writes = 0;
      await sweep();
    }
  }

  return {
    get: (key) => locked(key, read),
    set: async (key, value, options) => {
      await locked(key, (file) => write(file, value, options));
      await wrote();
    },
    delete: (key) => locked(key, (file) => rm(file, { force: true })),
    compareAndSwap: async (key, expected, value, options) => {
      const swapped = await locked(key, async (file) => {
        const current = await read(file);
        const matches = expected === null || expected === undefined ? current === null : current !== null && sameBytes(current, expected);
        if (matches) await write(file, value, options);
        return matches;
      });
      if (swapped) await wrote();
      return swapped;
    },
    sweep,
  };
}

/** JSON values over the same storage, for the server's own records beside forgelink's. */
export function jsonRecords(storage) {
  return {
    async get(key) {
      const bytes = await storage.get(key);
      return bytes === null ? null : JSON.parse(Buffer.from(bytes).toString("utf8"));
    },
    /** `options`: `{ ttlSeconds }` for a record that loses its use after a while. */
    set: (key, value, options) => storage.set(key, new Uint8Array(Buffer.from(JSON.stringify(value))), options),
    delete: (key) => storage.delete(key),
  };
}
