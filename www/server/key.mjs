// The key forgelink seals stored tokens and secrets with: 32 random bytes, generated on the
// first start and kept in the data directory, readable by this user only.

import { randomBytes } from "node:crypto";
import { chmod, open, readFile, stat } from "node:fs/promises";
import { join } from "node:path";

export const KEY_FILE = "encryption.key";

/** Reads the key in `dataDir`, creating it (mode 0600) when there is none. */
export async function loadOrCreateKey(dataDir) {
  const path = join(dataDir, KEY_FILE);
  try {
    // O_EXCL: of two servers starting at once on one directory, one creates, the other reads.
    const handle = await open(path, "wx", 0o600);
    const key = randomBytes(32);
    try {
      await handle.writeFile(key);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return new Uint8Array(key);
  } catch (error) {
    if (error.code !== "EEXIST") throw error;
  }
  const key = await readKey(path);
  // A key copied in with looser permissions would let other users read every stored token.
  const { mode } = await stat(path);
  if ((mode & 0o077) !== 0) await chmod(path, 0o600);
  return key;
}

async function readKey(path) {
  // The creator may still be writing it.
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const bytes = await readFile(path);
    if (bytes.length === 32) return new Uint8Array(bytes);
    if (bytes.length > 32) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${path} must hold exactly 32 bytes; move it away to start with a new key (every stored connection is then lost).`);
}
