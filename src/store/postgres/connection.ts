/** How long a statement keeps being tried on fresh connections after the server ended the ones it got, in ms. */
export const FAULT_WINDOW_MS = 5_000;

/**
 * Whether `error` means the connection was lost or could not be made (restart, failover,
 * `pg_terminate_backend`, an idle timeout in a proxy, every connection slot taken) rather than the
 * statement refused: SQLSTATE classes 57P and 08 and 53300, or the driver's and the socket's own
 * words for a dead or refused connection.
 */
export function connectionLost(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === "string" && /^(57P|08)|^(53300|ECONNRESET|ECONNREFUSED|EPIPE)$/.test(code)) return true;
  return typeof message === "string" && /Connection terminated|not queryable/.test(message);
}

/**
 * Runs `attempt` until it settles, again after each lost connection, with a growing pause, until
 * `windowMs` have passed since the first try. A statement whose connection was lost may have
 * committed unseen: `settle`, when given, is asked first on the next try whether it did (and with
 * what result), so that a write is never applied twice nor reported as lost.
 */
export async function throughConnectionLoss<T>(
  windowMs: number,
  attempt: () => Promise<T>,
  settle?: () => Promise<T | null>,
): Promise<T> {
  const deadline = Date.now() + windowMs;
  let unsure = false;
  for (let pause = 10; ; pause = Math.min(pause * 2, 250)) {
    try {
      const settled = unsure && settle ? await settle() : null;
      if (settled !== null) return settled;
      unsure = false;
      return await attempt();
    } catch (error) {
      const left = deadline - Date.now();
      if (!connectionLost(error) || left <= 0) throw error;
      unsure = true;
      // The last try comes at the deadline itself.
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
    }
  }
}
