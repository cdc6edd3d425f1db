import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { createClient } from "redis";
import type { LoginStore } from "../../src/store/login-store.ts";
import { MemoryStore } from "../../src/store/memory.ts";
import { PostgresStore } from "../../src/store/postgres.ts";
import { RedisStore } from "../../src/store/redis.ts";
import { SqliteStore } from "../../src/store/sqlite.ts";
import { skipUnlessReachable } from "./services.ts";

/** One kind of store a suite can run on, handing out stores that cannot see each other's data. */
export interface StoreKind {
  name: "memory" | "sqlite" | "redis" | "postgres";
  /** `false` when the store can be used; otherwise why the suite's run on it is skipped. */
  skip: string | false;
  /**
   * A fresh, empty store of this kind: a file, key prefix or schema of its own, so that no test
   * (and no other run on the same services) sees another's requests, counters or alerts.
   */
  open(): Promise<LoginStore>;
  /** Deletes what the stores opened so far left behind (files, keys, schemas). Call once they are closed. */
  cleanup(): Promise<void>;
}

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
export const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** In-process memory: every store is new and empty. */
export function memoryStores(): StoreKind {
  return { name: "memory", skip: false, open: async () => new MemoryStore(), cleanup: async () => {} };
}

/** SQLite: each store is a file of its own in one temporary directory, removed by `cleanup`. */
export function sqliteStores(): StoreKind {
  let dir: string | null = null;
  let opened = 0;
  return {
    name: "sqlite",
    skip: false,
    async open() {
      if (!dir) {
        const made = mkdtempSync(join(tmpdir(), "qrlogin-stores-"));
        // Also when a run ends before its cleanup (a cancelled or timed-out test file).
        process.once("exit", () => rmSync(made, { recursive: true, force: true }));
        dir = made;
      }
      return new SqliteStore({ filename: join(dir, `store-${++opened}.db`) });
    },
    async cleanup() {
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = null;
    },
  };
}

/** Redis: each store has a key prefix of its own under this run's; `cleanup` deletes the run's keys. */
export async function redisStores(url = REDIS_URL): Promise<StoreKind> {
  const skip = await skipUnlessReachable("Redis", url);
  const run = `qrlogin-test-${randomBytes(6).toString("hex")}`;
  let opened = 0;
  return {
    name: "redis",
    skip,
    open: async () => new RedisStore({ url, prefix: `${run}-${++opened}:` }),
    async cleanup() {
      if (skip || opened === 0) return;
      const client = createClient({ url });
      await client.connect();
      try {
        for await (const keys of client.scanIterator({ MATCH: `${run}-*`, COUNT: 500 })) {
          if (keys.length > 0) await client.del(keys);
        }
      } finally {
        await client.close();
      }
    },
  };
}

/** PostgreSQL: each store has a schema of its own; `cleanup` drops them. */
export async function postgresStores(url = DATABASE_URL): Promise<StoreKind> {
  const skip = await skipUnlessReachable("PostgreSQL", url);
  const run = `qrlogin_test_${randomBytes(6).toString("hex")}`;
  const schemas: string[] = [];
  return {
    name: "postgres",
    skip,
    async open() {
      const schema = `${run}_${schemas.length + 1}`;
      schemas.push(schema);
      const store = new PostgresStore({ connectionString: url, schema });
      await store.migrate();
      return store;
    },
    async cleanup() {
      if (skip || schemas.length === 0) return;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        for (const schema of schemas.splice(0)) {
          await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
        }
      } finally {
        await client.end();
      }
    },
  };
}

/** Every store qrlogin ships: memory, SQLite, Redis and PostgreSQL (the last two skipped when unreachable). */
export async function allStoreKinds(): Promise<StoreKind[]> {
  return [memoryStores(), sqliteStores(), await redisStores(), await postgresStores()];
}
