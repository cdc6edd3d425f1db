import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, describe, it } from "node:test";
import pg from "pg";
import { PostgresNotifier, PostgresStore } from "../../src/store/postgres.ts";
import { notifierConformance, storeConformance } from "../../src/testing/conformance.ts";
import { skipUnlessReachable } from "../helpers/services.ts";
import { assertResyncAfterKill } from "./notifier-resync.ts";

const url = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const skip = await skipUnlessReachable("PostgreSQL", url);
// A schema and a NOTIFY channel of this run's own, dropped at the end, so that runs cannot see each other's data.
const run = randomBytes(6).toString("hex");
const schema = `qrlogin_test_${run}`;
const channel = `qrlogin_test_${run}`;
const schemas = [schema];

// Each PostgresStore opens its own pool, so the suite's racing stores use distinct connections.
storeConformance("postgres", {
  open: async () => new PostgresStore({ connectionString: url, schema }),
  shared: true,
  durable: true,
  skip,
});
notifierConformance("postgres", {
  open: async () => new PostgresNotifier({ connectionString: url, channel }),
  shared: true,
  skip,
});

describe("PostgreSQL specifics", { skip }, () => {
  it("instances starting together on an empty schema migrate it once", async () => {
    const fresh = `qrlogin_test_${randomBytes(6).toString("hex")}`;
    schemas.push(fresh);
    const stores = Array.from({ length: 5 }, () => new PostgresStore({ connectionString: url, schema: fresh }));
    try {
      await Promise.all(stores.map((store) => store.get("AAAAAAAAAAAAAAAAAAAAAA")));
      const pool = new pg.Pool({ connectionString: url });
      const { rows } = await pool.query(
        `SELECT version FROM ${pg.escapeIdentifier(fresh)}.qrlogin_migrations ORDER BY version`,
      );
      await pool.end();
      assert.deepEqual(
        rows,
        Array.from({ length: 6 }, (_, i) => ({ version: i + 1 })),
      );
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it("statements and publishes succeed right after the server ended every connection they had", async () => {
    const name = `qrlogin_test_${randomBytes(4).toString("hex")}`;
    const connectionString = `${url}?application_name=${name}`;
    const store = new PostgresStore({ connectionString, schema });
    const notifier = new PostgresNotifier({ connectionString, channel });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      for (let round = 0; round < 10; round++) {
        // Several idle pooled connections and the notifier's, all ended at once; the next calls go at once too.
        await Promise.all([
          store.peekCounter("a", 0),
          store.peekCounter("b", 0),
          notifier.publish("request:x", { requestId: "x", version: 1 }),
        ]);
        await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [name]);
        assert.equal((await store.hit(`${name}-${round}`, 1000, 0)).count, 1);
        await notifier.publish("request:x", { requestId: "x", version: 1 });
      }
    } finally {
      await store.close();
      await notifier.close();
      await admin.end();
    }
  });

  it("the notifier resyncs and listens again after its connection is terminated", async () => {
    const name = `qrlogin_test_${randomBytes(4).toString("hex")}`;
    const subscriber = new PostgresNotifier({ connectionString: `${url}?application_name=${name}`, channel });
    const publisher = new PostgresNotifier({ connectionString: url, channel });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await assertResyncAfterKill(subscriber, publisher, async () => {
        const { rowCount } = await admin.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
          [name],
        );
        assert.equal(rowCount, 1, "one listening connection");
      });
    } finally {
      await subscriber.close();
      await publisher.close();
      await admin.end();
    }
  });
});

after(async () => {
  if (skip) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  for (const name of schemas) await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(name)} CASCADE`);
  await client.end();
});
