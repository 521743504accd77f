/**
 * Storage for {@link Forgelink} in Redis, over a node-redis client (the `redis` package,
 * version 4 or later) that the caller creates, connects and closes.
 *
 * @module
 */
import type { HostStorage, StorageWriteOptions } from "../flows.js";

/**
 * What the store uses of a node-redis client: a connected `createClient()` (or `RedisClientType`)
 * is one. Only raw commands are sent, so the store needs neither the client's command
 * methods nor its types.
 */
export interface RedisStorageClient {
  /** `false` while disconnected: the store then refuses a command rather than queue it. */
  readonly isReady: boolean;
  readonly isOpen: boolean;
  /** Sends a command; with `returnBuffers`, bulk strings come back as bytes. */
  sendCommand(args: Array<string | Uint8Array>, options?: { returnBuffers?: boolean }): Promise<unknown>;
}

/** The options of {@link redisStorage}. */
export interface RedisStorageOptions {
  /**
   * Put before every key (default: none; forgelink's keys already start with `forgelink/`). To
   * keep apart several products or environments sharing one database: `"staging:"`.
   */
  prefix?: string;
}

/**
 * A {@link HostStorage} in Redis: values as raw bytes, `ttlSeconds` as Redis's own expiry
 * (`PX`), `compareAndSwap` as one Lua script (so atomic across every process on the server).
 * A command while the client is disconnected fails at once; each failure becomes the flows'
 * `storage.failed` with the client's message.
 *
 * @throws {ForgelinkError} `input.invalid` when `client` is not a client or an option is wrong.
 */
export function redisStorage(client: RedisStorageClient, options?: RedisStorageOptions | null): RedisStorage;

/** A {@link HostStorage} in Redis: every method answers with a promise. */
export interface RedisStorage extends HostStorage {
  get(key: string): Promise<Uint8Array | null>;
  set(key: string, value: Uint8Array, options?: StorageWriteOptions): Promise<void>;
  delete(key: string): Promise<void>;
  compareAndSwap(key: string, expected: Uint8Array | null, value: Uint8Array, options?: StorageWriteOptions): Promise<boolean>;
}
