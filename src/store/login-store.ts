import type { LoginRequest, RequestPatch, TransitionGuard } from "../core/login-request.ts";

/**
 * Where requests live. Narrow and shaped by the protocol; every method is atomic on its own.
 *
 * Atomicity contract (proven for every store by the conformance suite):
 * - `transition` is a compare-and-set: under any concurrency, of N callers whose guards match the
 *   same record, exactly one receives the updated record and the others receive `null`.
 *   Redeeming is `transition(id, { from: ["approved"] }, { state: "redeemed" })`, so a request is
 *   consumed once.
 * - Stores never decide expiry: they apply `guard.liveAt` (`expiresAt > liveAt`) inside the
 *   compare-and-set, and the core recomputes the status of every record it reads. A TTL, if a store
 *   has one, is garbage collection only.
 */
export interface LoginStore {
  /**
   * Inserts a new request. Throws {@link UserCodeTakenError} if it has a user code hash another
   * stored request has (the caller makes a new code and tries again); nothing is written then.
   */
  create(request: LoginRequest): Promise<void>;
  /** The request with this id, or `null`. */
  get(id: string): Promise<LoginRequest | null>;
  /**
   * The current version of each request of `ids` that exists (absent ones are left out): how a
   * process checks, a few hundred ids at a time, whether the requests its streams watch changed
   * without a message saying so. Cheap: no whole records, one query or round trip.
   */
  versions(ids: string[]): Promise<Map<string, number>>;
  /**
   * Optional: the store's feed of changes, read from `cursor` on (`null`: from now, which tells only
   * where now is). It tells each transition that commits — the request and the version it gave it —
   * once, in the order they committed, at most `limit` a read; read again from the returned cursor
   * until a read returns fewer. With it, a process finds the changes its streams were not told of by
   * reading what changed since its last look, at a cost that does not grow with the requests it
   * watches; without it, by asking the {@link versions} of all of them. Offer it only where a change
   * that commits after a read is sure to come after that read's cursor (a sequence taken in commit
   * order). A store may forget changes that every reader had time to read (SQLite: those older than
   * the previous {@link purge}): a read from before them says so (`complete: false`), and the reader
   * checks the versions of all it watches once. Deletions need not be told: only `purge` deletes, and
   * only requests past their deadline, when each stream watching one has ended by its own timer.
   */
  changesAfter?(cursor: number | null, limit: number): Promise<RequestChanges>;
  /** The request whose current or previous user code has this hash, or `null`. */
  findByUserCodeHash(codeHash: string): Promise<LoginRequest | null>;
  /**
   * Applies `patch` and bumps `version` if, atomically, the request is in one of `guard.from`,
   * its `expiresAt` is after `guard.liveAt`, and (when given) its version is `guard.version`. Returns the updated request, or `null`
   * if the guard did not hold. A patch that gives the request a user code another stored request
   * has throws {@link UserCodeTakenError} and changes nothing.
   */
  transition(id: string, guard: TransitionGuard, patch: RequestPatch): Promise<LoginRequest | null>;
  /** Live push requests bound to this approver: mode `push`, state `scanned`, `expiresAt` after `now`. */
  listPushRequests(approverId: string, now: number): Promise<LoginRequest[]>;
  /**
   * Counts `by` events (default 1) against `key` (rate limits, lockouts, slots) and returns the new
   * count: every limit is this one atomic count, decided on by its caller. A window of `windowMs`
   * starts at the first hit; once it has ended the next hit starts a new one at count `by`. A
   * negative `by` gives events back (never below 0) and never starts a window. Atomic: N concurrent
   * hits on a fresh key return the counts 1…N, each once, across every instance sharing the store.
   */
  hit(key: string, windowMs: number, now: number, by?: number): Promise<CounterState>;
  /** The counter running for `key` at `now`, without counting; `null` if none is. */
  peekCounter(key: string, now: number): Promise<CounterState | null>;
  /** Appends an entry to the audit log. */
  appendAudit(entry: AuditEntry): Promise<void>;
  /** The newest audit entries about `userId`, newest first, at most `limit`. */
  listAudit(userId: string, limit: number): Promise<AuditEntry[]>;
  /** Records an alert for the account's own eyes; kept apart from the audit trail, so no flood of entries hides it. */
  appendAlert(alert: Alert): Promise<void>;
  /** The newest alerts of `userId`, newest first, at most `limit`. */
  listAlerts(userId: string, limit: number): Promise<Alert[]>;
  /**
   * Deletes requests whose `expiresAt`, counters whose `resetAt` and audit entries and alerts whose
   * `at` is before `before`; returns how many requests.
   */
  purge(before: number): Promise<number>;
  /** Releases connections and handles. */
  close(): Promise<void>;
}

/** One read of a store's feed of changes ({@link LoginStore.changesAfter}). */
export interface RequestChanges {
  /** The transitions committed after the cursor given, oldest first, at most the limit asked for. */
  changes: ChangeMessage[];
  /** Where the next read starts: after the last change returned, or where the feed ends. */
  cursor: number;
  /** `false` when the store had forgotten changes after the cursor given: some may be missing. */
  complete: boolean;
}

/** A rate-limit counter: how many hits in the current window, and when the window ends. */
export interface CounterState {
  count: number;
  resetAt: number;
}

/** One line of the audit trail: what happened to which request, for whom, from where. */
export interface AuditEntry {
  at: number;
  /** e.g. `created`, `scanned`, `approved`, `denied`, `redeemed`, `cancelled`, `alert`. */
  type: string;
  requestId: string | null;
  /** The approver the entry is about, if any. */
  userId: string | null;
  /** The address of the caller that caused it. */
  ip: string | null;
  /** Anything else worth keeping (never a secret). */
  detail: Record<string, unknown>;
}

/**
 * Something the account's owner should see (on the account page and the phone): a new device was
 * signed in, a request was refused as "This wasn't me", a wrong number ended a request.
 */
export interface Alert {
  at: number;
  userId: string;
  /** `new_device`, `not_me` or `wrong_number`. */
  reason: string;
  requestId: string | null;
  /** The address of the caller that caused it. */
  ip: string | null;
  /** Anything else worth showing (never a secret), e.g. the requester's browser and address. */
  detail: Record<string, unknown>;
}

/** Thrown by {@link LoginStore.create} and {@link LoginStore.transition} when the user code is already in use. */
export class UserCodeTakenError extends Error {
  constructor() {
    super("user code already in use");
    this.name = "UserCodeTakenError";
  }
}

/** What travels on a channel: a request changed; listeners re-read it from the store. */
export interface ChangeMessage {
  requestId: string;
  version: number;
}

/**
 * What a notifier delivers on every channel it has listeners on once a lost connection is back:
 * messages sent meanwhile are gone, so anything may have changed. Listeners re-read, as for any message.
 */
export const RESYNC: Readonly<ChangeMessage> = Object.freeze({ requestId: "", version: 0 });

/** Channel names: one per request (the desktop's stream) and one per approver (push requests). */
export const channels = {
  request: (id: string) => `request:${id}`,
  approver: (userId: string) => `approver:${userId}`,
};

/**
 * Publish/subscribe of changes, so that a desktop whose stream one instance holds hears of an
 * approval made on another. Delivery is best-effort: listeners always re-read the store, a
 * reconnecting stream starts from the stored state, and a notifier that lost its own connection
 * delivers {@link RESYNC} on each channel once it listens again, so a lost message delays nothing
 * for long.
 */
export interface Notifier {
  publish(channel: string, message: ChangeMessage): Promise<void>;
  /** Starts delivering the channel's messages to `listener`; resolves once subscribed. */
  subscribe(channel: string, listener: (message: ChangeMessage) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
