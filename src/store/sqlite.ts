import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { LoginRequest, RequestPatch, TransitionGuard } from "../core/login-request.ts";
import { REQUEST_COLUMNS, requestFromRow, requestToValues, transitionSql } from "./columns.ts";
import { type LoginStore, UserCodeTakenError } from "./login-store.ts";

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
];

/** Options of {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /** Path of the database file (its folder is created), or `:memory:`. */
  filename: string;
}

/**
 * The default store: one SQLite file in WAL mode, migrated on open. better-sqlite3 runs each
 * statement to completion before any other JavaScript, and SQLite's write lock orders writers
 * from other processes, so each `UPDATE … WHERE state IN (…) RETURNING` is a true compare-and-set.
 * @example const store = new SqliteStore({ filename: "./data/qrlogin.db" })
 */
export class SqliteStore implements LoginStore {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement;
  readonly #byId: Database.Statement;
  readonly #byToken: Database.Statement;
  readonly #byCode: Database.Statement;
  readonly #purge: Database.Statement;
  readonly #updates = new Map<string, Database.Statement>();

  constructor({ filename }: SqliteStoreOptions) {
    if (filename !== ":memory:") mkdirSync(dirname(filename), { recursive: true });
    this.#db = new Database(filename);
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("synchronous = NORMAL");
    this.#db.pragma("busy_timeout = 5000");
    migrate(this.#db);
    const columns = REQUEST_COLUMNS.map(([, column]) => column);
    this.#insert = this.#db.prepare(
      `INSERT INTO login_requests (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
    );
    this.#byId = this.#db.prepare("SELECT * FROM login_requests WHERE id = ?");
    this.#byToken = this.#db.prepare(
      "SELECT * FROM login_requests WHERE scan_token_hash = ? UNION ALL SELECT * FROM login_requests WHERE previous_scan_token_hash = ? LIMIT 1",
    );
    this.#byCode = this.#db.prepare("SELECT * FROM login_requests WHERE user_code_hash = ?");
    this.#purge = this.#db.prepare("DELETE FROM login_requests WHERE expires_at < ?");
  }

  async create(request: LoginRequest): Promise<void> {
    try {
      this.#insert.run(requestToValues(request));
    } catch (error) {
      if (
        String((error as { code?: unknown }).code) === "SQLITE_CONSTRAINT_UNIQUE" &&
        /user_code_hash/.test(String(error))
      ) {
        throw new UserCodeTakenError();
      }
      throw error;
    }
  }

  async get(id: string): Promise<LoginRequest | null> {
    return this.#row(this.#byId.get(id));
  }

  async findByScanTokenHash(tokenHash: string): Promise<LoginRequest | null> {
    return this.#row(this.#byToken.get(tokenHash, tokenHash));
  }

  async findByUserCodeHash(codeHash: string): Promise<LoginRequest | null> {
    return this.#row(this.#byCode.get(codeHash));
  }

  async transition(id: string, guard: TransitionGuard, patch: RequestPatch): Promise<LoginRequest | null> {
    const { set, where, values } = transitionSql(id, guard, patch, () => "?");
    const sql = `UPDATE login_requests SET ${set} WHERE ${where} RETURNING *`;
    const statement = this.#updates.get(sql) ?? this.#db.prepare(sql);
    this.#updates.set(sql, statement);
    return this.#row(statement.get(values));
  }

  async purge(before: number): Promise<number> {
    return this.#purge.run(before).changes;
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  #row(row: unknown): LoginRequest | null {
    return row ? requestFromRow(row as Record<string, unknown>) : null;
  }
}

function migrate(db: Database.Database): void {
  const applied = db.pragma("user_version", { simple: true }) as number;
  if (applied > MIGRATIONS.length) {
    throw new Error(`qrlogin: the database schema (v${applied}) is newer than this version of qrlogin knows`);
  }
  db.transaction(() => {
    for (let v = applied; v < MIGRATIONS.length; v++) {
      db.exec(MIGRATIONS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    }
  }).immediate();
}
