import cluster, { type Worker } from "node:cluster";
import { availableParallelism } from "node:os";
import { IpcRelay } from "../store/ipc-notifier.ts";
import { CliError } from "./exit-codes.ts";

/** What a worker tells the primary once it listens; `info` is the worker's own (the first one's is kept). */
export interface WorkerReady<T> {
  qrlogin: "ready";
  info: T;
}

/** How the primary runs its workers. */
export interface SupervisorOptions {
  /** How many worker processes serve the port. */
  count: number;
  /** Where the primary's own lines go (a worker's exit, its restart). */
  log(line: string): void;
  /** How long a stopping worker may drain before it is killed, in ms. Default 10 s. */
  drainMs?: number;
}

/**
 * V8 flags every worker gets on top of the primary's own. `--no-memory-reducer`: a process holding
 * thousands of streams allocates little, which V8 reads as idle, so its memory reducer kept running
 * full GCs that found the heap all live: 2 workers holding 17,000 streams each ran 4 in a minute
 * and idled at 3.3 % of a core, 2.0 % without it, with the same memory after a GC (one process of
 * 15,000 streams spent ~400 ms of CPU on three of them, with pauses of up to 55 ms). Regular GCs still run as the heap grows.
 */
const WORKER_V8_FLAGS = ["--no-memory-reducer"] as const;

/** The first restart waits this long; each quick death doubles it, up to {@link MAX_BACKOFF_MS}. */
const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;
/** A worker that served this long is counted healthy: the next death restarts without delay built up. */
const HEALTHY_MS = 60_000;

/**
 * Reads `--workers`: a whole number from 1, or `auto` for one per core
 * (`os.availableParallelism()`).
 * @throws RangeError for anything else.
 * @example parseWorkerCount("auto") // 2 on a two-core machine
 */
export function parseWorkerCount(value: string): number {
  if (value.trim().toLowerCase() === "auto") return availableParallelism();
  const count = Number(value);
  if (value.trim() === "" || !Number.isInteger(count) || count < 1 || count > 1024) {
    throw new RangeError("--workers is a whole number from 1 to 1024, or auto (one per core).");
  }
  return count;
}

/** Tells the primary that this worker listens, with what it has to say about it. */
export function reportReady<T>(info: T): void {
  const ready: WorkerReady<T> = { qrlogin: "ready", info };
  process.send?.(ready);
}

function isReady<T>(value: unknown): value is WorkerReady<T> {
  return (value as Partial<WorkerReady<T>> | null)?.qrlogin === "ready";
}

/**
 * The node:cluster primary: forks `count` workers (each runs this same command line and shares the
 * listening port), relays the changes of their `IpcNotifier`s to the workers watching them, starts another
 * worker when one dies (after a backoff that grows while they keep dying young), and on SIGTERM or
 * SIGINT lets every worker drain before it exits. Resolves with the first worker's report once all
 * of them listen.
 * @throws CliError when a worker ends before it ever listened (its own error is on its stderr).
 */
export function superviseWorkers<T>({ count, log, drainMs = 10_000 }: SupervisorOptions): Promise<T> {
  const workers = () => Object.values(cluster.workers ?? {});
  const startedAt = new Map<Worker, number>();
  const listening = new Set<Worker>();
  let backoffMs = FIRST_BACKOFF_MS;
  let closing = false;
  let everReady = false;

  const fork = () => startedAt.set(cluster.fork(), Date.now());
  const inherited = cluster.settings.execArgv ?? process.execArgv;
  cluster.setupPrimary({ execArgv: [...inherited, ...WORKER_V8_FLAGS.filter((flag) => !inherited.includes(flag))] });

  return new Promise<T>((resolve, reject) => {
    let first: T | undefined;
    const relay = new IpcRelay();
    cluster.on("message", (worker, value: unknown) => {
      if (relay.handle(worker, value) || !isReady<T>(value)) return;
      first ??= value.info;
      listening.add(worker);
      if (!everReady && listening.size === count) {
        everReady = true;
        resolve(first);
      }
    });

    cluster.on("exit", (worker, code, signal) => {
      relay.forget(worker);
      const lived = Date.now() - (startedAt.get(worker) ?? Date.now());
      const wasListening = listening.delete(worker);
      startedAt.delete(worker);
      if (closing) return;
      if (!everReady && !wasListening) {
        // A worker that cannot start (port taken, store unreachable) will not start on a retry either.
        closing = true;
        for (const other of workers()) other?.process.kill("SIGKILL");
        reject(new CliError(`a worker stopped before it listened (${signal ?? `exit code ${code}`}); see above`));
        return;
      }
      backoffMs = lived >= HEALTHY_MS ? FIRST_BACKOFF_MS : Math.min(MAX_BACKOFF_MS, backoffMs * 2);
      const delay = lived >= HEALTHY_MS ? 0 : backoffMs;
      log(
        `qrlogin: worker ${worker.process.pid} ended (${signal ?? `exit code ${code}`}) after ${Math.round(lived / 1000)} s; starting another in ${delay} ms`,
      );
      setTimeout(() => {
        if (!closing) fork();
      }, delay);
    });

    let stopping = false;
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.on(signal, () => {
        if (stopping) {
          for (const worker of workers()) worker?.process.kill("SIGKILL");
          process.exit(1);
        }
        stopping = true;
        closing = true;
        log("closing…");
        const alive = workers().filter((worker): worker is Worker => worker !== undefined && !worker.isDead());
        const killer = setTimeout(() => {
          for (const worker of alive) worker.process.kill("SIGKILL");
        }, drainMs);
        let left = alive.length;
        const done = () => {
          if (--left > 0) return;
          clearTimeout(killer);
          process.exit(0);
        };
        if (left === 0) process.exit(0);
        for (const worker of alive) {
          worker.once("exit", done);
          worker.process.kill("SIGTERM");
        }
      });
    }

    for (let i = 0; i < count; i++) fork();
  });
}
