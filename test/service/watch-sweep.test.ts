import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { WatchSweep } from "../../src/service/watch-sweep.ts";

const INTERVAL = 500;
// Timers fire late on a busy machine; the sweep keeps to its beat, so lateness does not add up.
const LATE = 200;
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("WatchSweep", () => {
  it("checks each watched id once per interval, at most 500 a query, and wakes only those that moved or went", async () => {
    const versions = new Map<string, number>();
    const queries: string[][] = [];
    const checkedAt = new Map<string, number[]>();
    const sweep = new WatchSweep(
      async (ids) => {
        queries.push(ids);
        for (const id of ids) checkedAt.set(id, [...(checkedAt.get(id) ?? []), performance.now()]);
        return new Map(ids.flatMap((id) => (versions.has(id) ? [[id, versions.get(id) as number]] : [])));
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
    const sweep = new WatchSweep(
      async (ids) => new Map(ids.map((id) => [id, version])),
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
