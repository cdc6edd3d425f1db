import { once } from "node:events";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * The worker's whole program, run as a script: its own connection to the file, checkpointing the WAL
 * into the database again at once while there was something to copy, else after `idleMs`. A PASSIVE
 * checkpoint never waits for, nor blocks, the writer; an error waits for the next round.
 */
const PROGRAM = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.filename);
db.pragma("synchronous = NORMAL");
let timer;
const round = () => {
  let copied = 0;
  try {
    copied = db.pragma("wal_checkpoint(PASSIVE)")[0].checkpointed;
  } catch {}
  timer = setTimeout(round, copied > 0 ? 0 : workerData.idleMs);
};
round();
parentPort.once("message", () => {
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
`;

/** How long the worker waits before looking again when the WAL had nothing new to copy. */
const IDLE_MS = 200;

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
    this.#worker = new Worker(PROGRAM, { eval: true, workerData: { driver, filename, idleMs: IDLE_MS } });
    this.#worker.once("error", fallback);
    // A store left open must not keep the process alive for its checkpoints' sake.
    this.#worker.unref();
  }

  /** Stops the worker after its current checkpoint and closes its connection. */
  async close(): Promise<void> {
    if (this.#worker.threadId < 0) return;
    const exited = once(this.#worker, "exit");
    this.#worker.ref(); // the caller waits for it now
    this.#worker.postMessage("close");
    await exited;
  }
}
