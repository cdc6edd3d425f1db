import { CliError, Interrupted } from "../exit-codes.ts";

/** What every call of the device-flow client shares: who it says it is, and how it is cancelled. */
export interface HttpOptions {
  /** Sent as `User-Agent`, so that the approving side can show which program asks. */
  userAgent: string;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  /** How long one call may take, in ms. Default 30 s. */
  timeoutMs?: number;
}

/** An answer from an OAuth endpoint: its status, its JSON object (or `null`) and `Retry-After` in ms. */
export interface JsonAnswer {
  status: number;
  body: Record<string, unknown> | null;
  /** The `Retry-After` header in ms, when the server sent one in seconds. */
  retryAfterMs: number | undefined;
}

/** The server could not be reached, or did not answer in time: worth another try while polling. */
export class Unreachable extends CliError {
  constructor(url: string, cause: unknown) {
    super(`Cannot reach ${url}: ${describeCause(cause)}`);
    this.name = "Unreachable";
  }
}

/**
 * `POST` of a form body (RFC 8628 and RFC 6749 speak `application/x-www-form-urlencoded`), answered
 * with JSON. Rejects with {@link Unreachable} for network failures and {@link Interrupted} on Ctrl-C.
 */
export function postForm(url: string, fields: Record<string, string>, http: HttpOptions): Promise<JsonAnswer> {
  return call(url, { method: "POST", body: new URLSearchParams(fields) }, http);
}

/** `GET` of a JSON document (server metadata); same failures as {@link postForm}. */
export function getJson(url: string, http: HttpOptions): Promise<JsonAnswer> {
  return call(url, { method: "GET" }, http);
}

async function call(url: string, init: RequestInit, http: HttpOptions): Promise<JsonAnswer> {
  const signal = AbortSignal.any([http.signal, AbortSignal.timeout(http.timeoutMs ?? 30_000)]);
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      ...init,
      headers: { accept: "application/json", "user-agent": http.userAgent },
      signal,
      // A redirect would turn a POST into a GET elsewhere; an OAuth endpoint has no reason to send one.
      redirect: init.method === "POST" ? "error" : "follow",
    });
    text = await response.text();
  } catch (error) {
    if (http.signal.aborted) throw new Interrupted();
    throw new Unreachable(url, error);
  }
  let body: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON: the caller decides what that means at this endpoint.
  }
  const retryAfter = Number(response.headers.get("retry-after"));
  return {
    status: response.status,
    body,
    retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
  };
}

/** fetch hides the useful part (ECONNREFUSED, a DNS failure, a timeout) in `cause`. */
function describeCause(error: unknown): string {
  const cause = (error as { cause?: unknown })?.cause;
  const code = (cause as { code?: unknown })?.code;
  if (code === "ENOTFOUND") return "no such host";
  if (typeof code === "string" && /CERT|SELF_SIGNED/.test(code)) {
    return `${code}: its certificate is not trusted here (for a self-signed one, such as the demo's, name its .crt in NODE_EXTRA_CA_CERTS)`;
  }
  if (typeof code === "string") return code;
  if ((error as Error)?.name === "TimeoutError") return "no answer in time";
  return (cause as Error)?.message ?? (error as Error)?.message ?? String(error);
}
