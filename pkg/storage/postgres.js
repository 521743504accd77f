// Storage for Forgelink in PostgreSQL, over the caller's pg Pool: one table of key, bytes and
// expiry. Every statement runs on its own (autocommit, READ COMMITTED), where an UPDATE or an
// INSERT ... ON CONFLICT DO UPDATE re-checks its WHERE against the row's latest version after
// waiting for a concurrent writer: so compareAndSwap is atomic across processes without
// explicit transactions or locks. Expiry is judged by the server's clock, the same for all.
import { bytes, invalid, options, owned, ttlMilliseconds } from "./shared.js";
import { describe } from "../common.js";

const FIELDS = new Set(["table"]);
// Lower case only, so that the quoted name is the name a person typing it unquoted gets; short
// enough that the index name built from it stays within PostgreSQL's 63 bytes.
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,49}$/;
const DEFAULT_TABLE = "forgelink_storage";
// A sweep on every SWEEP_EVERY-th write of this process, deleting at most SWEEP_LIMIT rows: a
// write pays a small bounded share, and rows expire no faster than they are written, so this
// keeps up; sweep() removes the rest at once (from a scheduled job, for one).
const SWEEP_EVERY = 256;
const SWEEP_LIMIT = 1000;
// Any constant: the advisory lock that serialises creating the table between processes.
const CREATE_LOCK = 7_240_318_911;

/** The DDL for `table` (schema-qualified or not): the README shows the same. */
function ddl(table, indexName) {
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (key text PRIMARY KEY, value bytea NOT NULL, expires_at timestamptz NULL)`,
    `CREATE INDEX IF NOT EXISTS ${indexName} ON ${table} (expires_at) WHERE expires_at IS NOT NULL`,
  ];
}

/**
 * Storage over a pg Pool. `options.table` (default `forgelink_storage`, optionally
 * `schema.table`) is created with its index on first use when missing.
 */
export function postgresStorage(pool, opts) {
  if (pool === null || typeof pool !== "object" || typeof pool.query !== "function" || typeof pool.connect !== "function") {
    throw invalid(`\`pool\` must be a pg Pool, got ${describe(pool)}.`);
  }
  const o = options("options", opts, FIELDS);
  const name = o.table ?? DEFAULT_TABLE;
  if (typeof name !== "string") throw invalid(`\`options.table\` must be a string, got ${describe(name)}.`);
  const parts = name.split(".");
  if (parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw invalid(`\`options.table\` must be a table name, or schema.table, each of lower-case letters, digits and _ (at most 50), not starting with a digit; got ${JSON.stringify(name)}.`);
  }
  const table = parts.map((part) => `"${part}"`).join(".");
  const indexName = `"${parts[parts.length - 1]}_expires_at"`;

  const LIVE = "(expires_at IS NULL OR expires_at > now())";
  // $n::float8 milliseconds, NULL for no expiry (NULL times an interval is NULL).
  const expiresAt = (n) => `now() + $${n}::float8 * interval '1 millisecond'`;
  const SQL = {
    get: `SELECT value FROM ${table} WHERE key = $1 AND ${LIVE}`,
    set: `INSERT INTO ${table} (key, value, expires_at) VALUES ($1, $2, ${expiresAt(3)})
          ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at`,
    delete: `DELETE FROM ${table} WHERE key = $1`,
    // From absent: insert, or take over a row that has expired (an expired value is absent).
    // A live row makes the conflict's WHERE false: nothing is written and no row returned.
    insert: `INSERT INTO ${table} AS t (key, value, expires_at) VALUES ($1, $2, ${expiresAt(3)})
             ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at
             WHERE t.expires_at IS NOT NULL AND t.expires_at <= now()
             RETURNING 1`,
    update: `UPDATE ${table} SET value = $3, expires_at = ${expiresAt(4)}
             WHERE key = $1 AND value = $2 AND ${LIVE}`,
    sweepSome: `DELETE FROM ${table} WHERE ctid IN (SELECT ctid FROM ${table} WHERE expires_at <= now() LIMIT ${SWEEP_LIMIT})`,
    sweepAll: `DELETE FROM ${table} WHERE expires_at <= now()`,
  };

  let ready;
  function ensureTable() {
    ready ??= (async () => {
      // CREATE ... IF NOT EXISTS is not safe against itself: two processes creating the table
      // at once can both pass the check and one fail on the catalog's unique index. The lock
      // makes the second wait and then find the table.
      const connection = await pool.connect();
      try {
        await connection.query("BEGIN");
        await connection.query(`SELECT pg_advisory_xact_lock(${CREATE_LOCK})`);
        for (const statement of ddl(table, indexName)) await connection.query(statement);
        await connection.query("COMMIT");
      } catch (error) {
        await connection.query("ROLLBACK").catch(() => {});
        throw error;
      } finally {
        connection.release();
      }
    })().catch((error) => {
      // Try again on the next call: the server may have been down for a moment.
      ready = undefined;
      throw error;
    });
    return ready;
  }

  async function query(text, values) {
    await ensureTable();
    return pool.query(text, values);
  }

  function keyOf(key) {
    if (typeof key !== "string") throw invalid(`A storage key must be a string, got ${describe(key)}.`);
    return key;
  }

  let writes = 0;
  async function wrote() {
    if (++writes % SWEEP_EVERY !== 0) return;
    // Housekeeping: the write it follows has succeeded, so its failure is not the caller's.
    await pool.query(SQL.sweepSome).catch(() => {});
  }

  return {
    async get(key) {
      const result = await query(SQL.get, [keyOf(key)]);
      return result.rows.length === 0 ? null : owned(result.rows[0].value);
    },
    async set(key, value, ttl) {
      await query(SQL.set, [keyOf(key), bytes("value", value), ttlMilliseconds(ttl) ?? null]);
      await wrote();
    },
    async delete(key) {
      await query(SQL.delete, [keyOf(key)]);
    },
    async compareAndSwap(key, expected, value, ttl) {
      const ms = ttlMilliseconds(ttl) ?? null;
      const result = expected === null || expected === undefined
        ? await query(SQL.insert, [keyOf(key), bytes("value", value), ms])
        : await query(SQL.update, [keyOf(key), bytes("expected", expected), bytes("value", value), ms]);
      const swapped = result.rowCount === 1;
      if (swapped) await wrote();
      return swapped;
    },
    /** Deletes every expired row; answers how many. */
    async sweep() {
      const result = await query(SQL.sweepAll);
      return result.rowCount ?? 0;
    },
  };
}
