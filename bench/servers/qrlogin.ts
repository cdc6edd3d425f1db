// The qrlogin server the benchmarks drive: createQrLogin over SQLite (one instance) or Redis (one of
// several instances), with the test hooks of test/helpers/server.ts — the phone's user comes from a
// header, a redeemed desktop gets a session token. Prints one JSON line `{ ready, port, pid, workers }`
// once it listens. With `--workers N`, N node:cluster workers share the port (and, on SQLite, carry
// changes over IPC, as `qrlogin serve --workers` does); on SIGUSR2 each process writes its event-loop
// delay and memory to `<--stats-dir>/<pid>.json` (after a GC when run with --expose-gc, unless the
// file `<--stats-dir>/gc` says `off`) and starts its delay histogram again, measuring only while the
// file `<--stats-dir>/loop` says `on` (its timer costs each process ~0.4 % of a core, which a CPU
// measurement must not count). The file also tells when the process last ran a full GC, and how
// many it has run, so the bench can wait for the GCs its own forced one sets off (V8's memory reducer
// follows a full GC with up to three more ~8 s later) to pass before it measures, and its GC pauses
// since the last report (the forced GC's own among them when there was one). Loopback only.
import cluster from "node:cluster";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { constants, monitorEventLoopDelay, PerformanceObserver, performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { reportReady, superviseWorkers } from "../../src/cli/workers.ts";
import { limitConnections } from "../../src/http/open-files.ts";
import { createQrLogin } from "../../src/qrlogin.ts";
import { IpcNotifier } from "../../src/store/ipc-notifier.ts";
import type { LoginStore, Notifier } from "../../src/store/login-store.ts";
import { RedisNotifier, RedisStore } from "../../src/store/redis.ts";
import { SqliteStore } from "../../src/store/sqlite.ts";

/** The header the bench approver hook reads, as in test/helpers/server.ts. */
export const BENCH_USER_HEADER = "x-bench-user";

const { values } = parseArgs({
  options: {
    store: { type: "string", default: "sqlite" },
    sqlite: { type: "string", default: ":memory:" },
    redis: { type: "string", default: "redis://127.0.0.1:6379" },
    prefix: { type: "string", default: "qrlogin-bench:" },
    port: { type: "string", default: "0" },
    // Waiting desktops must outlive a whole run; their QR's period is the default 20 s unless told.
    "pending-ms": { type: "string", default: String(30 * 60_000) },
    "scan-token-ms": { type: "string", default: "20000" },
    workers: { type: "string", default: "1" },
    "stats-dir": { type: "string" },
  },
});

const workers = Number(values.workers);
const statsDir = values["stats-dir"];
// Every process of the server answers SIGUSR2 with its numbers, the primary included.
// Its histogram holds whole timer intervals: the delay is what exceeds the resolution.
const RESOLUTION_MS = 10;
const loopDelay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
const fullGcs = { count: 0, lastAt: performance.now() };
/** The GC pauses of this process since its last report: how many, their sum and the longest, in ms. */
let gcPauses = { count: 0, totalMs: 0, maxMs: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcPauses.count++;
    gcPauses.totalMs += entry.duration;
    gcPauses.maxMs = Math.max(gcPauses.maxMs, entry.duration);
    if ((entry as { detail?: { kind?: number } }).detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
    fullGcs.count++;
    fullGcs.lastAt = performance.now();
  }
}).observe({ entryTypes: ["gc"] });
const said = (file: string) =>
  statsDir && existsSync(join(statsDir, file)) ? readFileSync(join(statsDir, file), "utf8") : "";
process.on("SIGUSR2", () => {
  if (said("gc") !== "off") (globalThis as { gc?: () => void }).gc?.();
  const ms = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
  const stats = {
    pid: process.pid,
    loop: { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) },
    memory: process.memoryUsage(),
    fullGcs: fullGcs.count,
    msSinceFullGc: performance.now() - fullGcs.lastAt,
    gcPauses,
  };
  loopDelay.reset();
  gcPauses = { count: 0, totalMs: 0, maxMs: 0 };
  if (!statsDir) return;
  if (said("loop") === "on") loopDelay.enable();
  else loopDelay.disable();
  writeFileSync(join(statsDir, `${process.pid}.json`), JSON.stringify(stats));
});

if (workers > 1 && cluster.isPrimary) {
  const { port } = await superviseWorkers<{ port: number }>({ count: workers, log: (line) => console.error(line) });
  const pids = Object.values(cluster.workers ?? {}).map((worker) => worker?.process.pid);
  process.stdout.write(`${JSON.stringify({ ready: true, port, pid: process.pid, workers: pids })}\n`);
} else {
  await serveHere();
}

/** One server process: the whole server, or one worker's share of it. */
async function serveHere() {
  let store: LoginStore;
  let notifier: Notifier | undefined;
  if (values.store === "redis") {
    store = new RedisStore({ url: values.redis, prefix: values.prefix });
    notifier = new RedisNotifier({ url: values.redis, prefix: values.prefix });
  } else if (values.store === "sqlite") {
    store = new SqliteStore({ filename: values.sqlite });
    if (cluster.isWorker) notifier = new IpcNotifier();
  } else {
    throw new Error(`unknown --store ${values.store}`);
  }

  const scanToken = Number(values["scan-token-ms"]);
  const qr = createQrLogin({
    store,
    notifier,
    origin: "http://127.0.0.1",
    // The processes of a run are one deployment: each reads the QR codes the others made.
    secret: process.env.QRLOGIN_SECRET ?? "the benchmark's deployment secret, shared by its processes",
    // All load comes from one address and one phone user: the limits stay in force (their cost is
    // measured) but high.
    maxStreamsPerIp: 1e9,
    limits: Object.fromEntries(
      (["createPerIp", "scanPerIp", "scanPerApprover", "scanGlobal"] as const).map((name) => [
        name,
        { max: 1e9, windowMs: 60_000 },
      ]),
    ),
    lifetimes: { pending: Number(values["pending-ms"]), scanToken, scanTokenGrace: Math.min(5_000, scanToken) },
    authenticateApprover: (req) => {
      const user = req.header(BENCH_USER_HEADER);
      return user ? { userId: user, displayName: `${user}@example.com` } : null;
    },
    issueSession: ({ userId }) => ({ body: { token: `${userId}.${randomBytes(16).toString("base64url")}` } }),
    logger: { warn: () => {}, error: (message: string, error: unknown) => console.error(message, error) },
  });

  const server = createServer(qr.nodeHandler);
  // 10,000 idle streams must not be cut by node's request/headers timeouts.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 60_000;
  // As `qrlogin serve`: a worker out of connections hands new ones back to the primary.
  limitConnections(server);
  server.listen(Number(values.port), "127.0.0.1", () => {
    const { port } = server.address() as AddressInfo;
    if (cluster.isWorker) reportReady({ port });
    else process.stdout.write(`${JSON.stringify({ ready: true, port, pid: process.pid, workers: [] })}\n`);
  });

  const stop = () => {
    server.closeAllConnections();
    server.close();
    qr.close().finally(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
