import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { appendFileSync, readFileSync, statSync, truncateSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { QrLoginError } from "../../src/core/errors.ts";
import { RedisStore } from "../../src/store/redis.ts";
import { type Approved, approve, realFlows, redeem } from "./redis-flows.ts";
import { freePorts, RedisProcess, skipUnlessRedisBinaries, tempDir } from "./redis-servers.ts";

const skip = skipUnlessRedisBinaries(["redis-server", "redis-check-aof"]);
const DESKTOPS = 20;
const REDEEMED = 10;

/** The AOF file that receives writes (Redis 7's multi-part AOF: the last `incr` file of the manifest). */
function incrementalAof(dir: string): string {
  const manifest = readFileSync(join(dir, "appendonlydir", "appendonly.aof.manifest"), "utf8");
  const files = [...manifest.matchAll(/^file (\S+) seq \d+ type i$/gm)].map((match) => match[1] as string);
  return join(dir, "appendonlydir", files.at(-1) as string);
}

/** The size of `file` sampled every 10 ms, to tell afterwards what was written when. */
function sampleSizes(file: string): { sizeAt(ms: number): number; stop(): void } {
  const samples: [number, number][] = [];
  const sample = () => samples.push([Date.now(), statSync(file).size]);
  sample();
  const timer = setInterval(sample, 10);
  return {
    sizeAt: (at) => samples.filter(([time]) => time <= at).at(-1)?.[1] ?? 0,
    stop: () => clearInterval(timer),
  };
}

/** What a power loss undid. */
interface Undone {
  /** Redeemed desktops that could redeem again after the restart: a second session. */
  doubled: number;
  /** Approved desktops that could not redeem after the restart. */
  lost: number;
  /** Bytes of acknowledged writes the power loss took from the AOF. */
  cutBytes: number;
}

/**
 * Desktops are approved through a Redis with `appendfsync <policy>`, then, a second and more later,
 * half of them redeem, and the power goes: Redis is killed (SIGKILL) and its AOF loses what the
 * policy had not yet made durable — with `always`, nothing it acknowledged (every write is fsynced
 * before its reply), only a torn command that was being written; with `everysec`, the bytes written
 * in the last second, cut anywhere. `redis-check-aof --fix` repairs the file, Redis starts from it,
 * and every desktop redeems (again).
 */
async function powerLoss(policy: "always" | "everysec"): Promise<Undone> {
  const dir = tempDir();
  const [port] = (await freePorts(1)) as [number];
  const settings = ["--appendonly", "yes", "--appendfsync", policy];
  const redis = await RedisProcess.server(port, dir, settings);
  const store = new RedisStore({ url: redis.url });
  const flows = realFlows(store);
  const issued: string[] = [];
  const aof = incrementalAof(dir);
  const sizes = sampleSizes(aof);
  let approved: Approved[];
  let crashedAt: number;
  try {
    approved = await Promise.all(Array.from({ length: DESKTOPS }, (_, n) => approve(flows, n)));
    // Long enough that an fsync once a second has surely covered the approvals.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await Promise.all(approved.slice(0, REDEEMED).map((desktop) => redeem(flows, desktop, issued)));
    crashedAt = Date.now();
    await redis.stop("SIGKILL");
  } finally {
    sizes.stop();
    await store.close();
  }
  assert.equal(issued.length, REDEEMED);
  const written = statSync(aof).size;
  if (policy === "always") {
    appendFileSync(aof, "*3\r\n$4\r\nHSET\r\n$5\r\nqrlo");
  } else {
    truncateSync(aof, sizes.sizeAt(crashedAt - 1000));
  }
  const fix = spawnSync("redis-check-aof", ["--fix", join(dir, "appendonlydir", "appendonly.aof.manifest")], {
    input: "y\n",
    encoding: "utf8",
  });
  assert.equal(fix.status, 0, fix.stdout + fix.stderr);
  const cutBytes = written - statSync(aof).size;

  const restarted = await RedisProcess.server(port, dir, settings);
  const after = new RedisStore({ url: restarted.url });
  const again = realFlows(after);
  try {
    const outcomes = await Promise.all(approved.map((desktop) => redeemOnce(again, desktop, issued)));
    return {
      // A second session issued: the hook ran again for a request it had signed in (a replay of the
      // sealed session is the same session, and does not count).
      doubled: approved.slice(0, REDEEMED).filter((desktop) => issued.filter((id) => id === desktop.id).length > 1)
        .length,
      lost: outcomes.slice(REDEEMED).filter((ok) => !ok).length,
      cutBytes,
    };
  } finally {
    await after.close();
    await restarted.stop();
  }
}

/** Whether the desktop gets a session, waiting out a lease that died with the old process. */
async function redeemOnce(flows: ReturnType<typeof realFlows>, desktop: Approved, issued: string[]): Promise<boolean> {
  for (const deadline = Date.now() + 5_000; ; ) {
    try {
      await redeem(flows, desktop, issued);
      return true;
    } catch (error) {
      const held = error instanceof QrLoginError && error.code === "REDEMPTION_IN_PROGRESS";
      if (!held || Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

describe("Redis power loss (SIGKILL, the AOF cut back to what was on disk, redis-check-aof --fix, restart)", {
  skip,
}, () => {
  it("with appendfsync always: no redemption undone, no approval lost", async () => {
    const undone = await powerLoss("always");
    console.log(
      `# power loss, appendfsync always: ${DESKTOPS} approved, ${REDEEMED} redeemed just before; doubled ${undone.doubled}, lost ${undone.lost}, ${undone.cutBytes} bytes of acknowledged writes lost (a torn write repaired)`,
    );
    assert.deepEqual(undone, { doubled: 0, lost: 0, cutBytes: 0 });
  });

  it("with appendfsync everysec (Redis before 7.2, no WAITAOF): the last second's redemptions are undone and can be repeated", async () => {
    const undone = await powerLoss("everysec");
    console.log(
      `# power loss, appendfsync everysec: ${DESKTOPS} approved, ${REDEEMED} redeemed in the last second; doubled ${undone.doubled}, lost ${undone.lost}, ${undone.cutBytes} bytes of acknowledged writes lost`,
    );
    assert.ok(undone.doubled > 0, "a redemption of the last second comes back as an approval");
    assert.equal(undone.lost, 0, "approvals older than a second survive");
  });
});
