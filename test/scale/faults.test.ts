import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { skipUnlessReachable } from "../helpers/services.ts";
import {
  approveOn,
  desktopListening,
  type Instance,
  POSTGRES_URL,
  postgresSchema,
  REDIS_URL,
  RedisServer,
  reconnect,
  redeemExactlyOnce,
  redisPrefix,
  scanOn,
  startInstances,
  stopAll,
  TEST_TIMEOUT_MS,
  withPostgres,
} from "./harness.ts";

const redisSkip = await skipUnlessReachable("Redis", REDIS_URL);
const postgresSkip = await skipUnlessReachable("PostgreSQL", POSTGRES_URL);

/** A temporary folder removed after the file's tests. */
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "qrlogin-faults-"));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("sign-in survives faults", () => {
  const redis = redisPrefix();
  const postgres = postgresSchema();
  after(async () => {
    if (!redisSkip) await redis.drop();
    if (!postgresSkip) await postgres.drop();
  });

  it("kill -9 of the instance holding the desktop's stream: it resumes on another with Last-Event-ID", {
    skip: redisSkip,
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    const instances = await startInstances(2, `${REDIS_URL}?prefix=${redis.prefix}`);
    const [first, second] = instances as [Instance, Instance];
    try {
      const { desktop, stream } = await desktopListening(first);
      await scanOn(second, desktop);
      const scanned = await stream.next("scanned");
      await first.stop("SIGKILL");
      await stream.closed();
      // Approved while the desktop has no stream: the event is missed, and must come from stored state.
      await approveOn(second, desktop);
      const resumed = await reconnect(second, desktop, scanned);
      try {
        await resumed.next("approved");
        await redeemExactlyOnce(desktop, second, second, instances);
      } finally {
        resumed.close();
      }
    } finally {
      await stopAll(instances);
    }
  });

  it("restart of a SQLite-backed instance: the pending request survives and completes", {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    const store = `sqlite:${join(tempDir(), "qrlogin.db")}`;
    const [before] = (await startInstances(1, store)) as [Instance];
    const started = [before];
    try {
      const { desktop, stream } = await desktopListening(before);
      await before.stop("SIGKILL");
      await stream.closed();
      const after = await before.restart();
      started.push(after);
      // The QR shown before the restart still works: the request and its token were on disk.
      await scanOn(after, desktop);
      const resumed = await reconnect(after, desktop);
      try {
        await resumed.next("scanned");
        await approveOn(after, desktop);
        await resumed.next("approved");
        await redeemExactlyOnce(desktop, after, after, started);
      } finally {
        resumed.close();
      }
    } finally {
      await stopAll(started);
    }
  });

  it("Redis killed and restarted mid-flow: instances reconnect, nothing is lost, nothing redeemed twice", {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    const dir = tempDir();
    let redisServer = await RedisServer.start(dir);
    const instances = await startInstances(2, redisServer.url);
    const [first, second] = instances as [Instance, Instance];
    try {
      const { desktop, stream } = await desktopListening(first);
      try {
        await scanOn(second, desktop);
        await stream.next("scanned");
        // The approval is sent while Redis is down: it waits for the reconnection, then applies.
        let approving: Promise<void> | undefined;
        redisServer = await redisServer.crashAndRestart(300, () => {
          approving = approveOn(second, desktop);
        });
        await approving;
        await stream.next("approved", 10_000);
        await redeemExactlyOnce(desktop, first, second, instances);
      } finally {
        stream.close();
      }
    } finally {
      await stopAll(instances);
      await redisServer.stop();
    }
  });

  it("PostgreSQL connections terminated mid-flow: instances reconnect and the flow completes", {
    skip: postgresSkip,
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    const instances = await startInstances(2, postgres.store);
    const [first, second] = instances as [Instance, Instance];
    try {
      const { desktop, stream } = await desktopListening(first);
      try {
        await scanOn(second, desktop);
        await stream.next("scanned");
        // Only this test's connections: other tests may share the database.
        const killed = await withPostgres((client) =>
          client.query(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND application_name = $1 AND pid <> pg_backend_pid()`,
            [postgres.applicationName],
          ),
        );
        assert.ok((killed.rowCount ?? 0) >= 2, "at least each instance's listening connection");
        await approveOn(second, desktop);
        await stream.next("approved", 10_000);
        await redeemExactlyOnce(desktop, first, second, instances);
      } finally {
        stream.close();
      }
    } finally {
      await stopAll(instances);
    }
  });
});
