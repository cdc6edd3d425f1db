import { QrLoginError } from "../core/errors.ts";
import { ClientGone, type IncomingRequest, parseCookies } from "./incoming.ts";
import { type Outgoing, sendableOutgoing } from "./outgoing.ts";

/** Reads at most `limit` bytes of a Web body; refuses more without reading it all. */
async function readLimited(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > limit) throw tooLarge(limit);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    // A body stream fails only when the client stopped sending it.
    const { done, value } = await reader.read().catch(() => Promise.reject(new ClientGone()));
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The error for a body over the limit. */
export function tooLarge(limit: number): QrLoginError {
  return new QrLoginError("BODY_TOO_LARGE", `The body is larger than ${limit} bytes.`);
}

/** Wraps a Web `Request` for the route table; `ip` comes from the runtime (Web requests carry none). */
export function fromWebRequest(request: Request, ip: string | undefined): IncomingRequest {
  let cookies: Map<string, string> | undefined;
  return {
    method: request.method.toUpperCase(),
    url: new URL(request.url),
    ip,
    header: (name) => request.headers.get(name) ?? undefined,
    cookie(name) {
      cookies ??= parseCookies(request.headers.get("cookie") ?? undefined);
      return cookies.get(name);
    },
    text: (limit) => readLimited(request, limit),
    signal: request.signal,
  };
}

/**
 * Turns a route's answer into a Web `Response`; an event stream becomes a `ReadableStream`. Never
 * throws: an answer whose headers `Headers` would refuse becomes a JSON 500, reported to `onError`.
 */
export function toWebResponse(answer: Outgoing, signal: AbortSignal, onError: (error: unknown) => void): Response {
  const outgoing = sendableOutgoing(answer, onError);
  const headers = new Headers();
  for (const [name, value] of Object.entries(outgoing.headers)) {
    for (const one of [value].flat()) headers.append(name, one);
  }
  if ("body" in outgoing) return new Response(outgoing.body, { status: outgoing.status, headers });
  const encoder = new TextEncoder();
  let cleanup = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true;
      const end = () => {
        if (!open) return;
        open = false;
        cleanup();
        try {
          controller.close();
        } catch {
          // already closed by the client going away
        }
      };
      cleanup = outgoing.stream({
        write(chunk) {
          if (!open) return false;
          controller.enqueue(encoder.encode(chunk));
          return true;
        },
        close: end,
      });
      signal.addEventListener("abort", end, { once: true });
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(body, { status: outgoing.status, headers });
}
