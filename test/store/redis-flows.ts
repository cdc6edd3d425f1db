// Sign-ins driven through LoginFlows straight on a store, for the Redis deployment tests.
import { systemClock } from "../../src/core/clock.ts";
import { QrLoginError } from "../../src/core/errors.ts";
import { DEFAULT_LIFETIMES } from "../../src/core/lifetimes.ts";
import type { LoginFlows } from "../../src/service/login-flows.ts";
import type { LoginStore } from "../../src/store/login-store.ts";
import { desktopRequester, flowsOver, scanTokensOf } from "../../src/testing/fixtures.ts";

/**
 * The flows over `store` on the wall clock (failovers and restarts take real time), with a short
 * redemption lease, so that a desktop whose redemption was cut short takes it over soon.
 */
export function realFlows(store: LoginStore): LoginFlows {
  return flowsOver(store, systemClock, {
    lifetimes: { ...DEFAULT_LIFETIMES, redemptionLease: 1500 },
    hookTimeoutMs: 1000,
  });
}

/** An approved request, waiting for its desktop to redeem it. */
export interface Approved {
  id: string;
  browserSecret: string;
  desktop: { ip: string };
}

/** Desktop `n` makes a request from an address of its own and user `user-n`'s phone scans and approves it. */
export async function approve(flows: LoginFlows, n: number): Promise<Approved> {
  const desktop = { ip: `10.${(n >> 8) & 255}.${n & 255}.1` };
  const phone = { ip: `10.${(n >> 8) & 255}.${n & 255}.2` };
  const user = { userId: `user-${n}` };
  const created = await flows.create({ requester: { ...desktopRequester, ip: desktop.ip } }, desktop);
  await flows.scanToken(scanTokensOf(created)[0] as string, user, phone);
  await flows.approve(created.request.id, user, undefined, phone);
  return { id: created.request.id, browserSecret: created.browserSecret, desktop };
}

/** The desktop redeems; `issued` hears each session the host's hook makes. */
export async function redeem(flows: LoginFlows, approved: Approved, issued: string[]): Promise<void> {
  await flows.redeem(approved.id, approved.browserSecret, undefined, approved.desktop, (request) => {
    issued.push(request.id);
    return `session-of-${request.id}`;
  });
}

/** Desktop `n` signs in from start to end; returns its request id. */
export async function signIn(flows: LoginFlows, n: number, issued: string[]): Promise<string> {
  const approved = await approve(flows, n);
  await redeem(flows, approved, issued);
  return approved.id;
}

/** What desktops that persevere ran into. */
export interface Perseverance {
  /** Sign-ins started over because a step failed or its request was gone (a write lost to a failover). */
  restarts: number;
  /** Redemptions tried again on the same request (lease still held, or a write that failed). */
  retries: number;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Desktop `n` signs in as a person would through faults: a redemption that fails is tried again on
 * the same request (its approval is kept) until the request says it cannot be; any other failure
 * starts a new sign-in. Returns the id of the request that signed it in.
 */
export async function persevere(
  flows: LoginFlows,
  n: number,
  issued: string[],
  seen: Perseverance,
  deadline = Date.now() + 30_000,
): Promise<string> {
  for (;;) {
    let approved: Approved;
    try {
      approved = await approve(flows, n);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      seen.restarts++;
      await pause(100);
      continue;
    }
    for (;;) {
      try {
        await redeem(flows, approved, issued);
        return approved.id;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        const code = error instanceof QrLoginError ? error.code : null;
        // A lease still held, or a failure of ours: the approval is still there to redeem.
        if (code === null || code === "REDEMPTION_IN_PROGRESS" || code === "SESSION_FAILED") {
          seen.retries++;
          await pause(200);
          continue;
        }
        seen.restarts++;
        break;
      }
    }
  }
}
