import type { Approver } from "../core/transitions.ts";
import type { LoginFlows } from "../service/login-flows.ts";
import type { ApproverAlert, ApproverEvents, RequestCard } from "../wire.ts";
import type { LocateIp } from "./geoip.ts";
import { type LiveStreamContext, liveStream, TIMER_MARGIN_MS } from "./live-stream.ts";
import type { EventSink } from "./outgoing.ts";
import { requesterCard } from "./requester-card.ts";

/** What the approver's stream needs from the surrounding handler. */
export interface ApproverEventsContext extends LiveStreamContext {
  flows: Pick<LoginFlows, "now" | "listPushRequests" | "listAlerts" | "watchApprover">;
  locate: LocateIp;
  /** Whether approving asks for the phone's passkey (the host's `approval.userVerification`). */
  passkeyApproval: RequestCard["passkeyApproval"];
}

/**
 * The signed-in phone's own stream: `push` for each push request waiting for this approver (with
 * its card; several may wait, one per requesting network), `resolved` once one is no longer
 * waiting, and `alert` for new alerts on the account (a new device linked, "This wasn't me", a
 * wrong number).
 */
export function openApproverEvents(
  ctx: ApproverEventsContext,
  approver: Approver,
  phoneIp: string | null,
): (sink: EventSink) => () => void {
  const shown = new Set<string>();
  const since = ctx.flows.now();
  const alerted = new Set<string>();
  const watch = (listener: () => void) => ctx.flows.watchApprover(approver.userId, listener);
  return liveStream(ctx, watch, async (stream) => {
    const waiting = await ctx.flows.listPushRequests(approver);
    const now = ctx.flows.now();
    for (const request of waiting) {
      if (shown.has(request.id)) continue;
      shown.add(request.id);
      stream.send("push", await requesterCard(ctx.locate, request, phoneIp, now, ctx.passkeyApproval));
    }
    const ids = new Set(waiting.map((r) => r.id));
    for (const id of shown) {
      if (ids.has(id)) continue;
      shown.delete(id);
      stream.send("resolved", { id } satisfies ApproverEvents["resolved"]);
    }
    for (const alert of await ctx.flows.listAlerts(approver.userId)) {
      const key = `${alert.at}:${alert.requestId}:${alert.reason}`;
      if (alert.at < since || alerted.has(key)) continue;
      alerted.add(key);
      const data: ApproverEvents["alert"] = {
        at: alert.at,
        requestId: alert.requestId,
        reason: alert.reason as ApproverAlert["reason"],
      };
      stream.send("alert", data);
    }
    // A push that expires publishes nothing: look again when the first one does, to resolve it.
    const next = Math.min(...waiting.map((r) => r.expiresAt));
    if (Number.isFinite(next)) stream.refreshIn(Math.max(0, next - now) + TIMER_MARGIN_MS);
  });
}
