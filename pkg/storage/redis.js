// Storage for Forgelink in Redis, over the caller's connected node-redis (version 4 or later)
// client. Values are stored as raw bytes; expiry is Redis's own (PX), so an expired value is
// absent to every command without any sweeping; compareAndSwap is one Lua script, which Redis
// runs atomically, so processes sharing the server cannot both win.
import { bytes, invalid, options, owned, ttlMilliseconds } from "./shared.js";
import { describe } from "../common.js";
import { createHash } from "node:crypto";

// ARGV[1]: "1" when a value is expected, "0" for absent; ARGV[2]: the expected value;
// ARGV[3]: the new value; ARGV[4]: the expiry in milliseconds, "" for none. Lua strings hold
// any bytes, and GET answers false for a missing (or expired) key.
const COMPARE_AND_SWAP = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current == false or current ~= ARGV[2] then return 0 end
elseif current ~= false then
  return 0
end
if ARGV[4] == '' then
  redis.call('SET', KEYS[1], ARGV[3])
else
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
end
return 1
`;
const COMPARE_AND_SWAP_SHA = createHash("sha1").update(COMPARE_AND_SWAP).digest("hex");

const FIELDS = new Set(["prefix"]);

/**
 * Storage over a node-redis client. `options.prefix` (default: none, since every key forgelink
 * writes already starts with `forgelink/`) is put before each key, to keep apart several
 * products or environments sharing one database.
 */
export function redisStorage(client, opts) {
  if (client === null || typeof client !== "object" || typeof client.sendCommand !== "function") {
    throw invalid(`\`client\` must be a node-redis client (version 4 or later), got ${describe(client)}.`);
  }
  const o = options("options", opts, FIELDS);
  const prefix = o.prefix ?? "";
  if (typeof prefix !== "string") throw invalid(`\`options.prefix\` must be a string, got ${describe(prefix)}.`);

  function keyOf(key) {
    if (typeof key !== "string") throw invalid(`A storage key must be a string, got ${describe(key)}.`);
    return prefix + key;
  }

  // node-redis queues commands while it is disconnected and sends them once it reconnects,
  // which would leave a flow waiting for as long as the server is down. Refuse instead, so
  // that the flow fails now with storage.failed and the caller's own retry decides.
  async function send(args, returnBuffers) {
    if (client.isReady === false) {
      throw new Error(`the Redis client is not connected${client.isOpen ? " (it is reconnecting)" : ""}`);
    }
    return client.sendCommand(args, returnBuffers ? { returnBuffers: true } : undefined);
  }

  // Redis refuses PX 0; a time-to-live of 0 means gone at once, which 1 ms is as near as
  // Redis gets. Fractions of a millisecond round up, so a value never expires early.
  const px = (ms) => String(Math.max(1, Math.ceil(ms)));

  return {
    async get(key) {
      const value = await send(["GET", keyOf(key)], true);
      return value === null ? null : owned(value);
    },
    async set(key, value, ttl) {
      const ms = ttlMilliseconds(ttl);
      const args = ["SET", keyOf(key), bytes("value", value)];
      if (ms !== undefined) args.push("PX", px(ms));
      await send(args, false);
    },
    async delete(key) {
      await send(["DEL", keyOf(key)], false);
    },
    async compareAndSwap(key, expected, value, ttl) {
      const ms = ttlMilliseconds(ttl);
      const present = expected !== null && expected !== undefined;
      const scriptArgs = ["1", keyOf(key), present ? "1" : "0", present ? bytes("expected", expected) : "", bytes("value", value), ms === undefined ? "" : px(ms)];
      let answer;
      try {
        answer = await send(["EVALSHA", COMPARE_AND_SWAP_SHA, ...scriptArgs], false);
      } catch (error) {
        // The server does not know the script yet (first use, a restart, SCRIPT FLUSH): EVAL
        // runs it and caches it for the EVALSHA calls after.
        if (!String(error?.message).startsWith("NOSCRIPT")) throw error;
        answer = await send(["EVAL", COMPARE_AND_SWAP, ...scriptArgs], false);
      }
      return answer === 1;
    },
  };
}
