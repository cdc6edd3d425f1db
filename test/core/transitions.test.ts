import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, it } from "node:test";
import { DEFAULT_LIFETIMES, resolveLifetimes } from "../../src/core/lifetimes.ts";
import { type LoginRequest, statusOf } from "../../src/core/login-request.ts";
import {
  checkScanToken,
  readScanToken,
  scanKeys,
  scanPeriodCount,
  scanPeriodWorks,
  scanTokenFor,
} from "../../src/core/scan-token.ts";
import { hashSecret } from "../../src/core/secrets.ts";
import {
  maskApprover,
  planApprove,
  planCancel,
  planDeny,
  planRedeemFinish,
  planRedeemRelease,
  planRedeemStart,
  planScan,
  planUserCode,
  replayableRedemption,
  userCodeWorks,
  WRONG_NUMBER_REASON,
} from "../../src/core/transitions.ts";
import { ManualClock, newRequest, TEST_KEYS } from "../../src/testing/fixtures.ts";

const L = DEFAULT_LIFETIMES;
const alice = { userId: "alice", displayName: "alice@example.com" };
const mallory = { userId: "mallory" };

/** Applies a plan the way a store would, for walking the state machine without one. */
function apply(request: LoginRequest, plan: { patch: object }): LoginRequest {
  return { ...request, ...plan.patch, version: request.version + 1 };
}

function scanned(clock: ManualClock) {
  const { request } = newRequest(clock);
  return apply(request, planScan(request, alice, clock.now(), L));
}

describe("the request state machine", () => {
  it("starts pending, with a 2 minute deadline", () => {
    const clock = new ManualClock();
    const { request } = newRequest(clock);
    assert.equal(request.state, "pending");
    assert.equal(request.expiresAt - request.createdAt, L.pending);
    assert.equal(statusOf(request, clock.now()), "pending");
  });

  it("is expired from its deadline on, computed and not stored", () => {
    const clock = new ManualClock();
    const { request } = newRequest(clock);
    assert.equal(statusOf(request, request.expiresAt - 1), "pending");
    assert.equal(statusOf(request, request.expiresAt), "expired");
    assert.equal(request.state, "pending");
  });

  it("scan: pending → scanned, binds the approver, masks their name, gives 60 s to decide", () => {
    const clock = new ManualClock();
    const request = scanned(clock);
    assert.equal(request.state, "scanned");
    assert.equal(request.approverId, "alice");
    assert.equal(request.approverHint, "a•••@example.com");
    assert.equal(request.expiresAt - clock.now(), L.decision);
  });

  it("scan: a second phone is refused with ALREADY_CLAIMED", () => {
    const clock = new ManualClock();
    assert.throws(() => planScan(scanned(clock), mallory, clock.now(), L), { code: "ALREADY_CLAIMED" });
  });

  it("scan: an expired request is refused with expired_token", () => {
    const clock = new ManualClock();
    const { request } = newRequest(clock);
    assert.throws(() => planScan(request, alice, request.expiresAt, L), { code: "expired_token" });
  });

  it("approve: scanned → approved by the approver who scanned, with 30 s to redeem", () => {
    const clock = new ManualClock();
    const request = scanned(clock);
    const approved = apply(request, planApprove(request, alice, undefined, clock.now(), L));
    assert.equal(approved.state, "approved");
    assert.equal(approved.expiresAt - clock.now(), L.redemption);
  });

  it("approve and deny: another user gets NOT_YOUR_REQUEST", () => {
    const clock = new ManualClock();
    const request = scanned(clock);
    assert.throws(() => planApprove(request, mallory, undefined, clock.now(), L), { code: "NOT_YOUR_REQUEST" });
    assert.throws(() => planDeny(request, mallory, null, clock.now()), { code: "NOT_YOUR_REQUEST" });
  });

  it("approve: before a scan is NOT_SCANNED; twice is ALREADY_DECIDED; after a denial is access_denied", () => {
    const clock = new ManualClock();
    const { request } = newRequest(clock);
    assert.throws(() => planApprove(request, alice, undefined, clock.now(), L), { code: "NOT_SCANNED" });
    const s = scanned(clock);
    const approved = apply(s, planApprove(s, alice, undefined, clock.now(), L));
    assert.throws(() => planApprove(approved, alice, undefined, clock.now(), L), { code: "ALREADY_DECIDED" });
    const denied = apply(s, planDeny(s, alice, "not_me", clock.now()));
    assert.throws(() => planApprove(denied, alice, undefined, clock.now(), L), { code: "access_denied" });
  });

  it("approve: the decision window closes after 60 s", () => {
    const clock = new ManualClock();
    const request = scanned(clock);
    clock.advance(L.decision);
    assert.throws(() => planApprove(request, alice, undefined, clock.now(), L), { code: "expired_token" });
  });

  it("approve: a request with a comparison number needs that number; a wrong one ends it, from the same guard", () => {
    const clock = new ManualClock();
    const request = { ...scanned(clock), comparison: 42 };
    for (const wrong of [41, undefined]) {
      const plan = planApprove(request, alice, wrong, clock.now(), L);
      assert.deepEqual(plan.patch, {
        state: "denied",
        deniedReason: WRONG_NUMBER_REASON,
        expiresAt: clock.now(),
        updatedAt: clock.now(),
      });
      assert.deepEqual(plan.guard, { from: ["scanned"], liveAt: clock.now() });
    }
    assert.equal(planApprove(request, alice, 42, clock.now(), L).patch.state, "approved");
    assert.throws(() => planApprove(request, mallory, 42, clock.now(), L), { code: "NOT_YOUR_REQUEST" });
  });

  it("deny: scanned → denied, final, with the reason kept", () => {
    const clock = new ManualClock();
    const request = scanned(clock);
    const denied = apply(request, planDeny(request, alice, "not_me", clock.now()));
    assert.equal(denied.state, "denied");
    assert.equal(denied.deniedReason, "not_me");
    assert.equal(statusOf(denied, clock.now() + 10 * L.pending), "denied");
  });

  it("redeem: only an approved request, once, through a lease", () => {
    const clock = new ManualClock();
    const request = scanned(clock);
    assert.throws(() => planRedeemStart(request, clock.now(), L), { code: "authorization_pending" });
    const approved = apply(request, planApprove(request, alice, undefined, clock.now(), L));
    const plan = planRedeemStart(approved, clock.now(), L);
    assert.deepEqual(plan.guard.from, ["approved"]);
    const leased = apply(approved, plan);
    assert.equal(statusOf(leased, clock.now() + 10 * L.pending), "redeeming", "a lease is never 'expired'");
    assert.throws(() => planRedeemStart(leased, clock.now(), L), { code: "REDEMPTION_IN_PROGRESS" });
    const finish = planRedeemFinish(leased, "sealed", clock.now());
    assert.equal(finish.guard.version, leased.version, "only the holder of this very lease may finish");
    const redeemed = apply(leased, finish);
    assert.equal(redeemed.sealedRedemption, "sealed", "the result is written with redeemed, in one step");
    assert.throws(() => planRedeemStart(redeemed, clock.now(), L), { code: "ALREADY_REDEEMED" });
  });

  it("redeem: a redeemed request's sealed result may be answered again only within the redemption window", () => {
    const clock = new ManualClock();
    const s = scanned(clock);
    const approved = apply(s, planApprove(s, alice, undefined, clock.now(), L));
    assert.equal(replayableRedemption(approved, clock.now(), L), null, "nothing to replay before the redemption");
    const leased = apply(approved, planRedeemStart(approved, clock.now(), L));
    const redeemed = apply(leased, planRedeemFinish(leased, "sealed", clock.now()));
    assert.equal(replayableRedemption(redeemed, clock.now() + L.redemption - 1, L), "sealed");
    assert.equal(replayableRedemption(redeemed, clock.now() + L.redemption, L), null);
  });

  it("redeem: a failed sign-in gives the approval back; a lease cut short by a crash is taken over once it ended", () => {
    const clock = new ManualClock();
    const s = scanned(clock);
    const approved = apply(s, planApprove(s, alice, undefined, clock.now(), L));
    const leased = apply(approved, planRedeemStart(approved, clock.now(), L));
    const released = apply(leased, planRedeemRelease(leased, clock.now(), L));
    assert.equal(released.state, "approved");
    const again = apply(released, planRedeemStart(released, clock.now(), L));
    clock.advance(L.redemptionLease);
    const takeover = planRedeemStart(again, clock.now(), L);
    assert.deepEqual(takeover.guard, { from: ["redeeming"], liveAt: 0, version: again.version });
    assert.throws(() => planRedeemStart(again, clock.now() + L.redemption, L), { code: "expired_token" });
  });

  it("redeem: before any scan is NOT_SCANNED; after its 30 s window, expired_token", () => {
    const clock = new ManualClock();
    const { request } = newRequest(clock);
    assert.throws(() => planRedeemStart(request, clock.now(), L), { code: "NOT_SCANNED" });
    const s = scanned(clock);
    const approved = apply(s, planApprove(s, alice, undefined, clock.now(), L));
    assert.throws(() => planRedeemStart(approved, clock.now() + L.redemption, L), { code: "expired_token" });
  });

  it("cancel: from any live state; not once finished", () => {
    const clock = new ManualClock();
    const { request } = newRequest(clock);
    const cancelled = apply(request, planCancel(request, clock.now()));
    assert.equal(cancelled.state, "cancelled");
    assert.throws(() => planCancel(cancelled, clock.now()), { code: "CANCELLED" });
    assert.throws(() => planScan(cancelled, alice, clock.now(), L), { code: "CANCELLED" });
    assert.equal(planCancel(scanned(clock), clock.now()).patch.state, "cancelled");
  });

  it("every plan's guard names the state it was planned from and the time it was planned at", () => {
    const clock = new ManualClock();
    const s = scanned(clock);
    for (const plan of [planApprove(s, alice, undefined, clock.now(), L), planDeny(s, alice, null, clock.now())]) {
      assert.deepEqual(plan.guard, { from: ["scanned"], liveAt: clock.now() });
    }
  });
});

describe("derived scan tokens", () => {
  it("a QR request gets one token per 20 s period of its wait; a device one token for its life", () => {
    const clock = new ManualClock();
    const { request, scanTokens } = newRequest(clock);
    assert.equal(scanTokens.length, L.pending / L.scanToken);
    assert.equal(new Set(scanTokens).size, scanTokens.length);
    assert.equal(scanPeriodCount(request, L), scanTokens.length);
    assert.equal(newRequest(clock, undefined, "device").scanTokens.length, 1);
  });

  it("each token carries 128 bits of MAC under the secret and names its request and period", () => {
    const { request, scanTokens } = newRequest();
    const claim = readScanToken(scanTokens[3] as string);
    assert.ok(claim);
    assert.equal(claim.requestId, request.id);
    assert.equal(claim.period, 3);
    assert.equal(claim.mac.length, 16);
    assert.equal(checkScanToken(TEST_KEYS, claim), "valid");
    const flipped = { ...claim, mac: Buffer.from(claim.mac.map((byte, i) => (i === 0 ? byte ^ 1 : byte))) };
    assert.equal(checkScanToken(TEST_KEYS, flipped), "forged");
    assert.equal(checkScanToken(TEST_KEYS, { ...claim, period: 4 }), "forged");
    assert.equal(checkScanToken(scanKeys(["a different deployment secret, long enough"]), claim), "unknown-key");
  });

  it("each period's token is its own: with another period's number it is a forgery", () => {
    const { request, scanTokens } = newRequest();
    scanTokens.forEach((token, period) => {
      assert.equal(token, scanTokenFor(TEST_KEYS, request.id, period));
      const claim = readScanToken(token);
      assert.ok(claim);
      assert.equal(checkScanToken(TEST_KEYS, claim), "valid");
      assert.equal(checkScanToken(TEST_KEYS, { ...claim, period: period ^ 1 }), "forged");
    });
  });

  it("the MAC is HMAC-SHA256(request key, period) cut to 128 bits, the request key HMAC-SHA256(secret, label ‖ id), for any secret's length", () => {
    const id = Buffer.alloc(16, 7).toString("base64url");
    // Shorter than SHA-256's 64-byte block, exactly one, longer (hashed first), and multi-byte UTF-8.
    for (const secret of ["s".repeat(32), "b".repeat(64), "l".repeat(100), "ключ развёртывания, достаточно длинный"]) {
      const keys = scanKeys([secret]);
      const requestKey = createHmac("sha256", Buffer.from(secret, "utf8"))
        .update(Buffer.concat([Buffer.from("qrlogin request key\0"), Buffer.from(id, "base64url")]))
        .digest();
      for (const period of [0, 1, 5, 0xfffe, 0xffff]) {
        const claim = readScanToken(scanTokenFor(keys, id, period));
        assert.ok(claim);
        assert.equal(claim.period, period);
        const expected = createHmac("sha256", requestKey)
          .update(Buffer.from([period >> 8, period & 0xff]))
          .digest()
          .subarray(0, 16);
        assert.deepEqual(claim.mac, expected);
        assert.deepEqual(claim.keyId, createHmac("sha256", secret).update("qrlogin key id").digest().subarray(0, 4));
      }
    }
  });

  it("a period's token works from 5 s before its period to 5 s after it, and never past the last period", () => {
    const clock = new ManualClock();
    const { request } = newRequest(clock);
    const t0 = request.createdAt;
    assert.equal(scanPeriodWorks(request, 0, t0 + L.scanToken + L.scanTokenGrace - 1, L), true);
    assert.equal(scanPeriodWorks(request, 0, t0 + L.scanToken + L.scanTokenGrace, L), false);
    assert.equal(scanPeriodWorks(request, 1, t0 + L.scanToken - L.scanTokenGrace - 1, L), false);
    assert.equal(scanPeriodWorks(request, 1, t0 + L.scanToken - L.scanTokenGrace, L), true);
    assert.equal(scanPeriodWorks(request, scanPeriodCount(request, L), request.expiresAt - 1, L), false);
    const device = newRequest(clock, undefined, "device").request;
    assert.equal(scanPeriodWorks(device, 0, device.expiresAt - 1, L), true);
    assert.equal(scanPeriodWorks(device, 1, device.createdAt, L), false);
  });

  it("refuses what cannot be a token without reading anything", () => {
    for (const token of ["", "short", "x".repeat(52), `${"A".repeat(51)}!`]) assert.equal(readScanToken(token), null);
  });

  it("refuses a secret shorter than 32 characters, and an empty list", () => {
    assert.throws(() => scanKeys(["too short"]), /at least 32/);
    assert.throws(() => scanKeys([]), /at least one/);
  });
});

describe("typed codes on demand", () => {
  it("a QR request starts without a code; a device request with one that lives as long as it waits", () => {
    const clock = new ManualClock();
    assert.equal(newRequest(clock).request.userCodeHash, null);
    const { request, userCode } = newRequest(clock, undefined, "device");
    assert.equal(userCodeWorks(request, hashSecret(userCode as string), request.expiresAt - 1, L), true);
  });

  it("a new code replaces the shown one, which works through the grace; a minute-old one never", () => {
    const clock = new ManualClock();
    const { request } = newRequest(clock);
    const first = hashSecret("first");
    const shown = apply(request, planUserCode(request, first, clock.now(), L));
    assert.equal(userCodeWorks(shown, first, clock.now() + L.scanToken + L.scanTokenGrace - 1, L), true);
    assert.equal(userCodeWorks(shown, first, clock.now() + L.scanToken + L.scanTokenGrace, L), false);
    clock.advance(L.scanToken);
    const second = hashSecret("second");
    const replaced = apply(shown, planUserCode(shown, second, clock.now(), L));
    assert.equal(userCodeWorks(replaced, second, clock.now(), L), true);
    assert.equal(userCodeWorks(replaced, first, clock.now() + L.scanTokenGrace - 1, L), true);
    assert.equal(userCodeWorks(replaced, first, clock.now() + L.scanTokenGrace, L), false);
    clock.advance(L.scanToken);
    const third = apply(replaced, planUserCode(replaced, hashSecret("third"), clock.now(), L));
    assert.equal(userCodeWorks(third, first, clock.now(), L), false, "a code two codes old is gone");
  });

  it("never extends a code's life: a late replacement gives no more than 25 s in all", () => {
    const clock = new ManualClock();
    const { request } = newRequest(clock);
    const shown = apply(request, planUserCode(request, hashSecret("first"), clock.now(), L));
    const issued = clock.now();
    clock.advance(L.scanToken + 4000);
    const replaced = apply(shown, planUserCode(shown, hashSecret("second"), clock.now(), L));
    assert.equal(replaced.previousUserCodeValidUntil, issued + L.scanToken + L.scanTokenGrace);
  });

  it("only a pending QR request shows one, and the guard names the version it read", () => {
    const clock = new ManualClock();
    const { request } = newRequest(clock);
    assert.equal(planUserCode(request, hashSecret("h"), clock.now(), L).guard.version, request.version);
    assert.throws(() => planUserCode(scanned(clock), hashSecret("h"), clock.now(), L), {
      code: "authorization_pending",
    });
    const device = newRequest(clock, undefined, "device").request;
    assert.throws(() => planUserCode(device, hashSecret("h"), clock.now(), L), { code: "invalid_request" });
  });
});

describe("lifetimes and masks", () => {
  it("lifetimes have their documented defaults and refuse nonsense", () => {
    assert.deepEqual(
      { ...resolveLifetimes() },
      {
        scanToken: 20_000,
        scanTokenGrace: 5_000,
        pending: 120_000,
        decision: 60_000,
        redemption: 30_000,
        redemptionLease: 20_000,
        retention: 86_400_000,
      },
    );
    assert.throws(() => resolveLifetimes({ pending: 0 }), /positive/);
    assert.throws(() => resolveLifetimes({ scanToken: Number.NaN }), /positive/);
    assert.throws(() => resolveLifetimes({ scanToken: 1000, scanTokenGrace: 2000 }), /must not exceed/);
  });

  it("masks approvers so the desktop learns no address", () => {
    assert.equal(maskApprover("alice@example.com"), "a•••@example.com");
    assert.equal(maskApprover("bob"), "b•••");
  });
});
