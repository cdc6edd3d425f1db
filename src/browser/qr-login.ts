import encodeQR from "qr";
import { ApiError, callApi } from "./api.ts";
import { type BrowserKey, createBrowserKey } from "./browser-key.ts";
import { QR_LOGIN_STYLE } from "./qr-login-style.ts";
import { followRequest, type RequestUpdate } from "./request-follower.ts";

/** What the element shows; reflected in its `status` attribute for the host's CSS. */
export type QrLoginStatus = "loading" | RequestUpdate["status"] | "signed-in" | "error";

/** `detail` of the `signed-in` event. */
export interface SignedInDetail {
  userId: string;
  /** What the host's `issueSession` hook returned as `body` (e.g. a token). */
  session: Record<string, unknown>;
}

/** The answer to `POST /requests`: a QR to show, or (push) the number to show. */
type Created =
  | { id: string; mode: "qr"; qr: { url: string; expiresAt: number }; userCode: string; expiresAt: number }
  | { id: string; mode: "push"; comparison: number; expiresAt: number };

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
    <button type="button" part="button" hidden></button>
  </div>
</div>`;

/**
 * `<qr-login>`: shows a sign-in QR and typed code, follows the request and signs the desktop in.
 *
 * Attributes: `base-path` (default `/qrlogin`), `redirect` (where to go once signed in),
 * `no-browser-key` (skip the WebCrypto key), `transport="poll"` (long-poll instead of SSE),
 * `login` (push mode: ask that account's phones instead of showing a QR; setting or removing it
 * starts over). Whenever the phone must confirm a number, the element shows it big.
 * Events: `signed-in` (cancelable; `detail` is {@link SignedInDetail}) and `status-change`.
 * Styling: `--qr-login-*` custom properties and the parts
 * `frame qr status comparison number hint typed code button`.
 * @example
 * <script type="module" src="/qrlogin/assets/qr-login.js"></script>
 * <qr-login redirect="/account"></qr-login>
 * <qr-login login="alice@example.com" redirect="/account"></qr-login>
 */
export class QrLoginElement extends HTMLElement {
  #root: ShadowRoot;
  #stop = () => {};
  #generation = 0;
  #status: QrLoginStatus = "loading";
  #statusText = "";

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: "open" });
    const style = new CSSStyleSheet();
    style.replaceSync(QR_LOGIN_STYLE);
    this.#root.adoptedStyleSheets = [style];
    this.#root.innerHTML = TEMPLATE;
    this.#part("button").addEventListener("click", () => this.restart());
  }

  /** What the element currently shows. */
  get status(): QrLoginStatus {
    return this.#status;
  }

  static get observedAttributes(): string[] {
    return ["login"];
  }

  connectedCallback(): void {
    this.restart();
  }

  attributeChangedCallback(_name: string, old: string | null, value: string | null): void {
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
    this.#show("loading", this.#login ? "Sending a request to your phone…" : "Getting a sign-in code…", "");
    this.#renderQr(null);
    this.#part("qr").hidden = this.#login !== null;
    this.#part("typed").hidden = true;
    this.#showNumber(null);
    this.#start(generation).catch((error) => this.#fail(generation, error));
  }

  get #basePath(): string {
    return (this.getAttribute("base-path") ?? "/qrlogin").replace(/\/+$/, "");
  }

  /** The account a push goes to; `null` in QR mode. */
  get #login(): string | null {
    return this.getAttribute("login")?.trim() || null;
  }

  async #start(generation: number): Promise<void> {
    const key = this.hasAttribute("no-browser-key") ? null : await createBrowserKey();
    const login = this.#login;
    const created = await callApi<Created>(fetch, `${this.#basePath}/requests`, {
      method: "POST",
      body: { ...(login ? { mode: "push", login } : {}), ...(key ? { publicKey: key.publicKey } : {}) },
    });
    if (generation !== this.#generation) return;
    if (created.mode === "push") {
      // A push starts scanned (bound to the account); its number is known at once.
      this.#showScanned(created.comparison, null);
    } else {
      this.#renderQr(created.qr.url);
      const phoneUrl = created.qr.url.replace(/#.*$/, "");
      this.#part("url").textContent = phoneUrl.replace(/^https?:\/\//, "");
      this.#part("code").textContent = created.userCode;
      this.#part("code").setAttribute("aria-label", `code ${created.userCode.split("").join(" ")}`);
      this.#part("typed").hidden = false;
      this.#showPending();
    }
    this.#stop = followRequest({
      basePath: this.#basePath,
      id: created.id,
      transport: this.getAttribute("transport") === "poll" ? "poll" : "sse",
      onUpdate: (update) => this.#update(generation, created.id, key, update),
      onConnection: (connected) => {
        if (connected) this.#setStatusText(this.#statusText, false);
        else this.#setStatusText("Connection lost — reconnecting…", true, false);
      },
      onError: (error) => this.#fail(generation, error),
    });
  }

  #update(generation: number, id: string, key: BrowserKey | null, update: RequestUpdate): void {
    if (generation !== this.#generation) return;
    switch (update.status) {
      case "pending":
        if (update.qr) this.#renderQr(update.qr.url);
        this.#showPending();
        break;
      case "scanned":
        this.#showScanned(update.comparison ?? null, update.approver ?? null);
        break;
      case "approved":
        this.#fade();
        this.#showNumber(null);
        this.#show("approved", "Approved — signing you in…", "");
        this.#redeem(generation, id, key).catch((error) => this.#fail(generation, error));
        break;
      case "denied":
        this.#end(
          "denied",
          update.reason === "not_me"
            ? "Declined on the phone: “This wasn't me”. Nobody was signed in."
            : "Sign-in was declined on the phone.",
          "Try again",
        );
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

  async #redeem(generation: number, id: string, key: BrowserKey | null): Promise<void> {
    const body = key ? { signature: await key.signRedeem(id) } : {};
    const answer = await callApi<SignedInDetail>(fetch, `${this.#basePath}/requests/${id}/redeem`, {
      method: "POST",
      body,
    });
    if (generation !== this.#generation) return;
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
        "Open the sign-in page on your phone and pick this number there.",
      );
    } else {
      this.#show(
        "scanned",
        `Scanned by ${approver ?? "your phone"} — confirm on your phone`,
        comparison === null
          ? "Check the details on your phone, then tap Approve."
          : "Your phone asks for this number: pick it there to sign in.",
      );
    }
  }

  /** Shows the number the phone must confirm, big, or hides it (`null`). */
  #showNumber(comparison: number | null): void {
    this.#part("comparison").hidden = comparison === null;
    this.#part("number").textContent = comparison === null ? "" : String(comparison);
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
    const button = this.#part("button");
    button.textContent = action;
    button.hidden = false;
  }

  #show(status: QrLoginStatus, text: string, hint: string): void {
    this.#status = status;
    this.setAttribute("status", status);
    this.#part("hint").textContent = hint;
    this.#part("hint").hidden = hint === "";
    this.#part("button").hidden = true;
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

  #fade(): void {
    this.#part("qr").classList.add("faded");
  }

  #part(name: "qr" | "status" | "comparison" | "number" | "hint" | "typed" | "url" | "code" | "button"): HTMLElement {
    const found = this.#root.querySelector<HTMLElement>(`.${name === "button" ? "side > button" : name}`);
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
