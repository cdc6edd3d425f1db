import { performance } from "node:perf_hooks";
import { type Episode, parseTraces, replayEpisode } from "./replay.ts";
import { type CheckResult, MODEL_CHECKS, type ModelCheck, type ModelName, pool, simulate, verify } from "./spin.ts";

/** How many random traces of each real model are replayed against the code (1,600 in all). */
export const TRACES: Record<ModelName, number> = { signin: 600, relay: 600, number: 400 };
/** Episodes per spin run: spin prints many traces per run, so a few runs make them all. */
const EPISODES_PER_RUN = 200;

/** Verifies every model and weakened variant, two at a time (one per core). */
export function runChecks(
  checks: ModelCheck[] = MODEL_CHECKS,
  onResult?: (result: CheckResult) => void,
): Promise<CheckResult[]> {
  return pool(checks, async (check) => {
    const result = await verify(check);
    onResult?.(result);
    return result;
  });
}

export interface ReplayResult {
  model: ModelName;
  episodes: number;
  steps: number;
  seconds: number;
  /** How often each outcome of each operation occurred, e.g. `approve WRONG_NUMBER`. */
  outcomes: Map<string, number>;
}

/**
 * Simulates each real model with spin (seeds from `seed`), then replays every trace against
 * LoginFlows; throws ReplayMismatch at the first disagreement.
 */
export async function runReplays(seed: number, traces: Record<ModelName, number> = TRACES): Promise<ReplayResult[]> {
  const runs = (Object.keys(traces) as ModelName[]).flatMap((model) =>
    Array.from({ length: Math.ceil(traces[model] / EPISODES_PER_RUN) }, (_, i) => ({
      model,
      seed: seed + i,
      episodes: Math.min(EPISODES_PER_RUN, traces[model] - i * EPISODES_PER_RUN),
    })),
  );
  const outputs = await pool(runs, (run) => simulate(run.model, run.seed, run.episodes));
  const byModel = new Map<ModelName, Episode[]>();
  for (const [i, run] of runs.entries()) {
    const episodes = parseTraces(run.model, outputs[i] as string);
    if (episodes.length !== run.episodes) {
      throw new Error(`spin printed ${episodes.length} traces of ${run.model}, not ${run.episodes} (seed ${run.seed})`);
    }
    byModel.set(run.model, [...(byModel.get(run.model) ?? []), ...episodes]);
  }
  const results: ReplayResult[] = [];
  for (const [model, episodes] of byModel) {
    const started = performance.now();
    const outcomes = new Map<string, number>();
    let steps = 0;
    for (const episode of episodes) {
      steps += await replayEpisode(episode);
      for (const step of episode.steps) {
        const key = `${step.op} ${step.outcome}`;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      }
    }
    results.push({ model, episodes: episodes.length, steps, seconds: (performance.now() - started) / 1000, outcomes });
  }
  return results;
}

/** The seed of this run's simulations: QRLOGIN_MODEL_SEED to replay a failure, a fresh one otherwise. */
export function modelSeed(): number {
  const given = process.env.QRLOGIN_MODEL_SEED;
  return given ? Number(given) : 1 + Math.floor(Math.random() * 1_000_000);
}
