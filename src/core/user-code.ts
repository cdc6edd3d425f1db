import type { RandomSource } from "./clock.ts";

/** RFC 8628 §6.1's base-20 alphabet: no vowels (no words), no look-alike characters. */
export const USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";
/** Characters in a user code; 20^8 ≈ 2.6e10 codes, safe only together with rate limits. */
export const USER_CODE_LENGTH = 8;

// The largest multiple of 20 below 256: bytes at or above it are dropped so every letter is equally likely.
const UNBIASED_LIMIT = 256 - (256 % USER_CODE_ALPHABET.length);

/**
 * A fresh user code, unbiased, without separator (`BCDFGHJK`). Show it with {@link formatUserCode}.
 * @example generateUserCode(cryptoRandom) // "MKXTQRBD"
 */
export function generateUserCode(random: RandomSource): string {
  let code = "";
  while (code.length < USER_CODE_LENGTH) {
    for (const byte of random(USER_CODE_LENGTH * 2)) {
      if (byte >= UNBIASED_LIMIT) continue;
      code += USER_CODE_ALPHABET[byte % USER_CODE_ALPHABET.length];
      if (code.length === USER_CODE_LENGTH) break;
    }
  }
  return code;
}

/** Shows a code the way people read it: `BCDF-GHJK`. */
export function formatUserCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * Normalises what a person typed: case, spaces and dashes do not matter (RFC 8628 §6.1).
 * Returns `null` for anything that cannot be a code, so it is refused without a store look-up.
 * @example normalizeUserCode(" bcdf-ghjk ") // "BCDFGHJK"
 */
export function normalizeUserCode(typed: string): string | null {
  if (typed.length > 32) return null;
  const code = typed.toUpperCase().replace(/[\s-]/g, "");
  if (code.length !== USER_CODE_LENGTH) return null;
  for (const ch of code) if (!USER_CODE_ALPHABET.includes(ch)) return null;
  return code;
}
