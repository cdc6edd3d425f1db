import type { LoginRequest, RequestStatus } from "../core/login-request.ts";
import { statusOf } from "../core/login-request.ts";
import { formatUserCode } from "../core/user-code.ts";
import type { LoginFlows } from "../service/login-flows.ts";
import type { RequestSnapshot } from "../wire.ts";
import { type LiveStreamContext, liveStream, TIMER_MARGIN_MS } from "./live-stream.ts";
import type { EventSink } from "./outgoing.ts";

/** What the desktop's event stream and long-poll need from the surrounding handler. */
export interface RequestEventsContext extends LiveStreamContext {
  flows: Pick<LoginFlows, "now" | "lifetimes" | "get" | "rotateScanToken" | "watchRequest">;
  /** The QR's URL for a scan token. */
  qrUrl(scanToken: string): string;
}

const FINAL: readonly RequestStatus[] = ["denied", "expired", "cancelled", "redeemed"];

/** The secrets a rotation just issued, in plain text for the desktop's screen. */
interface Shown {
  scanToken: string;
  userCode: string;
}

/** The snapshot of `request`, with the QR and code of a rotation if one was just made. */
export function snapshotOf(ctx: RequestEventsContext, request: LoginRequest, shown?: Shown): RequestSnapshot {
  const status = statusOf(request, ctx.flows.now());
  const snapshot: RequestSnapshot = { id: request.id, status, version: request.version, expiresAt: request.expiresAt };
  if (shown) snapshot.qr = qrOf(ctx, request, shown);
  if (status === "scanned" || status === "approved") snapshot.approver = request.approverHint;
  if (status === "scanned" && request.comparison !== null) snapshot.comparison = request.comparison;
  if (status === "scanned" && request.mode === "passkey") snapshot.passkeyRequired = true;
  if (status === "denied") snapshot.reason = request.deniedReason;
  return snapshot;
}

function qrOf(ctx: RequestEventsContext, request: LoginRequest, shown: Shown) {
  return {
    url: ctx.qrUrl(shown.scanToken),
    expiresAt: request.scanTokenIssuedAt + ctx.flows.lifetimes.scanToken,
    userCode: formatUserCode(shown.userCode),
  };
}

/**
 * When the desktop next needs a look without being told: the next rotation or the deadline. A change
 * whose message was lost is not looked for here: the flows' sweep finds it (see `watchRequest`).
 */
function nextDeadline(ctx: RequestEventsContext, request: LoginRequest): number {
  if (request.state !== "pending" || request.mode !== "qr") return request.expiresAt;
  return Math.min(request.expiresAt, request.scanTokenIssuedAt + ctx.flows.lifetimes.scanToken);
}

/**
 * Reads the request and, while pending, rotates its scan token when due — or at once when the
 * desktop has missed a change (`knownVersion` behind), since it cannot have that token.
 */
async function refreshed(ctx: RequestEventsContext, id: string, knownVersion: number | null) {
  const request = await ctx.flows.get(id);
  const missedRotation = knownVersion !== null && knownVersion < request.version;
  const rotated = await ctx.flows.rotateScanToken(request, missedRotation);
  return rotated ? { request: rotated.request, shown: rotated } : { request, shown: undefined };
}

/**
 * The desktop's event stream: `qr` on each rotation, then `scanned`, `approved`,
 * `denied`, `expired`, `cancelled` or `redeemed`. It always starts from the stored state, so a
 * desktop that reconnects (to any instance, with `Last-Event-ID`) loses nothing.
 */
export function openRequestEvents(
  ctx: RequestEventsContext,
  id: string,
  lastEventId: number | null,
): (sink: EventSink) => () => void {
  let sentVersion = lastEventId ?? 0;
  // Only a resuming stream forces a rotation; later, two streams of one request would take turns forever.
  let resuming = lastEventId !== null;
  const watch = (listener: () => void) => ctx.flows.watchRequest(id, listener, () => sentVersion);
  return liveStream(ctx, watch, async (stream) => {
    const { request, shown } = await refreshed(ctx, id, resuming ? sentVersion : null);
    resuming = false;
    const snapshot = snapshotOf(ctx, request, shown);
    const final = FINAL.includes(snapshot.status);
    if (snapshot.qr) stream.send("qr", snapshot.qr, request.version);
    else if (final || (snapshot.status !== "pending" && request.version > sentVersion)) {
      stream.send(snapshot.status, eventData(snapshot), request.version);
    }
    sentVersion = Math.max(sentVersion, request.version);
    if (final) return stream.finish();
    stream.refreshIn(Math.max(0, nextDeadline(ctx, request) - ctx.flows.now()) + TIMER_MARGIN_MS);
  });
}

function eventData(snapshot: RequestSnapshot): Record<string, unknown> {
  const { status: _status, id: _id, version: _version, ...data } = snapshot;
  return data;
}

/**
 * The long-poll fallback: answers at once if the desktop's `knownVersion` is stale or the state
 * is final, else waits up to `waitMs` for a change, a rotation or the deadline.
 */
export async function pollRequest(
  ctx: RequestEventsContext,
  id: string,
  knownVersion: number | null,
  waitMs: number,
  signal: AbortSignal,
): Promise<RequestSnapshot> {
  const until = ctx.flows.now() + waitMs;
  let changed = false;
  let wake = () => {};
  const onChange = () => {
    changed = true;
    wake();
  };
  // Subscribed before the first read, so that no change falls between reading and waiting.
  const stop = waitMs > 0 ? await ctx.flows.watchRequest(id, onChange, () => knownVersion ?? 0) : async () => {};
  signal.addEventListener("abort", onChange, { once: true });
  try {
    for (;;) {
      changed = false;
      const { request, shown } = await refreshed(ctx, id, knownVersion);
      const snapshot = snapshotOf(ctx, request, shown);
      const remaining = until - ctx.flows.now();
      if (
        shown ||
        remaining <= 0 ||
        signal.aborted ||
        knownVersion === null ||
        request.version !== knownVersion ||
        FINAL.includes(snapshot.status)
      ) {
        return snapshot;
      }
      const delay = Math.min(remaining, Math.max(0, nextDeadline(ctx, request) - ctx.flows.now()) + TIMER_MARGIN_MS);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
        if (changed) wake();
      });
    }
  } finally {
    signal.removeEventListener("abort", onChange);
    await stop();
  }
}
