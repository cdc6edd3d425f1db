/**
 * The wire format of the HTTP API, once: every answer, event and error body the server sends and the
 * browser code reads. Types only, so the browser bundles import it at no cost; the server's routes
 * and streams and the browser's element, follower and SDK all use these, so a field changed here
 * breaks the build on both sides.
 */
import type { ApprovalBinding } from "./core/approval-text.ts";
import type { ErrorCode } from "./core/errors.ts";
import type { RequestMode, RequestStatus } from "./core/login-request.ts";

export type { ApprovalBinding };

/**
 * The QRs a desktop shows while it waits, each for its period in turn: the QR of period `i` from
 * `i × everyMs` after the answer arrived (by the desktop's own clock) until the next. The desktop
 * makes each from `base` and `key` (`qrUrlAt` in the browser code): `base`, then base64url of `i`
 * (2 bytes, big-endian) and the first 16 bytes of HMAC-SHA256(`key`, those 2 bytes). The server
 * sends nothing more while the request waits: the QR changes with no store write and no message.
 */
export interface QrSchedule {
  /** `<origin><basePath>/a#t=` and the scan tokens' fixed front (28 characters). */
  base: string;
  /** The request's key, base64url (32 bytes): as secret as the QRs it makes. */
  key: string;
  /** How many periods there are; past the last, the request has expired. */
  periods: number;
  /** How long each QR is shown, in ms. */
  everyMs: number;
}

/** The answer to `POST /requests/:id/user-code`: a code to type on the phone instead of scanning. */
export interface UserCodeShown {
  /** Formatted `BCDF-GHJK`. */
  userCode: string;
  /** How long it works from now, in ms; ask for another when it runs out while shown. */
  expiresInMs: number;
  /** Where the phone types it: `<origin><basePath>/a`. */
  url: string;
}

/** The answer to `POST /requests` for a QR request. */
export interface QrCreated {
  id: string;
  mode: "qr";
  qr: QrSchedule;
  expiresAt: number;
  /** The host wants the person to confirm the account before this browser is signed in. */
  confirmAccount?: true;
  /** The browser secret, when asked for with `secretInBody` (non-browser clients). */
  browserSecret?: string;
  /** The host takes passkeys: the desktop may offer to sign in with one instead (a new `passkey` request). */
  passkeySignIn?: true;
}

/** The answer to `POST /requests` for a push request: the number to show. */
export interface PushCreated {
  id: string;
  mode: "push";
  comparison: number;
  expiresAt: number;
  confirmAccount?: true;
  browserSecret?: string;
}

/**
 * The answer to `POST /requests` for a passkey request: nothing to show; the desktop asks for its
 * WebAuthn options (`GET /requests/:id/passkey-options`) and posts the assertion.
 */
export interface PasskeyCreated {
  id: string;
  mode: "passkey";
  expiresAt: number;
  confirmAccount?: true;
  browserSecret?: string;
}

/** The answer to `POST /requests`. */
export type Created = QrCreated | PushCreated | PasskeyCreated;

/** The state of a request as the desktop may see it (the long-poll's answer). */
export interface RequestSnapshot {
  id: string;
  status: RequestStatus;
  version: number;
  expiresAt: number;
  /** Once scanned: whose account the desktop is entering, masked (`a•••@example.com`). */
  approver?: string | null;
  /** With `scanned`: the number to show for number matching (push, or the relay policy's demand). */
  comparison?: number;
  /** With `denied`: `not_me`, `wrong_number` or `null`. */
  reason?: string | null;
  /**
   * With `scanned`: the phone was on another network and the relay policy is `passkey`, so the phone
   * cannot approve; the desktop switches to passkey sign-in for this same request.
   */
  passkeyRequired?: true;
}

/** The data of each event on the desktop's stream, by event name (the event id is the version). */
export interface RequestEvents {
  scanned: Pick<RequestSnapshot, "expiresAt" | "approver" | "comparison" | "passkeyRequired">;
  approved: Pick<RequestSnapshot, "expiresAt" | "approver">;
  /** The host's `issueSession` holds the redemption's lease; the desktop that redeems waits for its answer. */
  redeeming: Pick<RequestSnapshot, "expiresAt">;
  denied: Pick<RequestSnapshot, "expiresAt" | "reason">;
  expired: Pick<RequestSnapshot, "expiresAt">;
  cancelled: Pick<RequestSnapshot, "expiresAt">;
  redeemed: Pick<RequestSnapshot, "expiresAt">;
}

/** Who is asking to be signed in, as the phone's card describes it. */
export interface Requester {
  /** e.g. "Chrome 131"; claimed by the requesting browser, not verified. */
  browser: string;
  /** e.g. "Windows 10"; claimed by the browser. */
  os: string;
  /** "desktop", "mobile", "tablet", "tv" or "unknown"; claimed by the browser. */
  device: string;
  /** Always true: browser, OS and device come from the User-Agent. */
  claimedByBrowser: true;
  ip: string | null;
  /** Approximate place in words ("Lyon, France") where a GeoIP database is configured. */
  location: string | null;
  /** Same IPv4 /24 or IPv6 /64 as this phone; `null` when unknown. */
  sameNetwork: boolean | null;
  /** Same country as this phone by GeoIP; `null` when unknown. */
  sameCountry: boolean | null;
  /** The site origin the request was made from. */
  origin: string | null;
  createdAt: number;
  ageSeconds: number;
  /**
   * For a device of the RFC 8628 flow (a CLI, a TV): the OAuth client it asked as, and the scope it
   * asked for. `name` is the site's name for the client, `null` when only its claimed `id` is known.
   */
  client?: RequesterClient;
}

/** The OAuth client behind a device-flow request, as the phone's card shows it. */
export interface RequesterClient {
  id: string;
  name: string | null;
  scope: string | null;
}

/**
 * A request waiting for this approver's answer, with everything to show before asking: the answer to
 * `POST /scan`, each entry of `GET /approver/requests`, and each `push` event.
 */
export interface RequestCard {
  id: string;
  mode: RequestMode;
  status: string;
  /** When the decision window closes (server clock; see {@link Requester.ageSeconds} for the offset). */
  expiresAt: number;
  requester: Requester;
  /** Reasons for caution in words for the person (a different network or country); show them all. */
  warnings: string[];
  /**
   * Approving needs the two-digit number shown on the requesting screen, typed by the person. The
   * phone is never told it, and there is one try: a wrong number ends the request.
   */
  numberRequired: boolean;
  /**
   * The relay policy `passkey` refuses approval here (the phone is on another network): the person
   * signs in with a passkey on the requesting device instead, which only works near this phone.
   */
  passkeyRequired: boolean;
  /**
   * Whether approving asks for this phone's passkey first (`GET /requests/:id/approval-options`):
   * `required`, `preferred` (when the account has one), or `off`.
   */
  passkeyApproval: "required" | "preferred" | "off";
}

/** A passkey's WebAuthn request options, binary values in base64url (`PublicKeyCredentialRequestOptionsJSON`). */
export interface PasskeyRequestOptions {
  challenge: string;
  rpId: string;
  /** Empty: any passkey of the site (the desktop's sign-in), chosen in the browser's own dialog. */
  allowCredentials: { id: string; type: "public-key"; transports?: string[] }[];
  userVerification: "required" | "preferred";
  timeout: number;
  /** `hybrid`: the browser goes straight to its cross-device flow (the phone, over a QR and Bluetooth). */
  hints?: ("hybrid" | "client-device" | "security-key")[];
}

/** The answer to `GET /requests/:id/approval-options` (phone) and `GET /requests/:id/passkey-options` (desktop). */
export interface PasskeyChallenge {
  userVerification: "required" | "preferred";
  /** `null` when the account has no passkey the site knows; under `preferred` the phone approves without. */
  publicKey: PasskeyRequestOptions | null;
  binding: ApprovalBinding;
}

/** A WebAuthn assertion, binary values in base64url (`AuthenticationResponseJSON`), as sent with approve. */
export interface PasskeyAssertion {
  id: string;
  rawId: string;
  type: "public-key";
  response: {
    clientDataJSON: string;
    authenticatorData: string;
    signature: string;
    userHandle?: string | null | undefined;
  };
  clientExtensionResults: Record<string, unknown>;
  authenticatorAttachment?: "platform" | "cross-platform" | undefined;
}

/** Something that happened to the account, for its phones to show. */
export interface ApproverAlert {
  at: number;
  requestId: string | null;
  /**
   * `new_device`: a device was signed in; `not_me`: someone answered "This wasn't me";
   * `wrong_number`: a sign-in was stopped because the number typed did not match.
   */
  reason: "new_device" | "not_me" | "wrong_number";
}

/** The data of each event on the approver's stream, by event name. */
export interface ApproverEvents {
  push: RequestCard;
  resolved: { id: string };
  alert: ApproverAlert;
}

/** The answer to approve, deny or cancel. */
export interface Decision {
  id: string;
  status: RequestStatus;
}

/** The answer to `POST /requests/:id/redeem`. */
export interface Redeemed {
  id: string;
  status: "redeemed";
  userId: string;
  /** What the host's `issueSession` returned as `body` (e.g. a token). */
  session: Record<string, unknown>;
}

/** Every error answer. */
export interface ErrorBody {
  error: ErrorCode;
  error_description: string;
  /** With `WRONG_NUMBER`: always 0, there is one try. */
  tries_left?: number;
}
