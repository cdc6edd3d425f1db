import { QrLoginError } from "../core/errors.ts";
import type { LoginStore } from "../store/login-store.ts";

/** At most `max` events in a window of `windowMs` from the first one. */
export interface Limit {
  max: number;
  windowMs: number;
}

/** Every limit qrlogin applies (DESIGN §5). All are counted in the store, so they hold across instances. */
export interface Limits {
  /** New requests per IP. Default 30 a minute. */
  createPerIp: Limit;
  /** Scans and typed codes per IP. Default 30 a minute. */
  scanPerIp: Limit;
  /** Scans and typed codes per approver. Default 30 a minute. */
  scanPerApprover: Limit;
  /** Scans and typed codes over the whole deployment. Default 6,000 a minute. */
  scanGlobal: Limit;
  /** Wrong typed codes per approver before a lockout (RFC 8628 §5.1). Default 5 per 15 minutes. */
  codeMissesPerApprover: Limit;
  /** Wrong typed codes per IP before a lockout. Default 20 per 15 minutes. */
  codeMissesPerIp: Limit;
  /** Wrong typed codes over the whole deployment: the brake on a distributed guesser. Default 2,000 per 15 minutes. */
  codeMissesGlobal: Limit;
  /** Push requests per account. Default 5 per 10 minutes (and never two pending at once). */
  pushPerAccount: Limit;
  /** Wrong numbers on one push or number-matched request before it is cancelled. Default 3. */
  wrongNumbers: Limit;
}

const MINUTE = 60_000;

/** The defaults of {@link Limits}. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  createPerIp: { max: 30, windowMs: MINUTE },
  scanPerIp: { max: 30, windowMs: MINUTE },
  scanPerApprover: { max: 30, windowMs: MINUTE },
  scanGlobal: { max: 6000, windowMs: MINUTE },
  codeMissesPerApprover: { max: 5, windowMs: 15 * MINUTE },
  codeMissesPerIp: { max: 20, windowMs: 15 * MINUTE },
  codeMissesGlobal: { max: 2000, windowMs: 15 * MINUTE },
  pushPerAccount: { max: 5, windowMs: 10 * MINUTE },
  wrongNumbers: { max: 3, windowMs: 15 * MINUTE },
});

/** Fills in defaults and refuses limits that are not positive whole numbers. */
export function resolveLimits(partial: Partial<Limits> = {}): Limits {
  const limits = { ...DEFAULT_LIMITS, ...partial };
  for (const [name, { max, windowMs }] of Object.entries(limits)) {
    if (!Number.isSafeInteger(max) || max < 1 || !Number.isFinite(windowMs) || windowMs <= 0) {
      throw new TypeError(`qrlogin: limits.${name} needs a whole max ≥ 1 and a positive windowMs`);
    }
  }
  return limits;
}

function limited(resetAt: number, now: number, description: string): QrLoginError {
  return new QrLoginError("RATE_LIMITED", description, { retryAfter: Math.max(1, Math.ceil((resetAt - now) / 1000)) });
}

/**
 * Counts events against the limits in the store. `consume` counts and refuses past the limit;
 * `check` refuses an already exhausted limit without counting (for lockouts that count failures).
 * A `null` subject (an address the server could not see) is not counted: one shared bucket for
 * every such caller would let one of them lock all the others out.
 */
export class RateLimiter {
  constructor(
    private readonly store: LoginStore,
    readonly limits: Limits,
  ) {}

  /** Counts one event for `subject` under limit `name`; RATE_LIMITED (with Retry-After) past it. */
  async consume(name: keyof Limits, subject: string | null, now: number): Promise<void> {
    if (subject === null) return;
    const limit = this.limits[name];
    const counter = await this.store.hit(`${name}:${subject}`, limit.windowMs, now);
    if (counter.count > limit.max)
      throw limited(counter.resetAt, now, "Too many attempts. Wait a moment and try again.");
  }

  /** Refuses if `subject` has used up limit `name`, without counting. */
  async check(name: keyof Limits, subject: string | null, now: number): Promise<void> {
    if (subject === null) return;
    const counter = await this.store.peekCounter(`${name}:${subject}`, now);
    if (counter && counter.count >= this.limits[name].max) {
      throw limited(counter.resetAt, now, "Too many wrong codes. Wait before trying again.");
    }
  }

  /** Counts one failure; returns how many remain before `check` refuses. */
  async fail(name: keyof Limits, subject: string | null, now: number): Promise<number> {
    const limit = this.limits[name];
    if (subject === null) return limit.max;
    const counter = await this.store.hit(`${name}:${subject}`, limit.windowMs, now);
    return Math.max(0, limit.max - counter.count);
  }
}
