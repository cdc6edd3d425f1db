import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";

/**
 * The package as published: compiled by `npm run build`'s config and loaded by plain Node 20, with
 * no TypeScript loader, then driven through a whole sign-in.
 */
describe("the built package", () => {
  it("compiles and signs a desktop in under plain node", () => {
    // Inside node_modules, so the compiled files resolve the package's dependencies as an install would.
    mkdirSync("node_modules/.cache", { recursive: true });
    const outDir = mkdtempSync(join(process.cwd(), "node_modules/.cache/qrlogin-dist-"));
    execFileSync(
      process.execPath,
      ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json", "--outDir", outDir],
      {
        stdio: "pipe",
      },
    );
    const script = `
      const { createQrLogin, MemoryStore } = await import(${JSON.stringify(join(outDir, "index.js"))});
      const qr = createQrLogin({
        store: new MemoryStore(), origin: "https://example.com",
        authenticateApprover: () => ({ userId: "alice" }), issueSession: () => ({ body: { ok: true } }),
      });
      const call = (path, init = {}) => qr.handler(new Request("https://example.com/qrlogin" + path, init), { ip: "203.0.113.1" });
      const created = await call("/requests", { method: "POST" });
      const { id, qr: schedule } = await created.json();
      // The first period's QR, made as the desktop makes it (docs/api.md).
      const { createHmac } = await import("node:crypto");
      const period = Buffer.from([0, 0]);
      const mac = createHmac("sha256", Buffer.from(schedule.key, "base64url")).update(period).digest().subarray(0, 16);
      const url = schedule.base + Buffer.concat([period, mac]).toString("base64url");
      const cookie = created.headers.get("set-cookie").split(";")[0];
      const post = { method: "POST", headers: { "content-type": "application/json" } };
      await call("/scan", { ...post, body: JSON.stringify({ token: new URL(url).hash.slice(3) }) });
      await call("/requests/" + id + "/approve", post);
      const redeemed = await call("/requests/" + id + "/redeem", { method: "POST", headers: { cookie } });
      console.log(JSON.stringify(await redeemed.json()));
      await qr.close();
    `;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    rmSync(outDir, { recursive: true, force: true });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), {
      id: JSON.parse(run.stdout).id,
      status: "redeemed",
      userId: "alice",
      session: { ok: true },
    });
  });
});
