import type { ErrorCode } from "../core/errors.ts";

/** Failures that happen in the client before or instead of a server answer. */
export type ClientErrorCode =
  | "NETWORK_ERROR"
  | "QR_FOREIGN_ORIGIN"
  | "QR_NOT_A_SIGN_IN_CODE"
  | "BAD_RESPONSE"
  | "PASSKEY_CANCELLED"
  | "CARD_CHANGED";

/** Every code a person may meet on the phone page or the `<qr-login>` element. */
export type FaceErrorCode = ErrorCode | ClientErrorCode;

/**
 * What to tell a person for each error code. Typed as a full record, so a code added to the
 * server's registry does not compile until it has words here.
 */
export const ERROR_MESSAGES: Readonly<Record<FaceErrorCode, string>> = {
  invalid_request: "Something in that request wasn't right. Check the code and try again.",
  authorization_pending: "Still waiting for the phone to approve.",
  slow_down: "Too many tries in a short time. Wait a few seconds, then try again.",
  access_denied: "This sign-in was declined, so nobody was signed in.",
  expired_token: "This code has expired. Get a fresh code on the other screen and try again.",
  invalid_client: "This device isn't allowed to sign in here.",
  invalid_grant: "This device's sign-in code isn't valid. Start again on the device.",
  unsupported_grant_type: "This device asked to sign in in a way this site doesn't support.",
  BODY_TOO_LARGE: "That was too much data to send. Reload the page and try again.",
  UNSUPPORTED_MEDIA_TYPE: "This page sent something the server doesn't understand. Reload the page and try again.",
  NOT_FOUND: "This page is out of date. Reload it and try again.",
  METHOD_NOT_ALLOWED: "This page is out of date. Reload it and try again.",
  BAD_ORIGIN: "This request came from another website, so it was refused for your safety.",
  BROWSER_SECRET_REQUIRED: "This browser lost track of its sign-in code. Get a fresh code.",
  BROWSER_SECRET_INVALID: "This sign-in code belongs to another browser window. Get a fresh code here.",
  APPROVER_UNAUTHENTICATED: "You need to be signed in on this phone before you can approve a sign-in.",
  REQUEST_NOT_FOUND: "This sign-in is no longer there; it may have expired. Get a fresh code on the other screen.",
  SCAN_TOKEN_INVALID:
    "This QR code is no longer valid: codes change every few seconds. Scan the code on the screen again.",
  USER_CODE_INVALID: "That code doesn't match any sign-in. Check the letters on the other screen and try again.",
  ALREADY_CLAIMED: "Another phone has already scanned this code. If that wasn't you, get a fresh code.",
  NOT_YOUR_REQUEST: "This sign-in was started from another account's phone, so you can't answer it.",
  NOT_SCANNED: "This sign-in hasn't been scanned yet. Scan the QR code or type the code first.",
  ALREADY_DECIDED: "This sign-in has already been answered.",
  ALREADY_REDEEMED: "This sign-in has already been used.",
  CANCELLED: "The sign-in was cancelled on the other screen.",
  WRONG_NUMBER:
    "That number didn't match the one on the other screen, so this sign-in was stopped for your safety. If you didn't start it, someone may be trying to get into your account.",
  NETWORK_MISMATCH:
    "This sign-in was started on a different network from this phone's, so it was refused for your safety. Only approve sign-ins on a screen in front of you.",
  BROWSER_KEY_REQUIRED: "This browser couldn't prove it is the one that asked. Get a fresh code.",
  BROWSER_KEY_INVALID: "This browser couldn't prove it is the one that asked. Get a fresh code.",
  PUSH_DISABLED: "Sign-in requests to your phone aren't enabled on this site. Scan the QR code instead.",
  PASSKEY_DISABLED: "Signing in with a passkey isn't available for this sign-in. Scan the QR code instead.",
  PASSKEY_REQUIRED:
    "This site asks you to confirm with your passkey before approving, and this account has none on this phone. Add a passkey to your account first.",
  PASSKEY_INVALID: "Your passkey's answer couldn't be checked, so nothing was approved. Try again.",
  PASSKEY_CHALLENGE_MISMATCH:
    "Your passkey answered for a different sign-in, so nothing was approved. Start again from the screen in front of you.",
  PASSKEY_USER_NOT_VERIFIED:
    "Your passkey didn't check that it's you (fingerprint, face or PIN), so nothing was approved. Try again and unlock it.",
  PASSKEY_REPLAYED: "That passkey answer was already used once, so it was refused. Try again for a fresh one.",
  PASSKEY_UNKNOWN_CREDENTIAL:
    "That passkey doesn't belong to the account this sign-in is for, so nothing was approved. Use your own passkey.",
  PASSKEY_SIGN_IN_REQUIRED:
    "The device asking is on another network, so it can't be approved from here. On that device, choose “Sign in with a passkey” and use this phone's passkey: it only works when the phone is nearby.",
  RATE_LIMITED: "Too many attempts. Wait a minute before trying again.",
  SESSION_FAILED: "The sign-in was approved, but the site couldn't start your session. Try again.",
  REDEMPTION_IN_PROGRESS: "This sign-in is already being finished in another window. Wait a moment, then try again.",
  TOO_MANY_STREAMS: "The server is busy right now. This page keeps trying to connect.",
  INTERNAL_ERROR: "Something went wrong on the server. Please try again in a moment.",
  ADDRESS_REQUIRED: "The site is not set up to sign you in this way yet. Please tell its operators.",
  NETWORK_ERROR: "Can't reach the server. Check your connection and try again.",
  QR_FOREIGN_ORIGIN:
    "This QR code points to another website, so it was not opened. Only scan codes shown by this site.",
  QR_NOT_A_SIGN_IN_CODE: "This QR code isn't a sign-in code for this site.",
  BAD_RESPONSE: "The server gave an answer this page doesn't understand. Reload and try again.",
  PASSKEY_CANCELLED: "The passkey check was closed or timed out, so nothing was approved. Try again.",
  CARD_CHANGED:
    "What the server asked your passkey to confirm doesn't match the sign-in shown here, so nothing was sent. Scan the code again.",
};

/**
 * The words for `code`; for a code this version does not know, the server's own description.
 * @example messageFor("expired_token") // "This code has expired. …"
 */
export function messageFor(code: string, fallback?: string): string {
  return (ERROR_MESSAGES as Record<string, string>)[code] ?? fallback ?? ERROR_MESSAGES.INTERNAL_ERROR;
}
