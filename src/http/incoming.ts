import { QrLoginError } from "../core/errors.ts";

/**
 * One HTTP request as the route table sees it, whatever server received it. Hooks such as
 * `authenticateApprover` get this, so no framework type reaches the public API.
 */
export interface IncomingRequest {
  /** Upper-case method. */
  readonly method: string;
  /** The full URL, with the origin the server believes it was reached at. */
  readonly url: URL;
  /**
   * The prefix the host's router mounted qrlogin under and stripped before handing the request on
   * (Express's `req.baseUrl`), already part of `url`: qrlogin serves under `mountPath + basePath`.
   * Empty or absent when mounted at the root, and always for a Web `Request`, whose URL is whole.
   */
  readonly mountPath?: string;
  /** The client's address (after trusted proxies), if known. */
  readonly ip: string | undefined;
  /** A header by lower-case name; repeated headers are joined with ", ". */
  header(name: string): string | undefined;
  /** A cookie by name. */
  cookie(name: string): string | undefined;
  /** The body as text, refused with `BODY_TOO_LARGE` past `limit` bytes. */
  text(limit: number): Promise<string>;
  /** Aborts when the client goes away. */
  readonly signal: AbortSignal;
}

/**
 * The client went away before its whole body arrived (a closed tab, a dropped network, a reset).
 * Not a server fault, so never logged: any client could otherwise flood the log with stack traces.
 */
export class ClientGone extends Error {
  constructor() {
    super("The client went away before sending its whole body.");
    this.name = "ClientGone";
  }
}

/** The error for a body over `limit` bytes. */
export function tooLarge(limit: number): QrLoginError {
  return new QrLoginError("BODY_TOO_LARGE", `The body is larger than ${limit} bytes.`);
}

/**
 * The entry `trustProxy` hops from the right of an `X-Forwarded-For` chain, or `undefined` when no
 * proxy is trusted or the header is absent.
 * @example forwardedFor("203.0.113.7, 10.0.0.2", 1) // "10.0.0.2"
 */
export function forwardedFor(header: string | undefined, trustProxy: number): string | undefined {
  if (trustProxy <= 0) return undefined;
  const chain = (header ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return chain[chain.length - trustProxy] ?? chain[0];
}

/**
 * `IncomingRequest.cookie` over a request's Cookie header, parsed on first use: most requests read none.
 * @example const cookie = cookieLookup(() => req.headers.cookie);
 */
export function cookieLookup(cookieHeader: () => string | undefined): (name: string) => string | undefined {
  let cookies: Map<string, string> | undefined;
  return (name) => {
    cookies ??= parseCookies(cookieHeader());
    return cookies.get(name);
  };
}

/** Parses a Cookie header; a malformed pair is skipped, never thrown on. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    if (cookies.has(name)) continue; // the first is the most specific path
    let value = pair.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      cookies.set(name, decodeURIComponent(value));
    } catch {
      cookies.set(name, value);
    }
  }
  return cookies;
}

/** A `Set-Cookie` value. */
export function serializeCookie(
  name: string,
  value: string,
  attributes: { path: string; maxAge: number; secure: boolean; httpOnly?: boolean; sameSite?: "Strict" | "Lax" },
): string {
  let cookie = `${name}=${encodeURIComponent(value)}; Path=${attributes.path}; Max-Age=${Math.max(0, Math.floor(attributes.maxAge))}`;
  if (attributes.httpOnly ?? true) cookie += "; HttpOnly";
  cookie += `; SameSite=${attributes.sameSite ?? "Strict"}`;
  if (attributes.secure) cookie += "; Secure";
  return cookie;
}
