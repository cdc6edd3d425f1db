import { QrLoginError } from "../core/errors.ts";
import type { LoginRequest } from "../core/login-request.ts";
import type { IncomingRequest } from "./incoming.ts";

/** What the host returns from `issueSession`: cookies to set and/or a body (e.g. a token) for the desktop. */
export interface IssuedSession {
  /** `Set-Cookie` values, e.g. the host's session cookie. */
  setCookie?: string | string[];
  /** Returned to the desktop: as `session` on redeem, as the token answer on the device-code grant. */
  body?: Record<string, unknown>;
}

/** The host's hook that signs the desktop in once its approval is consumed. */
export type IssueSession = (input: {
  userId: string;
  request: LoginRequest;
  http: IncomingRequest;
  /** `redeem` for the browser flow, `device_code` for the RFC 8628 token endpoint. */
  grant: "redeem" | "device_code";
}) => Promise<IssuedSession> | IssuedSession;

/**
 * Calls the host's `issueSession` for a request already consumed. If the hook fails, nobody is
 * signed in and the approval cannot be replayed; the user simply scans again.
 */
export async function startSession(
  issueSession: IssueSession,
  onError: (error: unknown) => void,
  request: LoginRequest,
  http: IncomingRequest,
  grant: "redeem" | "device_code",
): Promise<IssuedSession> {
  try {
    return await issueSession({ userId: request.approverId as string, request, http, grant });
  } catch (error) {
    onError(error);
    throw new QrLoginError("SESSION_FAILED", "The sign-in was approved but the session could not be started.");
  }
}
