import type { LoginRequest } from "../core/login-request.ts";
import type { IncomingRequest } from "./incoming.ts";
import { validHeaderValue } from "./outgoing.ts";

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
 * Calls the host's `issueSession` for a request whose redemption holds the lease, and checks what it
 * returned: a `Set-Cookie` value that cannot be sent (CR/LF, characters beyond Latin-1 — a display
 * name, say) is refused here, before anything is written, so the redemption is given back instead of
 * the server failing mid-answer. Failures name the hook; the flows turn them into `SESSION_FAILED`.
 */
export async function issueSessionFor(
  issueSession: IssueSession,
  request: LoginRequest,
  http: IncomingRequest,
  grant: "redeem" | "device_code",
): Promise<IssuedSession> {
  let session: IssuedSession;
  try {
    session = await issueSession({ userId: request.approverId as string, request, http, grant });
  } catch (error) {
    throw new Error(`issueSession threw: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }
  const cookies = session?.setCookie === undefined ? [] : [session.setCookie].flat();
  if (!cookies.every((cookie) => typeof cookie === "string" && validHeaderValue(cookie))) {
    throw new Error("issueSession returned a setCookie that is not a valid header value (CR, LF or non-Latin-1)");
  }
  if (grant === "device_code" && typeof session.body?.access_token !== "string") {
    throw new Error("issueSession returned no body.access_token for a device_code grant");
  }
  return session;
}
