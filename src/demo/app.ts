import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import { randomToken } from "../core/secrets.ts";
import { parseCookies, serializeCookie } from "../http/incoming.ts";
import { createQrLogin, type QrLogin, type QrLoginOptions } from "../qrlogin.ts";
import { SqliteStore } from "../store/sqlite.ts";
import { accountPage, desktopPage, phonePage } from "./pages.ts";

/** Options of {@link createDemoServer}. */
export interface DemoOptions {
  /** Folder of the SQLite file. */
  dataDir: string;
  /** Passed on to `createQrLogin` (origin, lifetimes, logger…). */
  qrlogin?: Partial<QrLoginOptions>;
}

const qrEncoderSource = readFileSync(join(createRequire(import.meta.url).resolve("qr"), "..", "index.js"), "utf8");

/**
 * The demo site: a desktop login page, a phone approval page, and a page only a signed-in desktop
 * sees. Accounts are a name typed on the phone, kept in memory: a stand-in until the real demo site.
 */
export function createDemoServer({ dataDir, qrlogin: overrides = {} }: DemoOptions): { server: Server; qr: QrLogin } {
  const phoneSessions = new Map<string, string>(); // phone cookie → user
  const desktopSessions = new Map<string, string>(); // desktop cookie → user
  const cookieOf = (req: IncomingMessage, name: string) => parseCookies(req.headers.cookie).get(name);
  const newSession = (sessions: Map<string, string>, name: string, userId: string) => {
    const id = randomToken((n) => crypto.getRandomValues(new Uint8Array(n)), 32);
    sessions.set(id, userId);
    return serializeCookie(name, id, { path: "/", maxAge: 86_400, secure: false, sameSite: "Lax" });
  };

  const qr = createQrLogin({
    store: new SqliteStore({ filename: join(dataDir, "qrlogin.db") }),
    authenticateApprover: (req) => {
      const user = phoneSessions.get(req.cookie("demo_phone") ?? "");
      return user ? { userId: user, displayName: user } : null;
    },
    issueSession: ({ userId }) => ({ setCookie: newSession(desktopSessions, "demo_session", userId) }),
    ...overrides,
  });

  const send = (res: ServerResponse, status: number, type: string, body: string, headers = {}) => {
    res.writeHead(status, { "content-type": type, "cache-control": "no-store", ...headers });
    res.end(body);
  };

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (req.method === "GET" && (path === "/" || path === "/login")) return send(res, 200, "text/html", desktopPage);
    if (req.method === "GET" && path === "/qrlogin/a") return send(res, 200, "text/html", phonePage);
    if (req.method === "GET" && path === "/vendor/qr.js") return send(res, 200, "text/javascript", qrEncoderSource);
    if (req.method === "GET" && path === "/me") {
      const user = desktopSessions.get(cookieOf(req, "demo_session") ?? "");
      if (!user) return send(res, 302, "text/plain", "", { location: "/" });
      return send(res, 200, "text/html", accountPage(user));
    }
    if (req.method === "GET" && path === "/demo/me") {
      const user = phoneSessions.get(cookieOf(req, "demo_phone") ?? "") ?? null;
      return send(res, 200, "application/json", JSON.stringify({ user }));
    }
    if (req.method === "POST" && path === "/demo/phone-signin") return phoneSignIn(req, res);
    qr.nodeHandler(req, res);
  });

  function phoneSignIn(req: IncomingMessage, res: ServerResponse) {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
      if (body.length > 1024) req.destroy();
    });
    req.on("end", () => {
      let name = "";
      try {
        name = String(JSON.parse(body).name ?? "").trim();
      } catch {}
      if (!name || name.length > 100) return send(res, 400, "application/json", '{"error":"invalid_request"}');
      const cookie = newSession(phoneSessions, "demo_phone", name);
      send(res, 200, "application/json", JSON.stringify({ user: name }), { "set-cookie": cookie });
    });
  }

  server.on("close", () => void qr.close());
  return { server, qr };
}
