import { DEFAULT_LIFETIMES } from "./core/lifetimes.ts";
import { DEFAULT_LIMITS } from "./service/rate-limits.ts";
import { WATCH_SWEEP_MS } from "./service/watch-sweep.ts";

/** `T`, read-only all the way down. */
type Frozen<T> = { readonly [K in keyof T]: Frozen<T[K]> };

/** Freezes `value` and every object in it, so that no host can change a default for everyone. */
function deepFreeze<T>(value: T): Frozen<T> {
  for (const inner of Object.values(value as object)) {
    if (typeof inner === "object" && inner !== null) deepFreeze(inner);
  }
  return Object.freeze(value) as Frozen<T>;
}

/**
 * Every default of `createQrLogin`'s options, in one place: the options' docs point here rather than
 * repeat a number, and README.md's table of options is written from it (`npm run docs:defaults`).
 * The entry of an option that is an object (`lifetimes`, `limits`, `deviceFlow`, `approvalPage`, `approval`)
 * fills in what the host leaves out of it; `deviceFlow` itself stays off unless given.
 */
export const DEFAULTS = deepFreeze({
  relayPolicy: "warn",
  notMeBlockMs: 3_600_000,
  ipv6PrefixBits: 64,
  hookTimeoutMs: 10_000,
  confirmAccount: false,
  approval: { userVerification: "off" },
  deviceFlow: { interval: 5, expiresIn: 600 },
  approvalPage: { signInUrl: "/" },
  basePath: "/qrlogin",
  lifetimes: DEFAULT_LIFETIMES,
  limits: DEFAULT_LIMITS,
  trustProxy: 0,
  secureCookies: "auto",
  maxBodyBytes: 8192,
  maxWaitMs: 30_000,
  maxStreamsPerRequest: 3,
  maxStreamsPerIp: 50,
  maxStreamsPerApprover: 5,
  // 15 s under the 60 s idle timeout of common proxies and load balancers (nginx, AWS ALB; Heroku's
  // router 55 s). Each is a write per open stream, the bulk of what 100,000 waiting desktops cost:
  // 3,333 a second at 30 s, 2,222 at 45 s, ~12 µs each over the bench machine's loopback (estimated
  // from the CPU of 34,000 and of 100,000 waiting desktops).
  heartbeatMs: 45_000,
  retryMs: 2_000,
  purgeEveryMs: 600_000,
  watchSweepMs: WATCH_SWEEP_MS,
  metrics: false,
} as const);
