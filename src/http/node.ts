import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import { ClientGone, type IncomingRequest, parseCookies } from "./incoming.ts";
import { type Outgoing, sendableOutgoing } from "./outgoing.ts";
import { tooLarge } from "./web.ts";

/** How a node request's URL and client address are read. */
export interface NodeRequestOptions {
  /**
   * How many reverse proxies in front of the server to trust for `X-Forwarded-For`,
   * `X-Forwarded-Proto` and `X-Forwarded-Host`. Default 0: the socket's own address and Host.
   */
  trustProxy: number;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The client's address: the socket's, or the entry `trustProxy` hops from the right of `X-Forwarded-For`. */
function clientIp(req: IncomingMessage, trustProxy: number): string | undefined {
  const socketIp = req.socket.remoteAddress;
  if (trustProxy <= 0) return socketIp;
  const chain = (first(req.headers["x-forwarded-for"]) ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return chain[chain.length - trustProxy] ?? chain[0] ?? socketIp;
}

/** Wraps a `node:http` request for the route table, without building a Web `Request`. */
export function fromNodeRequest(
  req: IncomingMessage,
  res: ServerResponse,
  { trustProxy }: NodeRequestOptions,
): IncomingRequest {
  const forwarded = (name: string) => (trustProxy > 0 ? first(req.headers[name])?.split(",")[0]?.trim() : undefined);
  const protocol = forwarded("x-forwarded-proto") ?? ((req.socket as TLSSocket).encrypted ? "https" : "http");
  const host = forwarded("x-forwarded-host") ?? req.headers.host ?? "localhost";
  let url: URL;
  try {
    url = new URL(req.url ?? "/", `${protocol}://${host}`);
  } catch {
    url = new URL(req.url ?? "/", `${protocol}://localhost`);
  }
  // Made on first use: only the long-poll reads it, and aborting one per request (a DOMException
  // each) cost several per cent of request creation in the benchmark's profile.
  let controller: AbortController | undefined;
  let closed = false;
  res.once("close", () => {
    closed = true;
    controller?.abort();
  });
  let cookies: Map<string, string> | undefined;
  return {
    method: (req.method ?? "GET").toUpperCase(),
    url,
    ip: clientIp(req, trustProxy),
    header(name) {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(", ") : value;
    },
    cookie(name) {
      cookies ??= parseCookies(req.headers.cookie);
      return cookies.get(name);
    },
    text: (limit) => readNodeBody(req, limit),
    get signal() {
      if (!controller) {
        controller = new AbortController();
        if (closed) controller.abort();
      }
      return controller.signal;
    },
  };
}

function readNodeBody(req: IncomingMessage, limit: number): Promise<string> {
  if (Number(req.headers["content-length"] ?? 0) > limit) return Promise.reject(tooLarge(limit));
  if (req.destroyed) return Promise.reject(new ClientGone()); // gone while the route awaited a hook
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off("data", onData);
        req.resume(); // drain and drop the rest
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    // "aborted" (ECONNRESET) or a close before the end: the client left; after the end, a no-op.
    req.once("error", () => reject(new ClientGone()));
    req.once("close", () => reject(new ClientGone()));
  });
}

/**
 * Writes a route's answer to a `node:http` response; an event stream writes straight to the socket.
 * Never throws: an answer whose headers cannot be sent becomes a JSON 500, reported to `onError`.
 */
export function writeNodeResponse(res: ServerResponse, answer: Outgoing, onError: (error: unknown) => void): void {
  const outgoing = sendableOutgoing(answer, onError);
  if ("body" in outgoing) {
    res.writeHead(outgoing.status, { ...outgoing.headers, "content-length": Buffer.byteLength(outgoing.body) });
    res.end(outgoing.body);
    return;
  }
  // Gone while the route ran: its 'close' has been and gone, so a stream started now would linger.
  if (res.destroyed) return;
  res.writeHead(outgoing.status, outgoing.headers);
  res.flushHeaders();
  res.socket?.setNoDelay(true);
  const cleanup = outgoing.stream({
    write: (chunk) => {
      if (res.destroyed) return false;
      res.write(chunk);
      return true;
    },
    close: () => res.end(),
  });
  res.once("close", cleanup);
}
