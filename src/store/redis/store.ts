import { randomBytes } from "node:crypto";
import type { LoginRequest, RequestPatch, TransitionGuard } from "../../core/login-request.ts";
import { REQUEST_COLUMNS, requestFromRow, requestToValues } from "../columns.ts";
import { type Alert, type AuditEntry, type CounterState, type LoginStore, UserCodeTakenError } from "../login-store.ts";
import type { RedisConnectionOptions } from "./client.ts";
import {
  AcknowledgedWrites,
  inspectPersistence,
  type RedisDurability,
  type RedisPersistence,
  refusal,
} from "./durability.ts";
import { throughFaults } from "./faults.ts";
import { RedisLink } from "./link.ts";
import {
  CLAIM,
  CREATE,
  DELETE_IF,
  HIT,
  INDEX,
  PURGE,
  PURGE_COUNTER,
  type Script,
  TRANSITION,
  VERSIONS,
} from "./scripts.ts";

/** Options of {@link RedisStore}: where to connect (see {@link RedisConnectionOptions}) and how. */
export interface RedisStoreOptions extends RedisConnectionOptions {
  /** Put before every key. Default `qrlogin:`. */
  prefix?: string;
  /**
   * How long keys outlive a request's deadline before Redis drops them, in ms; garbage collection
   * only. Keep it at least the core's `lifetimes.retention`, or records go before the audit trail
   * wants them gone. Default 24 h.
   */
  retentionMs?: number;
  /**
   * In production (`NODE_ENV=production`), a Redis that can lose acknowledged writes — and with one,
   * a redemption, so that a desktop could be signed in twice — is refused at first use, saying what
   * to set; `accept-loss` runs on it anyway. Default `verify`.
   */
  durability?: RedisDurability;
  /**
   * How many replicas must have a redemption's writes before it counts (WAIT): with 1 or more, a
   * failover to an up-to-date replica cannot undo a redemption, and a redemption that a failing
   * primary took but could not pass on fails instead of counting. Default 0.
   */
  replicas?: number;
  /** How long a call keeps trying through dropped connections, restarts and failovers, in ms. Default 5 s. */
  faultWindowMs?: number;
}

const COLUMNS = REQUEST_COLUMNS.map(([, column]) => column);
const COLUMN_OF = new Map<string, string>(REQUEST_COLUMNS.map(([field, column]) => [field, column]));
const PURGE_BATCH = 200;
const AUDIT_FIELDS = ["at", "type", "requestId", "userId", "ip", "detail"] as const;
const ALERT_FIELDS = ["at", "userId", "reason", "requestId", "ip", "detail"] as const;
/** How long a redemption may wait for Redis to confirm its fsync (WAITAOF) or its replicas (WAIT). */
const ACKNOWLEDGE_TIMEOUT_MS = 2_000;

/** The index fields of a record, in the order the TRANSITION and PURGE scripts give them. */
interface Indexed {
  codes: (string | null)[];
  approver: string | null;
}

/**
 * Requests in Redis — one node, a Sentinel-managed primary or a Redis Cluster. Each request is a
 * hash, `qrlogin:{<id>}`; the braces make its id the cluster hash tag. Every Lua script touches one
 * key, so each runs atomically on whichever node owns it.
 *
 * A scan names its request's id, so it is one read. Look-ups that are not by id — user code, an
 * approver's push requests, what purge is due to delete — go through index keys in slots of their
 * own (`qrlogin:code:<hash>`, `qrlogin:push:<approver>`, `qrlogin:expiries`). They cannot share the
 * record's slot (the caller knows the code, not the id), so they are written by separate commands
 * and the record is the only truth: a reader always re-reads the record and checks that it still
 * names the code or approver, so an entry that names a record not (yet, or any longer) there
 * misleads nobody. A create writes the record and its entries at once, since nobody knows its id
 * before it returns; a new code is claimed (`CLAIM`, the one step that can fail: codes are unique
 * across requests) before the record's script. Entries left behind by a crash in between, or by a
 * code two steps back, expire with their TTL (and are deleted when the caller knows them).
 *
 * Every other transition is one round trip: one script on the record checks the guard, writes the
 * patch, bumps the version, sets the TTL and answers the new record. No index needs it: the expiry
 * set holds each request at its creation, before any deadline it can be given (purge, meeting one
 * still running, puts it back at its deadline), and an approver's set lists pushes, which are
 * created waiting and never wait anew.
 *
 * Rate-limit counters are hashes `qrlogin:counter:<key>`, each in its own slot, indexed by window end
 * in `qrlogin:counters` for purge; the audit trail and alerts are sorted sets by time (`qrlogin:audit`,
 * `qrlogin:audit:<user>`, `qrlogin:alerts`, `qrlogin:alerts:<user>`) whose members are numbered from
 * `qrlogin:audit-sequence`. Counters and request keys carry TTLs of the request's remaining lifetime
 * plus `retentionMs`, measured on the core's clock: garbage collection only.
 *
 * Faults: a command whose connection dropped before its reply may or may not have run. Every call
 * sends it again until it is answered, for up to `faultWindowMs`. A transition carries a write id,
 * kept in the record: re-sent after its reply was lost, the script recognises its own write and
 * answers it again rather than applying it twice or reporting a lost race. A create recognises its
 * own record by the browser secret hash. A counter hit re-sent may count once more — which only
 * makes a limit stricter — and an audit entry may be recorded twice.
 *
 * Durability: at first use the store reads each primary's persistence settings (see
 * {@link RedisPersistence}); on Redis ≥ 7.2 without `appendfsync always`, redemptions wait for their
 * fsync. In production, a Redis that can lose acknowledged writes is refused unless
 * `durability: "accept-loss"`. Replication is asynchronous: a failover can lose the last writes, and
 * with them a redemption, unless `replicas` makes redemptions wait for that many replicas.
 * @example const store = new RedisStore({ url: process.env.REDIS_URL })
 */
export class RedisStore implements LoginStore {
  readonly #link: RedisLink;
  readonly #prefix: string;
  readonly #retentionMs: number;
  readonly #durability: RedisDurability;
  readonly #faultWindowMs: number;
  readonly #replicas: number;
  #persistence: Promise<RedisPersistence> | undefined;
  /** Where redemptions are written when they must wait for an fsync or replicas; none when they need not. */
  #acknowledged: AcknowledgedWrites | undefined;

  constructor({
    prefix = "qrlogin:",
    retentionMs = 24 * 3_600_000,
    durability = "verify",
    replicas = 0,
    faultWindowMs = 5_000,
    ...connection
  }: RedisStoreOptions = {}) {
    if (!Number.isSafeInteger(retentionMs) || retentionMs <= 0) {
      throw new RangeError("qrlogin: retentionMs must be a positive whole number of milliseconds");
    }
    if (durability !== "verify" && durability !== "accept-loss") {
      throw new RangeError('qrlogin: durability must be "verify" or "accept-loss"');
    }
    if (!Number.isSafeInteger(replicas) || replicas < 0) {
      throw new RangeError("qrlogin: replicas must be a whole number, 0 or more");
    }
    this.#replicas = replicas;
    this.#link = RedisLink.open(connection);
    this.#prefix = prefix;
    this.#retentionMs = retentionMs;
    this.#durability = durability;
    this.#faultWindowMs = faultWindowMs;
  }

  /**
   * What Redis's persistence settings let a crash or power loss undo, read once at first use; rejects
   * in production when Redis can lose acknowledged writes and `durability` is `verify`.
   */
  persistence(): Promise<RedisPersistence> {
    this.#persistence ??= this.#inspect().catch((error: unknown) => {
      this.#persistence = undefined;
      throw error;
    });
    return this.#persistence;
  }

  async create(request: LoginRequest): Promise<void> {
    await this.persistence();
    const values = requestToValues(request);
    const fields = COLUMNS.flatMap((column, i) => (values[i] == null ? [] : [column, String(values[i])]));
    const ttl = String(Math.max(request.expiresAt - request.updatedAt, 0) + this.#retentionMs);
    const cutoff = String(request.createdAt - this.#retentionMs);
    // The expiry set holds each request at its creation, before any deadline it can have: no transition
    // moves it, and purge puts a request it meets too early back at the request's own deadline.
    const expiry = [request.id, String(request.createdAt), ttl, cutoff];
    const deadline = [request.id, String(request.expiresAt), ttl, cutoff];
    const code = request.userCodeHash;
    const approverSet =
      request.mode === "push" && request.approverId != null ? this.#approverKey(request.approverId) : null;
    // All at once, in one round trip: nobody knows the id before this returns, so entries written
    // ahead of the record mislead nobody; only a code's claim can fail, and undoes the rest.
    const [claim, reply] = await Promise.all([
      code === null ? null : this.#claimCode(request.id, code, ttl),
      this.#script(CREATE, this.#recordKey(request.id), [ttl, ...fields]),
      this.#script(INDEX, this.#expiriesKey(), expiry),
      approverSet ? this.#script(INDEX, approverSet, deadline) : null,
    ]);
    const ours = reply === 1 || reply === request.browserSecretHash;
    if (claim !== "taken" && ours) return;
    const undo: Promise<unknown>[] = [];
    if (!ours) {
      // Another request has this id: its record and entries stay; only our claim goes.
      if (claim === "new" && code !== null) undo.push(this.#script(DELETE_IF, this.#codeKey(code), [request.id]));
      await Promise.all(undo);
      throw new Error(`request ${request.id} already exists`);
    }
    undo.push(this.#send(this.#recordKey(request.id), ["DEL", this.#recordKey(request.id)]));
    undo.push(this.#send(this.#expiriesKey(), ["ZREM", this.#expiriesKey(), request.id]));
    if (approverSet) undo.push(this.#send(approverSet, ["ZREM", approverSet, request.id]));
    await Promise.all(undo);
    throw new UserCodeTakenError();
  }

  async get(id: string): Promise<LoginRequest | null> {
    const key = this.#recordKey(id);
    const values = (await this.#send(key, ["HMGET", key, ...COLUMNS])) as (string | null)[];
    if (values[0] == null) return null;
    return requestFromRow(Object.fromEntries(COLUMNS.map((column, i) => [column, values[i]])));
  }

  async versions(ids: string[]): Promise<Map<string, number>> {
    const keys = ids.map((id) => this.#recordKey(id));
    // One read-only script for all on one node; on a cluster, whose keys are in as many slots, one
    // HGET each, sent together so that the client pipelines them: one round trip per node.
    const found = (
      this.#link.kind === "cluster"
        ? await Promise.all(keys.map((key) => this.#send(key, ["HGET", key, "version"])))
        : keys.length === 0
          ? []
          : await this.#script(VERSIONS, keys, [])
    ) as (string | null)[];
    const versions = new Map<string, number>();
    for (const [i, version] of found.entries()) if (version != null) versions.set(ids[i] as string, Number(version));
    return versions;
  }

  async findByUserCodeHash(codeHash: string): Promise<LoginRequest | null> {
    const key = this.#codeKey(codeHash);
    const id = await this.#send(key, ["GET", key]);
    const request = typeof id === "string" ? await this.get(id) : null;
    return request?.userCodeHash === codeHash || request?.previousUserCodeHash === codeHash ? request : null;
  }

  async transition(id: string, guard: TransitionGuard, patch: RequestPatch): Promise<LoginRequest | null> {
    await this.persistence();
    const set: Record<string, string> = {};
    const unset: string[] = [];
    for (const [field, value] of Object.entries(patch)) {
      const column = COLUMN_OF.get(field);
      if (!column) throw new Error(`not a patchable field: ${field}`);
      if (value === null) unset.push(column);
      else if (value !== undefined) set[column] = String(value);
    }
    const newCode = patch.userCodeHash ?? null;
    // Claimed for as long as any record lives; the record's own TTL is set once it is written.
    const claimed = newCode ? await this.#claimCode(id, newCode, String(this.#retentionMs * 2)) : null;
    if (claimed === "taken") throw new UserCodeTakenError();
    const record = this.#recordKey(id);
    const args = JSON.stringify({
      from: guard.from,
      liveAt: guard.liveAt,
      version: guard.version,
      set,
      unset,
      retention: this.#retentionMs,
      write: randomBytes(12).toString("base64url"),
    });
    const run = (link: RedisLink) => this.#script(TRANSITION, record, [args], link);
    const acknowledged = this.#acknowledged;
    // A redemption must not be undone by a power loss or failover: it waits for its fsync where Redis
    // does not fsync every write, and for the replicas asked for.
    const redemption = patch.state === "redeeming" || guard.from.includes("redeeming");
    const reply =
      redemption && acknowledged
        ? await throughFaults(this.#faultWindowMs, () => acknowledged.write(record, run))
        : await run(this.#link);
    if (!Array.isArray(reply)) {
      if (claimed === "new") await this.#script(DELETE_IF, this.#codeKey(newCode as string), [id]);
      return null;
    }
    const [, ttl, before, after] = reply as [string, string, (string | null)[], string[]];
    const row: Record<string, string> = {};
    for (let i = 0; i < after.length; i += 2) row[after[i] as string] = after[i + 1] as string;
    const updated = requestFromRow(row);
    // Only a new typed code or a push made to wait anew touches keys in other slots.
    await this.#reindex(updated, patch, ttl, before.length > 0 ? indexedOf(before) : null);
    return updated;
  }

  async listPushRequests(approverId: string, now: number): Promise<LoginRequest[]> {
    const key = this.#approverKey(approverId);
    const ids = (await this.#send(key, ["ZRANGE", key, `(${now}`, "+inf", "BYSCORE"])) as string[];
    const requests = await Promise.all(ids.map((id) => this.get(id)));
    // The set is a superset (it keeps requests that moved on or that purge removed); the records decide.
    return requests.filter(
      (r): r is LoginRequest =>
        r?.mode === "push" && r.state === "scanned" && r.approverId === approverId && r.expiresAt > now,
    );
  }

  async hit(key: string, windowMs: number, now: number, by = 1): Promise<CounterState> {
    const retention = String(this.#retentionMs);
    const [count, resetAt, opened] = (await this.#script(HIT, this.#counterKey(key), [
      String(now),
      String(windowMs),
      retention,
      String(by),
    ])) as [number, string, number];
    if (opened === 1) {
      const ttl = String(windowMs + this.#retentionMs);
      await this.#script(INDEX, this.#countersKey(), [key, resetAt, ttl, String(now - this.#retentionMs)]);
    }
    return { count: Number(count), resetAt: Number(resetAt) };
  }

  async peekCounter(key: string, now: number): Promise<CounterState | null> {
    const counter = this.#counterKey(key);
    const [count, resetAt] = (await this.#send(counter, ["HMGET", counter, "count", "reset_at"])) as (string | null)[];
    return count != null && Number(resetAt) > now ? { count: Number(count), resetAt: Number(resetAt) } : null;
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    // Only the contract's fields, in a fixed order, so that a member never carries anything else.
    const json = JSON.stringify(Object.fromEntries(AUDIT_FIELDS.map((field) => [field, entry[field]])));
    const logs = [this.#auditKey(null), ...(entry.userId == null ? [] : [this.#auditKey(entry.userId)])];
    await this.#appendLog(logs, entry.at, json);
  }

  async appendAlert(alert: Alert): Promise<void> {
    const json = JSON.stringify(Object.fromEntries(ALERT_FIELDS.map((field) => [field, alert[field]])));
    await this.#appendLog([this.#alertsKey(null), this.#alertsKey(alert.userId)], alert.at, json);
  }

  async listAlerts(userId: string, limit: number): Promise<Alert[]> {
    return (await this.#newest(this.#alertsKey(userId), limit)).map(fromMember<Alert>);
  }

  async listAudit(userId: string, limit: number): Promise<AuditEntry[]> {
    return (await this.#newest(this.#auditKey(userId), limit)).map(fromMember<AuditEntry>);
  }

  async purge(before: number): Promise<number> {
    await this.#purgeCounters(before);
    await this.#purgeLog(before, (user) => this.#auditKey(user));
    await this.#purgeLog(before, (user) => this.#alertsKey(user));
    return this.#purgeRequests(before);
  }

  async close(): Promise<void> {
    await this.#acknowledged?.close();
    await this.#link.close();
  }

  async #inspect(): Promise<RedisPersistence> {
    await this.#link.connected();
    const persistence = await throughFaults(this.#faultWindowMs, () => inspectPersistence(this.#link));
    const production = process.env.NODE_ENV === "production";
    if (production && this.#durability === "verify" && persistence.mode === "at-risk") throw refusal(persistence);
    const fsync = persistence.mode === "waitaof";
    if (fsync || this.#replicas > 0) {
      this.#acknowledged = new AcknowledgedWrites(
        this.#link,
        { fsync, replicas: this.#replicas },
        ACKNOWLEDGE_TIMEOUT_MS,
      );
    }
    return persistence;
  }

  /** Takes a user code's index key for request `id`: `new`ly, or `held` already, unless another request has it (`taken`). */
  async #claimCode(id: string, codeHash: string, ttl: string): Promise<"new" | "held" | "taken"> {
    const reply = await this.#script(CLAIM, this.#codeKey(codeHash), [id, ttl]);
    return reply === 1 ? "new" : reply === 2 ? "held" : "taken";
  }

  /**
   * Brings the index keys in line with a record a transition wrote: keys for the codes it
   * names now (with its TTL), none for those it named `before` (when known: a write answered `again`
   * does not know them, and leaves stale keys to their TTL), and, for a push that waits for its
   * approver (scanned), its deadline in the approver's set. Sends nothing for any other transition.
   */
  async #reindex(request: LoginRequest, patch: RequestPatch, ttl: string, before: Indexed | null): Promise<void> {
    const writes: Promise<unknown>[] = [];
    if ("userCodeHash" in patch || "previousUserCodeHash" in patch) {
      const now = indexedOf([request.userCodeHash, request.previousUserCodeHash, request.approverId]);
      const keys = (hashes: (string | null)[], keyOf: (hash: string) => string) =>
        hashes.filter((hash): hash is string => hash != null).map(keyOf);
      const kept = keys(now.codes, (h) => this.#codeKey(h));
      for (const key of kept) writes.push(this.#send(key, ["SET", key, request.id, "PX", ttl]));
      const stale = before ? keys(before.codes, (h) => this.#codeKey(h)) : [];
      for (const key of stale) if (!kept.includes(key)) writes.push(this.#script(DELETE_IF, key, [request.id]));
    }
    // The set serves listPushRequests, which lists scanned pushes only: a push that moved on keeps its
    // old entry, which the record then contradicts (a push is created scanned, so this is a safeguard).
    const waiting = request.mode === "push" && request.state === "scanned";
    if (waiting && request.approverId != null && ("expiresAt" in patch || "approverId" in patch)) {
      const cutoff = String(request.updatedAt - this.#retentionMs);
      const args = [request.id, String(request.expiresAt), ttl, cutoff];
      writes.push(this.#script(INDEX, this.#approverKey(request.approverId), args));
    }
    await Promise.all(writes);
  }

  /** Appends a member, numbered so that entries of the same instant stay apart and in order, to each log. */
  async #appendLog(logs: string[], at: number, json: string): Promise<void> {
    const sequence = this.#auditSequenceKey();
    const number = await this.#send(sequence, ["INCR", sequence]);
    const member = `${String(number).padStart(16, "0")}:${json}`;
    await Promise.all(logs.map((log) => this.#send(log, ["ZADD", log, String(at), member])));
  }

  /** The newest `limit` members of a log, newest first. */
  async #newest(log: string, limit: number): Promise<string[]> {
    return (await this.#send(log, [
      "ZRANGE",
      log,
      "+inf",
      "-inf",
      "BYSCORE",
      "REV",
      "LIMIT",
      "0",
      String(limit),
    ])) as string[];
  }

  /** Up to a batch of index members scored before `before`. */
  async #dueBatch(key: string, before: number): Promise<string[]> {
    const batch = ["LIMIT", "0", String(PURGE_BATCH)];
    return (await this.#send(key, ["ZRANGE", key, "-inf", `(${before}`, "BYSCORE", ...batch])) as string[];
  }

  async #purgeCounters(before: number): Promise<void> {
    const index = this.#countersKey();
    for (;;) {
      const names = await this.#dueBatch(index, before);
      if (names.length === 0) return;
      await Promise.all(
        names.map(async (name) => {
          const reset = await this.#script(PURGE_COUNTER, this.#counterKey(name), [String(before)]);
          // A new window started since the index was read: keep it, at its new deadline.
          await this.#send(index, reset == null ? ["ZREM", index, name] : ["ZADD", index, String(reset), name]);
        }),
      );
    }
  }

  /** Purges a log of all entries (`logOf(null)`) and the per-user logs its entries name. */
  async #purgeLog(before: number, logOf: (userId: string | null) => string): Promise<void> {
    for (;;) {
      const members = await this.#dueBatch(logOf(null), before);
      if (members.length === 0) return;
      const byLog = new Map<string, string[]>();
      for (const member of members) {
        const { userId } = fromMember<{ userId: string | null }>(member);
        if (userId == null) continue;
        const log = logOf(userId);
        byLog.set(log, [...(byLog.get(log) ?? []), member]);
      }
      // Per-user logs first: were purge to stop in between, the next one would find the members again.
      await Promise.all([...byLog].map(([log, gone]) => this.#send(log, ["ZREM", log, ...gone])));
      await this.#send(logOf(null), ["ZREM", logOf(null), ...members]);
    }
  }

  async #purgeRequests(before: number): Promise<number> {
    let count = 0;
    for (;;) {
      const ids = await this.#dueBatch(this.#expiriesKey(), before);
      if (ids.length === 0) return count;
      const deleted = await Promise.all(ids.map((id) => this.#purgeOne(id, before)));
      count += deleted.filter(Boolean).length;
    }
  }

  /**
   * Deletes one record if it ended before the cut-off, then its index entries. A record whose deadline
   * is later than its entry in the expiry set says (a transition whose guard failed) is put back at it.
   */
  async #purgeOne(id: string, before: number): Promise<boolean> {
    const expiries = this.#expiriesKey();
    const [outcome, ...rest] = (await this.#script(PURGE, this.#recordKey(id), [String(before)])) as [
      string,
      ...(string | null)[],
    ];
    if (outcome === "kept") {
      await this.#send(expiries, ["ZADD", expiries, String(rest[0]), id]);
      return false;
    }
    if (outcome === "deleted") {
      const { codes, approver } = indexedOf(rest);
      const entries = codes.map((h) => h && this.#codeKey(h));
      await Promise.all([
        ...entries.flatMap((key) => (key ? [this.#script(DELETE_IF, key, [id])] : [])),
        approver == null ? null : this.#send(this.#approverKey(approver), ["ZREM", this.#approverKey(approver), id]),
      ]);
    }
    await this.#send(expiries, ["ZREM", expiries, id]);
    return outcome === "deleted";
  }

  /** A command through faults, after the persistence check. */
  async #send(key: string, args: string[]): Promise<unknown> {
    await this.persistence();
    return throughFaults(this.#faultWindowMs, () => this.#link.send(key, args));
  }

  /**
   * A script through faults, on one key (or several, on one node only): by SHA-1, in full when the
   * node has not cached it (after a restart or failover).
   */
  async #script(script: Script, key: string | string[], args: string[], link = this.#link): Promise<unknown> {
    await this.persistence();
    const keys = typeof key === "string" ? [key] : key;
    const tail = [String(keys.length), ...keys, ...args];
    return throughFaults(this.#faultWindowMs, async () => {
      try {
        return await link.send(keys[0], ["EVALSHA", script.sha, ...tail]);
      } catch (error) {
        if (!String((error as Error).message).startsWith("NOSCRIPT")) throw error;
        return link.send(keys[0], ["EVAL", script.lua, ...tail]);
      }
    });
  }

  #recordKey(id: string): string {
    return `${this.#prefix}{${id}}`;
  }

  #codeKey(hash: string): string {
    return `${this.#prefix}code:${hash}`;
  }

  #expiriesKey(): string {
    return `${this.#prefix}expiries`;
  }

  #approverKey(approverId: string): string {
    return `${this.#prefix}push:${approverId}`;
  }

  #counterKey(name: string): string {
    return `${this.#prefix}counter:${name}`;
  }

  #countersKey(): string {
    return `${this.#prefix}counters`;
  }

  /** The audit log of one user, or with `null` the log of every entry (which purge walks). */
  #auditKey(userId: string | null): string {
    return userId == null ? `${this.#prefix}audit` : `${this.#prefix}audit:${userId}`;
  }

  /** The alerts of one user, or with `null` every alert (which purge walks). */
  #alertsKey(userId: string | null): string {
    return userId == null ? `${this.#prefix}alerts` : `${this.#prefix}alerts:${userId}`;
  }

  #auditSequenceKey(): string {
    return `${this.#prefix}audit-sequence`;
  }
}

/** Index fields in the scripts' order: scan token, previous token, user code, previous code, approver. */
function indexedOf(fields: (string | null | undefined)[]): Indexed {
  const [code, previousCode, approver] = fields.map((f) => f ?? null);
  return {
    codes: [code ?? null, previousCode ?? null],
    approver: approver ?? null,
  };
}

/** An audit entry or alert from its sorted-set member (`<sequence>:<JSON>`). */
function fromMember<T>(member: string): T {
  return JSON.parse(member.slice(member.indexOf(":") + 1));
}
