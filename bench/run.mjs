// `npm run bench [-- --quick] [-- --only=latency,capacity,throughput,waiting100k] [-- --runs=N]`
// `npm run bench -- --only=waiting100k [--desktops=N] [--workers=N]`
//
// Measures qrlogin's approval-to-signed-in latency, the capacity of one instance for waiting
// desktops, 100,000 desktops waiting on one machine's worker processes, and its request-creation
// throughput, side by side with two polling RFC 8628 peers
// (better-auth's device-authorization plugin, node-oidc-provider's device flow). Prints the tables
// and writes BENCHMARKS.md (a --quick run writes bench/results/quick.md instead). Everything runs
// on 127.0.0.1; every loop is bounded in count and time.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { percentile, sleep } from "./lib/http.mjs";
import { cpuSeconds, rssBytes, startLoad, startRedis, startServer } from "./lib/procs.mjs";

const ROOT = new URL("../", import.meta.url).pathname;
const BENCH = new URL("./", import.meta.url).pathname;

const ALL_PARTS = "latency,capacity,throughput,waiting100k";
const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string", default: ALL_PARTS },
    runs: { type: "string" },
    // The waiting100k row's size and worker count (default: 100,000, or 5,000 with --quick; one worker per 17,000).
    desktops: { type: "string" },
    workers: { type: "string" },
    "redis-port": { type: "string", default: "6391" },
    // Writes BENCHMARKS.md from saved results instead of measuring: each part from the first file that
    // has it (a long run interrupted after some parts, and the rest measured on their own).
    report: { type: "string", multiple: true },
    // With --report: how the saved results were measured, for the file's first line.
    commands: { type: "string" },
  },
});
const QUICK = flags.quick;
const ONLY = new Set(flags.only.split(","));

/** Every size and duration of a run; --quick shrinks them to a smoke test under a minute. */
const PLAN = QUICK
  ? {
      runs: 1,
      samples: 30,
      warmSamples: 5,
      gapMs: 0,
      waiting: [500],
      spreadMs: 500,
      idleSeconds: 3,
      peerIntervals: [1_000],
      peerSamples: { 1000: 8, 5000: 8 },
      peerConcurrency: 8,
      peerWaiting: 300,
      capacityPeers: ["oidc-provider"],
      pollerDeadlineMs: 10_000,
      settleMs: 1_000,
      throughputSeconds: 2,
      warmupSeconds: 1,
      manyDesktops: 5_000,
      manyIdleSeconds: 10,
      manySamples: 50,
    }
  : {
      runs: 3,
      samples: 300,
      warmSamples: 20,
      // Sign-ins paced 50 ms apart, so that the waiting desktops' heartbeats fall among them.
      gapMs: 50,
      waiting: [1_000, 10_000],
      // Waiting desktops open over one QR period, so their heartbeats fall evenly, as in real use.
      spreadMs: 20_000,
      idleSeconds: 60,
      peerIntervals: [5_000, 1_000],
      peerSamples: { 1000: 60, 5000: 60 },
      peerConcurrency: 20,
      peerWaiting: 10_000,
      capacityPeers: ["oidc-provider", "better-auth"],
      pollerDeadlineMs: 60_000,
      settleMs: 5_000,
      throughputSeconds: 10,
      warmupSeconds: 1,
      manyDesktops: 100_000,
      // More than a heartbeat interval (45 s); heartbeats go out a slice a second, evenly.
      manyIdleSeconds: 60,
      // A p99 of 600 sign-ins is their 6th slowest, not their 3rd.
      manySamples: 600,
    };
if (flags.runs) PLAN.runs = Number(flags.runs);
if (flags.desktops) PLAN.manyDesktops = Number(flags.desktops);

const work = mkdtempSync(join(tmpdir(), "qrlogin-bench-"));
const log = (message) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

// ---------------------------------------------------------------- setup

function ensurePeersInstalled() {
  if (
    existsSync(join(BENCH, "node_modules", "oidc-provider")) &&
    existsSync(join(BENCH, "node_modules", "better-auth"))
  )
    return;
  log("installing the peers into bench/node_modules (npm ci)");
  const result = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: BENCH, stdio: "inherit" });
  if (result.status !== 0) throw new Error("npm ci in bench/ failed");
}

function machine() {
  const lscpu = spawnSync("lscpu", [], { encoding: "utf8" }).stdout ?? "";
  const model = /Model name:\s*(.+)/.exec(lscpu)?.[1]?.trim() ?? cpus()[0]?.model ?? "unknown";
  const commit = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).stdout?.trim();
  const wrk = spawnSync("wrk", ["--version"], { encoding: "utf8" });
  const redis = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  return {
    model,
    cores: cpus().length,
    ramGiB: (totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    commit: commit || "unknown",
    wrk: wrk.status === null ? null : (`${wrk.stdout}${wrk.stderr}`.match(/wrk \S+/)?.[0] ?? "wrk"),
    redis: redis.status === null ? null : (/v=(\S+)/.exec(redis.stdout)?.[1] ?? "redis"),
    openFiles: spawnSync("sh", ["-c", 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; ulimit -n'], {
      encoding: "utf8",
    }).stdout.trim(),
    date: new Date().toISOString(),
  };
}

// ---------------------------------------------------------------- servers

/**
 * The qrlogin server as one JavaScript file, as a build would run it: under tsx, esbuild's `keepNames`
 * gives every function a `name` property of its own, which cost about 3 KB per open stream.
 */
const QRLOGIN_SERVER = join(BENCH, "results", "qrlogin-server.mjs");
let serverBuilt = false;
function buildQrloginServer() {
  if (serverBuilt) return;
  const esbuild = createRequire(join(ROOT, "package.json"))("esbuild");
  esbuild.buildSync({
    entryPoints: [join(BENCH, "servers", "qrlogin.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    outfile: QRLOGIN_SERVER,
    logLevel: "warning",
  });
  serverBuilt = true;
}
const qrloginCommand = (args, node = []) => {
  buildQrloginServer();
  return ["node", ...node, QRLOGIN_SERVER, ...args];
};
let sqliteFiles = 0;
const sqliteFile = () => join(work, `qrlogin-${sqliteFiles++}.sqlite`);

function startQrloginSqlite(extra = [], options) {
  return startServer(
    "qrlogin/sqlite",
    qrloginCommand(["--store", "sqlite", "--sqlite", sqliteFile(), ...extra]),
    options,
  );
}

async function startQrloginRedis(redis, count) {
  const prefix = `qrlogin-bench-${Date.now()}:`;
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      startServer(`qrlogin/redis#${i}`, qrloginCommand(["--store", "redis", "--redis", redis.url, "--prefix", prefix])),
    ),
  );
}

function startPeer(peer, intervalMs) {
  if (peer === "better-auth") {
    return startServer(peer, ["node", "bench/servers/better-auth.mjs", `${intervalMs / 1000}s`, sqliteFile()]);
  }
  return startServer(peer, ["node", "bench/servers/oidc-provider.mjs"]);
}

// ---------------------------------------------------------------- statistics

function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), n: sorted.length };
}

/** Median and range over runs of one number. */
function across(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

function fmt(value, digits = 1) {
  if (!Number.isFinite(value)) return "—";
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString("en-US");
  return value.toFixed(digits);
}

/** "median (min–max)" of several runs; just the value when there was one run. */
function range({ median, min, max }, digits = 1, unit = "") {
  if (!Number.isFinite(median)) return "—";
  if (min === max) return `${fmt(median, digits)}${unit}`;
  return `${fmt(median, digits)}${unit} (${fmt(min, digits)}–${fmt(max, digits)})`;
}

// ---------------------------------------------------------------- 1 + 2a: qrlogin latency (and idle CPU)

async function warm(load, bases) {
  await load.send("qrLatency", { desktopBases: bases, phoneBases: bases, samples: PLAN.warmSamples });
}

/**
 * One run on one deployment: waiting desktops are added stage by stage (1,000, then up to
 * 10,000); at each stage `samples` sign-ins are measured. On a single instance, after the last
 * stage the server's CPU is measured while everyone waits idle.
 */
async function qrloginLatencyRun(setup, redis) {
  const servers = setup === "sqlite" ? [await startQrloginSqlite()] : await startQrloginRedis(redis, 3);
  const bases = servers.map((s) => s.base);
  const waiters = startLoad("waiters");
  const probe = startLoad("probe");
  const result = { stages: [], idle: null };
  try {
    await warm(probe, bases);
    let open = 0;
    for (const target of PLAN.waiting) {
      const opened = await waiters.send("qrWaiters", { bases, count: target - open, spreadMs: PLAN.spreadMs });
      if (opened.failures > 0) throw new Error(`${opened.failures} waiting desktops failed: ${opened.firstError}`);
      open = target;
      await sleep(1_000);
      const samples = await probe.send("qrLatency", {
        desktopBases: bases,
        phoneBases: bases,
        samples: PLAN.samples,
        gapMs: PLAN.gapMs,
      });
      const counters = await waiters.send("counters");
      if (counters.open < target) throw new Error(`only ${counters.open} of ${target} streams still open`);
      result.stages.push({
        waiting: target,
        signedIn: summarize(samples.map((s) => s.signedInMs)),
        event: summarize(samples.map((s) => s.eventMs)),
      });
      log(
        `  ${setup} ${target} waiting: p50 ${fmt(result.stages.at(-1).signedIn.p50, 2)} p99 ${fmt(result.stages.at(-1).signedIn.p99, 2)} ms`,
      );
    }
    if (setup === "sqlite" && ONLY.has("capacity")) {
      const before = await waiters.send("counters");
      const cpu0 = cpuSeconds(servers[0].pid);
      await sleep(PLAN.idleSeconds * 1000);
      const cpu1 = cpuSeconds(servers[0].pid);
      const after = await waiters.send("counters");
      result.idle = {
        waiting: open,
        cpuPercent: ((cpu1 - cpu0) / PLAN.idleSeconds) * 100,
        eventsPerSecond: (after.events - before.events) / PLAN.idleSeconds,
        open: after.open,
      };
    }
  } finally {
    await waiters.send("closeAll").catch(() => {});
    await Promise.all([waiters.stop(), probe.stop()]);
    await Promise.all(servers.map((s) => s.stop()));
  }
  return result;
}

// ---------------------------------------------------------------- 1b: polling peers' latency

async function peerLatencyRun(peer, intervalMs) {
  const server = await startPeer(peer, intervalMs);
  const probe = startLoad("probe");
  try {
    const samples = await probe.send("pollLatency", {
      peer,
      base: server.base,
      intervalMs,
      samples: PLAN.peerSamples[intervalMs] ?? 20,
      concurrency: PLAN.peerConcurrency,
    });
    return {
      signedIn: summarize(samples.map((s) => s.signedInMs)),
      slowDowns: samples.reduce((n, s) => n + s.slowDowns, 0),
    };
  } finally {
    await probe.stop();
    await server.stop();
  }
}

// ---------------------------------------------------------------- 2: capacity

/** RSS growth per waiting desktop and CPU while they wait: the streams carry heartbeats only. */
async function qrloginCapacityRun() {
  const count = PLAN.waiting.at(-1);
  // The QR changes on the desktop: nothing happens on the streams but the heartbeat.
  const server = await startQrloginSqlite([]);
  const waiters = startLoad("waiters");
  const probe = startLoad("probe");
  try {
    await warm(probe, [server.base]);
    await sleep(1_000);
    const rss0 = rssBytes(server.pid);
    const opened = await waiters.send("qrWaiters", { bases: [server.base], count, spreadMs: 0 });
    if (opened.failures > 0) throw new Error(`${opened.failures} waiting desktops failed: ${opened.firstError}`);
    await sleep(Math.min(2_000, PLAN.settleMs));
    const before = await waiters.send("counters");
    const cpu0 = cpuSeconds(server.pid);
    await sleep(PLAN.idleSeconds * 1000);
    const cpu1 = cpuSeconds(server.pid);
    const rss1 = rssBytes(server.pid);
    const after = await waiters.send("counters");
    if (after.open < count) throw new Error(`only ${after.open} of ${count} streams still open`);
    return {
      waiting: count,
      bytesPer: (rss1 - rss0) / count,
      cpuPercent: ((cpu1 - cpu0) / PLAN.idleSeconds) * 100,
      eventsPerSecond: (after.events - before.events) / PLAN.idleSeconds,
    };
  } finally {
    await waiters.send("closeAll").catch(() => {});
    await Promise.all([waiters.stop(), probe.stop()]);
    await server.stop();
  }
}

/** The same for `count` devices polling a peer at its default 5 s interval. */
async function peerCapacityRun(peer) {
  const intervalMs = 5_000;
  const count = PLAN.peerWaiting;
  const server = await startPeer(peer, intervalMs);
  const pollers = startLoad("pollers");
  const probe = startLoad("probe");
  try {
    await probe.send("pollLatency", { peer, base: server.base, intervalMs: 200, samples: 4, concurrency: 4 });
    await sleep(1_000);
    const rss0 = rssBytes(server.pid);
    const opened = await pollers.send("pollWaiters", {
      peer,
      base: server.base,
      count,
      intervalMs,
      spreadMs: Math.min(intervalMs, (count / 2_000) * 1000),
      deadlineMs: PLAN.pollerDeadlineMs,
    });
    if (opened.failures > 0) throw new Error(`${opened.failures} polling devices failed: ${opened.firstError}`);
    if (opened.done < count)
      log(`  ${peer}: only ${opened.done} of ${count} devices got a code in ${PLAN.pollerDeadlineMs / 1000} s`);
    await sleep(PLAN.settleMs);
    const before = await pollers.send("counters");
    const cpu0 = cpuSeconds(server.pid);
    await sleep(PLAN.idleSeconds * 1000);
    const cpu1 = cpuSeconds(server.pid);
    const rss1 = rssBytes(server.pid);
    const after = await pollers.send("counters");
    return {
      waiting: opened.done,
      bytesPer: (rss1 - rss0) / opened.done,
      cpuPercent: ((cpu1 - cpu0) / PLAN.idleSeconds) * 100,
      eventsPerSecond: (after.polls - before.polls) / PLAN.idleSeconds,
      wantedPerSecond: opened.done / (intervalMs / 1000),
      unexpected: after.unexpected,
    };
  } finally {
    await pollers.send("closeAll").catch(() => {});
    await Promise.all([pollers.stop(), probe.stop()]);
    await server.stop();
  }
}

// ---------------------------------------------------------------- 2b: many desktops, worker processes

/** Streams one process holds at most: the open-file limit (20,000 on the reference machine) less some room. */
const STREAMS_PER_PROCESS = 17_000;
/** Load generators connect from these, each with its own ~28,000 ephemeral ports to the server's one port. */
const SOURCE_ADDRESSES = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6", "127.0.0.7", "127.0.0.8"];

/**
 * Half the cores for the server, the rest for the load generators, when `taskset` is there and there
 * are two or more. The many-desktops row pins only its load generators (see its method).
 */
function coreSplit() {
  const cores = cpus().length;
  if (cores < 2 || spawnSync("taskset", ["-V"]).status !== 0) return { server: undefined, load: undefined };
  const half = Math.floor(cores / 2);
  return {
    server: half === 1 ? "0" : `0-${half - 1}`,
    load: cores - half === 1 ? String(half) : `${half}-${cores - 1}`,
  };
}

/**
 * Each of `pids` (a `bench/servers/qrlogin.ts` process) writes its event-loop delay since the last
 * call and its memory, after a GC if `gc`, into `dir`; resolves with them once all have. From then on
 * they measure their event-loop delay if `loop`, else not (its timer would count in their CPU).
 */
async function serverStats(pids, dir, { loop = false, gc = true } = {}) {
  writeFileSync(join(dir, "loop"), loop ? "on" : "off");
  writeFileSync(join(dir, "gc"), gc ? "on" : "off");
  for (const pid of pids) rmSync(join(dir, `${pid}.json`), { force: true });
  for (const pid of pids) process.kill(pid, "SIGUSR2");
  const deadline = Date.now() + 10_000;
  for (;;) {
    const files = pids.map((pid) => join(dir, `${pid}.json`));
    if (files.every((file) => existsSync(file))) {
      await sleep(50); // written with one writeFileSync; let a slow one finish
      return files.map((file) => JSON.parse(readFileSync(file, "utf8")));
    }
    if (Date.now() > deadline) throw new Error("the server's processes did not report their stats");
    await sleep(50);
  }
}

const sum = (values) => values.reduce((total, value) => total + value, 0);

/**
 * `count` desktops waiting on one machine: the SQLite server as `--workers N` node:cluster workers
 * (N = one per 17,000 streams), the desktops' streams opened by several load generators, each from
 * its own loopback address. Measures the RSS growth of all the server's processes per desktop, their
 * CPU while everyone waits, each worker's event-loop delay, and approve → signed in meanwhile.
 */
/**
 * The idle windows start once no process of the server has run a full GC for this long: the reading
 * of memory forces one in each, and V8's memory reducer follows a full GC with up to three more some
 * 8 s later (~400 ms of CPU and pauses of up to 55 ms in a process holding 15,000 streams), which are
 * the bench's doing, not the cost of waiting. Waiting stops after {@link GC_QUIET_MAX_MS} regardless.
 */
const GC_QUIET_MS = 20_000;
const GC_QUIET_MAX_MS = 180_000;

/** Waits until no process in `pids` has run a full GC for {@link GC_QUIET_MS}; resolves with their last stats. */
async function untilGcQuiet(pids, dir) {
  const started = performance.now();
  for (;;) {
    const stats = await serverStats(pids, dir, { gc: false });
    const quiet = stats.every((s) => s.msSinceFullGc >= GC_QUIET_MS);
    if (quiet || performance.now() - started > GC_QUIET_MAX_MS) {
      log(
        `  full GCs quiet for ${GC_QUIET_MS / 1000} s after ${fmt((performance.now() - started) / 1000, 0)} s${quiet ? "" : " — never: measuring anyway"}`,
      );
      return stats;
    }
    await sleep(2_000);
  }
}

async function manyWaitingRun() {
  const count = PLAN.manyDesktops;
  const workers = Number(flags.workers ?? Math.max(2, Math.ceil(count / STREAMS_PER_PROCESS)));
  const loadCount = Math.min(SOURCE_ADDRESSES.length, Math.max(2, Math.ceil(count / STREAMS_PER_PROCESS)));
  if (count > loadCount * STREAMS_PER_PROCESS) throw new Error(`at most ${loadCount * STREAMS_PER_PROCESS} desktops`);
  const cores = coreSplit();
  const statsDir = mkdtempSync(join(work, "stats-"));
  // Heartbeat only (the QR changes on the desktop); the requests wait 30 min, as in the other rows,
  // which outlives the row. (A creation answer carries one QR per 20 s of the wait: 720 of them for
  // 4 h, which cost 7 ms of the server's CPU each and made opening the 100,000 take 10 minutes.)
  const server = await startServer(
    `qrlogin/sqlite, ${workers} workers`,
    qrloginCommand(
      ["--store", "sqlite", "--sqlite", sqliteFile(), "--workers", String(workers), "--stats-dir", statsDir],
      ["--expose-gc"],
    ),
    // Every core, as on a machine of their own: confined to one, see the method.
    {},
  );
  const pids = [server.pid, ...server.workers];
  const loads = SOURCE_ADDRESSES.slice(0, loadCount).map((localAddress) =>
    startLoad(`waiters@${localAddress}`, { localAddress, cpus: cores.load }),
  );
  const probe = startLoad("probe", { cpus: cores.load });
  const bases = [server.base];
  try {
    await warm(probe, bases);
    await sleep(1_000);
    await serverStats(pids, statsDir);
    const rss0 = sum(pids.map(rssBytes));
    const opening = performance.now();
    const shares = loads.map((_, i) => Math.floor(count / loadCount) + (i < count % loadCount ? 1 : 0));
    const opened = await Promise.all(
      loads.map((load, i) => load.send("qrWaiters", { bases, count: shares[i], spreadMs: 0 })),
    );
    const failures = sum(opened.map((o) => o.failures));
    if (failures > 0)
      throw new Error(`${failures} waiting desktops failed: ${opened.find((o) => o.firstError)?.firstError}`);
    const openSeconds = (performance.now() - opening) / 1000;
    const refusedStreams = sum(opened.map((o) => o.refused));
    const unansweredStreams = sum(opened.map((o) => o.unanswered));
    log(
      `  ${count} desktops waiting on ${workers} workers (opened in ${fmt(openSeconds, 0)} s, ${fmt(count / openSeconds, 0)} a second; streams asked for again: ${fmt(refusedStreams, 0)} refused by a full worker, ${fmt(unansweredStreams, 0)} unanswered in 30 s)`,
    );
    // From here on they only hold their streams: the probe measuring sign-ins goes first.
    for (const load of loads) load.background();
    await sleep(PLAN.settleMs);
    await serverStats(pids, statsDir);
    const rss1 = sum(pids.map(rssBytes));
    const quietStats = await untilGcQuiet(pids, statsDir);
    // Idle: nothing but heartbeats. First the CPU, with no delay histogram running; then the delay.
    const cpu0 = sum(pids.map(cpuSeconds));
    const before = sum(await Promise.all(loads.map(async (load) => (await load.send("counters")).events)));
    await sleep(PLAN.manyIdleSeconds * 1000);
    const cpu1 = sum(pids.map(cpuSeconds));
    const after = await Promise.all(loads.map((load) => load.send("counters")));
    const cpuWindowStats = await serverStats(pids, statsDir, { loop: true, gc: false });
    await sleep(PLAN.manyIdleSeconds * 1000);
    const idleStats = await serverStats(pids, statsDir, { loop: true, gc: false });
    // Sign-ins while they all wait: desktop and phone each land on whichever worker the primary picks.
    const samples = await probe.send("qrLatency", {
      desktopBases: bases,
      phoneBases: bases,
      samples: PLAN.manySamples,
      gapMs: PLAN.gapMs,
    });
    const flowStats = await serverStats(pids, statsDir, { gc: false });
    const still = sum((await Promise.all(loads.map((load) => load.send("counters")))).map((c) => c.open));
    if (still < count) throw new Error(`only ${still} of ${count} streams still open`);
    // The workers' loops (the primary only hands connections over); a single process's own.
    const workerLoop = (stats) =>
      Math.max(...stats.filter((s) => s.pid !== server.pid || workers === 1).map((s) => s.loop.p99));
    const result = {
      waiting: count,
      workers,
      loadProcesses: loadCount,
      pinned: { server: "all", load: cores.load },
      openSeconds,
      refusedStreams,
      unansweredStreams,
      bytesPer: (rss1 - rss0) / count,
      rssMiB: rss1 / 2 ** 20,
      cpuPercent: ((cpu1 - cpu0) / PLAN.manyIdleSeconds) * 100,
      // Full GCs that ran anyway while everyone waited (the CPU window, then the delay window).
      fullGcsIdle: sum(idleStats.map((s) => s.fullGcs)) - sum(quietStats.map((s) => s.fullGcs)),
      fullGcsCpuWindow: sum(cpuWindowStats.map((s) => s.fullGcs)) - sum(quietStats.map((s) => s.fullGcs)),
      eventsPerSecond: (sum(after.map((c) => c.events)) - before) / PLAN.manyIdleSeconds,
      unexpectedEvents: sum(after.map((c) => c.unexpected)),
      loopIdleP99: workerLoop(idleStats),
      loopFlowsP99: workerLoop(flowStats),
      // Each process over the sign-ins: its longest event-loop delay and its GC pauses (ms).
      flowsByProcess: flowStats.map((s) => ({
        pid: s.pid,
        primary: s.pid === server.pid,
        loopMax: s.loop.max,
        gcPauses: s.gcPauses,
      })),
      signedIn: summarize(samples.map((s) => s.signedInMs)),
      approvedEvent: summarize(samples.map((s) => s.eventMs)),
    };
    log(
      `  ${fmt(result.bytesPer / 1024, 1)} KB per desktop, idle CPU ${fmt(result.cpuPercent, 1)} % (full GCs meanwhile: ${result.fullGcsCpuWindow}, ${result.fullGcsIdle} over both idle windows), loop p99 ${fmt(result.loopIdleP99, 1)} ms idle / ${fmt(result.loopFlowsP99, 1)} ms in flows, signed in p50 ${fmt(result.signedIn.p50, 1)} p99 ${fmt(result.signedIn.p99, 1)} ms (the approved event p50 ${fmt(result.approvedEvent.p50, 1)} p99 ${fmt(result.approvedEvent.p99, 1)} ms)`,
    );
    for (const p of result.flowsByProcess) {
      log(
        `    ${p.primary ? "primary" : "worker"} ${p.pid} over the sign-ins: loop max ${fmt(p.loopMax, 1)} ms, ${p.gcPauses.count} GC pauses, ${fmt(p.gcPauses.totalMs, 1)} ms in all, longest ${fmt(p.gcPauses.maxMs, 1)} ms`,
      );
    }
    return result;
  } catch (error) {
    // A worker that died or refused says so on the server's stderr, which is not shown otherwise.
    log(`  the server's last words: ${server.stderr() || "(none)"}`);
    throw error;
  } finally {
    await Promise.all(loads.map((load) => load.send("closeAll").catch(() => {})));
    await Promise.all([...loads, probe].map((load) => load.stop()));
    await server.stop();
  }
}

// ---------------------------------------------------------------- 3: throughput

const DESKTOP_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
const THROUGHPUT_TARGETS = [
  {
    name: "bare node:http, 32 random bytes (ceiling)",
    start: () => startServer("bare", ["node", "bench/servers/bare.mjs"]),
    path: "/",
    type: "application/json",
    body: "{}",
  },
  {
    name: "qrlogin on SQLite: POST /qrlogin/requests",
    // The default 2 min wait: the answer carries one QR per 20 s period of it, each an HMAC.
    start: (o) => startQrloginSqlite(["--pending-ms", "120000"], o),
    path: "/qrlogin/requests",
    type: "application/json",
    body: "{}",
  },
  {
    name: "better-auth: POST /api/auth/device/code",
    start: (o) => startServer("better-auth", ["node", "bench/servers/better-auth.mjs", "5s", sqliteFile()], o),
    path: "/api/auth/device/code",
    type: "application/json",
    body: '{"client_id":"bench-device"}',
  },
  {
    name: "oidc-provider: POST /device/auth",
    start: (o) => startServer("oidc-provider", ["node", "bench/servers/oidc-provider.mjs"], o),
    path: "/device/auth",
    type: "application/x-www-form-urlencoded",
    body: "client_id=bench-device&scope=openid",
  },
];

function wrkScript(target) {
  const file = join(work, `post-${THROUGHPUT_TARGETS.indexOf(target)}.lua`);
  const lua = (s) => JSON.stringify(s); // a JSON string is a valid Lua string literal for these values
  writeFileSync(
    file,
    [
      'wrk.method = "POST"',
      `wrk.body = ${lua(target.body)}`,
      `wrk.headers["Content-Type"] = ${lua(target.type)}`,
      `wrk.headers["User-Agent"] = ${lua(DESKTOP_UA)}`,
      "",
    ].join("\n"),
  );
  return file;
}

export const WRK_ARGS = (seconds) => ["-t1", "-c50", `-d${seconds}s`];

async function throughputRun(target) {
  // The server on core 0, the load generator on core 1.
  const server = await target.start({ cpus: 0 });
  try {
    const script = wrkScript(target);
    const run = (seconds) =>
      execFileSync("taskset", ["-c", "1", "wrk", ...WRK_ARGS(seconds), "-s", script, `${server.base}${target.path}`], {
        encoding: "utf8",
        timeout: (seconds + 30) * 1000,
      });
    if (PLAN.warmupSeconds > 0) run(PLAN.warmupSeconds); // warm-up: JIT and SQLite caches
    const cpu0 = cpuSeconds(server.pid);
    const out = run(PLAN.throughputSeconds);
    const cpu1 = cpuSeconds(server.pid);
    const rps = Number(/Requests\/sec:\s*([\d.]+)/.exec(out)?.[1]);
    const bad = Number(/Non-2xx or 3xx responses:\s*(\d+)/.exec(out)?.[1] ?? 0);
    const errors = /Socket errors:.*/.exec(out)?.[0] ?? "";
    const total = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
    if (bad > total * 0.01) throw new Error(`${target.name}: ${bad} of ${total} answers were errors`);
    // The server's own CPU time per answer: what it costs, even when a busy machine slows the run.
    return { rps, cpuMicros: ((cpu1 - cpu0) * 1e6) / total, errors };
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------- main

/** BENCHMARKS.md from the results saved in `files` (bench/results/last.json of each run). */
function reportFrom(files) {
  const saved = files.map((file) => JSON.parse(readFileSync(file, "utf8")));
  const results = { ...saved[0], commands: flags.commands };
  for (const part of ["latency", "peers", "capacity", "many", "throughput"]) {
    results[part] = saved.find((r) => r[part]?.length > 0)?.[part] ?? [];
  }
  writeFileSync(join(ROOT, "BENCHMARKS.md"), render(results).markdown);
  spawnSync(join(ROOT, "node_modules", ".bin", "biome"), ["format", "--write", "BENCHMARKS.md"], { cwd: ROOT });
  log(`wrote BENCHMARKS.md from ${files.join(", ")}`);
}

async function main() {
  if (flags.report) return reportFrom(flags.report);
  const info = machine();
  ensurePeersInstalled();
  log(`${QUICK ? "quick" : "full"} run: ${JSON.stringify(PLAN)}`);
  const results = { info, plan: PLAN, latency: [], peers: [], capacity: [], many: [], throughput: [] };
  let redis = null;
  // Saved after every part, so that an interrupted run keeps what it measured.
  const save = () => {
    mkdirSync(join(BENCH, "results"), { recursive: true });
    writeFileSync(join(BENCH, "results", "last.json"), `${JSON.stringify(results, null, 2)}\n`);
  };
  // Unreferenced: a run that failed must still exit once its children are down.
  const timer = setInterval(save, 10_000).unref();
  try {
    if (ONLY.has("latency") || ONLY.has("capacity")) {
      if (info.redis) redis = await startRedis(Number(flags["redis-port"]));
      else log("redis-server not found: the three-instance rows are skipped");
      const setups = ["sqlite", ...(redis ? ["redis"] : [])];
      for (const setup of ONLY.has("latency") ? setups : ["sqlite"]) {
        const runs = [];
        for (let r = 0; r < PLAN.runs; r++) {
          log(`latency: qrlogin ${setup}, run ${r + 1}/${PLAN.runs}`);
          runs.push(await qrloginLatencyRun(setup, redis));
        }
        for (const [i, waiting] of PLAN.waiting.entries()) {
          results.latency.push({
            system:
              setup === "sqlite"
                ? "qrlogin, 1 instance, SQLite"
                : "qrlogin, 3 instances, Redis (phone ≠ desktop instance)",
            waiting,
            signedIn: ["p50", "p95", "p99"].map((p) => across(runs.map((run) => run.stages[i].signedIn[p]))),
            event: across(runs.map((run) => run.stages[i].event.p50)),
            samples: runs.reduce((n, run) => n + run.stages[i].signedIn.n, 0),
          });
        }
        const idle = runs.map((run) => run.idle).filter(Boolean);
        if (idle.length > 0) {
          results.capacity.push({
            system: "qrlogin (SSE), QR changing every 20 s (on the desktop)",
            waiting: idle[0].waiting,
            bytesPer: null,
            cpuPercent: across(idle.map((i) => i.cpuPercent)),
            eventsPerSecond: across(idle.map((i) => i.eventsPerSecond)),
          });
        }
      }
    }
    if (ONLY.has("latency")) {
      for (const peer of ["better-auth", "oidc-provider"]) {
        for (const intervalMs of PLAN.peerIntervals) {
          const runs = [];
          for (let r = 0; r < PLAN.runs; r++) {
            log(`latency: ${peer} polling every ${intervalMs / 1000} s, run ${r + 1}/${PLAN.runs}`);
            runs.push(await peerLatencyRun(peer, intervalMs));
          }
          results.peers.push({
            system: `${peer}, polling every ${intervalMs / 1000} s${intervalMs === 5_000 ? " (default)" : ""}`,
            peer,
            intervalMs,
            waiting: 0,
            signedIn: ["p50", "p95", "p99"].map((p) => across(runs.map((run) => run.signedIn[p]))),
            samples: runs.reduce((n, run) => n + run.signedIn.n, 0),
            slowDowns: runs.reduce((n, run) => n + run.slowDowns, 0),
          });
        }
      }
    }
    if (ONLY.has("capacity")) {
      const runs = [];
      for (let r = 0; r < PLAN.runs; r++) {
        log(`capacity: qrlogin, heartbeat only, run ${r + 1}/${PLAN.runs}`);
        runs.push(await qrloginCapacityRun());
      }
      results.capacity.unshift({
        system: "qrlogin (SSE), heartbeat only",
        waiting: runs[0].waiting,
        bytesPer: across(runs.map((r) => r.bytesPer)),
        cpuPercent: across(runs.map((r) => r.cpuPercent)),
        eventsPerSecond: across(runs.map((r) => r.eventsPerSecond)),
      });
      for (const peer of PLAN.capacityPeers) {
        const peerRuns = [];
        for (let r = 0; r < PLAN.runs; r++) {
          log(`capacity: ${peer}, ${PLAN.peerWaiting} devices polling every 5 s, run ${r + 1}/${PLAN.runs}`);
          peerRuns.push(await peerCapacityRun(peer));
        }
        results.capacity.push({
          system: `${peer}, polling every 5 s`,
          waiting: Math.min(...peerRuns.map((r) => r.waiting)),
          bytesPer: across(peerRuns.map((r) => r.bytesPer)),
          cpuPercent: across(peerRuns.map((r) => r.cpuPercent)),
          eventsPerSecond: across(peerRuns.map((r) => r.eventsPerSecond)),
          wantedPerSecond: peerRuns[0].wantedPerSecond,
        });
      }
    }
    if (ONLY.has("waiting100k")) {
      for (let r = 0; r < PLAN.runs; r++) {
        log(`waiting100k: ${fmt(PLAN.manyDesktops, 0)} desktops, run ${r + 1}/${PLAN.runs}`);
        results.many.push(await manyWaitingRun());
        save();
      }
    }
  } finally {
    await redis?.stop();
    save();
  }
  if (ONLY.has("throughput")) {
    if (!info.wrk) log("wrk not found (apt-get install -y wrk): throughput is skipped");
    else if (!existsSync("/usr/bin/taskset") && spawnSync("taskset", ["-V"]).status !== 0)
      log("taskset not found: throughput is skipped");
    else {
      // Side by side: each round measures the ceiling and then every endpoint, and each endpoint's
      // share of the ceiling is taken within its round, so a machine busier in one round than in
      // another moves both sides of the ratio.
      const rounds = [];
      for (let r = 0; r < PLAN.runs; r++) {
        const round = [];
        for (const target of THROUGHPUT_TARGETS) {
          log(`throughput: ${target.name}, round ${r + 1}/${PLAN.runs}`);
          round.push(await throughputRun(target));
        }
        rounds.push(round);
      }
      results.throughput = THROUGHPUT_TARGETS.map((target, i) => ({
        name: target.name,
        rps: across(rounds.map((round) => round[i].rps)),
        cpuMicros: across(rounds.map((round) => round[i].cpuMicros)),
        ofCeiling: across(rounds.map((round) => round[i].rps / round[0].rps)),
        errors: rounds.map((round) => round[i].errors).filter(Boolean),
      }));
    }
  }
  clearInterval(timer);
  save();
  rmSync(work, { recursive: true, force: true });
  const report = render(results);
  mkdirSync(join(BENCH, "results"), { recursive: true });
  process.stdout.write(`${report.tables}\n${report.headline}\n`);
  if (QUICK) {
    writeFileSync(join(BENCH, "results", "quick.md"), report.markdown);
    log("wrote bench/results/quick.md (a full run writes BENCHMARKS.md)");
  } else if (flags.only === ALL_PARTS && !flags.desktops && !flags.workers) {
    writeFileSync(join(ROOT, "BENCHMARKS.md"), report.markdown);
    // The repository's formatter aligns the tables, so that `npm test`'s lint stays green.
    spawnSync(join(ROOT, "node_modules", ".bin", "biome"), ["format", "--write", "BENCHMARKS.md"], { cwd: ROOT });
    log("wrote BENCHMARKS.md");
  }
}

// ---------------------------------------------------------------- report

function table(head, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

function render(results) {
  const { info } = results;
  const ms = (r) => range(r, 1, "");
  const latencyRows = [
    ...results.latency.map((r) => [
      r.system,
      fmt(r.waiting, 0),
      ...r.signedIn.map((p) => ms(p)),
      ms(r.event),
      String(r.samples),
    ]),
    ...results.peers.map((r) => [r.system, "0", ...r.signedIn.map((p) => range(p, 0)), "—", String(r.samples)]),
  ];
  const latency = table(
    ["sign-in", "other desktops waiting", "p50 ms", "p95 ms", "p99 ms", "approved event p50 ms", "samples"],
    latencyRows,
  );
  const capacity = table(
    ["waiting clients", "how many", "server RSS per client", "server CPU while waiting", "events or polls per s"],
    results.capacity.map((r) => [
      r.system,
      fmt(r.waiting, 0),
      r.bytesPer
        ? range({ median: r.bytesPer.median / 1024, min: r.bytesPer.min / 1024, max: r.bytesPer.max / 1024 }, 1, " KB")
        : "(see heartbeat-only row)",
      range(r.cpuPercent, 1, " %"),
      `${range(r.eventsPerSecond, 0)}${r.wantedPerSecond ? ` of ${fmt(r.wantedPerSecond, 0)} wanted` : ""}`,
    ]),
  );
  const manyRuns = results.many;
  const manyOf = (pick) => across(manyRuns.map(pick));
  const many = table(
    [
      "desktops waiting",
      "worker processes",
      "server RSS per desktop",
      "server CPU while waiting",
      "event-loop delay p99, worst worker: idle / sign-ins",
      "approve → signed in p50 / p99 ms",
      "samples",
    ],
    manyRuns.length === 0
      ? []
      : [
          [
            `${fmt(manyRuns[0].waiting, 0)}${manyRuns.length === results.plan.runs ? "" : ` (${manyRuns.length} run${manyRuns.length === 1 ? "" : "s"})`}`,
            String(manyRuns[0].workers),
            range(
              manyOf((r) => r.bytesPer / 1024),
              1,
              " KB",
            ),
            `${range(
              manyOf((r) => r.cpuPercent),
              1,
              " %",
            )} (full GCs in the window: ${manyRuns.map((r) => r.fullGcsCpuWindow ?? "?").join(", ")})`,
            `${range(
              manyOf((r) => r.loopIdleP99),
              1,
              " ms",
            )} / ${range(
              manyOf((r) => r.loopFlowsP99),
              1,
              " ms",
            )}`,
            `${range(
              manyOf((r) => r.signedIn.p50),
              1,
            )} / ${range(
              manyOf((r) => r.signedIn.p99),
              1,
            )}`,
            String(sum(manyRuns.map((r) => r.signedIn.n))),
          ],
        ],
  );
  const percent = (r) => ({ median: r.median * 100, min: r.min * 100, max: r.max * 100 });
  const throughput = table(
    [
      "endpoint (server pinned to core 0, wrk on core 1)",
      "requests/s",
      "of the ceiling (same round)",
      "server CPU per request",
    ],
    results.throughput.map((r) => [
      r.name,
      range(r.rps, 0),
      range(percent(r.ofCeiling), 0, " %"),
      range(r.cpuMicros, 0, " µs"),
    ]),
  );
  const headline = headlines(results);
  const tables = [
    "## Approval → signed in (phone sends approve → desktop has its session)",
    "",
    latency,
    "",
    "## Capacity: one instance, clients waiting",
    "",
    capacity,
    "",
    "## Capacity: one machine, worker processes, desktops waiting (heartbeat only)",
    "",
    many,
    "",
    "## Throughput: creating sign-in requests",
    "",
    throughput,
    "",
  ].join("\n");
  const command = results.commands ?? (QUICK ? "npm run bench -- --quick" : "npm run bench");
  const markdown = [
    "# Benchmarks",
    "",
    `Measured ${info.date.slice(0, 10)} (${info.date}) on commit \`${info.commit}\` with ${command.startsWith("npm") ? `\`${command}\`` : command}.`,
    "",
    "> Measured with nothing else running on the machine. Compare rows within one run, not across runs or",
    "> machines: only 2 cores, so anything else running moves every figure.",
    "",
    "| machine | |",
    "| --- | --- |",
    `| CPU | ${info.model}, ${info.cores} cores |`,
    `| RAM | ${info.ramGiB} GiB |`,
    `| Node | ${info.node} |`,
    `| wrk | ${info.wrk ?? "not installed"} |`,
    `| Redis | ${info.redis ?? "not installed"} (a private instance on 127.0.0.1, no persistence) |`,
    `| open files (ulimit -n) | ${info.openFiles} |`,
    "",
    "Every cell is the median of the runs with the range (min–max) in brackets;",
    `${results.plan.runs} run(s) per row. Everything runs on 127.0.0.1.`,
    "",
    "## Headline",
    "",
    headline,
    "",
    tables,
    "## How it is measured",
    "",
    "Run it: `npm run bench` (full, about 45 minutes), `npm run bench -- --quick` (smoke, under a minute;",
    "writes `bench/results/quick.md`), `npm run bench -- --only=throughput` (one part; prints only).",
    "The peers live in `bench/package.json` and are installed there by the first run (`npm ci` in `bench/`);",
    "they are never dependencies of qrlogin. `wrk` comes from Debian (`apt-get install -y wrk`).",
    "",
    "- **Servers.** `bench/servers/qrlogin.ts` runs `createQrLogin` over `SqliteStore` (a WAL file in a temp",
    "  folder) or `RedisStore` + `RedisNotifier`, with the hooks of the tests: the phone's user comes from a",
    "  header, redeeming returns a session token. It runs as one esbuild bundle under plain `node`, as a build",
    "  would (under tsx, esbuild's `keepNames` gives every function a property of its own, ~3 KB per open",
    "  stream). Requests stay pending 30 min so that waiting desktops outlive",
    "  a run; the QR changes at the default 20 s, on the desktop. The peers: `bench/servers/better-auth.mjs` (better-auth",
    "  1.7.25, device-authorization plugin, SQLite via better-sqlite3, rate limit off) and",
    "  `bench/servers/oidc-provider.mjs` (oidc-provider 8.8.1, device flow, an unbounded in-memory adapter",
    "  because its development store keeps only 1,000 entries; the phone's login and consent finish in one",
    "  step for the signed-in user). Each server is its own process; so is every load generator",
    "  (`bench/clients/load.mjs`: one holds the waiting clients, another measures).",
    "- **Latency.** The desktop creates its request and opens its event stream; the phone scans; once the",
    "  desktop has seen `scanned`, the clock starts as the phone's approve request is sent and stops when the",
    "  desktop's redeem has answered with the session (the `approved` event column stops at the event).",
    "  Sign-ins run one after another" +
      ` (${results.plan.samples} per run, ${results.plan.gapMs} ms apart) while ${results.plan.waiting.map((n) => fmt(n, 0)).join(" and then ")}` +
      " other desktops hold open streams, opened evenly over one QR period, as in real use.",
    "  On Redis, three instances share a private Redis; the desktop",
    "  and the phone are always on different instances, so the approval crosses Redis pub/sub.",
    "  The polling peers are measured with the same clock: the device polls from the moment it has its",
    "  code, the phone claims the code then approves at a random phase of the interval, and the clock runs",
    "  from the approval request to the poll that returns the token. The peers are measured with no other",
    "  devices waiting (their best case).",
    "- **Capacity.** RSS of the server process (from `/proc`) after a warm-up, then after the clients",
    `  joined and waited ${results.plan.idleSeconds} s; the difference divided by the clients. CPU is the`,
    `  server's user + system time over the ${results.plan.idleSeconds} s window. "Heartbeat only" gives the`,
    "  desktops nothing but the heartbeat (every 45 s); the QR-changing row is the same measurement in the latency",
    "  run, where each waiting desktop's QR changes every 20 s: on the desktop, with no store write and no",
    "  event (before derived tokens, each change was both). The peers' devices poll every 5 s (their default),",
    "  each on its own keep-alive connection.",
    "- **Many desktops (`--only=waiting100k`).** The SQLite server runs as node:cluster workers",
    "  (`bench/servers/qrlogin.ts --workers N`, as `qrlogin serve --workers N`: one port, changes carried",
    "  between workers over IPC), one worker per 17,000 streams: with 20,000 open files, a process holds",
    "  at most 19,000 and the primary does not spread them evenly. A stream a full worker refuses (429) is",
    "  asked for again on a new connection after 0.2–1 s, and lands on another (one with no answer in 30 s,",
    "  at once); a desktop without its stream after 5 min fails the row. The requests wait 30 min,",
    "  as in the other rows. The desktops' streams come from one load generator per 17,000 as well, each",
    "  connecting from its own loopback address (127.0.0.2, 127.0.0.3…) so that each has its own",
    "  ephemeral ports. With `taskset`, the load generators run on half the cores, and the server's",
    "  processes on every core, as on a machine of their own. Confined to the other half (one core here),",
    "  the sign-in p99 was 35–48 ms over four runs, and every server process, the primary too, stalled",
    "  34–120 ms over the sign-ins, far beyond its own GC pauses: on one core, seven processes wait for one",
    "  another and for whatever else the machine runs. Once the desktops are open, their load generators run at a",
    "  lower priority (nice 10) than the one that measures sign-ins, since a real desktop would not share a core with them.",
    "  The QR changes on the desktop, not on the server,",
    "  so the streams carry heartbeats only. After a warm-up, every server process runs a GC and the",
    "  RSS of all of them (primary included) is summed; the desktops open their streams; after the",
    "  settle time, GC and sum again: the growth divided by the desktops is the memory row. CPU is the",
    `  user + system time of all the server's processes over ${results.plan.manyIdleSeconds} s of waiting (\`/proc/<pid>/stat\`), as a`,
    `  share of one core, once no process has run a full GC for ${GC_QUIET_MS / 1000} s: that forced GC sets off V8's memory`,
    "  reducer, up to three more full GCs some 8 s later (~400 ms of CPU in a process holding 15,000 streams), which",
    "  are the bench's doing, not the cost of waiting; full GCs that run anyway in the windows are counted in. No GC",
    "  is forced after that, so none falls into the delay windows. Then each worker measures its event-loop delay (`perf_hooks.monitorEventLoopDelay`,",
    "  10 ms resolution, less those 10 ms; off during the CPU window, as its timer costs ~0.4 % of a core per",
    "  process) and reports it on SIGUSR2; the table gives the worst worker's p99 over a second idle window",
    `  of as long and over ${results.plan.manySamples} sign-ins made meanwhile (approve → signed in, as in the latency`,
    "  rows, desktop and phone on whichever workers the primary hands their connections to).",
    "  `npm run bench -- --only=waiting100k` runs it alone; `--desktops=N` and `--workers=N` change its size.",
    `- **Throughput.** \`taskset -c 0\` pins the server, \`taskset -c 1 wrk ${WRK_ARGS(results.plan.throughputSeconds).join(" ")} -s post.lua URL\``,
    "  drives it with a POST (after a 1 s warm-up run); the Lua script only sets the method, body, Content-Type",
    "  and a desktop browser's User-Agent. The ceiling is a bare `node:http` server answering 32 random bytes.",
    "  Each round measures the ceiling and then every endpoint, one after the other; an endpoint's share of the",
    "  ceiling is taken within its round, so the ratio holds up better than the absolute numbers on a busy",
    "  machine. The server's CPU per request is its user + system time over the run divided by the answers.",
    "",
  ].join("\n");
  return { tables, headline, markdown };
}

function headlines(results) {
  const lines = [];
  const qr = results.latency.find((r) => r.system.includes("1 instance") && r.waiting === PLAN.waiting.at(-1));
  const qrRedis = results.latency.find((r) => r.system.includes("3 instances") && r.waiting === PLAN.waiting.at(-1));
  if (qr) {
    lines.push(
      `- qrlogin signs the desktop in ${fmt(qr.signedIn[0].median, 1)} ms (p50) / ${fmt(qr.signedIn[2].median, 1)} ms (p99) after the phone approves, with ${fmt(qr.waiting, 0)} other desktops waiting on one instance` +
        (qrRedis
          ? `; ${fmt(qrRedis.signedIn[0].median, 1)} / ${fmt(qrRedis.signedIn[2].median, 1)} ms across three instances on Redis.`
          : "."),
    );
    for (const peer of results.peers) {
      lines.push(
        `- ${peer.system}: p50 ${fmt(peer.signedIn[0].median, 0)} ms, p99 ${fmt(peer.signedIn[2].median, 0)} ms — ${fmt(peer.signedIn[0].median / qr.signedIn[0].median, 0)}× qrlogin's p50.`,
      );
    }
  }
  const [ceiling, qrThroughput] = results.throughput;
  if (ceiling && qrThroughput) {
    lines.push(
      `- Request creation vs the bare node:http ceiling: qrlogin on SQLite ${fmt(qrThroughput.rps.median, 0)} req/s on one core, ${(qrThroughput.ofCeiling.median * 100).toFixed(0)} % of a bare node:http endpoint measured in the same round (${fmt(ceiling.rps.median, 0)} req/s)` +
        results.throughput
          .slice(2)
          .map(
            (t) =>
              `; ${t.name.split(":")[0]} ${fmt(t.rps.median, 0)} req/s (${(t.ofCeiling.median * 100).toFixed(0)} %)`,
          )
          .join("") +
        ".",
    );
  }
  const [many] = results.many;
  if (many) {
    const worst = (pick) => Math.max(...results.many.map(pick));
    lines.push(
      `- ${fmt(many.waiting, 0)} desktops waiting on ${many.workers} worker processes of one machine: ${fmt(sum(results.many.map((r) => r.bytesPer)) / results.many.length / 1024, 1)} KB of server memory each, ${fmt(
        worst((r) => r.cpuPercent),
        1,
      )} % of a core in all, event-loop delay p99 ≤ ${fmt(
        worst((r) => Math.max(r.loopIdleP99, r.loopFlowsP99)),
        1,
      )} ms, approve → signed in p99 ${fmt(
        worst((r) => r.signedIn.p99),
        1,
      )} ms.`,
    );
  }
  const hb = results.capacity.find((r) => r.system.includes("heartbeat"));
  if (hb) {
    lines.push(
      `- ${fmt(hb.waiting, 0)} desktops waiting cost ${fmt(hb.bytesPer.median / 1024, 1)} KB of server memory each and ${fmt(hb.cpuPercent.median, 1)} % of a core (heartbeat only).`,
    );
  }
  return lines.join("\n");
}

let settled = false;
main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => {
    settled = true;
  });
// Nothing left to wait for, yet the run did not end: something it awaited can no longer come.
process.on("beforeExit", () => {
  if (settled) return;
  log("the run stopped with nothing left to wait for: a process it awaited must be gone");
  process.exitCode = 1;
});
