import type { FlowStep } from "../service/login-flows.ts";
import type { Limits } from "../service/rate-limits.ts";
import type { LogFields, StructuredLogger } from "./logging.ts";
import type { MetricsRecorder } from "./metrics-recorder.ts";

/**
 * Reports each step of a request: a log line at `info` carrying its `requestId`, and its count (and,
 * for a redemption, the time since the approval) when metrics are on. Only ids, the mode, the
 * account and the requester's address are named: the request's secrets, hashes and number never are.
 */
export function reportStep(logger: StructuredLogger, metrics: MetricsRecorder | null): (step: FlowStep) => void {
  return ({ type, request, sinceApprovalMs }) => {
    const fields: LogFields = { requestId: request.id, mode: request.mode };
    if (request.approverId !== null) fields.userId = request.approverId;
    if (type === "created") fields.ip = request.requester.ip;
    if (type === "denied") fields.reason = request.deniedReason;
    if (sinceApprovalMs !== undefined) fields.sinceApprovalMs = sinceApprovalMs;
    logger.info(fields, `qrlogin: request ${type}`);
    metrics?.step(type, request.mode);
    if (sinceApprovalMs !== undefined) metrics?.approvalToRedemption(request.mode, sinceApprovalMs / 1000);
  };
}

/**
 * Reports an event counted over a rate limit: a warning naming the limit and whom it counts (an
 * address, an account, or `all`), and its count when metrics are on.
 */
export function reportOverLimit(
  logger: StructuredLogger,
  metrics: MetricsRecorder | null,
): (limit: keyof Limits, subject: string) => void {
  return (limit, subject) => {
    logger.warn({ limit, subject }, "qrlogin: rate limit reached");
    metrics?.overLimit(limit);
  };
}
