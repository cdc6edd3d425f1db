import { normalizeBasePath } from "../http/base-path.ts";
import type {
  ApproverAlert,
  ApproverEvents,
  Decision,
  PasskeyAssertion,
  PasskeyChallenge,
  RequestCard,
} from "../wire.ts";
import { ApiError, busyRetryDelay, callApi } from "./api.ts";
import { challengeFitsCard } from "./approval-binding.ts";
import type { FaceErrorCode } from "./error-codes.ts";
import type { Overrides } from "./i18n/catalogue.ts";
import { pageLanguages, translatorFor } from "./i18n/page-language.ts";
import type { Translator } from "./i18n/translator.ts";
import { type AskPasskey, askPasskey } from "./passkey-ceremony.ts";

// The wire's types are the SDK's: what the server sends is what the phone reads.
export type {
  ApproverAlert,
  Decision,
  PasskeyAssertion,
  PasskeyChallenge,
  PasskeyRequestOptions,
  RequestCard,
  Requester,
  RequesterClient,
} from "../wire.ts";
export { ApiError } from "./api.ts";
export type { Catalogue, MessageKey, Overrides, Plural } from "./i18n/catalogue.ts";
export { addLanguage } from "./i18n/languages.ts";

/** What {@link Approver.followPushes} reports. */
export interface PushFeedHandlers {
  /** A push request now waits for this account's answer; once per request. */
  onPush(card: RequestCard): void;
  /** A request given to `onPush` no longer waits (answered, cancelled or expired). */
  onResolved(id: string): void;
  /** An alert on the account, raised while the feed is open. */
  onAlert(alert: ApproverAlert): void;
  /**
   * The server refused the feed (e.g. `APPROVER_UNAUTHENTICATED`); it has stopped. When only the
   * stream is refused and the list still answers (`TOO_MANY_STREAMS`), the waiting pushes are
   * delivered from the list and the stream is opened again a few seconds later instead.
   */
  onError(error: ApiError): void;
}

/** Options of {@link createApprover}. */
export interface ApproverOptions {
  /**
   * The app's own site origin, e.g. `https://example.com`. Scanned QR codes naming any other
   * origin are refused, and every call goes here: a QR never chooses where a token is sent.
   */
  origin: string;
  /** Where the API is mounted. Default `/qrlogin`. */
  basePath?: string;
  /** The approver's credential for native apps, e.g. `{ authorization: "Bearer …" }`. Web pages use their cookie. */
  headers?: () => HeadersInit | Promise<HeadersInit>;
  /** Default: the global `fetch`. */
  fetch?: typeof fetch;
  /**
   * The language of error messages (`ApiError.message`), e.g. `"fr"`. Default: the page's `lang`,
   * else the browser's languages, at the time of each error; English outside a browser.
   */
  lang?: string;
  /** Words laid over the chosen language's catalogue, e.g. `{ "error.RATE_LIMITED": "Slow down." }`. */
  messages?: Overrides;
  /**
   * How a passkey is asked for an assertion. Default: the browser's own dialog
   * (`navigator.credentials.get`); a native app passes its platform's passkey API.
   */
  passkey?: AskPasskey;
}

/** The phone side of the protocol, bound to one site. */
export interface Approver {
  /** The scan token in a scanned QR, or an {@link ApiError} (`QR_FOREIGN_ORIGIN`, `QR_NOT_A_SIGN_IN_CODE`). */
  readScanToken(scanned: string): string;
  /** Claims the request of a scanned QR's text. */
  scanQr(scanned: string): Promise<RequestCard>;
  /** Claims a request by its token or typed user code. */
  scan(input: { token: string } | { userCode: string }): Promise<RequestCard>;
  /**
   * Approves a scanned request. When its card has `numberRequired`, pass the `number` the person
   * typed; a wrong one throws `WRONG_NUMBER` and the request is ended (one try). Under the relay
   * policy `refuse`, a request from another network throws `NETWORK_MISMATCH`.
   */
  approve(id: string, options?: { number?: number; assertion?: PasskeyAssertion }): Promise<Decision>;
  /**
   * Approves the request of `card` as its card asks: when `passkeyApproval` is not `off`, this phone's
   * passkey first signs a challenge checked to stand for this very card (`CARD_CHANGED` otherwise), and
   * the assertion goes with the approval. Under `preferred`, an account without a passkey approves
   * without one; a closed passkey dialog throws `PASSKEY_CANCELLED` and sends nothing.
   */
  approveWithPasskey(card: RequestCard, options?: { number?: number }): Promise<Decision>;
  /** The WebAuthn options for approving request `id` (`GET /requests/:id/approval-options`). */
  approvalOptions(id: string): Promise<PasskeyChallenge>;
  /** Denies a scanned request; `reason: "not_me"` says the person never asked for it. */
  deny(id: string, options?: { reason?: "not_me" }): Promise<Decision>;
  /** The push requests waiting for this account now. */
  listPushes(): Promise<RequestCard[]>;
  /**
   * Follows this account's push requests and alerts as they happen (`GET /approver/events`);
   * returns a function that stops. Needs `EventSource` and the page's own cookie, so it serves web
   * pages of the site's origin; native apps poll {@link Approver.listPushes} or use their push service.
   */
  followPushes(handlers: PushFeedHandlers): () => void;
}

/**
 * The approver SDK for the site's own web page or native app.
 * @example
 * const approver = createApprover({ origin: "https://example.com" });
 * const { id, requester } = await approver.scanQr(textFromCamera);
 * if (confirm(`Sign in ${requester.browser} on ${requester.os}?`)) await approver.approve(id);
 */
export function createApprover(options: ApproverOptions): Approver {
  const origin = new URL(options.origin).origin;
  const basePath = normalizeBasePath(options.basePath ?? "/qrlogin");
  const fetcher = options.fetch ?? globalThis.fetch.bind(globalThis);
  // Chosen once when the host names a language or words; otherwise each error follows the page.
  const words: Translator | undefined =
    options.lang || options.messages
      ? translatorFor(options.lang ? [options.lang] : pageLanguages(), options.messages)
      : undefined;
  const failure = (code: FaceErrorCode) => new ApiError(code, 0, undefined, words);
  const post = async <T>(path: string, body: unknown) =>
    callApi<T>(fetcher, `${origin}${basePath}${path}`, {
      method: "POST",
      body,
      headers: await options.headers?.(),
      words,
    });

  const readScanToken = (scanned: string): string => {
    let url: URL;
    try {
      url = new URL(scanned.trim());
    } catch {
      throw failure("QR_NOT_A_SIGN_IN_CODE");
    }
    if (url.origin !== origin) throw failure("QR_FOREIGN_ORIGIN");
    const token = new URLSearchParams(url.hash.slice(1)).get("t");
    if (url.pathname !== `${basePath}/a` || !token) throw failure("QR_NOT_A_SIGN_IN_CODE");
    return token;
  };
  const scan = (input: { token: string } | { userCode: string }) => post<RequestCard>("/scan", input);
  const approve = (id: string, { number, assertion }: { number?: number; assertion?: PasskeyAssertion } = {}) =>
    post<Decision>(`/requests/${encodeURIComponent(id)}/approve`, {
      ...(number === undefined ? {} : { number }),
      ...(assertion === undefined ? {} : { assertion }),
    });
  const approvalOptions = async (id: string) =>
    callApi<PasskeyChallenge>(fetcher, `${origin}${basePath}/requests/${encodeURIComponent(id)}/approval-options`, {
      method: "GET",
      headers: await options.headers?.(),
      words,
    });
  const approveWithPasskey = async (card: RequestCard, { number }: { number?: number } = {}) => {
    if (card.passkeyApproval === "off") return approve(card.id, { number });
    const challenge = await approvalOptions(card.id);
    if (!challenge.publicKey) {
      if (challenge.userVerification === "required") throw failure("PASSKEY_REQUIRED");
      return approve(card.id, { number });
    }
    if (!(await challengeFitsCard(challenge, card))) throw failure("CARD_CHANGED");
    const assertion = await (options.passkey ?? askPasskey)(challenge.publicKey);
    return approve(card.id, { number, assertion });
  };
  const listPushes = async () =>
    (
      await callApi<{ requests: RequestCard[] }>(fetcher, `${origin}${basePath}/approver/requests`, {
        method: "GET",
        headers: await options.headers?.(),
        words,
      })
    ).requests;

  const followPushes = (handlers: PushFeedHandlers) => {
    const delivered = new Set<string>();
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const stop = () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
    };
    // Each connection sends every waiting push again: deliver each request once.
    const deliver = (card: RequestCard) => {
      if (stopped || delivered.has(card.id)) return;
      delivered.add(card.id);
      handlers.onPush(card);
    };
    // A new connection cannot say what was resolved while none was open. Of the requests delivered
    // before asking, those no longer listed are gone; later ones are left alone.
    const resync = async () => {
      const before = [...delivered];
      const waiting = await listPushes();
      const ids = new Set(waiting.map((card) => card.id));
      for (const id of before) if (!stopped && !ids.has(id) && delivered.delete(id)) handlers.onResolved(id);
      return waiting;
    };
    const connect = (resuming: boolean) => {
      const current = new EventSource(`${origin}${basePath}/approver/events`);
      source = current;
      let reconnecting = resuming;
      const on = <E extends keyof ApproverEvents>(event: E, handle: (data: ApproverEvents[E]) => void) =>
        current.addEventListener(event, (message) => {
          if (!stopped) handle(JSON.parse((message as MessageEvent<string>).data) as ApproverEvents[E]);
        });
      on("push", deliver);
      on("resolved", ({ id }) => {
        if (delivered.delete(id)) handlers.onResolved(id);
      });
      on("alert", (alert) => handlers.onAlert(alert));
      current.addEventListener("open", () => {
        if (!reconnecting) return;
        reconnecting = false;
        resync().catch(() => {}); // a refused line is reported by the stream's own error below
      });
      current.addEventListener("error", () => {
        if (stopped) return;
        if (current.readyState !== EventSource.CLOSED) {
          reconnecting = true; // the browser reconnects by itself
          return;
        }
        // CLOSED: the server answered with an error, not a stream; the same call as JSON says which.
        current.close();
        resync().then(
          (waiting) => {
            // The list answers, so only the stream was refused (e.g. TOO_MANY_STREAMS): show what
            // waits now, and open the stream again later.
            for (const card of waiting) deliver(card);
            if (!stopped) retry = setTimeout(() => connect(true), busyRetryDelay());
          },
          (error: unknown) => {
            stop();
            handlers.onError(error instanceof ApiError ? error : failure("NETWORK_ERROR"));
          },
        );
      });
    };
    connect(false);
    return stop;
  };

  return {
    readScanToken,
    scan,
    scanQr: (scanned) => scan({ token: readScanToken(scanned) }),
    approve,
    approveWithPasskey,
    approvalOptions,
    deny: (id, { reason } = {}) => post<Decision>(`/requests/${encodeURIComponent(id)}/deny`, reason ? { reason } : {}),
    listPushes,
    followPushes,
  };
}
