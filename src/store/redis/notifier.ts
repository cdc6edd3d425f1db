import { LocalNotifier } from "../local-notifier.ts";
import { type ChangeMessage, type Notifier, RESYNC } from "../login-store.ts";
import { connectOnce, ownClient, type RedisClient } from "./client.ts";

/** Options of {@link RedisNotifier}. */
export interface RedisNotifierOptions {
  /** Where to connect, e.g. `redis://127.0.0.1:6379`; ignored when `client` is given. */
  url?: string;
  /** A client to publish with (its owner connects and closes it); the subscriber connection is its duplicate. */
  client?: RedisClient;
  /** Put before every Redis channel name. Default `qrlogin:`. */
  prefix?: string;
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
 * on a dedicated connection (node-redis needs one for SUBSCRIBE) while this process has listeners on
 * it, and fanned out to them locally. node-redis reconnects and re-subscribes by itself; messages
 * published while the connection is down are lost, so each reconnection delivers {@link RESYNC}.
 * @example const notifier = new RedisNotifier({ url: process.env.REDIS_URL })
 */
export class RedisNotifier implements Notifier {
  readonly #local = new LocalNotifier();
  readonly #publisher: RedisClient;
  readonly #ownsPublisher: boolean;
  readonly #subscriber: RedisClient;
  readonly #publisherConnected: () => Promise<RedisClient>;
  readonly #subscriberConnected: () => Promise<RedisClient>;
  readonly #prefix: string;
  /** Local listener counts per qrlogin channel, and the Redis SUBSCRIBE that serves them. */
  readonly #subscriptions = new Map<string, { listeners: number; ready: Promise<void> }>();

  constructor({ url, client, prefix = "qrlogin:" }: RedisNotifierOptions = {}) {
    this.#ownsPublisher = !client;
    this.#publisher = client ?? ownClient(url);
    this.#subscriber = this.#publisher.duplicate();
    this.#subscriber.on("error", () => {});
    let connectedBefore = false;
    this.#subscriber.on("ready", () => {
      if (connectedBefore) this.#local.resync();
      connectedBefore = true;
    });
    this.#publisherConnected = this.#ownsPublisher ? connectOnce(this.#publisher) : async () => this.#publisher;
    this.#subscriberConnected = connectOnce(this.#subscriber);
    this.#prefix = prefix;
  }

  async publish(channel: string, { requestId, version }: ChangeMessage): Promise<void> {
    const publisher = await this.#publisherConnected();
    await publisher.sendCommand(["PUBLISH", this.#prefix + channel, JSON.stringify({ requestId, version })]);
  }

  async subscribe(channel: string, listener: (message: ChangeMessage) => void): Promise<() => Promise<void>> {
    const stopLocal = await this.#local.subscribe(channel, listener);
    let subscription = this.#subscriptions.get(channel);
    if (!subscription) {
      const created = { listeners: 0, ready: this.#redisSubscribe(channel) };
      // A failed SUBSCRIBE is forgotten at once, so that the next subscriber tries again.
      created.ready.catch(() => {
        if (this.#subscriptions.get(channel) === created) this.#subscriptions.delete(channel);
      });
      this.#subscriptions.set(channel, created);
      subscription = created;
    }
    subscription.listeners++;
    const held = subscription;
    let active = true;
    const stop = async () => {
      if (!active) return;
      active = false;
      await stopLocal();
      held.listeners--;
      if (held.listeners > 0 || this.#subscriptions.get(channel) !== held) return;
      this.#subscriptions.delete(channel);
      // node-redis sends (UN)SUBSCRIBE in call order on one connection, so a later subscribe cannot be undone by this.
      await this.#subscriber.unsubscribe(this.#prefix + channel, this.#onMessage);
    };
    try {
      await held.ready;
    } catch (error) {
      await stop();
      throw error;
    }
    return stop;
  }

  async close(): Promise<void> {
    await this.#local.close();
    this.#subscriptions.clear();
    if (this.#subscriber.isOpen) await this.#subscriber.close();
    if (this.#ownsPublisher && this.#publisher.isOpen) await this.#publisher.close();
  }

  async #redisSubscribe(channel: string): Promise<void> {
    const subscriber = await this.#subscriberConnected();
    await subscriber.subscribe(this.#prefix + channel, this.#onMessage);
  }

  readonly #onMessage = (text: string, redisChannel: string): void => {
    const message = parseChange(text);
    if (message) this.#local.deliver(redisChannel.slice(this.#prefix.length), message);
  };
}
