import type { IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
// A host writes `from "qrlogin"`; this example sits in the repository, next to the source.
import { cookieLookup, type IncomingRequest, type Outgoing, type RouteEntry, readNodeBody } from "../../src/index.ts";

/** An HTTP/2 request stream as qrlogin's route table sees it. */
function incomingOf(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): IncomingRequest {
  const header = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value.join(", ") : value;
  };
  const path = header(":path") ?? "/";
  let url: URL;
  try {
    url = new URL(path, `${header(":scheme") ?? "http"}://${header(":authority") ?? "localhost"}`);
  } catch {
    url = new URL(path, "http://localhost"); // an :authority no URL can hold
  }
  const gone = new AbortController();
  stream.once("close", () => gone.abort());
  return {
    method: (header(":method") ?? "GET").toUpperCase(),
    url,
    ip: stream.session?.socket.remoteAddress,
    header,
    cookie: cookieLookup(() => header("cookie")),
    text: (limit) => readNodeBody(stream, limit, header("content-length")),
    signal: gone.signal,
  };
}

/** Sends a route's answer on the stream; an event stream stays open, written through an `EventSink`. */
function respond(stream: ServerHttp2Stream, outgoing: Outgoing): void {
  if (stream.destroyed) return; // the client left while the route ran
  stream.respond({ ":status": outgoing.status, ...outgoing.headers });
  if ("body" in outgoing) {
    stream.end(outgoing.body);
    return;
  }
  const cleanup = outgoing.stream({
    write(chunk) {
      if (stream.destroyed) return false;
      stream.write(chunk);
      return true;
    },
    close: () => stream.end(),
  });
  stream.once("close", cleanup);
}

/**
 * qrlogin on `node:http2`: answers each request stream through `route`, a `QrLogin`'s route entry,
 * and anything outside the base path with an empty 404.
 * @example
 * const server = http2.createSecureServer({ key, cert }); // browsers speak HTTP/2 over TLS only
 * server.on("stream", http2Binding(qr.route));
 */
export function http2Binding(route: RouteEntry): (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void {
  return (stream, headers) => {
    // A client's reset is an error of its stream: the stream is gone, and 'close' cleans up after it.
    stream.on("error", () => {});
    route(incomingOf(stream, headers)).then((outgoing) =>
      respond(stream, outgoing ?? { status: 404, headers: {}, body: "" }),
    );
  };
}
