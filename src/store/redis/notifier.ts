import { LocalNotifier } from "../local-notifier.ts";
import type { ChangeMessage, Notifier } from "../login-store.ts";
import { SharedSubscriptions } from "../shared-subscriptions.ts";
import type { RedisConnectionOptions } from "./client.ts";
import { throughFaults } from "./faults.ts";
import { RedisLink } from "./link.ts";

/** Options of {@link RedisNotifier}: where to connect (see {@link RedisConnectionOptions}) and the channel prefix. */
export interface RedisNotifierOptions extends RedisConnectionOptions {
  /** Put before every Redis channel name. Default `qrlogin:`. */
  prefix?: string;
  /** How long a publish keeps trying through dropped connections, in ms. Default 5 s. */
  faultWindowMs?: number;
}

/** A changed-request message as it arrived from another process, or `null` if it is not one. */
function parseChange(text: string): ChangeMessage | null {
  try {
    const { requestId, version } = JSON.parse(text);
    return typeof requestId === "string" && typeof version === "number" ? { requestId, version } : null;
  } catch {
    return null;
  }
}

/**
 * Changes across instances through Redis pub/sub: one Redis channel per qrlogin channel, subscribed
 * on a connection of its own (node-redis needs one for SUBSCRIBE; a second client for a cluster or
 * Sentinel) while this process has listeners on it, and fanned out to them locally. On a cluster,
 * PUBLISH reaches every node, so the subscriber may listen on any. node-redis reconnects and
 * re-subscribes by itself; messages published while the connection is down, or during a failover,
 * are lost, so each reconnection delivers {@link RESYNC}.
 * @example const notifier = new RedisNotifier({ url: process.env.REDIS_URL })
 */
export class RedisNotifier implements Notifier {
  readonly #local = new LocalNotifier();
  readonly #publisher: RedisLink;
  readonly #subscriber: RedisLink;
  readonly #prefix: string;
  readonly #faultWindowMs: number;
  /** Per qrlogin channel, the Redis SUBSCRIBE that serves its local listeners. */
  readonly #subscriptions = new SharedSubscriptions(
    (channel) => ({ ready: this.#redisSubscribe(channel) }),
    // node-redis sends (UN)SUBSCRIBE in call order on one connection, so a later subscribe cannot be
    // undone by this. One that fails (the connection closing) leaves a subscription nobody listens to.
    async (channel) => {
      await this.#subscriber.unsubscribe(this.#prefix + channel, this.#onMessage).catch(() => {});
    },
  );

  constructor({ prefix = "qrlogin:", faultWindowMs = 5_000, ...connection }: RedisNotifierOptions = {}) {
    this.#publisher = RedisLink.open(connection);
    this.#subscriber = this.#publisher.duplicate();
    this.#subscriber.onReconnect(() => this.#local.resync());
    this.#prefix = prefix;
    this.#faultWindowMs = faultWindowMs;
  }

  async publish(channel: string, { requestId, version }: ChangeMessage): Promise<void> {
    await this.#publisher.connected();
    const name = this.#prefix + channel;
    const message = JSON.stringify({ requestId, version });
    // A repeated message costs listeners one more re-read.
    await throughFaults(this.#faultWindowMs, () => this.#publisher.send(name, ["PUBLISH", name, message]));
  }

  async subscribe(channel: string, listener: (message: ChangeMessage) => void): Promise<() => Promise<void>> {
    const stopLocal = await this.#local.subscribe(channel, listener);
    return this.#subscriptions.hold(channel, stopLocal);
  }

  async close(): Promise<void> {
    await this.#local.close();
    await this.#subscriptions.closeAll(false);
    await this.#subscriber.close();
    await this.#publisher.close();
  }

  async #redisSubscribe(channel: string): Promise<void> {
    await this.#subscriber.connected();
    await this.#subscriber.subscribe(this.#prefix + channel, this.#onMessage);
  }

  readonly #onMessage = (text: string | Buffer, redisChannel: string | Buffer): void => {
    const message = parseChange(String(text));
    if (message) this.#local.deliver(String(redisChannel).slice(this.#prefix.length), message);
  };
}
