import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { LoginRequest, RequestPatch, TransitionGuard } from "../core/login-request.ts";
import { alertFromRow, REQUEST_COLUMNS, requestFromRow, requestToValues, transitionSql } from "./columns.ts";
import {
  type Alert,
  type AuditEntry,
  type CounterState,
  type LoginStore,
  type RequestChanges,
  UserCodeTakenError,
} from "./login-store.ts";
import { SqliteCheckpointer } from "./sqlite-checkpointer.ts";
import Database from "./sqlite-driver.ts";

/** Schema changes in order; `PRAGMA user_version` records how many have been applied. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE login_requests (
     id TEXT PRIMARY KEY,
     mode TEXT NOT NULL,
     state TEXT NOT NULL,
     version INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     browser_secret_hash TEXT NOT NULL,
     scan_token_hash TEXT NOT NULL,
     scan_token_issued_at INTEGER NOT NULL,
     previous_scan_token_hash TEXT,
     previous_scan_token_valid_until INTEGER NOT NULL,
     user_code_hash TEXT NOT NULL UNIQUE,
     comparison INTEGER,
     login TEXT,
     approver_id TEXT,
     approver_hint TEXT,
     public_key TEXT,
     denied_reason TEXT,
     requester TEXT NOT NULL
   ) STRICT;
   CREATE INDEX login_requests_scan_token ON login_requests (scan_token_hash);
   CREATE INDEX login_requests_previous_scan_token ON login_requests (previous_scan_token_hash);
   CREATE INDEX login_requests_expires_at ON login_requests (expires_at);`,
  `CREATE INDEX login_requests_push ON login_requests (approver_id, expires_at) WHERE mode = 'push';
   CREATE TABLE counters (key TEXT PRIMARY KEY, count INTEGER NOT NULL, reset_at INTEGER NOT NULL) STRICT;
   CREATE INDEX counters_reset_at ON counters (reset_at);
   CREATE TABLE audit_log (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     type TEXT NOT NULL,
     request_id TEXT,
     user_id TEXT,
     ip TEXT,
     detail TEXT NOT NULL
   ) STRICT;
   CREATE INDEX audit_log_user ON audit_log (user_id, at);
   CREATE INDEX audit_log_at ON audit_log (at);`,
  // Typed codes rotate with the scan token; alerts live apart from the audit trail.
  `ALTER TABLE login_requests ADD COLUMN previous_user_code_hash TEXT;
   CREATE INDEX login_requests_previous_user_code ON login_requests (previous_user_code_hash);
   CREATE TABLE alerts (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     user_id TEXT NOT NULL,
     reason TEXT NOT NULL,
     request_id TEXT,
     ip TEXT,
     detail TEXT NOT NULL
   ) STRICT;
   CREATE INDEX alerts_user ON alerts (user_id, at);
   CREATE INDEX alerts_at ON alerts (at);`,
  // A redemption's result, sealed for the desktop, so that it can be answered again if its answer was lost.
  "ALTER TABLE login_requests ADD COLUMN sealed_redemption TEXT;",
  // Scan tokens are derived from the deployment's secret, no longer stored; a QR request has a typed
  // code only once its desktop shows one. SQLite cannot drop NOT NULL in place, so the table is rebuilt.
  `CREATE TABLE login_requests_next (
     id TEXT PRIMARY KEY,
     mode TEXT NOT NULL,
     state TEXT NOT NULL,
     version INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     browser_secret_hash TEXT NOT NULL,
     user_code_hash TEXT,
     user_code_issued_at INTEGER NOT NULL,
     previous_user_code_hash TEXT,
     previous_user_code_valid_until INTEGER NOT NULL,
     comparison INTEGER,
     login TEXT,
     approver_id TEXT,
     approver_hint TEXT,
     public_key TEXT,
     denied_reason TEXT,
     requester TEXT NOT NULL,
     sealed_redemption TEXT
   ) STRICT;
   INSERT INTO login_requests_next
     SELECT id, mode, state, version, created_at, updated_at, expires_at, browser_secret_hash,
            user_code_hash, scan_token_issued_at, previous_user_code_hash, previous_scan_token_valid_until,
            comparison, login, approver_id, approver_hint, public_key, denied_reason, requester,
            sealed_redemption
     FROM login_requests;
   DROP TABLE login_requests;
   ALTER TABLE login_requests_next RENAME TO login_requests;
   CREATE INDEX login_requests_expires_at ON login_requests (expires_at);
   CREATE INDEX login_requests_push ON login_requests (approver_id, expires_at) WHERE mode = 'push';
   CREATE UNIQUE INDEX login_requests_user_code ON login_requests (user_code_hash) WHERE user_code_hash IS NOT NULL;
   CREATE INDEX login_requests_previous_user_code ON login_requests (previous_user_code_hash)
     WHERE previous_user_code_hash IS NOT NULL;`,
  // The feed of changes (LoginStore.changesAfter). A trigger appends each version bump in the
  // transaction of the update itself, so no write of any process can skip it; SQLite has one writer
  // at a time, so the order of `seq` is the order of commits. A new seq is one more than the largest
  // in the table, so purge always keeps the newest row: no seq is ever given twice (AUTOINCREMENT
  // would too, for a page more written per transition). `request_changes_kept` is one row: every
  // change after `since` is still there, and purge forgets up to `next` (the end of the feed at the
  // purge before). Deletions are not told: only purge deletes, and only requests long past their deadline.
  `CREATE TABLE request_changes (
     seq INTEGER PRIMARY KEY,
     request_id TEXT NOT NULL,
     version INTEGER NOT NULL
   ) STRICT;
   CREATE TABLE request_changes_kept (since INTEGER NOT NULL, next INTEGER NOT NULL) STRICT;
   INSERT INTO request_changes_kept (since, next) VALUES (0, 0);
   CREATE TRIGGER login_requests_changed AFTER UPDATE OF version ON login_requests BEGIN
     INSERT INTO request_changes (request_id, version) VALUES (NEW.id, NEW.version);
   END;`,
];

/** Options of {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /** Path of the database file (its folder is created), or `:memory:`. */
  filename: string;
  /**
   * How long a statement waits for another process's write lock (the workers of `serve --workers`
   * share one file) before it fails, in ms. It waits off the event loop, trying again after 1, 2, 4,
   * 8, then every 16 ms (each wait shaken by up to ±50 %, so that the workers do not all come back
   * together). Default 5,000.
   */
  busyTimeoutMs?: number;
}

/** The longest wait between two tries of a statement that found the file locked, in ms. */
const BUSY_RETRY_MAX_MS = 16;

/** A creation waiting for its batch's transaction. */
interface PendingCreate {
  values: unknown[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The default store: one SQLite file in WAL mode, migrated on open. better-sqlite3 runs each
 * statement to completion before any other JavaScript, and SQLite's write lock orders writers
 * from other processes, so each `UPDATE … WHERE state IN (…) RETURNING` is a true compare-and-set.
 * Creations are group-committed: those made in one turn of the event loop are inserted in one
 * transaction, and each resolves only once that transaction has committed. A worker thread
 * checkpoints the WAL, so that its fsyncs do not stall the event loop.
 * @example const store = new SqliteStore({ filename: "./data/qrlogin.db" })
 */
export class SqliteStore implements LoginStore {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement;
  readonly #byId: Database.Statement;
  readonly #versions: Database.Statement;
  readonly #byCode: Database.Statement;
  readonly #byApprover: Database.Statement;
  readonly #hit: Database.Statement;
  readonly #giveBack: Database.Statement;
  readonly #peek: Database.Statement;
  readonly #appendAudit: Database.Statement;
  readonly #listAudit: Database.Statement;
  readonly #appendAlert: Database.Statement;
  readonly #listAlerts: Database.Statement;
  readonly #purge: (before: number) => number;
  readonly #changesAfter: (cursor: number | null, limit: number) => RequestChanges;
  readonly #insertBatch: (batch: readonly PendingCreate[]) => unknown[];
  #batch: PendingCreate[] = [];
  readonly #checkpointer: SqliteCheckpointer | null = null;
  readonly #updates = new Map<string, Database.Statement>();
  readonly #busyTimeoutMs: number;

  constructor({ filename, busyTimeoutMs = 5_000 }: SqliteStoreOptions) {
    if (!(Number.isFinite(busyTimeoutMs) && busyTimeoutMs >= 0)) {
      throw new TypeError("qrlogin: SqliteStore's busyTimeoutMs must be a number of ms ≥ 0");
    }
    this.#busyTimeoutMs = busyTimeoutMs;
    if (filename !== ":memory:") mkdirSync(dirname(filename), { recursive: true });
    this.#db = new Database(filename);
    // Opening may wait in the thread (nothing is served yet); from then on, #whenFree waits instead.
    this.#db.pragma(`busy_timeout = ${Math.round(busyTimeoutMs)}`);
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("synchronous = NORMAL");
    migrate(this.#db);
    this.#db.pragma("busy_timeout = 0");
    if (filename !== ":memory:") {
      // A worker checkpoints; this connection does only if the WAL reaches ~40 MB (10,000 pages).
      this.#db.pragma("wal_autocheckpoint = 10000");
      this.#checkpointer = new SqliteCheckpointer(filename, () => {
        if (this.#db.open) this.#db.pragma("wal_autocheckpoint = 1000");
      });
    }
    const columns = REQUEST_COLUMNS.map(([, column]) => column);
    this.#insert = this.#db.prepare(
      `INSERT INTO login_requests (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
    );
    // Each row fails alone (SQLite undoes just the failed statement); an error that ended the whole
    // transaction is thrown, so that the batch fails together. BEGIN IMMEDIATE takes the write lock
    // first: a busy file is then one wait for the whole batch, not one per row.
    const insertBatch = this.#db.transaction((batch: readonly PendingCreate[]) =>
      batch.map(({ values }) => {
        try {
          this.#insert.run(values);
          return undefined;
        } catch (error) {
          if (!this.#db.inTransaction) throw error;
          return codeTakenError(error);
        }
      }),
    );
    this.#insertBatch = (batch) => insertBatch.immediate(batch);
    this.#byId = this.#db.prepare("SELECT * FROM login_requests WHERE id = ?");
    // One statement for any number of ids: they come as one JSON array.
    this.#versions = this.#db.prepare(
      "SELECT id, version FROM login_requests WHERE id IN (SELECT value FROM json_each(?))",
    );
    this.#byCode = this.#db.prepare(
      "SELECT * FROM login_requests WHERE user_code_hash = ? UNION ALL SELECT * FROM login_requests WHERE previous_user_code_hash = ? LIMIT 1",
    );
    this.#byApprover = this.#db.prepare(
      "SELECT * FROM login_requests WHERE approver_id = ? AND mode = 'push' AND state = 'scanned' AND expires_at > ?",
    );
    // One statement: a running window counts up (or gives back), an ended one restarts at `by`.
    this.#hit = this.#db.prepare(
      `INSERT INTO counters (key, count, reset_at) VALUES (@key, max(@by, 0), @now + @window)
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN reset_at > @now THEN max(count + @by, 0) ELSE max(@by, 0) END,
         reset_at = CASE WHEN reset_at > @now THEN reset_at ELSE @now + @window END
       RETURNING count, reset_at`,
    );
    this.#giveBack = this.#db.prepare(
      "UPDATE counters SET count = max(count + @by, 0) WHERE key = @key AND reset_at > @now RETURNING count, reset_at",
    );
    this.#peek = this.#db.prepare("SELECT count, reset_at FROM counters WHERE key = ? AND reset_at > ?");
    this.#appendAudit = this.#db.prepare(
      "INSERT INTO audit_log (at, type, request_id, user_id, ip, detail) VALUES (?, ?, ?, ?, ?, ?)",
    );
    this.#listAudit = this.#db.prepare("SELECT * FROM audit_log WHERE user_id = ? ORDER BY at DESC, seq DESC LIMIT ?");
    this.#appendAlert = this.#db.prepare(
      "INSERT INTO alerts (at, user_id, reason, request_id, ip, detail) VALUES (?, ?, ?, ?, ?, ?)",
    );
    this.#listAlerts = this.#db.prepare("SELECT * FROM alerts WHERE user_id = ? ORDER BY at DESC, seq DESC LIMIT ?");
    const purgeRequests = this.#db.prepare("DELETE FROM login_requests WHERE expires_at < ?");
    const purgeCounters = this.#db.prepare("DELETE FROM counters WHERE reset_at < ?");
    const purgeAudit = this.#db.prepare("DELETE FROM audit_log WHERE at < ?");
    const purgeAlerts = this.#db.prepare("DELETE FROM alerts WHERE at < ?");
    // Changes committed before the previous purge go, but the newest: a reader reads every few seconds.
    const forgetChanges = this.#db.prepare(
      `DELETE FROM request_changes WHERE seq <= (SELECT next FROM request_changes_kept)
         AND seq < (SELECT max(seq) FROM request_changes)`,
    );
    const keepChanges = this.#db.prepare(
      "UPDATE request_changes_kept SET since = next, next = coalesce((SELECT max(seq) FROM request_changes), next)",
    );
    this.#purge = this.#db.transaction((before: number) => {
      purgeCounters.run(before);
      purgeAudit.run(before);
      purgeAlerts.run(before);
      forgetChanges.run();
      keepChanges.run();
      return purgeRequests.run(before).changes;
    });
    const changes = this.#db.prepare(
      "SELECT seq, request_id, version FROM request_changes WHERE seq > ? ORDER BY seq LIMIT ?",
    );
    const kept = this.#db.prepare(
      "SELECT since, coalesce((SELECT max(seq) FROM request_changes), next) AS end FROM request_changes_kept",
    );
    // One read transaction: the rows and what is kept are of the same moment, so a purge in between cannot hide a gap.
    this.#changesAfter = this.#db.transaction((cursor: number | null, limit: number): RequestChanges => {
      const { since, end } = kept.get() as { since: number; end: number };
      if (cursor === null) return { changes: [], cursor: end, complete: true };
      const rows = changes.all(cursor, limit) as { seq: number; request_id: string; version: number }[];
      return {
        changes: rows.map((row) => ({ requestId: row.request_id, version: row.version })),
        cursor: rows.at(-1)?.seq ?? Math.max(cursor, end),
        complete: cursor >= since,
      };
    });
  }

  create(request: LoginRequest): Promise<void> {
    return new Promise((resolve, reject) => {
      // One commit (one WAL append of the touched pages) for every creation of this loop turn.
      if (this.#batch.length === 0) setImmediate(() => void this.#commitBatch());
      this.#batch.push({ values: requestToValues(request), resolve, reject });
    });
  }

  /** Inserts the waiting creations in one transaction, then tells each caller how its own row fared. */
  async #commitBatch(): Promise<void> {
    const batch = this.#batch;
    this.#batch = [];
    if (batch.length === 0) return;
    let outcomes: unknown[];
    try {
      outcomes = await this.#whenFree(() => this.#insertBatch(batch));
    } catch (error) {
      for (const { reject } of batch) reject(error);
      return;
    }
    for (const [i, { resolve, reject }] of batch.entries()) {
      if (outcomes[i] === undefined) resolve();
      else reject(outcomes[i]);
    }
  }

  /**
   * Runs `statement` now or, while another process holds the file's write lock, again after a short
   * wait off the event loop, until `busyTimeoutMs`. SQLite's own busy handler sleeps in the thread
   * (1, 2, 5 … 100 ms a try), and with it every stream and approval of a worker waiting for another's
   * commit. A statement that found the file busy did nothing (a transaction is rolled back), so it can
   * run again.
   */
  async #whenFree<T>(statement: () => T): Promise<T> {
    const deadline = performance.now() + this.#busyTimeoutMs;
    for (let wait = 1; ; wait = Math.min(wait * 2, BUSY_RETRY_MAX_MS)) {
      try {
        return statement();
      } catch (error) {
        if (!String((error as { code?: unknown }).code).startsWith("SQLITE_BUSY")) throw error;
        if (performance.now() + wait > deadline) throw error;
      }
      await sleep(wait * (0.5 + Math.random()));
    }
  }

  async get(id: string): Promise<LoginRequest | null> {
    return this.#row(await this.#whenFree(() => this.#byId.get(id)));
  }

  async versions(ids: string[]): Promise<Map<string, number>> {
    const rows = (await this.#whenFree(() => this.#versions.all(JSON.stringify(ids)))) as {
      id: string;
      version: number;
    }[];
    return new Map(rows.map((row) => [row.id, Number(row.version)]));
  }

  async changesAfter(cursor: number | null, limit: number): Promise<RequestChanges> {
    return this.#whenFree(() => this.#changesAfter(cursor, limit));
  }

  async findByUserCodeHash(codeHash: string): Promise<LoginRequest | null> {
    return this.#row(await this.#whenFree(() => this.#byCode.get(codeHash, codeHash)));
  }

  async transition(id: string, guard: TransitionGuard, patch: RequestPatch): Promise<LoginRequest | null> {
    const { set, where, values } = transitionSql(id, guard, patch, () => "?");
    const sql = `UPDATE login_requests SET ${set} WHERE ${where} RETURNING *`;
    const statement = this.#updates.get(sql) ?? this.#db.prepare(sql);
    this.#updates.set(sql, statement);
    return this.#row(await this.#whenFree(() => codeTaken(() => statement.get(values))));
  }

  async listPushRequests(approverId: string, now: number): Promise<LoginRequest[]> {
    const rows = await this.#whenFree(() => this.#byApprover.all(approverId, now));
    return (rows as Record<string, unknown>[]).map(requestFromRow);
  }

  async hit(key: string, windowMs: number, now: number, by = 1): Promise<CounterState> {
    const row = (await this.#whenFree(() =>
      by < 0 ? this.#giveBack.get({ key, now, by }) : this.#hit.get({ key, now, window: windowMs, by }),
    )) as { count: number; reset_at: number } | undefined;
    return row ? { count: row.count, resetAt: row.reset_at } : { count: 0, resetAt: now };
  }

  async peekCounter(key: string, now: number): Promise<CounterState | null> {
    const row = (await this.#whenFree(() => this.#peek.get(key, now))) as
      | { count: number; reset_at: number }
      | undefined;
    return row ? { count: row.count, resetAt: row.reset_at } : null;
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    await this.#whenFree(() =>
      this.#appendAudit.run(
        entry.at,
        entry.type,
        entry.requestId,
        entry.userId,
        entry.ip,
        JSON.stringify(entry.detail),
      ),
    );
  }

  async listAudit(userId: string, limit: number): Promise<AuditEntry[]> {
    const rows = await this.#whenFree(() => this.#listAudit.all(userId, limit));
    return (rows as Record<string, unknown>[]).map((row) => ({
      at: Number(row.at),
      type: String(row.type),
      requestId: (row.request_id as string | null) ?? null,
      userId: (row.user_id as string | null) ?? null,
      ip: (row.ip as string | null) ?? null,
      detail: JSON.parse(String(row.detail)),
    }));
  }

  async appendAlert(alert: Alert): Promise<void> {
    await this.#whenFree(() =>
      this.#appendAlert.run(
        alert.at,
        alert.userId,
        alert.reason,
        alert.requestId,
        alert.ip,
        JSON.stringify(alert.detail),
      ),
    );
  }

  async listAlerts(userId: string, limit: number): Promise<Alert[]> {
    const rows = await this.#whenFree(() => this.#listAlerts.all(userId, limit));
    return (rows as Record<string, unknown>[]).map(alertFromRow);
  }

  async purge(before: number): Promise<number> {
    return this.#whenFree(() => this.#purge(before));
  }

  async close(): Promise<void> {
    if (!this.#db.open) return;
    await this.#checkpointer?.close();
    if (!this.#db.open) return;
    await this.#commitBatch();
    if (this.#db.open) this.#db.close();
  }

  #row(row: unknown): LoginRequest | null {
    return row ? requestFromRow(row as Record<string, unknown>) : null;
  }
}

/** Runs a write, turning a clash on the unique user code into {@link UserCodeTakenError}. */
function codeTaken<T>(write: () => T): T {
  try {
    return write();
  } catch (error) {
    throw codeTakenError(error);
  }
}

/** A write's error, as {@link UserCodeTakenError} when it was a clash on the unique user code. */
function codeTakenError(error: unknown): unknown {
  const clash =
    String((error as { code?: unknown }).code) === "SQLITE_CONSTRAINT_UNIQUE" && /user_code_hash/.test(String(error));
  return clash ? new UserCodeTakenError() : error;
}

function migrate(db: Database.Database): void {
  // The version is read under the write lock: processes opening a new file together migrate it once.
  db.transaction(() => {
    const applied = db.pragma("user_version", { simple: true }) as number;
    if (applied > MIGRATIONS.length) {
      throw new Error(`qrlogin: the database schema (v${applied}) is newer than this version of qrlogin knows`);
    }
    for (let v = applied; v < MIGRATIONS.length; v++) {
      db.exec(MIGRATIONS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    }
  }).immediate();
}
