/**
 * Every error a client can see, with its HTTP status. RFC 8628 words where they fit
 * (lower case), UPPER_SNAKE otherwise. Clients `switch` on `error`; the text may change.
 */
export const ERROR_STATUS = {
  invalid_request: 400,
  authorization_pending: 400,
  slow_down: 429,
  access_denied: 403,
  expired_token: 410,
  invalid_client: 401,
  invalid_grant: 400,
  unsupported_grant_type: 400,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  BAD_ORIGIN: 403,
  BROWSER_SECRET_REQUIRED: 401,
  BROWSER_SECRET_INVALID: 403,
  APPROVER_UNAUTHENTICATED: 401,
  REQUEST_NOT_FOUND: 404,
  SCAN_TOKEN_INVALID: 404,
  USER_CODE_INVALID: 404,
  ALREADY_CLAIMED: 409,
  NOT_YOUR_REQUEST: 403,
  NOT_SCANNED: 409,
  ALREADY_DECIDED: 409,
  ALREADY_REDEEMED: 409,
  REDEMPTION_IN_PROGRESS: 409,
  CANCELLED: 410,
  WRONG_NUMBER: 403,
  NETWORK_MISMATCH: 403,
  BROWSER_KEY_REQUIRED: 401,
  BROWSER_KEY_INVALID: 403,
  PUSH_DISABLED: 400,
  PASSKEY_DISABLED: 400,
  PASSKEY_REQUIRED: 401,
  PASSKEY_INVALID: 403,
  PASSKEY_CHALLENGE_MISMATCH: 403,
  PASSKEY_USER_NOT_VERIFIED: 403,
  PASSKEY_REPLAYED: 403,
  PASSKEY_UNKNOWN_CREDENTIAL: 403,
  PASSKEY_SIGN_IN_REQUIRED: 403,
  RATE_LIMITED: 429,
  TOO_MANY_STREAMS: 429,
  SESSION_FAILED: 503,
  ADDRESS_REQUIRED: 500,
  INTERNAL_ERROR: 500,
} as const;

/** A closed union of every error code qrlogin returns. */
export type ErrorCode = keyof typeof ERROR_STATUS;

/**
 * A protocol error: the code a client switches on, a human description and the HTTP status.
 * @example
 * try { await flows.approve(id, approver) } catch (e) {
 *   if (e instanceof QrLoginError && e.code === "NOT_YOUR_REQUEST") ...
 * }
 */
export class QrLoginError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Seconds a client should wait before trying again (429 answers). */
  readonly retryAfter: number | undefined;
  /** Guesses left before the request is cancelled (`WRONG_NUMBER`; 0 once it was). */
  readonly triesLeft: number | undefined;

  constructor(code: ErrorCode, description: string, options: { retryAfter?: number; triesLeft?: number } = {}) {
    super(description);
    this.name = "QrLoginError";
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.retryAfter = options.retryAfter;
    this.triesLeft = options.triesLeft;
  }
}

/** True when `value` is a QrLoginError carrying `code` (any code when omitted). */
export function isQrLoginError(value: unknown, code?: ErrorCode): value is QrLoginError {
  return value instanceof QrLoginError && (code === undefined || value.code === code);
}
