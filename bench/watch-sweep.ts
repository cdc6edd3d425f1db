// What the lost-message sweep costs a process holding 20,000 waiting desktops: CPU and event-loop
// delay over 30 s, on a store of each kind, against the same process watching nothing (BASELINE=1).
// Run: node --import tsx bench/watch-sweep.ts [sqlite|redis|postgres|memory]; on SQLite it reads the
// feed of changes, FEED=0 asks every id's version instead.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { FeedSweep, WATCH_SWEEP_MS, WatchSweep } from "../src/service/watch-sweep.ts";
import { ManualClock, newRequest } from "../src/testing/fixtures.ts";
import { memoryStores, postgresStores, redisStores, sqliteStores } from "../test/helpers/stores.ts";

const WATCHED = Number(process.env.WATCHED ?? 20_000);
const SECONDS = Number(process.env.SWEEP_SECONDS ?? 30);
const BASELINE = process.env.BASELINE === "1";
const kinds = { memory: memoryStores, sqlite: sqliteStores, redis: redisStores, postgres: postgresStores };
const kind = await kinds[(process.argv[2] ?? "sqlite") as keyof typeof kinds]();
const store = await kind.open();
const clock = new ManualClock(Date.now());
const ids: string[] = [];
for (let n = 0; n < WATCHED; n += 500) {
  const batch = Array.from({ length: Math.min(500, WATCHED - n) }, () => newRequest(clock).request);
  await Promise.all(batch.map((request) => store.create(request)));
  ids.push(...batch.map((request) => request.id));
}
let queries = 0;
let slowest = 0;
/** A store query, counted and timed. */
async function query<T>(work: () => Promise<T>): Promise<T> {
  queries++;
  const started = performance.now();
  const found = await work();
  slowest = Math.max(slowest, performance.now() - started);
  return found;
}
const { changesAfter } = store;
const sweep = WatchSweep.over(
  {
    versions: (batch) => query(() => store.versions(batch)),
    // FEED=0: ask every id's version even of a store with a feed, as before it had one.
    ...(changesAfter && process.env.FEED !== "0"
      ? { changesAfter: (cursor, limit) => query(() => changesAfter.call(store, cursor, limit)) }
      : {}),
  },
  WATCH_SWEEP_MS,
  (error) => console.error(error),
);
let woken = 0;
const stops = BASELINE
  ? []
  : ids.map((id) =>
      sweep.add(
        id,
        () => woken++,
        () => 1,
      ),
    );
// Keeps the process alive: the sweep's timer does not.
const alive = setInterval(() => {}, 1_000);
const delay = monitorEventLoopDelay({ resolution: 1 });
// One whole cycle first (with a feed, its first read comes one interval after the first id and
// checks every new id by version), and the garbage of creating the requests collected.
await new Promise((resolve) => setTimeout(resolve, 2 * WATCH_SWEEP_MS));
global.gc?.();
// CPU first, alone: the delay monitor's own 1 ms timer would count.
const cpu = process.cpuUsage();
const started = performance.now();
queries = 0;
await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
const used = process.cpuUsage(cpu);
const wall = performance.now() - started;
const perSecond = queries / (wall / 1000);
delay.enable();
await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
delay.disable();
clearInterval(alive);
console.log(
  JSON.stringify({
    store: kind.name,
    baseline: BASELINE,
    feed: sweep instanceof FeedSweep,
    watched: WATCHED,
    seconds: SECONDS,
    queriesPerSecond: +perSecond.toFixed(1),
    cpuPercentOfACore: +((100 * (used.user + used.system)) / 1000 / wall).toFixed(2),
    eventLoopDelayP99Ms: +(delay.percentile(99) / 1e6).toFixed(2),
    eventLoopDelayMaxMs: +(delay.max / 1e6).toFixed(2),
    slowestQueryMs: +slowest.toFixed(2),
    woken,
  }),
);
for (const stop of stops) stop();
await store.close();
await kind.cleanup();
