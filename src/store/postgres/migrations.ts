import { createHash } from "node:crypto";
import pg from "./driver.ts";

export const USER_CODE_CONSTRAINT = "login_requests_user_code_hash_key";

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
  // Which transition wrote a row last, so that one whose connection died can tell whether it committed.
  "ALTER TABLE login_requests ADD COLUMN write_id TEXT;",
  // A redemption's result, sealed for the desktop, so that it can be answered again if its answer was lost.
  "ALTER TABLE login_requests ADD COLUMN sealed_redemption TEXT;",
  // Scan tokens are derived from the deployment's secret, no longer stored; a QR request has a typed
  // code only once its desktop shows one, so the code's unique index skips the many without one.
  `DROP INDEX login_requests_scan_token;
   DROP INDEX login_requests_previous_scan_token;
   ALTER TABLE login_requests DROP COLUMN scan_token_hash, DROP COLUMN previous_scan_token_hash;
   ALTER TABLE login_requests RENAME COLUMN scan_token_issued_at TO user_code_issued_at;
   ALTER TABLE login_requests RENAME COLUMN previous_scan_token_valid_until TO previous_user_code_valid_until;
   ALTER TABLE login_requests DROP CONSTRAINT ${USER_CODE_CONSTRAINT}, ALTER COLUMN user_code_hash DROP NOT NULL;
   CREATE UNIQUE INDEX ${USER_CODE_CONSTRAINT} ON login_requests (user_code_hash) WHERE user_code_hash IS NOT NULL;
   DROP INDEX login_requests_previous_user_code;
   CREATE INDEX login_requests_previous_user_code ON login_requests (previous_user_code_hash)
     WHERE previous_user_code_hash IS NOT NULL;`,
];

/** A 64-bit advisory lock key of its own for each schema's migrations, as the signed decimal PostgreSQL takes. */
function migrationLockKey(schema: string): string {
  return createHash("sha256").update(`qrlogin:migrations:${schema}`).digest().readBigInt64BE().toString();
}

/**
 * Applies the migrations this version knows and the schema lacks, in one transaction under an
 * advisory lock, so that instances starting together wait for each other instead of racing.
 */
export async function migrate(pool: pg.Pool, schema: string): Promise<void> {
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
