/** How often each watched request is checked for a change no message told of, in ms, by default. */
export const WATCH_SWEEP_MS = 5_000;

/** At most this many ids per store query: one step of the sweep, short enough not to hold up the event loop. */
const BATCH = 500;

/** One listener of a watched request, and what it has seen of it. */
interface Watcher {
  listener: () => void;
  /** The version the listener last read (or was given to start from). */
  seen: () => number;
}

/**
 * The per-process safety net under the notifier: a listener whose message was lost (a notifier
 * outage, a dropped publish) still hears of its request's change within `intervalMs`. The sweep
 * cycles through the watched ids in the order they were first watched, asking the store for the
 * versions of at most 500 at a time, its steps spread evenly over the interval so that each id is
 * checked once per interval; it wakes only the listeners whose request moved past the version they
 * saw, or is gone. Ids watched during a cycle join its end, so that their first check also comes
 * within the interval. Idle when nothing is watched; its timer never keeps the process alive.
 */
export class WatchSweep {
  readonly #versions: (ids: string[]) => Promise<Map<string, number>>;
  readonly #intervalMs: number;
  readonly #onError: (error: unknown) => void;
  readonly #watched = new Map<string, Set<Watcher>>();
  /** The ids of the running cycle still to check: a live view, which sees ids added meanwhile. */
  #cycle: Iterator<string> | undefined;
  #cycleStart = Number.NEGATIVE_INFINITY;
  /** How many ids the running cycle has checked. */
  #checked = 0;
  #timer: NodeJS.Timeout | undefined;
  #stepping = false;

  constructor(
    versions: (ids: string[]) => Promise<Map<string, number>>,
    intervalMs: number,
    onError: (error: unknown) => void,
  ) {
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
      throw new RangeError("qrlogin: watchSweepMs must be a positive number of milliseconds");
    }
    this.#versions = versions;
    this.#intervalMs = intervalMs;
    this.#onError = onError;
  }

  /** How many requests are watched. */
  get size(): number {
    return this.#watched.size;
  }

  /** Checks request `id` for `listener` until the returned function is called. */
  add(id: string, listener: () => void, seen: () => number): () => void {
    const watcher = { listener, seen };
    const watchers = this.#watched.get(id) ?? new Set();
    watchers.add(watcher);
    this.#watched.set(id, watchers);
    if (!this.#timer && !this.#stepping) this.#schedule(performance.now());
    return () => {
      watchers.delete(watcher);
      if (watchers.size === 0 && this.#watched.get(id) === watchers) this.#watched.delete(id);
    };
  }

  /** Plans the next step: on the cycle's schedule, or one interval on when a new cycle begins. */
  #schedule(now: number): void {
    if (this.#watched.size === 0) {
      this.#cycle = undefined;
      this.#cycleStart = Number.NEGATIVE_INFINITY;
      return;
    }
    if (!this.#cycle) {
      // A new cycle begins one interval after the last one did (or now, when idle or late).
      this.#cycleStart = Math.max(this.#cycleStart + this.#intervalMs, now);
      this.#cycle = this.#watched.keys();
      this.#checked = 0;
    }
    // Each step runs at the end of its share of the interval, so an id is checked an interval after
    // the cycle began, and as long after that in the next: never more than one interval apart.
    const size = this.#watched.size;
    const due = this.#cycleStart + (this.#intervalMs * Math.min(this.#checked + BATCH, size)) / size;
    this.#timer = setTimeout(() => void this.#step(), Math.max(0, due - now));
    this.#timer.unref();
  }

  async #step(): Promise<void> {
    this.#timer = undefined;
    this.#stepping = true;
    const ids: string[] = [];
    while (this.#cycle && ids.length < BATCH) {
      const next = this.#cycle.next();
      if (next.done) this.#cycle = undefined;
      else ids.push(next.value);
    }
    this.#checked += ids.length;
    try {
      if (ids.length > 0) this.#wake(ids, await this.#versions(ids));
    } catch (error) {
      // The next cycle tries these ids again; meanwhile their messages still come.
      this.#onError(error);
    } finally {
      this.#stepping = false;
      this.#schedule(performance.now());
    }
  }

  #wake(ids: string[], versions: Map<string, number>): void {
    for (const id of ids) {
      const version = versions.get(id);
      for (const watcher of this.#watched.get(id) ?? []) {
        if (version === undefined || version > watcher.seen()) watcher.listener();
      }
    }
  }
}
