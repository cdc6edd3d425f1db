import type { LoginRequest, RequestStatus } from "../core/login-request.ts";
import { statusOf } from "../core/login-request.ts";
import type { LoginFlows } from "../service/login-flows.ts";
import type { RequestSnapshot } from "../wire.ts";
import { type LiveStreamContext, liveStream, TIMER_MARGIN_MS } from "./live-stream.ts";
import type { EventSink } from "./outgoing.ts";

/** What the desktop's event stream and long-poll need from the surrounding handler. */
export interface RequestEventsContext extends LiveStreamContext {
  flows: Pick<LoginFlows, "now" | "get" | "watchRequest">;
}

const FINAL: readonly RequestStatus[] = ["denied", "expired", "cancelled", "redeemed"];

/** The snapshot of `request` as its desktop may see it. */
export function snapshotOf(ctx: RequestEventsContext, request: LoginRequest): RequestSnapshot {
  const status = statusOf(request, ctx.flows.now());
  const snapshot: RequestSnapshot = { id: request.id, status, version: request.version, expiresAt: request.expiresAt };
  if (status === "scanned" || status === "approved") snapshot.approver = request.approverHint;
  if (status === "scanned" && request.comparison !== null) snapshot.comparison = request.comparison;
  if (status === "scanned" && request.mode === "passkey") snapshot.passkeyRequired = true;
  if (status === "denied") snapshot.reason = request.deniedReason;
  return snapshot;
}

/**
 * When the desktop next needs a look without being told: its deadline. A change whose message was
 * lost is not looked for here: the flows' sweep finds it (see `watchRequest`).
 */
function nextDeadline(request: LoginRequest): number {
  return request.expiresAt;
}

/**
 * The desktop's event stream: `scanned`, `approved`, `denied`, `expired`, `cancelled` or
 * `redeemed`. While the request waits nothing is sent but heartbeats: the desktop changes its QR by
 * itself. It always starts from the stored state, so a desktop that reconnects (to any instance,
 * with `Last-Event-ID`) loses nothing.
 */
export function openRequestEvents(
  ctx: RequestEventsContext,
  id: string,
  lastEventId: number | null,
): (sink: EventSink) => () => void {
  let sentVersion = lastEventId ?? 0;
  const watch = (listener: () => void) => ctx.flows.watchRequest(id, listener, () => sentVersion);
  return liveStream(ctx, watch, async (stream) => {
    const request = await ctx.flows.get(id);
    const snapshot = snapshotOf(ctx, request);
    const final = FINAL.includes(snapshot.status);
    if (final || (snapshot.status !== "pending" && request.version > sentVersion)) {
      stream.send(snapshot.status, eventData(snapshot), request.version);
    }
    sentVersion = Math.max(sentVersion, request.version);
    if (final) return stream.finish();
    stream.refreshIn(Math.max(0, nextDeadline(request) - ctx.flows.now()) + TIMER_MARGIN_MS);
  });
}

function eventData(snapshot: RequestSnapshot): Record<string, unknown> {
  const { status: _status, id: _id, version: _version, ...data } = snapshot;
  return data;
}

/**
 * The long-poll fallback: answers at once if the desktop's `knownVersion` is stale or the state
 * is final, else waits up to `waitMs` for a change or the deadline.
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
      const request = await ctx.flows.get(id);
      const snapshot = snapshotOf(ctx, request);
      const remaining = until - ctx.flows.now();
      if (
        remaining <= 0 ||
        signal.aborted ||
        knownVersion === null ||
        request.version !== knownVersion ||
        FINAL.includes(snapshot.status)
      ) {
        return snapshot;
      }
      const delay = Math.min(remaining, Math.max(0, nextDeadline(request) - ctx.flows.now()) + TIMER_MARGIN_MS);
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
