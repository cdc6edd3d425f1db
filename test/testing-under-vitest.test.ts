import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";

/** `qrlogin/testing` is not tied to node's runner: the example store passes the suite under vitest too. */
describe("the conformance suite under vitest", () => {
  it("passes on the example MapStore, with vitest's own describe, it and hooks", () => {
    const run = spawnSync(
      process.execPath,
      ["node_modules/vitest/vitest.mjs", "run", "examples/map-store/map-store.spec.ts", "--reporter=dot"],
      { encoding: "utf8", env: { ...process.env, NO_COLOR: "1", CI: "1" }, timeout: 120_000 },
    );
    const output = `${run.stdout}\n${run.stderr}`;
    assert.equal(run.status, 0, output);
    const passed = /Tests\s+(\d+) passed/.exec(output);
    assert.ok(passed && Number(passed[1]) >= 20, `every conformance test ran:\n${output}`);
  });
});
