import assert from "node:assert/strict";
import { fork } from "node:child_process";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { SqliteStore } from "../../src/store/sqlite.ts";
import Database from "../../src/store/sqlite-driver.ts";
import { storeConformance } from "../../src/testing/conformance.ts";
import { ManualClock, newRequest } from "../../src/testing/fixtures.ts";

const filename = join(mkdtempSync(join(tmpdir(), "qrlogin-sqlite-")), "conformance.db");
storeConformance("sqlite", { open: async () => new SqliteStore({ filename }), shared: true, durable: true });

describe("SqliteStore across processes", () => {
  it("consume — of 4 processes racing on 200 requests, each request is redeemed exactly once", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "qrlogin-race-")), "race.db");
    const store = new SqliteStore({ filename: file });
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) {
      const { request } = newRequest();
      await store.create({ ...request, state: "approved", approverId: "alice" });
      ids.push(request.id);
    }
    const liveAt = Date.UTC(2026, 0, 1) + 1;
    const children = Array.from({ length: 4 }, (_, i) =>
      fork(
        fileURLToPath(new URL("./sqlite-race.child.ts", import.meta.url)),
        [file, String(liveAt), ids.join(","), String(i * 50)],
        { execArgv: ["--import", "tsx"] },
      ),
    );
    const ready = children.map(
      (c) => new Promise((resolve, reject) => c.once("message", resolve).once("error", reject)),
    );
    await Promise.all(ready);
    const results = children.map(
      (c) =>
        new Promise<string[]>((resolve, reject) =>
          c.once("message", (m) => resolve(m as string[])).once("exit", reject),
        ),
    );
    // All start at one instant, not as each hears of it (a loaded machine let one finish alone).
    const startAt = Date.now() + 200;
    for (const child of children) child.send(startAt);
    const won = (await Promise.all(results)).flat();
    assert.equal(won.length, ids.length, "no request redeemed twice, none missed");
    assert.deepEqual(new Set(won), new Set(ids));
    assert.ok(
      (await Promise.all(results)).filter((w) => w.length > 0).length > 1,
      "the processes really overlapped (more than one won something)",
    );
    for (const id of ids) assert.equal((await store.get(id))?.state, "redeemed");
    await store.close();
  });
});

describe("SqliteStore group commit", () => {
  const fresh = () => join(mkdtempSync(join(tmpdir(), "qrlogin-batch-")), "batch.db");

  it("of 300 creations made at once, each one acknowledged is committed: another connection reads it", async () => {
    const file = fresh();
    const store = new SqliteStore({ filename: file });
    const requests = Array.from({ length: 300 }, () => newRequest().request);
    await Promise.all(requests.map((request) => store.create(request)));
    const other = new SqliteStore({ filename: file });
    for (const request of requests) assert.deepEqual(await other.get(request.id), request);
    await Promise.all([store.close(), other.close()]);
  });

  it("a failing insert in a batch fails its own caller only; the rest of the batch is stored", async () => {
    const file = fresh();
    const store = new SqliteStore({ filename: file });
    const [a, b, c] = [newRequest().request, newRequest().request, newRequest().request];
    // The same id twice in one batch: the second breaks the primary key.
    const clash = { ...newRequest().request, id: a.id };
    const settled = await Promise.allSettled([a, clash, b, c].map((request) => store.create(request)));
    assert.deepEqual(
      settled.map((s) => s.status),
      ["fulfilled", "rejected", "fulfilled", "fulfilled"],
    );
    assert.match(String((settled[1] as PromiseRejectedResult).reason), /UNIQUE|PRIMARY KEY/);
    const other = new SqliteStore({ filename: file });
    for (const request of [a, b, c]) assert.deepEqual(await other.get(request.id), request);
    await Promise.all([store.close(), other.close()]);
  });

  it("close commits the creations still waiting for their batch", async () => {
    const file = fresh();
    const store = new SqliteStore({ filename: file });
    const { request } = newRequest();
    const created = store.create(request);
    await store.close();
    await created;
    const reopened = new SqliteStore({ filename: file });
    assert.deepEqual(await reopened.get(request.id), request);
    await reopened.close();
  });
});

describe("SqliteStore waiting for another process's write lock", () => {
  const fresh = () => join(mkdtempSync(join(tmpdir(), "qrlogin-busy-")), "busy.db");
  /** Another process's connection holding the file's write lock until `release()`. */
  const holdWriteLock = (file: string) => {
    const other = new Database(file);
    other.exec("BEGIN IMMEDIATE");
    return () => {
      other.exec("COMMIT");
      other.close();
    };
  };

  it("writes wait off the event loop and go through once the lock is free", async () => {
    const file = fresh();
    const store = new SqliteStore({ filename: file });
    const { request } = newRequest();
    const release = holdWriteLock(file);
    let settled = 0;
    const created = store.create(request).finally(() => settled++);
    const counted = store.hit("busy:ip", 60_000, 1_000).finally(() => settled++);
    // The loop keeps turning meanwhile: a 5 ms timer fires on time, over and over.
    const started = performance.now();
    let late = 0;
    for (let i = 0; i < 20; i++) {
      const before = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 5));
      late = Math.max(late, performance.now() - before - 5);
    }
    assert.equal(settled, 0, "nothing is written while another process holds the lock");
    assert.ok(performance.now() - started >= 100);
    assert.ok(late < 50, `the event loop was held up ${late.toFixed(0)} ms`);
    release();
    await created;
    assert.equal((await counted).count, 1);
    assert.deepEqual(await store.get(request.id), request);
    await store.close();
  });

  it("a write still locked out after busyTimeoutMs fails with SQLITE_BUSY and stores nothing", async () => {
    const file = fresh();
    const store = new SqliteStore({ filename: file, busyTimeoutMs: 150 });
    const { request } = newRequest();
    const release = holdWriteLock(file);
    const started = performance.now();
    await assert.rejects(store.create(request), (error: { code?: string }) => error.code === "SQLITE_BUSY");
    assert.ok(performance.now() - started >= 100, "it waited for the lock first");
    release();
    assert.equal(await store.get(request.id), null);
    await store.close();
    assert.throws(() => new SqliteStore({ filename: fresh(), busyTimeoutMs: -1 }), /busyTimeoutMs/);
  });
});

describe("SqliteStore checkpoints", () => {
  it("a worker copies the WAL into the database, which this connection would leave to ~40 MB, also once it idled", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "qrlogin-checkpoint-")), "checkpoint.db");
    const store = new SqliteStore({ filename: file });
    const copied = async (what: string) => {
      const before = statSync(file).size;
      await Promise.all(Array.from({ length: 500 }, () => store.create(newRequest().request)));
      const deadline = Date.now() + 5_000;
      while (statSync(file).size === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(
        statSync(file).size > before,
        `${what}: the rows reached the database file without a checkpoint of ours`,
      );
    };
    await copied("at once");
    // Long enough for an idle worker to look at its least often.
    await new Promise((r) => setTimeout(r, 3_000));
    await copied("after idling");
    await store.close();
  });
});

describe("SqliteStore feed of changes", () => {
  it("a purge forgets the changes from before the purge before it, so the feed stays small; a reader from before them is told", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "qrlogin-feed-")), "feed.db");
    const store = new SqliteStore({ filename: file });
    const clock = new ManualClock(Date.now());
    const { request } = newRequest(clock);
    await store.create(request);
    const change = (updatedAt: number) =>
      store.transition(request.id, { from: ["pending"], liveAt: clock.now() }, { updatedAt });
    const start = (await store.changesAfter(null, 10)).cursor;
    await change(1);
    await store.purge(0);
    assert.deepEqual(await store.changesAfter(start, 10), {
      changes: [{ requestId: request.id, version: request.version + 1 }],
      cursor: start + 1,
      complete: true,
    });
    await change(2);
    await store.purge(0);
    assert.deepEqual(await store.changesAfter(start, 10), {
      changes: [{ requestId: request.id, version: request.version + 2 }],
      cursor: start + 2,
      complete: false,
    });
    assert.equal((await store.changesAfter(start + 1, 10)).complete, true, "from its last change, nothing is missing");
    await store.purge(0);
    const db = new Database(file, { readonly: true });
    const { n } = db.prepare("SELECT count(*) AS n FROM request_changes").get() as { n: number };
    assert.equal(n, 1, "every change forgotten but the newest, after which the next comes");
    db.close();
    assert.deepEqual(await store.changesAfter(null, 10), { changes: [], cursor: start + 2, complete: true });
    await change(3);
    assert.deepEqual((await store.changesAfter(start + 2, 10)).changes, [
      { requestId: request.id, version: request.version + 3 },
    ]);
    await store.close();
  });
});
