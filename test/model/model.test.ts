import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { modelSeed, runChecks, runReplays, TRACES } from "./run.ts";
import { PROPERTIES, toolsMissing } from "./spin.ts";

/**
 * The protocol's Promela models (model/, docs/model.md), checked with SPIN as `npm run model` does:
 * every property of the real models holds, every weakened variant fails its property with a
 * counterexample, and random traces of the models replay step by step against LoginFlows.
 * Without spin (or gcc) the tests are skipped with a message, unless QRLOGIN_REQUIRE_SERVICES=1.
 */
const missing = await toolsMissing();
const required = process.env.QRLOGIN_REQUIRE_SERVICES === "1";
if (missing && !required) console.warn(`# ${missing}: the model checks are skipped (apt-get install spin gcc)`);
const skip = missing && !required ? missing : false;
const TIMEOUT = 15 * 60_000;

function requireTools(): void {
  if (missing) {
    assert.fail(
      `${missing} — but QRLOGIN_REQUIRE_SERVICES=1 forbids skipping the model checks: apt-get install -y spin gcc`,
    );
  }
}

describe("the models of the protocol (SPIN)", () => {
  it("the real models verify every property; every weakened variant, and the known finding, fail with a counterexample", {
    skip,
    timeout: TIMEOUT,
  }, async () => {
    requireTools();
    const failures: string[] = [];
    for (const result of await runChecks()) {
      const { check } = result;
      for (const claim of result.claims) {
        const name = `${check.model}${check.weak ? ` -D${check.weak}` : ""} ${claim.claim}`;
        if (claim.problem) failures.push(`${name}: ${claim.problem}`);
        else if (check.expect === "holds" && claim.errors !== 0) {
          failures.push(
            `${name} is violated (${PROPERTIES[claim.claim]}); the counterexample:\n  ${claim.counterexample.join("\n  ")}`,
          );
        } else if (check.expect === "violated" && !(claim.errors > 0)) {
          failures.push(
            check.witness
              ? `${name}: no run of the real model does this: ${check.witness}; the properties may hold vacuously`
              : check.finding
                ? `${name}: the finding no longer reproduces (${check.finding}); if the code changed, update the model and docs/model.md`
                : `${name}: SPIN found no counterexample in the weakened model (${check.weakening})`,
          );
        } else if (check.expect === "violated" && claim.counterexample.length === 0) {
          failures.push(`${name}: SPIN reported an error but the trail printed no steps`);
        }
      }
    }
    assert.deepEqual(failures, []);
  });

  const total = Object.values(TRACES).reduce((a, b) => a + b, 0);
  it(`${total} random traces of the models replay step by step against LoginFlows`, {
    skip,
    timeout: TIMEOUT,
  }, async () => {
    requireTools();
    const seed = modelSeed();
    // A mismatch throws, naming the step and showing the trace up to it; the seed repeats the run.
    const results = await runReplays(seed).catch((error: Error) => {
      throw new Error(`${error.message}\n(QRLOGIN_MODEL_SEED=${seed} repeats this run)`);
    });
    const replayed = results.reduce((n, r) => n + r.episodes, 0);
    assert.ok(replayed >= 1000, `only ${replayed} traces were replayed`);
    // The traces must reach the ends of the flows, not only their refusals.
    const seen = (model: string, key: string) => results.find((r) => r.model === model)?.outcomes.get(key) ?? 0;
    for (const [model, key] of [
      ["signin", "hook ok"],
      ["signin", "hook SESSION_FAILED"],
      ["signin", "redeem REDEMPTION_IN_PROGRESS"],
      ["signin", "redeem replayed"],
      ["signin", "approve WRONG_NUMBER"],
      ["signin", "show ok"],
      ["signin", "show slow_down"],
      ["signin", "scan expired_token"],
      ["signin", "code ok"],
      ["signin", "code USER_CODE_INVALID"],
      ["relay", "scan NETWORK_MISMATCH"],
      ["relay", "approve NETWORK_MISMATCH"],
      ["relay", "hook ok"],
      ["number", "cas ok"],
      ["number", "cas WRONG_NUMBER"],
    ] as const) {
      assert.ok(seen(model, key) > 0, `no ${model} trace had the outcome "${key}" (seed ${seed})`);
    }
  });
});
