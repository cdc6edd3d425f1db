import { connect } from "node:net";

/**
 * Whether a test that needs a running service may be skipped. Locally a missing service skips its
 * tests with a message; with QRLOGIN_REQUIRE_SERVICES=1 (set by .ci/run) it fails them instead.
 * Returns `false` when the service is up, or the skip message.
 */
export async function skipUnlessReachable(name: string, url: string): Promise<string | false> {
  const { hostname, port } = new URL(url);
  const up = await new Promise<boolean>((resolve) => {
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ""), port: Number(port) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
  if (up) return false;
  const message = `${name} is not reachable at ${url}; its tests are skipped`;
  if (process.env.QRLOGIN_REQUIRE_SERVICES === "1") {
    throw new Error(`${message} — but QRLOGIN_REQUIRE_SERVICES=1 forbids skipping`);
  }
  console.warn(`# ${message} (set ${name.toUpperCase()}_URL to point elsewhere)`);
  return message;
}
