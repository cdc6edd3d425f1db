import { formatEvent, formatRetry } from "./event-stream.ts";
import type { Heartbeats } from "./heartbeats.ts";
import type { EventSink } from "./outgoing.ts";

/** What every live stream needs from the surrounding handler. */
export interface LiveStreamContext {
  /** Where an open stream gets its heartbeat. */
  heartbeats: Pick<Heartbeats, "add" | "delete">;
  /** The reconnection delay the browser is told, in ms. */
  retryMs: number;
  onError(error: unknown): void;
}

/** Starts calling a listener on every change of what a stream shows; resolves to its stop once listening. */
export type Watch = (listener: () => void) => Promise<() => Promise<void>>;

/** Timers fire a little late rather than early, so a deadline is surely past when they run. */
export const TIMER_MARGIN_MS = 5;

/** What a stream's refresh can do: send, ask to run again later, or end the stream. */
export interface LiveStream {
  readonly closed: boolean;
  send(event: string, data: unknown, id?: number): void;
  /** Runs the refresh again after `ms`, replacing an earlier request. */
  refreshIn(ms: number): void;
  finish(): void;
}

/**
 * One open stream's state. A class rather than closures: thousands of streams stay open at once, and
 * prototype methods cost nothing per stream where each closure costs a function and its context.
 */
class OpenStream implements LiveStream {
  closed = false;
  #timer: NodeJS.Timeout | undefined = undefined;
  #unsubscribe: (() => Promise<void>) | undefined = undefined;
  #queue: Promise<void> = Promise.resolve();

  constructor(
    readonly ctx: LiveStreamContext,
    readonly sink: EventSink,
    readonly refresh: (stream: LiveStream) => Promise<void>,
  ) {}

  /** Once watching: keeps the stop (or stops at once if the client already left), then reads. */
  watching(stop: () => Promise<void>): void {
    if (this.closed) stop().catch(this.ctx.onError);
    else this.#unsubscribe = stop;
    this.schedule();
  }

  /** Queues a refresh after those already queued. */
  schedule(): void {
    this.#queue = this.#queue
      .then(() => (this.closed ? undefined : this.refresh(this)))
      .catch((error) => this.fail(error));
  }

  fail(error: unknown): void {
    this.ctx.onError(error);
    this.finish();
  }

  send(event: string, data: unknown, id?: number): void {
    if (!this.closed && !this.sink.write(formatEvent({ event, data, id }))) this.finish();
  }

  refreshIn(ms: number): void {
    // A refresh still reading the store when the client left must not leave a timer behind.
    if (this.closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(scheduleLater, ms, this);
  }

  /** Stops everything of the stream's own; the client is gone or the stream ended. */
  cleanup(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.#timer);
    this.ctx.heartbeats.delete(this.sink);
    this.#unsubscribe?.().catch(this.ctx.onError);
  }

  finish(): void {
    this.cleanup();
    this.sink.close();
  }
}

/** A timer's callback with the stream as its argument, so that no closure is made per timer. */
function scheduleLater(stream: OpenStream): void {
  stream.schedule();
}

/**
 * An event stream that re-reads the store on every change `watch` reports (and when asked to),
 * never on the message's word alone. Watching starts before the first read, so no change falls
 * between them; refreshes run one at a time, in order; a failing store ends the stream and the
 * browser reconnects (with `retry`), starting again from the stored state.
 */
export function liveStream(
  ctx: LiveStreamContext,
  watch: Watch,
  refresh: (stream: LiveStream) => Promise<void>,
): (sink: EventSink) => () => void {
  return (sink) => {
    const stream = new OpenStream(ctx, sink, refresh);
    sink.write(formatRetry(ctx.retryMs));
    ctx.heartbeats.add(sink);
    watch(stream.schedule.bind(stream)).then(stream.watching.bind(stream), stream.fail.bind(stream));
    return stream.cleanup.bind(stream);
  };
}
