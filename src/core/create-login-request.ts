import type { Clock, RandomSource } from "./clock.ts";
import { generateComparisonNumber } from "./comparison.ts";
import type { Lifetimes } from "./lifetimes.ts";
import type { LoginRequest } from "./login-request.ts";
import type { RequesterContext } from "./requester-context.ts";
import { hashSecret, randomToken, SECRET_BYTES } from "./secrets.ts";
import { maskApprover } from "./transitions.ts";
import { generateUserCode } from "./user-code.ts";

/** A new request and the secrets that exist in plain text only now, on their way to the desktop. */
export interface CreatedLoginRequest {
  request: LoginRequest;
  /** Goes to the desktop only (HttpOnly cookie or response body); proves it is the requester. */
  browserSecret: string;
  /** Goes into the QR; proves the phone saw the screen. */
  scanToken: string;
  /** Shown on the desktop for typing on the phone (no separator). */
  userCode: string;
}

/**
 * Makes a new QR request in `pending`, with fresh secrets stored only as hashes, waiting
 * `lifetimeMs` (default `lifetimes.pending`) for a scan or code.
 * @example
 * const { request, browserSecret, scanToken, userCode } =
 *   createLoginRequest({ clock, random, lifetimes }, { requester });
 */
export function createLoginRequest(
  deps: { clock: Clock; random: RandomSource; lifetimes: Lifetimes },
  input: {
    requester: RequesterContext;
    publicKey?: string | null;
    mode?: "qr" | "device" | "passkey";
    lifetimeMs?: number;
  },
): CreatedLoginRequest {
  const now = deps.clock.now();
  const browserSecret = randomToken(deps.random, SECRET_BYTES.browserSecret);
  const scanToken = randomToken(deps.random, SECRET_BYTES.scanToken);
  const userCode = generateUserCode(deps.random);
  const request: LoginRequest = {
    id: randomToken(deps.random, SECRET_BYTES.requestId),
    mode: input.mode ?? "qr",
    state: "pending",
    version: 1,
    createdAt: now,
    updatedAt: now,
    // A device's code cannot be refreshed on its screen, so the device flow sets its own lifetime.
    expiresAt: now + (input.lifetimeMs ?? deps.lifetimes.pending),
    browserSecretHash: hashSecret(browserSecret),
    scanTokenHash: hashSecret(scanToken),
    scanTokenIssuedAt: now,
    previousScanTokenHash: null,
    previousScanTokenValidUntil: 0,
    userCodeHash: hashSecret(userCode),
    previousUserCodeHash: null,
    comparison: null,
    login: null,
    approverId: null,
    approverHint: null,
    publicKey: input.publicKey ?? null,
    deniedReason: null,
    sealedRedemption: null,
    requester: input.requester,
  };
  return { request, browserSecret, scanToken, userCode };
}

/**
 * Makes a push request: already `scanned`, bound to the account `approverId` (or to nobody: a decoy
 * that no phone hears of and nobody can approve), with the two-digit number the desktop shows.
 * @example createPushRequest(deps, { login: "alice@example.com", approverId: "u1", requester })
 */
export function createPushRequest(
  deps: { clock: Clock; random: RandomSource; lifetimes: Lifetimes },
  input: { login: string; approverId: string | null; requester: RequesterContext; publicKey?: string | null },
): CreatedLoginRequest {
  const made = createLoginRequest(deps, { requester: input.requester, publicKey: input.publicKey ?? null });
  made.request = {
    ...made.request,
    mode: "push",
    state: "scanned",
    login: input.login,
    approverId: input.approverId,
    approverHint: maskApprover(input.login),
    comparison: generateComparisonNumber(deps.random),
  };
  return made;
}
