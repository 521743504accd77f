/**
 * Storage for {@link Forgelink} in PostgreSQL, over a `pg` Pool that the caller creates and
 * ends.
 *
 * @module
 */
import type { HostStorage, StorageWriteOptions } from "../flows.js";

/** A result as `pg` answers it, as far as the store reads it. */
export interface PostgresStorageResult {
  rows: Array<Record<string, unknown>>;
  rowCount: number | null;
}

/** One connection checked out of the pool (used once, to create the table in a transaction). */
export interface PostgresStorageConnection {
  query(text: string, values?: unknown[]): Promise<PostgresStorageResult>;
  release(): void;
}

/** What the store uses of a `pg` Pool: a `new pg.Pool(...)` is one. */
export interface PostgresStoragePool {
  query(text: string, values?: unknown[]): Promise<PostgresStorageResult>;
  connect(): Promise<PostgresStorageConnection>;
}

/** The options of {@link postgresStorage}. */
export interface PostgresStorageOptions {
  /**
   * The table (default `forgelink_storage`), or `schema.table`: lower-case letters, digits
   * and `_`, at most 50 each, not starting with a digit.
   */
  table?: string;
}

/** A {@link HostStorage} in PostgreSQL, with a sweep of its expired rows. */
export interface PostgresStorage extends HostStorage {
  get(key: string): Promise<Uint8Array | null>;
  set(key: string, value: Uint8Array, options?: StorageWriteOptions): Promise<void>;
  delete(key: string): Promise<void>;
  compareAndSwap(key: string, expected: Uint8Array | null, value: Uint8Array, options?: StorageWriteOptions): Promise<boolean>;
  /**
   * Deletes every expired row and answers how many. Writes already sweep a bounded number now
   * and then; call this from a scheduled job to keep the table small after a quiet period.
   */
  sweep(): Promise<number>;
}

/**
 * A {@link HostStorage} in one table: `key text primary key, value bytea not null, expires_at
 * timestamptz null`, created (with an index on `expires_at`) on first use when missing. An
 * expired row is absent to `get` and to `compareAndSwap`; `compareAndSwap` is one statement,
 * atomic across every process on the database. Each failure becomes the flows'
 * `storage.failed` with the client's message.
 *
 * @throws {ForgelinkError} `input.invalid` when `pool` is not a pool or an option is wrong.
 */
export function postgresStorage(pool: PostgresStoragePool, options?: PostgresStorageOptions | null): PostgresStorage;
