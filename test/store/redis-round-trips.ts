import assert from "node:assert/strict";
import type { RequestPatch, TransitionGuard } from "../../src/core/login-request.ts";
import type { RedisStore } from "../../src/store/redis.ts";
import { ManualClock, newRequest } from "../../src/testing/fixtures.ts";

/** A node-redis client (of any kind) that counts the commands sent through it, each one a round trip. */
export function countingClient<T extends object>(client: T): { client: T; sent: () => number } {
  let sent = 0;
  const counting = new Proxy(client, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      if (property !== "sendCommand") return value.bind(target);
      return (...args: unknown[]) => {
        sent++;
        return value.apply(target, args);
      };
    },
  });
  return { client: counting, sent: () => sent };
}

/**
 * Walks requests through every transition but a new typed code — scan, approve, redemption and its
 * release, cancel, deny, a push's approval — and asserts that each one sent Redis exactly one command.
 */
export async function assertOneCommandPerTransition(store: RedisStore, sent: () => number): Promise<void> {
  await store.persistence();
  const clock = new ManualClock(Date.now());
  const step = async (id: string, guard: Omit<TransitionGuard, "liveAt">, patch: RequestPatch, what: string) => {
    const before = sent();
    const updated = await store.transition(id, { liveAt: clock.now(), ...guard }, { updatedAt: clock.now(), ...patch });
    assert.ok(updated, `${what} applied`);
    assert.equal(sent() - before, 1, `${what}: one command`);
    return updated;
  };
  const later = (ms: number) => clock.now() + ms;
  const { request } = newRequest(clock);
  await store.create(request);
  const bound = { approverId: "someone", approverHint: "s…e" };
  await step(request.id, { from: ["pending"] }, { state: "scanned", ...bound, expiresAt: later(60_000) }, "scan");
  await step(request.id, { from: ["scanned"] }, { state: "approved", expiresAt: later(30_000) }, "approve");
  const lease = await step(
    request.id,
    { from: ["approved"] },
    { state: "redeeming", expiresAt: later(5_000) },
    "lease",
  );
  const back = await step(
    request.id,
    { from: ["redeeming"], version: lease.version },
    { state: "approved", expiresAt: later(30_000) },
    "release",
  );
  const again = await step(
    request.id,
    { from: ["approved"] },
    { state: "redeeming", expiresAt: later(5_000) },
    "lease",
  );
  assert.ok(again.version > back.version);
  await step(
    request.id,
    { from: ["redeeming"], version: again.version },
    { state: "redeemed", expiresAt: clock.now() },
    "redeem",
  );

  const other = newRequest(clock).request;
  await store.create(other);
  await step(
    other.id,
    { from: ["pending", "scanned", "approved"] },
    { state: "cancelled", expiresAt: clock.now() },
    "cancel",
  );

  const push = newRequest(clock).request;
  await store.create({ ...push, mode: "push", state: "scanned", approverId: "someone" });
  await step(
    push.id,
    { from: ["scanned"] },
    { state: "denied", deniedReason: "not_me", expiresAt: clock.now() },
    "deny",
  );

  const failed = sent();
  assert.equal(
    await store.transition(push.id, { from: ["scanned"], liveAt: clock.now() }, { state: "approved" }),
    null,
  );
  assert.equal(sent() - failed, 1, "a guard that fails: one command");
}
