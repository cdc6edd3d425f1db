import { HEARTBEAT } from "./event-stream.ts";
import type { EventSink } from "./outgoing.ts";

/**
 * How often the process wakes to send a slice of the streams their heartbeat. A wake costs more than
 * its writes: on a 2-core VM an idle server process waking ten times a second used 7 ms of CPU a
 * second, once a second 3 ms; 100,000 streams on 6 workers went from 13.9 % of a core to 4.9–7.8 %
 * (four runs).
 */
const TICK_MS = 1_000;
/**
 * Heartbeats written in one go before the rest of the slice waits for the loop's next turn: a write
 * costs ~10–20 µs over loopback, so a chunk holds up an approval ~1 ms (1,062 heartbeats written in
 * one go once held a loop up 17 ms).
 */
const CHUNK = 64;

/**
 * The open event streams of this instance, each sent a heartbeat comment every `intervalMs`. The
 * streams are dealt over as many slices as ticks of {@link TICK_MS} fit in the interval; each tick
 * writes one slice, {@link CHUNK} streams per turn of the event loop.
 */
export class Heartbeats {
  readonly #slices: Set<EventSink>[];
  /** Each stream's slice. */
  readonly #sliceOf = new Map<EventSink, Set<EventSink>>();
  readonly #timer: NodeJS.Timeout;
  #nextSlice = 0;
  #tick = 0;

  constructor(intervalMs: number) {
    const count = Math.max(1, Math.floor(intervalMs / TICK_MS));
    this.#slices = Array.from({ length: count }, () => new Set<EventSink>());
    this.#timer = setInterval(() => this.#beat(), intervalMs / count);
    this.#timer.unref();
  }

  /** Starts sending `sink` heartbeats. */
  add(sink: EventSink): void {
    const slice = this.#slices[this.#nextSlice++ % this.#slices.length] as Set<EventSink>;
    slice.add(sink);
    this.#sliceOf.set(sink, slice);
  }

  /** Stops sending `sink` heartbeats. */
  delete(sink: EventSink): void {
    this.#sliceOf.get(sink)?.delete(sink);
    this.#sliceOf.delete(sink);
  }

  /** Stops the timer and ends every stream. */
  close(): void {
    clearInterval(this.#timer);
    for (const sink of this.#sliceOf.keys()) sink.close();
    for (const slice of this.#slices) slice.clear();
    this.#sliceOf.clear();
  }

  #beat(): void {
    this.#write((this.#slices[this.#tick] as Set<EventSink>).values());
    this.#tick = (this.#tick + 1) % this.#slices.length;
  }

  /**
   * Writes the next chunk of a slice. A Set's iterator is live: it skips streams deleted meanwhile,
   * and ends once `close` has cleared the slice.
   */
  #write(streams: IterableIterator<EventSink>): void {
    for (let written = 0; written < CHUNK; written++) {
      const next = streams.next();
      if (next.done) return;
      next.value.write(HEARTBEAT);
    }
    setImmediate(() => this.#write(streams)).unref();
  }
}
