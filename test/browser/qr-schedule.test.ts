import assert from "node:assert/strict";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { hmacSha256, qrUrlAt, sha256 } from "../../src/browser/qr-schedule.ts";
import { DEFAULT_LIFETIMES } from "../../src/core/lifetimes.ts";
import { checkScanToken, readScanToken, requestTokens, scanTokenAt } from "../../src/core/scan-token.ts";
import { newRequest, TEST_KEYS } from "../../src/testing/fixtures.ts";
import type { QrSchedule } from "../../src/wire.ts";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const utf8 = (text: string) => new Uint8Array(Buffer.from(text, "utf8"));

describe("the desktop's SHA-256 and HMAC", () => {
  it("give FIPS 180-4's and RFC 4231's answers", () => {
    assert.equal(hex(sha256(utf8(""))), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert.equal(hex(sha256(utf8("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert.equal(
      hex(sha256(utf8("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
    // RFC 4231 test cases 2 (short key) and 6 (a key longer than a block, hashed first).
    assert.equal(
      hex(hmacSha256(utf8("Jefe"), utf8("what do ya want for nothing?"))),
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
    assert.equal(
      hex(hmacSha256(new Uint8Array(131).fill(0xaa), utf8("Test Using Larger Than Block-Size Key - Hash Key First"))),
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
    );
  });

  it("agree with node:crypto on every length across the padding's edges", () => {
    for (let length = 0; length <= 200; length++) {
      const data = new Uint8Array(randomBytes(length));
      const key = new Uint8Array(randomBytes(1 + (length % 80)));
      assert.equal(hex(sha256(data)), createHash("sha256").update(data).digest("hex"), `length ${length}`);
      assert.equal(hex(hmacSha256(key, data)), createHmac("sha256", key).update(data).digest("hex"));
    }
  });
});

describe("qrUrlAt", () => {
  const base = "https://example.com/qrlogin/a#t=";
  const scheduleOf = (created: ReturnType<typeof newRequest>): QrSchedule => {
    const tokens = created.tokens as NonNullable<typeof created.tokens>;
    return {
      base: base + tokens.front,
      key: tokens.key.toString("base64url"),
      periods: tokens.periods,
      everyMs: 20_000,
    };
  };

  it("makes on the desktop the very token the server checks, in every period", () => {
    const created = newRequest();
    const schedule = scheduleOf(created);
    assert.equal(schedule.periods, DEFAULT_LIFETIMES.pending / DEFAULT_LIFETIMES.scanToken);
    for (let period = 0; period < schedule.periods; period++) {
      const url = qrUrlAt(schedule, period) as string;
      const token = url.slice(base.length);
      assert.equal(token, scanTokenAt(created.tokens as NonNullable<typeof created.tokens>, period));
      const claim = readScanToken(token);
      assert.ok(claim);
      assert.equal(claim.requestId, created.request.id);
      assert.equal(claim.period, period);
      assert.equal(checkScanToken(TEST_KEYS, claim), "valid");
    }
  });

  it("makes nothing outside the schedule", () => {
    const schedule = scheduleOf(newRequest());
    for (const period of [-1, 0.5, schedule.periods, Number.NaN]) assert.equal(qrUrlAt(schedule, period), undefined);
  });

  it("a request's key makes its own tokens only: under another request's front they are forgeries", () => {
    const mine = newRequest();
    const theirs = newRequest();
    const forged = scanTokenAt(
      { ...(mine.tokens as NonNullable<typeof mine.tokens>), front: theirs.scanTokens[0]?.slice(0, 28) as string },
      0,
    );
    const claim = readScanToken(forged);
    assert.ok(claim);
    assert.equal(claim.requestId, theirs.request.id);
    assert.equal(checkScanToken(TEST_KEYS, claim), "forged");
    assert.deepEqual(requestTokens(TEST_KEYS, mine.request, DEFAULT_LIFETIMES), mine.tokens);
  });
});
