import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * The worker's whole program, run as a script: its own connection to the file, checkpointing the WAL
 * into the database every `everyMs` while anything commits. A PASSIVE checkpoint never waits for, nor
 * blocks, the writer; an error waits for the next round. A round that finds no commit since the last
 * (`data_version`: by any other connection, in any process) and nothing left to copy waits twice as
 * long as the one before, up to `idleMs`: an idle store's worker woke ten times a second for nothing,
 * about a seventh of what an idle process holding 15,000 streams cost.
 */
const PROGRAM = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.filename);
db.pragma("synchronous = NORMAL");
const checkpoint = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
const dataVersion = db.prepare("PRAGMA data_version").pluck();
let seen = null;
let behind = true;
let delayMs = workerData.everyMs;
let timer;
const round = () => {
  try {
    const version = dataVersion.get();
    if (version !== seen || behind) {
      seen = version;
      const { log, checkpointed } = checkpoint.get();
      behind = checkpointed < log;
      delayMs = workerData.everyMs;
    } else {
      delayMs = Math.min(delayMs * 2, workerData.idleMs);
    }
  } catch {
    delayMs = workerData.everyMs;
  }
  timer = setTimeout(round, delayMs);
};
timer = setTimeout(round, delayMs);
parentPort.once("message", () => {
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * How often the worker checkpoints while anything commits: each round copies what the WAL gained
 * since, with two fsyncs, so a round per page written would cost more than it saves.
 */
const EVERY_MS = 100;

/** How long an idle worker waits at most between two looks: the WAL a first commit after it waits for is small. */
const IDLE_MS = 1_600;

/**
 * Checkpoints an SQLite file's WAL from a worker thread, so that the copy into the database and its
 * fsyncs never stall the event loop (with checkpoints on the loop, a third of request creation's time
 * under load was spent waiting in them). The store's own connection keeps a far larger
 * `wal_autocheckpoint` as a backstop, and takes the default back if the worker fails.
 */
export class SqliteCheckpointer {
  readonly #worker: Worker;

  /** Starts the worker on `filename`; `fallback` runs if it fails (the store checkpoints itself again). */
  constructor(filename: string, fallback: () => void) {
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    // No loader of the parent's (tsx in development): the program is plain CommonJS.
    this.#worker = new Worker(PROGRAM, {
      eval: true,
      execArgv: [],
      workerData: { driver, filename, everyMs: EVERY_MS, idleMs: IDLE_MS },
    });
    this.#worker.once("error", fallback);
    // A store left open must not keep the process alive for its checkpoints' sake.
    this.#worker.unref();
  }

  /** Stops the worker after its current checkpoint and closes its connection. */
  async close(): Promise<void> {
    if (this.#worker.threadId < 0) return;
    // Waited for as an exit, whatever its code: a worker that failed (its file gone) has nothing to close.
    const exited = new Promise<void>((resolve) => this.#worker.once("exit", () => resolve()));
    this.#worker.ref(); // the caller waits for it now
    this.#worker.postMessage("close");
    await exited;
  }
}
