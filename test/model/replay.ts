import { AsyncLocalStorage } from "node:async_hooks";
import { generateKeyPairSync, sign } from "node:crypto";
import { redemptionMessage } from "../../src/core/browser-key.ts";
import { QrLoginError } from "../../src/core/errors.ts";
import type { Lifetimes } from "../../src/core/lifetimes.ts";
import { type LoginRequest, type RequestPatch, statusOf, type TransitionGuard } from "../../src/core/login-request.ts";
import type { RequesterContext } from "../../src/core/requester-context.ts";
import { formatUserCode } from "../../src/core/user-code.ts";
import type { LoginFlows, RelayPolicy } from "../../src/service/login-flows.ts";
import { type Limits, RateLimiter, resolveLimits } from "../../src/service/rate-limits.ts";
import { MemoryStore } from "../../src/store/memory.ts";
import { desktopRequester, flowsOver, ManualClock, scanTokensOf } from "../../src/testing/fixtures.ts";

/**
 * Plays the traces of the models' random simulations against the real LoginFlows on a MemoryStore
 * with a manual clock, step by step, and compares every outcome (accepted, nothing to do, or the
 * error's code) and every request's final status with the model's.
 */

/**
 * One model tick, in the clock's milliseconds. It is also LoginFlows' one typed code a second, which
 * the models count as one per tick; and the models' lifetimes, in ticks, become these milliseconds, so
 * that a scan token's period begins and ends on a tick.
 */
export const TICK_MS = 1000;

/** Where each party calls from: the user's phone beside her desktop or on mobile data, the attacker elsewhere. */
const IP = {
  HOME_DESKTOP: desktopRequester.ip as string,
  HOME_PHONE: "203.0.113.50",
  MOBILE_PHONE: "198.18.0.20",
  ATK_DESKTOP: "198.51.100.66",
  ATK_PHONE: "198.51.100.77",
} as const;
const ACCOUNTS: Record<string, string | null> = { ALICE: "alice", MALLORY: "mallory", NOBODY: null };
const STATUS: Record<string, string> = {
  S_PENDING: "pending",
  S_SCANNED: "scanned",
  S_APPROVED: "approved",
  S_REDEEMING: "redeeming",
  S_DENIED: "denied",
  S_REDEEMED: "redeemed",
  S_CANCELLED: "cancelled",
  S_EXPIRED: "expired",
};

/** One printed step: `@S <tick> <actor> <op> k=v… -> <outcome> [k=v]`. */
export interface Step {
  line: string;
  actor: string;
  op: string;
  args: Record<string, string>;
  outcome: string;
  extra: Record<string, string>;
}

/** One episode of a simulation, from `@B` to `@Z`. */
export interface Episode {
  model: string;
  lifetimes: Lifetimes;
  begin: Record<string, string>;
  /** Every line, `@K` (what a party learnt) included, for the failure message. */
  lines: string[];
  steps: Step[];
  end: { r: number; status: string; approver: string }[];
}

function pairs(words: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const word of words) {
    const eq = word.indexOf("=");
    if (eq > 0) out[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return out;
}

/** Splits a simulation's output into episodes. */
export function parseTraces(model: string, output: string): Episode[] {
  const episodes: Episode[] = [];
  let lifetimes: Lifetimes | null = null;
  let current: Episode | null = null;
  for (const line of output.split("\n")) {
    if (!line.startsWith("@")) continue;
    const words = line.split(" ");
    switch (words[0]) {
      case "@L": {
        const l = pairs(words.slice(1));
        const ms = (name: string) => Number(l[name]) * TICK_MS;
        lifetimes = {
          scanToken: ms("scanToken"),
          scanTokenGrace: ms("scanTokenGrace"),
          pending: ms("pending"),
          decision: ms("decision"),
          redemption: ms("redemption"),
          redemptionLease: ms("redemptionLease"),
          retention: 86_400_000,
        };
        break;
      }
      case "@B":
        if (!lifetimes) throw new Error(`${model}: an episode began before the lifetimes were printed`);
        current = { model, lifetimes, begin: pairs(words.slice(1)), lines: [line], steps: [], end: [] };
        break;
      case "@S": {
        if (!current) throw new Error(`${model}: a step outside an episode: ${line}`);
        current.lines.push(line);
        if (words[2] === "clock") {
          current.steps.push({ line, actor: "clock", op: "tick", args: {}, outcome: "ok", extra: {} });
          break;
        }
        const arrow = words.indexOf("->");
        if (arrow < 0) throw new Error(`${model}: a step without an outcome: ${line}`);
        current.steps.push({
          line,
          actor: words[2] as string,
          op: words[3] as string,
          args: pairs(words.slice(4, arrow)),
          outcome: words[arrow + 1] as string,
          extra: pairs(words.slice(arrow + 2)),
        });
        break;
      }
      case "@K":
        current?.lines.push(line);
        break;
      case "@E": {
        if (!current) throw new Error(`${model}: an end outside an episode: ${line}`);
        current.lines.push(line);
        const e = pairs(words.slice(1));
        current.end.push({ r: Number(e.r), status: e.status as string, approver: e.approver as string });
        break;
      }
      case "@Z":
        if (current) episodes.push(current);
        current = null;
        break;
    }
  }
  return episodes;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * Holds one call's compare-and-sets until the trace says they land, so that the number model's
 * answers interleave between their read and their compare-and-set exactly as the model's do.
 */
class Gate {
  #arrived = deferred<void>();
  #release = deferred<void>();

  /** Called by the store: tells the driver the call waits here, then waits to be let through. */
  async pass(): Promise<void> {
    const release = this.#release.promise;
    this.#arrived.resolve();
    await release;
  }

  /** Resolves once the call waits at the gate. */
  arrival(): Promise<void> {
    return this.#arrived.promise;
  }

  /** Lets the waiting compare-and-set through. */
  open(): void {
    const release = this.#release;
    this.#arrived = deferred();
    this.#release = deferred();
    release.resolve();
  }
}

const gates = new AsyncLocalStorage<Gate>();

/** The memory store, whose compare-and-sets wait at the gate of the call they belong to, if it has one. */
class GatedStore extends MemoryStore {
  override async transition(id: string, guard: TransitionGuard, patch: RequestPatch): Promise<LoginRequest | null> {
    const gate = gates.getStore();
    if (gate) await gate.pass();
    return super.transition(id, guard, patch);
  }
}

/** What a call came to: `ok`, or the code of the QrLoginError it threw. Anything else is a failure. */
async function outcomeOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return "ok";
  } catch (error) {
    if (error instanceof QrLoginError) return error.code;
    throw error;
  }
}

/** Limits so high that a trace never meets one: the models leave rate limits out. */
function unlimited(): Limits {
  const limits = resolveLimits();
  for (const name of Object.keys(limits) as (keyof Limits)[]) limits[name] = { max: 1_000_000, windowMs: 60_000 };
  return limits;
}

const browserKey = generateKeyPairSync("ec", { namedCurve: "P-256" });
const publicJwk = browserKey.publicKey.export({ format: "jwk" });
const PUBLIC_KEY = JSON.stringify({ kty: publicJwk.kty, crv: publicJwk.crv, x: publicJwk.x, y: publicJwk.y });

interface Made {
  id: string;
  browserSecret: string;
  /** Every period's scan token, as the desktop holds them from its creation. */
  schedule: string[];
  /** Every typed code the request has shown, in order. */
  codes: string[];
  hasKey: boolean;
  /** number.pml: the model's number, standing for the request's comparison number. */
  modelNumber: number | null;
}

interface Redemption {
  hook: Deferred<string>;
  settled: Promise<string>;
  result: Promise<{ request: LoginRequest } | null>;
}

interface Answer {
  gate: Gate;
  settled: Promise<string>;
}

/** The model's number space, for mapping number.pml's guesses to two-digit numbers. */
const MODEL_NUMBERS = 3;

class Replay {
  readonly clock = new ManualClock();
  readonly flows: LoginFlows;
  readonly made = new Map<number, Made>();
  readonly redemptions = new Map<string, Redemption>();
  readonly crashed: Redemption[] = [];
  readonly answers = new Map<string, Answer>();
  readonly phoneNet: string;

  constructor(readonly episode: Episode) {
    const relay = (episode.begin.relay ?? "warn").replace("_", "-") as RelayPolicy;
    this.phoneNet = episode.begin.upnet === "MOBILE" ? IP.MOBILE_PHONE : IP.HOME_PHONE;
    const store = new GatedStore();
    this.flows = flowsOver(store, this.clock, {
      lifetimes: episode.lifetimes,
      relayPolicy: relay,
      limiter: new RateLimiter(store, unlimited()),
      findUser: (login) => (login === "alice" || login === "mallory" ? { userId: login } : null),
      // The trace decides when a hook returns or fails; the timer must never decide first.
      hookTimeoutMs: 60_000,
      onHookError: () => {},
    });
  }

  request(r: string | undefined): Made {
    const made = this.made.get(Number(r));
    if (!made) throw new Error(`request ${r} was not made`);
    return made;
  }

  caller(actor: string): { ip: string } {
    switch (actor) {
      case "UD":
        return { ip: IP.HOME_DESKTOP };
      case "AD":
        return { ip: IP.ATK_DESKTOP };
      case "UP":
      case "TAP":
        return { ip: this.phoneNet };
      case "AP":
        return { ip: IP.ATK_PHONE };
    }
    throw new Error(`no such actor: ${actor}`);
  }

  approver(actor: string): { userId: string } {
    return { userId: actor === "AP" ? "mallory" : "alice" };
  }

  /** The number a phone types: the one on the requesting screen, another, or none. */
  async typed(made: Made, num: string | undefined): Promise<number | undefined> {
    if (num === "n_none") return undefined;
    const comparison = (await this.flows.get(made.id)).comparison ?? 42;
    return num === "n_right" ? comparison : 10 + ((comparison - 10 + 1) % 90);
  }

  /** number.pml's guess `g` of its number: the comparison number itself when they are equal. */
  async guessed(made: Made, g: number): Promise<number> {
    const comparison = (await this.flows.get(made.id)).comparison as number;
    const offset = (((g - (made.modelNumber ?? 0)) % MODEL_NUMBERS) + MODEL_NUMBERS) % MODEL_NUMBERS;
    return 10 + ((comparison - 10 + offset) % 90);
  }

  /** Plays one step and returns what the code did. */
  async play(step: Step): Promise<string> {
    const { actor, op, args } = step;
    const flows = this.flows;
    switch (op) {
      case "tick":
        this.clock.advance(TICK_MS);
        return "ok";
      case "create": {
        const requester: RequesterContext = {
          ...desktopRequester,
          ip: actor === "UD" ? IP.HOME_DESKTOP : IP.ATK_DESKTOP,
        };
        const publicKey = args.key === "1" ? PUBLIC_KEY : null;
        const created =
          args.push === "1"
            ? await flows.createPush({ login: "alice", requester, publicKey }, this.caller(actor))
            : await flows.create({ requester, publicKey }, this.caller(actor));
        this.made.set(Number(args.r), {
          id: created.request.id,
          browserSecret: created.browserSecret,
          schedule: scanTokensOf(created),
          codes: [],
          hasKey: publicKey !== null,
          modelNumber: args.number === undefined ? null : Number(args.number),
        });
        return "ok";
      }
      case "show": {
        const made = this.request(args.r);
        const secret = args.secret === "1" ? made.browserSecret : "x".repeat(43);
        const shown = flows.showUserCode(made.id, secret);
        const outcome = await outcomeOf(shown);
        if (outcome === "ok") made.codes.push((await shown).userCode);
        return outcome;
      }
      case "scan": {
        const made = this.request(args.r);
        const token = made.schedule[Number(args.period)];
        if (token === undefined) throw new Error(`no scan token of period ${args.period}`);
        return outcomeOf(flows.scanToken(token, this.approver(actor), this.caller(actor)));
      }
      case "code": {
        const made = this.request(args.r);
        const code = made.codes[Number(args.gen)];
        if (code === undefined) throw new Error(`no typed code number ${args.gen}`);
        return outcomeOf(flows.scanUserCode(formatUserCode(code), this.approver(actor), this.caller(actor)));
      }
      case "approve": {
        const made = this.request(args.r);
        const number = await this.typed(made, args.num);
        return outcomeOf(flows.approve(made.id, this.approver(actor), number, this.caller(actor)));
      }
      case "deny": {
        const made = this.request(args.r);
        return outcomeOf(flows.deny(made.id, this.approver(actor), null, this.caller(actor)));
      }
      case "cancel": {
        const made = this.request(args.r);
        const secret = args.secret === "1" ? made.browserSecret : "x".repeat(43);
        return outcomeOf(flows.cancel(made.id, secret, this.caller(actor)));
      }
      case "redeem": {
        const made = this.request(args.r);
        const secret = args.secret === "1" ? made.browserSecret : "x".repeat(43);
        const signature =
          args.key === "1" && made.hasKey
            ? sign("sha256", Buffer.from(redemptionMessage(made.id)), {
                key: browserKey.privateKey,
                dsaEncoding: "ieee-p1363",
              }).toString("base64url")
            : undefined;
        const hook = deferred<string>();
        const leased = deferred<void>();
        const work = flows.redeem(made.id, secret, signature, this.caller(actor), () => {
          leased.resolve();
          return hook.promise;
        });
        const redemption: Redemption = {
          hook,
          settled: outcomeOf(work),
          result: work.then(
            (r) => r,
            () => null,
          ),
        };
        const first = await Promise.race([leased.promise.then(() => "leased"), redemption.settled]);
        // A session without the hook is the sealed result answered again.
        if (first !== "leased") return first === "ok" ? "replayed" : first;
        this.redemptions.set(args.tab as string, redemption);
        return "ok";
      }
      case "hook": {
        const redemption = this.redemptions.get(args.tab as string);
        if (!redemption) throw new Error(`no redemption is running in tab ${args.tab}`);
        this.redemptions.delete(args.tab as string);
        if (args.result === "crash") {
          this.crashed.push(redemption);
          return "none";
        }
        if (args.result === "ok") redemption.hook.resolve("session");
        else redemption.hook.reject(new Error("issueSession failed"));
        const outcome = await redemption.settled;
        if (outcome === "ok" && step.extra.acct !== undefined) {
          const got = (await redemption.result)?.request.approverId ?? null;
          const want = ACCOUNTS[step.extra.acct];
          if (got !== want) return `ok acct=${got} (the model's session is for ${want})`;
        }
        return outcome;
      }
      case "plan": {
        const made = this.request(args.r);
        const number = await this.guessed(made, Number(args.guess));
        const gate = new Gate();
        const settled = gates.run(gate, () =>
          outcomeOf(flows.approve(made.id, this.approver(actor), number, this.caller(actor))),
        );
        const outcome = await Promise.race([gate.arrival().then(() => "planned"), settled]);
        if (outcome === "planned") this.answers.set(args.tap as string, { gate, settled });
        return outcome;
      }
      case "cas": {
        const answer = this.answers.get(args.tap as string);
        if (!answer) throw new Error(`no answer of tap ${args.tap} is waiting`);
        this.answers.delete(args.tap as string);
        answer.gate.open();
        return Promise.race([answer.gate.arrival().then(() => "planned again"), answer.settled]);
      }
    }
    throw new Error(`unknown step ${op}`);
  }

  /** The status of request `r` now, as the core computes it. */
  async status(r: number): Promise<{ status: string; approver: string | null }> {
    const request = await this.flows.get(this.request(String(r)).id);
    return { status: statusOf(request, this.clock.now()), approver: request.approverId };
  }

  /** Ends what the trace left hanging: hooks of redemptions whose process died, or still running at the end. */
  async close(): Promise<void> {
    const hanging = [...this.crashed, ...this.redemptions.values()];
    for (const redemption of hanging) redemption.hook.reject(new Error("the process died"));
    await Promise.all(hanging.map((r) => r.settled.catch(() => "")));
  }
}

/** Where an episode and the code parted ways. */
export class ReplayMismatch extends Error {
  constructor(episode: Episode, index: number, expected: string, actual: string) {
    const step = episode.steps[index];
    const upTo = step ? episode.lines.indexOf(step.line) : -1;
    const shown = upTo >= 0 ? episode.lines.slice(0, upTo + 1) : episode.lines;
    super(
      `${episode.model}: the code disagrees with the model at step ${index + 1}: the model says ${expected}, the code ${actual}\n  ${shown.join("\n  ")}`,
    );
    this.name = "ReplayMismatch";
  }
}

/** Replays one episode; throws ReplayMismatch at the first step whose outcome differs. Returns the steps played. */
export async function replayEpisode(episode: Episode): Promise<number> {
  const replay = new Replay(episode);
  try {
    for (const [index, step] of episode.steps.entries()) {
      const actual = await replay.play(step);
      if (actual !== step.outcome) throw new ReplayMismatch(episode, index, step.outcome, actual);
    }
    for (const end of episode.end) {
      const { status, approver } = await replay.status(end.r);
      const wantStatus = STATUS[end.status];
      const wantApprover = ACCOUNTS[end.approver] ?? null;
      if (status !== wantStatus || approver !== wantApprover) {
        throw new ReplayMismatch(
          episode,
          episode.steps.length,
          `request ${end.r} ends ${wantStatus}, bound to ${wantApprover}`,
          `${status}, bound to ${approver}`,
        );
      }
    }
    return episode.steps.length;
  } finally {
    await replay.close();
  }
}
