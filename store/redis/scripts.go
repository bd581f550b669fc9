package redis

import goredis "github.com/redis/go-redis/v9"

// Every mutation is one Lua script, so Redis runs it atomically: no other
// command sees it half done. Keys:
//
//	{prefix}acct:{name}  hash, one record (fields: see codec.go)
//	{prefix}accounts     sorted set of every account name, all scores 0 (List, by byte order)
//	{prefix}due          sorted set: accounts without a lease, scored by NextRefresh (unix ms)
//	{prefix}leases       sorted set: accounts with a lease, scored by LeaseExpiry (unix ms)
//	{prefix}meta:{name}  string, one meta value
//
// An account is in exactly one of due and leases. ClaimDue first moves the
// accounts whose lease has ended back to due, then walks due in score order,
// so it never steps over accounts that are held. Scores are only an index:
// the exact instants (to the nanosecond) live in the hash and decide.

// luaLib is prepended to every script that compares instants. An instant is
// encoded "<unix seconds>.<9-digit nanoseconds>", or "" for the zero time,
// which sorts before every other instant (a zero NextRefresh is due; a zero
// LeaseExpiry is no lease). Seconds and nanoseconds are compared as separate
// numbers: both are exact in Lua's doubles, which a nanosecond count is not.
const luaLib = `
local function tsplit(s)
  local dot = string.find(s, '.', 1, true)
  if not dot then return tonumber(s), 0 end
  return tonumber(string.sub(s, 1, dot - 1)), tonumber(string.sub(s, dot + 1))
end
local function tcmp(a, b)
  if a == b then return 0 end
  if a == '' then return -1 end
  if b == '' then return 1 end
  local as, an = tsplit(a)
  local bs, bn = tsplit(b)
  if as ~= bs then if as < bs then return -1 else return 1 end end
  if an < bn then return -1 elseif an > bn then return 1 end
  return 0
end
local function live(expiry, now)
  return expiry ~= '' and tcmp(expiry, now) > 0
end
local function score(s)
  if s == '' then return '-inf' end
  local sec, ns = tsplit(s)
  return string.format('%.0f', sec * 1000 + math.floor(ns / 1000000))
end
local function str(v)
  if v then return v end
  return ''
end
-- The store's clock: the Redis server's TIME, encoded like encodeTime.
local function tnow()
  local t = redis.call('TIME')
  return tonumber(t[1]), tonumber(t[2])
end
local function tenc(sec, us)
  return string.format('%d.%09d', sec, us * 1000)
end
local function nowenc()
  local sec, us = tnow()
  return tenc(sec, us)
end
-- now + ttl microseconds, encoded.
local function tafter(ttlus)
  local sec, us = tnow()
  local total = us + ttlus
  return tenc(sec + math.floor(total / 1000000), total % 1000000)
end
-- place files acct in due or leases by the lease its hash holds now.
local function place(key, due, leases, acct)
  local f = redis.call('HMGET', key, 'next_refresh', 'lease_expiry')
  if str(f[2]) == '' then
    redis.call('ZREM', leases, acct)
    redis.call('ZADD', due, score(str(f[1])), acct)
  else
    redis.call('ZREM', due, acct)
    redis.call('ZADD', leases, score(str(f[2])), acct)
  end
end
`

// Script results start with a status word.
const (
	stOK        = "OK"
	stNotFound  = "NOTFOUND"
	stExists    = "EXISTS"
	stConflict  = "CONFLICT"
	stLeaseLost = "LEASELOST"
)

// putLua creates a record.
// KEYS: acct, due, leases, accounts. ARGV: account, then field/value pairs.
const putLua = luaLib + `
if redis.call('EXISTS', KEYS[1]) == 1 then return {'EXISTS'} end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('ZADD', KEYS[4], 0, ARGV[1])
place(KEYS[1], KEYS[2], KEYS[3], ARGV[1])
return {'OK', redis.call('HGETALL', KEYS[1])}
`

// casLua replaces a record's data at an expected version, whoever holds
// the lease; a write presenting the stored lease (owner and fence, no
// expiry) drops it.
// KEYS: acct, due, leases. ARGV: account, wanted version, the presented
// lease owner (empty when the record has a LeaseExpiry), its fence, then
// field/value pairs.
const casLua = luaLib + `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'NOTFOUND'} end
local cur = redis.call('HMGET', KEYS[1], 'version', 'lease_owner', 'fence')
if str(cur[1]) ~= ARGV[2] then return {'CONFLICT', str(cur[1])} end
redis.call('HSET', KEYS[1], unpack(ARGV, 5))
if ARGV[3] ~= '' and str(cur[2]) == ARGV[3] and str(cur[3]) == ARGV[4] then
  redis.call('HSET', KEYS[1], 'lease_owner', '', 'lease_expiry', '')
end
place(KEYS[1], KEYS[2], KEYS[3], ARGV[1])
return {'OK', redis.call('HGETALL', KEYS[1])}
`

// noteLua applies a store.Note at an expected version without changing it.
// KEYS: acct, due, leases. ARGV: account, version, last error (empty keeps it),
// its time, next refresh, refresh rejected at, NPSSO rejected at (empty keeps
// each), the lease to drop (owner, fence), updated at.
const noteLua = luaLib + `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'NOTFOUND'} end
local cur = redis.call('HMGET', KEYS[1], 'version', 'lease_owner', 'fence')
if str(cur[1]) ~= ARGV[2] then return {'CONFLICT', str(cur[1])} end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'last_error', ARGV[3], 'last_error_at', ARGV[4]) end
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'next_refresh', ARGV[5]) end
if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'refresh_rejected_at', ARGV[6]) end
if ARGV[7] ~= '' then redis.call('HSET', KEYS[1], 'npsso_rejected_at', ARGV[7]) end
if ARGV[8] ~= '' and str(cur[2]) == ARGV[8] and str(cur[3]) == ARGV[9] then
  redis.call('HSET', KEYS[1], 'lease_owner', '', 'lease_expiry', '')
end
redis.call('HSET', KEYS[1], 'updated_at', ARGV[10])
place(KEYS[1], KEYS[2], KEYS[3], ARGV[1])
return {'OK', redis.call('HGETALL', KEYS[1])}
`

// claimLua leases one account until the server's TIME + ttl; a holder's live
// lease is extended under its fence, any other grant gets a new fence.
// KEYS: acct, due, leases. ARGV: account, owner, ttl in microseconds.
const claimLua = luaLib + `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'NOTFOUND'} end
local now = nowenc()
local cur = redis.call('HMGET', KEYS[1], 'lease_owner', 'lease_expiry')
local held = live(str(cur[2]), now)
if held and str(cur[1]) ~= ARGV[2] then
  return {'LEASELOST', str(cur[1]), str(cur[2])}
end
if not (held and str(cur[1]) == ARGV[2]) then redis.call('HINCRBY', KEYS[1], 'fence', 1) end
redis.call('HSET', KEYS[1], 'lease_owner', ARGV[2], 'lease_expiry', tafter(tonumber(ARGV[3])))
place(KEYS[1], KEYS[2], KEYS[3], ARGV[1])
return {'OK', redis.call('HGETALL', KEYS[1])}
`

// renewLua extends the lease (owner, fence) if nobody was granted it since.
// KEYS: acct, due, leases. ARGV: account, owner, fence, ttl in microseconds.
const renewLua = luaLib + `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'NOTFOUND'} end
local cur = redis.call('HMGET', KEYS[1], 'lease_owner', 'lease_expiry', 'fence')
if str(cur[1]) ~= ARGV[2] or str(cur[3]) ~= ARGV[3] then
  return {'LEASELOST', str(cur[1]), str(cur[2])}
end
redis.call('HSET', KEYS[1], 'lease_expiry', tafter(tonumber(ARGV[4])))
place(KEYS[1], KEYS[2], KEYS[3], ARGV[1])
return {'OK', redis.call('HGETALL', KEYS[1])}
`

// releaseLua drops the lease (owner, fence); a no-op for anyone else.
// KEYS: acct, due, leases. ARGV: account, owner, fence.
const releaseLua = luaLib + `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'OK'} end
local cur = redis.call('HMGET', KEYS[1], 'lease_owner', 'fence')
if str(cur[1]) ~= ARGV[2] or str(cur[2]) ~= ARGV[3] then return {'OK'} end
redis.call('HSET', KEYS[1], 'lease_owner', '', 'lease_expiry', '')
place(KEYS[1], KEYS[2], KEYS[3], ARGV[1])
return {'OK'}
`

// deleteLua removes a record and its index entries.
// KEYS: acct, due, leases, accounts. ARGV: account.
const deleteLua = `
if redis.call('DEL', KEYS[1]) == 0 then return {'NOTFOUND'} end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
return {'OK'}
`

// claimDueLua leases up to limit due, unheld accounts, oldest NextRefresh
// first, and returns their hashes (HGETALL form) in that order. Leases are
// judged by the server's TIME; each grant adds one to the fence.
// KEYS: due, leases. ARGV: account key prefix ("{prefix}acct:"), the due
// instant, its score, limit, owner, lease TTL in microseconds.
const claimDueLua = luaLib + `
local acctp, due, duescore, limit, owner = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
local now = nowenc()
local nowscore = score(now)
local expiry = tafter(tonumber(ARGV[6]))
-- 1. Leases that have ended go back to due.
for _, acct in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', nowscore)) do
  local key = acctp .. acct
  if redis.call('EXISTS', key) == 0 then
    redis.call('ZREM', KEYS[2], acct)
  elseif not live(str(redis.call('HGET', key, 'lease_expiry')), now) then
    redis.call('ZREM', KEYS[2], acct)
    redis.call('ZADD', KEYS[1], score(str(redis.call('HGET', key, 'next_refresh'))), acct)
  end
end
-- 2. Walk due oldest first. Scores are milliseconds, so once limit accounts
-- are found, finish their millisecond: a later entry in it may be earlier to
-- the nanosecond. Fix-ups wait until the walk is over (they shift offsets).
local cand, fix = {}, {}
local cutoff, done, off, size = nil, false, 0, limit + 16
while not done do
  local page = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', duescore, 'WITHSCORES', 'LIMIT', off, size)
  if #page == 0 then break end
  for i = 1, #page, 2 do
    local acct, sc = page[i], page[i + 1]
    local scn
    if sc == '-inf' then scn = -math.huge else scn = tonumber(sc) end
    if cutoff ~= nil and scn > cutoff then done = true; break end
    local f = redis.call('HMGET', acctp .. acct, 'next_refresh', 'lease_expiry', 'version')
    if not f[3] then
      fix[#fix + 1] = acct
    elseif live(str(f[2]), now) then
      fix[#fix + 1] = acct
    elseif tcmp(str(f[1]), due) <= 0 then
      cand[#cand + 1] = {acct, str(f[1])}
      if #cand == limit then cutoff = scn end
    end
  end
  if #page < 2 * size then done = true end
  off = off + size
  if size < 1024 then size = size * 2 end
end
for _, acct in ipairs(fix) do
  local key = acctp .. acct
  if redis.call('EXISTS', key) == 0 then
    redis.call('ZREM', KEYS[1], acct)
  else
    place(key, KEYS[1], KEYS[2], acct)
  end
end
table.sort(cand, function(a, b)
  local c = tcmp(a[2], b[2])
  if c ~= 0 then return c < 0 end
  return a[1] < b[1]
end)
-- 3. Lease the first limit.
local out = {}
local esc = score(expiry)
for i = 1, math.min(limit, #cand) do
  local acct = cand[i][1]
  local key = acctp .. acct
  redis.call('HSET', key, 'lease_owner', owner, 'lease_expiry', expiry)
  redis.call('HINCRBY', key, 'fence', 1)
  redis.call('ZREM', KEYS[1], acct)
  redis.call('ZADD', KEYS[2], esc, acct)
  out[#out + 1] = redis.call('HGETALL', key)
end
return out
`

// swapMetaLua sets a meta value when its current value is the expected one.
// KEYS: meta. ARGV: "1" when an old value is expected ("0": must not
// exist), old value, new value.
const swapMetaLua = `
local cur = redis.call('GET', KEYS[1])
if ARGV[1] == '0' then
  if cur then return {'CONFLICT'} end
else
  if not cur or cur ~= ARGV[2] then return {'CONFLICT'} end
end
redis.call('SET', KEYS[1], ARGV[3])
return {'OK'}
`

// scripts holds the loaded scripts of one Store.
type scripts struct {
	put, cas, note, claim, renew, release, del, claimDue, swapMeta *goredis.Script
}

func newScripts() scripts {
	return scripts{
		put:      goredis.NewScript(putLua),
		cas:      goredis.NewScript(casLua),
		note:     goredis.NewScript(noteLua),
		claim:    goredis.NewScript(claimLua),
		renew:    goredis.NewScript(renewLua),
		release:  goredis.NewScript(releaseLua),
		del:      goredis.NewScript(deleteLua),
		claimDue: goredis.NewScript(claimDueLua),
		swapMeta: goredis.NewScript(swapMetaLua),
	}
}
