import { createClient, createCluster, createSentinel } from "./driver.ts";

/** A pub/sub listener; node-redis hands strings unless asked for buffers. */
export type PubSubListener = (message: string | Buffer, channel: string | Buffer) => void;

/**
 * The part of a node-redis client (`createClient()`) that the Redis store and notifier use. Every
 * `createClient()` result fits, whatever its RESP version or modules: replies are read through
 * `sendCommand` and Lua, whose shapes do not change between RESP2 and RESP3. It must keep the
 * default type mapping.
 */
export interface RedisClient {
  readonly isOpen: boolean;
  connect(): Promise<unknown>;
  close(): Promise<void>;
  /** qrlogin listens to `error` and to `ready`, emitted on every (re)connection once node-redis has subscribed again. */
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  sendCommand(args: string[]): Promise<unknown>;
  duplicate(): RedisClient;
  subscribe(channel: string, listener: PubSubListener): Promise<unknown>;
  unsubscribe(channel: string, listener: PubSubListener): Promise<unknown>;
}

/** Where a cluster node listens. */
export interface RedisNodeAddress {
  host: string;
  port: number;
}

/** The part of a node-redis cluster client (`createCluster()`) that qrlogin uses. */
export interface RedisClusterClient {
  readonly isOpen: boolean;
  connect(): Promise<unknown>;
  close(): Promise<void>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  /** Routed to the primary that owns `firstKey`'s slot. */
  sendCommand(firstKey: string | undefined, isReadonly: boolean | undefined, args: string[]): Promise<unknown>;
  readonly masters: readonly RedisNodeAddress[];
  nodeClient(node: RedisNodeAddress): Promise<{ sendCommand(args: string[]): Promise<unknown> }>;
  duplicate(): RedisClusterClient;
  subscribe(channel: string, listener: PubSubListener): Promise<unknown>;
  unsubscribe(channel: string, listener: PubSubListener): Promise<unknown>;
}

/** The part of a node-redis Sentinel client (`createSentinel()`) that qrlogin uses. */
export interface RedisSentinelClient {
  readonly isOpen: boolean;
  connect(): Promise<unknown>;
  close(): Promise<void>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  /** Sent to the current primary (qrlogin never reads from replicas, which may lag). */
  sendCommand(isReadonly: boolean | undefined, args: string[]): Promise<unknown>;
  acquire(): Promise<unknown>;
  duplicate(): RedisSentinelClient;
  subscribe(channel: string, listener: PubSubListener): Promise<unknown>;
  unsubscribe(channel: string, listener: PubSubListener): Promise<unknown>;
}

/** Any of the three node-redis clients qrlogin works with. */
export type AnyRedisClient = RedisClient | RedisClusterClient | RedisSentinelClient;

/** A Sentinel-managed primary: the sentinels to ask and the name they know it by. */
export interface RedisSentinelSetting {
  /** The name the sentinels monitor the primary under (`sentinel monitor <name> …`). */
  name: string;
  /** The sentinels, as `host:port`. */
  sentinels: string[];
  /** Credentials and TLS for the primary and replicas (not the sentinels). */
  username?: string;
  password?: string;
  tls?: boolean;
}

/**
 * Where the store or notifier connects, one of: `client` (yours, of any kind: you connect and close
 * it), `url` (one node), `rootNodes` (a Redis Cluster) or `sentinel`.
 */
export interface RedisConnectionOptions {
  /** One node, e.g. `redis://127.0.0.1:6379`. */
  url?: string;
  /** A Redis Cluster: some of its nodes as URLs (`redis://[user:password@]host:port`, `rediss://` for TLS). */
  rootNodes?: string[];
  /** A primary that Sentinel fails over. */
  sentinel?: RedisSentinelSetting;
  /** A client to use instead of opening one; its owner connects and closes it. */
  client?: AnyRedisClient;
}

/** The kind of client, told apart by the methods only that kind has. */
export function kindOf(client: AnyRedisClient): "node" | "cluster" | "sentinel" {
  if ("nodeClient" in client) return "cluster";
  if ("acquire" in client) return "sentinel";
  return "node";
}

/** A client of our own for `options`; node-redis reconnects by itself, and a failing command rejects to its caller. */
export function ownClient({ url, rootNodes, sentinel }: RedisConnectionOptions): AnyRedisClient {
  let client: AnyRedisClient;
  if (rootNodes) {
    if (rootNodes.length === 0) throw new TypeError("qrlogin: rootNodes needs at least one node");
    // node-redis applies a root node's credentials to that node only; `defaults` reach every node it discovers.
    const first = new URL(rootNodes[0] as string);
    client = createCluster({
      rootNodes: rootNodes.map((node) => ({ url: node })),
      defaults: {
        username: decodeURIComponent(first.username) || undefined,
        password: decodeURIComponent(first.password) || undefined,
        socket: first.protocol === "rediss:" ? { tls: true } : {},
      },
    });
  } else if (sentinel) {
    client = createSentinel({
      name: sentinel.name,
      sentinelRootNodes: sentinel.sentinels.map(hostAndPort),
      nodeClientOptions: {
        username: sentinel.username,
        password: sentinel.password,
        socket: sentinel.tls ? { tls: true } : {},
      },
    });
  } else {
    client = createClient({ url });
  }
  client.on("error", () => {});
  return client;
}

/** `host:port` (or `[v6]:port`) as node-redis takes it. */
function hostAndPort(address: string): RedisNodeAddress {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address.trim());
  if (!match) throw new TypeError(`qrlogin: a sentinel must be host:port, got ${JSON.stringify(address)}`);
  return { host: match[1] as string, port: Number(match[2]) };
}
