import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cryptoRandom } from "../../src/core/clock.ts";
import {
  formatUserCode,
  generateUserCode,
  normalizeUserCode,
  USER_CODE_ALPHABET,
  USER_CODE_LENGTH,
} from "../../src/core/user-code.ts";

describe("user codes", () => {
  it("are 8 characters of the base-20 alphabet", () => {
    for (let i = 0; i < 200; i++) {
      const code = generateUserCode(cryptoRandom);
      assert.equal(code.length, USER_CODE_LENGTH);
      assert.match(code, /^[BCDFGHJKLMNPQRSTVWXZ]{8}$/);
    }
  });

  it("are unbiased: bytes ≥ 240 are rejected instead of wrapping onto the first letters", () => {
    // A source that yields only 250 then 0: modulo without rejection would give "L" (250 % 20 = 10).
    let calls = 0;
    const code = generateUserCode((n) => {
      calls++;
      return new Uint8Array(n).fill(calls === 1 ? 250 : 0);
    });
    assert.equal(code, "BBBBBBBB");
  });

  it("spread evenly over the alphabet (chi-square over 40,000 letters)", () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 5000; i++)
      for (const ch of generateUserCode(cryptoRandom)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    const expected = 40_000 / USER_CODE_ALPHABET.length;
    let chi = 0;
    for (const ch of USER_CODE_ALPHABET) chi += ((counts.get(ch) ?? 0) - expected) ** 2 / expected;
    // 19 degrees of freedom: P(chi² > 43.8) ≈ 0.001.
    assert.ok(chi < 43.8, `chi² = ${chi}`);
  });

  it("are shown as XXXX-XXXX and read back whatever the case, spaces or dashes", () => {
    assert.equal(formatUserCode("BCDFGHJK"), "BCDF-GHJK");
    assert.equal(normalizeUserCode(" bcdf-ghjk "), "BCDFGHJK");
    assert.equal(normalizeUserCode("BCDF GHJK"), "BCDFGHJK");
  });

  it("refuse anything that cannot be a code without a look-up", () => {
    for (const bad of ["", "BCDFGHJ", "BCDFGHJKL", "ABCDEFGH", "BCDF-GHJ1", "x".repeat(1000)]) {
      assert.equal(normalizeUserCode(bad), null, bad);
    }
  });
});
