import {
  type AnyRedisClient,
  kindOf,
  ownClient,
  type PubSubListener,
  type RedisClient,
  type RedisClusterClient,
  type RedisConnectionOptions,
  type RedisSentinelClient,
} from "./client.ts";

/** A primary, for the commands that are about a node rather than a key (CONFIG, INFO). */
export interface Primary {
  /** `host:port` on a cluster, empty otherwise. */
  name: string;
  send(args: string[]): Promise<unknown>;
}

/**
 * One node, a cluster or a Sentinel-managed primary behind the same few calls, so that the store and
 * notifier need not know which: commands routed by key, the primaries, pub/sub, and reconnection.
 */
export class RedisLink {
  readonly kind: "node" | "cluster" | "sentinel";
  readonly #client: AnyRedisClient;
  readonly #owned: boolean;
  #connecting: Promise<void> | undefined;

  /** A link over the client `options` name, or one of our own that it connects on first use. */
  static open(options: RedisConnectionOptions): RedisLink {
    return options.client ? new RedisLink(options.client, false) : new RedisLink(ownClient(options), true);
  }

  private constructor(client: AnyRedisClient, owned: boolean) {
    this.#client = client;
    this.#owned = owned;
    this.kind = kindOf(client);
  }

  /** Connects a client of our own, once; a failed attempt is forgotten so that the next use tries again. */
  connected(): Promise<void> {
    if (!this.#owned) return Promise.resolve();
    this.#connecting ??= this.#client.connect().then(
      () => {},
      (error: unknown) => {
        this.#connecting = undefined;
        throw error;
      },
    );
    return this.#connecting;
  }

  /** Sends a command to the primary that holds `key` (on a cluster; any node when there is no key). */
  send(key: string | undefined, args: string[]): Promise<unknown> {
    switch (this.kind) {
      case "cluster":
        return (this.#client as RedisClusterClient).sendCommand(key, false, args);
      case "sentinel":
        return (this.#client as RedisSentinelClient).sendCommand(false, args);
      default:
        return (this.#client as RedisClient).sendCommand(args);
    }
  }

  /** Every primary: the cluster's masters, or the one node (or Sentinel's current primary). */
  primaries(): Primary[] {
    if (this.kind !== "cluster") return [{ name: "", send: (args) => this.send(undefined, args) }];
    const cluster = this.#client as RedisClusterClient;
    return cluster.masters.map((node) => ({
      name: `${node.host}:${node.port}`,
      send: async (args) => (await cluster.nodeClient(node)).sendCommand(args),
    }));
  }

  /** A second connection (a second client for a cluster or Sentinel) to the same place, ours to connect and close. */
  duplicate(): RedisLink {
    const copy = new RedisLink(this.#client.duplicate(), true);
    copy.#client.on("error", () => {});
    return copy;
  }

  subscribe(channel: string, listener: PubSubListener): Promise<unknown> {
    return this.#client.subscribe(channel, listener);
  }

  unsubscribe(channel: string, listener: PubSubListener): Promise<unknown> {
    return this.#client.unsubscribe(channel, listener);
  }

  /**
   * Calls `listener` whenever this link is ready again after losing Redis: a connection's (on a
   * cluster, any node's) reconnection, or a Sentinel failover to another primary, which node-redis
   * reports as reconnecting then ready. Anything published meanwhile was lost.
   */
  onReconnect(listener: () => void): void {
    const [lostEvent, readyEvent] =
      this.kind === "cluster" ? ["node-reconnecting", "node-ready"] : ["reconnecting", "ready"];
    let lost = false;
    // Connections becoming ready for the first time (every node of a cluster does) are no loss.
    this.#client.on(lostEvent, () => {
      lost = true;
    });
    this.#client.on(readyEvent, () => {
      if (!lost) return;
      lost = false;
      listener();
    });
  }

  /** Closes a client of our own; one given to us is its owner's to close. */
  async close(): Promise<void> {
    if (this.#owned && this.#client.isOpen) await this.#client.close();
  }
}
