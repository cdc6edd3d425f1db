import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createClient } from "redis";
import { DEFAULT_LIFETIMES } from "../../src/core/lifetimes.ts";
import { hashSecret } from "../../src/core/secrets.ts";
import { planUserCode } from "../../src/core/transitions.ts";
import { RedisNotifier, RedisStore } from "../../src/store/redis.ts";
import { notifierConformance, storeConformance } from "../../src/testing/conformance.ts";
import { ManualClock, newRequest } from "../../src/testing/fixtures.ts";
import { skipUnlessReachable } from "../helpers/services.ts";
import { assertResyncAfterKill } from "./notifier-resync.ts";
import { assertOneCommandPerTransition, countingClient } from "./redis-round-trips.ts";

const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const skip = await skipUnlessReachable("Redis", url);
// Every key and channel of this run carries its own prefix, so that runs cannot see each other's data.
const prefix = `qrlogin-test-${randomBytes(6).toString("hex")}:`;

storeConformance("redis", { open: async () => new RedisStore({ url, prefix }), shared: true, durable: true, skip });
notifierConformance("redis", { open: async () => new RedisNotifier({ url, prefix }), shared: true, skip });

describe("Redis specifics", { skip }, () => {
  const admin = createClient({ url });
  before(async () => {
    await admin.connect();
  });
  after(async () => {
    await admin.close();
  });

  it("sets TTLs for garbage collection and drops the index key of a code two codes back", async () => {
    const retentionMs = 3_600_000;
    const store = new RedisStore({ url, prefix, retentionMs });
    try {
      const clock = new ManualClock();
      const { request } = newRequest(clock);
      await store.create(request);
      const ttl = await admin.pTTL(`${prefix}{${request.id}}`);
      const expected = request.expiresAt - request.createdAt + retentionMs;
      assert.ok(ttl > expected - 5_000 && ttl <= expected, `record TTL ${ttl} near ${expected}`);
      const codeKey = (code: string) => `${prefix}code:${hashSecret(code)}`;
      let current = request;
      for (const code of ["first-code", "second-code", "third-code"]) {
        clock.advance(DEFAULT_LIFETIMES.scanToken);
        const shown = planUserCode(current, hashSecret(code), clock.now(), DEFAULT_LIFETIMES);
        const moved = await store.transition(request.id, shown.guard, shown.patch);
        assert.ok(moved);
        current = moved;
      }
      assert.equal(await admin.exists(codeKey("first-code")), 0, "the first code's key is gone");
      assert.equal(await admin.get(codeKey("second-code")), request.id);
      assert.equal(await admin.get(codeKey("third-code")), request.id);
      assert.ok((await admin.pTTL(codeKey("third-code"))) > 0);
    } finally {
      await store.close();
    }
  });

  it("transitions racing a new code still apply, and the index follows the code that won", async () => {
    const store = new RedisStore({ url, prefix });
    try {
      const clock = new ManualClock();
      const { request } = newRequest(clock);
      await store.create(request);
      const now = clock.now();
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => {
          if (i % 2 === 0) {
            const shown = planUserCode(request, hashSecret(`code-${i}`), now, DEFAULT_LIFETIMES);
            return store.transition(request.id, shown.guard, shown.patch);
          }
          return store.transition(request.id, { from: ["pending"], liveAt: now }, { updatedAt: now + i });
        }),
      );
      const codes = results.filter((r, i) => i % 2 === 0 && r !== null);
      assert.ok(codes.length <= 1, "one code from one read at most");
      assert.equal(results.filter((r, i) => i % 2 === 1 && r !== null).length, 20);
      const final = await store.get(request.id);
      assert.equal(final?.version, request.version + 20 + codes.length);
      if (final?.userCodeHash) assert.equal((await store.findByUserCodeHash(final.userCodeHash))?.id, request.id);
      for (const [i, result] of results.entries()) {
        if (i % 2 === 0 && result === null)
          assert.equal(await admin.exists(`${prefix}code:${hashSecret(`code-${i}`)}`), 0);
      }
    } finally {
      await store.close();
    }
  });

  it("takes one command per transition, a new typed code aside", async () => {
    const own = createClient({ url });
    await own.connect();
    const { client, sent } = countingClient(own);
    const store = new RedisStore({ client, prefix });
    try {
      await assertOneCommandPerTransition(store, sent);
    } finally {
      await store.close();
      await own.close();
    }
  });

  it("purge meets a request whose deadline moved later at its creation, and puts it back at its deadline", async () => {
    const store = new RedisStore({ url, prefix });
    try {
      const clock = new ManualClock(Date.UTC(2019, 0, 1));
      const { request } = newRequest(clock);
      await store.create(request);
      assert.equal(await admin.zScore(`${prefix}expiries`, request.id), request.createdAt);
      const later = request.expiresAt + 60_000;
      const scanned = await store.transition(
        request.id,
        { from: ["pending"], liveAt: clock.now() },
        { state: "scanned", approverId: "someone", expiresAt: later },
      );
      assert.equal(scanned?.expiresAt, later);
      assert.equal(await store.purge(request.expiresAt + 1), 0, "still running at the cut-off");
      assert.equal(await admin.zScore(`${prefix}expiries`, request.id), later, "back at its deadline");
      assert.equal(await store.purge(later + 1), 1);
      assert.equal(await store.get(request.id), null);
    } finally {
      await store.close();
    }
  });

  it("purge removes the record, its index keys and its expiry entry", async () => {
    const store = new RedisStore({ url, prefix });
    try {
      const { request } = newRequest(new ManualClock(Date.UTC(2019, 0, 1)), undefined, "device");
      await store.create(request);
      assert.equal(await admin.exists(`${prefix}code:${request.userCodeHash}`), 1);
      assert.equal(await store.purge(request.expiresAt + 1), 1);
      assert.equal(await admin.exists(`${prefix}{${request.id}}`), 0);
      assert.equal(await admin.exists(`${prefix}code:${request.userCodeHash}`), 0);
      assert.equal(await admin.zScore(`${prefix}expiries`, request.id), null);
    } finally {
      await store.close();
    }
  });

  it("purge also empties the approver's push set, the counter index and every audit log it touched", async () => {
    const store = new RedisStore({ url, prefix });
    try {
      const clock = new ManualClock(Date.UTC(2019, 0, 1));
      const user = `pushed-${randomBytes(4).toString("hex")}`;
      const { request } = newRequest(clock);
      await store.create({ ...request, mode: "push", state: "scanned", approverId: user });
      assert.equal(await admin.zScore(`${prefix}push:${user}`, request.id), request.expiresAt);
      const approved = await store.transition(
        request.id,
        { from: ["scanned"], liveAt: clock.now() },
        { state: "approved", expiresAt: clock.now() + 30_000 },
      );
      assert.ok(approved);
      // No longer waiting for its approver, its entry stays behind: the record says it is not listed.
      assert.equal(await admin.zScore(`${prefix}push:${user}`, request.id), request.expiresAt);
      assert.deepEqual(await store.listPushRequests(user, clock.now()), [], "approved is no longer listed");
      await store.hit(`${user}-counter`, 1000, clock.now());
      await store.appendAudit({ at: clock.now(), type: "x", requestId: null, userId: user, ip: null, detail: {} });
      await store.purge(clock.now() + 60_000);
      assert.equal(await admin.exists(`${prefix}push:${user}`), 0);
      assert.equal(await admin.zScore(`${prefix}counters`, `${user}-counter`), null);
      assert.equal(await admin.exists(`${prefix}counter:${user}-counter`), 0);
      assert.equal(await admin.exists(`${prefix}audit:${user}`), 0);
    } finally {
      await store.close();
    }
  });

  it("the notifier resyncs and hears messages again after its subscriber connection is killed", async () => {
    const name = `qrlogin-test-${randomBytes(4).toString("hex")}`;
    const client = createClient({ url, name });
    await client.connect();
    const subscriber = new RedisNotifier({ client, prefix });
    const publisher = new RedisNotifier({ url, prefix });
    try {
      await assertResyncAfterKill(subscriber, publisher, async () => {
        const lines = String(await admin.sendCommand(["CLIENT", "LIST", "TYPE", "pubsub"])).split("\n");
        const ids = lines.filter((line) => line.includes(` name=${name} `)).map((line) => /^id=(\d+)/.exec(line)?.[1]);
        assert.equal(ids.length, 1, "one subscriber connection");
        await admin.sendCommand(["CLIENT", "KILL", "ID", String(ids[0])]);
      });
    } finally {
      await subscriber.close();
      await publisher.close();
      await client.close();
    }
  });
});

after(async () => {
  if (skip) return;
  const client = createClient({ url });
  await client.connect();
  for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
    if (keys.length > 0) await client.del(keys);
  }
  await client.close();
});
