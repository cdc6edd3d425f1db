import { createHash } from "node:crypto";
import { createClient } from "redis";
import type { LoginRequest, RequestPatch, TransitionGuard } from "../core/login-request.ts";
import { REQUEST_COLUMNS, requestFromRow, requestToValues } from "./columns.ts";
import { LocalNotifier } from "./local-notifier.ts";
import {
  type Alert,
  type AuditEntry,
  type ChangeMessage,
  type CounterState,
  type LoginStore,
  type Notifier,
  RESYNC,
  UserCodeTakenError,
} from "./login-store.ts";

/**
 * The part of a node-redis client that the Redis store and notifier use. Every `createClient()`
 * result fits, whatever its RESP version or modules: replies are read through `sendCommand` and
 * Lua, whose shapes do not change between RESP2 and RESP3. It must keep the default type mapping.
 */
export interface RedisClient {
  readonly isOpen: boolean;
  connect(): Promise<unknown>;
  close(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): unknown;
  /** Emitted on every (re)connection, once node-redis has subscribed again to what it had. */
  on(event: "ready", listener: () => void): unknown;
  sendCommand(args: string[]): Promise<unknown>;
  duplicate(): RedisClient;
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<void>;
  unsubscribe(channel: string, listener: (message: string, channel: string) => void): Promise<void>;
}

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

/** A Lua script with its SHA-1, so that it is sent in full only when the server does not have it cached. */
interface Script {
  lua: string;
  sha: string;
}

/** A script ready to run by SHA-1. */
function script(lua: string): Script {
  return { lua, sha: createHash("sha1").update(lua).digest("hex") };
}

// Each script names every key it touches in KEYS, as Redis requires for correct replication, ACLs and
// Cluster routing; keys that depend on the record (its token and code index keys) are read beforehand
// by the caller and the script checks that the record still names them.

// Push requests are listed per approver from a sorted set of ids by deadline. Entries are a superset
// (listPushRequests re-reads and filters each record), pruned once long dead so the set stays small.
const INDEX_APPROVER = `
local function indexApprover(key, id, expires, ttl, cutoff)
  redis.call('ZADD', key, expires, id)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. cutoff)
  -- The set lives as long as its longest-lived entry needs it.
  if redis.call('PTTL', key) < tonumber(ttl) then redis.call('PEXPIRE', key, ttl) end
end
`;

const CREATE = script(`${INDEX_APPROVER}
-- KEYS: record, user code index, scan token index, expiry set, then the approver's push set for a push request
-- ARGV: id, expiresAt, ttl, cut-off below which index entries are dead, then field/value pairs
if redis.call('EXISTS', KEYS[2]) == 1 then return 'taken' end
if redis.call('EXISTS', KEYS[1]) == 1 then return 'exists' end
redis.call('HSET', KEYS[1], unpack(ARGV, 5))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[3])
redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[3])
redis.call('ZADD', KEYS[4], ARGV[2], ARGV[1])
-- Entries whose records Redis has already expired would otherwise pile up when purge never runs.
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. ARGV[4])
if KEYS[5] then indexApprover(KEYS[5], ARGV[1], ARGV[2], ARGV[3], ARGV[4]) end
return 'ok'
`);

const TRANSITION = script(`${INDEX_APPROVER}
-- KEYS: record, expiry set, then the scan token index keys of a.tokens, then the user code index keys of
-- a.codes, in order, then (if a.indexed) the push set of the approver the record names after the patch
-- ARGV[1]: JSON { id, from, liveAt, token?, version?, current, previous, code, previousCode, approver, indexed,
--                 tokens, codes, newCode?, set, unset, retention }
local a = cjson.decode(ARGV[1])
local r = redis.call('HMGET', KEYS[1], 'state', 'expires_at', 'scan_token_hash', 'previous_scan_token_hash',
  'approver_id', 'user_code_hash', 'previous_user_code_hash', 'version')
if not r[1] then return nil end
local allowed = false
for _, state in ipairs(a.from) do
  if state == r[1] then allowed = true end
end
if not allowed or tonumber(r[2]) <= a.liveAt or (a.token and a.token ~= r[3]) then return nil end
if a.version and tonumber(r[8]) ~= a.version then return nil end
-- The caller named the index keys from an earlier read; a change since then means other keys.
if r[3] ~= a.current or (r[4] or '') ~= a.previous or (r[5] or '') ~= a.approver
  or r[6] ~= a.code or (r[7] or '') ~= a.previousCode then return 'retry' end
local ntokens = #a.tokens
if a.newCode then
  local owner = redis.call('GET', KEYS[2 + ntokens + #a.codes])
  if owner and owner ~= a.id then return 'taken' end
end
local fields = {}
for field, value in pairs(a.set) do
  fields[#fields + 1] = field
  fields[#fields + 1] = value
end
if #fields > 0 then redis.call('HSET', KEYS[1], unpack(fields)) end
if #a.unset > 0 then redis.call('HDEL', KEYS[1], unpack(a.unset)) end
redis.call('HINCRBY', KEYS[1], 'version', 1)
local n = redis.call('HMGET', KEYS[1], 'expires_at', 'updated_at', 'scan_token_hash', 'previous_scan_token_hash',
  'mode', 'user_code_hash', 'previous_user_code_hash')
local ttl = string.format('%d', math.max(tonumber(n[1]) - tonumber(n[2]), 0) + a.retention)
redis.call('PEXPIRE', KEYS[1], ttl)
-- Index keys of the current and previous token and code live on with the record; older ones go.
for i, hash in ipairs(a.tokens) do
  if hash == n[3] or hash == n[4] then
    redis.call('SET', KEYS[2 + i], a.id, 'PX', ttl)
  else
    redis.call('DEL', KEYS[2 + i])
  end
end
for i, hash in ipairs(a.codes) do
  if hash == n[6] or hash == n[7] then
    redis.call('SET', KEYS[2 + ntokens + i], a.id, 'PX', ttl)
  else
    redis.call('DEL', KEYS[2 + ntokens + i])
  end
end
redis.call('ZADD', KEYS[2], n[1], a.id)
if a.indexed and n[5] == 'push' then
  indexApprover(KEYS[#KEYS], a.id, n[1], ttl, string.format('%d', tonumber(n[2]) - a.retention))
end
return redis.call('HGETALL', KEYS[1])
`);

const PURGE = script(`
-- KEYS: record, expiry set, then the index keys the record named when read (the approver's push set last
-- when ARGV[3] is '1'); ARGV: id, cut-off, whether an approver set is named
local expires = redis.call('HGET', KEYS[1], 'expires_at')
if expires and tonumber(expires) >= tonumber(ARGV[2]) then
  -- Put the entry back at the record's deadline, so that purge's loop cannot meet it again.
  redis.call('ZADD', KEYS[2], expires, ARGV[1])
  return 0
end
redis.call('ZREM', KEYS[2], ARGV[1])
if not expires then return 0 end
redis.call('DEL', KEYS[1])
local last = #KEYS
if ARGV[3] == '1' then
  redis.call('ZREM', KEYS[last], ARGV[1])
  last = last - 1
end
for i = 3, last do
  if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end
end
return 1
`);

const HIT = script(`
-- KEYS: counter, counter index; ARGV: counter name, now, window, retention, by (negative: give back)
local now = tonumber(ARGV[2])
local by = tonumber(ARGV[5])
local r = redis.call('HMGET', KEYS[1], 'count', 'reset_at')
if r[2] and tonumber(r[2]) > now then
  local count = math.max(tonumber(r[1]) + by, 0)
  redis.call('HSET', KEYS[1], 'count', count)
  return { count, r[2] }
end
-- Giving back never opens a window.
if by < 0 then return { 0, ARGV[2] } end
local reset = string.format('%d', now + tonumber(ARGV[3]))
redis.call('HSET', KEYS[1], 'count', by, 'reset_at', reset)
redis.call('PEXPIRE', KEYS[1], string.format('%d', tonumber(ARGV[3]) + tonumber(ARGV[4])))
redis.call('ZADD', KEYS[2], reset, ARGV[1])
-- Counters Redis has expired leave index entries behind; drop them once surely dead.
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. string.format('%d', now - tonumber(ARGV[4])))
return { by, reset }
`);

const PURGE_COUNTERS = script(`
-- KEYS: counter index, then counters; ARGV: cut-off, then the counters' names in the same order
for i = 2, #KEYS do
  local reset = redis.call('HGET', KEYS[i], 'reset_at')
  if reset and tonumber(reset) >= tonumber(ARGV[1]) then
    -- A new window started since the index was read: keep it, at its new deadline.
    redis.call('ZADD', KEYS[1], reset, ARGV[i])
  else
    redis.call('DEL', KEYS[i])
    redis.call('ZREM', KEYS[1], ARGV[i])
  end
end
return 0
`);

const APPEND_LOG = script(`
-- For the audit trail and alerts alike.
-- KEYS: sequence, log of all entries, then the user's log if the entry names one; ARGV: at, entry JSON
-- A zero-padded sequence number makes each member unique and orders entries of the same instant.
local member = string.format('%016d', redis.call('INCR', KEYS[1])) .. ':' .. ARGV[2]
for i = 2, #KEYS do redis.call('ZADD', KEYS[i], ARGV[1], member) end
return 0
`);

const PURGE_LOG = script(`
-- KEYS: log of all entries, then user logs; ARGV[1]: JSON array aligned with KEYS, the members to remove from each
local groups = cjson.decode(ARGV[1])
for i, members in ipairs(groups) do
  if #members > 0 then redis.call('ZREM', KEYS[i], unpack(members)) end
end
return 0
`);

/** Connects `client` on first use, once; a failed attempt is forgotten so that the next use tries again. */
function connectOnce(client: RedisClient): () => Promise<RedisClient> {
  let connecting: Promise<RedisClient> | undefined;
  return () => {
    connecting ??= client.connect().then(
      () => client,
      (error: unknown) => {
        connecting = undefined;
        throw error;
      },
    );
    return connecting;
  };
}

/** A client of our own; node-redis reconnects by itself, and a failing command rejects to its caller. */
function ownClient(url: string | undefined): RedisClient {
  const client: RedisClient = createClient({ url });
  client.on("error", () => {});
  return client;
}

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

/** Options of {@link RedisNotifier}. */
export interface RedisNotifierOptions {
  /** Where to connect, e.g. `redis://127.0.0.1:6379`; ignored when `client` is given. */
  url?: string;
  /** A client to publish with (its owner connects and closes it); the subscriber connection is its duplicate. */
  client?: RedisClient;
  /** Put before every Redis channel name. Default `qrlogin:`. */
  prefix?: string;
}

/** A changed-request message as it arrived from another process, or `null` if it is not one. */
function parseChange(text: string): ChangeMessage | null {
  try {
    const { requestId, version } = JSON.parse(text);
    return typeof requestId === "string" && typeof version === "number" ? { requestId, version } : null;
  } catch {
    return null;
  }
}

/**
 * Changes across instances through Redis pub/sub: one Redis channel per qrlogin channel, subscribed
 * on a dedicated connection (node-redis needs one for SUBSCRIBE) while this process has listeners on
 * it, and fanned out to them locally. node-redis reconnects and re-subscribes by itself; messages
 * published while the connection is down are lost, so each reconnection delivers {@link RESYNC}.
 * @example const notifier = new RedisNotifier({ url: process.env.REDIS_URL })
 */
export class RedisNotifier implements Notifier {
  readonly #local = new LocalNotifier();
  readonly #publisher: RedisClient;
  readonly #ownsPublisher: boolean;
  readonly #subscriber: RedisClient;
  readonly #publisherConnected: () => Promise<RedisClient>;
  readonly #subscriberConnected: () => Promise<RedisClient>;
  readonly #prefix: string;
  /** Local listener counts per qrlogin channel, and the Redis SUBSCRIBE that serves them. */
  readonly #subscriptions = new Map<string, { listeners: number; ready: Promise<void> }>();

  constructor({ url, client, prefix = "qrlogin:" }: RedisNotifierOptions = {}) {
    this.#ownsPublisher = !client;
    this.#publisher = client ?? ownClient(url);
    this.#subscriber = this.#publisher.duplicate();
    this.#subscriber.on("error", () => {});
    let connectedBefore = false;
    this.#subscriber.on("ready", () => {
      if (connectedBefore) this.#local.resync();
      connectedBefore = true;
    });
    this.#publisherConnected = this.#ownsPublisher ? connectOnce(this.#publisher) : async () => this.#publisher;
    this.#subscriberConnected = connectOnce(this.#subscriber);
    this.#prefix = prefix;
  }

  async publish(channel: string, { requestId, version }: ChangeMessage): Promise<void> {
    const publisher = await this.#publisherConnected();
    await publisher.sendCommand(["PUBLISH", this.#prefix + channel, JSON.stringify({ requestId, version })]);
  }

  async subscribe(channel: string, listener: (message: ChangeMessage) => void): Promise<() => Promise<void>> {
    const stopLocal = await this.#local.subscribe(channel, listener);
    let subscription = this.#subscriptions.get(channel);
    if (!subscription) {
      const created = { listeners: 0, ready: this.#redisSubscribe(channel) };
      // A failed SUBSCRIBE is forgotten at once, so that the next subscriber tries again.
      created.ready.catch(() => {
        if (this.#subscriptions.get(channel) === created) this.#subscriptions.delete(channel);
      });
      this.#subscriptions.set(channel, created);
      subscription = created;
    }
    subscription.listeners++;
    const held = subscription;
    let active = true;
    const stop = async () => {
      if (!active) return;
      active = false;
      await stopLocal();
      held.listeners--;
      if (held.listeners > 0 || this.#subscriptions.get(channel) !== held) return;
      this.#subscriptions.delete(channel);
      // node-redis sends (UN)SUBSCRIBE in call order on one connection, so a later subscribe cannot be undone by this.
      await this.#subscriber.unsubscribe(this.#prefix + channel, this.#onMessage);
    };
    try {
      await held.ready;
    } catch (error) {
      await stop();
      throw error;
    }
    return stop;
  }

  async close(): Promise<void> {
    await this.#local.close();
    this.#subscriptions.clear();
    if (this.#subscriber.isOpen) await this.#subscriber.close();
    if (this.#ownsPublisher && this.#publisher.isOpen) await this.#publisher.close();
  }

  async #redisSubscribe(channel: string): Promise<void> {
    const subscriber = await this.#subscriberConnected();
    await subscriber.subscribe(this.#prefix + channel, this.#onMessage);
  }

  readonly #onMessage = (text: string, redisChannel: string): void => {
    const message = parseChange(text);
    if (message) this.#local.deliver(redisChannel.slice(this.#prefix.length), message);
  };
}
