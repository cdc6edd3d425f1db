// `npm run model`: checks the Promela models of model/ with SPIN — every property of the real models
// must hold and every weakened variant must fail with a counterexample — then replays random traces of
// the models against LoginFlows. Prints the states explored per model. docs/model.md explains it all.
import { performance } from "node:perf_hooks";
import { modelSeed, runChecks, runReplays, TRACES } from "../test/model/run.ts";
import { type CheckResult, MODEL_CHECKS, PROPERTIES, spinVersion, toolsMissing } from "../test/model/spin.ts";

const started = performance.now();
const missing = await toolsMissing();
if (missing) {
  console.error(`${missing}; the models cannot be checked (Debian: apt-get install spin gcc).`);
  process.exit(1);
}
console.log(`${await spinVersion()}\n`);

const pad = (text: string | number, width: number) => String(text).padEnd(width);
const padLeft = (text: string | number, width: number) => String(text).padStart(width);
const number = (n: number) => (Number.isNaN(n) ? "?" : n.toLocaleString("en-US"));

console.log(
  `${pad("model", 8)}${pad("variant", 27)}${pad("claim", 20)}${pad("result", 16)}${padLeft("stored", 10)}${padLeft("matched", 12)}${padLeft("transitions", 13)}${padLeft("depth", 7)}${padLeft("memory", 11)}${padLeft("time", 9)}`,
);
function report(result: CheckResult): void {
  const { check } = result;
  for (const claim of result.claims) {
    const found = claim.errors > 0 ? (check.witness ? "witnessed" : "counterexample") : "verified";
    const as = (check.expect === "holds") === (claim.errors === 0) && claim.problem === null;
    console.log(
      `${pad(check.model, 8)}${pad(check.weak ?? "(real)", 27)}${pad(claim.claim, 20)}${pad(as ? found : `${found}!`, 16)}${padLeft(number(claim.statesStored), 10)}${padLeft(number(claim.statesMatched), 12)}${padLeft(number(claim.transitions), 13)}${padLeft(number(claim.depth), 7)}${padLeft(`${Math.round(claim.memoryMb)} MB`, 11)}${padLeft(`${claim.seconds} s`, 9)}`,
    );
    if (claim.problem) console.log(`    ${claim.problem}`);
    if (!as) {
      console.log(
        check.expect === "holds"
          ? `    FAILED: ${claim.claim} (${PROPERTIES[claim.claim]}) is violated by the real model:`
          : check.witness
            ? `    FAILED: no run of the real model does this: ${check.witness}; the properties may hold vacuously`
            : check.finding
              ? `    FAILED: the finding no longer reproduces (${check.finding}); if the code changed, update the model and docs/model.md`
              : `    FAILED: the weakened model (${check.weakening}) satisfies ${claim.claim}; the property has no teeth`,
      );
    }
    if (claim.counterexample.length > 0) {
      const steps = claim.counterexample;
      const shown = steps.length > 24 ? [...steps.slice(0, 4), "…", ...steps.slice(-19)] : steps;
      if (check.finding) console.log(`    a finding in the code (docs/model.md): ${check.finding}`);
      if (check.witness) console.log(`    witness: ${check.witness}, in ${steps.length} steps:`);
      else console.log(`    the counterexample (${check.weakening ?? "the real model"}), ${steps.length} steps:`);
      for (const line of shown) console.log(`      ${line}`);
    }
  }
}

const results = await runChecks(MODEL_CHECKS, report);
const failedChecks = results.filter((r) => !r.passed);

console.log("\nproperties:");
for (const [claim, text] of Object.entries(PROPERTIES)) console.log(`  ${pad(claim, 20)}${text}`);

const seed = modelSeed();
const total = Object.values(TRACES).reduce((a, b) => a + b, 0);
console.log(
  `\nreplaying ${total} random traces against LoginFlows (seed ${seed}; QRLOGIN_MODEL_SEED=${seed} repeats it)`,
);
let replayFailed = false;
try {
  const replays = await runReplays(seed);
  for (const r of replays) {
    console.log(
      `  ${pad(r.model, 8)}${padLeft(r.episodes, 5)} traces, ${padLeft(number(r.steps), 7)} steps: every outcome and final status matched (${r.seconds.toFixed(1)} s)`,
    );
  }
} catch (error) {
  replayFailed = true;
  console.error(`  ${(error as Error).message}`);
}

const seconds = ((performance.now() - started) / 1000).toFixed(1);
if (failedChecks.length > 0 || replayFailed) {
  console.error(`\nFAILED in ${seconds} s`);
  process.exit(1);
}
const weakened = MODEL_CHECKS.filter((c) => c.weak && !c.finding).length;
const witnesses = MODEL_CHECKS.filter((c) => c.witness).length;
const findings = MODEL_CHECKS.filter((c) => c.finding).length;
console.log(
  `\nall ${MODEL_CHECKS.filter((c) => c.expect === "holds").length} real models verified (${witnesses} witnesses found), all ${weakened} weakened variants refuted, ${findings} known finding reproduced, ${total} traces replayed, in ${seconds} s`,
);
