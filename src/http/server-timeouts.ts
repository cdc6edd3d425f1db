import type { Server } from "node:http";

/** The time limits of a `node:http` server, in ms. */
export interface ServerTimeouts {
  /** To receive a request's headers: a client that trickles them in (slowloris) is cut. */
  headersTimeout: number;
  /**
   * To receive a whole request, body included. Node applies it to receiving only, so event
   * streams and long-polls, which are long answers to short requests, are not cut by it.
   */
  requestTimeout: number;
  /** How long an idle keep-alive connection waits for its next request. */
  keepAliveTimeout: number;
  /**
   * How long a socket may see nothing read or written. Longer than the heartbeat (45 s) and the
   * longest long-poll (30 s), so event streams and long-polls stay open while silent ones are closed.
   */
  idleTimeout: number;
}

/** What `npm start` uses, and docs/deploy.md recommends for hosts. */
export const SERVER_TIMEOUTS: Readonly<ServerTimeouts> = Object.freeze({
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 5_000,
  idleTimeout: 60_000,
});

/**
 * Sets a server's time limits. Node checks the headers and request timeouts every
 * `connectionsCheckingInterval` (30 s by default), so they are enforced up to that much late.
 * @example applyServerTimeouts(http.createServer(qr.nodeHandler));
 */
export function applyServerTimeouts(server: Server, timeouts: ServerTimeouts = SERVER_TIMEOUTS): void {
  server.headersTimeout = timeouts.headersTimeout;
  server.requestTimeout = timeouts.requestTimeout;
  server.keepAliveTimeout = timeouts.keepAliveTimeout;
  server.timeout = timeouts.idleTimeout;
}
