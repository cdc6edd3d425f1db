import encodeQR from "qr";
import { normalizeBasePath } from "../http/base-path.ts";
import type { Created, Redeemed } from "../wire.ts";
import { ApiError, callApi } from "./api.ts";
import { type BrowserKey, createBrowserKey } from "./browser-key.ts";
import { hybridAvailable } from "./passkey-ceremony.ts";
import { signInWithPasskey } from "./passkey-sign-in.ts";
import { QR_LOGIN_STYLE } from "./qr-login-style.ts";
import { followRequest, type RequestUpdate } from "./request-follower.ts";

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

/** What the element says when the phone denied the request, by the denial's reason. */
const DENIED_WORDS: Record<string, string> = {
  not_me: "Declined on the phone: “This wasn't me”. Nobody was signed in.",
  wrong_number: "The number typed on the phone didn't match, so this sign-in was stopped. Nobody was signed in.",
};

/** How passkey sign-in goes, said before the browser's own dialog opens. */
const PASSKEY_HINT =
  "Your browser asks for a passkey: choose your phone, scan the code it shows with the phone, and confirm there. The phone must be near this computer.";

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

const TEMPLATE = `
<div class="frame" part="frame">
  <div class="qr empty" part="qr" role="img"></div>
  <div class="side">
    <p class="status" part="status" role="status" aria-live="polite" aria-atomic="true"></p>
    <p class="comparison" part="comparison" hidden>Enter <strong class="number" part="number"></strong> on your phone</p>
    <p class="hint" part="hint"></p>
    <div class="typed" part="typed" hidden>
      <p>No camera? On your phone open <strong class="url"></strong> and type</p>
      <p class="code" part="code"></p>
    </div>
    <div class="actions">
      <button type="button" class="action" part="button" hidden></button>
      <button type="button" class="cancel" part="cancel" hidden>Not you? Cancel</button>
      <button type="button" class="passkey" part="passkey" hidden>Use a passkey instead</button>
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
 * Events: `signed-in` (cancelable; `detail` is {@link SignedInDetail}) and `status-change`.
 * Styling: `--qr-login-*` custom properties and the parts
 * `frame qr status comparison number hint typed code button cancel passkey`.
 * @example
 * <script type="module" src="/qrlogin/assets/qr-login.js"></script>
 * <qr-login redirect="/account"></qr-login>
 * <qr-login login="alice@example.com" redirect="/account"></qr-login>
 * <qr-login mode="passkey" redirect="/account"></qr-login>
 */
export class QrLoginElement extends HTMLElement {
  #root: ShadowRoot;
  #stop = () => {};
  #generation = 0;
  #status: QrLoginStatus = "loading";
  #statusText = "";
  /** What the button does now: start over, continue, or redeem again. */
  #action = () => this.restart();
  /** The `mode` the current request follows, so that the element's own switch to it does not start over. */
  #activeMode: string | null = null;

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: "open" });
    const style = new CSSStyleSheet();
    style.replaceSync(QR_LOGIN_STYLE);
    this.#root.adoptedStyleSheets = [style];
    this.#root.innerHTML = TEMPLATE;
    this.#part("button").addEventListener("click", () => this.#action());
    this.#part("passkey").addEventListener("click", () => this.setAttribute("mode", "passkey"));
  }

  /** What the element currently shows. */
  get status(): QrLoginStatus {
    return this.#status;
  }

  static get observedAttributes(): string[] {
    return ["login", "mode"];
  }

  connectedCallback(): void {
    this.restart();
  }

  attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    if (name === "mode" && value === this.#activeMode) return;
    // Before the element is connected, connectedCallback starts it with the attribute as it is then.
    if (this.isConnected && old !== value) this.restart();
  }

  disconnectedCallback(): void {
    this.#generation++;
    this.#stop();
  }

  /** Drops the current request and starts over with a fresh code. */
  restart(): void {
    this.#stop();
    const generation = ++this.#generation;
    const loading = this.#passkeyMode
      ? "Getting ready for your passkey…"
      : this.#login
        ? "Sending a request to your phone…"
        : "Getting a sign-in code…";
    this.#show("loading", loading, "");
    this.#renderQr(null);
    this.#part("qr").hidden = this.#login !== null || this.#passkeyMode;
    this.#part("typed").hidden = true;
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
      this.#askForPasskey(current, "pending", "Sign in with a passkey", PASSKEY_HINT);
    } else {
      this.#showQr(created.qr.url, created.userCode);
      this.#showPending();
      if (created.passkeySignIn) this.#offerPasskey(current);
    }
    this.#stop = followRequest({
      basePath: this.#basePath,
      id: created.id,
      transport: this.getAttribute("transport") === "poll" ? "poll" : "sse",
      onUpdate: (update) => this.#update(current, update),
      onConnection: (connected) => {
        if (connected) this.#setStatusText(this.#statusText, false);
        else this.#setStatusText("Connection lost — reconnecting…", true, false);
      },
      onError: (error) => this.#fail(generation, error),
    });
  }

  #update(current: Current, update: RequestUpdate): void {
    if (current.generation !== this.#generation) return;
    switch (update.status) {
      case "pending":
        if (update.qr) this.#showQr(update.qr.url, update.qr.userCode);
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
        this.#end("denied", DENIED_WORDS[update.reason ?? ""] ?? "Sign-in was declined on the phone.", "Try again");
        break;
      case "expired":
        this.#end("expired", "This code expired.", "Get a fresh code");
        break;
      case "cancelled":
        this.#end("cancelled", "This sign-in was cancelled.", "Start again");
        break;
      case "redeemed":
        this.#end("redeemed", "This code has already been used to sign in.", "Get a fresh code");
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
    this.#activeMode = "passkey";
    this.setAttribute("mode", "passkey");
    this.#fade();
    this.#part("qr").hidden = true;
    this.#part("typed").hidden = true;
    this.#showNumber(null);
    this.#askForPasskey(
      current,
      "scanned",
      "Your phone is on another network",
      "To sign in here, use your phone's passkey: it works only when the phone is near this computer.",
    );
  }

  /** Shows `text` and a button that asks the browser for a passkey to approve the current request. */
  #askForPasskey(current: Current, status: "pending" | "scanned", text: string, hint: string): void {
    this.#show(status, text, hint);
    this.#offer("Sign in with a passkey", () => {
      this.#hideButtons();
      this.#setStatusText("Waiting for your passkey…", false);
      // Once approved, the request's own stream says so and the element redeems as after a phone's approval.
      signInWithPasskey(this.#basePath, current.id).catch((error: unknown) => {
        if (current.generation !== this.#generation) return;
        if (!(error instanceof ApiError) || !PASSKEY_AGAIN.has(error.code))
          return this.#fail(current.generation, error);
        this.#askForPasskey(current, status, text, hint);
        this.#setStatusText(error.message, true);
      });
    });
  }

  /**
   * Login CSRF: someone else's approval would sign this browser in to their account. The person
   * sees whose it is and signs in only by saying so; "Not you?" cancels the request.
   */
  #confirm(current: Current, approver: string | null): void {
    this.#show(
      "approved",
      approver ? `Approved on the phone of ${approver}` : "Approved on the phone",
      "Continue only if this is your own account: this browser will be signed in to it.",
    );
    this.#offer(approver ? `Continue as ${approver}` : "Continue", () => this.#redeem(current, approver));
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
    this.#end("cancelled", "Cancelled. Nobody was signed in.", "Start again");
  }

  /** Redeems the approval; when the approval outlives a failure, offers to redeem it again. */
  #redeem(current: Current, approver: string | null): void {
    this.#show("approved", approver ? `Signing in as ${approver}…` : "Approved — signing you in…", "");
    this.#signIn(current).catch((error: unknown) => {
      if (current.generation !== this.#generation) return;
      if (!(error instanceof ApiError) || !REDEEM_AGAIN.has(error.code)) return this.#fail(current.generation, error);
      this.#show("error", "Could not finish signing in", error.message);
      this.#offer("Try again", () => this.#redeem(current, approver));
    });
  }

  async #signIn(current: Current): Promise<void> {
    const { id, key } = current;
    const body = key ? { signature: await key.signRedeem(id) } : {};
    const answer = await callApi<SignedInDetail>(fetch, `${this.#basePath}/requests/${id}/redeem`, {
      method: "POST",
      body,
    });
    if (current.generation !== this.#generation) return;
    this.#show("signed-in", "You're signed in.", "");
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
    const message = error instanceof ApiError ? error.message : new ApiError("NETWORK_ERROR", 0).message;
    this.#end("error", message, "Try again");
  }

  /** A phone has the request; `comparison` is the number it must be told, when one is needed. */
  #showScanned(comparison: number | null, approver: string | null): void {
    this.#fade();
    this.#part("typed").hidden = true;
    this.#showNumber(comparison);
    const login = this.#login;
    if (login) {
      this.#show(
        "scanned",
        `Request sent to the phone of ${approver ?? login}`,
        "Open the sign-in page on your phone and type this number there.",
      );
    } else {
      this.#show(
        "scanned",
        `Scanned by ${approver ?? "your phone"} — confirm on your phone`,
        comparison === null
          ? "Check the details on your phone, then tap Approve."
          : "Your phone asks for this number: type it there to sign in.",
      );
    }
  }

  /** Shows the number the phone must confirm, big, or hides it (`null`). */
  #showNumber(comparison: number | null): void {
    this.#part("comparison").hidden = comparison === null;
    this.#part("number").textContent = comparison === null ? "" : String(comparison);
  }

  /** Shows a QR and the typed code issued with it; both change at every rotation. */
  #showQr(url: string, userCode: string): void {
    this.#renderQr(url);
    this.#part("url").textContent = url.replace(/#.*$/, "").replace(/^https?:\/\//, "");
    this.#part("code").textContent = userCode;
    this.#part("code").setAttribute("aria-label", `code ${userCode.split("").join(" ")}`);
    this.#part("typed").hidden = false;
  }

  #showPending(): void {
    this.#part("qr").classList.remove("faded");
    this.#show(
      "pending",
      "Scan with your phone",
      "Open the camera on a phone where you're signed in and point it at the code.",
    );
  }

  #end(status: QrLoginStatus, text: string, action: string): void {
    this.#stop();
    this.#fade();
    this.#part("typed").hidden = true;
    this.#showNumber(null);
    this.#show(status, text, "");
    this.#offer(action, () => this.restart());
  }

  /** Shows the button with `label`, doing `action` when clicked. */
  #offer(label: string, action: () => void): void {
    this.#action = action;
    const button = this.#part("button");
    button.textContent = label;
    button.hidden = false;
  }

  #hideButtons(): void {
    this.#part("button").hidden = true;
    this.#part("cancel").hidden = true;
  }

  #show(status: QrLoginStatus, text: string, hint: string): void {
    this.#status = status;
    this.setAttribute("status", status);
    this.#part("hint").textContent = hint;
    this.#part("hint").hidden = hint === "";
    this.#hideButtons();
    this.#setStatusText(text, status === "error" || status === "denied");
    this.dispatchEvent(new CustomEvent("status-change", { detail: { status }, bubbles: true, composed: true }));
  }

  #setStatusText(text: string, problem: boolean, remember = true): void {
    if (remember) this.#statusText = text;
    const status = this.#part("status");
    status.textContent = text;
    status.classList.toggle("problem", problem);
  }

  /** Draws the QR as SVG (our own encoder's output, so no untrusted markup), or the loading spinner. */
  #renderQr(url: string | null): void {
    const box = this.#part("qr");
    box.classList.toggle("empty", url === null);
    box.classList.remove("faded");
    box.innerHTML = url === null ? "" : encodeQR(url, "svg", { ecc: "medium", border: 2 });
    box.querySelector("svg")?.setAttribute("shape-rendering", "crispEdges");
    box.querySelector("svg")?.setAttribute("aria-hidden", "true");
    box.setAttribute(
      "aria-label",
      url === null ? "Loading the QR code" : "QR code for signing in: scan it with your phone's camera",
    );
  }

  /** The QR is no longer the way in: it fades, and so does the offer of a passkey instead. */
  #fade(): void {
    this.#part("qr").classList.add("faded");
    this.#part("passkey").hidden = true;
  }

  #part(
    name:
      | "qr"
      | "status"
      | "comparison"
      | "number"
      | "hint"
      | "typed"
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

if (typeof customElements !== "undefined") defineQrLogin();

declare global {
  interface HTMLElementTagNameMap {
    "qr-login": QrLoginElement;
  }
}
