import { createPublicKey, verify } from "node:crypto";
import { QrLoginError } from "./errors.ts";

/** The public half of a desktop's WebCrypto ECDSA P-256 key, as JWK. */
export interface BrowserPublicKey {
  kty: "EC";
  crv: "P-256";
  x: string;
  y: string;
}

const COORDINATE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Checks a public key sent at creation and returns it as the JSON stored with the request; only the
 * four members that define the key are kept. Refuses anything that is not a valid P-256 point.
 */
export function parseBrowserKey(jwk: { kty: string; crv: string; x: string; y: string }): string {
  const { kty, crv, x, y } = jwk;
  if (kty !== "EC" || crv !== "P-256" || !COORDINATE.test(x) || !COORDINATE.test(y)) {
    throw new QrLoginError("invalid_request", "publicKey must be an EC P-256 JWK with x and y.");
  }
  try {
    createPublicKey({ key: { kty, crv, x, y }, format: "jwk" });
  } catch {
    throw new QrLoginError("invalid_request", "publicKey is not a point on P-256.");
  }
  return JSON.stringify({ kty, crv, x, y });
}

/** What the desktop signs to redeem: bound to the request, so a signature is good for one request only. */
export function redemptionMessage(requestId: string): string {
  return `qrlogin-redeem:${requestId}`;
}

/**
 * Proves the redeeming desktop holds the private key whose public half came with the request.
 * `signature` is base64url of the raw r‖s ECDSA-SHA-256 signature WebCrypto produces. Requests
 * made without a key need none.
 */
export function checkBrowserKeyProof(storedKey: string | null, requestId: string, signature: string | undefined): void {
  if (storedKey === null) return;
  if (!signature) {
    throw new QrLoginError(
      "BROWSER_KEY_REQUIRED",
      "This request was made with a browser key; redeeming needs its signature.",
    );
  }
  let valid = false;
  try {
    const key = createPublicKey({ key: JSON.parse(storedKey), format: "jwk" });
    const bytes = Buffer.from(signature, "base64url");
    valid =
      bytes.length === 64 &&
      verify("sha256", Buffer.from(redemptionMessage(requestId)), { key, dsaEncoding: "ieee-p1363" }, bytes);
  } catch {
    valid = false;
  }
  if (!valid) throw new QrLoginError("BROWSER_KEY_INVALID", "The browser key signature does not match.");
}
