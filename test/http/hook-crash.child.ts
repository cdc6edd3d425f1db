// A qrlogin process whose issueSession returns cookies HTTP cannot carry, for hook-crash.test.ts.
// The phone's user picks the hook's misbehaviour: "latin1" gets a cookie with a character beyond
// Latin-1, "crlf" one with a line break, "throws" a hook that throws, "hangs" one that never
// settles; anyone else a good cookie. Serves the node binding and the Web binding (behind a small node:http
// adapter that, like a careless host, does not catch the handler's failures), prints
// `listening node <port>` and `listening web <port>`, and `logged <message>` for each error it logs.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { createQrLogin } from "../../src/qrlogin.ts";
import { MemoryStore } from "../../src/store/memory.ts";
import { TEST_USER_HEADER } from "../helpers/server.ts";

const BAD_COOKIES: Record<string, string> = { latin1: "sid=\u0100", crlf: "a\r\nb" };

const qr = createQrLogin({
  store: new MemoryStore(),
  authenticateApprover: (req) => {
    const user = req.header(TEST_USER_HEADER);
    return user ? { userId: user } : null;
  },
  issueSession: ({ userId }) => {
    if (userId === "throws") throw new Error("the session table is locked");
    if (userId === "hangs") return new Promise<never>(() => {});
    return { setCookie: BAD_COOKIES[userId] ?? `sid=ok-${userId}; Path=/` };
  },
  hookTimeoutMs: 500,
  logger: {
    warn: () => {},
    error: (message: string, error: unknown) => console.log(`logged ${message}: ${(error as Error).message}`),
  },
});

async function toRequest(req: IncomingMessage): Promise<Request> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    for (const one of [value ?? []].flat()) headers.append(name, one);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks);
  return new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers, body });
}

const servers = {
  node: createServer(qr.nodeHandler),
  web: createServer((req, res) => {
    // No catch, on purpose: were the handler to reject, the process would die of the unhandled rejection.
    void toRequest(req)
      .then((request) => qr.handler(request, { ip: req.socket.remoteAddress }))
      .then(async (response) => {
        const headers: Record<string, string | string[]> = { "set-cookie": response.headers.getSetCookie() };
        response.headers.forEach((value, name) => {
          if (name !== "set-cookie") headers[name] = value;
        });
        res.writeHead(response.status, headers);
        res.end(Buffer.from(await response.arrayBuffer()));
      });
  }),
};
for (const [name, server] of Object.entries(servers)) {
  server.listen(0, "127.0.0.1", () => console.log(`listening ${name} ${(server.address() as AddressInfo).port}`));
}
