import { createHash } from "node:crypto";

/** A Lua script with its SHA-1, so that it is sent in full only when the server does not have it cached. */
export interface Script {
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

export const CREATE = script(`${INDEX_APPROVER}
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

export const TRANSITION = script(`${INDEX_APPROVER}
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

export const PURGE = script(`
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

export const HIT = script(`
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

export const PURGE_COUNTERS = script(`
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

export const APPEND_LOG = script(`
-- For the audit trail and alerts alike.
-- KEYS: sequence, log of all entries, then the user's log if the entry names one; ARGV: at, entry JSON
-- A zero-padded sequence number makes each member unique and orders entries of the same instant.
local member = string.format('%016d', redis.call('INCR', KEYS[1])) .. ':' .. ARGV[2]
for i = 2, #KEYS do redis.call('ZADD', KEYS[i], ARGV[1], member) end
return 0
`);

export const PURGE_LOG = script(`
-- KEYS: log of all entries, then user logs; ARGV[1]: JSON array aligned with KEYS, the members to remove from each
local groups = cjson.decode(ARGV[1])
for i, members in ipairs(groups) do
  if #members > 0 then redis.call('ZREM', KEYS[i], unpack(members)) end
end
return 0
`);
