/**
 * Encodes bytes as base64url without padding (RFC 4648 §5), the form JWKs and signatures travel in.
 * @example base64url(new Uint8Array([251, 255])) // "-_8"
 */
export function base64url(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = "";
  for (const byte of view) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * Decodes base64url without padding (RFC 4648 §5).
 * @example fromBase64url("-_8") // Uint8Array [251, 255]
 */
export function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}
