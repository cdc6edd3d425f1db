// One qrlogin instance in a process of its own, for the multi-process tests (see harness.ts).
// Environment: QRLOGIN_STORE (a store setting, see openStore) and PORT (default 0: any free port);
// optionally QRLOGIN_LEASE_MS (a short redemption lease, the hook timeout two thirds of it),
// QRLOGIN_SESSIONS_FILE (the host's session store, keyed by request id: one line per issueSession
// call, `<request id> <user id> <pid>`) and QRLOGIN_CRASHES=1 (stop dead at the crash points that
// approvers named `crash-<point>-…` ask for; see crash-point.ts).
// Prints `listening <port>` once it serves, and `session <request id> <user id>` for each desktop it signs in;
// the session's body names the process that issued it (`issuedBy`), so a replayed one can be told apart.
// Rate limits are far above what the tests send, since every test client comes from 127.0.0.1.
import { appendFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createQrLogin, type QrLoginOptions } from "../../src/qrlogin.ts";
import { openStore } from "../../src/store/open-store.ts";
import { testHooks } from "../helpers/server.ts";
import { crashingStore, crashPointOf, stopDead } from "./crash-point.ts";

const spec = process.env.QRLOGIN_STORE;
if (!spec) throw new Error("QRLOGIN_STORE is required");
const { store, notifier } = await openStore(spec);
const crashes = process.env.QRLOGIN_CRASHES === "1";
const sessionsFile = process.env.QRLOGIN_SESSIONS_FILE;
const lease = Number(process.env.QRLOGIN_LEASE_MS ?? 0);
const hooks = testHooks((userId, request) => {
  if (sessionsFile) appendFileSync(sessionsFile, `${request.id} ${userId} ${process.pid}\n`);
  console.log(`session ${request.id} ${userId}`);
});
const unlimited = { max: 1_000_000, windowMs: 60_000 };
const qr = createQrLogin({
  store: crashes ? crashingStore(store) : store,
  notifier,
  ...hooks,
  issueSession: async (input) => {
    const session = { ...(await hooks.issueSession(input)) };
    session.body = { ...session.body, issuedBy: process.pid };
    // The host has stored the session (above) but the process dies before it answers.
    if (crashes && crashPointOf(input.request.approverId) === "in-hook") return stopDead("in-hook", input.request.id);
    return session;
  },
  ...(lease > 0 ? { lifetimes: { redemptionLease: lease }, hookTimeoutMs: Math.round((lease * 2) / 3) } : {}),
  limits: { createPerIp: unlimited, scanPerIp: unlimited, scanPerApprover: unlimited, scanGlobal: unlimited },
  logger: { warn: () => {}, error: (message: string, error: unknown) => console.error(message, error) },
} satisfies QrLoginOptions);
const server = createServer(qr.nodeHandler);
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  console.log(`listening ${(server.address() as AddressInfo).port}`);
});

process.once("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
  qr.close().then(() => process.exit(0));
});
