import type { LoginRequest, RequestStatus } from "../core/login-request.ts";
import { statusOf } from "../core/login-request.ts";
import type { LoginFlows } from "../service/login-flows.ts";
import { channels, type Notifier } from "../store/login-store.ts";
import { formatEvent, formatRetry } from "./event-stream.ts";
import type { EventSink } from "./outgoing.ts";

/** What the desktop's event stream and long-poll need from the surrounding handler. */
export interface RequestEventsContext {
  flows: LoginFlows;
  notifier: Notifier;
  /** The QR's URL for a scan token. */
  qrUrl(scanToken: string): string;
  /** Streams that get the shared heartbeat. */
  heartbeats: Set<EventSink>;
  retryMs: number;
  onError(error: unknown): void;
}

/** The state of a request as the desktop may see it; `qr` only when a new token was just issued. */
export interface RequestSnapshot {
  id: string;
  status: RequestStatus;
  version: number;
  expiresAt: number;
  qr?: { url: string; expiresAt: number };
  approver?: string | null;
  /** The number to show for number matching (push, or a scan the relay policy made ask for it). */
  comparison?: number;
  reason?: string | null;
}

const FINAL: readonly RequestStatus[] = ["denied", "expired", "cancelled", "redeemed"];
// Timers fire a little late rather than early, so a deadline is surely past when they run.
const TIMER_MARGIN_MS = 5;

/** The snapshot of `request`, with the QR of `scanToken` if one was just issued. */
export function snapshotOf(ctx: RequestEventsContext, request: LoginRequest, scanToken?: string): RequestSnapshot {
  const status = statusOf(request, ctx.flows.now());
  const snapshot: RequestSnapshot = { id: request.id, status, version: request.version, expiresAt: request.expiresAt };
  if (scanToken) snapshot.qr = qrOf(ctx, request, scanToken);
  if (status === "scanned" || status === "approved") snapshot.approver = request.approverHint;
  if (status === "scanned" && request.comparison !== null) snapshot.comparison = request.comparison;
  if (status === "denied") snapshot.reason = request.deniedReason;
  return snapshot;
}

function qrOf(ctx: RequestEventsContext, request: LoginRequest, scanToken: string) {
  return { url: ctx.qrUrl(scanToken), expiresAt: request.scanTokenIssuedAt + ctx.flows.lifetimes.scanToken };
}

/** When the desktop next needs a look without being told: the next rotation or the deadline. */
function nextDeadline(ctx: RequestEventsContext, request: LoginRequest): number {
  if (request.state !== "pending") return request.expiresAt;
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
  return rotated ?? { request, scanToken: undefined };
}

/**
 * The desktop's event stream (DESIGN §4): `qr` on each rotation, then `scanned`, `approved`,
 * `denied`, `expired`, `cancelled` or `redeemed`. It always starts from the stored state, so a
 * desktop that reconnects (to any instance, with `Last-Event-ID`) loses nothing.
 */
export function openRequestEvents(
  ctx: RequestEventsContext,
  id: string,
  lastEventId: number | null,
): (sink: EventSink) => () => void {
  return (sink) => {
    let closed = false;
    let sentVersion = lastEventId ?? 0;
    // Only a resuming stream forces a rotation; later, two streams of one request would take turns forever.
    let resuming = lastEventId !== null;
    let timer: NodeJS.Timeout | undefined;
    let unsubscribe: (() => Promise<void>) | undefined;
    let queue = Promise.resolve();

    const cleanup = () => {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      ctx.heartbeats.delete(sink);
      unsubscribe?.().catch(ctx.onError);
    };
    const finish = () => {
      cleanup();
      sink.close();
    };
    const send = (event: string, data: unknown, version: number) => {
      sentVersion = Math.max(sentVersion, version);
      if (!sink.write(formatEvent({ event, data, id: version }))) finish();
    };
    const refresh = async () => {
      if (closed) return;
      const { request, scanToken } = await refreshed(ctx, id, resuming ? sentVersion : null);
      resuming = false;
      if (closed) return;
      const snapshot = snapshotOf(ctx, request, scanToken);
      if (snapshot.qr) send("qr", snapshot.qr, request.version);
      else if (FINAL.includes(snapshot.status)) send(snapshot.status, eventData(snapshot), request.version);
      else if (snapshot.status !== "pending" && request.version > sentVersion) {
        send(snapshot.status, eventData(snapshot), request.version);
      }
      if (FINAL.includes(snapshot.status)) return finish();
      clearTimeout(timer);
      const delay = Math.max(0, nextDeadline(ctx, request) - ctx.flows.now()) + TIMER_MARGIN_MS;
      timer = setTimeout(schedule, delay);
    };
    // Refreshes run one at a time, in order; a failing store ends the stream and the browser reconnects.
    const schedule = () => {
      queue = queue.then(refresh).catch((error) => {
        ctx.onError(error);
        finish();
      });
    };

    sink.write(formatRetry(ctx.retryMs));
    ctx.heartbeats.add(sink);
    // Subscribe first, then read, so that no change falls between the two.
    ctx.notifier.subscribe(channels.request(id), schedule).then(
      (stop) => {
        if (closed) stop().catch(ctx.onError);
        else unsubscribe = stop;
        schedule();
      },
      (error) => {
        ctx.onError(error);
        finish();
      },
    );
    return cleanup;
  };
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
  const stop = waitMs > 0 ? await ctx.notifier.subscribe(channels.request(id), onChange) : async () => {};
  signal.addEventListener("abort", onChange, { once: true });
  try {
    for (;;) {
      changed = false;
      const { request, scanToken } = await refreshed(ctx, id, knownVersion);
      const snapshot = snapshotOf(ctx, request, scanToken);
      const remaining = until - ctx.flows.now();
      if (
        scanToken ||
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
