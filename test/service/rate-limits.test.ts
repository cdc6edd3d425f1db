import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RateLimiter, resolveLimits } from "../../src/service/rate-limits.ts";
import { MemoryStore } from "../../src/store/memory.ts";

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
});
