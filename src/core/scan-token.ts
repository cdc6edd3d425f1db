import { createHash, createHmac, hash, timingSafeEqual } from "node:crypto";
import type { Lifetimes } from "./lifetimes.ts";
import type { LoginRequest } from "./login-request.ts";

/**
 * Scan tokens are derived, never stored. Each request has a key of its own,
 * `HMAC-SHA256(secret, "qrlogin request key" ‖ id)`, and the token of its period `p` is
 * `layout ‖ id ‖ key id ‖ p ‖ HMAC-SHA256(request key, p)` cut to 128 bits, with the id in front so a
 * scan needs one read by id. The desktop is given the request's key and the token's fixed front once,
 * at creation, and makes each period's QR itself: its QR changes with no store write and no message,
 * and a creation costs one HMAC however long the request waits. Only the deployment's secret makes a
 * request key; a request key makes the tokens of its own request only, which its desktop shows anyway.
 */

/**
 * Token layout version: a byte in front of every token, so the layout can change later. Layout 1
 * (one HMAC of the deployment secret per period, sent as a list of QR URLs) is no longer read.
 */
const LAYOUT = 2;
const ID_BYTES = 16;
const KEY_ID_BYTES = 4;
const PERIOD_BYTES = 2;
const MAC_BYTES = 16;
/** Layout, request id and key id: the same in every period, 21 bytes, a whole number of base64 groups. */
const FRONT_BYTES = 1 + ID_BYTES + KEY_ID_BYTES;
const TOKEN_BYTES = FRONT_BYTES + PERIOD_BYTES + MAC_BYTES;
/** Shortest deployment secret accepted: 32 characters of a random string carry well over 128 bits. */
export const MIN_SECRET_LENGTH = 32;
const MAX_PERIODS = 0xffff;

const LABEL = Buffer.from("qrlogin request key\0", "latin1");
/** SHA-256's block: a longer HMAC key is hashed first, a shorter one padded with zeros (RFC 2104). */
const BLOCK_BYTES = 64;
const DIGEST_BYTES = 32;
const ID_AT = BLOCK_BYTES + LABEL.length;

/**
 * One deployment secret, ready to use: the short id that names it in every token, and its HMAC key
 * blocks, made once. A request's key is then two one-shot hashes, about a third of `createHmac`'s
 * cost, which sets the key up again every time.
 */
export class ScanKey {
  /** Names the secret in tokens (not secret), so instances that disagree on it can say so. */
  readonly id: Buffer;
  /** (K ⊕ ipad) ‖ label ‖ request id: the inner hash's input, the id filled in per request. */
  readonly #inner: Buffer;
  /** (K ⊕ opad) ‖ inner hash: the outer hash's input. */
  readonly #outer: Buffer;

  constructor(secret: string) {
    const given = Buffer.from(secret, "utf8");
    this.id = createHmac("sha256", given).update("qrlogin key id").digest().subarray(0, KEY_ID_BYTES);
    const key = Buffer.alloc(BLOCK_BYTES);
    (given.length > BLOCK_BYTES ? createHash("sha256").update(given).digest() : given).copy(key);
    this.#inner = Buffer.concat([key.map((byte) => byte ^ 0x36), LABEL, Buffer.alloc(ID_BYTES)]);
    this.#outer = Buffer.concat([key.map((byte) => byte ^ 0x5c), Buffer.alloc(DIGEST_BYTES)]);
  }

  /**
   * The key of request `id`: HMAC-SHA256(secret, label ‖ `id`). Synchronous, so the shared input
   * buffers are never seen half filled.
   */
  requestKey(id: Uint8Array): Buffer {
    this.#inner.set(id, ID_AT);
    // "binary" (latin1): one char per byte, the cheapest output to copy on from.
    this.#outer.write(hash("sha256", this.#inner, "binary"), BLOCK_BYTES, "latin1");
    return Buffer.from(hash("sha256", this.#outer, "binary"), "latin1");
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

/** What a request's scan tokens are made from: given to its desktop once, which makes each period's QR. */
export interface RequestTokens {
  /** The tokens' fixed front (layout, request id, key id), base64url: 28 characters. */
  front: string;
  /** The request's key, 32 bytes; as secret as the QRs it makes. */
  key: Buffer;
  /** How many periods the request's QR goes through ({@link scanPeriodCount}). */
  periods: number;
}

/** The tokens of request `request`, made with the first key. */
export function requestTokens(keys: readonly ScanKey[], request: LoginRequest, lifetimes: Lifetimes): RequestTokens {
  return tokensOf(keys, request.id, scanPeriodCount(request, lifetimes));
}

function tokensOf(keys: readonly ScanKey[], requestId: string, periods: number): RequestTokens {
  const [key] = keys as [ScanKey];
  const id = Buffer.from(requestId, "base64url");
  if (id.length !== ID_BYTES) throw new TypeError("qrlogin: a request id is 16 bytes, base64url");
  const front = Buffer.allocUnsafe(FRONT_BYTES);
  front[0] = LAYOUT;
  id.copy(front, 1);
  key.id.copy(front, 1 + ID_BYTES);
  return { front: front.toString("base64url"), key: key.requestKey(id), periods };
}

/** A period as the 2 bytes (big-endian) a token carries and its MAC covers. */
const periodBytes = (period: number) => Buffer.from([period >> 8, period & 0xff]);

/** The MAC of a period's bytes under a request's key: HMAC-SHA256(key, period) cut to 128 bits. */
function periodMac(requestKey: Uint8Array, period: Buffer): Buffer {
  return createHmac("sha256", requestKey).update(period).digest().subarray(0, MAC_BYTES);
}

/** The scan token of `period` of a request, from its {@link RequestTokens}. */
export function scanTokenAt(tokens: RequestTokens, period: number): string {
  const bytes = periodBytes(period);
  return tokens.front + Buffer.concat([bytes, periodMac(tokens.key, bytes)]).toString("base64url");
}

/** The scan token of `period` for request `requestId`, made with the first key. */
export function scanTokenFor(keys: readonly ScanKey[], requestId: string, period: number): string {
  return scanTokenAt(tokensOf(keys, requestId, period + 1), period);
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
  return {
    requestId: bytes.subarray(1, 1 + ID_BYTES).toString("base64url"),
    keyId: bytes.subarray(1 + ID_BYTES, FRONT_BYTES),
    period: bytes.readUInt16BE(FRONT_BYTES),
    mac: bytes.subarray(FRONT_BYTES + PERIOD_BYTES),
  };
}

/**
 * Whether a claim's MAC is genuine: `valid`, `forged`, or `unknown-key` when it names a key this
 * deployment does not hold (another instance runs with a different secret).
 */
export function checkScanToken(keys: readonly ScanKey[], claim: ScanTokenClaim): "valid" | "forged" | "unknown-key" {
  const key = keys.find((candidate) => candidate.id.equals(claim.keyId));
  if (!key) return "unknown-key";
  const expected = periodMac(key.requestKey(Buffer.from(claim.requestId, "base64url")), periodBytes(claim.period));
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
