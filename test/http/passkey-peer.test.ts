import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const CHILD = fileURLToPath(new URL("./passkey-peer.child.ts", import.meta.url));

/**
 * `@simplewebauthn/server` is an optional peer dependency, loaded on first use: a host without it
 * runs as before, and only verifying an assertion fails, with a log line that names the package.
 */
describe("passkeys without @simplewebauthn/server installed", () => {
  it("sign-ins that need no assertion work; verifying one fails closed, naming the package", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", CHILD], { encoding: "utf8", timeout: 30_000 });
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "{}");
    assert.equal(result.withoutPasskey, 200, "an approval without an assertion never loads the package");
    assert.deepEqual(result.withPasskey, [500, "INTERNAL_ERROR"]);
    assert.equal(result.after, "scanned", "nothing was approved");
    assert.ok(
      result.logged.some((line: string) => /needs the package @simplewebauthn\/server/.test(line)),
      JSON.stringify(result.logged),
    );
  });
});
