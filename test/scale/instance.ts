// One qrlogin instance in a process of its own, for the multi-process tests (see harness.ts).
// Environment: QRLOGIN_STORE (a store setting, see openStore) and PORT (default 0: any free port).
// Prints `listening <port>` once it serves, and `session <request id> <user id>` for each desktop it signs in.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createQrLogin } from "../../src/qrlogin.ts";
import { openStore } from "../../src/store/open-store.ts";
import { testHooks } from "../helpers/server.ts";

const spec = process.env.QRLOGIN_STORE;
if (!spec) throw new Error("QRLOGIN_STORE is required");
const { store, notifier } = await openStore(spec);
const qr = createQrLogin({
  store,
  notifier,
  ...testHooks((userId, request) => console.log(`session ${request.id} ${userId}`)),
  logger: { warn: () => {}, error: (message: string, error: unknown) => console.error(message, error) },
});
const server = createServer(qr.nodeHandler);
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  console.log(`listening ${(server.address() as AddressInfo).port}`);
});

process.once("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
  qr.close().then(() => process.exit(0));
});
