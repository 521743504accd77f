// What the provider modules share: stable commit ids derived from a name, so that a project's
// payloads name the same commit every time, and timestamps without milliseconds.

import { createHash } from "node:crypto";

/** A commit id of `length` hex digits (40 for SHA-1 repositories, 64 for SHA-256 ones). */
export function commitSha(seed, length = 40) {
  return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

export function isoSeconds(date) {
  return `${date.toISOString().slice(0, 19)}Z`;
}
