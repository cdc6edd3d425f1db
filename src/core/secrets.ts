import { createHash, timingSafeEqual } from "node:crypto";
import type { RandomSource } from "./clock.ts";

/** Bytes of randomness in each secret. */
export const SECRET_BYTES = {
  requestId: 16,
  browserSecret: 32,
} as const;

/** A random base64url string of `bytes` random bytes. */
export function randomToken(random: RandomSource, bytes: number): string {
  return Buffer.from(random(bytes)).toString("base64url");
}

/**
 * SHA-256 of a secret, base64url. Enough for 128+ bit random values: secrets are stored only
 * as these hashes, so a leaked table signs nobody in.
 */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("base64url");
}

/** Compares a presented secret with a stored hash in constant time. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret));
  const stored = Buffer.from(storedHash);
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
