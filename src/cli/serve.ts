import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import encodeQR from "qr";
import { createDemoServer } from "../demo/app.ts";
import { selfSignedCertificate } from "../demo/self-signed.ts";
import { applyServerTimeouts } from "../http/server-timeouts.ts";
import { openStore } from "../store/open-store.ts";

/**
 * `npm start [-- --https]`: the demo site on PORT (default 3000), its SQLite files under DATA_DIR
 * (default ./data). `--https` serves a self-signed certificate so a real phone's camera works on the LAN.
 * QRLOGIN_STORE picks the store (`sqlite:path`, `redis://…`, `postgres://…`); SQLite by default.
 */
const { values } = parseArgs({ options: { https: { type: "boolean", default: false } } });
const port = Number(process.env.PORT ?? 3000);
const dataDir = process.env.DATA_DIR ?? "./data";
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, got ${process.env.PORT}`);
  process.exit(1);
}
const lanAddresses = Object.values(networkInterfaces())
  .flat()
  .filter((net) => net?.family === "IPv4" && !net.internal)
  .map((net) => net?.address as string);
const scheme = values.https ? "https" : "http";
const origin = process.env.QRLOGIN_ORIGIN;
const lanOrigin = lanAddresses[0] ? `${scheme}://${lanAddresses[0]}:${port}` : undefined;
const tls = values.https
  ? selfSignedCertificate(join(dataDir, "tls"), ["localhost", "127.0.0.1", ...lanAddresses])
  : undefined;
let opened: Awaited<ReturnType<typeof openStore>>;
try {
  opened = await openStore(process.env.QRLOGIN_STORE ?? `sqlite:${join(dataDir, "qrlogin.db")}`);
} catch (error) {
  console.error(`Cannot open the store: ${(error as Error).message}`);
  process.exit(1);
}
const { store, notifier, describe } = opened;
const { server, qr } = createDemoServer({
  dataDir,
  tls,
  lanOrigin,
  qrlogin: { store, notifier, ...(origin ? { origin } : {}) },
});
// Slow or silent clients are cut; event streams (heartbeats) and long-polls are not.
applyServerTimeouts(server);

server.listen(port, () => {
  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  const phoneUrl = lanOrigin ? `${lanOrigin.replace(`:${port}`, `:${actual}`)}/phone` : undefined;
  console.log(`\nqrlogin demo on ${scheme}://localhost:${actual}  (data in ${dataDir}; store: ${describe})\n`);
  console.log("1. On your phone, open the demo and create an account:");
  if (phoneUrl) {
    console.log(`   ${phoneUrl}\n`);
    console.log(encodeQR(phoneUrl, "term"));
    console.log(`2. On this computer, open ${phoneUrl.replace(/\/phone$/, "/")} and scan its QR code with the phone.`);
  } else {
    console.log(`   (no network found: use a private window as the phone) ${scheme}://localhost:${actual}/phone`);
    console.log(`2. Open ${scheme}://localhost:${actual}/ and type its code on the "phone".`);
  }
  if (!values.https) {
    console.log(
      "   A phone's in-page camera needs HTTPS: run `npm start -- --https` for that (typing the code always works).",
    );
  } else {
    console.log("   The certificate is self-signed: accept the browser's warning once on each device.");
  }
});

let closing = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (closing) process.exit(1);
    closing = true;
    console.log("closing…");
    server.close();
    server.closeAllConnections();
    qr.close().then(() => process.exit(0));
  });
}
