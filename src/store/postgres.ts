import { createHash } from "node:crypto";
import pg from "pg";
import type { LoginRequest, RequestPatch, TransitionGuard } from "../core/login-request.ts";
import { alertFromRow, REQUEST_COLUMNS, requestFromRow, requestToValues, transitionSql } from "./columns.ts";
import { LocalNotifier } from "./local-notifier.ts";
import {
  type Alert,
  type AuditEntry,
  type ChangeMessage,
  type CounterState,
  type LoginStore,
  type Notifier,
  RESYNC,
  UserCodeTakenError,
} from "./login-store.ts";

const USER_CODE_CONSTRAINT = "login_requests_user_code_hash_key";

/** Schema changes in order, run with the store's schema first on the search path; `qrlogin_migrations` records them. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE login_requests (
     id TEXT PRIMARY KEY,
     mode TEXT NOT NULL,
     state TEXT NOT NULL,
     version INTEGER NOT NULL,
     created_at BIGINT NOT NULL,
     updated_at BIGINT NOT NULL,
     expires_at BIGINT NOT NULL,
     browser_secret_hash TEXT NOT NULL,
     scan_token_hash TEXT NOT NULL,
     scan_token_issued_at BIGINT NOT NULL,
     previous_scan_token_hash TEXT,
     previous_scan_token_valid_until BIGINT NOT NULL,
     user_code_hash TEXT NOT NULL CONSTRAINT ${USER_CODE_CONSTRAINT} UNIQUE,
     comparison INTEGER,
     login TEXT,
     approver_id TEXT,
     approver_hint TEXT,
     public_key TEXT,
     denied_reason TEXT,
     requester JSONB NOT NULL
   );
   CREATE INDEX login_requests_scan_token ON login_requests (scan_token_hash);
   CREATE INDEX login_requests_previous_scan_token ON login_requests (previous_scan_token_hash);
   CREATE INDEX login_requests_expires_at ON login_requests (expires_at);`,
  // Prefixed names: in a shared schema such as public, "counters" or "audit_log" may well be the host's own.
  `CREATE INDEX login_requests_push ON login_requests (approver_id, expires_at) WHERE mode = 'push';
   CREATE TABLE qrlogin_counters (key TEXT PRIMARY KEY, count INTEGER NOT NULL, reset_at BIGINT NOT NULL);
   CREATE INDEX qrlogin_counters_reset_at ON qrlogin_counters (reset_at);
   CREATE TABLE qrlogin_audit_log (
     seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     at BIGINT NOT NULL,
     type TEXT NOT NULL,
     request_id TEXT,
     user_id TEXT,
     ip TEXT,
     detail JSONB NOT NULL
   );
   CREATE INDEX qrlogin_audit_log_user ON qrlogin_audit_log (user_id, at);
   CREATE INDEX qrlogin_audit_log_at ON qrlogin_audit_log (at);`,
  // Typed codes rotate with the scan token; alerts live apart from the audit trail.
  `ALTER TABLE login_requests ADD COLUMN previous_user_code_hash TEXT;
   CREATE INDEX login_requests_previous_user_code ON login_requests (previous_user_code_hash);
   CREATE TABLE qrlogin_alerts (
     seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     at BIGINT NOT NULL,
     user_id TEXT NOT NULL,
     reason TEXT NOT NULL,
     request_id TEXT,
     ip TEXT,
     detail JSONB NOT NULL
   );
   CREATE INDEX qrlogin_alerts_user ON qrlogin_alerts (user_id, at);
   CREATE INDEX qrlogin_alerts_at ON qrlogin_alerts (at);`,
];

/** Options of {@link PostgresStore}. */
export interface PostgresStoreOptions {
  /** Where to connect, e.g. `postgres://user@host/db`; ignored when `pool` is given. Without either, `pg` reads the PG* variables. */
  connectionString?: string;
  /** A pool to use instead of opening one; its owner ends it. */
  pool?: pg.Pool;
  /** The schema that holds qrlogin's tables; created if missing. Default `public`. */
  schema?: string;
}

/** How many connections a statement is tried on when the server has ended the ones it got. */
const CONNECTION_ATTEMPTS = 3;

/**
 * Whether `error` means the server ended the connection (restart, failover, `pg_terminate_backend`)
 * rather than refused the statement: SQLSTATE classes 57P and 08, or the driver's own words for a dead socket.
 */
function connectionLost(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === "string" && /^(57P|08)|^ECONNRESET$|^EPIPE$/.test(code)) return true;
  return typeof message === "string" && /Connection terminated|not queryable/.test(message);
}

/** A 64-bit advisory lock key of its own for each schema's migrations, as the signed decimal PostgreSQL takes. */
function migrationLockKey(schema: string): string {
  return createHash("sha256").update(`qrlogin:migrations:${schema}`).digest().readBigInt64BE().toString();
}

/**
 * Applies the migrations this version knows and the schema lacks, in one transaction under an
 * advisory lock, so that instances starting together wait for each other instead of racing.
 */
async function migrate(pool: pg.Pool, schema: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1::bigint)", [migrationLockKey(schema)]);
    // CREATE SCHEMA IF NOT EXISTS would still need the CREATE privilege on the database; ask first.
    const { rowCount } = await client.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema]);
    if (rowCount === 0) await client.query(`CREATE SCHEMA ${pg.escapeIdentifier(schema)}`);
    await client.query(`SET LOCAL search_path TO ${pg.escapeIdentifier(schema)}`);
    await client.query(
      "CREATE TABLE IF NOT EXISTS qrlogin_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    );
    const { rows } = await client.query<{ applied: number }>(
      "SELECT coalesce(max(version), 0) AS applied FROM qrlogin_migrations",
    );
    const applied = rows[0]?.applied ?? 0;
    if (applied > MIGRATIONS.length) {
      throw new Error(`qrlogin: the database schema (v${applied}) is newer than this version of qrlogin knows`);
    }
    for (let v = applied; v < MIGRATIONS.length; v++) {
      await client.query(MIGRATIONS[v] as string);
      await client.query("INSERT INTO qrlogin_migrations (version) VALUES ($1)", [v + 1]);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Requests in PostgreSQL, for deployments that already run it. The schema is migrated on first use
 * (or by {@link PostgresStore.migrate}). Each transition is one `UPDATE … WHERE <guard> RETURNING *`:
 * concurrent updates of a row queue on its lock, and each re-checks the guard against the row the
 * previous one left, so exactly one wins under READ COMMITTED.
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
  #migrated: Promise<void> | undefined;
  #ended = false;

  constructor({ connectionString, pool, schema = "public" }: PostgresStoreOptions = {}) {
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
    await codeTaken(this.#query(this.#insert, requestToValues(request)));
  }

  async get(id: string): Promise<LoginRequest | null> {
    return this.#one(`SELECT * FROM ${this.#table} WHERE id = $1`, [id]);
  }

  async findByScanTokenHash(tokenHash: string): Promise<LoginRequest | null> {
    return this.#one(
      `SELECT * FROM ${this.#table} WHERE scan_token_hash = $1 OR previous_scan_token_hash = $1 LIMIT 1`,
      [tokenHash],
    );
  }

  async findByUserCodeHash(codeHash: string): Promise<LoginRequest | null> {
    return this.#one(
      `SELECT * FROM ${this.#table} WHERE user_code_hash = $1 OR previous_user_code_hash = $1 ORDER BY user_code_hash = $1 DESC LIMIT 1`,
      [codeHash],
    );
  }

  async transition(id: string, guard: TransitionGuard, patch: RequestPatch): Promise<LoginRequest | null> {
    const { set, where, values } = transitionSql(id, guard, patch, (n) => `$${n}`);
    const { rows } = await codeTaken(
      this.#query(`UPDATE ${this.#table} SET ${set} WHERE ${where} RETURNING *`, values),
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

  async #query(text: string, values: unknown[]): Promise<pg.QueryResult> {
    await this.migrate();
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#pool.query(text, values);
      } catch (error) {
        // Idle pooled connections the server ended fail their next statement before the pool notices;
        // such a statement did not commit, and were it to have, a compare-and-set repeated only loses.
        if (attempt >= CONNECTION_ATTEMPTS || !connectionLost(error)) throw error;
      }
    }
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

/** Options of {@link PostgresNotifier}. */
export interface PostgresNotifierOptions {
  /** Where to connect; without it, `pg` reads the PG* variables. */
  connectionString?: string;
  /**
   * The one PostgreSQL channel all messages travel on: lower-case letters, digits and `_`, at most
   * 63 characters. Instances that should hear each other share it. Default `qrlogin`.
   */
  channel?: string;
}

/** What travels in a NOTIFY payload: the qrlogin channel and its message. */
interface Envelope {
  channel: string;
  message: ChangeMessage;
}

/** An envelope as it arrived from another process, or `null` if it is not one. */
function parseEnvelope(text: string | undefined): Envelope | null {
  try {
    const { channel, message } = JSON.parse(text ?? "");
    if (typeof channel !== "string" || typeof message?.requestId !== "string") return null;
    return typeof message.version === "number"
      ? { channel, message: { requestId: message.requestId, version: message.version } }
      : null;
  } catch {
    return null;
  }
}

const MAX_BACKOFF_MS = 10_000;

/**
 * Changes across instances through PostgreSQL LISTEN/NOTIFY. Every qrlogin channel travels in the
 * payload of one fixed PostgreSQL channel, so no name from a request or user id ever becomes an SQL
 * identifier, and a single LISTEN serves them all; each instance fans messages out to its own
 * listeners. It listens on a dedicated connection (a pooled one would be handed to others), and
 * after losing it, reconnects with exponential backoff and listens again while it has listeners.
 * Messages sent while it is away are lost, so listening again delivers {@link RESYNC}.
 * @example const notifier = new PostgresNotifier({ connectionString: process.env.DATABASE_URL })
 */
export class PostgresNotifier implements Notifier {
  readonly #local = new LocalNotifier();
  readonly #connectionString: string | undefined;
  readonly #channel: string;
  /** The connection being opened or open; publish and subscribe wait for it. */
  #connection: Promise<pg.Client> | undefined;
  /** The connection that is listening, once it is. */
  #current: pg.Client | undefined;
  #failures = 0;
  /** Whether a listening connection was lost since the last one listened: the next one resyncs. */
  #lostOne = false;
  #retry: NodeJS.Timeout | undefined;
  #closed = false;

  constructor({ connectionString, channel = "qrlogin" }: PostgresNotifierOptions = {}) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) {
      throw new RangeError("qrlogin: the notifier channel must be a lower-case identifier of at most 63 characters");
    }
    this.#connectionString = connectionString;
    this.#channel = channel;
  }

  async publish(channel: string, { requestId, version }: ChangeMessage): Promise<void> {
    const envelope: Envelope = { channel, message: { requestId, version } };
    for (let attempt = 1; ; attempt++) {
      const client = await this.#connected();
      try {
        await client.query("SELECT pg_notify($1, $2)", [this.#channel, JSON.stringify(envelope)]);
        return;
      } catch (error) {
        if (attempt >= CONNECTION_ATTEMPTS || !connectionLost(error)) throw error;
        // The connection may be dead before its "end" event says so; drop it now so the next try opens another.
        this.#lost(client);
      }
    }
  }

  async subscribe(channel: string, listener: (message: ChangeMessage) => void): Promise<() => Promise<void>> {
    const stop = await this.#local.subscribe(channel, listener);
    try {
      await this.#connected();
    } catch (error) {
      await stop();
      throw error;
    }
    return stop;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    await this.#local.close();
    const connection = this.#connection;
    this.#connection = undefined;
    this.#current = undefined;
    const client = await connection?.catch(() => undefined);
    await client?.end().catch(() => {});
  }

  #connected(): Promise<pg.Client> {
    if (this.#closed) return Promise.reject(new Error("qrlogin: the notifier is closed"));
    if (!this.#connection) {
      const connection: Promise<pg.Client> = this.#listen().catch((error: unknown) => {
        if (this.#connection === connection) this.#connection = undefined;
        throw error;
      });
      this.#connection = connection;
    }
    return this.#connection;
  }

  async #listen(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.#connectionString });
    // A broken connection emits "error" and then "end"; either one means listening stopped.
    client.on("error", () => this.#lost(client));
    client.on("end", () => this.#lost(client));
    client.on("notification", ({ channel, payload }) => {
      const envelope = channel === this.#channel ? parseEnvelope(payload) : null;
      if (envelope) this.#local.deliver(envelope.channel, envelope.message);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(this.#channel)}`);
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    if (this.#closed) {
      await client.end();
      throw new Error("qrlogin: the notifier is closed");
    }
    this.#current = client;
    this.#failures = 0;
    if (this.#lostOne) {
      this.#lostOne = false;
      this.#local.resync();
    }
    return client;
  }

  #lost(client: pg.Client): void {
    if (client !== this.#current) return;
    this.#current = undefined;
    this.#connection = undefined;
    this.#lostOne = true;
    client.end().catch(() => {});
    this.#reconnectIfListened();
  }

  /** Reconnects in the background only for listeners; with none, the next publish or subscribe connects. */
  #reconnectIfListened(): void {
    if (!this.#closed && this.#local.channelCount > 0) this.#reconnectLater();
  }

  #reconnectLater(): void {
    // Jitter spreads the instances that lost the same server, so they do not all return at once.
    const delay = Math.min(100 * 2 ** this.#failures, MAX_BACKOFF_MS) * (0.5 + Math.random() / 2);
    this.#failures++;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#connected().catch(() => this.#reconnectIfListened());
    }, delay);
    // A pending reconnection alone should not keep the process alive.
    this.#retry.unref();
  }
}
