import { ApiError, type Approver, type RequestCard, type Requester } from "../approver.ts";
import { type NumberField, numberField } from "./number-field.ts";

/** How a card ended: answered (words to show), or an error for the page to handle. */
export type CardOutcome = { ok: true; text: string } | { ok: false; error: ApiError };

const DEVICE_WORDS: Record<string, string> = {
  desktop: "computer",
  mobile: "phone",
  tablet: "tablet",
  tv: "TV",
};

/** Refusals after which the card stays, for the person to try their passkey again or to deny. */
const PASSKEY_AGAIN = new Set([
  "PASSKEY_CANCELLED",
  "PASSKEY_USER_NOT_VERIFIED",
  "PASSKEY_INVALID",
  "PASSKEY_REPLAYED",
]);

const PASSKEY_WORDS = {
  required: "To approve, you'll confirm with this phone's passkey (fingerprint, face or PIN).",
  elsewhere:
    "The device asking is on another network, so it can't be approved from this phone. If it is yours, choose “Sign in with a passkey” on it and use this phone's passkey: that works only when the phone is near it.",
};

const DONE = {
  approve: "Approved. The other device is signing in now.",
  deny: "Denied. Nobody was signed in.",
  notMe: {
    qr: "Blocked. Nobody was signed in. If someone sent you that code, don't scan codes from others.",
    push: "Blocked. Nobody was signed in, and requests to your phone are paused for a while.",
  },
};

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

function networkWords(requester: Requester): string {
  if (requester.sameNetwork === true) return "Same as this phone";
  if (requester.sameNetwork === false) return "Different from this phone";
  return "Unknown";
}

/** A rendered card: its element, and how to drop it (stopping its timers). */
export interface RenderedCard {
  element: HTMLElement;
  /**
   * Drops the card, unless this phone's own answer is on its way: that answer's outcome ends the
   * card instead (the server may say the request was resolved before the answer's reply arrives).
   * Returns whether it was dropped.
   */
  drop(): boolean;
}

/**
 * A card for one waiting request, cloned from the page's `<template>`: who is asking (as text,
 * never markup), every warning in one loud box, and the answers. When the card needs the number
 * on the requesting screen, it has its own field for it, and Approve sends what was typed: one
 * try, since a wrong number ends the request. `onEnd` is called once, when the request was
 * answered, expired or failed; the card has then removed itself.
 */
export function renderRequestCard(
  template: HTMLTemplateElement,
  card: RequestCard,
  approver: Approver,
  onEnd: (outcome: CardOutcome) => void,
): RenderedCard {
  const article = (template.content.firstElementChild as HTMLElement).cloneNode(true) as HTMLElement;
  const field = <T extends HTMLElement = HTMLElement>(name: string): T =>
    article.querySelector(`[data-field="${name}"]`) as T;
  const action = (name: string) => article.querySelector(`[data-action="${name}"]`) as HTMLButtonElement;
  const { requester } = card;
  const receivedAt = Date.now();

  const title = article.querySelector(".title") as HTMLElement;
  title.id = `request-${card.id}`;
  title.textContent = card.mode === "push" ? "Is this you signing in?" : "Sign in on another device?";
  article.setAttribute("aria-labelledby", title.id);
  article.dataset.id = card.id;
  field("origin").textContent = requester.origin ?? "this site";
  field("device").textContent =
    `${requester.browser} on ${requester.os} (${DEVICE_WORDS[requester.device] ?? "device"})`;
  field("ip").textContent = requester.ip ?? "Unknown";
  field("location").textContent = requester.location ?? "Unknown";
  field("network").textContent = networkWords(requester);
  field("network").dataset.kind = String(requester.sameNetwork);
  // The server words every reason for caution (a different network or country: the marks of a
  // relayed QR); the page shows them all in one place, before the answers.
  const warnings = field("warnings");
  warnings.hidden = card.warnings.length === 0;
  (warnings.querySelector("ul") as HTMLElement).replaceChildren(
    ...card.warnings.map((text) => Object.assign(document.createElement("li"), { textContent: text })),
  );
  const tickAge = () => {
    field("age").textContent = describeAge(requester.ageSeconds + Math.round((Date.now() - receivedAt) / 1000));
  };
  tickAge();

  let ended = false;
  let answering = false;
  const timers: ReturnType<typeof setTimeout>[] = [];
  const remove = () => {
    ended = true;
    for (const timer of timers) clearTimeout(timer);
    article.remove();
  };
  const end = (outcome: CardOutcome) => {
    if (ended) return;
    remove();
    onEnd(outcome);
  };
  const buttons = () => [...article.querySelectorAll("button")];
  const problem = field("problem");
  const device = DEVICE_WORDS[requester.device] ?? "other screen";
  let number: NumberField | null = null;
  // Refused by the relay policy: approving again would fail the same way, but Deny and "This
  // wasn't me" still answer the request, so the card stays with the reason on it.
  const refuseApproval = (error: ApiError) => {
    action("approve").hidden = true;
    if (number) number.form.hidden = true;
    problem.textContent = error.message;
  };
  const decide = async (call: () => Promise<unknown>, done: string) => {
    answering = true;
    for (const button of buttons()) button.disabled = true;
    problem.textContent = "";
    try {
      await call();
      end({ ok: true, text: done });
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError("NETWORK_ERROR", 0);
      if (apiError.code === "NETWORK_MISMATCH" || apiError.code === "PASSKEY_SIGN_IN_REQUIRED")
        refuseApproval(apiError);
      else if (PASSKEY_AGAIN.has(apiError.code)) problem.textContent = apiError.message;
      else end({ ok: false, error: apiError });
    } finally {
      answering = false;
      for (const button of buttons()) button.disabled = false;
    }
  };

  const approve = () => {
    if (!number) return decide(() => approver.approveWithPasskey(card), DONE.approve);
    const typed = number.value();
    if (typed === null) {
      problem.textContent = `Type the two digits shown on the ${device}.`;
      number.focus();
      return;
    }
    return decide(() => approver.approveWithPasskey(card, { number: typed }), DONE.approve);
  };
  action("approve").onclick = approve;
  action("deny").onclick = () => decide(() => approver.deny(card.id), DONE.deny);
  action("not-me").onclick = () =>
    decide(() => approver.deny(card.id, { reason: "not_me" }), DONE.notMe[card.mode === "push" ? "push" : "qr"]);
  if (card.numberRequired) {
    number = numberField(card.id, device, approve);
    field("number").replaceWith(number.form);
  }
  // Said before the answers: the passkey prompt comes with Approve, or approving is not possible here.
  const passkeyNote = card.passkeyRequired
    ? PASSKEY_WORDS.elsewhere
    : card.passkeyApproval === "required"
      ? PASSKEY_WORDS.required
      : "";
  if (passkeyNote) {
    const note = Object.assign(document.createElement("p"), { className: "note passkey", textContent: passkeyNote });
    article.querySelector(".choices")?.before(note);
  }
  if (card.passkeyRequired) {
    action("approve").hidden = true;
    if (number) number.form.hidden = true;
  }

  // The server's clock, as of receipt, is createdAt + age; the decision window closes at
  // expiresAt on that clock, whatever this phone's own clock says.
  const remaining = card.expiresAt - (requester.createdAt + requester.ageSeconds * 1000);
  timers.push(
    setInterval(tickAge, 5_000),
    setTimeout(() => end({ ok: false, error: new ApiError("expired_token", 0) }), Math.max(0, remaining)),
  );
  return {
    element: article,
    drop: () => {
      if (answering) return false;
      remove();
      return true;
    },
  };
}
