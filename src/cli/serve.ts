import cluster from "node:cluster";
import { randomBytes } from "node:crypto";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import encodeQR from "qr";
import { createDemoServer } from "../demo/app.ts";
import { openDemoDb } from "../demo/demo-db.ts";
import { selfSignedCertificate } from "../demo/self-signed.ts";
import { limitConnections } from "../http/open-files.ts";
import { applyServerTimeouts } from "../http/server-timeouts.ts";
import { lineLogger } from "../observability/logging.ts";
import { IpcNotifier } from "../store/ipc-notifier.ts";
import { openStore, parseStoreSpec } from "../store/open-store.ts";
import { CliError } from "./exit-codes.ts";
import { reportReady, superviseWorkers } from "./workers.ts";

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
  /** Worker processes sharing the port (node:cluster); 1 serves from this process. */
  workers: number;
}

/** What the banner says, once listening; a worker sends it to the primary, which prints it once. */
interface Listening {
  local: string;
  phoneUrl: string | undefined;
  /** Why there is no phone URL, when there is none. */
  noPhoneUrl: string;
  dataDir: string;
  describe: string;
  metrics: boolean;
  https: boolean;
  deviceFlow: boolean;
  workers: number;
}

const WILDCARDS = new Set(["0.0.0.0", "::", "[::]"]);

/**
 * `qrlogin serve`: the demo site (accounts with passkeys or passwords, the login page with its QR,
 * the phone's approval page) on one port, until Ctrl-C.
 * @throws CliError when the store cannot be opened or the port cannot be listened on.
 */
export async function serve(options: ServeOptions): Promise<void> {
  if (options.workers > 1 && cluster.isPrimary) {
    printBanner(await serveFromWorkers(options));
    return;
  }
  const listening = await listen(options);
  if (cluster.isWorker) reportReady(listening);
  else printBanner(listening);
}

/**
 * The primary of `--workers N`: refuses a store the workers cannot share, makes what they would
 * otherwise race to make (the demo's database, the certificate, the deployment secret), then forks them.
 */
async function serveFromWorkers(options: ServeOptions): Promise<Listening> {
  const spec = parseStoreSpec(storeSetting(options));
  if (spec.kind === "sqlite" && spec.filename === ":memory:") {
    throw new CliError(
      `--workers ${options.workers} needs a store the workers share: a SQLite file, Redis or PostgreSQL, not sqlite::memory: (each worker would have its own).`,
    );
  }
  openDemoDb(options.dataDir).close();
  listenPlan(options);
  // The workers are one deployment: without a secret of the host's, they share one made up here.
  process.env.QRLOGIN_SECRET ||= randomBytes(32).toString("base64url");
  return superviseWorkers<Listening>({ count: options.workers, log: (line) => console.error(line) });
}

/** The store setting: `--store`, else the SQLite file in the data folder. */
const storeSetting = (options: ServeOptions) => options.store || `sqlite:${join(options.dataDir, "qrlogin.db")}`;

/** The LAN addresses worth offering, and the certificate for them with `--https` (made once, then reused). */
function listenPlan({ port, host, dataDir, https }: ServeOptions) {
  const everywhere = host === undefined || WILDCARDS.has(host);
  // The LAN addresses are only worth offering when the server listens on them.
  const lanAddresses = everywhere
    ? Object.values(networkInterfaces())
        .flat()
        .filter((net) => net?.family === "IPv4" && !net.internal)
        .map((net) => net?.address as string)
    : [];
  const scheme = https ? "https" : "http";
  const lanOrigin = lanAddresses[0] ? `${scheme}://${lanAddresses[0]}:${port}` : undefined;
  const tls = https
    ? selfSignedCertificate(join(dataDir, "tls"), [
        "localhost",
        "127.0.0.1",
        ...lanAddresses,
        ...(host && !everywhere ? [host] : []),
      ])
    : undefined;
  return { everywhere, scheme, lanOrigin, tls };
}

/** Opens the store and listens: the whole server in one process, or one worker's share of it. */
async function listen(options: ServeOptions): Promise<Listening> {
  const { port, host, dataDir } = options;
  const { everywhere, scheme, lanOrigin, tls } = listenPlan(options);
  const setting = storeSetting(options);
  let opened: Awaited<ReturnType<typeof openStore>>;
  try {
    opened = await openStore(setting);
  } catch (error) {
    throw new CliError(`Cannot open the store: ${(error as Error).message}`);
  }
  const { store, describe } = opened;
  // Workers on one SQLite file hear each other's changes through the primary; Redis and PostgreSQL carry their own.
  let { notifier } = opened;
  if (cluster.isWorker && parseStoreSpec(setting).kind === "sqlite") {
    await notifier.close();
    notifier = new IpcNotifier();
  }
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
  // Connections past the open files are refused at once (handed to another worker) rather than failing or hanging.
  limitConnections(server);

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

  let closing = false;
  const close = () => {
    closing = true;
    server.close();
    server.closeAllConnections();
    qr.close().then(() => process.exit(0));
  };
  if (cluster.isWorker) {
    // The primary decides, and kills a worker that drains too long: it passes SIGTERM on (also for a
    // Ctrl-C, which the whole terminal group gets), and a worker whose primary is gone stops too.
    const once = () => {
      if (!closing) close();
    };
    process.on("SIGINT", () => {});
    process.on("SIGTERM", once);
    process.on("disconnect", once);
  } else {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.on(signal, () => {
        if (closing) process.exit(1);
        console.log("closing…");
        close();
      });
    }
  }
  return {
    local,
    phoneUrl,
    noPhoneUrl: everywhere ? "no network found" : `listening on ${shownHost} only`,
    dataDir,
    describe,
    metrics,
    https: options.https,
    deviceFlow: options.deviceFlow,
    workers: options.workers,
  };
}

/** The banner of a listening demo: where it is, and how to try it with a phone. */
function printBanner(listening: Listening): void {
  const { local, phoneUrl, noPhoneUrl, dataDir, describe, metrics, https, deviceFlow, workers } = listening;
  const served = workers > 1 ? `; ${workers} worker processes` : "";
  console.log(`\nqrlogin demo on ${local}  (data in ${dataDir}; store: ${describe}${served})\n`);
  console.log(metrics ? `Metrics: ${local}/metrics\n` : "Metrics: off (npm install prom-client to serve /metrics)\n");
  console.log("1. On your phone, open the demo and create an account:");
  if (phoneUrl) {
    console.log(`   ${phoneUrl}\n`);
    console.log(encodeQR(phoneUrl, "term"));
    console.log(`2. On this computer, open ${phoneUrl.replace(/\/phone$/, "/")} and scan its QR code with the phone.`);
  } else {
    console.log(`   (${noPhoneUrl}: use a private window as the phone) ${local}/phone`);
    console.log(`2. Open ${local}/ and type its code on the "phone".`);
  }
  if (!https) {
    console.log(
      "   A phone's in-page camera needs HTTPS: run `npm start -- --https` for that (typing the code always works).",
    );
  } else {
    console.log("   The certificate is self-signed: accept the browser's warning once on each device.");
  }
  if (deviceFlow) {
    // From a checkout (run through tsx) the command is an npm script; from an install, the package's bin.
    const command = import.meta.url.endsWith(".ts") ? "npm run qrlogin --" : "npx qrlogin";
    console.log(`3. Or sign a terminal in: ${command} login ${local}`);
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
