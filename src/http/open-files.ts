import { readFileSync } from "node:fs";
import type { Server } from "node:net";

/**
 * What a process holds open besides its connections: stdio, the event loop's own, the store's files
 * or sockets, logs. A `qrlogin serve` worker on SQLite holds 34; a PostgreSQL pool adds 11.
 */
const ROOM_FOR_FILES = 100;

/**
 * The share of the open-file limit kept from event streams, for those files and for short requests
 * (creating, scanning, approving, redeeming) with the connections they keep alive; never less than
 * twice {@link ROOM_FOR_FILES}.
 */
const ROOM_SHARE = 1 / 20;

/**
 * This process's open-file limit (the soft one, which Node raises to the hard one as it starts), from
 * `/proc/self/limits`: `Infinity` when unlimited, `undefined` where it cannot be read (not Linux).
 * @example openFileLimit() // 20000
 */
export function openFileLimit(
  limits: () => string = () => readFileSync("/proc/self/limits", "utf8"),
): number | undefined {
  let text: string;
  try {
    text = limits();
  } catch {
    return undefined;
  }
  const soft = /^Max open files\s+(\S+)/m.exec(text)?.[1];
  if (soft === "unlimited") return Number.POSITIVE_INFINITY;
  const limit = Number(soft);
  return Number.isSafeInteger(limit) && limit > 0 ? limit : undefined;
}

/**
 * How many event streams and waiting long-polls a process of `openFiles` open files holds at most:
 * each is a socket, and the rest of the process needs files too. `Infinity` (no cap) when the limit
 * is unknown or unlimited.
 * @example streamCapacity(20_000) // 19000
 */
export function streamCapacity(openFiles: number | undefined): number {
  if (openFiles === undefined || !Number.isFinite(openFiles)) return Number.POSITIVE_INFINITY;
  const room = Math.max(2 * ROOM_FOR_FILES, Math.ceil(openFiles * ROOM_SHARE));
  return Math.max(1, openFiles - room);
}

/**
 * The connections a `node:http` server of a process of `openFiles` open files may hold
 * (`server.maxConnections`): past them, node closes a new connection at once, and a node:cluster
 * worker declines it so that the primary hands it to another worker, where a process out of files
 * would fail it, or (a cluster worker) stop taking connections at all. `undefined` (no limit) when the
 * open-file limit is unknown or unlimited.
 * @example connectionCapacity(20_000) // 19900
 */
export function connectionCapacity(openFiles: number | undefined): number | undefined {
  if (openFiles === undefined || !Number.isFinite(openFiles)) return undefined;
  return Math.max(1, openFiles - ROOM_FOR_FILES);
}

/**
 * Caps a server's connections at {@link connectionCapacity} of this process's open-file limit, where
 * it can be read. `qrlogin serve` does it; a host serving `qr.nodeHandler` sets `server.maxConnections`
 * the same way (docs/deploy.md).
 * @example limitConnections(http.createServer(qr.nodeHandler));
 */
export function limitConnections(server: Pick<Server, "maxConnections">, openFiles = openFileLimit()): void {
  const capacity = connectionCapacity(openFiles);
  if (capacity !== undefined) server.maxConnections = capacity;
}
