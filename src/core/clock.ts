import { randomBytes } from "node:crypto";

/** Milliseconds since the epoch; injected so every expiry rule can be tested without waiting. */
export interface Clock {
  now(): number;
}

/** Returns `length` cryptographically random bytes; injected so tests can make secrets deterministic. */
export type RandomSource = (length: number) => Uint8Array;

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** Bytes drawn from the CSPRNG at once: one call per several requests instead of four per request. */
const POOL_BYTES = 4096;
let pool = new Uint8Array(0);
let used = 0;

/**
 * The operating system's CSPRNG, read ahead in blocks (as `crypto.randomUUID` does): each call has
 * fresh bytes of its own, never handed out twice.
 */
export const cryptoRandom: RandomSource = (length) => {
  if (length > POOL_BYTES) return randomBytes(length);
  if (used + length > pool.length) {
    pool = randomBytes(POOL_BYTES);
    used = 0;
  }
  used += length;
  return pool.subarray(used - length, used);
};
