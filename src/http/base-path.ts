/** What a base path may hold once trimmed: URL path characters that need no escaping. */
const BASE_PATH = /^\/[A-Za-z0-9/_.-]*$/;

/**
 * The one spelling of a base path that routes, QR URLs and the phone page use: a leading slash, no
 * trailing one, and `""` for the root. Anything that would need escaping in a URL is refused.
 * @example normalizeBasePath("qrlogin/") // "/qrlogin"
 * @example normalizeBasePath("/") // ""
 */
export function normalizeBasePath(path: string): string {
  const trimmed = `/${path.replace(/^\/+|\/+$/g, "")}`;
  if (!BASE_PATH.test(trimmed)) throw new TypeError(`qrlogin: invalid basePath ${JSON.stringify(path)}`);
  return trimmed === "/" ? "" : trimmed;
}
