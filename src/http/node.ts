import type { IncomingMessage, ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import type { TLSSocket } from "node:tls";
import { ClientGone, cookieLookup, type IncomingRequest, tooLarge } from "./incoming.ts";
import { notFound, type Outgoing, type RouteEntry } from "./outgoing.ts";

/** How the `node:http` binding reads requests and reports its own failures. */
export interface NodeBindingOptions {
  /**
   * How many reverse proxies in front of the server to trust for `X-Forwarded-For`,
   * `X-Forwarded-Proto` and `X-Forwarded-Host`; 0 takes the socket's own address and Host.
   */
  trustProxy: number;
  /** Told of a failure the route entry should never have: it answers every error itself. */
  onError(error: unknown): void;
}

/** A `node:http` request handler, also Express/Connect middleware. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

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
function fromNodeRequest(req: IncomingMessage, res: ServerResponse, trustProxy: number): IncomingRequest {
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
  return {
    method: (req.method ?? "GET").toUpperCase(),
    url,
    ip: clientIp(req, trustProxy),
    header(name) {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(", ") : value;
    },
    cookie: cookieLookup(() => req.headers.cookie),
    text: (limit) => readNodeBody(req, limit, req.headers["content-length"]),
    get signal() {
      if (!controller) {
        controller = new AbortController();
        if (closed) controller.abort();
      }
      return controller.signal;
    },
  };
}

/**
 * Reads a node request body (an `IncomingMessage`, an HTTP/2 stream…) as text, refusing more than
 * `limit` bytes with `BODY_TOO_LARGE`: the rest is read to nothing, so the refusal still reaches the
 * client. `contentLength` is the declared length, refused before reading. `ClientGone` if the client
 * leaves first.
 */
export function readNodeBody(body: Readable, limit: number, contentLength?: string): Promise<string> {
  if (Number(contentLength ?? 0) > limit) return Promise.reject(tooLarge(limit));
  if (body.destroyed) return Promise.reject(new ClientGone()); // gone while the route awaited a hook
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        body.off("data", onData);
        body.resume(); // drain and drop the rest
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    body.on("data", onData);
    body.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    // "aborted" (ECONNRESET) or a close before the end: the client left; after the end, a no-op.
    body.once("error", () => reject(new ClientGone()));
    body.once("close", () => reject(new ClientGone()));
  });
}

/** Writes a route's answer to a `node:http` response; an event stream writes straight to the socket. */
function writeNodeResponse(res: ServerResponse, outgoing: Outgoing): void {
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

/**
 * The `node:http` binding over the route entry: requests outside the base path go to `next`, or get
 * a JSON 404 without it.
 */
export function nodeHandler(route: RouteEntry, { trustProxy, onError }: NodeBindingOptions): NodeHandler {
  return (req, res, next) => {
    route(fromNodeRequest(req, res, trustProxy)).then(
      (outgoing) => {
        if (outgoing) return writeNodeResponse(res, outgoing);
        if (next) return next();
        writeNodeResponse(res, notFound());
      },
      (error) => {
        // The route entry answers every error itself; reaching here is a bug, but must not crash the server.
        onError(error);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      },
    );
  };
}
