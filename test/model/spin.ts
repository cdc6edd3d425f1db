import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The Promela models, in `model/` at the repository's root. */
export const MODEL_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../model");

export type ModelName = "signin" | "relay" | "number";

/** One verification: a model (or one of its weakened variants) against some of its LTL claims. */
export interface ModelCheck {
  model: ModelName;
  /** The `-DWEAK_...` switch of a weakened variant; none for the real model. */
  weak?: string;
  /** What the variant leaves out, in words. */
  weakening?: string;
  /**
   * Set when the switch is no weakening but the code as it is under a condition the real model
   * leaves out: the counterexample is then a finding about the code, documented in docs/model.md.
   */
  finding?: string;
  /** Set for witnesses: claims of the real model that must be violated, so the properties are not vacuous. */
  witness?: string;
  claims: string[];
  /** The real models must verify; every weakened one must fail its claims with a counterexample. */
  expect: "holds" | "violated";
}

/** Each property and the threat of SECURITY.md it answers. */
export const PROPERTIES: Record<string, string> = {
  p1_secret:
    "a session goes only to a desktop holding the request's browser secret (and its browser key, if it has one) — photographed QR, stolen browser secret",
  p1_approval:
    "a session only after the approval of the account whose phone claimed the request — approving the wrong request, login CSRF",
  p2_once: "at most one session per request, whatever the interleaving — replay, a host hook that fails",
  p3_relay:
    "the attacker's desktop gets the user's account only if she approved on a card showing his network, never under refuse — QRLJacking, phishing 'approve now'",
  p4_one_guess: "no path evaluates two answers to the number — a blind guesser at number matching",
  p4_first_guess: "a blind phone gets in only if its one evaluated answer is the number — a blind guesser",
  p5_dead: "a request seen expired or cancelled is never redeemed — a stale code, replay",
};

const ALL_SIGNIN = ["p1_secret", "p1_approval", "p2_once", "p3_relay", "p5_dead"];
const ALL_NUMBER = ["p4_one_guess", "p4_first_guess"];

/** Every verification `npm run model` and the test run. */
export const MODEL_CHECKS: ModelCheck[] = [
  { model: "signin", claims: ALL_SIGNIN, expect: "holds" },
  { model: "relay", claims: ALL_SIGNIN, expect: "holds" },
  { model: "number", claims: ALL_NUMBER, expect: "holds" },
  {
    model: "signin",
    witness: "the user's desktop can sign in to her account",
    claims: ["w_user_signs_in"],
    expect: "violated",
  },
  {
    model: "relay",
    witness: "the attacker's desktop gets her account once she approves his request on a card showing his network",
    claims: ["w_relay_approved"],
    expect: "violated",
  },
  {
    model: "number",
    witness: "a blind guess wins when it is the number",
    claims: ["w_blind_guess_wins"],
    expect: "violated",
  },
  {
    model: "signin",
    weak: "WEAK_APPROVE_UNCLAIMED",
    weakening: "approve by id, without a claim or the claimer's account",
    claims: ["p1_approval"],
    expect: "violated",
  },
  {
    model: "relay",
    weak: "WEAK_APPROVE_UNCLAIMED",
    weakening: "approve by id, without a claim or the claimer's account",
    claims: ["p3_relay"],
    expect: "violated",
  },
  {
    model: "signin",
    weak: "WEAK_NO_BROWSER_SECRET",
    weakening: "redeem without the browser secret",
    claims: ["p1_secret"],
    expect: "violated",
  },
  {
    model: "signin",
    weak: "WEAK_NO_LEASE",
    weakening: "redeem without the lease: the hook first, the approval consumed after",
    claims: ["p2_once"],
    expect: "violated",
  },
  {
    model: "signin",
    weak: "WEAK_TTL_EXPIRY",
    weakening: "expiry left to a store sweeper instead of computed from deadlines",
    claims: ["p5_dead"],
    expect: "violated",
  },
  {
    model: "relay",
    weak: "WEAK_REFUSE_QR_ONLY",
    weakening: 'relayPolicy "refuse" for scans and codes only, not for push approvals',
    claims: ["p3_relay"],
    expect: "violated",
  },
  {
    model: "signin",
    weak: "SLOW_NOTIFIER",
    weakening: "none: the code as it is, with a notifier whose publish may stall",
    finding:
      "LoginFlows.redeem starts the hook's timeout only after publishing the lease; a publish that stalls longer than redemptionLease − hookTimeoutMs lets a second redemption take the lease over, and both get a session",
    claims: ["p2_once"],
    expect: "violated",
  },
  {
    model: "number",
    weak: "WEAK_THREE_TRIES",
    weakening: "three tries, for three choices",
    claims: ALL_NUMBER,
    expect: "violated",
  },
  {
    model: "number",
    weak: "WEAK_LOCKOUT_BEFORE_COUNT",
    weakening: "one try, but the lockout read before the answer is counted",
    claims: ALL_NUMBER,
    expect: "violated",
  },
];

/** What pan reported for one claim. */
export interface ClaimResult {
  claim: string;
  errors: number;
  statesStored: number;
  statesMatched: number;
  transitions: number;
  depth: number;
  seconds: number;
  memoryMb: number;
  /** The steps of the counterexample (`@` lines of `spin -t`), when pan found one. */
  counterexample: string[];
  /** Why the result cannot be trusted (an incomplete search), if it cannot. */
  problem: string | null;
}

export interface CheckResult {
  check: ModelCheck;
  claims: ClaimResult[];
  /** Whether every claim came out as `check.expect` says. */
  passed: boolean;
}

function run(file: string, args: string[], cwd: string, timeoutMs = 600_000): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(file, args, { cwd, timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(" ")} failed: ${error.message}\n${stderr}${stdout}`));
      else resolvePromise(stdout);
    });
  });
}

/** `spin -V`, or null when spin is not installed. */
export async function spinVersion(): Promise<string | null> {
  try {
    return (await run("spin", ["-V"], tmpdir(), 10_000)).trim();
  } catch {
    return null;
  }
}

/** What is missing to check the models (spin, and gcc for its preprocessor and pan), or null. */
export async function toolsMissing(): Promise<string | null> {
  if (!(await spinVersion())) return "spin is not installed";
  try {
    await run("gcc", ["--version"], tmpdir(), 10_000);
  } catch {
    return "gcc is not installed (spin needs it to preprocess the models and to compile pan)";
  }
  return null;
}

/** A fresh temporary directory holding copies of the models: pan, its sources and trails go there. */
export function modelWorkspace(): string {
  const dir = mkdtempSync(join(tmpdir(), "qrlogin-model-"));
  for (const file of readdirSync(MODEL_DIR)) {
    if (file.endsWith(".pml")) copyFileSync(join(MODEL_DIR, file), join(dir, file));
  }
  return dir;
}

function count(output: string, pattern: RegExp): number {
  const match = pattern.exec(output);
  return match ? Number(match[1]) : Number.NaN;
}

/** The depth bound of a full search: far beyond the deepest path of any model. */
const FULL_DEPTH = 100_000;

/** Compiles the model (or a weakened variant) and runs pan on each claim; weakened ones stop at the first error. */
export async function verify(check: ModelCheck): Promise<CheckResult> {
  const dir = modelWorkspace();
  try {
    const file = `${check.model}.pml`;
    const defines = check.weak ? [`-D${check.weak}`] : [];
    await run("spin", [...defines, "-a", file], dir);
    // The real models get the full search. A search that must find a counterexample (a weakened
    // variant, a witness, a finding) is cut at a depth that doubles until it finds one: a short
    // counterexample, the easiest to read, in little memory.
    const full = check.expect === "holds";
    await run("gcc", [full ? "-O2" : "-O0", "-w", "-o", "pan", "pan.c"], dir);
    const claims: ClaimResult[] = [];
    for (const claim of check.claims) {
      let out = "";
      for (const depth of full ? [FULL_DEPTH] : [100, 200, 400, 800, 1600, FULL_DEPTH]) {
        out = await run("./pan", ["-a", "-N", claim, `-m${depth}`, "-w22"], dir);
        if (!full && count(out, /errors: (\d+)/) > 0) break;
      }
      const errors = count(out, /errors: (\d+)/);
      let problem: string | null = null;
      if (full && /max search depth too small/.test(out)) problem = "the search was cut at its depth limit";
      if (Number.isNaN(errors)) problem = `pan gave no result:\n${out}`;
      let counterexample: string[] = [];
      if (errors > 0) {
        const replay = await run("spin", [...defines, "-t", "-T", file], dir);
        counterexample = replay.split("\n").filter((line) => line.startsWith("@"));
        rmSync(join(dir, `${file}.trail`), { force: true });
      }
      claims.push({
        claim,
        errors,
        statesStored: count(out, /(\d+) states, stored/),
        statesMatched: count(out, /(\d+) states, matched/),
        transitions: count(out, /(\d+) transitions \(= stored\+matched\)/),
        depth: count(out, /depth reached (\d+)/),
        seconds: count(out, /elapsed time ([\d.e+-]+) seconds/),
        memoryMb: count(out, /([\d.]+)\s+total actual memory usage/),
        counterexample,
        problem,
      });
    }
    const passed = claims.every(
      (c) => c.problem === null && (check.expect === "holds" ? c.errors === 0 : c.errors > 0),
    );
    return { check, claims, passed };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `work` over `items`, at most `limit` at a time (by default one per core), keeping their order. */
export async function pool<T, R>(items: T[], work: (item: T) => Promise<R>, limit = availableParallelism()) {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** Random simulations of a real model: `episodes` traces from one spin run with this seed. */
export async function simulate(model: ModelName, seed: number, episodes: number): Promise<string> {
  const dir = modelWorkspace();
  try {
    return await run("spin", ["-T", `-n${seed}`, `-DTRACES=${episodes}`, `${model}.pml`], dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
