import { isReply } from "./faults.ts";
import type { Primary, RedisLink } from "./link.ts";

/**
 * Whether a Redis that can lose acknowledged writes is refused when `NODE_ENV` is `production`:
 * `verify` (the default) refuses it; `accept-loss` runs anyway, as the host decided.
 */
export type RedisDurability = "verify" | "accept-loss";

/**
 * How a redemption survives a crash or power loss of Redis, as found at first use:
 * - `fsync-always`: every primary fsyncs its AOF before it answers (`appendfsync always`);
 * - `waitaof`: Redis ≥ 7.2 with the AOF on: each redemption waits for its fsync (`WAITAOF`);
 * - `at-risk`: acknowledged writes can be undone: by any restart with the AOF off, by a power loss
 *   with `appendfsync everysec` or `no` before 7.2;
 * - `unchecked`: the settings could not be read (CONFIG refused, e.g. by an ACL) on a Redis before 7.2.
 */
export type PersistenceMode = "fsync-always" | "waitaof" | "at-risk" | "unchecked";

/** What the store found out about Redis's persistence at first use. */
export interface RedisPersistence {
  mode: PersistenceMode;
  /** What was found, as one line for the startup log. */
  summary: string;
}

/** Worst first: a deployment is as safe as its least safe primary. */
const SEVERITY: readonly PersistenceMode[] = ["at-risk", "unchecked", "waitaof", "fsync-always"];

/** Reads each primary's version and AOF settings; CONFIG refused is reported, not thrown. */
export async function inspectPersistence(link: RedisLink): Promise<RedisPersistence> {
  const found = await Promise.all(link.primaries().map(inspectPrimary));
  const mode = SEVERITY.find((m) => found.some((f) => f.mode === m)) ?? "unchecked";
  const lines = [...new Set(found.filter((f) => f.mode === mode).map((f) => f.summary))];
  return { mode, summary: lines.join("; ") };
}

async function inspectPrimary(primary: Primary): Promise<RedisPersistence> {
  const where = primary.name ? `${primary.name}: ` : "";
  // A refused command (an ACL, a renamed command) is an answer; a lost connection is not, and is thrown to be retried.
  const refused = (error: unknown) => {
    if (!isReply(error)) throw error;
    return null;
  };
  const version = await primary
    .send(["INFO", "server"])
    .then((info) => /redis_version:([\d.]+)/.exec(String(info))?.[1] ?? null, refused);
  const waitaof = version !== null && compareVersions(version, "7.2.0") >= 0;
  const named = version ? `Redis ${version}` : "Redis of unknown version";
  let appendonly: string | null;
  let appendfsync: string | null;
  try {
    appendonly = configValue(await primary.send(["CONFIG", "GET", "appendonly"]), "appendonly");
    appendfsync = configValue(await primary.send(["CONFIG", "GET", "appendfsync"]), "appendfsync");
  } catch (error) {
    refused(error);
    const why = `${(error as Error).message}`.split("\n")[0];
    // WAITAOF itself fails on a node without the AOF, so from 7.2 a redemption never goes unchecked.
    if (waitaof)
      return {
        mode: "waitaof",
        summary: `${where}${named}, CONFIG refused (${why}); WAITAOF checks each redemption`,
      };
    return { mode: "unchecked", summary: `${where}${named}: could not check persistence, CONFIG refused (${why})` };
  }
  if (appendonly !== "yes") {
    return {
      mode: "at-risk",
      summary: `${where}${named} with appendonly ${appendonly}: a restart undoes acknowledged writes`,
    };
  }
  if (appendfsync === "always") {
    return { mode: "fsync-always", summary: `${where}${named}, AOF fsynced before every reply (appendfsync always)` };
  }
  if (waitaof) {
    return {
      mode: "waitaof",
      summary: `${where}${named}, appendfsync ${appendfsync}: redemptions wait for their fsync (WAITAOF)`,
    };
  }
  return {
    mode: "at-risk",
    summary: `${where}${named} with appendfsync ${appendfsync}: a power loss undoes up to the last second of acknowledged writes`,
  };
}

/** The value of one setting in a CONFIG GET reply: pairs in RESP2, a map in RESP3. */
function configValue(reply: unknown, name: string): string | null {
  if (Array.isArray(reply)) {
    const at = reply.findIndex((item, i) => i % 2 === 0 && String(item) === name);
    return at < 0 ? null : String(reply[at + 1]);
  }
  if (reply instanceof Map) return reply.has(name) ? String(reply.get(name)) : null;
  const value = (reply as Record<string, unknown> | null)?.[name];
  return value == null ? null : String(value);
}

/** Numeric comparison of dotted versions. */
function compareVersions(a: string, b: string): number {
  const [x, y] = [a.split(".").map(Number), b.split(".").map(Number)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The refusal when production runs on a Redis that can undo a redemption, saying what to set. */
export function refusal(persistence: RedisPersistence): Error {
  return new Error(
    `qrlogin: refusing a Redis that can lose acknowledged writes in production (${persistence.summary}). A lost redemption lets a desktop be signed in twice. Set "appendonly yes" and "appendfsync always" on every primary (or run Redis 7.2 or later with "appendonly yes": qrlogin then waits for each redemption's fsync with WAITAOF), or accept the risk with the store option durability: "accept-loss" (?durability=accept-loss in the store setting).`,
  );
}

interface Pending {
  key: string;
  write: (lane: RedisLink) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** What a redemption's writes wait for before they count. */
export interface WaitFor {
  /** The primary's AOF fsync (WAITAOF, Redis ≥ 7.2). */
  fsync: boolean;
  /** This many replicas having them (WAIT, or WAITAOF's second count with `fsync`). */
  replicas: number;
}

/**
 * Writes that count only once on disk, or on replicas. WAIT and WAITAOF wait for the writes of the
 * connection they are sent on, and block that connection meanwhile, so these writes go on a
 * connection of their own, in batches: the writes that arrive while one wait runs are sent together,
 * then one wait covers them all — a group commit, so a redemption waits at most about two fsync
 * intervals (or replication round trips), however many run at once.
 */
export class AcknowledgedWrites {
  readonly #link: RedisLink;
  readonly #waitFor: WaitFor;
  readonly #timeoutMs: number;
  #lane: RedisLink | undefined;
  #queue: Pending[] = [];
  #draining = false;

  constructor(link: RedisLink, waitFor: WaitFor, timeoutMs: number) {
    this.#link = link;
    this.#waitFor = waitFor;
    this.#timeoutMs = timeoutMs;
  }

  /** Runs `write` on the lane (routed by `key`), and resolves with its result once it is acknowledged. */
  write<T>(key: string, write: (lane: RedisLink) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ key, write, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#draining) void this.#drain();
    });
  }

  async close(): Promise<void> {
    await this.#lane?.close();
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0);
        let lane: RedisLink;
        try {
          lane = await this.#connectedLane();
        } catch (error) {
          for (const item of batch) item.reject(error);
          continue;
        }
        const results = await Promise.allSettled(batch.map((item) => item.write(lane)));
        const written = batch.flatMap((item, i) => {
          const result = results[i] as PromiseSettledResult<unknown>;
          if (result.status === "rejected") item.reject(result.reason);
          return result.status === "fulfilled" ? [{ item, value: result.value }] : [];
        });
        if (written.length === 0) continue;
        try {
          await this.#wait(lane, [...new Set(written.map(({ item }) => item.key))]);
          for (const { item, value } of written) item.resolve(value);
        } catch (error) {
          for (const { item } of written) item.reject(error);
        }
      }
    } finally {
      this.#draining = false;
    }
  }

  async #connectedLane(): Promise<RedisLink> {
    this.#lane ??= this.#link.duplicate();
    await this.#lane.connected();
    return this.#lane;
  }

  /** One wait per primary written to: on a cluster, routed by each key (repeats on a node return at once). */
  async #wait(lane: RedisLink, keys: string[]): Promise<void> {
    const { fsync, replicas } = this.#waitFor;
    const timeout = String(this.#timeoutMs);
    const wait = fsync ? ["WAITAOF", "1", String(replicas), timeout] : ["WAIT", String(replicas), timeout];
    const routes = lane.kind === "cluster" ? keys : [keys[0]];
    const replies = await Promise.all(routes.map((key) => lane.send(key, wait)));
    for (const reply of replies) {
      const [local, remote] = fsync ? (reply as number[]).map(Number) : [1, Number(reply)];
      if (!(Number(local) >= 1 && Number(remote) >= replicas)) {
        const what = fsync && !(Number(local) >= 1) ? "the fsync" : `${replicas} replica(s) having`;
        throw new Error(`qrlogin: Redis did not confirm ${what} a redemption within ${timeout} ms`);
      }
    }
  }
}
