import { hash, timingSafeEqual } from "node:crypto";
import type { RandomSource } from "./clock.ts";

/** Bytes of randomness in each secret. */
export const SECRET_BYTES = {
  requestId: 16,
  browserSecret: 32,
} as const;

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
