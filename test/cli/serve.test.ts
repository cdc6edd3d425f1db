import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cli, type Running, startDemo } from "./processes.ts";

describe("qrlogin serve", () => {
  let dataDir: string;
  const started: Running[] = [];
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), "qrlogin-cli-serve-"));
  });
  after(() => {
    for (const child of started) child.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("a port in use ends in one friendly line and exit code 1", async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const { port } = holder.address() as { port: number };
    try {
      const child = cli(["serve", "--host", "127.0.0.1", "--data-dir", dataDir], { PORT: String(port) });
      started.push(child);
      assert.equal(await child.exited, 1, child.output);
      assert.equal(
        child.stderr,
        `qrlogin: Cannot listen on 127.0.0.1 port ${port}: it is already in use. Stop what holds it, or pick another with --port.\n`,
      );
      assert.doesNotMatch(child.output, /\n\s+at /, "no stack trace");
    } finally {
      holder.close();
    }
  });

  it("a PORT that is not a port is a usage error (exit code 2)", async () => {
    const child = cli(["serve", "--data-dir", dataDir], { PORT: "eighty" });
    assert.equal(await child.exited, 2);
    assert.match(
      child.stderr,
      /value 'eighty' from env 'PORT' is invalid\. A port is a whole number from 0 to 65535\./,
    );
  });

  it("serves the device flow by default, and not with --no-device-flow", async () => {
    const on = await startDemo(join(dataDir, "on"));
    const off = await startDemo(join(dataDir, "off"), ["--no-device-flow"]);
    started.push(on.server, off.server);
    const authorize = (base: string) =>
      fetch(`${base}/qrlogin/oauth/device_authorization`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "client_id=qrlogin-cli",
      });
    const answer = await authorize(on.url);
    assert.equal(answer.status, 200);
    assert.equal(((await answer.json()) as { interval: number }).interval, 5);
    assert.match(on.server.output, /Or sign a terminal in: npm run qrlogin -- login http:\/\/127\.0\.0\.1:\d+/);
    assert.equal((await authorize(off.url)).status, 404);

    on.server.child.kill("SIGTERM");
    assert.equal(await on.server.exited, 0, "SIGTERM closes the server and the store, then exits 0");
  });
});
