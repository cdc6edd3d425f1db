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

// Every script but VERSIONS (one node only) touches exactly one key, KEYS[1], so that it runs on any
// deployment, Redis Cluster included (a script's keys must share a slot there). What spans keys — a record and its index
// entries, a counter and the counter index — is a script on the record followed by commands on the
// other keys, in an order that readers tolerate (see RedisStore). Every script is also safe to run
// again after its reply was lost: that is how the store resolves a dropped connection.

export const CREATE = script(`
-- KEYS[1]: the record; ARGV: ttl, then field/value pairs
-- Answers 1 once created, or the browser secret hash of the record already there: the caller's own
-- if an earlier try of this create was applied but its reply lost.
local secret = redis.call('HGET', KEYS[1], 'browser_secret_hash')
if secret then return secret end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
`);

export const TRANSITION = script(`
-- KEYS[1]: the record
-- ARGV[1]: JSON { from, liveAt, version?, set, unset, retention, write }
-- Answers nil when the guard does not hold; otherwise { how, ttl, indexed fields before, HGETALL after },
-- how being 'applied', or 'again' when this same write (its id) was applied already and its reply lost.
local INDEXED = { 'user_code_hash', 'previous_user_code_hash', 'approver_id' }
local a = cjson.decode(ARGV[1])
local function ttl()
  local n = redis.call('HMGET', KEYS[1], 'expires_at', 'updated_at')
  return string.format('%d', math.max(tonumber(n[1]) - tonumber(n[2]), 0) + a.retention)
end
local r = redis.call('HMGET', KEYS[1], 'state', 'expires_at', 'version', 'write_id')
if not r[1] then return nil end
if r[4] == a.write then
  -- Written again, unchanged, so that a WAITAOF on this connection also waits for it.
  redis.call('HSET', KEYS[1], 'write_id', a.write)
  return { 'again', ttl(), {}, redis.call('HGETALL', KEYS[1]) }
end
local allowed = false
for _, state in ipairs(a.from) do
  if state == r[1] then allowed = true end
end
if not allowed or tonumber(r[2]) <= a.liveAt then return nil end
if a.version and tonumber(r[3]) ~= a.version then return nil end
local before = redis.call('HMGET', KEYS[1], unpack(INDEXED))
local fields = { 'write_id', a.write }
for field, value in pairs(a.set) do
  fields[#fields + 1] = field
  fields[#fields + 1] = value
end
redis.call('HSET', KEYS[1], unpack(fields))
if #a.unset > 0 then redis.call('HDEL', KEYS[1], unpack(a.unset)) end
redis.call('HINCRBY', KEYS[1], 'version', 1)
local t = ttl()
redis.call('PEXPIRE', KEYS[1], t)
return { 'applied', t, before, redis.call('HGETALL', KEYS[1]) }
`);

export const VERSIONS = script(`
-- KEYS: records, on one node only (they are in as many slots); answers the version of each, false where gone
local versions = {}
for i, key in ipairs(KEYS) do versions[i] = redis.call('HGET', key, 'version') end
return versions
`);

export const PURGE = script(`
-- KEYS[1]: the record; ARGV[1]: the cut-off
-- Answers { 'gone' }, { 'kept', expires_at } or { 'deleted', the indexed fields it had }.
local r = redis.call('HMGET', KEYS[1], 'expires_at', 'user_code_hash', 'previous_user_code_hash', 'approver_id')
if not r[1] then return { 'gone' } end
if tonumber(r[1]) >= tonumber(ARGV[1]) then return { 'kept', r[1] } end
redis.call('DEL', KEYS[1])
return { 'deleted', r[2], r[3], r[4] }
`);

export const CLAIM = script(`
-- KEYS[1]: a user code's index key; ARGV: request id, ttl
-- Takes the code for the request unless another request holds it: answers 1 if taken now, 2 if the
-- request held it already, 0 if another request does.
local owner = redis.call('GET', KEYS[1])
if owner == ARGV[1] then return 2 end
if owner then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`);

export const DELETE_IF = script(`
-- KEYS[1]: an index key; ARGV[1]: the request id it must still point to, for it to be deleted
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

export const INDEX = script(`
-- KEYS[1]: a sorted set of ids or names by deadline; ARGV: member, deadline, ttl, cut-off below which entries are dead
-- Entries whose keys Redis has already expired would otherwise pile up when purge never runs.
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[4])
-- The set lives as long as its longest-lived entry needs it.
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return 0
`);

export const HIT = script(`
-- KEYS[1]: the counter; ARGV: now, window, retention, by (negative: give back)
-- Answers { count, window end, 1 if this hit opened the window }.
local now = tonumber(ARGV[1])
local by = tonumber(ARGV[4])
local r = redis.call('HMGET', KEYS[1], 'count', 'reset_at')
if r[2] and tonumber(r[2]) > now then
  local count = math.max(tonumber(r[1]) + by, 0)
  redis.call('HSET', KEYS[1], 'count', count)
  return { count, r[2], 0 }
end
-- Giving back never opens a window.
if by < 0 then return { 0, ARGV[1], 0 } end
local reset = string.format('%d', now + tonumber(ARGV[2]))
redis.call('HSET', KEYS[1], 'count', by, 'reset_at', reset)
redis.call('PEXPIRE', KEYS[1], string.format('%d', tonumber(ARGV[2]) + tonumber(ARGV[3])))
return { by, reset, 1 }
`);

export const PURGE_COUNTER = script(`
-- KEYS[1]: a counter; ARGV[1]: the cut-off
-- Deletes it if its window ended before the cut-off; otherwise answers the end of its window.
local reset = redis.call('HGET', KEYS[1], 'reset_at')
if reset and tonumber(reset) >= tonumber(ARGV[1]) then return reset end
redis.call('DEL', KEYS[1])
return false
`);
