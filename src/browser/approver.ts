import { ApiError, callApi } from "./api.ts";

export { ApiError } from "./api.ts";

/** Who is asking to be signed in, as `POST /scan` describes it (DESIGN §4). */
export interface Requester {
  /** e.g. "Chrome 131"; claimed by the requesting browser, not verified. */
  browser: string;
  /** e.g. "Windows 10"; claimed by the browser. */
  os: string;
  /** "desktop", "mobile", "tablet", "tv" or "unknown"; claimed by the browser. */
  device: string;
  /** Always true: browser, OS and device come from the User-Agent. */
  claimedByBrowser: boolean;
  ip: string | null;
  /** Approximate place where a GeoIP database is configured: text, or parts such as city and country. */
  location: string | Record<string, unknown> | null;
  /** Same IPv4 /24 or IPv6 /64 as this phone; `null` when unknown. */
  sameNetwork: boolean | null;
  /** The site origin the request was made from. */
  origin: string | null;
  createdAt: number;
  ageSeconds: number;
}

/** The answer to a scan: the request now bound to this approver, and who is asking. */
export interface ScanResult {
  id: string;
  status: string;
  expiresAt: number;
  requester: Requester;
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
}

/** The phone side of the protocol, bound to one site. */
export interface Approver {
  /** The scan token in a scanned QR, or an {@link ApiError} (`QR_FOREIGN_ORIGIN`, `QR_NOT_A_SIGN_IN_CODE`). */
  readScanToken(scanned: string): string;
  /** Claims the request of a scanned QR's text. */
  scanQr(scanned: string): Promise<ScanResult>;
  /** Claims a request by its token or typed user code. */
  scan(input: { token: string } | { userCode: string }): Promise<ScanResult>;
  /** Approves a scanned request; push requests also need the `number` shown on the desktop. */
  approve(id: string, options?: { number?: number }): Promise<{ id: string; status: string }>;
  /** Denies a scanned request; `reason: "not_me"` says the person never asked for it. */
  deny(id: string, options?: { reason?: "not_me" }): Promise<{ id: string; status: string }>;
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
  const basePath = `/${(options.basePath ?? "/qrlogin").replace(/^\/+|\/+$/g, "")}`.replace(/^\/$/, "");
  const fetcher = options.fetch ?? globalThis.fetch.bind(globalThis);
  const post = async <T>(path: string, body: unknown) =>
    callApi<T>(fetcher, `${origin}${basePath}${path}`, {
      method: "POST",
      body,
      headers: await options.headers?.(),
    });

  const readScanToken = (scanned: string): string => {
    let url: URL;
    try {
      url = new URL(scanned.trim());
    } catch {
      throw new ApiError("QR_NOT_A_SIGN_IN_CODE", 0);
    }
    if (url.origin !== origin) throw new ApiError("QR_FOREIGN_ORIGIN", 0);
    const token = new URLSearchParams(url.hash.slice(1)).get("t");
    if (url.pathname !== `${basePath}/a` || !token) throw new ApiError("QR_NOT_A_SIGN_IN_CODE", 0);
    return token;
  };
  const scan = (input: { token: string } | { userCode: string }) => post<ScanResult>("/scan", input);

  return {
    readScanToken,
    scan,
    scanQr: (scanned) => scan({ token: readScanToken(scanned) }),
    approve: (id, { number } = {}) =>
      post(`/requests/${encodeURIComponent(id)}/approve`, number === undefined ? {} : { number }),
    deny: (id, { reason } = {}) => post(`/requests/${encodeURIComponent(id)}/deny`, reason ? { reason } : {}),
  };
}
