// Stopping an instance dead at a chosen step of a redemption, so that a test can kill -9 it right
// there: the instance side of test/scale/crash-points.test.ts.
import type { LoginRequest, RequestPatch, TransitionGuard } from "../../src/core/login-request.ts";
import type { LoginStore } from "../../src/store/login-store.ts";

/** The steps of a redemption, in order, at which an instance can be stopped. */
export const CRASH_POINTS = ["before-lease", "holding-lease", "in-hook", "before-redeemed", "after-redeemed"] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

/** The phone user whose approvals stop a crashing instance at `point` when redeemed. */
export function crashUser(point: CrashPoint, n: number): string {
  return `crash-${point}-${n}`;
}

/** The crash point an approver's name asks for, if any. */
export function crashPointOf(approverId: string | null | undefined): CrashPoint | null {
  return CRASH_POINTS.find((point) => approverId?.startsWith(`crash-${point}-`)) ?? null;
}

/** Tells the parent (`crash-point <point> <request id>` on stdout) and never settles: the process waits for its kill. */
export function stopDead(point: CrashPoint, id: string): Promise<never> {
  console.log(`crash-point ${point} ${id}`);
  return new Promise<never>(() => {});
}

/**
 * `store`, but a redemption of a request approved by a `crash-<point>-…` user stops dead at that
 * point: before the lease is written, once it is held, before `redeemed` is written, or after.
 * (`in-hook` is the host's hook's to do.)
 */
export function crashingStore(store: LoginStore): LoginStore {
  const transition = async (id: string, guard: TransitionGuard, patch: RequestPatch): Promise<LoginRequest | null> => {
    const leasing = patch.state === "redeeming" && guard.from.includes("approved");
    const finishing = patch.state === "redeemed";
    if (leasing || finishing) {
      const point = crashPointOf((await store.get(id))?.approverId);
      if (leasing && point === "before-lease") return stopDead(point, id);
      if (finishing && point === "before-redeemed") return stopDead(point, id);
    }
    const updated = await store.transition(id, guard, patch);
    const point = crashPointOf(updated?.approverId);
    if (updated && leasing && point === "holding-lease") return stopDead(point, id);
    if (updated && finishing && point === "after-redeemed") return stopDead(point, id);
    return updated;
  };
  return new Proxy(store, {
    get(target, property) {
      if (property === "transition") return transition;
      const value = Reflect.get(target, property);
      // The store's methods use private fields: call them on the store itself.
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
