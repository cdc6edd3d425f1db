import type { FaceErrorCode } from "./error-codes.ts";
import { messageFor } from "./error-messages.ts";
import type { Translator } from "./i18n/translator.ts";

/**
 * A failed call to the qrlogin API, carrying the server's `error` code (or a client code such as
 * `NETWORK_ERROR`) so callers can `switch` on it; `message` is words for a person, in the language
 * of `words` (by default the page's `lang`, else the browser's).
 * @example
 * try { await approver.approve(id) } catch (e) {
 *   if (e instanceof ApiError && e.code === "expired_token") showFreshCodeHint();
 * }
 */
export class ApiError extends Error {
  /** The server's `error` code, or a client-side one. */
  readonly code: FaceErrorCode;
  /** The HTTP status; 0 when the server was not reached. */
  readonly status: number;
  /** The server's own `error_description`, for logs. */
  readonly description: string | undefined;

  constructor(code: FaceErrorCode, status: number, description?: string, words?: Translator) {
    super(messageFor(code, description, words));
    this.name = "ApiError";
    this.code = code;
    this.status = status;
    this.description = description;
  }
}

/**
 * Sends a JSON request and returns the JSON answer, or throws an {@link ApiError} worded by
 * `init.words` (by default in the page's language).
 * @example const created = await callApi<{ id: string }>(fetch, "/qrlogin/requests", { method: "POST", body: {} });
 */
export async function callApi<T>(
  fetcher: typeof fetch,
  url: string,
  init: { method: string; body?: unknown; headers?: HeadersInit; signal?: AbortSignal; words?: Translator },
): Promise<T> {
  const fail = (code: FaceErrorCode, status: number, description?: string) =>
    new ApiError(code, status, description, init.words);
  const headers = new Headers(init.headers);
  if (init.body !== undefined) headers.set("content-type", "application/json");
  let response: Response;
  try {
    response = await fetcher(url, {
      method: init.method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      credentials: "same-origin",
      signal: init.signal,
    });
  } catch (error) {
    if (init.signal?.aborted) throw error;
    throw fail("NETWORK_ERROR", 0);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw fail(response.ok ? "BAD_RESPONSE" : "INTERNAL_ERROR", response.status);
  }
  if (!response.ok) {
    const { error, error_description } = (body ?? {}) as Record<string, unknown>;
    const code = typeof error === "string" ? (error as FaceErrorCode) : "INTERNAL_ERROR";
    throw fail(code, response.status, typeof error_description === "string" ? error_description : undefined);
  }
  return body as T;
}

/**
 * How long to wait before opening again a stream the server refused (e.g. `TOO_MANY_STREAMS`):
 * 5 to 10 s, spread so that the clients refused together do not all come back at once.
 * @example setTimeout(reconnect, busyRetryDelay());
 */
export function busyRetryDelay(): number {
  return 5_000 + Math.random() * 5_000;
}
