import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { approvalBinding, cardDigest, challengeOf } from "../../src/core/approval-challenge.ts";
import { DEFAULT_LIFETIMES } from "../../src/core/lifetimes.ts";
import type { LoginRequest } from "../../src/core/login-request.ts";
import {
  checkPasskeySignIn,
  planApprove,
  planPasskeySignIn,
  planScan,
  planUserCode,
} from "../../src/core/transitions.ts";
import { ManualClock, newRequest } from "../../src/testing/fixtures.ts";

const L = DEFAULT_LIFETIMES;
const alice = { userId: "alice", displayName: "alice@example.com" };
const mallory = { userId: "mallory" };

/** Applies a plan the way a store would. */
function apply(request: LoginRequest, plan: { patch: object }): LoginRequest {
  return { ...request, ...plan.patch, version: request.version + 1 };
}

/** A request of the desktop's passkey sign-in: a pending request of mode `passkey`. */
function passkeyRequest(clock: ManualClock): LoginRequest {
  return { ...newRequest(clock).request, mode: "passkey" };
}

describe("passkey steps of the state machine", () => {
  it("a relayed scan under the passkey policy makes a passkey request, which the phone cannot approve", () => {
    const clock = new ManualClock();
    const { request } = newRequest(clock);
    const relayed = apply(request, planScan(request, alice, clock.now(), L, null, true));
    assert.equal(relayed.state, "scanned");
    assert.equal(relayed.mode, "passkey");
    assert.throws(() => planApprove(relayed, alice, undefined, clock.now(), L), { code: "PASSKEY_SIGN_IN_REQUIRED" });
    assert.throws(() => planApprove(relayed, mallory, undefined, clock.now(), L), { code: "NOT_YOUR_REQUEST" });
    const nearby = apply(request, planScan(request, alice, clock.now(), L));
    assert.equal(nearby.mode, "qr", "a scan the policy lets through stays a QR request");
  });

  it("a passkey request cannot be scanned: its token and code were never shown", () => {
    const clock = new ManualClock();
    assert.throws(() => planScan(passkeyRequest(clock), alice, clock.now(), L), { code: "SCAN_TOKEN_INVALID" });
  });

  it("passkey sign-in: pending → approved for the passkey's account, only at the version verified", () => {
    const clock = new ManualClock();
    const request = passkeyRequest(clock);
    const plan = planPasskeySignIn(request, alice, request.version, clock.now(), L);
    assert.deepEqual(plan.guard, { from: ["pending"], liveAt: clock.now(), version: request.version });
    const approved = apply(request, plan);
    assert.equal(approved.state, "approved");
    assert.equal(approved.approverId, "alice");
    assert.equal(approved.approverHint, "a•••@example.com");
    assert.equal(approved.expiresAt, clock.now() + L.redemption);
    assert.throws(() => planPasskeySignIn(approved, alice, approved.version, clock.now(), L), {
      code: "ALREADY_DECIDED",
    });
  });

  it("passkey sign-in of a relayed request: only the account that scanned; a QR request or an expired one never", () => {
    const clock = new ManualClock();
    const { request } = newRequest(clock);
    const relayed = apply(request, planScan(request, alice, clock.now(), L, null, true));
    assert.throws(() => planPasskeySignIn(relayed, mallory, relayed.version, clock.now(), L), {
      code: "NOT_YOUR_REQUEST",
    });
    assert.equal(apply(relayed, planPasskeySignIn(relayed, alice, relayed.version, clock.now(), L)).state, "approved");
    assert.throws(() => checkPasskeySignIn(request, clock.now()), { code: "PASSKEY_DISABLED" });
    const pending = passkeyRequest(clock);
    assert.throws(() => checkPasskeySignIn(pending, pending.expiresAt), { code: "expired_token" });
  });

  it("the challenge binds the request, its version, its card and its browser key", () => {
    const clock = new ManualClock();
    const { request } = newRequest(clock);
    const challenge = challengeOf(approvalBinding(request));
    assert.match(challenge, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(challengeOf(approvalBinding({ ...request })), challenge, "derived, so every instance agrees");
    const rotated = apply(request, planUserCode(request, "c", clock.now(), L));
    const changes: [string, LoginRequest][] = [
      ["another request", { ...request, id: "B".repeat(22) }],
      ["another version", rotated],
      ["another requester", { ...request, requester: { ...request.requester, ip: "198.51.100.1" } }],
      ["a number to type", { ...request, comparison: 42 }],
      ["a browser key", { ...request, publicKey: '{"kty":"EC"}' }],
    ];
    for (const [what, changed] of changes) {
      assert.notEqual(challengeOf(approvalBinding(changed)), challenge, what);
    }
    assert.equal(cardDigest(rotated), cardDigest(request), "a new typed code changes the version, not the card");
  });
});
