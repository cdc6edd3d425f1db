import { createHash } from "node:crypto";
import type { Clock, RandomSource } from "../core/clock.ts";
import { type CreatedLoginRequest, createLoginRequest } from "../core/create-login-request.ts";
import { DEFAULT_LIFETIMES, type Lifetimes } from "../core/lifetimes.ts";
import type { RequesterContext } from "../core/requester-context.ts";
import { scanKeys, scanTokenAt } from "../core/scan-token.ts";
import { LoginFlows, type LoginFlowsDeps } from "../service/login-flows.ts";
import { RateLimiter, resolveLimits } from "../service/rate-limits.ts";
import { LocalNotifier } from "../store/local-notifier.ts";
import type { LoginStore } from "../store/login-store.ts";

/** A clock that moves only when told to. */
export class ManualClock implements Clock {
  constructor(public time = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

/** A deterministic random source: SHA-256 of a seed and a counter. */
export function seededRandom(seed = "qrlogin"): RandomSource {
  let counter = 0;
  return (length) => {
    const out = new Uint8Array(length);
    for (let offset = 0; offset < length; offset += 32) {
      const block = createHash("sha256").update(`${seed}:${counter++}`).digest();
      out.set(block.subarray(0, Math.min(32, length - offset)), offset);
    }
    return out;
  };
}

/** A requester as a desktop Chrome would describe itself. */
export const desktopRequester: RequesterContext = {
  browser: "Chrome 131",
  os: "Windows 10",
  device: "desktop",
  userAgent:
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
  ip: "203.0.113.7",
  origin: "https://example.com",
};

/** The deployment secret of the suites' requests and flows. */
export const TEST_KEYS = scanKeys(["qrlogin conformance suite: a deployment secret"]);

/**
 * A fresh request with its secrets, made by the real core, at the clock's time: a QR request, or a
 * `device` one, which carries a typed code from the start; with every period's scan token, as its
 * desktop would make them.
 */
export function newRequest(
  clock: Clock = new ManualClock(),
  random: RandomSource = seededRandom(String(Math.random())),
  mode: "qr" | "device" = "qr",
) {
  const created = createLoginRequest(
    { clock, random, lifetimes: DEFAULT_LIFETIMES, keys: TEST_KEYS },
    { requester: desktopRequester, mode },
  );
  return { ...created, scanTokens: scanTokensOf(created) };
}

/** Every period's scan token of a created request, as its desktop makes them; none for a passkey request. */
export function scanTokensOf(created: Pick<CreatedLoginRequest, "tokens">): string[] {
  const { tokens } = created;
  return tokens ? Array.from({ length: tokens.periods }, (_, period) => scanTokenAt(tokens, period)) : [];
}

/** The flows over `store` with default limits and policies, an in-process notifier and `clock`. */
export function flowsOver(store: LoginStore, clock: Clock, overrides: Partial<LoginFlowsDeps> = {}): LoginFlows {
  return new LoginFlows({
    store,
    notifier: new LocalNotifier(),
    clock,
    random: seededRandom(String(Math.random())),
    lifetimes: DEFAULT_LIFETIMES as Lifetimes,
    keys: TEST_KEYS,
    limiter: new RateLimiter(store, resolveLimits()),
    relayPolicy: "warn",
    notMeBlockMs: 3_600_000,
    ...overrides,
  });
}
