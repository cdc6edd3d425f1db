import { createClient } from "./driver.ts";

/**
 * The part of a node-redis client that the Redis store and notifier use. Every `createClient()`
 * result fits, whatever its RESP version or modules: replies are read through `sendCommand` and
 * Lua, whose shapes do not change between RESP2 and RESP3. It must keep the default type mapping.
 */
export interface RedisClient {
  readonly isOpen: boolean;
  connect(): Promise<unknown>;
  close(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): unknown;
  /** Emitted on every (re)connection, once node-redis has subscribed again to what it had. */
  on(event: "ready", listener: () => void): unknown;
  sendCommand(args: string[]): Promise<unknown>;
  duplicate(): RedisClient;
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<void>;
  unsubscribe(channel: string, listener: (message: string, channel: string) => void): Promise<void>;
}

/** Connects `client` on first use, once; a failed attempt is forgotten so that the next use tries again. */
export function connectOnce(client: RedisClient): () => Promise<RedisClient> {
  let connecting: Promise<RedisClient> | undefined;
  return () => {
    connecting ??= client.connect().then(
      () => client,
      (error: unknown) => {
        connecting = undefined;
        throw error;
      },
    );
    return connecting;
  };
}

/** A client of our own; node-redis reconnects by itself, and a failing command rejects to its caller. */
export function ownClient(url: string | undefined): RedisClient {
  const client: RedisClient = createClient({ url });
  client.on("error", () => {});
  return client;
}
