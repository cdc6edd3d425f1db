import { randomBytes } from "node:crypto";

/** The app's own session cookie: qrlogin's `issueSession` sets it, `authenticateApprover` reads it. */
export const SESSION_COOKIE = "session";

// A stand-in for the app's real sessions: kept in this process, on globalThis so that every route's
// bundle sees the same ones.
const shared = globalThis as { exampleSessions?: Map<string, string> };
shared.exampleSessions ??= new Map();
const sessions = shared.exampleSessions;

/** Starts a session for `userId` and returns the cookie that carries it. */
export function startSession(userId: string): string {
  const token = randomBytes(24).toString("base64url");
  sessions.set(token, userId);
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax`;
}

/** The user a session cookie's value belongs to, or `null`. */
export function userOf(token: string | undefined): string | null {
  return (token && sessions.get(token)) || null;
}
