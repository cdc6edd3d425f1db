import { unmapped } from "../core/requester-context.ts";
import { ClientGone, cookieLookup, forwardedFor, type IncomingRequest, tooLarge } from "./incoming.ts";
import { bodyAlreadyRead } from "./kept-body.ts";
import { notFound, type Outgoing, type RouteEntry } from "./outgoing.ts";

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

/** Wraps a Web `Request` for the route table; `ip` comes from the runtime (Web requests carry none). */
function fromWebRequest(request: Request, ip: string | undefined, onBodyGone: () => void): IncomingRequest {
  return {
    method: request.method.toUpperCase(),
    url: new URL(request.url),
    ip,
    header: (name) => request.headers.get(name) ?? undefined,
    cookie: cookieLookup(() => request.headers.get("cookie") ?? undefined),
    text: (limit) => {
      // Read already (a framework's `c.req.json()`, a middleware): waiting on the stream would never end.
      if (!request.bodyUsed) return readLimited(request, limit);
      onBodyGone();
      return Promise.reject(bodyAlreadyRead());
    },
    signal: request.signal,
  };
}

/** Turns a route's answer into a Web `Response`; an event stream becomes a `ReadableStream`. */
function toWebResponse(outgoing: Outgoing, signal: AbortSignal): Response {
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

/**
 * The Web-standard binding (Next.js, Hono, Bun, Deno): `Request → Response` over the route entry, a
 * JSON 404 outside the base path. The client's address comes from the runtime as `info.ip`, else
 * from `X-Forwarded-For` when `trustProxy` proxies are trusted (a Next.js app has nothing else); its
 * absence is told to `warn` once, since every call that needs it will be refused.
 */
export function webHandler(
  route: RouteEntry,
  { trustProxy, warn }: { trustProxy: number; warn(message: string): void },
): (request: Request, info?: { ip?: string }) => Promise<Response> {
  let warned = false;
  let toldBodyGone = false;
  const onBodyGone = () => {
    if (!toldBodyGone) warn(bodyAlreadyRead().message);
    toldBodyGone = true;
  };
  return async (request, info) => {
    const ip = info?.ip || forwardedFor(request.headers.get("x-forwarded-for") ?? undefined, trustProxy);
    if (!ip && !warned) {
      warned = true;
      warn(
        "qrlogin: handler called without info.ip (and no trusted X-Forwarded-For); calls that need the caller's address are refused (ADDRESS_REQUIRED).",
      );
    }
    const outgoing = await route(fromWebRequest(request, ip && unmapped(ip), onBodyGone));
    return toWebResponse(outgoing ?? notFound(), request.signal);
  };
}
