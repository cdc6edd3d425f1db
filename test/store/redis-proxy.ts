// A node-redis client in the middle, for tests that need to see what the store sends on which
// connection, change what Redis answers, or lose a reply after Redis ran the command.
import { createClient, SocketClosedUnexpectedlyError } from "redis";
import type { PubSubListener, RedisClient } from "../../src/store/redis/client.ts";

/** One command as sent: on which connection (`main`, then `main'` for its duplicate, …) and what. */
export interface Sent {
  connection: string;
  args: string[];
}

/**
 * What a test does with a command: `undefined` to send it on as it is, or the answer to give
 * instead (its rejection too). `run` sends it to Redis, for answers made from the real one.
 */
export type Interceptor = (
  args: string[],
  run: () => Promise<unknown>,
  connection: string,
) => Promise<unknown> | undefined;

/** A client that sends everything to a real Redis at `url` through `intercept`, keeping a log of it in `sent`. */
export class ProxyClient implements RedisClient {
  readonly #real: RedisClient;
  readonly url: string;

  constructor(
    url: string,
    readonly sent: Sent[] = [],
    public intercept: Interceptor = () => undefined,
    readonly connection = "main",
    real?: RedisClient,
  ) {
    this.#real = real ?? createClient({ url });
    this.#real.on("error", () => {});
    this.url = url;
  }

  get isOpen(): boolean {
    return this.#real.isOpen;
  }

  connect(): Promise<unknown> {
    return this.#real.connect();
  }

  close(): Promise<void> {
    return this.#real.close();
  }

  on(event: string, listener: (...args: unknown[]) => void): unknown {
    return this.#real.on(event, listener);
  }

  sendCommand(args: string[]): Promise<unknown> {
    this.sent.push({ connection: this.connection, args });
    const run = () => this.#real.sendCommand(args);
    return this.intercept(args, run, this.connection) ?? run();
  }

  duplicate(): RedisClient {
    // A duplicate shares the log and this client's interceptor (as it is when called), so that a test
    // sees and steers every connection the store opens.
    const intercept: Interceptor = (...args) => this.intercept(...args);
    return new ProxyClient(this.url, this.sent, intercept, `${this.connection}'`, this.#real.duplicate());
  }

  subscribe(channel: string, listener: PubSubListener): Promise<unknown> {
    return this.#real.subscribe(channel, listener);
  }

  unsubscribe(channel: string, listener: PubSubListener): Promise<unknown> {
    return this.#real.unsubscribe(channel, listener);
  }
}

/** Runs the command on Redis, then throws as if the connection had dropped before the reply came. */
export async function replyLost(run: () => Promise<unknown>): Promise<never> {
  await run();
  throw new SocketClosedUnexpectedlyError();
}
