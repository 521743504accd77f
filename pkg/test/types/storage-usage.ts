// Compiled by types.test.mjs with `tsc --noEmit --strict`: the stores as a TypeScript user
// writes them, over the real clients' own types. Each `@ts-expect-error` is a misuse the
// declarations must reject.
import { Forgelink, fetchHost } from "forgelink/flows";
import type { HostStorage } from "forgelink/flows";
import { postgresStorage } from "forgelink/storage/postgres";
import type { PostgresStorage, PostgresStoragePool } from "forgelink/storage/postgres";
import { redisStorage } from "forgelink/storage/redis";
import type { RedisStorage } from "forgelink/storage/redis";
import { createClient } from "redis";

export async function withRedis(): Promise<void> {
  const client = createClient({ url: "redis://127.0.0.1:6379" });
  await client.connect();
  const storage: RedisStorage = redisStorage(client, { prefix: "staging:" });
  const asHost: HostStorage = storage;
  const value: Uint8Array | null = await storage.get("k");
  const swapped: boolean = await storage.compareAndSwap("k", value, new Uint8Array([1]), { ttlSeconds: 60 });
  new Forgelink({ fetch: fetchHost(), storage: asHost, encryptionKey: new Uint8Array(32) });
  // @ts-expect-error: the prefix is a string.
  redisStorage(client, { prefix: 1 });
  // @ts-expect-error: a client, not a URL.
  redisStorage("redis://127.0.0.1:6379");
  void swapped;
}

// pg ships no types of its own; a pool as @types/pg declares it has this shape.
declare const pool: PostgresStoragePool;

export async function withPostgres(): Promise<number> {
  const storage: PostgresStorage = postgresStorage(pool, { table: "app.forgelink_kv" });
  new Forgelink({ fetch: fetchHost(), storage, encryptionKey: new Uint8Array(32) });
  await storage.set("k", new Uint8Array([1]), { ttlSeconds: 1 });
  // @ts-expect-error: the option is the table.
  postgresStorage(pool, { tableName: "x" });
  // @ts-expect-error: values are bytes.
  await storage.set("k", "text");
  return storage.sweep();
}
