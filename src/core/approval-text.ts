// The texts a passkey's challenge is hashed from, apart from any hashing: pure, with no import, so
// that the phone's bundle and the server encode a card and a binding with the same code.

/**
 * What a passkey's challenge commits to: the request, the version it was read at, the card the phone
 * showed and the desktop's browser key. The challenge is SHA-256 of `["qrlogin-approval/1", requestId,
 * version, card, browserKey]` as JSON, and `card` SHA-256 of `["qrlogin-card/1", id, mode, browser, os,
 * device, ip, origin, createdAt, numberRequired]`, both base64url: an assertion made for one binding
 * proves nothing about another, and the phone can check that a challenge stands for the card it showed.
 */
export interface ApprovalBinding {
  requestId: string;
  version: number;
  /** {@link cardDigest} of the request. */
  card: string;
  /** The desktop's browser key as stored (public JWK as JSON), or `null` when it sent none. */
  browserKey: string | null;
}

/** The fields of a request that its card shows on the phone, in the card's own terms. */
export interface CardFields {
  id: string;
  mode: string;
  requester: {
    browser: string;
    os: string;
    device: string;
    ip: string | null;
    origin: string | null;
    createdAt: number;
  };
  numberRequired: boolean;
}

/**
 * The text hashed into a card digest: a tagged JSON array, which every JavaScript engine writes the
 * same way, so the phone computes it from the card it showed with this very function.
 */
export function cardText(card: CardFields): string {
  const { requester: r } = card;
  return JSON.stringify([
    "qrlogin-card/1",
    card.id,
    card.mode,
    r.browser,
    r.os,
    r.device,
    r.ip,
    r.origin,
    r.createdAt,
    card.numberRequired,
  ]);
}

/** The text hashed into a challenge, tagged and ordered like {@link cardText}. */
export function bindingText(binding: ApprovalBinding): string {
  return JSON.stringify(["qrlogin-approval/1", binding.requestId, binding.version, binding.card, binding.browserKey]);
}
