import type { RequestEvents, RequestSnapshot } from "../wire.ts";
import { ApiError, busyRetryDelay, callApi } from "./api.ts";
import type { Translator } from "./i18n/translator.ts";

/** What the desktop learns about its request: a new status. */
export type RequestUpdate = Pick<RequestSnapshot, "status" | "approver" | "comparison" | "reason" | "passkeyRequired">;

/** Options of {@link followRequest}. */
export interface FollowOptions {
  basePath: string;
  id: string;
  /** `"sse"` (default) falls back to long-polling by itself; `"poll"` long-polls from the start. */
  transport?: "sse" | "poll";
  onUpdate(update: RequestUpdate): void;
  /** `false` while the connection is lost and being retried, `true` once it is back. */
  onConnection(connected: boolean): void;
  /** The request cannot be followed any more (e.g. its secret was refused). */
  onError(error: ApiError): void;
  /** The language of the errors given to `onError`. Default: the page's. */
  words?: Translator;
}

const FINAL = new Set(["approved", "denied", "expired", "cancelled", "redeemed"]);
const EVENTS: readonly (keyof RequestEvents)[] = ["scanned", "approved", "denied", "expired", "cancelled", "redeemed"];
const POLL_WAIT_S = 25;
const RETRY_MS = 2_000;

/**
 * Follows a request over its event stream, or by long-poll (`GET …?wait=25&version=V`) where
 * EventSource is missing or the stream is refused; a server too busy for the long-poll as well
 * (`TOO_MANY_STREAMS`) is given 5–10 s, then asked for the stream again. Stops by itself after a
 * final status (`approved` included: the caller redeems next). Returns a function that stops it early.
 * @example
 * const stop = followRequest({ basePath: "/qrlogin", id, onUpdate: render, onConnection, onError });
 */
export function followRequest(options: FollowOptions): () => void {
  let stopped = false;
  let stopTransport = () => {};
  // Told once each way, whichever transport lost or found the connection.
  let lost = false;
  const connection = (connected: boolean) => {
    if (connected !== lost) return;
    lost = !connected;
    options.onConnection(connected);
  };
  const streams = options.transport !== "poll" && typeof EventSource !== "undefined";
  const deliver = (update: RequestUpdate) => {
    if (stopped) return;
    options.onUpdate(update);
    if (FINAL.has(update.status)) stop();
  };
  const stop = () => {
    stopped = true;
    stopTransport();
  };
  const url = `${options.basePath}/requests/${encodeURIComponent(options.id)}`;

  const poll = () => {
    const controller = new AbortController();
    stopTransport = () => controller.abort();
    let version: number | null = null;
    const loop = async () => {
      while (!stopped) {
        const query = version === null ? "" : `?wait=${POLL_WAIT_S}&version=${version}`;
        try {
          const snapshot = await callApi<RequestSnapshot>(fetch, url + query, {
            method: "GET",
            signal: controller.signal,
            words: options.words,
          });
          connection(true);
          const changed = version !== null && snapshot.version !== version;
          version = snapshot.version;
          if (changed || FINAL.has(snapshot.status)) deliver(snapshot);
        } catch (error) {
          if (stopped) return;
          const failure = error instanceof ApiError ? error : new ApiError("BAD_RESPONSE", 0, undefined, options.words);
          // A busy server (too many open streams) is no reason to give up: wait longer and ask again.
          const busy = failure.code === "TOO_MANY_STREAMS";
          if (failure.code !== "NETWORK_ERROR" && !busy) {
            stop();
            return options.onError(failure);
          }
          connection(false);
          await new Promise((resolve) => setTimeout(resolve, busy ? busyRetryDelay() : RETRY_MS));
          // The stream was refused for the same reason: this process, or on a new connection
          // another one, may have room for it now.
          if (busy && streams && !stopped) return stream();
        }
      }
    };
    void loop();
  };

  const stream = () => {
    const source = new EventSource(`${url}/events`);
    stopTransport = () => source.close();
    for (const event of EVENTS) {
      source.addEventListener(event, (message) => {
        connection(true);
        const data = JSON.parse((message as MessageEvent<string>).data) as RequestEvents[typeof event];
        deliver({ ...data, status: event });
      });
    }
    source.addEventListener("open", () => connection(true));
    source.addEventListener("error", () => {
      if (stopped) return;
      // CLOSED: the server refused the stream (an error answer, not a dropped line); the
      // long-poll gets the same answer as JSON, and reports its code or waits while the server is busy.
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        return poll();
      }
      connection(false);
    });
  };

  if (streams) stream();
  else poll();
  return stop;
}
