import { SECURITY_HEADERS } from "./outgoing.ts";

/** One Server-Sent Event. */
export interface ServerSentEvent {
  event: string;
  data: unknown;
  id?: string | number;
}

const LINE_BREAK = /[\r\n]/;

/**
 * Formats an SSE frame. Data is JSON, so it is a single line; a line break in the event name or
 * id would let a value forge events, so it is refused.
 */
export function formatEvent({ event, data, id }: ServerSentEvent): string {
  if (LINE_BREAK.test(event) || (id !== undefined && LINE_BREAK.test(String(id)))) {
    throw new TypeError("event names and ids must not contain line breaks");
  }
  return `${id === undefined ? "" : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A comment line: keeps proxies and the browser from timing the connection out. */
export const HEARTBEAT = ": heartbeat\n\n";

/** Tells the browser how long to wait before reconnecting. */
export function formatRetry(ms: number): string {
  return `retry: ${Math.round(ms)}\n\n`;
}

/** The headers of an event stream; `x-accel-buffering` turns off nginx's buffering. */
export const EVENT_STREAM_HEADERS = {
  ...SECURITY_HEADERS,
  "content-type": "text/event-stream; charset=utf-8",
  "x-accel-buffering": "no",
};
