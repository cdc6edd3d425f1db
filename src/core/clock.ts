import { randomBytes } from "node:crypto";

/** Milliseconds since the epoch; injected so every expiry rule can be tested without waiting. */
export interface Clock {
  now(): number;
}

/** Returns `length` cryptographically random bytes; injected so tests can make secrets deterministic. */
export type RandomSource = (length: number) => Uint8Array;

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** The operating system's CSPRNG. */
export const cryptoRandom: RandomSource = (length) => randomBytes(length);
