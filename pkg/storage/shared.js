// What the Redis and PostgreSQL stores share: checking their options and the time-to-live they
// are given, and handing bytes to drivers that want Node's Buffer. Neither store imports its
// driver: the caller's client is used as given, so the package depends on neither.
import { ForgelinkError, describe } from "../common.js";

/**
 * A coded `input.invalid`. Its guidance is written here rather than looked up in the core, so
 * that a store can be built (at a server's start) before the WebAssembly module is loaded.
 */
export function invalid(message) {
  return new ForgelinkError({
    code: "input.invalid",
    message,
    guidance: {
      code: "input.invalid",
      title: "An argument is not valid",
      summary: "A value passed to forgelink is not of the kind the function takes.",
      steps: ["Read the message: it names the argument and what it must be.", "Fix the call and try again."],
    },
  });
}

/** The fields of an options object, refusing names it does not take (a typo would be ignored). */
export function options(name, value, allowed) {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw invalid(`\`${name}\` must be an object, got ${describe(value)}.`);
  }
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) throw invalid(`\`${name}\` has no field \`${key}\`; it takes ${[...allowed].map((k) => `\`${k}\``).join(", ")}.`);
  }
  return value;
}

/**
 * The time-to-live in milliseconds, or undefined for none. Checked like memoryStorage checks it;
 * a store's method that throws this makes the flow fail with `storage.failed`.
 */
export function ttlMilliseconds(ttl) {
  const seconds = ttl?.ttlSeconds;
  if (seconds === undefined || seconds === null) return undefined;
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) {
    throw invalid(`\`ttlSeconds\` must be a number of seconds from 0, got ${typeof seconds === "number" ? seconds : describe(seconds)}.`);
  }
  return seconds * 1000;
}

/** `value` as a Buffer over the same bytes (no copy): drivers send a Buffer as raw bytes. */
export function bytes(name, value) {
  if (!(value instanceof Uint8Array)) throw invalid(`\`${name}\` must be a Uint8Array, got ${describe(value)}.`);
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/** A Buffer a driver answered with, as a Uint8Array of its own (Buffers may share a pool). */
export function owned(buffer) {
  return new Uint8Array(buffer);
}
