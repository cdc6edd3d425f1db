import type { Clock, RandomSource } from "./clock.ts";
import { generateComparisonNumber } from "./comparison.ts";
import type { Lifetimes } from "./lifetimes.ts";
import type { LoginRequest } from "./login-request.ts";
import type { RequesterContext } from "./requester-context.ts";
import { type RequestTokens, requestTokens, type ScanKey } from "./scan-token.ts";
import { hashSecret, randomToken, requestId, SECRET_BYTES } from "./secrets.ts";
import { maskApprover } from "./transitions.ts";
import { generateUserCode } from "./user-code.ts";

/** A new request and the secrets that exist in plain text only now, on their way to the desktop. */
export interface CreatedLoginRequest {
  request: LoginRequest;
  /** Goes to the desktop only (HttpOnly cookie or response body); proves it is the requester. */
  browserSecret: string;
  /**
   * What the desktop makes its QRs from, one per period in turn, each proving the phone saw the
   * screen then; `null` for a passkey request, which shows no QR.
   */
  tokens: RequestTokens | null;
  /** A device's code, shown for typing on the phone (no separator); a QR request shows one only on demand. */
  userCode: string | null;
}

/** What making a request needs: the clock, the random source, the lifetimes and the deployment's scan keys. */
export interface CreateDeps {
  clock: Clock;
  random: RandomSource;
  lifetimes: Lifetimes;
  keys: readonly ScanKey[];
}

/**
 * Makes a new QR request in `pending`, with fresh secrets stored only as hashes, waiting
 * `lifetimeMs` (default `lifetimes.pending`) for a scan or code.
 * @example
 * const { request, browserSecret, tokens } =
 *   createLoginRequest({ clock, random, lifetimes, keys }, { requester });
 */
export function createLoginRequest(
  deps: CreateDeps,
  input: {
    requester: RequesterContext;
    publicKey?: string | null;
    mode?: "qr" | "device" | "passkey";
    lifetimeMs?: number;
  },
): CreatedLoginRequest {
  const made = pendingRequest(deps, input);
  // A passkey request shows no QR: its key would be made only to be dropped. Set in place, as a
  // spread into a new object took a slow path of V8's on every creation.
  if (made.request.mode !== "passkey") made.tokens = requestTokens(deps.keys, made.request, deps.lifetimes);
  return made;
}

/** A new request in `pending` with its browser secret (and a device's code), before any scan token. */
function pendingRequest(deps: CreateDeps, input: Parameters<typeof createLoginRequest>[1]): CreatedLoginRequest {
  const now = deps.clock.now();
  const browserSecret = randomToken(deps.random, SECRET_BYTES.browserSecret);
  const mode = input.mode ?? "qr";
  // A device's screen cannot ask for a code later, so it gets its one code now.
  const userCode = mode === "device" ? generateUserCode(deps.random) : null;
  const request: LoginRequest = {
    id: requestId(deps.random, now),
    mode,
    state: "pending",
    version: 1,
    createdAt: now,
    updatedAt: now,
    // A device's code cannot be refreshed on its screen, so the device flow sets its own lifetime.
    expiresAt: now + (input.lifetimeMs ?? deps.lifetimes.pending),
    browserSecretHash: hashSecret(browserSecret),
    userCodeHash: userCode === null ? null : hashSecret(userCode),
    userCodeIssuedAt: userCode === null ? 0 : now,
    previousUserCodeHash: null,
    previousUserCodeValidUntil: 0,
    comparison: null,
    login: null,
    approverId: null,
    approverHint: null,
    publicKey: input.publicKey ?? null,
    deniedReason: null,
    sealedRedemption: null,
    requester: input.requester,
  };
  return { request, browserSecret, userCode, tokens: null };
}

/**
 * Makes a push request: already `scanned`, bound to the account `approverId` (or to nobody: a decoy
 * that no phone hears of and nobody can approve), with the two-digit number the desktop shows.
 * @example createPushRequest(deps, { login: "alice@example.com", approverId: "u1", requester })
 */
export function createPushRequest(
  deps: CreateDeps,
  input: { login: string; approverId: string | null; requester: RequesterContext; publicKey?: string | null },
): CreatedLoginRequest {
  const made = pendingRequest(deps, { requester: input.requester, publicKey: input.publicKey ?? null });
  // Nothing to scan: a push request is bound to its account from the start.
  return {
    ...made,
    request: {
      ...made.request,
      mode: "push",
      state: "scanned",
      login: input.login,
      approverId: input.approverId,
      approverHint: maskApprover(input.login),
      comparison: generateComparisonNumber(deps.random),
    },
  };
}
