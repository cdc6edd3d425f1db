import { createQrLogin, type QrLogin } from "qrlogin";
import { SqliteStore } from "qrlogin/sqlite";
import { SESSION_COOKIE, startSession, userOf } from "./sessions";

function create(): QrLogin {
  return createQrLogin({
    store: new SqliteStore({ filename: process.env.QRLOGIN_DB ?? ".data/qrlogin.db" }),
    // Required in production: QR URLs point here. So is QRLOGIN_SECRET, which createQrLogin reads.
    origin: process.env.SITE_ORIGIN ?? "http://localhost:3000",
    // Route handlers get no socket address: Next.js (or the proxy in front) puts it in X-Forwarded-For.
    trustProxy: 1,
    approvalPage: { signInUrl: "/phone", siteName: "qrlogin on Next.js" },
    authenticateApprover: (req) => {
      const user = userOf(req.cookie(SESSION_COOKIE));
      return user ? { userId: user, displayName: user } : null;
    },
    issueSession: ({ userId }) => ({ setCookie: startSession(userId) }),
  });
}

// One instance per process, made on first use: `next build` loads route modules without serving them.
const shared = globalThis as { qrlogin?: QrLogin };

/** The app's qrlogin instance. */
export function qrlogin(): QrLogin {
  shared.qrlogin ??= create();
  return shared.qrlogin;
}
