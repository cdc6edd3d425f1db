import type { LoginRequest, RequestPatch, TransitionGuard } from "../../core/login-request.ts";
import { REQUEST_COLUMNS, requestFromRow, requestToValues } from "../columns.ts";
import { type Alert, type AuditEntry, type CounterState, type LoginStore, UserCodeTakenError } from "../login-store.ts";
import { connectOnce, ownClient, type RedisClient } from "./client.ts";
import { APPEND_LOG, CREATE, HIT, PURGE, PURGE_COUNTERS, PURGE_LOG, type Script, TRANSITION } from "./scripts.ts";

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions {
  /** Where to connect, e.g. `redis://127.0.0.1:6379`; ignored when `client` is given. */
  url?: string;
  /** A client to use instead of opening one; its owner connects and closes it. */
  client?: RedisClient;
  /** Put before every key. Default `qrlogin:`. A hash tag in it (`{qrlogin}:`) puts every key in one cluster slot. */
  prefix?: string;
  /**
   * How long keys outlive a request's deadline before Redis drops them, in ms; garbage collection
   * only. Keep it at least the core's `lifetimes.retention`, or records go before the audit trail
   * wants them gone. Default 24 h.
   */
  retentionMs?: number;
}

const COLUMNS = REQUEST_COLUMNS.map(([, column]) => column);
const COLUMN_OF = new Map<string, string>(REQUEST_COLUMNS.map(([field, column]) => [field, column]));
const PURGE_BATCH = 200;
const AUDIT_FIELDS = ["at", "type", "requestId", "userId", "ip", "detail"] as const;
const ALERT_FIELDS = ["at", "userId", "reason", "requestId", "ip", "detail"] as const;

/**
 * Requests in Redis, for deployments that already run it. Each request is a hash; its scan tokens
 * (current and previous) and user code are indexed by hash in string keys, and a sorted set by
 * deadline lets `purge` find what ended. Create, transition and purge are Lua scripts, so each is
 * atomic. Every key has a TTL of the request's remaining lifetime plus `retentionMs`, measured on
 * the core's clock (`expiresAt − updatedAt`) rather than Redis's: it is garbage collection only.
 *
 * Keys, with the default prefix: `qrlogin:{<id>}` (the record), `qrlogin:token:<hash>`,
 * `qrlogin:code:<hash>` (current and previous code), `qrlogin:expiries` and `qrlogin:push:<approver>` (a sorted set of the
 * approver's push requests by deadline); rate-limit counters as hashes `qrlogin:counter:<key>`
 * indexed by window end in `qrlogin:counters`; the audit trail as sorted sets by time, one of every
 * entry (`qrlogin:audit`, which purge walks) and one per user (`qrlogin:audit:<user>`), whose
 * members are numbered from `qrlogin:audit-sequence`; alerts likewise in `qrlogin:alerts` and
 * `qrlogin:alerts:<user>`, apart from the trail so that no number of entries can push one out. Counters and request keys carry TTLs (garbage
 * collection only); audit entries stay until `purge` removes them. The record's `{<id>}` hash tag
 * is the slot that any further per-request key must share; the index keys and the expiry set are
 * found by token, code or nothing, so they cannot carry it and land in slots of their own.
 *
 * Cluster safety: the scripts are correct on a single node (with or without replicas, or behind
 * Sentinel), which is what {@link RedisClient} connects to. Each script also touches index keys and
 * the expiry set, so Redis Cluster would refuse it (CROSSSLOT) — unless the prefix carries a hash
 * tag, e.g. `{qrlogin}:`: Redis hashes only the first tag of a key, so every key then lives in one
 * slot and the scripts are atomic on the node that owns it, at the price of not spreading
 * qrlogin's keys over the cluster. Replication is asynchronous: a failover can lose the last writes.
 * @example const store = new RedisStore({ url: process.env.REDIS_URL })
 */
export class RedisStore implements LoginStore {
  readonly #client: RedisClient;
  readonly #owned: boolean;
  readonly #connected: () => Promise<RedisClient>;
  readonly #prefix: string;
  readonly #retentionMs: number;

  constructor({ url, client, prefix = "qrlogin:", retentionMs = 24 * 3_600_000 }: RedisStoreOptions = {}) {
    if (!Number.isSafeInteger(retentionMs) || retentionMs <= 0) {
      throw new RangeError("qrlogin: retentionMs must be a positive whole number of milliseconds");
    }
    this.#owned = !client;
    this.#client = client ?? ownClient(url);
    this.#connected = this.#owned ? connectOnce(this.#client) : async () => this.#client;
    this.#prefix = prefix;
    this.#retentionMs = retentionMs;
  }

  async create(request: LoginRequest): Promise<void> {
    const values = requestToValues(request);
    const fields = COLUMNS.flatMap((column, i) => (values[i] == null ? [] : [column, String(values[i])]));
    const ttl = Math.max(request.expiresAt - request.updatedAt, 0) + this.#retentionMs;
    const reply = await this.#run(
      CREATE,
      [
        this.#recordKey(request.id),
        this.#codeKey(request.userCodeHash),
        this.#tokenKey(request.scanTokenHash),
        this.#expiriesKey(),
        ...(request.mode === "push" && request.approverId != null ? [this.#approverKey(request.approverId)] : []),
      ],
      [request.id, String(request.expiresAt), String(ttl), String(request.createdAt - this.#retentionMs), ...fields],
    );
    if (reply === "taken") throw new UserCodeTakenError();
    if (reply === "exists") throw new Error(`request ${request.id} already exists`);
  }

  async get(id: string): Promise<LoginRequest | null> {
    const values = (await this.#command(["HMGET", this.#recordKey(id), ...COLUMNS])) as (string | null)[];
    if (values[0] == null) return null;
    return requestFromRow(Object.fromEntries(COLUMNS.map((column, i) => [column, values[i]])));
  }

  async findByScanTokenHash(tokenHash: string): Promise<LoginRequest | null> {
    const id = await this.#command(["GET", this.#tokenKey(tokenHash)]);
    const request = typeof id === "string" ? await this.get(id) : null;
    // The index and the record are read apart; only a record that still names the token counts.
    if (!request || (request.scanTokenHash !== tokenHash && request.previousScanTokenHash !== tokenHash)) return null;
    return request;
  }

  async findByUserCodeHash(codeHash: string): Promise<LoginRequest | null> {
    const id = await this.#command(["GET", this.#codeKey(codeHash)]);
    const request = typeof id === "string" ? await this.get(id) : null;
    return request?.userCodeHash === codeHash || request?.previousUserCodeHash === codeHash ? request : null;
  }

  async transition(id: string, guard: TransitionGuard, patch: RequestPatch): Promise<LoginRequest | null> {
    const set: Record<string, string> = {};
    const unset: string[] = [];
    for (const [field, value] of Object.entries(patch)) {
      const column = COLUMN_OF.get(field);
      if (!column) throw new Error(`not a patchable field: ${field}`);
      if (value === null) unset.push(column);
      else if (value !== undefined) set[column] = String(value);
    }
    const record = this.#recordKey(id);
    // Retries only when a rotation slipped in between the read and the script (see TRANSITION).
    for (;;) {
      const [codeHash, current, previous, approver, previousCode] = await this.#indexedHashes(record);
      if (codeHash == null || current == null) return null;
      const indexed = patch.approverId === undefined ? approver : patch.approverId;
      const present = (hashes: (string | null | undefined)[]) => [...new Set(hashes.filter((h) => h != null))];
      const tokens = present([current, previous, patch.scanTokenHash, patch.previousScanTokenHash]);
      // A new code goes last, where the script looks for a request that already owns it.
      const codes = present([codeHash, previousCode, patch.previousUserCodeHash]).filter(
        (h) => h !== patch.userCodeHash,
      );
      if (patch.userCodeHash != null) codes.push(patch.userCodeHash);
      const args = {
        id,
        from: guard.from,
        liveAt: guard.liveAt,
        token: guard.scanTokenHash,
        version: guard.version,
        current,
        previous: previous ?? "",
        code: codeHash,
        previousCode: previousCode ?? "",
        approver: approver ?? "",
        indexed,
        tokens,
        codes,
        newCode: patch.userCodeHash != null && patch.userCodeHash !== codeHash,
        set,
        unset,
        retention: this.#retentionMs,
      };
      const reply = await this.#run(
        TRANSITION,
        [
          record,
          this.#expiriesKey(),
          ...tokens.map((hash) => this.#tokenKey(hash)),
          ...codes.map((hash) => this.#codeKey(hash)),
          ...(indexed == null ? [] : [this.#approverKey(indexed)]),
        ],
        [JSON.stringify(args)],
      );
      if (reply === "retry") continue;
      if (reply === "taken") throw new UserCodeTakenError();
      if (!Array.isArray(reply)) return null;
      const row: Record<string, string> = {};
      for (let i = 0; i < reply.length; i += 2) row[reply[i]] = reply[i + 1];
      return requestFromRow(row);
    }
  }

  async listPushRequests(approverId: string, now: number): Promise<LoginRequest[]> {
    const ids = (await this.#command([
      "ZRANGE",
      this.#approverKey(approverId),
      `(${now}`,
      "+inf",
      "BYSCORE",
    ])) as string[];
    const requests = await Promise.all(ids.map((id) => this.get(id)));
    // The set is a superset (it keeps requests that moved on or that purge removed); the records decide.
    return requests.filter(
      (r): r is LoginRequest =>
        r?.mode === "push" && r.state === "scanned" && r.approverId === approverId && r.expiresAt > now,
    );
  }

  async hit(key: string, windowMs: number, now: number, by = 1): Promise<CounterState> {
    const [count, resetAt] = (await this.#run(
      HIT,
      [this.#counterKey(key), this.#countersKey()],
      [key, String(now), String(windowMs), String(this.#retentionMs), String(by)],
    )) as [number, string];
    return { count: Number(count), resetAt: Number(resetAt) };
  }

  async peekCounter(key: string, now: number): Promise<CounterState | null> {
    const [count, resetAt] = (await this.#command(["HMGET", this.#counterKey(key), "count", "reset_at"])) as (
      | string
      | null
    )[];
    return count != null && Number(resetAt) > now ? { count: Number(count), resetAt: Number(resetAt) } : null;
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    // Only the contract's fields, in a fixed order, so that a member never carries anything else.
    const json = JSON.stringify(Object.fromEntries(AUDIT_FIELDS.map((field) => [field, entry[field]])));
    const logs = [this.#auditKey(null), ...(entry.userId == null ? [] : [this.#auditKey(entry.userId)])];
    await this.#run(APPEND_LOG, [this.#auditSequenceKey(), ...logs], [String(entry.at), json]);
  }

  async appendAlert(alert: Alert): Promise<void> {
    const json = JSON.stringify(Object.fromEntries(ALERT_FIELDS.map((field) => [field, alert[field]])));
    const logs = [this.#alertsKey(null), this.#alertsKey(alert.userId)];
    await this.#run(APPEND_LOG, [this.#auditSequenceKey(), ...logs], [String(alert.at), json]);
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

  /** The newest `limit` members of a log, newest first. */
  async #newest(log: string, limit: number): Promise<string[]> {
    return (await this.#command([
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

  async close(): Promise<void> {
    if (this.#owned && this.#client.isOpen) await this.#client.close();
  }

  /** Up to a batch of index members scored before `before`. */
  async #dueBatch(key: string, before: number): Promise<string[]> {
    return (await this.#command([
      "ZRANGE",
      key,
      "-inf",
      `(${before}`,
      "BYSCORE",
      "LIMIT",
      "0",
      String(PURGE_BATCH),
    ])) as string[];
  }

  async #purgeCounters(before: number): Promise<void> {
    for (;;) {
      const names = await this.#dueBatch(this.#countersKey(), before);
      if (names.length === 0) return;
      const keys = names.map((name) => this.#counterKey(name));
      await this.#run(PURGE_COUNTERS, [this.#countersKey(), ...keys], [String(before), ...names]);
    }
  }

  /** Purges a log of all entries (`logOf(null)`) and the per-user logs its entries name. */
  async #purgeLog(before: number, logOf: (userId: string | null) => string): Promise<void> {
    for (;;) {
      const members = await this.#dueBatch(logOf(null), before);
      if (members.length === 0) return;
      const byLog = new Map<string, string[]>([[logOf(null), members]]);
      for (const member of members) {
        const { userId } = fromMember<{ userId: string | null }>(member);
        if (userId == null) continue;
        const log = logOf(userId);
        byLog.set(log, [...(byLog.get(log) ?? []), member]);
      }
      await this.#run(PURGE_LOG, [...byLog.keys()], [JSON.stringify([...byLog.values()])]);
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

  async #purgeOne(id: string, before: number): Promise<boolean> {
    const record = this.#recordKey(id);
    const [codeHash, current, previous, approver, previousCode] = await this.#indexedHashes(record);
    const indexKeys = [
      ...[codeHash, previousCode].filter((hash) => hash != null).map((hash) => this.#codeKey(hash)),
      ...[current, previous].filter((hash) => hash != null).map((hash) => this.#tokenKey(hash)),
      ...(approver == null ? [] : [this.#approverKey(approver)]),
    ];
    const reply = await this.#run(
      PURGE,
      [record, this.#expiriesKey(), ...indexKeys],
      [id, String(before), approver == null ? "0" : "1"],
    );
    return reply === 1;
  }

  /** What a record is indexed by (user codes, current and previous scan token, approver), to name their keys. */
  async #indexedHashes(record: string): Promise<(string | null)[]> {
    const fields = [
      "user_code_hash",
      "scan_token_hash",
      "previous_scan_token_hash",
      "approver_id",
      "previous_user_code_hash",
    ];
    return (await this.#command(["HMGET", record, ...fields])) as (string | null)[];
  }

  async #command(args: string[]): Promise<unknown> {
    return (await this.#connected()).sendCommand(args);
  }

  async #run(script: Script, keys: string[], args: string[]): Promise<unknown> {
    const client = await this.#connected();
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await client.sendCommand(["EVALSHA", script.sha, ...tail]);
    } catch (error) {
      // The server's script cache is empty after a restart or SCRIPT FLUSH: send the script once in full.
      if (!String((error as Error).message).startsWith("NOSCRIPT")) throw error;
      return client.sendCommand(["EVAL", script.lua, ...tail]);
    }
  }

  #recordKey(id: string): string {
    return `${this.#prefix}{${id}}`;
  }

  #tokenKey(hash: string): string {
    return `${this.#prefix}token:${hash}`;
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

/** An audit entry or alert from its sorted-set member (`<sequence>:<JSON>`). */
function fromMember<T>(member: string): T {
  return JSON.parse(member.slice(member.indexOf(":") + 1));
}
