import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Desktop, Phone } from "../helpers/clients.ts";
import { skipUnlessReachable } from "../helpers/services.ts";
import { CRASH_POINTS, type CrashPoint, crashUser } from "./crash-point.ts";
import {
  desktopOn,
  Instance,
  POSTGRES_URL,
  postgresSchema,
  REDIS_URL,
  redisPrefix,
  stopAll,
  TEST_TIMEOUT_MS,
} from "./harness.ts";

const redisSkip = await skipUnlessReachable("Redis", REDIS_URL);
const postgresSkip = await skipUnlessReachable("PostgreSQL", POSTGRES_URL);

const FLOWS_PER_POINT = 3;
const LEASE_MS = 1500;

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** What became of the desktops whose redemption was killed at one point. */
interface Figures {
  point: CrashPoint;
  flows: number;
  /** Desktops that got their session in the end. */
  completed: number;
  lost: number;
  /** Desktops that, redeeming once more after their sign-in, got a session other than the one they had. */
  doubled: number;
  /** issueSession calls per request, over both instances: a host keyed by request id keeps one session. */
  hookRuns: number[];
  /** What the last retry of a desktop that never got its session was answered. */
  refusals: string[];
  /** For each desktop that got its session: whether it is the one the host issued first for its request. */
  firstSession: boolean[];
}

/** The desktop redeems on `instance` until signed in or refused for good; waits out a lease held by the dead. */
async function redeemUntilDone(
  instance: Instance,
  desktop: Desktop,
): Promise<{ ok: boolean; last: string; session?: unknown }> {
  const deadline = Date.now() + 4 * LEASE_MS + 5_000;
  for (;;) {
    const answer = await desktopOn(instance, desktop).redeem();
    if (answer.status === 200) return { ok: true, last: "200", session: answer.body.session };
    const last = `${answer.status} ${answer.body.error}`;
    if (answer.body.error !== "REDEMPTION_IN_PROGRESS" || Date.now() > deadline) return { ok: false, last };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Desktops approved on one instance redeem on another, which is killed (kill -9) with each of their
 * redemptions stopped at one step: before the lease, holding it, inside issueSession, before
 * `redeemed` is written, after it. Each desktop then retries on the first instance.
 */
async function killAtEveryStep(store: string): Promise<Figures[]> {
  const dir = mkdtempSync(join(tmpdir(), "qrlogin-crash-"));
  dirs.push(dir);
  const sessionsFile = join(dir, "sessions.log");
  const env = { QRLOGIN_LEASE_MS: String(LEASE_MS), QRLOGIN_SESSIONS_FILE: sessionsFile };
  const instances = await Promise.all([
    Instance.start(store, 0, env),
    Instance.start(store, 0, { ...env, QRLOGIN_CRASHES: "1" }),
  ]);
  const [survivor, victim] = instances;
  try {
    const desktops = new Map<CrashPoint, Desktop[]>();
    for (const point of CRASH_POINTS) {
      const approved = Array.from({ length: FLOWS_PER_POINT }, async (_, n) => {
        const desktop = new Desktop(survivor.url);
        assert.equal((await desktop.create()).status, 201);
        const phone = new Phone(survivor.url, crashUser(point, n));
        assert.equal((await phone.scan(desktop.scanToken)).status, 200);
        assert.equal((await phone.approve(desktop.id)).status, 200);
        return desktop;
      });
      desktops.set(point, await Promise.all(approved));
    }
    // The hook's own step goes last, so that the kill comes well before its timeout would give the lease back.
    const order = [...CRASH_POINTS.filter((point) => point !== "in-hook"), "in-hook" as const];
    let stopped = 0;
    for (const group of [order.slice(0, -1), order.slice(-1)]) {
      for (const point of group) {
        for (const desktop of desktops.get(point) ?? []) {
          // Its answer never comes: the process dies first.
          desktopOn(victim, desktop)
            .redeem()
            .catch(() => {});
        }
      }
      stopped += group.length * FLOWS_PER_POINT;
      await victim.matching(/^crash-point /, stopped, 10_000);
    }
    await victim.stop("SIGKILL");

    // Every desktop retries at once; the hook's log is read once they all are done.
    const outcomes = await Promise.all(
      CRASH_POINTS.map(async (point) => {
        const own = desktops.get(point) ?? [];
        const results = await Promise.all(own.map((desktop) => redeemUntilDone(survivor, desktop)));
        const again = await Promise.all(own.map((desktop) => desktopOn(survivor, desktop).redeem()));
        return { point, own, results, again };
      }),
    );
    const runs = existsSync(sessionsFile) ? readFileSync(sessionsFile, "utf8").split("\n").filter(Boolean) : [];
    const runsOf = (desktop: Desktop) => runs.filter((line) => line.startsWith(`${desktop.id} `));
    const figures = outcomes.map(({ point, own, results, again }): Figures => {
      const completed = results.filter((result) => result.ok).length;
      return {
        point,
        flows: results.length,
        completed,
        lost: results.length - completed,
        // Within the redemption window the same desktop is answered its own session again, never another.
        doubled: again.filter(
          (answer, i) =>
            answer.status === 200 && JSON.stringify(answer.body.session) !== JSON.stringify(results[i]?.session),
        ).length,
        hookRuns: own.map((desktop) => runsOf(desktop).length),
        refusals: results.filter((result) => !result.ok).map((result) => result.last),
        firstSession: own.flatMap((desktop, i) => {
          const issuer = (results[i]?.session as { issuedBy?: number } | undefined)?.issuedBy;
          return results[i]?.ok ? [runsOf(desktop)[0]?.endsWith(` ${issuer}`) === true] : [];
        }),
      };
    });
    return figures;
  } finally {
    await stopAll(instances);
  }
}

/** Checks the figures and prints them, one line per step, for docs/deploy.md. */
function check(store: string, figures: Figures[]): void {
  for (const f of figures) {
    console.log(
      `# ${store}, killed ${f.point}: flows ${f.flows}, completed ${f.completed}, lost ${f.lost}, doubled ${f.doubled}, issueSession runs per request ${f.hookRuns.join("/")}, first session kept ${f.firstSession.filter(Boolean).length}${f.refusals.length > 0 ? `, retries refused: ${[...new Set(f.refusals)].join(", ")}` : ""}`,
    );
  }
  for (const f of figures) {
    assert.equal(f.doubled, 0, `${f.point}: no desktop signed in twice`);
    assert.equal(f.completed, f.flows, `${f.point}: every desktop completes its sign-in`);
    if (f.point === "after-redeemed") {
      // The answer died with the process, but its session was sealed with `redeemed`: the retry gets
      // that very session, the one the dead instance issued, and the host is not asked again.
      assert.deepEqual(
        f.firstSession,
        f.firstSession.map(() => true),
        `${f.point}: the same session as the dead instance issued`,
      );
    }
    // Where the dead instance had called the hook, the survivor calls it again for the same request.
    const runs = f.point === "in-hook" || f.point === "before-redeemed" ? 2 : 1;
    assert.deepEqual(
      f.hookRuns,
      f.hookRuns.map(() => runs),
      `${f.point}: issueSession runs`,
    );
  }
}

describe("an instance killed at each step of a redemption", () => {
  const redis = redisPrefix();
  const postgres = postgresSchema();
  after(async () => {
    if (!redisSkip) await redis.drop();
    if (!postgresSkip) await postgres.drop();
  });

  it("on SQLite (two processes on one file)", { timeout: TEST_TIMEOUT_MS }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "qrlogin-crash-db-"));
    dirs.push(dir);
    check("SQLite", await killAtEveryStep(`sqlite:${join(dir, "qrlogin.db")}`));
  });

  it("on Redis", { skip: redisSkip, timeout: TEST_TIMEOUT_MS }, async () => {
    check("Redis", await killAtEveryStep(`${REDIS_URL}?prefix=${redis.prefix}`));
  });

  it("on PostgreSQL", { skip: postgresSkip, timeout: TEST_TIMEOUT_MS }, async () => {
    check("PostgreSQL", await killAtEveryStep(postgres.store));
  });
});
