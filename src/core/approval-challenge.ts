import { createHash } from "node:crypto";
import { type ApprovalBinding, bindingText, cardText } from "./approval-text.ts";
import type { LoginRequest } from "./login-request.ts";

export type { ApprovalBinding, CardFields } from "./approval-text.ts";

const sha256 = (text: string) => createHash("sha256").update(text).digest("base64url");

/** SHA-256 of what the phone's card shows of `request`, base64url. */
export function cardDigest(request: LoginRequest): string {
  const { requester } = request;
  return sha256(
    cardText({
      id: request.id,
      mode: request.mode,
      requester: { ...requester, createdAt: request.createdAt },
      numberRequired: request.comparison !== null,
    }),
  );
}

/** What an assertion about `request` as read now must be bound to. */
export function approvalBinding(request: LoginRequest): ApprovalBinding {
  return { requestId: request.id, version: request.version, card: cardDigest(request), browserKey: request.publicKey };
}

/**
 * The WebAuthn challenge for a binding, base64url: derived, never stored, so every instance computes
 * the same one and an assertion for an earlier version of the request no longer matches.
 * @example challengeOf(approvalBinding(request)) // "x3Jb…" (43 characters)
 */
export function challengeOf(binding: ApprovalBinding): string {
  return sha256(bindingText(binding));
}
