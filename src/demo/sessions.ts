import { createHash, randomBytes } from "node:crypto";
import type { RequesterContext } from "../core/requester-context.ts";
import type { DemoDb } from "./demo-db.ts";

/** How a session was started: on this device with a credential, or by QR login from a phone. */
export type SignInMethod = "password" | "passkey" | "qr";

/** One signed-in device. */
export interface Session {
  id: string;
  userId: string;
  via: SignInMethod;
  browser: string | null;
  os: string | null;
  device: string | null;
  ip: string | null;
  location: string | null;
  createdAt: number;
}

interface Row {
  id: string;
  user_id: string;
  via: SignInMethod;
  browser: string | null;
  os: string | null;
  device: string | null;
  ip: string | null;
  location: string | null;
  created_at: number;
}

const toSession = (row: Row): Session => ({
  id: row.id,
  userId: row.user_id,
  via: row.via,
  browser: row.browser,
  os: row.os,
  device: row.device,
  ip: row.ip,
  location: row.location,
  createdAt: row.created_at,
});

const hashOf = (token: string) => createHash("sha256").update(token).digest("hex");

/** The demo's sessions. The cookie holds a random token; only its hash is stored. */
export class Sessions {
  constructor(private readonly db: DemoDb) {}

  /** Starts a session and returns the token for its cookie. */
  start(userId: string, via: SignInMethod, where: Partial<RequesterContext> & { location?: string | null } = {}) {
    const token = randomBytes(32).toString("base64url");
    this.db
      .prepare(
        `INSERT INTO sessions (id, token_hash, user_id, via, browser, os, device, ip, location, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        randomBytes(12).toString("base64url"),
        hashOf(token),
        userId,
        via,
        where.browser ?? null,
        where.os ?? null,
        where.device ?? null,
        where.ip ?? null,
        where.location ?? null,
        Date.now(),
      );
    return token;
  }

  /** The live session of a cookie token; a revoked one is gone, which signs its device out. */
  find(token: string | undefined): Session | undefined {
    if (!token) return undefined;
    const row = this.db
      .prepare<[string], Row>("SELECT * FROM sessions WHERE token_hash = ? AND revoked_at IS NULL")
      .get(hashOf(token));
    return row && toSession(row);
  }

  /**
   * Whether a cookie token is that of a device signed in by QR login and since signed out from the
   * phone (a device's own sign-out also clears its cookie, so its token is not sent again).
   */
  revokedLinked(token: string | undefined): boolean {
    if (!token) return false;
    return (
      this.db
        .prepare<[string], { id: string }>(
          "SELECT id FROM sessions WHERE token_hash = ? AND via = 'qr' AND revoked_at IS NOT NULL",
        )
        .get(hashOf(token)) !== undefined
    );
  }

  /** The devices signed in by QR login for a user, newest first. */
  linkedDevices(userId: string): Session[] {
    return this.db
      .prepare<[string], Row>(
        "SELECT * FROM sessions WHERE user_id = ? AND via = 'qr' AND revoked_at IS NULL ORDER BY created_at DESC",
      )
      .all(userId)
      .map(toSession);
  }

  /** Revokes one linked device of `userId` (another user's id does nothing). */
  revokeLinked(userId: string, id: string): boolean {
    return (
      this.db
        .prepare(
          "UPDATE sessions SET revoked_at = ? WHERE id = ? AND user_id = ? AND via = 'qr' AND revoked_at IS NULL",
        )
        .run(Date.now(), id, userId).changes > 0
    );
  }

  /** Revokes every linked device of `userId`; the phone's own session stays. */
  revokeAllLinked(userId: string): number {
    return this.db
      .prepare("UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND via = 'qr' AND revoked_at IS NULL")
      .run(Date.now(), userId).changes;
  }

  /** Ends one session (sign out). */
  end(token: string): void {
    this.db.prepare("UPDATE sessions SET revoked_at = ? WHERE token_hash = ?").run(Date.now(), hashOf(token));
  }
}
