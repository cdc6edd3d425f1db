import { LocalNotifier } from "./local-notifier.ts";
import { type ChangeMessage, type Notifier, RESYNC } from "./login-store.ts";
import { SharedSubscriptions } from "./shared-subscriptions.ts";

/** One end of a parent–child IPC channel: a cluster worker's `process`, or the primary's `Worker`. */
export interface IpcEndpoint {
  /** With a callback, a closed channel is reported to it rather than thrown or emitted as `error`. */
  send(message: unknown, callback: (error: Error | null) => void): unknown;
  on(event: "message", listener: (message: unknown) => void): unknown;
  off(event: "message", listener: (message: unknown) => void): unknown;
}

/** A change as it crosses the IPC channel; `qrlogin` tells it apart from a host's own messages. */
export interface IpcChange {
  qrlogin: "change";
  channel: string;
  message: ChangeMessage;
}

/** A worker asks the primary for a channel's changes; the primary answers {@link IpcWatching} with the same `ask`. */
interface IpcWatch {
  qrlogin: "watch";
  channel: string;
  ask: number;
}

/** The primary tells a worker that it now relays the channel of its `ask`. */
interface IpcWatching {
  qrlogin: "watching";
  ask: number;
}

/** A worker no longer needs a channel's changes. */
interface IpcUnwatch {
  qrlogin: "unwatch";
  channel: string;
}

/** Whether an IPC message is one of {@link IpcNotifier}'s changes (anything else is left to its owner). */
export function isIpcChange(value: unknown): value is IpcChange {
  const change = value as Partial<IpcChange> | null;
  return (
    typeof change === "object" &&
    change !== null &&
    change.qrlogin === "change" &&
    typeof change.channel === "string" &&
    typeof change.message?.requestId === "string" &&
    typeof change.message?.version === "number"
  );
}

/** The `qrlogin` tag of an IPC message, if it has one (hosts' own messages have none). */
function tagOf(value: unknown): unknown {
  return typeof value === "object" && value !== null ? (value as { qrlogin?: unknown }).qrlogin : undefined;
}

function isWatch(value: unknown): value is IpcWatch {
  const watch = value as Partial<IpcWatch>;
  return tagOf(value) === "watch" && typeof watch.channel === "string" && typeof watch.ask === "number";
}

function isUnwatch(value: unknown): value is IpcUnwatch {
  return tagOf(value) === "unwatch" && typeof (value as Partial<IpcUnwatch>).channel === "string";
}

const ignore = () => {};

/**
 * How long a subscription waits for the primary to say it relays the channel. A primary that does
 * not run {@link IpcRelay} never answers; the stream then opens anyway and hears of other workers'
 * changes only from its store re-reads. An answer that comes later delivers {@link RESYNC}.
 */
const WATCH_ANSWER_MS = 2_000;

/** Asks are numbered per process: every notifier of the process hears every answer, and takes only its own. */
let lastAsk = 0;

/**
 * Changes across the worker processes of one machine (node:cluster) that share a SQLite file: a
 * publish is delivered here at once and sent to the primary, which hands it on to the workers that
 * watch its channel ({@link IpcRelay}); a channel is watched from its first listener here to its
 * last. A worker that dies loses its streams with it, and its desktops reconnect to the stored
 * state, so nothing is lost for long. If the primary is gone, publishes stay local.
 * @example const notifier = new IpcNotifier(); // in a cluster worker
 */
export class IpcNotifier implements Notifier {
  readonly #local = new LocalNotifier();
  readonly #endpoint: IpcEndpoint;
  /** Per channel, our watch's `ask` and the primary's answer to it, shared by the local listeners. */
  readonly #watched = new SharedSubscriptions(
    (channel) => {
      const ask = ++lastAsk;
      return { ask, ready: this.#watch(channel, ask) };
    },
    (channel, { ask }) => this.#unwatch(channel, ask),
  );
  /** What to do when the primary answers an `ask`, while the answer is still of use. */
  readonly #asked = new Map<number, () => void>();
  #closed = false;

  /** `endpoint` defaults to this process's channel to the primary. */
  constructor(endpoint: IpcEndpoint = process as unknown as IpcEndpoint) {
    if (endpoint === (process as unknown) && typeof process.send !== "function") {
      throw new TypeError("qrlogin: IpcNotifier needs an IPC channel to a parent (a cluster worker's)");
    }
    this.#endpoint = endpoint;
    endpoint.on("message", this.#onMessage);
  }

  async publish(channel: string, message: ChangeMessage): Promise<void> {
    const { requestId, version } = message;
    this.#local.deliver(channel, { requestId, version });
    const change: IpcChange = { qrlogin: "change", channel, message: { requestId, version } };
    // A closed channel means the primary is gone, and the other workers with it.
    this.#endpoint.send(change, ignore);
  }

  /** Resolves once the primary relays the channel here, so that no change committed after it is missed. */
  async subscribe(channel: string, listener: (message: ChangeMessage) => void): Promise<() => Promise<void>> {
    const stopLocal = await this.#local.subscribe(channel, listener);
    if (this.#closed) return stopLocal;
    return this.#watched.hold(channel, stopLocal);
  }

  /** Stops relaying to this notifier: the primary forgets its watches, and later subscriptions stay local. */
  async close(): Promise<void> {
    this.#closed = true;
    const waiting = [...this.#asked.values()];
    await this.#watched.closeAll();
    for (const answered of waiting) answered();
    this.#endpoint.off("message", this.#onMessage);
    await this.#local.close();
  }

  #unwatch(channel: string, ask: number): void {
    this.#asked.delete(ask);
    const unwatch: IpcUnwatch = { qrlogin: "unwatch", channel };
    this.#endpoint.send(unwatch, ignore);
  }

  #watch(channel: string, ask: number): Promise<void> {
    return new Promise<void>((resolve) => {
      // Late, the listeners may have missed changes meanwhile: they re-read once the primary relays.
      const timer = setTimeout(() => {
        resolve();
        if (this.#watched.get(channel)?.ask !== ask) return;
        this.#asked.set(ask, () => {
          this.#asked.delete(ask);
          if (!this.#closed) this.#local.deliver(channel, RESYNC);
        });
      }, WATCH_ANSWER_MS);
      const answered = () => {
        clearTimeout(timer);
        this.#asked.delete(ask);
        resolve();
      };
      this.#asked.set(ask, answered);
      const watch: IpcWatch = { qrlogin: "watch", channel, ask };
      // With the primary gone there are no other workers to hear from: local delivery is all there is.
      this.#endpoint.send(watch, (error) => {
        if (error) answered();
      });
    });
  }

  readonly #onMessage = (value: unknown): void => {
    if (isIpcChange(value)) this.#local.deliver(value.channel, value.message);
    else if (tagOf(value) === "watching") this.#asked.get((value as IpcWatching).ask)?.();
  };
}

/**
 * The primary's half of {@link IpcNotifier}: it keeps which workers watch which channel, and hands a
 * change from one worker to the others that watch its channel, and to no one else. Most channels
 * (one desktop's request) have one watcher, kept without a list.
 * @example
 * const relay = new IpcRelay();
 * cluster.on("message", (worker, message) => relay.handle(worker, message));
 * cluster.on("exit", (worker) => relay.forget(worker));
 */
export class IpcRelay {
  /** Per channel, its watcher, or one entry per watch (a worker may run several notifiers). */
  readonly #watchers = new Map<string, IpcEndpoint | IpcEndpoint[]>();
  /** Workers forgotten: a watch of theirs still on its way is dropped. */
  readonly #gone = new WeakSet<IpcEndpoint>();

  /** Handles one of {@link IpcNotifier}'s messages `from` a worker; returns false for anything else, the host's to handle. */
  handle(from: IpcEndpoint, value: unknown): boolean {
    if (isIpcChange(value)) {
      const watchers = this.#watchers.get(value.channel);
      // A worker that is exiting cannot hear it, and needs not: its streams end with it.
      if (Array.isArray(watchers)) {
        for (const worker of new Set(watchers)) if (worker !== from) worker.send(value, ignore);
      } else if (watchers !== undefined && watchers !== from) watchers.send(value, ignore);
      return true;
    }
    if (isWatch(value)) {
      this.#add(value.channel, from);
      const answer: IpcWatching = { qrlogin: "watching", ask: value.ask };
      from.send(answer, ignore);
      return true;
    }
    if (isUnwatch(value)) {
      this.#remove(value.channel, from);
      return true;
    }
    return false;
  }

  /** Drops every watch of a worker that has ended, and any of its watches that arrive later. */
  forget(worker: IpcEndpoint): void {
    this.#gone.add(worker);
    for (const [channel, watchers] of [...this.#watchers]) {
      if (watchers === worker) this.#watchers.delete(channel);
      else if (Array.isArray(watchers)) {
        const left = watchers.filter((watcher) => watcher !== worker);
        this.#watchers.set(channel, left.length === 1 ? (left[0] as IpcEndpoint) : left);
        if (left.length === 0) this.#watchers.delete(channel);
      }
    }
  }

  /** How many channels some worker watches (for tests and metrics). */
  get channelCount(): number {
    return this.#watchers.size;
  }

  #add(channel: string, worker: IpcEndpoint): void {
    if (this.#gone.has(worker)) return;
    const watchers = this.#watchers.get(channel);
    if (watchers === undefined) this.#watchers.set(channel, worker);
    else if (Array.isArray(watchers)) watchers.push(worker);
    else this.#watchers.set(channel, [watchers, worker]);
  }

  /** Drops one watch of `worker`. */
  #remove(channel: string, worker: IpcEndpoint): void {
    const watchers = this.#watchers.get(channel);
    if (watchers === worker) this.#watchers.delete(channel);
    else if (Array.isArray(watchers)) {
      const at = watchers.indexOf(worker);
      if (at >= 0) watchers.splice(at, 1);
      if (watchers.length === 1) this.#watchers.set(channel, watchers[0] as IpcEndpoint);
    }
  }
}
