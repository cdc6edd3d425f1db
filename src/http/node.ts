import { type IncomingMessage, type ServerResponse, STATUS_CODES } from "node:http";
import { createRequire } from "node:module";
import type { Socket } from "node:net";
import type { Readable } from "node:stream";
import type { TLSSocket } from "node:tls";
import { unmapped } from "../core/requester-context.ts";
import { ClientGone, cookieLookup, forwardedFor, type IncomingRequest, tooLarge } from "./incoming.ts";
import { type BodyCarrier, bodyAlreadyRead, keptBodyText } from "./kept-body.ts";
import { type EventSink, notFound, type Outgoing, type RouteEntry } from "./outgoing.ts";

/** How the `node:http` binding reads requests and reports its own failures. */
export interface NodeBindingOptions {
  /**
   * How many reverse proxies in front of the server to trust for `X-Forwarded-For`,
   * `X-Forwarded-Proto` and `X-Forwarded-Host`; 0 takes the socket's own address and Host.
   */
  trustProxy: number;
  /** Told of a failure the route entry should never have: it answers every error itself. */
  onError(error: unknown): void;
  /** Told once of a body another middleware read without keeping it: a mistake in the host's setup. */
  warn(message: string): void;
}

/** A `node:http` request handler, also Express/Connect middleware. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The client's address: the socket's, or the one `trustProxy` proxies forwarded; IPv4 as people write it. */
function clientIp(req: IncomingMessage, trustProxy: number): string | undefined {
  const ip = forwardedFor(first(req.headers["x-forwarded-for"]), trustProxy) ?? req.socket.remoteAddress;
  return ip === undefined ? undefined : unmapped(ip);
}

/**
 * The prefix a router stripped from `req.url` before handing the request on (`app.use("/auth", …)`):
 * Express and Connect keep the whole path in `originalUrl`.
 */
function mountPathOf(req: IncomingMessage & { originalUrl?: unknown }): string {
  const { originalUrl, url = "/" } = req;
  if (typeof originalUrl !== "string" || originalUrl === url || !originalUrl.endsWith(url)) return "";
  return originalUrl.slice(0, originalUrl.length - url.length);
}

/**
 * A `node:http` request as the route table sees it, without building a Web `Request`. A class, so
 * that each request costs one small object of a fixed shape rather than a literal of closures.
 */
class NodeIncoming implements IncomingRequest {
  readonly method: string;
  readonly url: URL;
  readonly ip: string | undefined;
  readonly mountPath: string;
  readonly cookie: (name: string) => string | undefined;
  // Made on first use: only the long-poll reads it, and aborting one per request (a DOMException
  // each) cost several per cent of request creation in the benchmark's profile.
  #controller: AbortController | undefined;
  #closed = false;
  readonly #req: IncomingMessage & BodyCarrier;
  readonly #onBodyGone: () => void;

  constructor(req: IncomingMessage & BodyCarrier, res: ServerResponse, trustProxy: number, onBodyGone: () => void) {
    this.#req = req;
    this.#onBodyGone = onBodyGone;
    const forwarded = (name: string) => (trustProxy > 0 ? first(req.headers[name])?.split(",")[0]?.trim() : undefined);
    const protocol = forwarded("x-forwarded-proto") ?? ((req.socket as TLSSocket).encrypted ? "https" : "http");
    const host = forwarded("x-forwarded-host") ?? req.headers.host ?? "localhost";
    this.mountPath = mountPathOf(req);
    // The path the browser asked for, mount included: links qrlogin makes must work from there.
    const path = this.mountPath + (req.url ?? "/");
    let url: URL;
    try {
      url = new URL(path, `${protocol}://${host}`);
    } catch {
      url = new URL(path, `${protocol}://localhost`);
    }
    this.url = url;
    this.method = (req.method ?? "GET").toUpperCase();
    this.ip = clientIp(req, trustProxy);
    this.cookie = cookieLookup(() => req.headers.cookie);
    res.once("close", () => {
      this.#closed = true;
      this.#controller?.abort();
    });
  }

  header(name: string): string | undefined {
    const value = this.#req.headers[name];
    return Array.isArray(value) ? value.join(", ") : value;
  }

  text(limit: number): Promise<string> {
    const req = this.#req;
    if (!wasRead(req)) return readNodeBody(req, limit, req.headers["content-length"]);
    // A body parser mounted before qrlogin (express.json(), Fastify's) read it: use what it kept.
    const kept = keptBodyText(req, first(req.headers["content-type"]));
    if (kept === undefined) {
      this.#onBodyGone();
      return Promise.reject(bodyAlreadyRead());
    }
    if (Buffer.byteLength(kept) > limit) return Promise.reject(tooLarge(limit));
    return Promise.resolve(kept);
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#closed) this.#controller.abort();
    }
    return this.#controller.signal;
  }
}

/** Whether someone has read from the body stream already: its 'end' has been and gone, or will come to them. */
function wasRead(body: Readable): boolean {
  return body.readableDidRead || body.readableEnded;
}

/**
 * Reads a node request body (an `IncomingMessage`, an HTTP/2 stream…) as text, refusing more than
 * `limit` bytes with `BODY_TOO_LARGE`: the rest is read to nothing, so the refusal still reaches the
 * client. `contentLength` is the declared length, refused before reading. `ClientGone` if the client
 * leaves first; a body someone else has read already is refused at once rather than waited for.
 */
export function readNodeBody(body: Readable, limit: number, contentLength?: string): Promise<string> {
  if (Number(contentLength ?? 0) > limit) return Promise.reject(tooLarge(limit));
  if (body.destroyed) return Promise.reject(new ClientGone()); // gone while the route awaited a hook
  if (wasRead(body)) return Promise.reject(bodyAlreadyRead());
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
    // "aborted" (ECONNRESET) or a close before the end: the client left. The close listener goes at
    // the end, so that every request's close does not build an error (a stack trace) for nothing.
    const gone = () => reject(new ClientGone());
    body.on("data", onData);
    body.once("end", () => {
      body.off("close", gone);
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
    body.once("error", gone);
    body.once("close", gone);
  });
}

/** Writes a route's answer to a `node:http` response; an event stream writes straight to the socket. */
function writeNodeResponse(res: ServerResponse, outgoing: Outgoing): void {
  if ("body" in outgoing) {
    const headers = { ...outgoing.headers, "content-length": Buffer.byteLength(outgoing.body) };
    // node:http closes the connection after an answer that says so.
    res.writeHead(outgoing.status, outgoing.closeConnection ? { ...headers, connection: "close" } : headers);
    res.end(outgoing.body);
    return;
  }
  // Gone while the route ran: its 'close' has been and gone, so a stream started now would linger.
  if (res.destroyed) return;
  if (streamOnOwnSocket(res, outgoing)) return;
  res.writeHead(outgoing.status, outgoing.headers);
  res.flushHeaders();
  res.socket?.setNoDelay(true);
  res.once("close", outgoing.stream(new WritableSink(res)));
}

/** Node's parser of a connection, as its own upgrade path lets one go (`node:_http_common`, stable since Node 0.x). */
interface HttpCommon {
  freeParser(parser: { finish(): unknown }, req: IncomingMessage, socket: Socket): void;
}
const httpCommon = (() => {
  try {
    const common = createRequire(import.meta.url)("node:_http_common") as Partial<HttpCommon>;
    return typeof common.freeParser === "function" ? (common as HttpCommon) : null;
  } catch {
    return null;
  }
})();

/** The listeners node:http puts on a connection's socket (named so in every Node release since 12). */
const HTTP_LISTENER = /^(bound )?(socketOn|onSocket|onServerResponseClose)/;
const ignore = () => {};
function endSocket(this: Socket): void {
  this.destroy();
}

/**
 * Serves an event stream on the socket itself, as node's own upgrade path does: node's parser, its
 * listeners and the request and response objects are let go, and the answer is written head first,
 * then as it comes, until either side closes. An event stream never ends on its own, so the
 * connection could never serve another request anyway; letting the HTTP machinery go cuts what each
 * waiting client costs the server from ~15 KB of RSS to ~6 KB (bench, 10,000 streams). Headers another
 * middleware set on the response are kept; the body is delimited by the connection's close (HTTP/1.1
 * `Connection: close`), so no chunk framing is needed. Returns false, touching nothing, where node's
 * internals are not as expected (then the response object serves the stream as before).
 */
function streamOnOwnSocket(res: ServerResponse, outgoing: Extract<Outgoing, { stream: unknown }>): boolean {
  const socket = res.socket;
  const parser = (socket as { parser?: { finish(): unknown } | null } | null)?.parser;
  if (!httpCommon || !socket || !parser || res.req.httpVersionMajor !== 1) return false;
  const headers: Record<string, unknown> = { ...res.getHeaders(), ...outgoing.headers, connection: "close" };
  let head = `HTTP/1.1 ${outgoing.status} ${STATUS_CODES[outgoing.status] ?? ""}\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    for (const one of [value].flat()) if (one !== undefined) head += `${name}: ${one}\r\n`;
  }
  res.detachSocket(socket);
  for (const event of ["data", "end", "close", "drain", "error", "timeout", "resume", "pause"]) {
    for (const listener of socket.listeners(event)) {
      if (HTTP_LISTENER.test(listener.name)) socket.removeListener(event, listener as () => void);
    }
  }
  parser.finish();
  httpCommon.freeParser(parser, res.req, socket);
  socket.setTimeout(0);
  socket.setNoDelay(true);
  // Reading on, to see the client's end; what it might send is dropped.
  socket.on("error", ignore).on("data", ignore).on("end", endSocket).resume();
  socket.write(`${head}\r\n`);
  socket.once("close", outgoing.stream(new WritableSink(socket)));
  return true;
}

/**
 * An event stream's sink over its socket (see {@link streamOnOwnSocket}) or, where that cannot be
 * had, its response; a class, so that an open stream holds no closures of its own.
 */
class WritableSink implements EventSink {
  constructor(private readonly out: Socket | ServerResponse) {}

  write(chunk: string): boolean {
    if (this.out.destroyed) return false;
    this.out.write(chunk);
    return true;
  }

  close(): void {
    this.out.end();
  }
}

/**
 * The `node:http` binding over the route entry: requests outside the base path go to `next`, or get
 * a JSON 404 without it. Mounted under a prefix (Express's `app.use("/auth", …)`), it serves under
 * that prefix, and a body a parser read before it is taken from `req.body` or `req.rawBody`.
 */
export function nodeHandler(route: RouteEntry, { trustProxy, onError, warn }: NodeBindingOptions): NodeHandler {
  let toldBodyGone = false;
  const onBodyGone = () => {
    if (!toldBodyGone) warn(bodyAlreadyRead().message);
    toldBodyGone = true;
  };
  return (req, res, next) => {
    route(new NodeIncoming(req, res, trustProxy, onBodyGone)).then(
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
