import type { Approver } from "../core/transitions.ts";
import { channels } from "../store/login-store.ts";
import { formatEvent, formatRetry } from "./event-stream.ts";
import type { LocateIp } from "./geoip.ts";
import type { EventSink } from "./outgoing.ts";
import type { RequestEventsContext } from "./request-events.ts";
import { requesterCard } from "./requester-card.ts";

/** What the approver's stream needs beyond the desktop's. */
export interface ApproverEventsContext extends RequestEventsContext {
  locate: LocateIp;
  listAlerts(
    userId: string,
  ): Promise<{ at: number; type: string; requestId: string | null; detail: Record<string, unknown> }[]>;
}

/**
 * The signed-in phone's own stream (DESIGN §4): `push` for each push request waiting for this
 * approver (with its card and number choices), `resolved` once one is no longer waiting, and
 * `alert` for new alerts on the account (a new device linked, "This wasn't me").
 */
export function openApproverEvents(
  ctx: ApproverEventsContext,
  approver: Approver,
  phoneIp: string | null,
): (sink: EventSink) => () => void {
  return (sink) => {
    let closed = false;
    let unsubscribe: (() => Promise<void>) | undefined;
    let queue = Promise.resolve();
    const shown = new Set<string>();
    const since = ctx.flows.now();
    const alerted = new Set<string>();

    const cleanup = () => {
      if (closed) return;
      closed = true;
      ctx.heartbeats.delete(sink);
      unsubscribe?.().catch(ctx.onError);
    };
    const send = (event: string, data: unknown) => {
      if (!sink.write(formatEvent({ event, data }))) cleanup();
    };
    const refresh = async () => {
      if (closed) return;
      const waiting = await ctx.flows.listPushRequests(approver);
      const now = ctx.flows.now();
      for (const request of waiting) {
        if (shown.has(request.id)) continue;
        shown.add(request.id);
        send("push", await requesterCard(ctx.locate, request, phoneIp, now));
      }
      const ids = new Set(waiting.map((r) => r.id));
      for (const id of shown) {
        if (ids.has(id)) continue;
        shown.delete(id);
        send("resolved", { id });
      }
      for (const alert of await ctx.listAlerts(approver.userId)) {
        const key = `${alert.at}:${alert.requestId}:${alert.detail.reason}`;
        if (alert.at < since || alerted.has(key)) continue;
        alerted.add(key);
        send("alert", { at: alert.at, requestId: alert.requestId, reason: alert.detail.reason });
      }
    };
    const schedule = () => {
      queue = queue.then(refresh).catch((error) => {
        ctx.onError(error);
        cleanup();
        sink.close();
      });
    };

    sink.write(formatRetry(ctx.retryMs));
    ctx.heartbeats.add(sink);
    ctx.notifier.subscribe(channels.approver(approver.userId), schedule).then(
      (stop) => {
        if (closed) stop().catch(ctx.onError);
        else unsubscribe = stop;
        schedule();
      },
      (error) => {
        ctx.onError(error);
        cleanup();
        sink.close();
      },
    );
    return cleanup;
  };
}
