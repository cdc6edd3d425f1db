import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { skipUnlessReachable } from "../helpers/services.ts";
import {
  POSTGRES_URL,
  postgresSchema,
  RedisServer,
  reportRun,
  signInMany,
  startInstances,
  stopAll,
  TEST_TIMEOUT_MS,
  withPostgres,
} from "./harness.ts";

// Many sign-ins at once through a fault on the store: what reaches the clients, what is lost, what is doubled.
// Hundreds of sign-ins take a while on a busy machine: each test gets twice the usual time before it fails.
const RUN_TIMEOUT_MS = 2 * TEST_TIMEOUT_MS;
const postgresSkip = await skipUnlessReachable("PostgreSQL", POSTGRES_URL);

const dir = mkdtempSync(join(tmpdir(), "qrlogin-fault-runs-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("sign-ins in numbers through store faults", () => {
  const postgres = postgresSchema();
  after(async () => {
    if (!postgresSkip) await postgres.drop();
  });

  it("Redis killed and restarted while 100 sign-ins run on two instances: no error reaches a client, none lost, none twice", {
    timeout: RUN_TIMEOUT_MS,
  }, async () => {
    let redisServer = await RedisServer.start(dir);
    const instances = await startInstances(2, redisServer.url);
    try {
      let restarted: Promise<void> | undefined;
      const started = Date.now();
      // Once a fifth are signed in, Redis dies with commands in flight and comes back half a second later.
      const figures = await signInMany(instances, 100, 20, (completed) => {
        if (completed < 20 || restarted) return;
        restarted = redisServer
          .crashAndRestart(500, () => {})
          .then((server) => {
            redisServer = server;
          });
      });
      await restarted;
      reportRun("Redis (AOF, appendfsync always) killed and restarted mid-run", figures, Date.now() - started);
      assert.ok(restarted, "Redis was restarted while sign-ins ran");
      assert.deepEqual(figures.errors, []);
      assert.equal(figures.completed, figures.flows);
      assert.equal(figures.doubled, 0);
    } finally {
      await stopAll(instances);
      await redisServer.stop();
    }
  });

  it("every PostgreSQL connection killed every 1.5 s while 300 sign-ins run on two instances: no error reaches a client, none lost, none twice", {
    skip: postgresSkip,
    timeout: RUN_TIMEOUT_MS,
  }, async () => {
    const instances = await startInstances(2, postgres.store);
    let kills = 0;
    let running = true;
    const killer = (async () => {
      // The first kill soon, so that even a fast run sees several.
      for (let wait = 500; ; wait = 1500) {
        await new Promise((resolve) => setTimeout(resolve, wait));
        if (!running) return;
        await withPostgres((client) =>
          client.query(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND application_name = $1 AND pid <> pg_backend_pid()`,
            [postgres.applicationName],
          ),
        );
        kills++;
      }
    })();
    try {
      const started = Date.now();
      const figures = await signInMany(instances, 300, 20);
      running = false;
      await killer;
      reportRun(`PostgreSQL, every connection terminated every 1.5 s (${kills} times)`, figures, Date.now() - started);
      assert.ok(kills >= 2, `connections were killed during the run (${kills} times)`);
      assert.deepEqual(figures.errors, []);
      assert.equal(figures.completed, figures.flows);
      assert.equal(figures.doubled, 0);
    } finally {
      running = false;
      await killer;
      await stopAll(instances);
    }
  });
});
