import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cryptoRandom } from "../../src/core/clock.ts";
import { generateComparisonNumber } from "../../src/core/comparison.ts";
import {
  hashSecret,
  REQUEST_ID_BYTES,
  randomToken,
  requestId,
  SECRET_BYTES,
  secretMatches,
} from "../../src/core/secrets.ts";
import { seededRandom } from "../../src/testing/fixtures.ts";

describe("secrets", () => {
  it("carry at least their documented bits (SECURITY.md)", () => {
    assert.ok(SECRET_BYTES.browserSecret * 8 >= 256);
    assert.equal(Buffer.from(randomToken(cryptoRandom, 32), "base64url").length, 32);
  });

  it("are stored as SHA-256 hashes, never as themselves", () => {
    const secret = randomToken(cryptoRandom, 32);
    const hash = hashSecret(secret);
    assert.notEqual(hash, secret);
    assert.equal(hash, hashSecret(secret));
    assert.equal(Buffer.from(hash, "base64url").length, 32);
  });

  it("match only the secret they were made from", () => {
    const secret = randomToken(cryptoRandom, 32);
    assert.equal(secretMatches(secret, hashSecret(secret)), true);
    assert.equal(secretMatches(`${secret}x`, hashSecret(secret)), false);
    assert.equal(secretMatches(secret, "short"), false);
  });

  it("are reproducible from an injected random source", () => {
    assert.equal(randomToken(seededRandom("a"), 16), randomToken(seededRandom("a"), 16));
    assert.notEqual(randomToken(seededRandom("a"), 16), randomToken(seededRandom("b"), 16));
  });
});

describe("request ids", () => {
  it("are 16 bytes: the creation time in ms, then 80 random bits", () => {
    const now = Date.UTC(2026, 11, 4, 12, 0, 0, 123);
    const id = Buffer.from(requestId(cryptoRandom, now), "base64url");
    assert.equal(id.length, 16);
    assert.equal(id.readUIntBE(0, REQUEST_ID_BYTES.time), now);
    assert.ok(REQUEST_ID_BYTES.random * 8 >= 80);
  });

  it("never meet within one millisecond, and share their time prefix", () => {
    const now = 1_796_400_000_000;
    const ids = new Set(Array.from({ length: 10_000 }, () => requestId(cryptoRandom, now)));
    assert.equal(ids.size, 10_000);
    const prefixes = new Set([...ids].map((id) => id.slice(0, 8))); // 8 characters carry the 48 bits
    assert.deepEqual([...prefixes], [requestId(cryptoRandom, now).slice(0, 8)]);
  });

  it("take their random part from the injected source", () => {
    assert.equal(requestId(seededRandom("a"), 5), requestId(seededRandom("a"), 5));
    assert.notEqual(requestId(seededRandom("a"), 5), requestId(seededRandom("b"), 5));
  });
});

describe("comparison numbers", () => {
  it("have two digits", () => {
    for (let i = 0; i < 500; i++) {
      const n = generateComparisonNumber(cryptoRandom);
      assert.ok(n >= 10 && n <= 99, String(n));
    }
  });

  it("are uniform over the 90 two-digit numbers (a blind guess wins one time in 90)", () => {
    const seen = new Map<number, number>();
    for (let i = 0; i < 18_000; i++) {
      const n = generateComparisonNumber(cryptoRandom);
      seen.set(n, (seen.get(n) ?? 0) + 1);
    }
    assert.equal(seen.size, 90);
    // 200 expected each; 5 standard deviations either side.
    for (const [n, count] of seen) assert.ok(count > 130 && count < 270, `${n} drawn ${count} times`);
  });
});
