/** One channel's subscription to changes from outside the process; `ready` once it delivers them. */
export interface Subscription {
  ready: Promise<void>;
}

/**
 * A process's subscriptions to changes from outside it (Redis channels, the cluster primary's
 * relay), one per channel, shared by the channel's local listeners: the first listener's hold
 * `open`s it, the last one's release `close`s it.
 */
export class SharedSubscriptions<S extends Subscription> {
  readonly #held = new Map<string, { subscription: S; listeners: number }>();
  readonly #open: (channel: string) => S;
  readonly #close: (channel: string, subscription: S) => Promise<void> | void;

  constructor(open: (channel: string) => S, close: (channel: string, subscription: S) => Promise<void> | void) {
    this.#open = open;
    this.#close = close;
  }

  /**
   * Holds `channel`'s subscription for one more listener, opening it for the first. Resolves once it
   * is ready with the release, which runs `stopLocal` and, for the last listener, closes it. One that
   * fails to open is forgotten at once, so that the next listener opens another; the holds waiting
   * on it are released and reject with its error.
   */
  async hold(channel: string, stopLocal: () => Promise<void>): Promise<() => Promise<void>> {
    let held = this.#held.get(channel);
    if (!held) {
      const created = { subscription: this.#open(channel), listeners: 0 };
      created.subscription.ready.catch(() => {
        if (this.#held.get(channel) === created) this.#held.delete(channel);
      });
      this.#held.set(channel, created);
      held = created;
    }
    held.listeners++;
    const mine = held;
    let active = true;
    const release = async () => {
      if (!active) return;
      active = false;
      await stopLocal();
      if (--mine.listeners > 0 || this.#held.get(channel) !== mine) return;
      this.#held.delete(channel);
      await this.#close(channel, mine.subscription);
    };
    try {
      await mine.subscription.ready;
    } catch (error) {
      await release();
      throw error;
    }
    return release;
  }

  /** The subscription open for `channel`, if any. */
  get(channel: string): S | undefined {
    return this.#held.get(channel)?.subscription;
  }

  /** Closes every subscription (`close` is false: only forgets them, their connection going too). */
  async closeAll(close = true): Promise<void> {
    const all = [...this.#held];
    this.#held.clear();
    if (close) for (const [channel, { subscription }] of all) await this.#close(channel, subscription);
  }
}
