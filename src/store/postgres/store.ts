import { randomBytes } from "node:crypto";
import type { LoginRequest, RequestPatch, TransitionGuard } from "../../core/login-request.ts";
import { alertFromRow, REQUEST_COLUMNS, requestFromRow, requestToValues, transitionSql } from "../columns.ts";
import { type Alert, type AuditEntry, type CounterState, type LoginStore, UserCodeTakenError } from "../login-store.ts";
import { FAULT_WINDOW_MS, throughConnectionLoss } from "./connection.ts";
import pg from "./driver.ts";
import { migrate, USER_CODE_CONSTRAINT } from "./migrations.ts";

/** Options of {@link PostgresStore}. */
export interface PostgresStoreOptions {
  /** Where to connect, e.g. `postgres://user@host/db`; ignored when `pool` is given. Without either, `pg` reads the PG* variables. */
  connectionString?: string;
  /** A pool to use instead of opening one; its owner ends it. */
  pool?: pg.Pool;
  /** The schema that holds qrlogin's tables; created if missing. Default `public`. */
  schema?: string;
  /** How long a statement keeps being tried through lost connections, in ms. Default 5 s. */
  faultWindowMs?: number;
}

/**
 * Requests in PostgreSQL, for deployments that already run it. The schema is migrated on first use
 * (or by {@link PostgresStore.migrate}). Each transition is one `UPDATE … WHERE <guard> RETURNING *`:
 * concurrent updates of a row queue on its lock, and each re-checks the guard against the row the
 * previous one left, so exactly one wins under READ COMMITTED.
 *
 * A statement whose connection the server ended is tried again on another, for up to
 * `faultWindowMs`. One that may have committed unseen is settled first: a transition by the write id
 * it stored in the row (`write_id`), a create by the row's browser secret hash. A counter hit tried
 * again may count once more (a limit only gets stricter), and an audit entry may be recorded twice.
 * @example const store = new PostgresStore({ connectionString: process.env.DATABASE_URL })
 */
export class PostgresStore implements LoginStore {
  readonly #pool: pg.Pool;
  readonly #ownsPool: boolean;
  readonly #schema: string;
  readonly #table: string;
  readonly #counters: string;
  readonly #audit: string;
  readonly #alerts: string;
  readonly #insert: string;
  readonly #faultWindowMs: number;
  #migrated: Promise<void> | undefined;
  #ended = false;

  constructor({
    connectionString,
    pool,
    schema = "public",
    faultWindowMs = FAULT_WINDOW_MS,
  }: PostgresStoreOptions = {}) {
    this.#faultWindowMs = faultWindowMs;
    this.#ownsPool = !pool;
    this.#pool = pool ?? new pg.Pool({ connectionString });
    // An idle client that breaks is dropped by the pool; without a listener the event would crash the process.
    if (this.#ownsPool) this.#pool.on("error", () => {});
    this.#schema = schema;
    const qualified = (table: string) => `${pg.escapeIdentifier(schema)}.${table}`;
    this.#table = qualified("login_requests");
    this.#counters = qualified("qrlogin_counters");
    this.#audit = qualified("qrlogin_audit_log");
    this.#alerts = qualified("qrlogin_alerts");
    const columns = REQUEST_COLUMNS.map(([, column]) => column);
    this.#insert = `INSERT INTO ${this.#table} (${columns.join(", ")}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(", ")})`;
  }

  /** Brings the schema up to date now; otherwise the first query does. Safe to run from many instances at once. */
  migrate(): Promise<void> {
    this.#migrated ??= migrate(this.#pool, this.#schema).catch((error: unknown) => {
      this.#migrated = undefined;
      throw error;
    });
    return this.#migrated;
  }

  async create(request: LoginRequest): Promise<void> {
    // Another request cannot have our id and our browser secret: a row with both is this create's.
    const ours = async () => {
      const found = await this.#pool.query(`SELECT id FROM ${this.#table} WHERE id = $1 AND browser_secret_hash = $2`, [
        request.id,
        request.browserSecretHash,
      ]);
      return found.rows.length > 0 ? found : null;
    };
    await codeTaken(this.#query(this.#insert, requestToValues(request), ours));
  }

  async get(id: string): Promise<LoginRequest | null> {
    return this.#one(`SELECT * FROM ${this.#table} WHERE id = $1`, [id]);
  }

  // No feed of changes (`changesAfter`) here, so the sweep asks these versions: a sequence's value is
  // taken when a transaction inserts, not when it commits, so a reader past `seq > cursor` could move
  // its cursor beyond the row of a transaction still running, which would then commit unread.
  async versions(ids: string[]): Promise<Map<string, number>> {
    const { rows } = await this.#query(`SELECT id, version FROM ${this.#table} WHERE id = ANY($1)`, [ids]);
    return new Map(rows.map((row) => [String(row.id), Number(row.version)]));
  }

  async findByUserCodeHash(codeHash: string): Promise<LoginRequest | null> {
    return this.#one(
      `SELECT * FROM ${this.#table} WHERE user_code_hash = $1 OR previous_user_code_hash = $1 ORDER BY user_code_hash = $1 DESC LIMIT 1`,
      [codeHash],
    );
  }

  async transition(id: string, guard: TransitionGuard, patch: RequestPatch): Promise<LoginRequest | null> {
    const { set, where, values } = transitionSql(id, guard, patch, (n) => `$${n}`);
    const write = randomBytes(12).toString("base64url");
    values.push(write);
    const ours = async () => {
      const found = await this.#pool.query(`SELECT * FROM ${this.#table} WHERE id = $1 AND write_id = $2`, [id, write]);
      return found.rows.length > 0 ? found : null;
    };
    const { rows } = await codeTaken(
      this.#query(
        `UPDATE ${this.#table} SET ${set}, write_id = $${values.length} WHERE ${where} RETURNING *`,
        values,
        ours,
      ),
    );
    return rows[0] ? requestFromRow(rows[0]) : null;
  }

  async listPushRequests(approverId: string, now: number): Promise<LoginRequest[]> {
    const { rows } = await this.#query(
      `SELECT * FROM ${this.#table} WHERE approver_id = $1 AND mode = 'push' AND state = 'scanned' AND expires_at > $2`,
      [approverId, now],
    );
    return rows.map(requestFromRow);
  }

  async hit(key: string, windowMs: number, now: number, by = 1): Promise<CounterState> {
    if (by < 0) {
      const { rows } = await this.#query(
        `UPDATE ${this.#counters} SET count = greatest(count + $3::int, 0) WHERE key = $1 AND reset_at > $2::bigint
         RETURNING count, reset_at`,
        [key, now, by],
      );
      return rows[0] ? counterFromRow(rows[0]) : { count: 0, resetAt: now };
    }
    // One statement: concurrent first hits conflict on the key and queue on its row, so counts never repeat.
    const { rows } = await this.#query(
      `INSERT INTO ${this.#counters} AS c (key, count, reset_at) VALUES ($1, $4::int, $2::bigint + $3::bigint)
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN c.reset_at > $2::bigint THEN c.count + $4::int ELSE $4::int END,
         reset_at = CASE WHEN c.reset_at > $2::bigint THEN c.reset_at ELSE $2::bigint + $3::bigint END
       RETURNING count, reset_at`,
      [key, now, windowMs, by],
    );
    return counterFromRow(rows[0]);
  }

  async peekCounter(key: string, now: number): Promise<CounterState | null> {
    const { rows } = await this.#query(
      `SELECT count, reset_at FROM ${this.#counters} WHERE key = $1 AND reset_at > $2`,
      [key, now],
    );
    return rows[0] ? counterFromRow(rows[0]) : null;
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    await this.#query(
      `INSERT INTO ${this.#audit} (at, type, request_id, user_id, ip, detail) VALUES ($1, $2, $3, $4, $5, $6)`,
      [entry.at, entry.type, entry.requestId, entry.userId, entry.ip, JSON.stringify(entry.detail)],
    );
  }

  async listAudit(userId: string, limit: number): Promise<AuditEntry[]> {
    const { rows } = await this.#query(
      `SELECT * FROM ${this.#audit} WHERE user_id = $1 ORDER BY at DESC, seq DESC LIMIT $2`,
      [userId, limit],
    );
    return rows.map((row) => ({
      at: Number(row.at),
      type: row.type,
      requestId: row.request_id,
      userId: row.user_id,
      ip: row.ip,
      detail: row.detail,
    }));
  }

  async appendAlert(alert: Alert): Promise<void> {
    await this.#query(
      `INSERT INTO ${this.#alerts} (at, user_id, reason, request_id, ip, detail) VALUES ($1, $2, $3, $4, $5, $6)`,
      [alert.at, alert.userId, alert.reason, alert.requestId, alert.ip, JSON.stringify(alert.detail)],
    );
  }

  async listAlerts(userId: string, limit: number): Promise<Alert[]> {
    const { rows } = await this.#query(
      `SELECT * FROM ${this.#alerts} WHERE user_id = $1 ORDER BY at DESC, seq DESC LIMIT $2`,
      [userId, limit],
    );
    return rows.map(alertFromRow);
  }

  async purge(before: number): Promise<number> {
    // Data-modifying CTEs run whether or not they are read: one atomic statement for all four tables.
    const result = await this.#query(
      `WITH counters AS (DELETE FROM ${this.#counters} WHERE reset_at < $1),
            audit AS (DELETE FROM ${this.#audit} WHERE at < $1),
            alerts AS (DELETE FROM ${this.#alerts} WHERE at < $1)
       DELETE FROM ${this.#table} WHERE expires_at < $1`,
      [before],
    );
    return result.rowCount ?? 0;
  }

  async close(): Promise<void> {
    if (!this.#ownsPool || this.#ended) return;
    this.#ended = true;
    await this.#pool.end();
  }

  /**
   * Runs a statement through lost connections (idle pooled ones the server ended fail their next
   * statement before the pool notices); `settle` tells whether a try that lost its connection committed.
   */
  async #query(
    text: string,
    values: unknown[],
    settle?: () => Promise<pg.QueryResult | null>,
  ): Promise<pg.QueryResult> {
    await this.migrate();
    return throughConnectionLoss(this.#faultWindowMs, () => this.#pool.query(text, values), settle);
  }

  async #one(text: string, values: unknown[]): Promise<LoginRequest | null> {
    const { rows } = await this.#query(text, values);
    return rows[0] ? requestFromRow(rows[0]) : null;
  }
}

/** Awaits a write, turning a clash on the unique user code into {@link UserCodeTakenError}. */
async function codeTaken<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    const { code, constraint } = error as { code?: unknown; constraint?: unknown };
    if (code === "23505" && constraint === USER_CODE_CONSTRAINT) throw new UserCodeTakenError();
    throw error;
  }
}

/** A counter from its row; `reset_at` is a bigint, which `pg` returns as a string. */
function counterFromRow(row: { count: number; reset_at: string | number }): CounterState {
  return { count: Number(row.count), resetAt: Number(row.reset_at) };
}
