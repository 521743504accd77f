// Opens one store of the storage contract by name, over a server's URL: the same code in the
// test process and in the worker processes it spawns, so they share exactly what they open.
import pg from "pg";
import { createClient } from "redis";

import { memoryStorage } from "../../flows.js";
import { postgresStorage } from "../../storage/postgres.js";
import { redisStorage } from "../../storage/redis.js";

/**
 * `{ storage, close() }` for `kind` ("memory", "redis" or "postgres"); `namespace` keeps one
 * test's keys apart from another's (a Redis key prefix, a PostgreSQL table).
 */
export async function openStore(kind, url, namespace) {
  if (kind === "memory") return { storage: memoryStorage(), close: async () => {} };
  if (kind === "redis") {
    // No reconnecting: a test that stops the server wants the failure, not a retry loop.
    const client = createClient({ url, socket: { reconnectStrategy: false } });
    client.on("error", () => {}); // the failing command reports it; an unhandled event would crash the process
    await client.connect();
    return {
      client,
      storage: redisStorage(client, { prefix: `${namespace}:` }),
      close: () => (client.isOpen ? client.quit().then(() => {}) : undefined),
    };
  }
  if (kind === "postgres") {
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    pool.on("error", () => {}); // an idle connection dropped by a stopped server
    return { pool, storage: postgresStorage(pool, { table: namespace }), close: () => pool.end() };
  }
  throw new Error(`no store named ${kind}`);
}
