import { type Limits, RateLimiter, type Taken } from "../service/rate-limits.ts";
import type { LoginStore } from "../store/login-store.ts";

/**
 * The rate limiter, telling `onOver` of each event counted over a limit: `consume` and the flows'
 * own checks all go through `take`, so this one place sees every refusal.
 */
export class CountedRateLimiter extends RateLimiter {
  constructor(
    store: LoginStore,
    limits: Limits,
    private readonly onOver: (limit: keyof Limits, subject: string) => void,
  ) {
    super(store, limits);
  }

  override async take(name: keyof Limits, subject: string, now: number): Promise<Taken> {
    const taken = await super.take(name, subject, now);
    if (!taken.within) this.onOver(name, subject);
    return taken;
  }
}
