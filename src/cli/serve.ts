import { networkInterfaces } from "node:os";
import { createDemoServer } from "../demo/app.ts";

/** `npm start`: the demo site on PORT (default 3000), its SQLite file under DATA_DIR (default ./data). */
const port = Number(process.env.PORT ?? 3000);
const dataDir = process.env.DATA_DIR ?? "./data";
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, got ${process.env.PORT}`);
  process.exit(1);
}
const origin = process.env.QRLOGIN_ORIGIN;
const { server, qr } = createDemoServer({ dataDir, qrlogin: origin ? { origin } : {} });

server.listen(port, () => {
  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  console.log(`qrlogin demo on http://localhost:${actual}  (data in ${dataDir})`);
  for (const nets of Object.values(networkInterfaces())) {
    for (const net of nets ?? []) {
      if (net.family === "IPv4" && !net.internal) console.log(`  on your network: http://${net.address}:${actual}`);
    }
  }
  console.log("Open it on the desktop; sign in on the phone at /qrlogin/a and scan, or type the code.");
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
