import { ClientClosedError, DisconnectsClientError, ErrorReply } from "./driver.ts";

/** Server replies that mean the command was not run, and may be sent again once the server has settled. */
const TRANSIENT_REPLY = /^(LOADING|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|NOREPLICAS|BUSY)\b/;

/**
 * Whether sending a failed command again may still succeed. A reply error is the server's answer
 * and final, except the few it gives while restarting or failing over. Anything else is a lost
 * connection: the command may or may not have run, and sending it again is how the store resolves
 * that — every command it sends is safe to repeat (see {@link RedisStore}).
 */
export function worthRetrying(error: unknown): boolean {
  if (isReply(error)) return TRANSIENT_REPLY.test((error as Error).message);
  // Closed on purpose, by us or the client's owner: nothing will come back.
  return !(error instanceof ClientClosedError || error instanceof DisconnectsClientError);
}

/**
 * Runs `attempt` until it settles, sending it again after each fault worth retrying, with a growing
 * pause, until `windowMs` have passed since the first try; then the last error is thrown.
 */
export async function throughFaults<T>(windowMs: number, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + windowMs;
  for (let pause = 25; ; pause = Math.min(pause * 2, 500)) {
    try {
      return await attempt();
    } catch (error) {
      const left = deadline - Date.now();
      if (!worthRetrying(error) || left <= 0) throw error;
      // The last try comes at the deadline itself.
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
    }
  }
}

/** Whether `error` is the server's error reply (also from a client of another copy of node-redis than ours). */
export function isReply(error: unknown): boolean {
  const name = (error as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return error instanceof ErrorReply || name === "ErrorReply" || name === "SimpleError" || name === "BlobError";
}
