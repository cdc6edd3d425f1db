import type { Requester } from "../approver.ts";

/** The parts of the page the card is written into, by role. */
export interface CardFields {
  origin: HTMLElement;
  device: HTMLElement;
  ip: HTMLElement;
  location: HTMLElement;
  age: HTMLElement;
  network: HTMLElement;
}

const DEVICE_WORDS: Record<string, string> = {
  desktop: "computer",
  mobile: "phone",
  tablet: "tablet",
  tv: "TV",
};

/** A place in words: text as given, or the non-empty parts (city, region, country…) of an object. */
export function describeLocation(location: Requester["location"]): string {
  if (!location) return "Unknown";
  if (typeof location === "string") return location;
  const parts = ["city", "region", "country"].map((key) => location[key]).filter((v) => typeof v === "string" && v);
  return parts.length > 0 ? parts.join(", ") : "Unknown";
}

/**
 * "just now", "12 seconds ago", "3 minutes ago".
 * @example describeAge(75) // "1 minute ago"
 */
export function describeAge(seconds: number): string {
  if (seconds < 5) return "just now";
  if (seconds < 60) return `${seconds} seconds ago`;
  const minutes = Math.floor(seconds / 60);
  return minutes === 1 ? "1 minute ago" : `${minutes} minutes ago`;
}

/**
 * Writes who is asking into the card (as text, never markup). A different network is the sign of
 * a relayed QR (DESIGN §5, QRLJacking), so it gets the loud style and words.
 */
export function fillRequesterCard(fields: CardFields, requester: Requester, receivedAt: number): void {
  fields.origin.textContent = requester.origin ?? "this site";
  const device = DEVICE_WORDS[requester.device] ?? "device";
  fields.device.textContent = `${requester.browser} on ${requester.os} (${device})`;
  fields.ip.textContent = requester.ip ?? "Unknown";
  fields.location.textContent = describeLocation(requester.location);
  const tick = () => {
    fields.age.textContent = describeAge(requester.ageSeconds + Math.round((Date.now() - receivedAt) / 1000));
  };
  tick();
  fields.network.dataset.kind = String(requester.sameNetwork);
  fields.network.textContent =
    requester.sameNetwork === true
      ? "✓ On the same network as this phone"
      : requester.sameNetwork === false
        ? "⚠ Different network from this phone. If you are not sitting in front of that device right now, someone may be trying to get into your account: tap “This wasn't me”."
        : "Network: unknown";
  const timer = setInterval(() => {
    if (!fields.age.isConnected || fields.age.closest("[hidden]")) return clearInterval(timer);
    tick();
  }, 5_000);
}
