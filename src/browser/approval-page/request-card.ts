import { ApiError, type Approver, type RequestCard, type Requester, type RequesterClient } from "../approver.ts";
import type { MessageKey } from "../i18n/catalogue.ts";
import type { Translator } from "../i18n/translator.ts";
import { type NumberField, numberField } from "./number-field.ts";

/** How a card ended: answered (words to show), or an error for the page to handle. */
export type CardOutcome = { ok: true; text: string } | { ok: false; error: ApiError };

/** The kinds of device the server names; any other is "unknown". */
const DEVICES = ["desktop", "mobile", "tablet", "tv"] as const;
type DeviceKind = (typeof DEVICES)[number] | "unknown";

function deviceKind(device: string): DeviceKind {
  return (DEVICES as readonly string[]).includes(device) ? (device as DeviceKind) : "unknown";
}

/** Refusals after which the card stays, for the person to try their passkey again or to deny. */
const PASSKEY_AGAIN = new Set([
  "PASSKEY_CANCELLED",
  "PASSKEY_USER_NOT_VERIFIED",
  "PASSKEY_INVALID",
  "PASSKEY_REPLAYED",
]);

/**
 * "just now", then the platform's own words for "12 seconds ago", "3 minutes ago" in the page's language.
 * @example describeAge(75, words) // "1 minute ago"
 */
export function describeAge(seconds: number, words: Translator): string {
  if (seconds < 5) return words.t("card.justNow");
  const relative = new Intl.RelativeTimeFormat(words.lang, { numeric: "always" });
  return seconds < 60 ? relative.format(-seconds, "second") : relative.format(-Math.floor(seconds / 60), "minute");
}

function networkWords(requester: Requester): MessageKey {
  if (requester.sameNetwork === true) return "card.networkSame";
  if (requester.sameNetwork === false) return "card.networkDifferent";
  return "card.unknown";
}

/**
 * The server's reasons for caution in the page's language, worked out from the card's facts. When
 * the server gave some this page cannot tell from those facts, its own words are shown instead:
 * a warning is never dropped for want of a translation.
 */
function warningsOf(card: RequestCard, words: Translator): string[] {
  const { requester } = card;
  const derived: string[] = [];
  if (requester.sameNetwork === false) derived.push(words.t("card.warnNetwork"));
  if (requester.sameCountry === false && requester.location) {
    derived.push(words.t("card.warnCountry", { place: requester.location }));
  }
  return derived.length === card.warnings.length ? derived : card.warnings;
}

/**
 * A device of the RFC 8628 flow (a CLI, a TV) is named by its OAuth client, not by a browser: the
 * site's name for it when the site knows it, else the id it claims, and the access it asks for.
 */
function showClient(device: HTMLElement, client: RequesterClient, words: Translator): void {
  const name = client.name ?? client.id;
  device.textContent = client.scope ? words.t("card.clientAsking", { name, scope: client.scope }) : name;
  const note = device.nextElementSibling;
  if (note) note.textContent = words.t(client.name ? "card.clientKnown" : "card.clientSelfNamed");
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
 * never markup), every warning in one loud box, and the answers, which stay in view at the bottom
 * of the screen while the card is. When the card needs the number on the requesting screen, it
 * has its own field for it, and Approve sends what was typed: one try, since a wrong number ends
 * the request. `onEnd` is called once, when the request was answered, expired or failed; the card
 * has then removed itself.
 */
export function renderRequestCard(
  template: HTMLTemplateElement,
  card: RequestCard,
  approver: Approver,
  words: Translator,
  onEnd: (outcome: CardOutcome) => void,
): RenderedCard {
  const article = (template.content.firstElementChild as HTMLElement).cloneNode(true) as HTMLElement;
  const field = <T extends HTMLElement = HTMLElement>(name: string): T =>
    article.querySelector(`[data-field="${name}"]`) as T;
  const action = (name: string) => article.querySelector(`[data-action="${name}"]`) as HTMLButtonElement;
  const { requester } = card;
  const receivedAt = Date.now();
  const kind = deviceKind(requester.device);

  const title = article.querySelector(".title") as HTMLElement;
  title.id = `request-${card.id}`;
  title.textContent = words.t(card.mode === "push" ? "card.titlePush" : "card.titleQr");
  article.setAttribute("aria-labelledby", title.id);
  article.dataset.id = card.id;
  field("origin").textContent = requester.origin ?? words.t("card.thisSite");
  field("device").textContent = words.t("card.deviceValue", {
    browser: requester.browser,
    os: requester.os,
    device: words.t(`device.${kind}`),
  });
  if (requester.client) showClient(field("device"), requester.client, words);
  field("ip").textContent = requester.ip ?? words.t("card.unknown");
  field("location").textContent = requester.location ?? words.t("card.unknown");
  field("network").textContent = words.t(networkWords(requester));
  field("network").dataset.kind = String(requester.sameNetwork);
  // Every reason for caution (a different network or country: the marks of a relayed QR) in one
  // place, before the answers.
  const warnings = warningsOf(card, words);
  field("warnings").hidden = warnings.length === 0;
  (field("warnings").querySelector("ul") as HTMLElement).replaceChildren(
    ...warnings.map((text) => Object.assign(document.createElement("li"), { textContent: text })),
  );
  const tickAge = () => {
    const seconds = requester.ageSeconds + Math.round((Date.now() - receivedAt) / 1000);
    field("age").textContent = describeAge(seconds, words);
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
  const onDevice = words.t(`onDevice.${kind}`);
  let number: NumberField | null = null;
  // Refused by the relay policy: approving again would fail the same way, but Deny and "This
  // wasn't me" still answer the request, so the card stays with the reason on it.
  const refuseApproval = (error: ApiError) => {
    action("approve").hidden = true;
    if (number) number.form.hidden = true;
    problem.textContent = error.message;
  };
  const decide = async (call: () => Promise<unknown>, done: MessageKey) => {
    answering = true;
    for (const button of buttons()) button.disabled = true;
    problem.textContent = "";
    try {
      await call();
      end({ ok: true, text: words.t(done) });
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError("NETWORK_ERROR", 0, undefined, words);
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
    if (!number) return decide(() => approver.approveWithPasskey(card), "card.approvedDone");
    const typed = number.value();
    if (typed === null) {
      problem.textContent = words.t("card.numberMissing", { onDevice });
      number.focus();
      return;
    }
    return decide(() => approver.approveWithPasskey(card, { number: typed }), "card.approvedDone");
  };
  action("approve").onclick = approve;
  action("deny").onclick = () => decide(() => approver.deny(card.id), "card.deniedDone");
  action("not-me").onclick = () =>
    decide(
      () => approver.deny(card.id, { reason: "not_me" }),
      card.mode === "push" ? "card.blockedPush" : "card.blockedQr",
    );
  if (card.numberRequired) {
    number = numberField(card.id, words.t("card.numberLabel", { onDevice }), approve);
    field("number").replaceWith(number.form);
  }
  // Said before the answers: the passkey prompt comes with Approve, or approving is not possible here.
  const passkeyNote = card.passkeyRequired
    ? words.t("card.passkeyElsewhere")
    : card.passkeyApproval === "required"
      ? words.t("card.passkeyRequired")
      : "";
  if (passkeyNote) {
    const note = Object.assign(document.createElement("p"), { textContent: passkeyNote });
    note.classList.add("note", "passkey");
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
    setTimeout(
      () => end({ ok: false, error: new ApiError("expired_token", 0, undefined, words) }),
      Math.max(0, remaining),
    ),
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
