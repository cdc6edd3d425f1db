import { ERROR_STATUS, QrLoginError } from "../core/errors.ts";
import type { ErrorBody } from "../wire.ts";
import type { IncomingRequest } from "./incoming.ts";

/** Where an event stream writes; the bindings implement it over their own response object. */
export interface EventSink {
  /** Writes raw event-stream text; returns false once the client is gone. */
  write(chunk: string): boolean;
  /** Ends the stream from the server side. */
  close(): void;
}

/** What a route answers: a complete body, or an event stream the binding keeps open. */
export type Outgoing =
  | {
      status: number;
      headers: Record<string, string | string[]>;
      body: string;
      /**
       * The client should come back on a new connection, which a load balancer or node:cluster may
       * give to another process: a binding that can, closes this one after the answer.
       */
      closeConnection?: boolean;
    }
  | {
      status: number;
      headers: Record<string, string | string[]>;
      /** Starts writing; returns the clean-up to run once the client goes away or the stream ends. */
      stream: (sink: EventSink) => () => void;
    };

/**
 * qrlogin's whole HTTP API as one function, which every binding adapts to its server: the answer to
 * `incoming`, or `null` when its path is not under the base path (the binding hands it on). It never
 * rejects, and every answer's headers can be sent as they are.
 */
export type RouteEntry = (incoming: IncomingRequest) => Promise<Outgoing | null>;

/**
 * On every API answer: never cached (they carry secrets or live state), never sniffed, framed or
 * given a Referer.
 */
export const SECURITY_HEADERS = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
  "referrer-policy": "no-referrer",
};

const JSON_HEADERS = { ...SECURITY_HEADERS, "content-type": "application/json; charset=utf-8" };

/** A JSON answer; never cached, since most carry secrets or live state. */
export function json(status: number, body: unknown, headers: Record<string, string | string[]> = {}): Outgoing {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/**
 * The JSON error body: `{ error, error_description }`, with `Retry-After` on 429 and `tries_left` on
 * `WRONG_NUMBER` (always 0: there is one try). A refused stream closes its connection: the slots are
 * this process's, and another may have one free.
 */
export function errorOutgoing(error: QrLoginError): Outgoing {
  const headers: Record<string, string> = {};
  if (error.retryAfter !== undefined) headers["retry-after"] = String(Math.ceil(error.retryAfter));
  const body: ErrorBody = { error: error.code, error_description: error.message };
  if (error.triesLeft !== undefined) body.tries_left = error.triesLeft;
  const outgoing = json(ERROR_STATUS[error.code], body, headers);
  return error.code === "TOO_MANY_STREAMS" ? { ...outgoing, closeConnection: true } : outgoing;
}

/** The answer of a binding that has nothing to hand a path outside the base path on to. */
export function notFound(): Outgoing {
  return errorOutgoing(new QrLoginError("NOT_FOUND", "No such endpoint."));
}

/** Any thrown value as an error answer: protocol errors as they are, anything else as a bare 500. */
export function toErrorOutgoing(error: unknown): Outgoing {
  return errorOutgoing(
    error instanceof QrLoginError ? error : new QrLoginError("INTERNAL_ERROR", "Something went wrong on the server."),
  );
}

/** An HTTP field value (RFC 9110 §5.5): visible ASCII, spaces, tabs and Latin-1 (obs-text); no CR, LF, NUL or DEL. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Whether `value` can be sent as an HTTP header value: no CR, LF or NUL (which would end or split
 * the header), nothing beyond Latin-1, only visible characters, spaces and tabs — the rule `node:http`
 * enforces by throwing. Checks the type too, since a JavaScript host can return anything.
 * @example validHeaderValue("sid=abc; Path=/") // true
 * @example validHeaderValue("sid=abc\r\nLocation: /evil") // false
 */
export function validHeaderValue(value: string): boolean {
  return typeof value === "string" && FIELD_VALUE.test(value);
}

/**
 * `outgoing` if every header value can be sent, else the JSON 500 to send instead (`SESSION_FAILED`
 * for a bad cookie from `issueSession`, the only header a host supplies). `onError` is told which
 * header was bad, never its value, which may be a secret. The route table applies it to every answer,
 * so no binding writes a bad value: `node:http` would throw mid-answer, outside any handler, and end
 * the process.
 */
export function sendableOutgoing(outgoing: Outgoing, onError: (error: unknown) => void): Outgoing {
  const bad = badHeader(outgoing.headers);
  if (bad === undefined) return outgoing;
  onError(new Error(`the "${bad}" header has a value HTTP cannot carry (CR, LF, NUL or beyond Latin-1); answered 500`));
  if (bad !== "set-cookie") return toErrorOutgoing(undefined);
  return errorOutgoing(
    new QrLoginError("SESSION_FAILED", "The sign-in was approved but the session could not be started."),
  );
}

/** The name of the first header with a value that cannot be sent; a plain loop, as it runs on every answer. */
function badHeader(headers: Outgoing["headers"]): string | undefined {
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (Array.isArray(value) ? !value.every(validHeaderValue) : !validHeaderValue(value as string)) return name;
  }
  return undefined;
}
