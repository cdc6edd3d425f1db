import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { LocalNotifier } from "./local-notifier.ts";
import type { LoginStore, Notifier } from "./login-store.ts";

/** A store and the notifier that goes with it, opened from one setting by {@link openStore}. */
export interface OpenedStore {
  store: LoginStore;
  notifier: Notifier;
  /** What was opened, for a startup log line; never holds a password. */
  describe: string;
}

/** Where a store setting points, once parsed; see {@link parseStoreSpec}. */
export type StoreSpec =
  | { kind: "sqlite"; filename: string; describe: string }
  | { kind: "redis"; url: string; prefix: string; describe: string }
  | { kind: "postgres"; connectionString: string; schema: string; channel: string; describe: string };

const SCHEMES = "sqlite:<path>, a bare path, redis://, rediss://, postgres:// or postgresql://";

/**
 * Parses a store setting without opening anything:
 * - `sqlite:./data/qrlogin.db`, or a bare path: a SQLite file (`sqlite::memory:` for a throwaway one);
 * - `redis://…` / `rediss://…`, with an optional `?prefix=` for every key and channel (default `qrlogin:`);
 * - `postgres://…` / `postgresql://…`, with an optional `?schema=` (default `public`); other query
 *   parameters, such as `application_name` or `sslmode`, go to the driver.
 * @throws TypeError for anything else, naming what is accepted.
 * @example parseStoreSpec("postgres://app:secret@db/app?schema=qrlogin").describe // "PostgreSQL postgres://app@db/app, schema qrlogin"
 */
export function parseStoreSpec(spec: string): StoreSpec {
  const trimmed = spec.trim();
  if (trimmed === "") throw new TypeError(`qrlogin: the store setting is empty; use ${SCHEMES}`);
  // One letter before a colon is a Windows drive, not a scheme.
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme === "sqlite") {
    const path = scheme === undefined ? trimmed : trimmed.slice("sqlite:".length);
    if (path === "") throw new TypeError("qrlogin: sqlite: needs a file path, e.g. sqlite:./data/qrlogin.db");
    const filename = path === ":memory:" ? path : resolve(path);
    return { kind: "sqlite", filename, describe: `SQLite ${filename}` };
  }
  if (scheme === "redis" || scheme === "rediss") {
    const url = new URL(trimmed);
    const prefix = takeParam(url, "prefix") ?? "qrlogin:";
    return { kind: "redis", url: url.href, prefix, describe: `Redis ${redacted(url)}, key prefix ${prefix}` };
  }
  if (scheme === "postgres" || scheme === "postgresql") {
    const url = new URL(trimmed);
    const schema = takeParam(url, "schema") ?? "public";
    return {
      kind: "postgres",
      connectionString: url.href,
      schema,
      channel: notifyChannelOf(schema),
      describe: `PostgreSQL ${redacted(url)}, schema ${schema}`,
    };
  }
  throw new TypeError(`qrlogin: unknown store ${JSON.stringify(`${scheme}:`)}; use ${SCHEMES}`);
}

/**
 * Opens the store a setting names (see {@link parseStoreSpec}) with its notifier: SQLite with the
 * in-process notifier (one instance), Redis with pub/sub, PostgreSQL with LISTEN/NOTIFY. A
 * PostgreSQL schema is migrated before this resolves, so a wrong address or missing privilege fails
 * here rather than on the first sign-in. Close both when done.
 * @example const { store, notifier, describe } = await openStore(process.env.QRLOGIN_STORE ?? "sqlite:./data/qrlogin.db");
 */
export async function openStore(spec: string): Promise<OpenedStore> {
  const parsed = parseStoreSpec(spec);
  const { describe } = parsed;
  switch (parsed.kind) {
    // Each store is imported only when chosen: its driver is an optional peer dependency.
    case "sqlite": {
      const { SqliteStore } = await import("./sqlite.ts");
      return { store: new SqliteStore({ filename: parsed.filename }), notifier: new LocalNotifier(), describe };
    }
    case "redis": {
      const { RedisNotifier, RedisStore } = await import("./redis.ts");
      return {
        store: new RedisStore({ url: parsed.url, prefix: parsed.prefix }),
        notifier: new RedisNotifier({ url: parsed.url, prefix: parsed.prefix }),
        describe,
      };
    }
    case "postgres": {
      const { PostgresNotifier, PostgresStore } = await import("./postgres.ts");
      const store = new PostgresStore({ connectionString: parsed.connectionString, schema: parsed.schema });
      try {
        await store.migrate();
      } catch (error) {
        await store.close();
        throw error;
      }
      return {
        store,
        notifier: new PostgresNotifier({ connectionString: parsed.connectionString, channel: parsed.channel }),
        describe,
      };
    }
  }
}

/** Removes a query parameter of ours from `url`, so the driver never sees it; returns its value. */
function takeParam(url: URL, name: string): string | undefined {
  const value = url.searchParams.get(name);
  url.searchParams.delete(name);
  if (value === "") throw new TypeError(`qrlogin: the store setting's ${name}= is empty`);
  return value ?? undefined;
}

/** The URL without its password or query (which may carry one, e.g. `?password=`). */
function redacted(url: URL): string {
  const shown = new URL(url.href);
  shown.password = "";
  shown.search = "";
  return shown.href;
}

/**
 * The NOTIFY channel of a schema: instances sharing a schema hear each other, and others do not.
 * Hashed, since a schema name need not be a valid channel identifier.
 */
function notifyChannelOf(schema: string): string {
  if (schema === "public") return "qrlogin";
  return `qrlogin_${createHash("sha256").update(schema).digest("hex").slice(0, 16)}`;
}
