import type { RequesterContext } from "./requester-context.ts";

/**
 * `qr`: scanned or typed on the phone, its secrets rotating on the desktop's screen. `device`: the same
 * for an RFC 8628 device, whose screen cannot refresh them. `push`: sent to a named account's phones,
 * confirmed by number. `passkey`: approved only by a passkey assertion the requesting browser makes
 * (the platform's cross-device flow reaches the phone); a QR request becomes one when the relay policy
 * `passkey` sees it scanned from another network.
 */
export type RequestMode = "qr" | "device" | "push" | "passkey";

/**
 * The stored states. `expired` is never stored: it is computed from `expiresAt`. `redeeming` holds a
 * lease while the host signs the desktop in; its `expiresAt` is the lease's end, not a death.
 */
export type RequestState = "pending" | "scanned" | "approved" | "redeeming" | "denied" | "redeemed" | "cancelled";

/** What a request is at a given instant: its state, or `expired` once its deadline passed. */
export type RequestStatus = RequestState | "expired";

/** States in which a request can still move on; each has a deadline in `expiresAt`. */
export const LIVE_STATES: readonly RequestState[] = ["pending", "scanned", "approved"];

/**
 * One sign-in attempt, as stored. Every secret is kept only as its SHA-256 hash; scan tokens are not
 * kept at all (they are derived from the deployment's secret, see scan-token.ts).
 */
export interface LoginRequest {
  /** Routing id; not a secret. */
  id: string;
  mode: RequestMode;
  state: RequestState;
  /** Bumped by the store on every transition; doubles as the SSE event id. */
  version: number;
  createdAt: number;
  updatedAt: number;
  /** Deadline of the current state; for finished requests, when they finished. */
  expiresAt: number;
  browserSecretHash: string;
  /**
   * The typed code: a device's is made with its request; a QR request's only when the desktop asks
   * to show one (then again each time it runs out while shown), so a waiting desktop has none.
   */
  userCodeHash: string | null;
  userCodeIssuedAt: number;
  /** The code replaced by the last one shown, valid until `previousUserCodeValidUntil`. */
  previousUserCodeHash: string | null;
  previousUserCodeValidUntil: number;
  /** Number matching: the two digits shown on the desktop (push mode). */
  comparison: number | null;
  /** The account name a push request was made for. */
  login: string | null;
  /** The approver the request is bound to: set by the scan, or at creation for push. */
  approverId: string | null;
  /** A masked name of the approver, shown on the desktop once scanned ("a•••@example.com"). */
  approverHint: string | null;
  /** Public JWK of the optional browser key, as JSON. */
  publicKey: string | null;
  /** Why a request was denied, e.g. `not_me`. */
  deniedReason: string | null;
  requester: RequesterContext;
  /**
   * A redeemed request's result (what `issueSession` returned), sealed for the desktop's browser
   * secret (see `sealed-redemption.ts`): written with `redeemed`, so the desktop can get it back if
   * the answer was lost. `null` otherwise.
   */
  sealedRedemption: string | null;
}

/** The fields a transition may change. `version` is bumped by the store itself. */
export type RequestPatch = Partial<
  Pick<
    LoginRequest,
    | "state"
    | "updatedAt"
    | "expiresAt"
    | "userCodeHash"
    | "userCodeIssuedAt"
    | "previousUserCodeHash"
    | "previousUserCodeValidUntil"
    | "approverId"
    | "approverHint"
    | "comparison"
    | "deniedReason"
    | "sealedRedemption"
    | "mode"
  >
>;

/**
 * The compare-and-set condition of a transition: the request must still be in one of `from`,
 * not past its deadline at `liveAt`, and (for steps that must follow exactly the record they read,
 * such as a redemption's lease or a new typed code) be at `version`.
 */
export interface TransitionGuard {
  from: readonly RequestState[];
  liveAt: number;
  version?: number;
}

/** A planned change: applied by the store only if the guard still holds. */
export interface Transition {
  guard: TransitionGuard;
  patch: RequestPatch;
}

/**
 * The status of a request at `now`. Expiry is computed here and never trusted to a store TTL,
 * so a stale record returned by any store is still refused once its deadline has passed.
 */
export function statusOf(request: LoginRequest, now: number): RequestStatus {
  if (LIVE_STATES.includes(request.state) && now >= request.expiresAt) return "expired";
  return request.state;
}
