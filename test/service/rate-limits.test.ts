import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { leaseSize, RateLimiter, resolveLimits } from "../../src/service/rate-limits.ts";
import { MemoryStore } from "../../src/store/memory.ts";

/** A memory store that counts its `hit` calls: how often the limiter wrote a shared counter. */
class CountingStore extends MemoryStore {
  hits = 0;
  override hit(...args: Parameters<MemoryStore["hit"]>) {
    this.hits++;
    return super.hit(...args);
  }
}

describe("rate limits", () => {
  const limits = resolveLimits({
    createPerIp: { max: 2, windowMs: 1000 },
    codeMissesPerApprover: { max: 2, windowMs: 5000 },
  });

  it("consume allows max events per window, then RATE_LIMITED with the seconds left; a new window starts fresh", async () => {
    const limiter = new RateLimiter(new MemoryStore(), limits);
    await limiter.consume("createPerIp", "1.2.3.4", 0);
    await limiter.consume("createPerIp", "1.2.3.4", 100);
    await assert.rejects(limiter.consume("createPerIp", "1.2.3.4", 600), { code: "RATE_LIMITED", retryAfter: 1 });
    await limiter.consume("createPerIp", "5.6.7.8", 600);
    await limiter.consume("createPerIp", "1.2.3.4", 1000);
  });

  it("take counts before deciding; an attempt that turned out right is given back", async () => {
    const limiter = new RateLimiter(new MemoryStore(), limits);
    assert.deepEqual(await limiter.take("codeMissesPerApprover", "alice", 0), { within: true, left: 1, resetAt: 5000 });
    await limiter.giveBack("codeMissesPerApprover", "alice", 10);
    assert.equal((await limiter.take("codeMissesPerApprover", "alice", 20)).left, 1);
    assert.equal((await limiter.take("codeMissesPerApprover", "alice", 30)).within, true);
    assert.equal((await limiter.take("codeMissesPerApprover", "alice", 40)).within, false);
  });

  it("100 concurrent attempts against a limit of 5 let exactly 5 through", async () => {
    const limiter = new RateLimiter(new MemoryStore(), resolveLimits({ codeMissesPerIp: { max: 5, windowMs: 1000 } }));
    const taken = await Promise.all(Array.from({ length: 100 }, () => limiter.take("codeMissesPerIp", "ip", 0)));
    assert.equal(taken.filter((t) => t.within).length, 5);
  });

  it("a slot is held by one caller at a time, and freed by its holder", async () => {
    const limiter = new RateLimiter(new MemoryStore(), limits);
    const held = await Promise.all(Array.from({ length: 20 }, () => limiter.holdSlot("push:alice@ip", 60_000, 0)));
    assert.equal(held.filter(Boolean).length, 1);
    assert.equal(await limiter.holdSlot("push:alice@ip", 60_000, 10), false);
    await limiter.releaseSlot("push:alice@ip", 20);
    assert.equal(await limiter.holdSlot("push:alice@ip", 60_000, 30), true);
  });

  it("refuses nonsense and unknown limits at start-up", () => {
    assert.throws(() => resolveLimits({ scanPerIp: { max: 0, windowMs: 1000 } }), /limits.scanPerIp/);
    assert.throws(() => resolveLimits({ scanPerIp: { max: 1.5, windowMs: 1000 } }), /limits.scanPerIp/);
    assert.throws(() => resolveLimits({ scanPerIp: { max: 3, windowMs: -1 } }), /limits.scanPerIp/);
    assert.throws(() => resolveLimits({ wrongNumbers: { max: 3, windowMs: 1 } } as never), /not a limit/);
  });

  describe("creation's pre-limit (leases)", () => {
    const create = (max: number) => resolveLimits({ createPerIp: { max, windowMs: 60_000 } });

    it("a lease is a tenth of the limit, at least 1 and at most 64", () => {
      assert.deepEqual([2, 30, 100, 1e9].map(leaseSize), [1, 3, 10, 64]);
    });

    it("on one instance the limit holds exactly, with one store write per lease and none once it is spent", async () => {
      const store = new CountingStore();
      const limiter = new RateLimiter(store, create(100));
      const taken = await Promise.all(Array.from({ length: 1000 }, () => limiter.take("createPerIp", "ip", 0)));
      assert.equal(taken.filter((t) => t.within).length, 100);
      assert.equal(store.hits, 11, "10 leases of 10, then one that found the window spent");
      await assert.rejects(limiter.consume("createPerIp", "ip", 30_000), { code: "RATE_LIMITED", retryAfter: 30 });
      assert.equal(store.hits, 11, "refused without asking the store again");
      assert.equal((await limiter.take("createPerIp", "ip", 60_000)).within, true, "a new window starts fresh");
    });

    it("reports what is left of the limit, counting the unused part of the lease", async () => {
      const limiter = new RateLimiter(new MemoryStore(), create(30));
      assert.deepEqual(await limiter.take("createPerIp", "ip", 0), { within: true, left: 29, resetAt: 60_000 });
      assert.equal((await limiter.take("createPerIp", "ip", 1)).left, 28);
      assert.equal((await limiter.take("createPerIp", "ip", 2)).left, 27);
    });

    it("across instances never more than the limit, and at most (instances − 1) × (lease − 1) fewer", async () => {
      const store = new MemoryStore();
      const instances = Array.from({ length: 3 }, () => new RateLimiter(store, create(100)));
      const taken = await Promise.all(
        Array.from({ length: 600 }, (_, i) => instances[i % 3]?.take("createPerIp", "ip", 0)),
      );
      const within = taken.filter((t) => t?.within).length;
      assert.ok(within <= 100, `${within} let through`);
      assert.ok(within >= 100 - 2 * (leaseSize(100) - 1), `${within} let through`);
    });

    it("a store that fails while a lease is taken fails its callers; the next event asks again", async () => {
      const store = new CountingStore();
      const limiter = new RateLimiter(store, create(100));
      const hit = store.hit.bind(store);
      store.hit = () => Promise.reject(new Error("store down"));
      await assert.rejects(limiter.take("createPerIp", "ip", 0), /store down/);
      store.hit = hit;
      assert.equal((await limiter.take("createPerIp", "ip", 1)).within, true);
    });
  });
});
