import { QrLoginError } from "./errors.ts";
import type { Lifetimes } from "./lifetimes.ts";
import {
  type LoginRequest,
  type RequestState,
  type RequestStatus,
  statusOf,
  type Transition,
} from "./login-request.ts";

/** The signed-in phone user, as the host's `authenticateApprover` hook returns it. */
export interface Approver {
  /** The host's stable user id. */
  userId: string;
  /** What the desktop may show once scanned, e.g. an e-mail; it is masked before it is stored. */
  displayName?: string;
}

/** The error for acting on a request whose status is not the one the action needs. */
function wrongStatus(status: RequestStatus, action: string): QrLoginError {
  switch (status) {
    case "expired":
      return new QrLoginError("expired_token", `The request expired before it could be ${action}.`);
    case "cancelled":
      return new QrLoginError("CANCELLED", "The request was cancelled.");
    case "denied":
      return new QrLoginError("access_denied", "The request was denied on the phone.");
    case "redeemed":
      return new QrLoginError("ALREADY_REDEEMED", "The request was already used to sign in.");
    case "pending":
      return new QrLoginError("NOT_SCANNED", `The request must be scanned before it can be ${action}.`);
    case "scanned":
      return new QrLoginError("authorization_pending", "The request waits for approval on the phone.");
    case "approved":
      return new QrLoginError("ALREADY_DECIDED", "The request was already approved.");
    case "redeeming":
      return new QrLoginError("REDEMPTION_IN_PROGRESS", "The sign-in is being completed; try again in a moment.");
  }
}

function require(request: LoginRequest, now: number, state: RequestState, action: string): void {
  const status = statusOf(request, now);
  if (status !== state) throw wrongStatus(status, action);
}

/**
 * Masks an approver's name for the desktop: enough to recognise yourself, not to learn an
 * address. `alice@example.com` → `a•••@example.com`, `alice` → `a•••`.
 */
export function maskApprover(name: string): string {
  const at = name.lastIndexOf("@");
  const local = at > 0 ? name.slice(0, at) : name;
  const domain = at > 0 ? name.slice(at) : "";
  return `${local.slice(0, 1)}•••${domain}`.slice(0, 120);
}

/**
 * Whether a typed code works at `now`: a device's for as long as its request waits; a QR request's
 * current code for `scanToken + scanTokenGrace` after it was shown, the one it replaced until its
 * grace ends — so a code read off a screen (or out of an e-mail) a minute ago claims nothing.
 */
export function userCodeWorks(request: LoginRequest, codeHash: string, now: number, lifetimes: Lifetimes): boolean {
  if (codeHash === request.userCodeHash) {
    return request.mode === "device" || now < request.userCodeIssuedAt + lifetimes.scanToken + lifetimes.scanTokenGrace;
  }
  return codeHash === request.previousUserCodeHash && now < request.previousUserCodeValidUntil;
}

/**
 * pending → pending with a new typed code, because the desktop asked to show one; the code it
 * replaces keeps working for the grace window. Guarded by version: two asks at once make one code.
 */
export function planUserCode(
  request: LoginRequest,
  userCodeHash: string,
  now: number,
  lifetimes: Lifetimes,
): Transition {
  require(request, now, "pending", "shown");
  if (request.mode !== "qr") throw new QrLoginError("invalid_request", "Only a QR request shows a code on demand.");
  const graceEnd = Math.min(
    now + lifetimes.scanTokenGrace,
    request.userCodeIssuedAt + lifetimes.scanToken + lifetimes.scanTokenGrace,
  );
  return {
    guard: { from: ["pending"], liveAt: now, version: request.version },
    patch: {
      userCodeHash,
      userCodeIssuedAt: now,
      previousUserCodeHash: request.userCodeHash,
      previousUserCodeValidUntil: request.userCodeHash === null ? 0 : graceEnd,
    },
  };
}

/**
 * pending → scanned: binds the request to the approver who scanned it or typed its code. With a
 * `comparison` number (the relay policy asks for one), approval will need that number too; with
 * `passkeyOnly` (the relay policy `passkey`), only a passkey used on the requesting device can approve it.
 */
export function planScan(
  request: LoginRequest,
  approver: Approver,
  now: number,
  lifetimes: Lifetimes,
  comparison: number | null = null,
  passkeyOnly = false,
): Transition {
  const status = statusOf(request, now);
  if (status === "scanned" || status === "approved") {
    throw new QrLoginError("ALREADY_CLAIMED", "Another phone has already scanned this request.");
  }
  // Its token and code were never shown: whoever presents one guessed it.
  if (request.mode === "passkey") throw new QrLoginError("SCAN_TOKEN_INVALID", "This is not a valid sign-in code.");
  require(request, now, "pending", "scanned");
  return {
    guard: { from: ["pending"], liveAt: now },
    patch: {
      state: "scanned",
      approverId: approver.userId,
      approverHint: maskApprover(approver.displayName ?? approver.userId),
      ...(comparison === null ? {} : { comparison }),
      ...(passkeyOnly ? { mode: "passkey" as const } : {}),
      expiresAt: now + lifetimes.decision,
      updatedAt: now,
    },
  };
}

function requireApprover(request: LoginRequest, approver: Approver): void {
  if (request.approverId !== approver.userId) {
    throw new QrLoginError("NOT_YOUR_REQUEST", "This request was claimed by another account.");
  }
}

/**
 * scanned → approved, by the approver the request is bound to — or, when the request asks for the
 * number shown on the desktop and `number` is not it, scanned → denied (`wrong_number`). Both come
 * from the same read and the same compare-and-set, so of answers sent at once only the first to land
 * counts: a phone that cannot see the screen gets one guess in 90, however it sends them.
 */
export function planApprove(
  request: LoginRequest,
  approver: Approver,
  number: number | undefined,
  now: number,
  lifetimes: Lifetimes,
): Transition {
  require(request, now, "scanned", "approved");
  requireApprover(request, approver);
  if (request.mode === "passkey") {
    throw new QrLoginError(
      "PASSKEY_SIGN_IN_REQUIRED",
      "This sign-in was started on another network: it can only be finished with a passkey on the device that asked.",
    );
  }
  const guard = { from: ["scanned"] as const, liveAt: now };
  if (request.comparison !== null && number !== request.comparison) {
    return { guard, patch: { state: "denied", deniedReason: WRONG_NUMBER_REASON, expiresAt: now, updatedAt: now } };
  }
  return { guard, patch: { state: "approved", expiresAt: now + lifetimes.redemption, updatedAt: now } };
}

/**
 * Whether a passkey used on the requesting device may approve `request` now: a `passkey` request,
 * pending (anyone's passkey) or scanned (its approver's only, which the caller checks). Throws the
 * error of the step otherwise.
 */
export function checkPasskeySignIn(request: LoginRequest, now: number): void {
  const status = statusOf(request, now);
  if (status !== "pending" && status !== "scanned") throw wrongStatus(status, "approved");
  if (request.mode !== "passkey") {
    throw new QrLoginError("PASSKEY_DISABLED", "This request was not made for passkey sign-in: scan its QR code.");
  }
}

/**
 * pending or scanned → approved, by a passkey assertion of `approver` that was verified against the
 * request at `version`: the guard holds only at that version, so a change in between voids it.
 */
export function planPasskeySignIn(
  request: LoginRequest,
  approver: Approver,
  version: number,
  now: number,
  lifetimes: Lifetimes,
): Transition {
  checkPasskeySignIn(request, now);
  if (request.state === "scanned") requireApprover(request, approver);
  const bind =
    request.state === "pending"
      ? { approverId: approver.userId, approverHint: maskApprover(approver.displayName ?? approver.userId) }
      : {};
  return {
    guard: { from: [request.state], liveAt: now, version },
    patch: { state: "approved", ...bind, expiresAt: now + lifetimes.redemption, updatedAt: now },
  };
}

/** Why a request was denied when the number typed on the phone was not the one on the screen. */
export const WRONG_NUMBER_REASON = "wrong_number";

/** scanned → denied, by the approver the request is bound to. */
export function planDeny(request: LoginRequest, approver: Approver, reason: string | null, now: number): Transition {
  require(request, now, "scanned", "denied");
  requireApprover(request, approver);
  return {
    guard: { from: ["scanned"], liveAt: now },
    patch: { state: "denied", deniedReason: reason, expiresAt: now, updatedAt: now },
  };
}

/**
 * approved → redeeming: the desktop takes a lease while the host signs it in. A lease whose holder
 * never finished (a crash) may be taken over once it ended, within `redemption` after; one still
 * running answers `REDEMPTION_IN_PROGRESS`.
 */
export function planRedeemStart(request: LoginRequest, now: number, lifetimes: Lifetimes): Transition {
  const patch = { state: "redeeming", expiresAt: now + lifetimes.redemptionLease, updatedAt: now } as const;
  if (request.state === "redeeming") {
    if (now < request.expiresAt) throw wrongStatus("redeeming", "redeemed");
    if (now >= request.expiresAt + lifetimes.redemption) throw wrongStatus("expired", "redeemed");
    return { guard: { from: ["redeeming"], liveAt: 0, version: request.version }, patch };
  }
  require(request, now, "approved", "redeemed");
  return { guard: { from: ["approved"], liveAt: now }, patch };
}

/**
 * redeeming → redeemed, by the holder of the lease only (the version it got), exactly once; the
 * result the host gave, `sealed` for the desktop, is written in the same step.
 */
export function planRedeemFinish(request: LoginRequest, sealed: string, now: number): Transition {
  return {
    guard: { from: ["redeeming"], liveAt: 0, version: request.version },
    patch: { state: "redeemed", sealedRedemption: sealed, expiresAt: now, updatedAt: now },
  };
}

/**
 * The sealed result a redeemed request may answer again at `now` — within `redemption` of its
 * redemption, to the desktop whose answer was lost (the caller checks its secret by opening it) —
 * or `null`: then a redeem gets `ALREADY_REDEEMED`.
 */
export function replayableRedemption(request: LoginRequest, now: number, lifetimes: Lifetimes): string | null {
  if (request.state !== "redeemed" || now >= request.updatedAt + lifetimes.redemption) return null;
  return request.sealedRedemption;
}

/** redeeming → approved: the host could not sign the desktop in; the approval is kept for another try. */
export function planRedeemRelease(request: LoginRequest, now: number, lifetimes: Lifetimes): Transition {
  return {
    guard: { from: ["redeeming"], liveAt: 0, version: request.version },
    patch: { state: "approved", expiresAt: now + lifetimes.redemption, updatedAt: now },
  };
}

/** Any live state → cancelled, by the desktop that made the request. */
export function planCancel(request: LoginRequest, now: number): Transition {
  const status = statusOf(request, now);
  if (status !== "pending" && status !== "scanned" && status !== "approved") throw wrongStatus(status, "cancelled");
  return {
    guard: { from: ["pending", "scanned", "approved"], liveAt: now },
    patch: { state: "cancelled", expiresAt: now, updatedAt: now },
  };
}
