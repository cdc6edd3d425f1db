import { createHash, createHmac, hash, timingSafeEqual } from "node:crypto";
import type { Lifetimes } from "./lifetimes.ts";
import type { LoginRequest } from "./login-request.ts";

/**
 * Scan tokens are derived, never stored: the token of period `p` of request `id` is
 * `HMAC-SHA256(secret, "qrlogin scan token" ‖ id ‖ p)`, cut to 128 bits, with the id in front so a
 * scan needs one read by id. A waiting desktop is given every period's QR at creation, so its QR
 * changes with no store write and no message; only the deployment's secret can make a token.
 */

/** Token layout version: a byte in front of every token, so the layout can change later. */
const LAYOUT = 1;
const ID_BYTES = 16;
const KEY_ID_BYTES = 4;
const MAC_BYTES = 16;
const TOKEN_BYTES = 1 + ID_BYTES + 2 + KEY_ID_BYTES + MAC_BYTES;
/** Shortest deployment secret accepted: 32 characters of a random string carry well over 128 bits. */
export const MIN_SECRET_LENGTH = 32;
const MAX_PERIODS = 0xffff;

const LABEL = Buffer.from("qrlogin scan token\0", "latin1");
/** SHA-256's block: a longer HMAC key is hashed first, a shorter one padded with zeros (RFC 2104). */
const BLOCK_BYTES = 64;
const DIGEST_BYTES = 32;
const ID_AT = BLOCK_BYTES + LABEL.length;
const PERIOD_AT = ID_AT + ID_BYTES;
const MAC_AT = 3 + ID_BYTES + KEY_ID_BYTES;

/**
 * One deployment secret, ready to use: the short id that names it in every token, and its HMAC key
 * blocks, made once. A MAC is then two one-shot hashes, about a third of `createHmac`'s cost, which
 * sets the key up again for every token (six of them in every creation answer).
 */
export class ScanKey {
  /** Names the secret in tokens (not secret), so instances that disagree on it can say so. */
  readonly id: Buffer;
  /** (K ⊕ ipad) ‖ label ‖ request id ‖ period: the inner hash's input, the id and period filled in per MAC. */
  readonly #inner: Buffer;
  /** (K ⊕ opad) ‖ inner hash: the outer hash's input. */
  readonly #outer: Buffer;

  constructor(secret: string) {
    const given = Buffer.from(secret, "utf8");
    this.id = createHmac("sha256", given).update("qrlogin key id").digest().subarray(0, KEY_ID_BYTES);
    const key = Buffer.alloc(BLOCK_BYTES);
    (given.length > BLOCK_BYTES ? createHash("sha256").update(given).digest() : given).copy(key);
    this.#inner = Buffer.concat([key.map((byte) => byte ^ 0x36), LABEL, Buffer.alloc(ID_BYTES + 2)]);
    this.#outer = Buffer.concat([key.map((byte) => byte ^ 0x5c), Buffer.alloc(DIGEST_BYTES)]);
  }

  /**
   * HMAC-SHA256(secret, label ‖ `id` ‖ `period`) cut to 128 bits, written into `into` at `at`.
   * Synchronous, so the shared input buffers are never seen half filled.
   */
  mac(id: Uint8Array, period: number, into: Buffer, at: number): void {
    this.#inner.set(id, ID_AT);
    this.#inner.writeUInt16BE(period, PERIOD_AT);
    // "binary" (latin1): one char per byte, the cheapest output to copy on from.
    this.#outer.write(hash("sha256", this.#inner, "binary"), BLOCK_BYTES, "latin1");
    into.write(hash("sha256", this.#outer, "binary"), at, MAC_BYTES, "latin1");
  }
}

/**
 * The deployment's scan keys: the first makes new tokens, every one is accepted, so a secret can be
 * changed without cutting off QRs already on screens (list the new one first, the old one after).
 * @example const keys = scanKeys([process.env.QRLOGIN_SECRET!])
 */
export function scanKeys(secrets: readonly string[]): readonly ScanKey[] {
  if (secrets.length === 0) throw new TypeError("qrlogin: `secret` needs at least one deployment secret");
  return secrets.map((secret) => {
    if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH) {
      throw new TypeError(
        `qrlogin: a deployment secret must be a random string of at least ${MIN_SECRET_LENGTH} characters (\`npx qrlogin secret\` makes one)`,
      );
    }
    return new ScanKey(secret);
  });
}

/** The scan token of `period` for request `requestId`, made with the first key. */
export function scanTokenFor(keys: readonly ScanKey[], requestId: string, period: number): string {
  return scanTokens(keys, requestId, period, 1)[0] as string;
}

/** The tokens of `count` periods of request `requestId` from `first` on, made with the first key. */
function scanTokens(keys: readonly ScanKey[], requestId: string, first: number, count: number): string[] {
  const [key] = keys as [ScanKey];
  const id = Buffer.from(requestId, "base64url");
  if (id.length !== ID_BYTES) throw new TypeError("qrlogin: a request id is 16 bytes, base64url");
  const token = Buffer.alloc(TOKEN_BYTES);
  token[0] = LAYOUT;
  id.copy(token, 1);
  key.id.copy(token, 3 + ID_BYTES);
  const tokens: string[] = [];
  for (let period = first; period < first + count; period++) {
    token.writeUInt16BE(period, 1 + ID_BYTES);
    key.mac(id, period, token, MAC_AT);
    tokens.push(token.toString("base64url"));
  }
  return tokens;
}

/** What a presented token claims: which request, which period, under which key, with which MAC. */
export interface ScanTokenClaim {
  requestId: string;
  period: number;
  keyId: Buffer;
  mac: Buffer;
}

/** Reads a presented token without trusting it; `null` when it cannot be one of ours. */
export function readScanToken(token: string): ScanTokenClaim | null {
  if (!/^[A-Za-z0-9_-]{52}$/.test(token)) return null;
  const bytes = Buffer.from(token, "base64url");
  if (bytes.length !== TOKEN_BYTES || bytes[0] !== LAYOUT) return null;
  const id = bytes.subarray(1, 1 + ID_BYTES);
  return {
    requestId: id.toString("base64url"),
    period: bytes.readUInt16BE(1 + ID_BYTES),
    keyId: bytes.subarray(3 + ID_BYTES, 3 + ID_BYTES + KEY_ID_BYTES),
    mac: bytes.subarray(3 + ID_BYTES + KEY_ID_BYTES),
  };
}

/**
 * Whether a claim's MAC is genuine: `valid`, `forged`, or `unknown-key` when it names a key this
 * deployment does not hold (another instance runs with a different secret).
 */
export function checkScanToken(keys: readonly ScanKey[], claim: ScanTokenClaim): "valid" | "forged" | "unknown-key" {
  const key = keys.find((candidate) => candidate.id.equals(claim.keyId));
  if (!key) return "unknown-key";
  const expected = Buffer.alloc(MAC_BYTES);
  key.mac(Buffer.from(claim.requestId, "base64url"), claim.period, expected, 0);
  return timingSafeEqual(expected, claim.mac) ? "valid" : "forged";
}

/**
 * How many periods a request's QR goes through while it waits: a QR request changes every
 * `lifetimes.scanToken`; any other (a device's, whose screen cannot refresh) keeps one for its life.
 */
export function scanPeriodCount(request: LoginRequest, lifetimes: Lifetimes): number {
  if (request.mode !== "qr") return 1;
  return Math.min(MAX_PERIODS, Math.max(1, Math.ceil((request.expiresAt - request.createdAt) / lifetimes.scanToken)));
}

/**
 * Whether the token of `period` works at `now`: from `scanTokenGrace` before its period starts (an
 * instance whose clock is a little behind) until `scanTokenGrace` after it ends (a phone mid-scan).
 * A non-rotating request's one token works for as long as the request waits.
 */
export function scanPeriodWorks(request: LoginRequest, period: number, now: number, lifetimes: Lifetimes): boolean {
  if (request.mode !== "qr") return period === 0;
  if (period >= scanPeriodCount(request, lifetimes)) return false;
  const start = request.createdAt + period * lifetimes.scanToken;
  return now >= start - lifetimes.scanTokenGrace && now < start + lifetimes.scanToken + lifetimes.scanTokenGrace;
}

/** Every period's scan token of a new request, in order: the desktop shows the `i`-th from `i × scanToken` on. */
export function scanTokenSchedule(keys: readonly ScanKey[], request: LoginRequest, lifetimes: Lifetimes): string[] {
  return scanTokens(keys, request.id, 0, scanPeriodCount(request, lifetimes));
}
