import { existsSync } from "node:fs";
import { openStore, parseStoreSpec, type StoreSpec } from "../store/open-store.ts";
import { CliError } from "./exit-codes.ts";

/** Where the admin commands report, one line each. */
export type Say = (line: string) => void;

/**
 * `qrlogin migrate`: brings the store's schema up to this version's, and says from which version to
 * which. SQLite and PostgreSQL migrate on open (under a lock, so a running server may stay up);
 * Redis has no schema, so its connection is only checked.
 */
export async function migrate(spec: string, say: Say): Promise<void> {
  const parsed = parse(spec);
  const before = await schemaVersion(parsed);
  const opened = await open(spec);
  try {
    // One read proves the store answers (Redis connects lazily).
    await opened.store.get("qrlogin-cli-migrate-check");
  } finally {
    await closeAll(opened);
  }
  const after = await schemaVersion(parsed);
  if (before === null || after === null) {
    say(`${parsed.describe} — nothing to migrate (Redis keeps no schema); the server answered.`);
  } else if (before === after) {
    say(`${parsed.describe} — schema v${after}, already up to date.`);
  } else {
    say(
      `${parsed.describe} — schema v${before} → v${after} (${after - before} migration${after - before === 1 ? "" : "s"} applied).`,
    );
  }
}

/**
 * `qrlogin purge`: deletes login requests that ended more than `olderThanMs` ago, with the
 * rate-limit counters, audit entries and alerts of the same age, and says how many requests went.
 * A running server does the same every 10 minutes; this is for a store no server purges.
 */
export async function purge(spec: string, olderThanMs: number, say: Say, now = Date.now()): Promise<number> {
  const parsed = parse(spec);
  const before = now - olderThanMs;
  const opened = await open(spec);
  let removed: number;
  try {
    removed = await opened.store.purge(before);
  } finally {
    await closeAll(opened);
  }
  say(
    `${parsed.describe} — removed ${removed} login request${removed === 1 ? "" : "s"} that ended before ` +
      `${new Date(before).toISOString()}, with the counters, audit entries and alerts as old.`,
  );
  return removed;
}

function parse(spec: string): StoreSpec {
  try {
    return parseStoreSpec(spec);
  } catch (error) {
    throw new CliError((error as Error).message.replace(/^qrlogin: /, ""));
  }
}

async function open(spec: string): Promise<Awaited<ReturnType<typeof openStore>>> {
  try {
    return await openStore(spec);
  } catch (error) {
    throw new CliError(`Cannot open the store: ${(error as Error).message.replace(/^qrlogin: /, "")}`);
  }
}

/** A store's driver, loaded on first use; a missing one (an optional peer dependency) is told like any store that cannot open. */
async function driver<T>(load: () => Promise<{ default: T }>): Promise<T> {
  try {
    return (await load()).default;
  } catch (error) {
    throw new CliError(`Cannot open the store: ${(error as Error).message.replace(/^qrlogin: /, "")}`);
  }
}

async function closeAll({ store, notifier }: Awaited<ReturnType<typeof openStore>>): Promise<void> {
  await Promise.allSettled([store.close(), notifier.close()]);
}

/**
 * The schema version a store holds now (0 when it does not exist yet), or `null` for Redis, which
 * has none: SQLite's `user_version`, or the newest row of PostgreSQL's `qrlogin_migrations`.
 */
async function schemaVersion(spec: StoreSpec): Promise<number | null> {
  switch (spec.kind) {
    case "redis":
      return null;
    case "sqlite": {
      if (spec.filename === ":memory:" || !existsSync(spec.filename)) return 0;
      const Database = await driver(() => import("../store/sqlite-driver.ts"));
      const db = new Database(spec.filename, { readonly: true, fileMustExist: true });
      try {
        return db.pragma("user_version", { simple: true }) as number;
      } finally {
        db.close();
      }
    }
    case "postgres": {
      const pg = await driver(() => import("../store/postgres/driver.ts"));
      const client = new pg.Client({ connectionString: spec.connectionString });
      try {
        await client.connect();
        const { rows } = await client.query<{ version: number }>(
          `SELECT coalesce(max(version), 0)::int AS version FROM ${pg.escapeIdentifier(spec.schema)}.qrlogin_migrations`,
        );
        return rows[0]?.version ?? 0;
      } catch (error) {
        // No schema or no table yet: nothing applied. Anything else is for openStore to report.
        const code = (error as { code?: unknown }).code;
        if (code === "42P01" || code === "3F000") return 0;
        throw new CliError(`Cannot open the store: ${(error as Error).message}`);
      } finally {
        await client.end().catch(() => {});
      }
    }
  }
}
