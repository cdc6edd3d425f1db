import { type ApprovalBinding, bindingText, cardText } from "../core/approval-text.ts";
import type { PasskeyChallenge, RequestCard } from "../wire.ts";
import { base64url } from "./base64url.ts";

/** SHA-256 of `text` (UTF-8), base64url. */
async function sha256(text: string): Promise<string> {
  return base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/**
 * The digest of what `card` shows, computed as the server computes it from the stored request (the
 * tagged JSON array documented with {@link ApprovalBinding}).
 * @example await cardDigestOf(card) // "Yx1P…"
 */
export function cardDigestOf(card: RequestCard): Promise<string> {
  return sha256(cardText(card));
}

/** The challenge a binding stands for, as the server derives it. */
export function challengeFor(binding: ApprovalBinding): Promise<string> {
  return sha256(bindingText(binding));
}

/**
 * Whether the challenge the server sent stands for the very card the person saw: the passkey then
 * signs that card, not whatever the server might have in mind.
 */
export async function challengeFitsCard(challenge: PasskeyChallenge, card: RequestCard): Promise<boolean> {
  const { binding, publicKey } = challenge;
  if (!publicKey || binding.requestId !== card.id || binding.card !== (await cardDigestOf(card))) return false;
  return publicKey.challenge === (await challengeFor(binding));
}
