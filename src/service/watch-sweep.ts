import type { LoginStore } from "../store/login-store.ts";

/** How often each watched request is checked for a change no message told of, in ms, by default. */
export const WATCH_SWEEP_MS = 5_000;

/** At most this many ids or changes per store query: short enough not to hold up the event loop. */
const BATCH = 500;

/** The slices of the interval when every id's version is asked: each id is in one, each slice checked in turn. */
const SLICES = 40;

/** What the sweep reads: the versions of requests, and the store's feed of changes where it has one. */
export type SweptStore = Pick<LoginStore, "versions" | "changesAfter">;

/** One listener of a watched request, and what it has seen of it. */
interface Watcher {
  listener: () => void;
  /** The version the listener last read (or was given to start from). */
  seen: () => number;
}

/** Lets timers and I/O run between two store queries of one step. */
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The per-process safety net under the notifier: a listener whose message was lost (a notifier
 * outage, a dropped publish) still hears of its request's change within `intervalMs`, and only the
 * listeners whose request moved past the version they saw (or is gone) are woken. {@link WatchSweep.over}
 * picks how: from the store's feed of changes where it has one, else from every watched id's
 * version. Idle when nothing is watched; its timer never keeps the process alive.
 */
export abstract class WatchSweep {
  readonly #versions: (ids: string[]) => Promise<Map<string, number>>;
  readonly #intervalMs: number;
  readonly #stepMs: number;
  readonly #onError: (error: unknown) => void;
  readonly #watched = new Map<string, Set<Watcher>>();
  /** When the next step is due (on the clock of `performance.now()`). */
  #nextAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #stepping = false;
  #closed = false;

  /** The sweep for `store`: a {@link FeedSweep} if it has a feed of changes, else a {@link VersionSweep}. */
  static over(store: SweptStore, intervalMs: number, onError: (error: unknown) => void): WatchSweep {
    const { changesAfter } = store;
    const versions = (ids: string[]) => store.versions(ids);
    return changesAfter
      ? new FeedSweep(versions, (cursor, limit) => changesAfter.call(store, cursor, limit), intervalMs, onError)
      : new VersionSweep(versions, intervalMs, onError);
  }

  /** Steps `stepsPerInterval` times each `intervalMs`. */
  protected constructor(
    versions: (ids: string[]) => Promise<Map<string, number>>,
    intervalMs: number,
    stepsPerInterval: number,
    onError: (error: unknown) => void,
  ) {
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
      throw new RangeError("qrlogin: watchSweepMs must be a positive number of milliseconds");
    }
    this.#versions = versions;
    this.#intervalMs = intervalMs;
    this.#stepMs = intervalMs / stepsPerInterval;
    this.#onError = onError;
  }

  /** How many requests are watched. */
  get size(): number {
    return this.#watched.size;
  }

  /** Checks request `id` for `listener` until the returned function is called. */
  add(id: string, listener: () => void, seen: () => number): () => void {
    const watcher = { listener, seen };
    let watchers = this.#watched.get(id);
    if (!watchers) {
      watchers = new Set();
      this.#watched.set(id, watchers);
      this.watched(id);
    }
    const entry = watchers;
    entry.add(watcher);
    if (!this.#timer && !this.#stepping) {
      this.#nextAt = performance.now();
      this.#schedule();
    }
    return () => {
      entry.delete(watcher);
      if (entry.size > 0 || this.#watched.get(id) !== entry) return;
      this.#watched.delete(id);
      this.unwatched(id);
    };
  }

  /** Request `id` has its first watcher. */
  protected abstract watched(id: string): void;
  /** Request `id` lost its last watcher. */
  protected abstract unwatched(id: string): void;
  /** Nothing is watched any more: the sweep stops until something is. */
  protected abstract idle(): void;
  /** One step; the next is due one step of the interval after this one was. */
  protected abstract step(): Promise<void>;

  /** Every watched id. */
  protected watchedIds(): string[] {
    return [...this.#watched.keys()];
  }

  /** Whether request `id` has a watcher. */
  protected isWatched(id: string): boolean {
    return this.#watched.has(id);
  }

  /** Wakes the listeners of `id` that saw less than `version`, or all of them when it is `undefined` (gone). */
  protected wake(id: string, version: number | undefined): void {
    for (const watcher of this.#watched.get(id) ?? []) {
      if (version === undefined || version > watcher.seen()) watcher.listener();
    }
  }

  /** Asks the versions of `ids`, at most 500 a query, and wakes the listeners whose request moved or went. */
  protected async check(ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += BATCH) {
      if (i > 0) await yieldToLoop();
      const batch = ids.slice(i, i + BATCH);
      const versions = await this.#versions(batch);
      for (const id of batch) this.wake(id, versions.get(id));
    }
  }

  /** Stops sweeping for good: the store is about to close, and a step then would only log its error. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Plans the next step one step after the last one was due, so no delay piles up. */
  #schedule(): void {
    if (this.#closed) return;
    if (this.#watched.size === 0) {
      this.idle();
      return;
    }
    this.#nextAt += this.#stepMs;
    this.#timer = setTimeout(() => void this.#run(), Math.max(0, this.#nextAt - performance.now()));
    this.#timer.unref();
  }

  async #run(): Promise<void> {
    this.#timer = undefined;
    this.#stepping = true;
    try {
      await this.step();
    } catch (error) {
      // The next step tries again; meanwhile messages still come.
      this.#onError(error);
    } finally {
      this.#stepping = false;
      // Late by more than a round (a store that hung): start again from now rather than rush.
      if (performance.now() - this.#nextAt > this.#intervalMs) this.#nextAt = performance.now();
      this.#schedule();
    }
  }
}

/**
 * The sweep over a store without a feed: each watched id is put in the least full of 40 slices of
 * the interval, and the sweep asks the versions of one slice after the other, so that each id is
 * checked once per interval, the first time within one interval of being watched, and the load stays
 * even however the ids arrive (a crowd of desktops reconnecting at once included). Its cost grows
 * with the ids watched: 20,000 are 8 queries a second.
 */
export class VersionSweep extends WatchSweep {
  readonly #slices: Set<string>[] = Array.from({ length: SLICES }, () => new Set());
  /** The slice the next step checks. */
  #next = 0;

  constructor(
    versions: (ids: string[]) => Promise<Map<string, number>>,
    intervalMs: number,
    onError: (error: unknown) => void,
  ) {
    super(versions, intervalMs, SLICES, onError);
  }

  protected watched(id: string): void {
    let emptiest = 0;
    for (let i = 1; i < SLICES; i++) {
      if ((this.#slices[i]?.size ?? 0) < (this.#slices[emptiest]?.size ?? 0)) emptiest = i;
    }
    this.#slices[emptiest]?.add(id);
  }

  protected unwatched(id: string): void {
    for (const slice of this.#slices) if (slice.delete(id)) return;
  }

  protected idle(): void {}

  protected step(): Promise<void> {
    const ids = [...(this.#slices[this.#next] ?? [])];
    this.#next = (this.#next + 1) % SLICES;
    return this.check(ids);
  }
}

/**
 * The sweep over a store with a feed of changes ({@link LoginStore.changesAfter}): once per interval
 * it reads what changed since its cursor and wakes the listeners of those ids, so an idle process
 * costs one query an interval however many it watches. A newly watched id is checked once by version
 * after the read that follows it, for what changed before the cursor could tell; and every watched
 * id is, should the store say it forgot changes this process had not read yet (a process stalled
 * longer than the store keeps them). Each process keeps its own cursor, forgotten while it watches
 * nothing.
 */
export class FeedSweep extends WatchSweep {
  readonly #changesAfter: NonNullable<LoginStore["changesAfter"]>;
  /** Ids watched since the last read of the feed: checked once by version. */
  readonly #unchecked = new Set<string>();
  #cursor: number | null = null;

  constructor(
    versions: (ids: string[]) => Promise<Map<string, number>>,
    changesAfter: NonNullable<LoginStore["changesAfter"]>,
    intervalMs: number,
    onError: (error: unknown) => void,
  ) {
    super(versions, intervalMs, 1, onError);
    this.#changesAfter = changesAfter;
  }

  protected watched(id: string): void {
    this.#unchecked.add(id);
  }

  protected unwatched(id: string): void {
    this.#unchecked.delete(id);
  }

  protected idle(): void {
    this.#cursor = null;
  }

  protected async step(): Promise<void> {
    // Taken before the read: what changed before it is the version's to tell, what after, the feed's.
    let unchecked = [...this.#unchecked];
    this.#unchecked.clear();
    try {
      for (;;) {
        const read = await this.#changesAfter(this.#cursor, BATCH);
        if (!read.complete) unchecked = this.watchedIds();
        this.#cursor = read.cursor;
        // A request changed twice in one read wakes its listeners once, for its last version.
        const latest = new Map<string, number>();
        for (const { requestId, version } of read.changes)
          if (this.isWatched(requestId)) latest.set(requestId, version);
        for (const [id, version] of latest) this.wake(id, version);
        if (read.changes.length < BATCH) break;
        await yieldToLoop();
      }
      await this.check(unchecked);
    } catch (error) {
      for (const id of unchecked) if (this.isWatched(id)) this.#unchecked.add(id);
      throw error;
    }
  }
}
