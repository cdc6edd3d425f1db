/**
 * qrlogin: cross-device sign-in by QR code, typed code or push approval.
 * @packageDocumentation
 */

export { type ApprovalBinding, approvalBinding, challengeOf } from "./core/approval-challenge.ts";
export type { Clock, RandomSource } from "./core/clock.ts";
export { cryptoRandom, systemClock } from "./core/clock.ts";
export { ERROR_STATUS, type ErrorCode, isQrLoginError, QrLoginError } from "./core/errors.ts";
export { DEFAULT_LIFETIMES, type Lifetimes } from "./core/lifetimes.ts";
export type {
  LoginRequest,
  RequestMode,
  RequestPatch,
  RequestState,
  RequestStatus,
  Transition,
  TransitionGuard,
} from "./core/login-request.ts";
export type { RequesterContext } from "./core/requester-context.ts";
export type { Approver } from "./core/transitions.ts";
export { DEFAULTS } from "./defaults.ts";
export type { ApprovalPageOptions } from "./http/approval-page.ts";
export { normalizeBasePath } from "./http/base-path.ts";
export type { DeviceClient, DeviceFlowOptions } from "./http/device-authorization.ts";
// For bindings of other servers: the route entry (`QrLogin.route`) takes and gives these.
export { cookieLookup, type IncomingRequest } from "./http/incoming.ts";
export { type NodeHandler, readNodeBody } from "./http/node.ts";
export type { EventSink, Outgoing, RouteEntry } from "./http/outgoing.ts";
export type { IssuedSession, IssueSession } from "./http/session.ts";
export {
  type LineLoggerOptions,
  type LogFields,
  type LogLevel,
  lineLogger,
  type MessageLogger,
  type StructuredLogger,
} from "./observability/logging.ts";
export type { MetricsPage, MetricsRegistry } from "./observability/metrics.ts";
export { createQrLogin, type Logger, type QrLogin, type QrLoginOptions } from "./qrlogin.ts";
export { type Caller, type LoginEvent, LoginFlows, type RelayPolicy } from "./service/login-flows.ts";
export type { ApprovalOptions, ApprovalVerification, PasskeyCredential } from "./service/passkey-check.ts";
export { DEFAULT_LIMITS, type Limit, type Limits } from "./service/rate-limits.ts";
export { type IpcEndpoint, IpcNotifier, IpcRelay } from "./store/ipc-notifier.ts";
export { LocalNotifier } from "./store/local-notifier.ts";
export type { Alert, AuditEntry, ChangeMessage, CounterState, LoginStore, Notifier } from "./store/login-store.ts";
export { UserCodeTakenError } from "./store/login-store.ts";
export { MemoryStore } from "./store/memory.ts";
