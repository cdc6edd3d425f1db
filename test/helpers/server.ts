import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { LoginRequest } from "../../src/core/login-request.ts";
import { createQrLogin, type QrLogin, type QrLoginOptions } from "../../src/qrlogin.ts";
import { MemoryStore } from "../../src/store/memory.ts";

/** A qrlogin instance on a real `node:http` server on a free port, with test hooks. */
export interface TestServer {
  url: string;
  qr: QrLogin;
  server: Server;
  sessions: string[];
  errors: unknown[];
  close(): Promise<void>;
}

/** The header the test approver hook reads: the phone's signed-in user. */
export const TEST_USER_HEADER = "x-test-user";

/**
 * The test hooks: the phone is "signed in" as the user named in the `x-test-user` header; a
 * redeemed desktop gets a `sid` cookie and a token in the body, and `onSession` hears of it.
 */
export function testHooks(
  onSession: (userId: string, request: LoginRequest) => void,
): Pick<QrLoginOptions, "authenticateApprover" | "issueSession"> {
  return {
    authenticateApprover: (req) => {
      const user = req.header(TEST_USER_HEADER);
      return user ? { userId: user, displayName: `${user}@example.com` } : null;
    },
    issueSession: ({ userId, request }) => {
      onSession(userId, request);
      return { setCookie: `sid=session-of-${userId}; Path=/; HttpOnly`, body: { token: `token-of-${userId}` } };
    },
  };
}

/**
 * Starts a server with {@link testHooks}, recording each session's user: on `options.store` when
 * given (any store; the server closes it), else on a new memory store.
 */
export async function startServer(options: Partial<QrLoginOptions> = {}): Promise<TestServer> {
  const sessions: string[] = [];
  const errors: unknown[] = [];
  const qr = createQrLogin({
    ...testHooks((userId) => sessions.push(userId)),
    logger: { warn: () => {}, error: (_m: string, e: unknown) => errors.push(e) },
    ...options,
    store: options.store ?? new MemoryStore(),
  });
  const server = createServer(qr.nodeHandler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    qr,
    server,
    sessions,
    errors,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await qr.close();
    },
  };
}
