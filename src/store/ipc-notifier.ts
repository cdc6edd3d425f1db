import { LocalNotifier } from "./local-notifier.ts";
import type { ChangeMessage, Notifier } from "./login-store.ts";

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

const ignore = () => {};

/**
 * Changes across the worker processes of one machine (node:cluster) that share a SQLite file: a
 * publish is delivered here at once and sent to the primary, which hands it to every other worker
 * ({@link relayIpcChanges}). A worker that dies loses its streams with it, and its desktops reconnect
 * to the stored state, so nothing is lost for long. If the primary is gone, publishes stay local.
 * @example const notifier = new IpcNotifier(); // in a cluster worker
 */
export class IpcNotifier implements Notifier {
  readonly #local = new LocalNotifier();
  readonly #endpoint: IpcEndpoint;

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

  subscribe(channel: string, listener: (message: ChangeMessage) => void): Promise<() => Promise<void>> {
    return this.#local.subscribe(channel, listener);
  }

  async close(): Promise<void> {
    this.#endpoint.off("message", this.#onMessage);
    await this.#local.close();
  }

  readonly #onMessage = (value: unknown): void => {
    if (isIpcChange(value)) this.#local.deliver(value.channel, value.message);
  };
}

/**
 * The primary's half of {@link IpcNotifier}: a change `from` one worker goes to every other of
 * `workers()`. Returns whether `value` was a change (and so handled).
 * @example cluster.on("message", (worker, value) => relayIpcChanges(worker, value, () => Object.values(cluster.workers ?? {})));
 */
export function relayIpcChanges(
  from: IpcEndpoint,
  value: unknown,
  workers: () => Iterable<IpcEndpoint | undefined>,
): boolean {
  if (!isIpcChange(value)) return false;
  for (const worker of workers()) {
    if (worker === undefined || worker === from) continue;
    // A worker that is exiting cannot hear it, and needs not: its streams end with it.
    worker.send(value, ignore);
  }
  return true;
}
