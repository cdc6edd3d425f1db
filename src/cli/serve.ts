import { networkInterfaces } from "node:os";
import { join } from "node:path";
import encodeQR from "qr";
import { createDemoServer } from "../demo/app.ts";
import { selfSignedCertificate } from "../demo/self-signed.ts";
import { applyServerTimeouts } from "../http/server-timeouts.ts";
import { lineLogger } from "../observability/logging.ts";
import { openStore } from "../store/open-store.ts";
import { CliError } from "./exit-codes.ts";

/** Options of {@link serve}, as `qrlogin serve` parses them (flags first, then environment variables). */
export interface ServeOptions {
  /** 0 picks a free port, printed once listening. */
  port: number;
  /** The address to listen on; every interface when omitted. */
  host?: string;
  /** The demo's accounts and, by default, the SQLite store live here. */
  dataDir: string;
  /** A store setting (`sqlite:path`, `redis://…`, `postgres://…`); SQLite in `dataDir` when omitted. */
  store?: string;
  /** The public origin, when the demo sits behind a proxy or a name of its own. */
  origin?: string;
  /** Serve a self-signed certificate, so that a real phone's camera works on the LAN. */
  https: boolean;
  /** Serve RFC 8628 at `/qrlogin/oauth/…`, for `qrlogin login`. */
  deviceFlow: boolean;
  /** Seconds between a device's polls. */
  deviceInterval: number;
}

const WILDCARDS = new Set(["0.0.0.0", "::", "[::]"]);

/**
 * `qrlogin serve`: the demo site (accounts with passkeys or passwords, the login page with its QR,
 * the phone's approval page) on one port, until Ctrl-C.
 * @throws CliError when the store cannot be opened or the port cannot be listened on.
 */
export async function serve(options: ServeOptions): Promise<void> {
  const { port, host, dataDir } = options;
  const everywhere = host === undefined || WILDCARDS.has(host);
  // The LAN addresses are only worth offering when the server listens on them.
  const lanAddresses = everywhere
    ? Object.values(networkInterfaces())
        .flat()
        .filter((net) => net?.family === "IPv4" && !net.internal)
        .map((net) => net?.address as string)
    : [];
  const scheme = options.https ? "https" : "http";
  const lanOrigin = lanAddresses[0] ? `${scheme}://${lanAddresses[0]}:${port}` : undefined;
  const tls = options.https
    ? selfSignedCertificate(join(dataDir, "tls"), [
        "localhost",
        "127.0.0.1",
        ...lanAddresses,
        ...(host && !everywhere ? [host] : []),
      ])
    : undefined;
  let opened: Awaited<ReturnType<typeof openStore>>;
  try {
    opened = await openStore(options.store || `sqlite:${join(dataDir, "qrlogin.db")}`);
  } catch (error) {
    throw new CliError(`Cannot open the store: ${(error as Error).message}`);
  }
  const { store, notifier, describe } = opened;
  // A terminal gets lines to read; anything else (a file, a pipe, a container's log) JSON lines to parse.
  const logger = lineLogger({ format: process.stdout.isTTY ? "text" : "json" });
  // prom-client is an optional peer dependency: without it, the demo runs without /metrics.
  const metrics = await import("prom-client").then(
    () => true,
    () => false,
  );
  const { server, qr } = createDemoServer({
    dataDir,
    tls,
    lanOrigin,
    qrlogin: {
      store,
      notifier,
      logger,
      metrics,
      ...(options.origin ? { origin: options.origin } : {}),
      ...(options.deviceFlow ? { deviceFlow: { interval: options.deviceInterval } } : {}),
    },
  });
  // Slow or silent clients are cut; event streams (heartbeats) and long-polls are not.
  applyServerTimeouts(server);

  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      void qr.close().finally(() => reject(listenError(error, port, host)));
    });
    server.listen(port, host, resolve);
  });

  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  const shownHost = !host || everywhere ? "localhost" : host.includes(":") ? `[${host}]` : host;
  const local = `${scheme}://${shownHost}:${actual}`;
  const phoneUrl = lanOrigin ? `${lanOrigin.replace(`:${port}`, `:${actual}`)}/phone` : undefined;
  console.log(`\nqrlogin demo on ${local}  (data in ${dataDir}; store: ${describe})\n`);
  console.log(metrics ? `Metrics: ${local}/metrics\n` : "Metrics: off (npm install prom-client to serve /metrics)\n");
  console.log("1. On your phone, open the demo and create an account:");
  if (phoneUrl) {
    console.log(`   ${phoneUrl}\n`);
    console.log(encodeQR(phoneUrl, "term"));
    console.log(`2. On this computer, open ${phoneUrl.replace(/\/phone$/, "/")} and scan its QR code with the phone.`);
  } else {
    const why = everywhere ? "no network found" : `listening on ${shownHost} only`;
    console.log(`   (${why}: use a private window as the phone) ${local}/phone`);
    console.log(`2. Open ${local}/ and type its code on the "phone".`);
  }
  if (!options.https) {
    console.log(
      "   A phone's in-page camera needs HTTPS: run `npm start -- --https` for that (typing the code always works).",
    );
  } else {
    console.log("   The certificate is self-signed: accept the browser's warning once on each device.");
  }
  if (options.deviceFlow) {
    // From a checkout (run through tsx) the command is an npm script; from an install, the package's bin.
    const command = import.meta.url.endsWith(".ts") ? "npm run qrlogin --" : "npx qrlogin";
    console.log(`3. Or sign a terminal in: ${command} login ${local}`);
  }

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
}

/** A failed `listen` in one line that says what to do, rather than a stack trace. */
function listenError(error: NodeJS.ErrnoException, port: number, host: string | undefined): CliError {
  const where = host === undefined ? `port ${port}` : `${host} port ${port}`;
  switch (error.code) {
    case "EADDRINUSE":
      return new CliError(
        `Cannot listen on ${where}: it is already in use. Stop what holds it, or pick another with --port.`,
      );
    case "EACCES":
      return new CliError(
        `Cannot listen on ${where}: permission denied (ports below 1024 need privileges). Pick another with --port.`,
      );
    case "EADDRNOTAVAIL":
    case "ENOTFOUND":
      return new CliError(
        `Cannot listen on ${where}: ${host} is not an address of this machine. Pick another with --host.`,
      );
    default:
      return new CliError(`Cannot listen on ${where}: ${error.message}`);
  }
}
