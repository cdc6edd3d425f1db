/** How many connections a statement is tried on when the server has ended the ones it got. */
export const CONNECTION_ATTEMPTS = 3;

/**
 * Whether `error` means the server ended the connection (restart, failover, `pg_terminate_backend`)
 * rather than refused the statement: SQLSTATE classes 57P and 08, or the driver's own words for a dead socket.
 */
export function connectionLost(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === "string" && /^(57P|08)|^ECONNRESET$|^EPIPE$/.test(code)) return true;
  return typeof message === "string" && /Connection terminated|not queryable/.test(message);
}
