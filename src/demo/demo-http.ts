import type { IncomingMessage, ServerResponse } from "node:http";

// The demo's pages load scripts and styles from this origin only and are never framed.
const PAGE_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "cache-control": "no-store",
};

/** Sends a complete answer with the demo's security headers. */
export function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  headers: Record<string, string | string[]> = {},
): void {
  res.writeHead(status, { ...PAGE_HEADERS, "content-type": `${type}; charset=utf-8`, ...headers });
  res.end(body);
}

/** A 303 to `location` (after a form post, so a reload does not post again). */
export function redirect(res: ServerResponse, location: string, headers: Record<string, string | string[]> = {}): void {
  send(res, 303, "text/plain", "", { location, ...headers });
}

/** A JSON answer. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
): void {
  send(res, status, "application/json", JSON.stringify(body), headers);
}

/** Reads a small JSON body; `undefined` if it is missing, too large or not JSON. */
export async function readJson(req: IncomingMessage, limit = 16_384): Promise<Record<string, unknown> | undefined> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    return value && typeof value === "object" ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** CSRF defence for the demo's own posts: a browser names the page's origin; another site's is refused. */
export function fromOwnOrigin(req: IncomingMessage, origin: string): boolean {
  const sent = req.headers.origin;
  return req.headers["sec-fetch-site"] !== "cross-site" && (sent === undefined || sent === origin);
}
