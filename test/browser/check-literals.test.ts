import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";

const SCRIPT = "scripts/check-literals.mjs";
const CAUGHT = "test/browser/fixtures/user-visible-literals.ts";
const ALLOWED = "test/browser/fixtures/allowed-literals.ts";

/** Runs the lint check on `paths` (none: the browser code, as `npm run lint` does). */
function check(...paths: string[]) {
  return spawnSync(process.execPath, [SCRIPT, ...paths], { encoding: "utf8" });
}

describe("the check for user-visible literals (npm run lint)", () => {
  it("fails on a literal in each place words reach the screen, naming the line and why", () => {
    const run = check(CAUGHT);
    assert.equal(run.status, 1, run.stderr);
    const expected = readFileSync(CAUGHT, "utf8")
      .split("\n")
      .flatMap((line, index) => {
        const why = /\/\/ expect: (.+)$/.exec(line)?.[1];
        return why ? [{ line: index + 1, why }] : [];
      });
    assert.ok(expected.length >= 10, "the fixture covers every rule");
    for (const { line, why } of expected) {
      assert.match(
        run.stderr,
        new RegExp(`${CAUGHT}:${line}:\\d+  user-visible literal ${why}`),
        `line ${line}: ${why}`,
      );
    }
    const reported = run.stderr.split("\n").filter((line) => line.startsWith(CAUGHT)).length;
    assert.equal(reported, expected.length, "nothing else is reported");
  });

  it("lets through strings that are not for people, and a literal marked `i18n-allow: <why>`", () => {
    const run = check(ALLOWED);
    assert.equal(run.status, 0, run.stderr);
  });

  it("passes the browser code, whose words are all in the catalogues", () => {
    const run = check();
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /no user-visible literal outside the catalogues/);
  });
});
