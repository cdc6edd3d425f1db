import { type ChangeMessage, type Notifier, RESYNC } from "./login-store.ts";

/**
 * Publish/subscribe inside one process: enough for a single instance, and the base of the
 * cross-instance notifiers, which fan a message out locally once it arrives.
 */
export class LocalNotifier implements Notifier {
  readonly #listeners = new Map<string, Set<(message: ChangeMessage) => void>>();

  async publish(channel: string, message: ChangeMessage): Promise<void> {
    this.deliver(channel, message);
  }

  /** Hands a message to this process's listeners of `channel`; a throwing listener does not stop the others. */
  deliver(channel: string, message: ChangeMessage): void {
    for (const listener of this.#listeners.get(channel) ?? []) {
      try {
        listener(message);
      } catch {
        // A listener's failure is its own; the others must still hear of the change.
      }
    }
  }

  /** Hands {@link RESYNC} to every listener of every channel: messages may have been lost. */
  resync(): void {
    for (const channel of [...this.#listeners.keys()]) this.deliver(channel, RESYNC);
  }

  async subscribe(channel: string, listener: (message: ChangeMessage) => void): Promise<() => Promise<void>> {
    const set = this.#listeners.get(channel) ?? new Set();
    this.#listeners.set(channel, set);
    set.add(listener);
    return async () => {
      set.delete(listener);
      if (set.size === 0 && this.#listeners.get(channel) === set) this.#listeners.delete(channel);
    };
  }

  /** How many channels have listeners here (for tests and metrics). */
  get channelCount(): number {
    return this.#listeners.size;
  }

  async close(): Promise<void> {
    this.#listeners.clear();
  }
}
