import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { cliInPty, noPty, ROOT, Running, USER_CODE } from "./processes.ts";

/**
 * The bench's node-oidc-provider, whose packages are installed apart (`cd bench && npm ci`);
 * QRLOGIN_BENCH_DIR points at another checkout's bench folder that has them.
 */
const BENCH = process.env.QRLOGIN_BENCH_DIR ?? join(ROOT, "bench");
const missing = existsSync(join(BENCH, "node_modules", "oidc-provider"))
  ? false
  : `node-oidc-provider is not installed under ${BENCH} (run \`cd bench && npm ci\`); this test is skipped`;
if (missing && process.env.QRLOGIN_REQUIRE_SERVICES === "1") {
  throw new Error(`${missing} — but QRLOGIN_REQUIRE_SERVICES=1 forbids skipping`);
}
if (missing) console.warn(`# ${missing}`);

/** The bench's phone for node-oidc-provider: opens the verification page, submits the code, confirms. */
interface OidcDevice {
  claim(codes: { userCode: string }): Promise<() => Promise<void>>;
}

describe("qrlogin login against node-oidc-provider (another RFC 8628 server)", { skip: noPty || missing }, () => {
  let provider: Running;
  let base: string;
  let terminal: Running | undefined;

  before(async () => {
    provider = new Running(spawn(process.execPath, [join(BENCH, "servers", "oidc-provider.mjs")], { cwd: BENCH }));
    const [, port] = await provider.waitFor(/"port":(\d+)/);
    base = `http://127.0.0.1:${port}`;
  });
  after(() => {
    terminal?.stop();
    provider?.stop();
  });

  it("finds the endpoints by OpenID discovery, shows the code, and prints the token response once approved", async () => {
    terminal = cliInPty(["login", base, "--client-id", "bench-device", "--scope", "openid", "--json", "--verbose"]);
    const [, userCode] = await terminal.waitFor(USER_CODE);
    // No RFC 8414 document there: the OpenID Connect one names the endpoints.
    assert.match(terminal.output, new RegExp(`Device authorization endpoint: ${base}/device/auth`));
    assert.match(terminal.output, new RegExp(`from ${base}/\\.well-known/openid-configuration`));
    assert.ok(terminal.output.includes(`${base}/device\r\n`), "the verification URI");

    // The approval goes through the provider's own pages, as the benchmark's phone does it.
    const flows = (await import(pathToFileURL(join(BENCH, "lib", "flows.mjs")).href)) as {
      oidcDevice(base: string, options: { user: string }): OidcDevice;
    };
    const confirm = await flows.oidcDevice(base, { user: "alice" }).claim({ userCode: userCode as string });
    await confirm();

    assert.equal(await terminal.exited, 0, terminal.output);
    const json = terminal.output.slice(terminal.output.indexOf("Signed in.") + "Signed in.".length);
    const token = JSON.parse(json) as Record<string, unknown>;
    assert.equal(token.token_type, "Bearer");
    assert.equal(typeof token.access_token, "string");
    assert.equal(typeof token.id_token, "string", "scope openid brought an ID token");
  });
});
