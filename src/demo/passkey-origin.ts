import { isIP } from "node:net";

/**
 * Why browsers refuse passkeys on the page at `url`, in words for the person, or `null` when they
 * allow them. WebAuthn needs a domain name as its relying party (never an IP address) on a secure
 * origin: HTTPS, or localhost. The LAN address `npm start` prints is an IP address, so there a
 * phone signs up with a password.
 * @example passkeyBlocker(new URL("http://localhost:3000/phone")) // null
 * @example passkeyBlocker(new URL("http://192.168.1.5:3000/phone")) // "Passkeys aren't available at 192.168.1.5:3000…"
 */
export function passkeyBlocker(url: URL): string | null {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const local = host === "localhost" || host.endsWith(".localhost");
  if (isIP(host) === 0 && (local || url.protocol === "https:")) return null;
  const here = `http://localhost${url.port ? `:${url.port}` : ""}/phone`;
  return (
    `Passkeys aren't available at ${url.host}: browsers allow them only at localhost or at a domain name over HTTPS. ` +
    `Use a password here (on the computer running the demo, ${here} takes passkeys).`
  );
}
