import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, describe, it } from "node:test";
import pg from "pg";
import { PostgresStore } from "../../src/store/postgres.ts";
import { ManualClock, newRequest } from "../../src/testing/fixtures.ts";
import { skipUnlessReachable } from "../helpers/services.ts";

const url = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const skip = await skipUnlessReachable("PostgreSQL", url);
const schema = `qrlogin_test_${randomBytes(6).toString("hex")}`;

/** What the pool does to a statement: send it and lose the answer, or fail before sending it. */
type Fault = "answer lost" | "not sent";

/**
 * A pool whose next statements matching `pattern` meet `fault`, as if the server ended the
 * connection (pg_terminate_backend) — after the commit, or before the statement reached it.
 */
function faultyPool(pool: pg.Pool, pattern: RegExp, fault: Fault, times = 1): pg.Pool {
  let left = times;
  const query = async (text: string, values?: unknown[]) => {
    if (!pattern.test(text) || left === 0) return pool.query(text, values);
    left--;
    if (fault === "answer lost") await pool.query(text, values);
    throw Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" });
  };
  return new Proxy(pool, {
    get: (target, property) => (property === "query" ? query : Reflect.get(target, property)),
  });
}

describe("PostgreSQL statements whose connection the server ended", { skip }, () => {
  const pool = new pg.Pool({ connectionString: url });
  after(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
    await pool.end();
  });

  for (const fault of ["answer lost", "not sent"] as const) {
    it(`a transition (${fault}) is applied once and answered`, async () => {
      await new PostgresStore({ pool, schema }).migrate();
      const store = new PostgresStore({ pool: faultyPool(pool, /^UPDATE/, fault), schema });
      const clock = new ManualClock(Date.now());
      const { request } = newRequest(clock);
      await store.create(request);
      const scanned = await store.transition(
        request.id,
        { from: ["pending"], liveAt: clock.now() },
        { state: "scanned", approverId: "alice", updatedAt: clock.now() },
      );
      assert.equal(scanned?.state, "scanned");
      assert.equal(scanned?.version, request.version + 1, "applied once");
    });

    it(`a create (${fault}) is recognised as ours`, async () => {
      const store = new PostgresStore({ pool: faultyPool(pool, /^INSERT INTO \S+\.login_requests/, fault), schema });
      const { request } = newRequest();
      await store.create(request);
      assert.deepEqual(await store.get(request.id), request);
    });
  }

  it("a statement that keeps failing fails once the fault window has passed", async () => {
    const store = new PostgresStore({
      pool: faultyPool(pool, /^SELECT/, "not sent", 1000),
      schema,
      faultWindowMs: 300,
    });
    const started = Date.now();
    await assert.rejects(store.get("AAAAAAAAAAAAAAAAAAAAAA"), /administrator command/);
    const took = Date.now() - started;
    assert.ok(took >= 250 && took < 1500, `tried for about the window (${took} ms)`);
  });
});
