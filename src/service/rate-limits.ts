import { QrLoginError } from "../core/errors.ts";
import type { LoginStore } from "../store/login-store.ts";

/** At most `max` events in a window of `windowMs` from the first one. */
export interface Limit {
  max: number;
  windowMs: number;
}

/**
 * Every limit qrlogin applies. All are counted in the store, so they hold across instances (creation's
 * in leases, see {@link RateLimiter}); "per IP" means per network: an IPv4 address, or an IPv6 /64
 * (see `ipv6PrefixBits`).
 */
export interface Limits {
  /** New requests per IP. Default 30 a minute. */
  createPerIp: Limit;
  /** Scans and typed codes per IP. Default 30 a minute. */
  scanPerIp: Limit;
  /** Scans and typed codes per approver. Default 30 a minute. */
  scanPerApprover: Limit;
  /** Scans and typed codes over the whole deployment. Default 6,000 a minute. */
  scanGlobal: Limit;
  /**
   * Typed codes per approver that did not claim a request, before a lockout (RFC 8628 §5.1). Each
   * attempt is counted before it is looked up and given back once it claims. Default 5 per 15 minutes.
   */
  codeMissesPerApprover: Limit;
  /** The same per IP. Default 20 per 15 minutes. */
  codeMissesPerIp: Limit;
  /**
   * The same over the whole deployment: the brake on a guesser with many accounts and addresses. Once
   * spent, nobody is locked out: a typed code then claims only from the network of the screen that
   * shows it, which a remote guesser is not on. Default 80 an hour: at most 1,920 remote guesses a
   * day, which hit one of 100,000 live codes with a chance of 0.75 % (SECURITY.md).
   */
  codeMissesGlobal: Limit;
  /** Push requests to one account from one requesting network. Default 5 per 10 minutes (and one pending at a time). */
  pushPerAccount: Limit;
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
  codeMissesGlobal: { max: 80, windowMs: 60 * MINUTE },
  pushPerAccount: { max: 5, windowMs: 10 * MINUTE },
});

/** Fills in defaults and refuses limits that are not positive whole numbers. */
export function resolveLimits(partial: Partial<Limits> = {}): Limits {
  const limits = { ...DEFAULT_LIMITS, ...partial };
  for (const [name, limit] of Object.entries(limits)) {
    const { max, windowMs } = (limit ?? {}) as Partial<Limit>;
    if (!(name in DEFAULT_LIMITS)) throw new TypeError(`qrlogin: limits.${name} is not a limit qrlogin knows`);
    if (!Number.isSafeInteger(max) || (max as number) < 1 || !Number.isFinite(windowMs) || (windowMs as number) <= 0) {
      throw new TypeError(`qrlogin: limits.${name} needs a whole max ≥ 1 and a positive windowMs`);
    }
  }
  return limits;
}

/** One event counted against a limit: whether it was within it, and how many remain. */
export interface Taken {
  within: boolean;
  left: number;
  resetAt: number;
}

/**
 * The limits counted through leases: those nobody gives events back to, on the hot path. Creation is
 * the one: every new request would otherwise write its IP's counter.
 */
const LEASED: ReadonlySet<keyof Limits> = new Set(["createPerIp"]);

/** At most this many events are leased from the store at once… */
const LEASE_MAX = 64;
/** …and at most this share of a limit, so that instances sharing a store split it finely. */
const LEASE_SHARE = 10;

/** How many events one lease of a limit of `max` takes from the store at once. */
export function leaseSize(max: number): number {
  return Math.max(1, Math.min(LEASE_MAX, Math.floor(max / LEASE_SHARE)));
}

/** Events of one counter this instance has taken from the store and not yet used. */
interface Lease {
  /** Taken and unused; each event spends one. */
  left: number;
  /** What the store had left for others after the last lease: reported as `left` with ours. */
  storeLeft: number;
  resetAt: number;
  /** The store's window is used up: refuse until it ends, without asking the store. */
  spent: boolean;
  /** The lease being taken now; callers wait for it rather than take another. */
  taking: Promise<void> | null;
}

/**
 * Counts events against the limits in the store. Every decision is made on the count the store's one
 * atomic `hit` returned for this very event — never on a count read before — so N concurrent
 * attempts against a limit of M are let through at most M times, on every store.
 *
 * The {@link LEASED} limits are counted in leases: one `hit` takes {@link leaseSize} events from the
 * store, spent here one by one, and once the store is used up this instance refuses until the window
 * ends without writing again. Still never more than M events in all; on one instance exactly M; with
 * several, a client may be refused up to (instances − 1) × (leaseSize − 1) events early, leased by
 * instances it no longer reaches (or by one that restarted).
 */
export class RateLimiter {
  readonly #leases = new Map<string, Lease>();
  /** Past this many leases, ended ones are swept (it doubles with the live ones, so sweeps stay rare). */
  #sweepAt = 1024;

  constructor(
    private readonly store: LoginStore,
    readonly limits: Limits,
  ) {}

  /** Counts one event for `subject` under limit `name` and tells whether it was within the limit. */
  async take(name: keyof Limits, subject: string, now: number): Promise<Taken> {
    const limit = this.limits[name];
    if (LEASED.has(name)) return this.#leased(`${name}:${subject}`, limit, now);
    const counter = await this.store.hit(`${name}:${subject}`, limit.windowMs, now);
    return {
      within: counter.count <= limit.max,
      left: Math.max(0, limit.max - counter.count),
      resetAt: counter.resetAt,
    };
  }

  /** One event from this instance's lease on `key`, taking a new lease from the store when it runs out. */
  async #leased(key: string, limit: Limit, now: number): Promise<Taken> {
    for (;;) {
      let lease = this.#leases.get(key);
      if (lease && !lease.taking && lease.resetAt <= now) {
        this.#leases.delete(key);
        lease = undefined;
      }
      if (lease && lease.left > 0) {
        lease.left--;
        return { within: true, left: lease.storeLeft + lease.left, resetAt: lease.resetAt };
      }
      if (lease?.spent) return { within: false, left: 0, resetAt: lease.resetAt };
      if (!lease) lease = this.#newLease(key, now);
      lease.taking ??= this.#takeLease(key, lease, limit, now);
      await lease.taking;
    }
  }

  #newLease(key: string, now: number): Lease {
    if (this.#leases.size >= this.#sweepAt) {
      for (const [k, l] of this.#leases) if (!l.taking && l.resetAt <= now) this.#leases.delete(k);
      this.#sweepAt = Math.max(1024, this.#leases.size * 2);
    }
    const lease: Lease = { left: 0, storeLeft: 0, resetAt: Number.POSITIVE_INFINITY, spent: false, taking: null };
    this.#leases.set(key, lease);
    return lease;
  }

  /** Takes up to {@link leaseSize} events from the store: as many as it still had within the limit. */
  async #takeLease(key: string, lease: Lease, limit: Limit, now: number): Promise<void> {
    const size = leaseSize(limit.max);
    try {
      const counter = await this.store.hit(key, limit.windowMs, now, size);
      const granted = Math.max(0, Math.min(size, limit.max - (counter.count - size)));
      lease.left += granted;
      lease.storeLeft = Math.max(0, limit.max - counter.count);
      lease.resetAt = counter.resetAt;
      lease.spent = granted < size;
    } catch (error) {
      if (lease.left === 0 && this.#leases.get(key) === lease) this.#leases.delete(key);
      throw error;
    } finally {
      lease.taking = null;
    }
  }

  /** Counts one event; RATE_LIMITED (with Retry-After) past the limit. Returns how many remain. */
  async consume(
    name: keyof Limits,
    subject: string,
    now: number,
    description = "Too many attempts. Wait a moment and try again.",
  ): Promise<number> {
    const taken = await this.take(name, subject, now);
    if (!taken.within) throw rateLimited(taken.resetAt, now, description);
    return taken.left;
  }

  /** Gives back an event counted by {@link take} or {@link consume} (an attempt that turned out right). */
  async giveBack(name: keyof Limits, subject: string, now: number): Promise<void> {
    await this.store.hit(`${name}:${subject}`, this.limits[name].windowMs, now, -1);
  }

  /**
   * Takes the one slot named `key` for at most `windowMs` (one pending push per account and network):
   * true for the one caller that got it. A caller that did not gives its count back at once, so the
   * holder's {@link releaseSlot} frees the slot for the next.
   */
  async holdSlot(key: string, windowMs: number, now: number): Promise<boolean> {
    const counter = await this.store.hit(`slot:${key}`, windowMs, now);
    if (counter.count === 1) return true;
    await this.store.hit(`slot:${key}`, windowMs, now, -1);
    return false;
  }

  /** Frees a slot taken by {@link holdSlot} before its window ends. */
  async releaseSlot(key: string, now: number): Promise<void> {
    await this.store.hit(`slot:${key}`, 0, now, -1);
  }

  /** Blocks `key` for `ms` (pushes to an account after "This wasn't me"). */
  async block(key: string, ms: number, now: number): Promise<void> {
    await this.store.hit(`block:${key}`, ms, now);
  }

  /** Whether `key` is blocked now. */
  async blocked(key: string, now: number): Promise<boolean> {
    return (await this.store.peekCounter(`block:${key}`, now)) !== null;
  }
}

/** The 429 answer, with Retry-After in whole seconds until the window ends. */
export function rateLimited(resetAt: number, now: number, description: string): QrLoginError {
  return new QrLoginError("RATE_LIMITED", description, { retryAfter: Math.max(1, Math.ceil((resetAt - now) / 1000)) });
}
