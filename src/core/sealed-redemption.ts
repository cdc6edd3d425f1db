import { createCipheriv, createDecipheriv, hkdfSync } from "node:crypto";
import type { RandomSource } from "./clock.ts";

/**
 * A redemption's result, sealed so that only the desktop that redeemed can open it again.
 *
 * When the host's `issueSession` returns, its result is stored with `redeemed`, in the same
 * compare-and-set, encrypted (AES-256-GCM) under a key derived (HKDF-SHA256) from the desktop's
 * browser secret and the request id. The store keeps only the secret's SHA-256 hash, so a leaked
 * store cannot open it; the desktop whose answer was lost (a crash, a dropped connection) presents
 * its secret again and gets the same session back, without a second `issueSession`.
 */

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
// Fixed: the secret is 256 random bits already; the salt only separates this use of it from any other.
const SALT = "qrlogin sealed redemption";

function keyOf(browserSecret: string, requestId: string): Buffer {
  return Buffer.from(hkdfSync("sha256", browserSecret, SALT, `request ${requestId}`, 32));
}

/**
 * Seals `result` (anything JSON can carry; what JSON drops is dropped) for the holder of
 * `browserSecret` of request `requestId`: `v1.<iv>.<ciphertext>.<tag>`, base64url. Throws if
 * `result` cannot be written as JSON.
 */
export function sealRedemption(
  result: unknown,
  browserSecret: string,
  requestId: string,
  random: RandomSource,
): string {
  const json = JSON.stringify(result ?? null);
  const iv = Buffer.from(random(IV_BYTES));
  const cipher = createCipheriv("aes-256-gcm", keyOf(browserSecret, requestId), iv);
  cipher.setAAD(Buffer.from(requestId));
  const sealed = Buffer.concat([cipher.update(json, "utf8"), cipher.final()]);
  return [VERSION, iv, sealed, cipher.getAuthTag()]
    .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
    .join(".");
}

/**
 * The result sealed by {@link sealRedemption}, or `undefined` when `browserSecret` or `requestId`
 * is not the one it was sealed for, or `sealed` was altered.
 */
export function openRedemption(sealed: string, browserSecret: string, requestId: string): unknown {
  const [version, ...parts] = sealed.split(".");
  const [iv, data, tag] = parts.map((part) => Buffer.from(part, "base64url"));
  if (version !== VERSION || iv?.length !== IV_BYTES || !data || tag?.length !== TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv("aes-256-gcm", keyOf(browserSecret, requestId), iv);
    decipher.setAAD(Buffer.from(requestId));
    decipher.setAuthTag(tag);
    return JSON.parse(Buffer.concat([decipher.update(data), decipher.final()]).toString("utf8"));
  } catch {
    return undefined;
  }
}
