import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, describe, it } from "node:test";
import { createClient, ErrorReply } from "redis";
import { CLAIM, CREATE, HIT, type Script, TRANSITION } from "../../src/store/redis/scripts.ts";
import { RedisStore } from "../../src/store/redis.ts";
import { ManualClock, newRequest } from "../../src/testing/fixtures.ts";
import { skipUnlessReachable } from "../helpers/services.ts";
import { type Interceptor, ProxyClient, replyLost } from "./redis-proxy.ts";

const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const skip = await skipUnlessReachable("Redis", url);
const prefix = `qrlogin-test-${randomBytes(6).toString("hex")}:`;

/** An interceptor that does `fault` to the first `times` runs of `script`, and passes the rest. */
function firstRuns(script: Script, fault: (run: () => Promise<unknown>) => Promise<unknown>, times = 1): Interceptor {
  let left = times;
  return (args, run) => {
    if (args[0] !== "EVALSHA" || args[1] !== script.sha || left === 0) return undefined;
    left--;
    return fault(run);
  };
}

/** A store whose every command passes through `intercept`, and the client to close after. */
async function storeThrough(intercept: Interceptor): Promise<{ store: RedisStore; close(): Promise<void> }> {
  const client = new ProxyClient(url, [], intercept);
  await client.connect();
  const store = new RedisStore({ client, prefix });
  return {
    store,
    async close() {
      await store.close();
      await client.close();
    },
  };
}

describe("Redis commands whose outcome a dropped connection hid", { skip }, () => {
  after(async () => {
    const admin = createClient({ url });
    await admin.connect();
    for await (const keys of admin.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      if (keys.length > 0) await admin.del(keys);
    }
    await admin.close();
  });

  it("a transition that ran but whose reply was lost is recognised as ours: applied once, and answered", async () => {
    const { store, close } = await storeThrough(firstRuns(TRANSITION, replyLost));
    try {
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
      assert.equal((await store.get(request.id))?.version, request.version + 1);
    } finally {
      await close();
    }
  });

  it("a transition whose reply was lost while another caller moved the request on is not taken for ours", async () => {
    let other: (() => Promise<unknown>) | undefined;
    // Ours runs, its reply is lost, and before it is sent again another caller approves.
    const { store, close } = await storeThrough(
      firstRuns(TRANSITION, async (run) => {
        await run();
        await other?.();
        return replyLost(async () => {});
      }),
    );
    const { store: second, close: closeSecond } = await storeThrough(() => undefined);
    try {
      const clock = new ManualClock(Date.now());
      const { request } = newRequest(clock);
      await second.create({ ...request, state: "scanned", approverId: "alice" });
      other = () => second.transition(request.id, { from: ["approved"], liveAt: clock.now() }, { state: "redeemed" });
      const approved = await store.transition(
        request.id,
        { from: ["scanned"], liveAt: clock.now() },
        { state: "approved", updatedAt: clock.now() },
      );
      assert.equal(approved, null, "the request is no longer as ours left it: a lost race, as any other");
      assert.equal((await store.get(request.id))?.state, "redeemed");
    } finally {
      await close();
      await closeSecond();
    }
  });

  it("a create whose reply was lost is recognised as ours, and so is its code's claim", async () => {
    for (const script of [CREATE, CLAIM]) {
      const { store, close } = await storeThrough(firstRuns(script, replyLost));
      try {
        const { request } = newRequest(undefined, undefined, "device");
        await store.create(request);
        assert.deepEqual(await store.get(request.id), request);
        assert.equal((await store.findByUserCodeHash(request.userCodeHash as string))?.id, request.id);
      } finally {
        await close();
      }
    }
  });

  it("commands refused while Redis loads its data are sent again; other refusals are final at once", async () => {
    const loading = await storeThrough(
      firstRuns(
        TRANSITION,
        async () => {
          throw new ErrorReply("LOADING Redis is loading the dataset in memory");
        },
        3,
      ),
    );
    try {
      const clock = new ManualClock(Date.now());
      const { request } = newRequest(clock);
      await loading.store.create(request);
      const scanned = await loading.store.transition(
        request.id,
        { from: ["pending"], liveAt: clock.now() },
        { state: "scanned", updatedAt: clock.now() },
      );
      assert.equal(scanned?.version, request.version + 1);
    } finally {
      await loading.close();
    }
    const refused = await storeThrough(
      firstRuns(HIT, async () => {
        throw new ErrorReply("NOPERM this user has no permissions to run the 'evalsha' command");
      }),
    );
    try {
      const started = Date.now();
      await assert.rejects(refused.store.hit("refused", 1000, Date.now()), /NOPERM/);
      assert.ok(Date.now() - started < 500, "not retried for the whole fault window");
    } finally {
      await refused.close();
    }
  });

  it("a counter hit whose reply was lost is counted again: one more, which only makes a limit stricter", async () => {
    const { store, close } = await storeThrough(firstRuns(HIT, replyLost));
    try {
      const key = `lost-hit-${randomBytes(4).toString("hex")}`;
      assert.equal((await store.hit(key, 60_000, Date.now())).count, 2);
    } finally {
      await close();
    }
  });
});
