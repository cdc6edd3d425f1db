import { readFileSync } from "node:fs";

/**
 * This package's version, read from its package.json: two folders up from both `src/cli` and the
 * compiled `dist/cli`.
 */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/** The `User-Agent` of the command line's own HTTP calls, so that an approving phone can say what asks. */
export const USER_AGENT = `qrlogin-cli/${VERSION} (${process.platform}; Node.js ${process.version})`;
