import { LocalNotifier } from "../local-notifier.ts";
import { type ChangeMessage, type Notifier, RESYNC } from "../login-store.ts";
import { connectionLost, FAULT_WINDOW_MS, throughConnectionLoss } from "./connection.ts";
import pg from "./driver.ts";

/** Options of {@link PostgresNotifier}. */
export interface PostgresNotifierOptions {
  /** Where to connect; without it, `pg` reads the PG* variables. */
  connectionString?: string;
  /**
   * The one PostgreSQL channel all messages travel on: lower-case letters, digits and `_`, at most
   * 63 characters. Instances that should hear each other share it. Default `qrlogin`.
   */
  channel?: string;
}

/** What travels in a NOTIFY payload: the qrlogin channel and its message. */
interface Envelope {
  channel: string;
  message: ChangeMessage;
}

/** An envelope as it arrived from another process, or `null` if it is not one. */
function parseEnvelope(text: string | undefined): Envelope | null {
  try {
    const { channel, message } = JSON.parse(text ?? "");
    if (typeof channel !== "string" || typeof message?.requestId !== "string") return null;
    return typeof message.version === "number"
      ? { channel, message: { requestId: message.requestId, version: message.version } }
      : null;
  } catch {
    return null;
  }
}

const MAX_BACKOFF_MS = 10_000;

/**
 * Changes across instances through PostgreSQL LISTEN/NOTIFY. Every qrlogin channel travels in the
 * payload of one fixed PostgreSQL channel, so no name from a request or user id ever becomes an SQL
 * identifier, and a single LISTEN serves them all; each instance fans messages out to its own
 * listeners. It listens on a dedicated connection (a pooled one would be handed to others), and
 * after losing it, reconnects with exponential backoff and listens again while it has listeners.
 * Messages sent while it is away are lost, so listening again delivers {@link RESYNC}.
 * @example const notifier = new PostgresNotifier({ connectionString: process.env.DATABASE_URL })
 */
export class PostgresNotifier implements Notifier {
  readonly #local = new LocalNotifier();
  readonly #connectionString: string | undefined;
  readonly #channel: string;
  /** The connection being opened or open; publish and subscribe wait for it. */
  #connection: Promise<pg.Client> | undefined;
  /** The connection that is listening, once it is. */
  #current: pg.Client | undefined;
  #failures = 0;
  /** Whether a listening connection was lost since the last one listened: the next one resyncs. */
  #lostOne = false;
  #retry: NodeJS.Timeout | undefined;
  #closed = false;

  constructor({ connectionString, channel = "qrlogin" }: PostgresNotifierOptions = {}) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) {
      throw new RangeError("qrlogin: the notifier channel must be a lower-case identifier of at most 63 characters");
    }
    this.#connectionString = connectionString;
    this.#channel = channel;
  }

  async publish(channel: string, { requestId, version }: ChangeMessage): Promise<void> {
    const payload = JSON.stringify({ channel, message: { requestId, version } } satisfies Envelope);
    // A message sent twice costs its listeners one more re-read.
    await throughConnectionLoss(FAULT_WINDOW_MS, async () => {
      const client = await this.#connected();
      try {
        await client.query("SELECT pg_notify($1, $2)", [this.#channel, payload]);
      } catch (error) {
        // The connection may be dead before its "end" event says so; drop it now so the next try opens another.
        if (connectionLost(error)) this.#lost(client);
        throw error;
      }
    });
  }

  async subscribe(channel: string, listener: (message: ChangeMessage) => void): Promise<() => Promise<void>> {
    const stop = await this.#local.subscribe(channel, listener);
    try {
      await this.#connected();
    } catch (error) {
      await stop();
      throw error;
    }
    return stop;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    await this.#local.close();
    const connection = this.#connection;
    this.#connection = undefined;
    this.#current = undefined;
    const client = await connection?.catch(() => undefined);
    await client?.end().catch(() => {});
  }

  #connected(): Promise<pg.Client> {
    if (this.#closed) return Promise.reject(new Error("qrlogin: the notifier is closed"));
    if (!this.#connection) {
      const connection: Promise<pg.Client> = this.#listen().catch((error: unknown) => {
        if (this.#connection === connection) this.#connection = undefined;
        throw error;
      });
      this.#connection = connection;
    }
    return this.#connection;
  }

  async #listen(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.#connectionString });
    // A broken connection emits "error" and then "end"; either one means listening stopped.
    client.on("error", () => this.#lost(client));
    client.on("end", () => this.#lost(client));
    client.on("notification", ({ channel, payload }) => {
      const envelope = channel === this.#channel ? parseEnvelope(payload) : null;
      if (envelope) this.#local.deliver(envelope.channel, envelope.message);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(this.#channel)}`);
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    if (this.#closed) {
      await client.end();
      throw new Error("qrlogin: the notifier is closed");
    }
    this.#current = client;
    this.#failures = 0;
    if (this.#lostOne) {
      this.#lostOne = false;
      this.#local.resync();
    }
    return client;
  }

  #lost(client: pg.Client): void {
    if (client !== this.#current) return;
    this.#current = undefined;
    this.#connection = undefined;
    this.#lostOne = true;
    client.end().catch(() => {});
    this.#reconnectIfListened();
  }

  /** Reconnects in the background only for listeners; with none, the next publish or subscribe connects. */
  #reconnectIfListened(): void {
    if (!this.#closed && this.#local.channelCount > 0) this.#reconnectLater();
  }

  #reconnectLater(): void {
    // Jitter spreads the instances that lost the same server, so they do not all return at once.
    const delay = Math.min(100 * 2 ** this.#failures, MAX_BACKOFF_MS) * (0.5 + Math.random() / 2);
    this.#failures++;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#connected().catch(() => this.#reconnectIfListened());
    }, delay);
    // A pending reconnection alone should not keep the process alive.
    this.#retry.unref();
  }
}
