import { readFile } from "node:fs/promises";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { join } from "node:path";
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import { BUILT_IN, parseAcceptLanguage, pickLanguage } from "../browser/i18n/languages.ts";
import { parseCookies, serializeCookie } from "../http/incoming.ts";
import { createQrLogin, type QrLogin, type QrLoginOptions } from "../qrlogin.ts";
import { SqliteStore } from "../store/sqlite.ts";
import { AccountError, Accounts, type User } from "./accounts.ts";
import { openDemoDb } from "./demo-db.ts";
import { fromOwnOrigin, readJson, redirect, send, sendJson } from "./demo-http.ts";
import { accountPage, loginPage, phonePage } from "./pages.ts";
import { passkeyBlocker } from "./passkey-origin.ts";
import { Passkeys } from "./passkeys.ts";
import { type Session, Sessions, type SignInMethod } from "./sessions.ts";

/** Options of {@link createDemoServer}. */
export interface DemoOptions {
  /** Folder of the SQLite files (qrlogin's requests and the demo's accounts). */
  dataDir: string;
  /** Serve HTTPS with this key and certificate (a real phone's camera needs a secure page). */
  tls?: { key: string; cert: string };
  /** The LAN address the login page offers when opened on localhost, e.g. `http://192.168.1.5:3000`. */
  lanOrigin?: string;
  /** Passed on to `createQrLogin` (origin, lifetimes, store, notifier…). Default store: SQLite in `dataDir`. */
  qrlogin?: Partial<QrLoginOptions>;
  /**
   * Passkeys as proof of presence: whether the phone confirms approvals with its passkey (`preferred`:
   * when the account has one; `required`), and the login page offers passkey sign-in. `off` leaves
   * both out. Default `preferred`.
   */
  passkeys?: "required" | "preferred" | "off";
}

const SESSION_COOKIE = "demo_session";
const CEREMONY_COOKIE = "demo_ceremony";
/** The language picked on the demo's pages, for `<qr-login>` and the phone approval page. */
const LANG_COOKIE = "demo_lang";
const DEMO_ASSETS: Record<string, { file: string; type: string }> = {
  "/assets/phone.js": { file: "phone.js", type: "text/javascript" },
  "/assets/login.js": { file: "login.js", type: "text/javascript" },
  "/assets/demo.css": { file: "style.css", type: "text/css" },
};
const DIST = new URL("../../dist/demo/", import.meta.url);
/** How many alerts the account page lists. */
const RECENT_ALERTS = 5;

/** A same-site path to go to after signing in; anything else (another host, `//x`) becomes `fallback`. */
function safeNext(value: string | null, fallback: string): string {
  return value?.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\") ? value : fallback;
}

/** The language picked in the demo, else the first of the browser's that qrlogin has words for. */
function languageOf(req: IncomingMessage): string {
  const picked = parseCookies(req.headers.cookie).get(LANG_COOKIE);
  if (picked && Object.hasOwn(BUILT_IN, picked)) return picked;
  return pickLanguage(parseAcceptLanguage(req.headers["accept-language"]), Object.keys(BUILT_IN));
}

/**
 * The demo site: accounts with passkeys or passwords (SQLite), a desktop login page with
 * `<qr-login>` (QR, typed code, or a push to the account's phone), the library's phone approval
 * page, and an account page of alerts and linked devices.
 * @example createDemoServer({ dataDir: "./data" }).server.listen(3000);
 */
export function createDemoServer(options: DemoOptions): { server: Server; qr: QrLogin } {
  const db = openDemoDb(options.dataDir);
  const accounts = new Accounts(db);
  const sessions = new Sessions(db);
  const passkeys = new Passkeys(accounts, "qrlogin demo");
  const secure = options.tls !== undefined;
  const sessionOf = (cookieHeader: string | undefined): { session: Session; user: User } | undefined => {
    const session = sessions.find(parseCookies(cookieHeader).get(SESSION_COOKIE));
    const user = session && accounts.byId(session.userId);
    return session && user ? { session, user } : undefined;
  };
  const sessionCookie = (token: string, maxAge = 30 * 86_400) =>
    serializeCookie(SESSION_COOKIE, token, { path: "/", maxAge, secure, sameSite: "Lax" });

  const store = options.qrlogin?.store ?? new SqliteStore({ filename: join(options.dataDir, "qrlogin.db") });
  const passkeyApproval = options.passkeys ?? "preferred";
  const qr = createQrLogin({
    store,
    // A QR scanned from another network is flagged on the phone, not refused: home Wi-Fi and mobile
    // data differ all the time, and the demo is often tried that way.
    relayPolicy: "warn",
    // Push approval: the login page can ask an account's phone by its e-mail address.
    findUser: (login) => {
      const user = accounts.byEmail(login);
      return user ? { userId: user.id, displayName: user.email } : null;
    },
    approvalPage: {
      signInUrl: "/phone?next=/qrlogin/a",
      siteName: "qrlogin demo",
      lang: (req) => req.cookie(LANG_COOKIE),
    },
    // The phone's own passkeys (the accounts table) confirm approvals, and let a desktop sign in with one.
    approval:
      passkeyApproval === "off"
        ? undefined
        : {
            userVerification: passkeyApproval,
            credentials: (userId) => accounts.passkeysOf(userId),
            updateCounter: (id, counter) => accounts.updateCounter(id, counter),
            // The demo registers passkeys with the account id as their user handle.
            findUserByHandle: (handle) => {
              const user = accounts.byId(Buffer.from(handle, "base64url").toString("utf8"));
              return user ? { userId: user.id, displayName: user.email } : null;
            },
          },
    // Only a session signed in on the phone itself may approve: a desktop let in by QR cannot
    // let further devices in, so one relayed approval does not spread.
    authenticateApprover: (req) => {
      const found = sessionOf(req.header("cookie"));
      return found && found.session.via !== "qr" ? { userId: found.user.id, displayName: found.user.email } : null;
    },
    issueSession: ({ userId, request, grant }) => {
      const { location } = request.requester as { location?: unknown };
      const token = sessions.start(userId, "qr", {
        ...request.requester,
        location: typeof location === "string" ? location : null,
      });
      // A device of the RFC 8628 flow (`qrlogin login`) keeps no cookies: it gets the session's token.
      if (grant === "device_code") return { body: { access_token: token } };
      return { setCookie: sessionCookie(token) };
    },
    ...options.qrlogin,
  });

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    route(req, res).catch((error) => {
      console.error("demo: unexpected error", error);
      if (!res.headersSent) send(res, 500, "text/plain", "Something went wrong.");
      else res.end();
    });
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", `${secure ? "https" : "http"}://${req.headers.host ?? "localhost"}`);
    const path = url.pathname;
    const found = sessionOf(req.headers.cookie);
    const lang = languageOf(req);
    if (req.method === "GET") {
      if (path === "/") {
        // A device signed out from the phone is told so once; its stale cookie goes.
        const token = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
        const signedOutFromPhone = !found && sessions.revokedLinked(token);
        const page = loginPage({
          origin: url.origin,
          user: found?.user.email,
          lanOrigin: options.lanOrigin,
          lang,
          signedOutFromPhone,
        });
        return send(res, 200, "text/html", page, signedOutFromPhone ? { "set-cookie": sessionCookie("", 0) } : {});
      }
      if (path === "/phone") {
        const next = safeNext(url.searchParams.get("next"), "/phone");
        return send(
          res,
          200,
          "text/html",
          phonePage({ user: found?.user.email, next, lang, passkeyBlocker: passkeyBlocker(url) }),
        );
      }
      if (path === "/lang") {
        const to = url.searchParams.get("to") ?? "";
        const cookie = serializeCookie(LANG_COOKIE, to, { path: "/", maxAge: 365 * 86_400, secure, sameSite: "Lax" });
        const back = safeNext(url.searchParams.get("back"), "/");
        return redirect(res, back, Object.hasOwn(BUILT_IN, to) ? { "set-cookie": cookie } : {});
      }
      if (path === "/account") {
        if (!found) return redirect(res, "/");
        const revoked = url.searchParams.get("revoked");
        return send(
          res,
          200,
          "text/html",
          accountPage({
            lang,
            user: found.user.email,
            current: found.session,
            alerts: await qr.flows.listAlerts(found.user.id, RECENT_ALERTS),
            devices: sessions.linkedDevices(found.user.id),
            revoked: revoked === null ? undefined : Number(revoked) || 0,
          }),
        );
      }
      if (path === "/metrics" && options.qrlogin?.metrics) {
        const page = await qr.metrics();
        return send(res, 200, "text/plain", page.body, { "content-type": page.contentType });
      }
      const asset = DEMO_ASSETS[path];
      if (asset) {
        const body = await readFile(new URL(asset.file, DIST)).catch(() => null);
        if (!body) return send(res, 503, "text/plain", "Demo bundles are not built; run `npm run build`.");
        return send(res, 200, asset.type, body, { "cache-control": "no-cache" });
      }
    }
    if (req.method === "POST" && !path.startsWith("/qrlogin/")) {
      if (!fromOwnOrigin(req, url.origin))
        return sendJson(res, 403, { error: "Requests from other sites are refused." });
      return post(req, res, path, url, found);
    }
    qr.nodeHandler(req, res, () => send(res, 404, "text/plain", "Not found."));
  }

  async function post(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    url: URL,
    found: ReturnType<typeof sessionOf>,
  ) {
    const signedIn = (user: User, via: SignInMethod) => {
      const token = sessions.start(user.id, via);
      sendJson(res, 200, { user: user.email }, { "set-cookie": sessionCookie(token) });
    };
    const ceremonyCookie = (value: string, maxAge: number) =>
      serializeCookie(CEREMONY_COOKIE, value, { path: "/demo/passkey", maxAge, secure });
    const ceremony = () => parseCookies(req.headers.cookie).get(CEREMONY_COOKIE);
    const rpID = url.hostname;
    try {
      // Said before any ceremony starts: the browser would refuse it with a bare "invalid domain".
      const blocked = path.startsWith("/demo/passkey/") ? passkeyBlocker(url) : null;
      if (blocked) throw new AccountError(blocked);
      switch (path) {
        case "/demo/signup/password": {
          const body = (await readJson(req)) ?? {};
          return signedIn(await accounts.create(String(body.email ?? ""), String(body.password ?? "")), "password");
        }
        case "/demo/signin/password": {
          const body = (await readJson(req)) ?? {};
          return signedIn(
            await accounts.checkPassword(String(body.email ?? ""), String(body.password ?? "")),
            "password",
          );
        }
        case "/demo/passkey/register/options": {
          const body = (await readJson(req)) ?? {};
          const started = await passkeys.startRegistration(String(body.email ?? ""), rpID);
          return sendJson(res, 200, started.options, { "set-cookie": ceremonyCookie(started.ceremony, 300) });
        }
        case "/demo/passkey/register/verify": {
          const body = (await readJson(req, 65_536)) as RegistrationResponseJSON | undefined;
          if (!body) throw new AccountError("The passkey answer was not readable. Try again.");
          return signedIn(await passkeys.finishRegistration(ceremony(), body, url.origin, rpID), "passkey");
        }
        case "/demo/passkey/login/options": {
          const started = await passkeys.startAuthentication(rpID);
          return sendJson(res, 200, started.options, { "set-cookie": ceremonyCookie(started.ceremony, 300) });
        }
        case "/demo/passkey/login/verify": {
          const body = (await readJson(req, 65_536)) as AuthenticationResponseJSON | undefined;
          if (!body) throw new AccountError("The passkey answer was not readable. Try again.");
          return signedIn(await passkeys.finishAuthentication(ceremony(), body, url.origin, rpID), "passkey");
        }
        case "/signout": {
          const token = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
          if (token) sessions.end(token);
          return redirect(res, found?.session.via === "qr" ? "/" : "/phone", { "set-cookie": sessionCookie("", 0) });
        }
        case "/account/devices/revoke-all": {
          if (!found) return redirect(res, "/");
          return redirect(res, `/account?revoked=${sessions.revokeAllLinked(found.user.id)}`);
        }
      }
      const revoke = /^\/account\/devices\/([A-Za-z0-9_-]{1,64})\/revoke$/.exec(path);
      if (revoke?.[1]) {
        if (!found) return redirect(res, "/");
        return redirect(res, `/account?revoked=${sessions.revokeLinked(found.user.id, revoke[1]) ? 1 : 0}`);
      }
      return send(res, 404, "text/plain", "Not found.");
    } catch (error) {
      if (error instanceof AccountError) return sendJson(res, 400, { error: error.message });
      throw error;
    }
  }

  const server = options.tls ? createHttpsServer(options.tls, handler) : createHttpServer(handler);
  server.on("close", () => {
    void qr.close().finally(() => db.close());
  });
  return { server, qr };
}
