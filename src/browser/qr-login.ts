import encodeQR from "qr";
import { normalizeBasePath } from "../http/base-path.ts";
import type { Created, QrSchedule, Redeemed, UserCodeShown } from "../wire.ts";
import { ApiError, callApi } from "./api.ts";
import { type BrowserKey, createBrowserKey } from "./browser-key.ts";
import { messageFor } from "./error-messages.ts";
import { HTMLElementBase } from "./html-element.ts";
import type { MessageKey, Overrides } from "./i18n/catalogue.ts";
import { pageLanguages, translatorFor } from "./i18n/page-language.ts";
import type { Params, Translator } from "./i18n/translator.ts";
import { hybridAvailable } from "./passkey-ceremony.ts";
import { signInWithPasskey } from "./passkey-sign-in.ts";
import { QR_LOGIN_STYLE } from "./qr-login-style.ts";
import { qrUrlAt } from "./qr-schedule.ts";
import { followRequest, type RequestUpdate } from "./request-follower.ts";

export type { Catalogue, MessageKey, Overrides, Plural } from "./i18n/catalogue.ts";
export { addLanguage } from "./i18n/languages.ts";
export { qrUrlAt } from "./qr-schedule.ts";

/** What the element shows; reflected in its `status` attribute for the host's CSS. */
export type QrLoginStatus = "loading" | RequestUpdate["status"] | "signed-in" | "error";

/** `detail` of the `signed-in` event: the account, and what `issueSession` returned as `body` (e.g. a token). */
export type SignedInDetail = Pick<Redeemed, "userId" | "session">;

/** The request being followed, and what redeeming or cancelling it needs. */
interface Current {
  generation: number;
  id: string;
  key: BrowserKey | null;
  /** The host's `confirmAccount`: ask "Continue as …?" once approved instead of redeeming at once. */
  confirmAccount: boolean;
}

/** A shown typed code is replaced this long before it runs out, so the person never types a dead one. */
const CODE_RENEW_MS = 3_000;

/** What the element says when the phone denied the request, by the denial's reason. */
const DENIED_WORDS: Record<string, MessageKey> = {
  not_me: "login.deniedNotMe",
  wrong_number: "login.deniedWrongNumber",
};

/** Words to show, worked out again whenever the language changes. */
type Line = () => string;

/** Redemption failures after which the approval still stands, so redeeming again may succeed. */
const REDEEM_AGAIN = new Set(["SESSION_FAILED", "REDEMPTION_IN_PROGRESS", "NETWORK_ERROR"]);

/** Passkey sign-in failures after which the same request may be tried again with a passkey. */
const PASSKEY_AGAIN = new Set([
  "PASSKEY_CANCELLED",
  "PASSKEY_INVALID",
  "PASSKEY_USER_NOT_VERIFIED",
  "PASSKEY_UNKNOWN_CREDENTIAL",
  "PASSKEY_REPLAYED",
  "NETWORK_ERROR",
]);

// No words here: every text node is filled from the catalogue by #paint.
const TEMPLATE = `
<div class="frame" part="frame">
  <div class="qr empty" part="qr" role="img"></div>
  <div class="side">
    <img class="logo" part="logo" alt="" hidden>
    <p class="status" part="status" role="status" aria-live="polite" aria-atomic="true"></p>
    <p class="comparison" part="comparison" hidden><strong class="number" part="number" dir="ltr"></strong></p>
    <p class="hint" part="hint"></p>
    <button type="button" class="show-code" part="show-code" hidden></button>
    <div class="typed" part="typed" hidden>
      <p class="intro"><strong class="url" dir="ltr"></strong></p>
      <p class="code" part="code"></p>
    </div>
    <div class="actions">
      <button type="button" class="action" part="button" hidden></button>
      <button type="button" class="cancel" part="cancel" hidden></button>
      <button type="button" class="passkey" part="passkey" hidden></button>
    </div>
  </div>
</div>`;

/**
 * `<qr-login>`: shows a sign-in QR and typed code, follows the request and signs the desktop in.
 *
 * Attributes: `base-path` (default `/qrlogin`), `redirect` (where to go once signed in),
 * `no-browser-key` (skip the WebCrypto key), `transport="poll"` (long-poll instead of SSE),
 * `login` (push mode: ask that account's phones instead of showing a QR; setting or removing it
 * starts over), `mode="passkey"` (sign in with a passkey — the phone's, through the browser's
 * cross-device flow — instead of a QR; offered next to the QR where the browser reports that flow,
 * and switched to by the element itself when the relay policy `passkey` refuses the phone that
 * scanned), `confirm-account` (once approved, ask "Continue as …?" before signing in, as the
 * host's `confirmAccount` does). Whenever the phone must confirm a number, the element shows it big;
 * before signing in, it says whose account this browser is entering.
 * Language: `lang` (else the page's `lang`, else the browser's languages; see {@link addLanguage});
 * the `messages` property lays a host's own words over the catalogue.
 * Branding: `app-name` (the phone app the instructions name: "Open the Acme app…"), `logo` (an
 * image URL shown above the status) and the `--qr-login-accent-color` custom property.
 * Events: `signed-in` (cancelable; `detail` is {@link SignedInDetail}) and `status-change`.
 * Styling: `--qr-login-*` custom properties and the parts
 * `frame qr logo status comparison number hint show-code typed code button cancel passkey`.
 * @example
 * <script type="module" src="/qrlogin/assets/qr-login.js"></script>
 * <qr-login redirect="/account"></qr-login>
 * <qr-login login="alice@example.com" redirect="/account"></qr-login>
 * <qr-login mode="passkey" redirect="/account"></qr-login>
 */
export class QrLoginElement extends HTMLElementBase {
  #root: ShadowRoot;
  #stop = () => {};
  #generation = 0;
  #status: QrLoginStatus = "loading";
  #messages: Overrides = {};
  #words: Translator = translatorFor(["en"]);
  /** What the status line says when the connection is fine, and whether that is a problem. */
  #statusLine: { text: Line; problem: boolean } = { text: () => "", problem: false };
  #hint: Line = () => "";
  #buttonLabel: Line = () => "";
  #reconnecting = false;
  /** The QR's URL and typed code, kept for their labels. */
  #shown: { url: string | null; userCode: string } = { url: null, userCode: "" };
  /** The next QR of the schedule, and the next typed code while one is shown. */
  #qrTimer: ReturnType<typeof setTimeout> | undefined;
  #codeTimer: ReturnType<typeof setTimeout> | undefined;
  /** The request a typed code is asked for. */
  #current: Current | null = null;
  /** What the button does now: start over, continue, or redeem again. */
  #action = () => this.restart();
  /**
   * The number and the URL, kept by reference: they are set into sentences, and a language (or a
   * host's words) may leave one out, taking it out of the shadow tree.
   */
  #number: HTMLElement;
  #url: HTMLElement;
  /** The `mode` the current request follows, so that the element's own switch to it does not start over. */
  #activeMode: string | null = null;

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: "open" });
    const style = new CSSStyleSheet();
    style.replaceSync(QR_LOGIN_STYLE);
    this.#root.adoptedStyleSheets = [style];
    this.#root.innerHTML = TEMPLATE;
    this.#number = this.#part("number");
    this.#url = this.#part("url");
    this.#part("button").addEventListener("click", () => this.#action());
    this.#part("passkey").addEventListener("click", () => this.setAttribute("mode", "passkey"));
    this.#part("show-code").addEventListener("click", () => this.#askForCode());
  }

  /** What the element currently shows. */
  get status(): QrLoginStatus {
    return this.#status;
  }

  /** The host's own words, laid over the chosen language's catalogue (e.g. `{ "login.pending": "…" }`). */
  get messages(): Overrides {
    return this.#messages;
  }

  set messages(messages: Overrides) {
    this.#messages = { ...messages };
    this.#relabel();
  }

  static get observedAttributes(): string[] {
    return ["login", "mode", "lang", "app-name", "logo"];
  }

  connectedCallback(): void {
    this.#relabel();
    this.restart();
  }

  attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    if (name === "mode" && value === this.#activeMode) return;
    // Before the element is connected, connectedCallback starts it with the attribute as it is then.
    if (!this.isConnected || old === value) return;
    if (name === "login" || name === "mode") this.restart();
    else this.#relabel();
  }

  disconnectedCallback(): void {
    this.#generation++;
    this.#stop();
  }

  /** Drops the current request and starts over with a fresh code. */
  restart(): void {
    this.#stop();
    this.#reconnecting = false;
    const generation = ++this.#generation;
    this.#show(
      "loading",
      this.#say(this.#passkeyMode ? "login.loadingPasskey" : this.#login ? "login.loadingPush" : "login.loadingQr"),
      this.#say(null),
    );
    this.#renderQr(null);
    this.#part("qr").hidden = this.#login !== null || this.#passkeyMode;
    this.#hideCode();
    this.#part("passkey").hidden = true;
    this.#showNumber(null);
    this.#start(generation).catch((error) => this.#fail(generation, error));
  }

  get #basePath(): string {
    return normalizeBasePath(this.getAttribute("base-path") ?? "/qrlogin");
  }

  /** The account a push goes to; `null` in QR mode. */
  get #login(): string | null {
    return this.getAttribute("login")?.trim() || null;
  }

  /** Whether to sign in with a passkey rather than a QR or a push. */
  get #passkeyMode(): boolean {
    return this.getAttribute("mode") === "passkey";
  }

  async #start(generation: number): Promise<void> {
    const key = this.hasAttribute("no-browser-key") ? null : await createBrowserKey();
    const login = this.#login;
    this.#activeMode = this.getAttribute("mode");
    const mode = this.#passkeyMode ? { mode: "passkey" } : login ? { mode: "push", login } : {};
    const created = await callApi<Created>(fetch, `${this.#basePath}/requests`, {
      method: "POST",
      body: { ...mode, ...(key ? { publicKey: key.publicKey } : {}) },
    });
    if (generation !== this.#generation) return;
    const current: Current = {
      generation,
      id: created.id,
      key,
      confirmAccount: created.confirmAccount === true,
    };
    if (created.mode === "push") {
      // A push starts scanned (bound to the account); its number is known at once.
      this.#showScanned(created.comparison, null);
    } else if (created.mode === "passkey") {
      this.#askForPasskey(current, "pending", this.#say("login.passkeySignIn"), this.#say("login.passkeyHint"));
    } else {
      this.#current = current;
      this.#showSchedule(created.qr, performance.now());
      this.#showPending();
      this.#part("show-code").hidden = false;
      if (created.passkeySignIn) this.#offerPasskey(current);
    }
    const stopFollowing = followRequest({
      basePath: this.#basePath,
      id: created.id,
      transport: this.getAttribute("transport") === "poll" ? "poll" : "sse",
      onUpdate: (update) => this.#update(current, update),
      onConnection: (connected) => {
        this.#reconnecting = !connected;
        this.#paintStatus();
      },
      onError: (error) => this.#fail(generation, error),
      words: this.#words,
    });
    this.#stop = () => {
      stopFollowing();
      this.#stopShowing();
    };
  }

  /**
   * Shows each QR of the schedule for its period, by this browser's own clock from when the answer
   * arrived: the server sends nothing while the request waits.
   */
  #showSchedule(schedule: QrSchedule, start: number): void {
    const period = Math.floor((performance.now() - start) / schedule.everyMs);
    const url = qrUrlAt(schedule, period);
    // Past the last period the request has expired; its stream says so.
    if (url === undefined) return;
    this.#renderQr(url);
    const next = start + (period + 1) * schedule.everyMs - performance.now();
    this.#qrTimer = setTimeout(() => this.#showSchedule(schedule, start), Math.max(0, next));
  }

  /** Asks for a typed code and shows it; a new one is asked for shortly before it runs out, while it is shown. */
  #askForCode(): void {
    const current = this.#current;
    if (!current || current.generation !== this.#generation || this.#status !== "pending") return;
    this.#part("show-code").hidden = true;
    callApi<UserCodeShown>(fetch, `${this.#basePath}/requests/${current.id}/user-code`, {
      method: "POST",
      words: this.#words,
    })
      .then((shown) => {
        if (current.generation !== this.#generation || this.#status !== "pending") return;
        this.#showCode(shown);
        this.#codeTimer = setTimeout(() => this.#askForCode(), Math.max(1_000, shown.expiresInMs - CODE_RENEW_MS));
      })
      .catch((error: unknown) => this.#fail(current.generation, error));
  }

  #showCode(shown: UserCodeShown): void {
    this.#shown.userCode = shown.userCode;
    this.#url.textContent = shown.url.replace(/^https?:\/\//, "");
    this.#part("code").textContent = shown.userCode;
    this.#paintCode();
    this.#part("typed").hidden = false;
  }

  #hideCode(): void {
    this.#part("typed").hidden = true;
    this.#part("show-code").hidden = true;
    // A code of a request that moved on must not linger, even hidden: it will never claim again.
    this.#shown.userCode = "";
    this.#part("code").textContent = "";
  }

  /** Stops changing the QR and the typed code: the request has moved on. */
  #stopShowing(): void {
    clearTimeout(this.#qrTimer);
    clearTimeout(this.#codeTimer);
  }

  #update(current: Current, update: RequestUpdate): void {
    if (current.generation !== this.#generation) return;
    switch (update.status) {
      case "pending":
        this.#showPending();
        break;
      case "scanned":
        if (update.passkeyRequired) this.#switchToPasskey(current);
        else this.#showScanned(update.comparison ?? null, update.approver ?? null);
        break;
      case "approved":
        this.#fade();
        this.#showNumber(null);
        // The attribute is read now, so that it counts whenever it was set before the approval.
        if (current.confirmAccount || this.hasAttribute("confirm-account"))
          this.#confirm(current, update.approver ?? null);
        else this.#redeem(current, update.approver ?? null);
        break;
      case "denied":
        this.#end("denied", this.#say(DENIED_WORDS[update.reason ?? ""] ?? "login.denied"), "login.tryAgain");
        break;
      case "expired":
        this.#end("expired", this.#say("login.expired"), "login.freshCode");
        break;
      case "cancelled":
        this.#end("cancelled", this.#say("login.cancelled"), "login.startAgain");
        break;
      case "redeemed":
        this.#end("redeemed", this.#say("login.redeemed"), "login.freshCode");
        break;
    }
  }

  /** Offers passkey sign-in next to the QR, where the browser reports the cross-device flow that reaches a phone. */
  #offerPasskey(current: Current): void {
    void hybridAvailable().then((available) => {
      if (available && current.generation === this.#generation && this.#status === "pending") {
        this.#part("passkey").hidden = false;
      }
    });
  }

  /**
   * A phone on another network scanned, and the relay policy wants presence: this same request is
   * finished with the phone's passkey, which the cross-device flow reaches only when it is near. The
   * `mode` attribute says so to the host, without starting over.
   */
  #switchToPasskey(current: Current): void {
    this.#stopShowing();
    this.#activeMode = "passkey";
    this.setAttribute("mode", "passkey");
    this.#fade();
    this.#part("qr").hidden = true;
    this.#hideCode();
    this.#showNumber(null);
    this.#askForPasskey(
      current,
      "scanned",
      this.#say("login.passkeyElsewhere"),
      this.#say("login.passkeyElsewhereHint"),
    );
  }

  /** Shows `text` and a button that asks the browser for a passkey to approve the current request. */
  #askForPasskey(current: Current, status: "pending" | "scanned", text: Line, hint: Line): void {
    this.#show(status, text, hint);
    this.#offer(this.#say("login.passkeySignIn"), () => {
      this.#hideButtons();
      this.#setStatus(this.#say("login.passkeyWaiting"), false);
      // Once approved, the request's own stream says so and the element redeems as after a phone's approval.
      signInWithPasskey(this.#basePath, current.id).catch((error: unknown) => {
        if (current.generation !== this.#generation) return;
        if (!(error instanceof ApiError) || !PASSKEY_AGAIN.has(error.code))
          return this.#fail(current.generation, error);
        this.#askForPasskey(current, status, text, hint);
        this.#setStatus(this.#sayError(error), true);
      });
    });
  }

  /**
   * Login CSRF: someone else's approval would sign this browser in to their account. The person
   * sees whose it is and signs in only by saying so; "Not you?" cancels the request.
   */
  #confirm(current: Current, approver: string | null): void {
    const who = { who: approver ?? "" };
    this.#show(
      "approved",
      this.#say(approver ? "login.approvedBy" : "login.approved", who),
      this.#say("login.confirmHint"),
    );
    this.#offer(this.#say(approver ? "login.continueAs" : "login.continue", who), () =>
      this.#redeem(current, approver),
    );
    const cancel = this.#part("cancel");
    cancel.hidden = false;
    cancel.onclick = () => {
      this.#hideButtons();
      this.#cancel(current).catch((error) => this.#fail(current.generation, error));
    };
  }

  async #cancel(current: Current): Promise<void> {
    await callApi(fetch, `${this.#basePath}/requests/${current.id}`, { method: "DELETE" });
    if (current.generation !== this.#generation) return;
    this.#end("cancelled", this.#say("login.cancelledHere"), "login.startAgain");
  }

  /** Redeems the approval; when the approval outlives a failure, offers to redeem it again. */
  #redeem(current: Current, approver: string | null): void {
    this.#show(
      "approved",
      this.#say(approver ? "login.signingInAs" : "login.signingIn", { who: approver ?? "" }),
      this.#say(null),
    );
    this.#signIn(current).catch((error: unknown) => {
      if (current.generation !== this.#generation) return;
      if (!(error instanceof ApiError) || !REDEEM_AGAIN.has(error.code)) return this.#fail(current.generation, error);
      this.#show("error", this.#say("login.redeemFailed"), this.#sayError(error));
      this.#offer(this.#say("login.tryAgain"), () => this.#redeem(current, approver));
    });
  }

  async #signIn(current: Current): Promise<void> {
    const { id, key } = current;
    const body = key ? { signature: await key.signRedeem(id) } : {};
    const answer = await callApi<SignedInDetail>(fetch, `${this.#basePath}/requests/${id}/redeem`, {
      method: "POST",
      body,
      words: this.#words,
    });
    if (current.generation !== this.#generation) return;
    this.#show("signed-in", this.#say("login.signedIn"), this.#say(null));
    const event = new CustomEvent<SignedInDetail>("signed-in", {
      detail: { userId: answer.userId, session: answer.session ?? {} },
      bubbles: true,
      composed: true,
      cancelable: true,
    });
    const redirect = this.getAttribute("redirect");
    if (this.dispatchEvent(event) && redirect) location.assign(redirect);
  }

  #fail(generation: number, error: unknown): void {
    if (generation !== this.#generation) return;
    const failure = error instanceof ApiError ? error : new ApiError("NETWORK_ERROR", 0, undefined, this.#words);
    this.#end("error", this.#sayError(failure), "login.tryAgain");
  }

  /** A phone has the request; `comparison` is the number it must be told, when one is needed. */
  #showScanned(comparison: number | null, approver: string | null): void {
    this.#stopShowing();
    this.#fade();
    this.#hideCode();
    this.#showNumber(comparison);
    const login = this.#login;
    if (login) {
      this.#show(
        "scanned",
        this.#say("login.pushSent", { who: approver ?? login }),
        this.#sayApp("login.pushHint", "login.pushHintApp"),
      );
    } else {
      this.#show(
        "scanned",
        this.#say(approver ? "login.scannedBy" : "login.scannedByPhone", { who: approver ?? "" }),
        this.#say(comparison === null ? "login.scannedHint" : "login.scannedNumberHint"),
      );
    }
  }

  /** Shows the number the phone must confirm, big, or hides it (`null`). */
  #showNumber(comparison: number | null): void {
    this.#part("comparison").hidden = comparison === null;
    this.#number.textContent = comparison === null ? "" : String(comparison);
  }

  #showPending(): void {
    this.#part("qr").classList.remove("faded");
    this.#show("pending", this.#say("login.pending"), this.#sayApp("login.pendingHint", "login.pendingHintApp"));
  }

  #end(status: QrLoginStatus, text: Line, action: MessageKey): void {
    this.#stop();
    this.#fade();
    this.#hideCode();
    this.#showNumber(null);
    this.#show(status, text, this.#say(null));
    this.#offer(this.#say(action), () => this.restart());
  }

  /** Shows the button with `label`, doing `action` when clicked. */
  #offer(label: Line, action: () => void): void {
    this.#action = action;
    this.#buttonLabel = label;
    const button = this.#part("button");
    button.textContent = label();
    button.hidden = false;
  }

  #hideButtons(): void {
    this.#part("button").hidden = true;
    this.#part("cancel").hidden = true;
  }

  #show(status: QrLoginStatus, text: Line, hint: Line): void {
    this.#status = status;
    this.setAttribute("status", status);
    this.#hint = hint;
    this.#paintHint();
    this.#hideButtons();
    this.#setStatus(text, status === "error" || status === "denied");
    this.dispatchEvent(new CustomEvent("status-change", { detail: { status }, bubbles: true, composed: true }));
  }

  /** Sets the status line, `problem` when it reports one, and paints it. */
  #setStatus(text: Line, problem: boolean): void {
    this.#statusLine = { text, problem };
    this.#paintStatus();
  }

  /** A message in the element's current language, looked up again at each repaint. */
  #say(key: MessageKey | null, params?: Params): Line {
    return () => (key === null ? "" : this.#words.t(key, params));
  }

  /** The host's phone app, named in the instructions (`app-name`), if any. */
  get #appName(): string | null {
    return this.getAttribute("app-name")?.trim() || null;
  }

  /** `key`, or `appKey` naming the host's phone app when it has an `app-name`. */
  #sayApp(key: MessageKey, appKey: MessageKey): Line {
    return () => {
      const app = this.#appName;
      return app ? this.#words.t(appKey, { app }) : this.#words.t(key);
    };
  }

  #sayError(error: ApiError): Line {
    return () => messageFor(error.code, error.description, this.#words);
  }

  /** Picks the language again (attributes or messages changed) and rewrites every word shown. */
  #relabel(): void {
    const own = this.getAttribute("lang");
    this.#words = translatorFor(own ? [own] : pageLanguages(this), this.#messages);
    this.#part("frame").setAttribute("lang", this.#words.lang);
    this.#part("frame").setAttribute("dir", this.#words.dir);
    const logo = this.#part("logo") as HTMLImageElement;
    const src = this.getAttribute("logo");
    logo.hidden = !src;
    if (src) logo.src = src;
    logo.alt = this.#appName ?? "";
    this.#paint();
  }

  #paint(): void {
    const words = this.#words;
    const app = this.#appName;
    // The number and the URL are elements of their own, set in the sentence where the language puts them.
    const fill = (element: HTMLElement, key: MessageKey, slot: string, node: Node) =>
      element.replaceChildren(
        ...words.parts(key, [slot], { app: app ?? "" }).map((part) => (typeof part === "string" ? part : node)),
      );
    fill(this.#part("comparison"), "login.enterNumber", "number", this.#number);
    fill(this.#part("intro"), app ? "login.typedIntroApp" : "login.typedIntro", "url", this.#url);
    this.#part("cancel").textContent = words.t("login.notYou");
    this.#part("passkey").textContent = words.t("login.usePasskey");
    this.#part("show-code").textContent = words.t("login.showCode");
    this.#part("button").textContent = this.#buttonLabel();
    this.#paintHint();
    this.#paintStatus();
    this.#paintCode();
    this.#paintQrLabel();
  }

  #paintStatus(): void {
    const status = this.#part("status");
    const { text, problem } = this.#statusLine;
    status.textContent = this.#reconnecting ? this.#words.t("login.reconnecting") : text();
    status.classList.toggle("problem", this.#reconnecting || problem);
  }

  #paintHint(): void {
    const hint = this.#part("hint");
    hint.textContent = this.#hint();
    hint.hidden = hint.textContent === "";
  }

  #paintCode(): void {
    // Spelled letter by letter, so a screen reader reads a code rather than a word.
    const spelled = this.#shown.userCode.split("").join(" ");
    this.#part("code").setAttribute("aria-label", this.#words.t("login.codeLabel", { code: spelled }));
  }

  #paintQrLabel(): void {
    const label = this.#shown.url === null ? "login.qrLoading" : "login.qrLabel";
    this.#part("qr").setAttribute("aria-label", this.#words.t(label));
  }

  /** Draws the QR as SVG (our own encoder's output, so no untrusted markup), or the loading spinner. */
  #renderQr(url: string | null): void {
    const box = this.#part("qr");
    box.classList.toggle("empty", url === null);
    box.classList.remove("faded");
    box.innerHTML = url === null ? "" : encodeQR(url, "svg", { ecc: "medium", border: 2 });
    box.querySelector("svg")?.setAttribute("shape-rendering", "crispEdges");
    box.querySelector("svg")?.setAttribute("aria-hidden", "true");
    this.#shown.url = url;
    this.#paintQrLabel();
  }

  /** The QR is no longer the way in: it fades, and so does the offer of a passkey instead. */
  #fade(): void {
    this.#part("qr").classList.add("faded");
    this.#part("passkey").hidden = true;
  }

  #part(
    name:
      | "frame"
      | "qr"
      | "logo"
      | "status"
      | "comparison"
      | "number"
      | "hint"
      | "typed"
      | "show-code"
      | "intro"
      | "url"
      | "code"
      | "button"
      | "cancel"
      | "passkey",
  ): HTMLElement {
    const found = this.#root.querySelector<HTMLElement>(`.${name === "button" ? "action" : name}`);
    if (!found) throw new Error(`qr-login: missing ${name}`);
    return found;
  }
}

/**
 * Registers `<qr-login>` (once; importing the module does it too).
 * @example defineQrLogin("my-qr-login")
 */
export function defineQrLogin(name = "qr-login"): void {
  if (!customElements.get(name)) customElements.define(name, class extends QrLoginElement {});
}

// On a server (no custom element registry), importing the module defines nothing.
if (typeof customElements !== "undefined") defineQrLogin();

declare global {
  interface HTMLElementTagNameMap {
    "qr-login": QrLoginElement;
  }
}
