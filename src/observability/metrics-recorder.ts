import type { RequestMode } from "../core/login-request.ts";
import type { FlowStep } from "../service/login-flows.ts";
import type { LoginStore } from "../store/login-store.ts";

/** The name of every metric qrlogin exports, all under `qrlogin_` (docs/operations.md describes them). */
export const METRIC_NAMES = {
  steps: "qrlogin_request_steps_total",
  approvalToRedemption: "qrlogin_approval_to_redemption_seconds",
  overLimit: "qrlogin_rate_limited_total",
  streams: "qrlogin_open_streams",
  storeSeconds: "qrlogin_store_operation_duration_seconds",
  storeErrors: "qrlogin_store_errors_total",
} as const;

/** The store's operations, each timed; a record, so that a new operation of the store cannot be left out. */
const OPERATIONS: Record<StoreOperation, true> = {
  create: true,
  get: true,
  versions: true,
  changesAfter: true,
  findByUserCodeHash: true,
  transition: true,
  listPushRequests: true,
  hit: true,
  peekCounter: true,
  appendAudit: true,
  listAudit: true,
  appendAlert: true,
  listAlerts: true,
  purge: true,
};

/** A store operation that is timed: every one but `close`. */
export type StoreOperation = Exclude<keyof LoginStore, "close">;

/** Every timed store operation. */
export const STORE_OPERATIONS = Object.keys(OPERATIONS) as StoreOperation[];

/** The steps counted, by their type; a record, so that a new type of step cannot be left out. */
const STEPS: Record<FlowStep["type"], true> = {
  created: true,
  scanned: true,
  approved: true,
  denied: true,
  redeemed: true,
  cancelled: true,
  expired: true,
  replayed: true,
};

/** Every type of step counted. */
export const STEP_TYPES = Object.keys(STEPS) as FlowStep["type"][];

/** Whose connection an open stream is: a desktop's (its request's stream or long-poll), or an approver's. */
export type StreamKind = "desktop" | "approver";

/** What qrlogin records, whatever the metrics library underneath. */
export interface MetricsRecorder {
  step(type: FlowStep["type"], mode: RequestMode): void;
  approvalToRedemption(mode: RequestMode, seconds: number): void;
  overLimit(limit: string): void;
  streams(kind: StreamKind, change: 1 | -1): void;
  storeOperation(operation: StoreOperation, seconds: number, failed: boolean): void;
}
