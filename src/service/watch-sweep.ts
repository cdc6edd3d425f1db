/** How often each watched request is checked for a change no message told of, in ms, by default. */
export const WATCH_SWEEP_MS = 5_000;

/** At most this many ids per store query: one step of the sweep, short enough not to hold up the event loop. */
const BATCH = 500;

/** The interval's slices: each watched id belongs to one, and each slice is checked in turn. */
const SLICES = 40;

/** One listener of a watched request, and what it has seen of it. */
interface Watcher {
  listener: () => void;
  /** The version the listener last read (or was given to start from). */
  seen: () => number;
}

/** A watched request: the slice it is checked in and its listeners. */
interface Watched {
  slice: number;
  watchers: Set<Watcher>;
}

/**
 * The per-process safety net under the notifier: a listener whose message was lost (a notifier
 * outage, a dropped publish) still hears of its request's change within `intervalMs`. Each watched
 * id is put in the least full of 40 slices of the interval, and the sweep checks one slice after the
 * other — asking the store for the versions of at most 500 ids a query — so that each id is checked
 * once per interval, the first time within one interval of being watched, and the load stays even
 * however the ids arrive (a crowd of desktops reconnecting at once included). It wakes only the
 * listeners whose request moved past the version they saw, or is gone. Idle when nothing is
 * watched; its timer never keeps the process alive.
 */
export class WatchSweep {
  readonly #versions: (ids: string[]) => Promise<Map<string, number>>;
  readonly #intervalMs: number;
  readonly #onError: (error: unknown) => void;
  readonly #watched = new Map<string, Watched>();
  readonly #slices: Set<string>[] = Array.from({ length: SLICES }, () => new Set());
  /** The slice the next step checks, and when it is due (on the clock of `performance.now()`). */
  #next = 0;
  #nextAt = 0;
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
    let watched = this.#watched.get(id);
    if (!watched) {
      watched = { slice: this.#emptiest(), watchers: new Set() };
      this.#slices[watched.slice]?.add(id);
      this.#watched.set(id, watched);
    }
    const entry = watched;
    entry.watchers.add(watcher);
    if (!this.#timer && !this.#stepping) {
      this.#nextAt = performance.now();
      this.#schedule();
    }
    return () => {
      entry.watchers.delete(watcher);
      if (entry.watchers.size > 0 || this.#watched.get(id) !== entry) return;
      this.#watched.delete(id);
      this.#slices[entry.slice]?.delete(id);
    };
  }

  /** The slice with the fewest ids. */
  #emptiest(): number {
    let emptiest = 0;
    for (let i = 1; i < SLICES; i++) {
      if ((this.#slices[i]?.size ?? 0) < (this.#slices[emptiest]?.size ?? 0)) emptiest = i;
    }
    return emptiest;
  }

  /** Plans the next step one slice of the interval after the last one was due, so no delay piles up. */
  #schedule(): void {
    if (this.#watched.size === 0) return;
    this.#nextAt += this.#intervalMs / SLICES;
    this.#timer = setTimeout(() => void this.#step(), Math.max(0, this.#nextAt - performance.now()));
    this.#timer.unref();
  }

  async #step(): Promise<void> {
    this.#timer = undefined;
    this.#stepping = true;
    const ids = [...(this.#slices[this.#next] ?? [])];
    this.#next = (this.#next + 1) % SLICES;
    try {
      for (let i = 0; i < ids.length; i += BATCH) {
        const batch = ids.slice(i, i + BATCH);
        this.#wake(batch, await this.#versions(batch));
      }
    } catch (error) {
      // The next round tries these ids again; meanwhile their messages still come.
      this.#onError(error);
    } finally {
      this.#stepping = false;
      // Late by more than a round (a store that hung): start again from now rather than rush.
      if (performance.now() - this.#nextAt > this.#intervalMs) this.#nextAt = performance.now();
      this.#schedule();
    }
  }

  #wake(ids: string[], versions: Map<string, number>): void {
    for (const id of ids) {
      const version = versions.get(id);
      for (const watcher of this.#watched.get(id)?.watchers ?? []) {
        if (version === undefined || version > watcher.seen()) watcher.listener();
      }
    }
  }
}
