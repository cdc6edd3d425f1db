import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, it } from "node:test";
import pg from "pg";
import { createClient } from "redis";
import { LocalNotifier } from "../../src/store/local-notifier.ts";
import { openStore, parseStoreSpec } from "../../src/store/open-store.ts";
import { PostgresNotifier, PostgresStore } from "../../src/store/postgres.ts";
import { RedisNotifier, RedisStore } from "../../src/store/redis.ts";
import { SqliteStore } from "../../src/store/sqlite.ts";
import { newRequest } from "../../src/testing/fixtures.ts";
import { skipUnlessReachable } from "../helpers/services.ts";

const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const postgresUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const redisSkip = await skipUnlessReachable("Redis", redisUrl);
const postgresSkip = await skipUnlessReachable("PostgreSQL", postgresUrl);

describe("parseStoreSpec", () => {
  it("reads sqlite: and bare paths as SQLite files, resolved against the working directory", () => {
    assert.deepEqual(parseStoreSpec("sqlite:./data/qrlogin.db"), {
      kind: "sqlite",
      filename: resolve("data/qrlogin.db"),
      describe: `SQLite ${resolve("data/qrlogin.db")}`,
    });
    assert.equal(parseStoreSpec("/var/lib/qrlogin.db").kind, "sqlite");
    assert.equal(parseStoreSpec("C:\\data\\qrlogin.db").kind, "sqlite", "a drive letter is not a scheme");
    assert.equal((parseStoreSpec("sqlite::memory:") as { filename: string }).filename, ":memory:");
  });

  it("takes the Redis key prefix out of the URL and shows no password", () => {
    const spec = parseStoreSpec("redis://default:s3cret@cache.internal:6380/2?prefix=app1:");
    assert.equal(spec.kind, "redis");
    assert.equal(spec.kind === "redis" && spec.prefix, "app1:");
    assert.equal(spec.kind === "redis" && spec.url, "redis://default:s3cret@cache.internal:6380/2");
    assert.equal(spec.describe, "Redis redis://default@cache.internal:6380/2, key prefix app1:");
    assert.equal(parseStoreSpec("rediss://cache").describe, "Redis rediss://cache, key prefix qrlogin:");
  });

  it("takes the PostgreSQL schema out of the URL, keeps the driver's parameters and shows no password", () => {
    const spec = parseStoreSpec("postgresql://app:s3cret@db:5433/site?schema=login&application_name=web&password=x");
    assert.equal(spec.kind, "postgres");
    if (spec.kind !== "postgres") return;
    assert.equal(spec.schema, "login");
    assert.equal(spec.connectionString, "postgresql://app:s3cret@db:5433/site?application_name=web&password=x");
    assert.equal(spec.describe, "PostgreSQL postgresql://app@db:5433/site, schema login");
    assert.doesNotMatch(spec.describe, /s3cret|password/);
  });

  it("gives each schema its own NOTIFY channel, a valid identifier", () => {
    const channelOf = (url: string) => {
      const spec = parseStoreSpec(url);
      return spec.kind === "postgres" ? spec.channel : "";
    };
    assert.equal(channelOf("postgres://db/site"), "qrlogin");
    const odd = channelOf("postgres://db/site?schema=Tenant%20A");
    assert.match(odd, /^[a-z_][a-z0-9_]{0,62}$/);
    assert.notEqual(odd, channelOf("postgres://db/site?schema=tenant_b"));
  });

  it("refuses anything else with the accepted forms in the message", () => {
    for (const spec of ["", "  ", "mysql://db/site", "sqlite:", "redis://cache?prefix="]) {
      assert.throws(() => parseStoreSpec(spec), TypeError, spec);
    }
    assert.throws(
      () => parseStoreSpec("mongodb://db"),
      /unknown store "mongodb:"; use sqlite:<path>, a bare path, redis:/,
    );
  });
});

describe("openStore", () => {
  it("opens a SQLite file with the in-process notifier", async () => {
    const dir = mkdtempSync(join(tmpdir(), "qrlogin-open-"));
    const { store, notifier, describe } = await openStore(`sqlite:${join(dir, "sub", "q.db")}`);
    try {
      assert.ok(store instanceof SqliteStore);
      assert.ok(notifier instanceof LocalNotifier);
      assert.match(describe, /^SQLite .*q\.db$/);
      const { request } = newRequest();
      await store.create(request);
      assert.equal((await store.get(request.id))?.id, request.id);
    } finally {
      await notifier.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("opens Redis with pub/sub, every key under the prefix", { skip: redisSkip }, async () => {
    const prefix = `qrlogin-test-${randomBytes(6).toString("hex")}:`;
    const { store, notifier } = await openStore(`${redisUrl}?prefix=${prefix}`);
    const admin = createClient({ url: redisUrl });
    await admin.connect();
    try {
      assert.ok(store instanceof RedisStore);
      assert.ok(notifier instanceof RedisNotifier);
      const { request } = newRequest();
      await store.create(request);
      assert.equal(await admin.exists(`${prefix}{${request.id}}`), 1);
    } finally {
      await notifier.close();
      await store.close();
      const keys = await admin.keys(`${prefix}*`);
      if (keys.length > 0) await admin.del(keys);
      await admin.close();
    }
  });

  const schema = `qrlogin_test_${randomBytes(6).toString("hex")}`;
  after(async () => {
    if (postgresSkip) return;
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
    await admin.end();
  });
  it("opens PostgreSQL with LISTEN/NOTIFY, the schema migrated before it resolves", {
    skip: postgresSkip,
  }, async () => {
    const { store, notifier } = await openStore(`${postgresUrl}?schema=${schema}`);
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    try {
      assert.ok(store instanceof PostgresStore);
      assert.ok(notifier instanceof PostgresNotifier);
      const { rows } = await admin.query(
        `SELECT max(version) AS v FROM ${pg.escapeIdentifier(schema)}.qrlogin_migrations`,
      );
      assert.ok(rows[0].v >= 1);
    } finally {
      await admin.end();
      await notifier.close();
      await store.close();
    }
  });

  it("fails at startup when PostgreSQL refuses the database", { skip: postgresSkip }, async () => {
    const url = new URL(postgresUrl);
    url.pathname = `/no_such_db_${randomBytes(4).toString("hex")}`;
    await assert.rejects(openStore(url.href), /does not exist/);
  });
});
