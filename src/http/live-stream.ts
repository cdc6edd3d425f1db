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
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    let unsubscribe: (() => Promise<void>) | undefined;
    let queue = Promise.resolve();

    const cleanup = () => {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      ctx.heartbeats.delete(sink);
      unsubscribe?.().catch(ctx.onError);
    };
    const finish = () => {
      cleanup();
      sink.close();
    };
    const schedule = () => {
      queue = queue
        .then(() => (closed ? undefined : refresh(stream)))
        .catch((error) => {
          ctx.onError(error);
          finish();
        });
    };
    const stream: LiveStream = {
      get closed() {
        return closed;
      },
      send(event, data, id) {
        if (!closed && !sink.write(formatEvent({ event, data, id }))) finish();
      },
      refreshIn(ms) {
        // A refresh still reading the store when the client left must not leave a timer behind.
        if (closed) return;
        clearTimeout(timer);
        timer = setTimeout(schedule, ms);
      },
      finish,
    };

    sink.write(formatRetry(ctx.retryMs));
    ctx.heartbeats.add(sink);
    watch(schedule).then(
      (stop) => {
        if (closed) stop().catch(ctx.onError);
        else unsubscribe = stop;
        schedule();
      },
      (error) => {
        ctx.onError(error);
        finish();
      },
    );
    return cleanup;
  };
}
