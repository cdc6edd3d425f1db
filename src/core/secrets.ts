import { hash, timingSafeEqual } from "node:crypto";
import type { RandomSource } from "./clock.ts";

/** Bytes of randomness in each secret. */
export const SECRET_BYTES = {
  browserSecret: 32,
} as const;

/** A request id's bytes: its creation time in milliseconds, then random ones. Not a secret. */
export const REQUEST_ID_BYTES = { time: 6, random: 10 } as const;

/**
 * A new request id, base64url: 48 bits of its creation time (`now`, ms, big-endian), then 80 random
 * bits, so that two ids never meet and none can be guessed. In time order, a new id lands at the end
 * of the store's index instead of a random page of it (on SQLite that page was a 4 KB WAL frame per
 * creation, a sixth of creation's cost).
 * @example requestId(cryptoRandom, Date.now()) // "AZ3q1v2wAbc…", 22 characters
 */
export function requestId(random: RandomSource, now: number): string {
  const id = Buffer.allocUnsafe(REQUEST_ID_BYTES.time + REQUEST_ID_BYTES.random);
  id.writeUIntBE(Math.max(0, Math.floor(now)) % 2 ** 48, 0, REQUEST_ID_BYTES.time);
  id.set(random(REQUEST_ID_BYTES.random), REQUEST_ID_BYTES.time);
  return id.toString("base64url");
}

/** A random base64url string of `bytes` random bytes. */
export function randomToken(random: RandomSource, bytes: number): string {
  const drawn = random(bytes);
  // A view on the drawn bytes, not a copy: they are only encoded.
  return Buffer.from(drawn.buffer, drawn.byteOffset, drawn.byteLength).toString("base64url");
}

/**
 * SHA-256 of a secret, base64url. Enough for 128+ bit random values: secrets are stored only
 * as these hashes, so a leaked table signs nobody in.
 */
export function hashSecret(secret: string): string {
  // One-shot: no Hash object per call (a third of createHash's cost).
  return hash("sha256", secret, "base64url");
}

/** Compares a presented secret with a stored hash in constant time. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret));
  const stored = Buffer.from(storedHash);
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
