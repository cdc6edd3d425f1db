import type { LoginRequest, TransitionGuard } from "../core/login-request.ts";

/** Whether a stored request satisfies a transition guard; for stores that check it in process. */
export function guardHolds(request: LoginRequest, guard: TransitionGuard): boolean {
  return (
    guard.from.includes(request.state) &&
    request.expiresAt > guard.liveAt &&
    (guard.version === undefined || request.version === guard.version)
  );
}
