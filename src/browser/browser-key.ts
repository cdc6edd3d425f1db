import { base64url } from "./base64url.ts";

/** The public half of a browser key, as sent in the create body (`publicKey`). */
export interface BrowserPublicKey {
  kty: "EC";
  crv: "P-256";
  x: string;
  y: string;
}

/** A non-extractable P-256 key held by the desktop for one request: its "browser key". */
export interface BrowserKey {
  publicKey: BrowserPublicKey;
  /** Signs `"qrlogin-redeem:" + id`; the signature is raw r‖s, base64url-encoded. */
  signRedeem(id: string): Promise<string>;
}

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256" } as const;

/**
 * Makes a browser key, or `null` where WebCrypto is missing (plain-HTTP pages other than
 * localhost are not a secure context): the sign-in still works, only without this extra proof.
 * @example
 * const key = await createBrowserKey();
 * await fetch("/qrlogin/requests", { method: "POST", body: JSON.stringify({ publicKey: key?.publicKey }) });
 */
export async function createBrowserKey(): Promise<BrowserKey | null> {
  if (!globalThis.crypto?.subtle) return null;
  // Non-extractable: script on the page can use the key but never read it out.
  const pair = await crypto.subtle.generateKey(ALGORITHM, false, ["sign"]);
  const jwk = await crypto.subtle.exportKey("jwk", pair.publicKey);
  const publicKey: BrowserPublicKey = { kty: "EC", crv: "P-256", x: String(jwk.x), y: String(jwk.y) };
  return {
    publicKey,
    async signRedeem(id) {
      const message = new TextEncoder().encode(`qrlogin-redeem:${id}`);
      return base64url(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, pair.privateKey, message));
    },
  };
}
