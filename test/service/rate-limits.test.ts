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

  it("check refuses once failures reached max, without counting itself", async () => {
    const limiter = new RateLimiter(new MemoryStore(), limits);
    await limiter.check("codeMissesPerApprover", "alice", 0);
    assert.equal(await limiter.fail("codeMissesPerApprover", "alice", 0), 1);
    await limiter.check("codeMissesPerApprover", "alice", 10);
    assert.equal(await limiter.fail("codeMissesPerApprover", "alice", 20), 0);
    await assert.rejects(limiter.check("codeMissesPerApprover", "alice", 30), { code: "RATE_LIMITED", retryAfter: 5 });
    await limiter.check("codeMissesPerApprover", "alice", 5000);
  });

  it("does not count callers whose address is unknown in one shared bucket", async () => {
    const limiter = new RateLimiter(new MemoryStore(), limits);
    for (let i = 0; i < 10; i++) await limiter.consume("createPerIp", null, i);
  });

  it("refuses nonsense limits at start-up", () => {
    assert.throws(() => resolveLimits({ scanPerIp: { max: 0, windowMs: 1000 } }), /limits.scanPerIp/);
    assert.throws(() => resolveLimits({ scanPerIp: { max: 1.5, windowMs: 1000 } }), /limits.scanPerIp/);
    assert.throws(() => resolveLimits({ scanPerIp: { max: 3, windowMs: -1 } }), /limits.scanPerIp/);
  });
});
