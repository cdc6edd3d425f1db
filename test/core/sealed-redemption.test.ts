import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openRedemption, sealRedemption } from "../../src/core/sealed-redemption.ts";
import { hashSecret } from "../../src/core/secrets.ts";
import { seededRandom } from "../../src/testing/fixtures.ts";

const SECRET = "Jp8b0vC1u2D3e4F5g6H7i8J9k0L1m2N3o4P5q6R7s8T";
const ID = "request-1";
const SESSION = { setCookie: "sid=s3cret-session; Path=/; HttpOnly", body: { token: "t0ken" } };

describe("a sealed redemption", () => {
  it("opens for the browser secret and request it was sealed for, as the same JSON", () => {
    const sealed = sealRedemption(SESSION, SECRET, ID, seededRandom());
    assert.match(sealed, /^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    assert.deepEqual(openRedemption(sealed, SECRET, ID), SESSION);
    assert.doesNotMatch(sealed, /s3cret|t0ken/, "nothing of the session in clear");
  });

  it("does not open with the stored hash, another secret or another request's id", () => {
    const sealed = sealRedemption(SESSION, SECRET, ID, seededRandom());
    assert.equal(openRedemption(sealed, hashSecret(SECRET), ID), undefined, "a leaked store holds only the hash");
    assert.equal(openRedemption(sealed, `${SECRET.slice(0, -1)}x`, ID), undefined);
    assert.equal(openRedemption(sealed, SECRET, "request-2"), undefined);
  });

  it("refuses an altered or malformed seal", () => {
    const sealed = sealRedemption(SESSION, SECRET, ID, seededRandom());
    const [version, iv, data, tag] = sealed.split(".") as [string, string, string, string];
    const flipped = Buffer.from(data, "base64url");
    flipped[0] = (flipped[0] as number) ^ 1;
    assert.equal(openRedemption([version, iv, flipped.toString("base64url"), tag].join("."), SECRET, ID), undefined);
    assert.equal(openRedemption(["v2", iv, data, tag].join("."), SECRET, ID), undefined);
    assert.equal(openRedemption("v1.a.b", SECRET, ID), undefined);
  });

  it("takes a fresh IV from the random source each time, and refuses what JSON cannot carry", () => {
    const random = seededRandom();
    assert.notEqual(sealRedemption(SESSION, SECRET, ID, random), sealRedemption(SESSION, SECRET, ID, random));
    assert.throws(() => sealRedemption({ n: 1n }, SECRET, ID, random), TypeError);
  });
});
