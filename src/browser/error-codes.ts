import type { ErrorCode } from "../core/errors.ts";

/** Failures that happen in the client before or instead of a server answer. */
export type ClientErrorCode =
  | "NETWORK_ERROR"
  | "QR_FOREIGN_ORIGIN"
  | "QR_NOT_A_SIGN_IN_CODE"
  | "BAD_RESPONSE"
  | "PASSKEY_CANCELLED"
  | "CARD_CHANGED";

/**
 * Every code a person may meet on the phone page or the `<qr-login>` element. Each has words in
 * every catalogue under `error.<code>` (src/browser/i18n): a code added to the server's registry
 * does not compile until every language has words for it.
 */
export type FaceErrorCode = ErrorCode | ClientErrorCode;
