import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { WatchSweep } from "../../src/service/watch-sweep.ts";
import type { ChangeMessage, RequestChanges } from "../../src/store/login-store.ts";

const INTERVAL = 500;
// Timers fire late on a busy machine; the sweep keeps to its beat, so lateness does not add up.
const LATE = 200;
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("WatchSweep over a store without a feed", () => {
  it("checks each watched id once per interval, at most 500 a query, and wakes only those that moved or went", async () => {
    const versions = new Map<string, number>();
    const queries: string[][] = [];
    const checkedAt = new Map<string, number[]>();
    const sweep = WatchSweep.over(
      {
        async versions(ids) {
          queries.push(ids);
          for (const id of ids) checkedAt.set(id, [...(checkedAt.get(id) ?? []), performance.now()]);
          return new Map(ids.flatMap((id) => (versions.has(id) ? [[id, versions.get(id) as number]] : [])));
        },
      },
      INTERVAL,
      (error) => assert.fail(String(error)),
    );
    const woken = new Map<string, number>();
    const stops: (() => void)[] = [];
    for (let n = 0; n < 2_000; n++) {
      const id = `r${n}`;
      versions.set(id, 1);
      stops.push(
        sweep.add(
          id,
          () => woken.set(id, (woken.get(id) ?? 0) + 1),
          () => 1,
        ),
      );
    }
    versions.set("r7", 2);
    versions.delete("r1500");
    await wait(INTERVAL * 3.5);
    assert.ok(
      queries.every((ids) => ids.length <= 500),
      "no query asks for more than 500",
    );
    for (const [id, times] of checkedAt) {
      assert.ok(times.length >= 2, `${id} checked every interval`);
      for (let i = 1; i < times.length; i++) {
        const gap = (times[i] as number) - (times[i - 1] as number);
        assert.ok(gap <= INTERVAL + LATE, `${id} checked ${gap} ms after its last check`);
      }
    }
    assert.deepEqual([...woken.keys()].sort(), ["r1500", "r7"], "only the moved and the gone are woken");
    for (const stop of stops) stop();
    const before = queries.length;
    await wait(INTERVAL * 2);
    assert.ok(queries.length <= before + 1, "idle once nothing is watched");
    assert.equal(sweep.size, 0);
  });

  it("checks an id watched mid-cycle within one interval, and stops waking a listener that saw the change", async () => {
    let version = 1;
    const sweep = WatchSweep.over(
      { versions: async (ids) => new Map(ids.map((id) => [id, version])) },
      INTERVAL,
      () => {},
    );
    const stopFirst = sweep.add(
      "first",
      () => {},
      () => 1,
    );
    await wait(INTERVAL / 2);
    let seen = 1;
    const wakes: number[] = [];
    const started = performance.now();
    const stop = sweep.add(
      "late",
      () => wakes.push(performance.now() - started),
      () => seen,
    );
    version = 2;
    await wait(INTERVAL * 1.3);
    assert.equal(wakes.length, 1);
    assert.ok((wakes[0] as number) <= INTERVAL + LATE, `woken after ${wakes[0]} ms`);
    seen = 2;
    await wait(INTERVAL * 2);
    assert.equal(wakes.length, 1, "not woken again once it read the new version");
    stop();
    stopFirst();
  });
});

/** A store with a feed of changes, in memory; its cursor is a position in the log of changes. */
class FeedStore {
  readonly current = new Map<string, number>();
  readonly log: ChangeMessage[] = [];
  /** Changes before this position are forgotten. */
  forgotten = 0;
  reads = 0;
  readonly queries: string[][] = [];
  failNextRead = false;

  change(id: string, version: number): void {
    this.current.set(id, version);
    this.log.push({ requestId: id, version });
  }

  async versions(ids: string[]): Promise<Map<string, number>> {
    this.queries.push(ids);
    return new Map(ids.flatMap((id) => (this.current.has(id) ? [[id, this.current.get(id) as number]] : [])));
  }

  async changesAfter(cursor: number | null, limit: number): Promise<RequestChanges> {
    this.reads++;
    if (this.failNextRead) {
      this.failNextRead = false;
      throw new Error("the feed is down");
    }
    if (cursor === null) return { changes: [], cursor: this.log.length, complete: true };
    const from = Math.max(cursor, this.forgotten);
    const changes = this.log.slice(from, from + limit);
    return { changes, cursor: from + changes.length, complete: cursor >= this.forgotten };
  }
}

describe("WatchSweep over a store with a feed", () => {
  it("reads the feed once an interval however many are watched, checks each new id once by version, and wakes only the listeners of requests that moved past what they saw", async () => {
    const store = new FeedStore();
    const sweep = WatchSweep.over(store, INTERVAL, (error) => assert.fail(String(error)));
    const woken = new Map<string, number[]>();
    const stops: (() => void)[] = [];
    for (let n = 0; n < 2_000; n++) {
      const id = `r${n}`;
      store.current.set(id, 1);
      stops.push(
        sweep.add(
          id,
          () => woken.set(id, [...(woken.get(id) ?? []), performance.now()]),
          () => 1,
        ),
      );
    }
    await wait(INTERVAL * 1.5);
    assert.deepEqual(
      store.queries.map((ids) => ids.length),
      [500, 500, 500, 500],
      "each new id checked once by version, 500 a query",
    );
    const changed = performance.now();
    store.change("r7", 2);
    store.change("r8", 1); // no further than its listener saw
    store.change("r9", 2);
    store.change("r9", 3);
    // More changes than one read returns: the sweep reads on until it has them all.
    for (let n = 0; n < 1_200; n++) store.change(`elsewhere${n}`, 2);
    const readsBefore = store.reads;
    await wait(INTERVAL * 3);
    assert.deepEqual([...woken.keys()].sort(), ["r7", "r9"], "only the moved are woken");
    assert.equal(woken.get("r9")?.length, 1, "two changes in one read wake once");
    for (const [id, [at]] of woken) assert.ok((at as number) - changed <= INTERVAL + LATE, `${id} woken late`);
    assert.equal(store.queries.length, 4, "no id asked by version again");
    assert.ok(store.reads - readsBefore <= 3 + 3, `${store.reads - readsBefore} reads in 3 intervals`);
    for (const stop of stops) stop();
    const readsIdle = store.reads;
    await wait(INTERVAL * 2);
    assert.ok(store.reads <= readsIdle + 1, "idle once nothing is watched");
    assert.equal(sweep.size, 0);
  });

  it("finds a change made before its first read by the new id's version, then only from the feed", async () => {
    const store = new FeedStore();
    store.current.set("a", 1);
    const sweep = WatchSweep.over(store, INTERVAL, (error) => assert.fail(String(error)));
    let seen = 1;
    let wakes = 0;
    const stop = sweep.add(
      "a",
      () => wakes++,
      () => seen,
    );
    // Committed before the sweep's first read: behind the cursor it starts from.
    store.change("a", 2);
    await wait(INTERVAL + LATE);
    assert.equal(wakes, 1);
    seen = 2;
    await wait(INTERVAL * 2);
    assert.equal(wakes, 1, "not woken again once it read the new version");
    store.change("a", 3);
    await wait(INTERVAL + LATE);
    assert.equal(wakes, 2);
    stop();
  });

  it("checks every watched id by version when the store forgot changes it had not read yet", async () => {
    const store = new FeedStore();
    const sweep = WatchSweep.over(store, INTERVAL, (error) => assert.fail(String(error)));
    const woken: string[] = [];
    const stops = ["a", "b", "c"].map((id) => {
      store.current.set(id, 1);
      return sweep.add(
        id,
        () => woken.push(id),
        () => 1,
      );
    });
    await wait(INTERVAL * 1.5);
    store.queries.length = 0;
    store.change("b", 2);
    store.forgotten = store.log.length;
    await wait(INTERVAL + LATE);
    assert.deepEqual(woken, ["b"]);
    assert.deepEqual(store.queries.flat().sort(), ["a", "b", "c"], "each watched id asked once");
    for (const stop of stops) stop();
  });

  it("reports a failed read and tries again at the next, still checking the ids watched meanwhile", async () => {
    const store = new FeedStore();
    const errors: unknown[] = [];
    const sweep = WatchSweep.over(store, INTERVAL, (error) => errors.push(error));
    store.failNextRead = true;
    let wakes = 0;
    store.current.set("a", 1);
    const stop = sweep.add(
      "a",
      () => wakes++,
      () => 1,
    );
    store.change("a", 2);
    await wait(INTERVAL * 2 + LATE);
    assert.equal(errors.length, 1);
    assert.equal(wakes, 1, "woken after the read that worked");
    stop();
  });
});

describe("WatchSweep.close", () => {
  it("asks the store nothing more once closed, though requests are still watched", async () => {
    let queries = 0;
    const sweep = WatchSweep.over(
      {
        async versions() {
          queries++;
          return new Map();
        },
      },
      100,
      (error) => assert.fail(String(error)),
    );
    sweep.add(
      "r1",
      () => {},
      () => 0,
    );
    await wait(150);
    assert.ok(queries >= 1, "it swept while open");
    sweep.close();
    const before = queries;
    sweep.add(
      "r2",
      () => {},
      () => 0,
    );
    await wait(300);
    assert.equal(queries, before);
  });
});
