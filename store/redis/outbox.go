package redis

import (
	"context"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/psnkit/psn/store"
)

// The outbox (store.Outbox) lives in these keys:
//
//	{prefix}ob:{id}   hash, one row (fields: see decodeEvent)
//	{prefix}obq       sorted set of pending rows, scored by NextAttempt
//	                  (unix ms) while unleased and by LeaseExpiry while leased
//	{prefix}obdone    sorted set of finished rows, scored by DoneAt (unix ms)
//
// As for the records, scores are only an index: the exact instants live in
// the hash and decide, and leases are judged by the server's TIME.

var _ store.Outbox = (*Store)(nil)

func (s *Store) eventKey(id string) string { return s.prefix + "ob:" + id }
func (s *Store) queueKey() string          { return s.prefix + "obq" }
func (s *Store) doneKey() string           { return s.prefix + "obdone" }

// enqueueLua adds a row unless its key exists. KEYS: row, queue. ARGV: id,
// kind, target, payload, next attempt, its score.
const enqueueLua = luaLib + `
if redis.call('EXISTS', KEYS[1]) == 1 then return {'exists'} end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'kind', ARGV[2], 'target', ARGV[3], 'payload', ARGV[4],
  'attempts', '0', 'next', ARGV[5], 'last_error', '', 'created', nowenc(), 'done', '', 'lease_owner', '', 'lease_expiry', '')
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[1])
return {'ok'}
`

// claimEventsLua leases up to limit due rows whose lease is absent or
// ended, oldest next attempt first. KEYS: queue. ARGV: row key prefix, due
// instant, its score, limit, owner, lease TTL in microseconds.
const claimEventsLua = luaLib + `
local rowp, due, duescore, limit, owner = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
local now = nowenc()
local expiry = tafter(tonumber(ARGV[6]))
local top = duescore
if duescore ~= '-inf' and tonumber(score(now)) > tonumber(duescore) then top = score(now) end
local cand, fix, gone = {}, {}, {}
local off, size = 0, limit + 16
while #cand < limit do
  local page = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', top, 'LIMIT', off, size)
  if #page == 0 then break end
  for _, id in ipairs(page) do
    local f = redis.call('HMGET', rowp .. id, 'next', 'lease_expiry', 'done')
    if not f[1] or str(f[3]) ~= '' then
      gone[#gone + 1] = id
    elseif not live(str(f[2]), now) then
      if tcmp(str(f[1]), due) <= 0 then
        cand[#cand + 1] = {id, str(f[1])}
      elseif str(f[2]) ~= '' then
        fix[#fix + 1] = {id, str(f[1])}
      end
    end
  end
  if #page < size then break end
  off = off + size
end
for _, id in ipairs(gone) do redis.call('ZREM', KEYS[1], id) end
for _, c in ipairs(fix) do
  redis.call('HSET', rowp .. c[1], 'lease_owner', '', 'lease_expiry', '')
  redis.call('ZADD', KEYS[1], score(c[2]), c[1])
end
table.sort(cand, function(a, b)
  local c = tcmp(a[2], b[2])
  if c ~= 0 then return c < 0 end
  return a[1] < b[1]
end)
local out = {'ok'}
for i = 1, math.min(limit, #cand) do
  local id = cand[i][1]
  redis.call('HSET', rowp .. id, 'lease_owner', owner, 'lease_expiry', expiry)
  redis.call('ZADD', KEYS[1], score(expiry), id)
  out[#out + 1] = redis.call('HGETALL', rowp .. id)
end
return out
`

// retryEventLua hands back the holder's row: a failed attempt when ARGV[6]
// is "1" (attempts+1, last error set), else without one. KEYS: row,
// queue. ARGV: id, owner, next attempt, its score, last error, counted.
const retryEventLua = luaLib + `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'nf'} end
local f = redis.call('HMGET', KEYS[1], 'lease_owner', 'done')
if ARGV[2] == '' or str(f[1]) ~= ARGV[2] or str(f[2]) ~= '' then return {'lost'} end
if ARGV[6] == '1' then
  redis.call('HINCRBY', KEYS[1], 'attempts', 1)
  redis.call('HSET', KEYS[1], 'last_error', ARGV[5])
end
redis.call('HSET', KEYS[1], 'next', ARGV[3], 'lease_owner', '', 'lease_expiry', '')
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
return {'ok'}
`

// finishEventLua ends a row. KEYS: row, queue, done. ARGV: id, last error.
const finishEventLua = luaLib + `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'nf'} end
if str(redis.call('HGET', KEYS[1], 'done')) ~= '' then return {'ok'} end
local now = nowenc()
redis.call('HSET', KEYS[1], 'done', now, 'last_error', ARGV[2], 'lease_owner', '', 'lease_expiry', '')
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[3], score(now), ARGV[1])
return {'ok'}
`

// pruneEventsLua removes up to 1000 finished rows done before an instant.
// KEYS: done. ARGV: row key prefix, the instant, its score + 1.
const pruneEventsLua = luaLib + `
local n = 0
local scanned = 0
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[3], 'LIMIT', 0, 1000)) do
  scanned = scanned + 1
  local done = str(redis.call('HGET', ARGV[1] .. id, 'done'))
  if done == '' or tcmp(done, ARGV[2]) < 0 then
    redis.call('DEL', ARGV[1] .. id)
    redis.call('ZREM', KEYS[1], id)
    n = n + 1
  end
end
return {'ok', tostring(n), tostring(scanned)}
`

// outboxScripts are the outbox's scripts, shared by every Store.
var outboxScripts = struct {
	enqueue, claim, retry, finish, prune *goredis.Script
}{
	goredis.NewScript(enqueueLua), goredis.NewScript(claimEventsLua), goredis.NewScript(retryEventLua),
	goredis.NewScript(finishEventLua), goredis.NewScript(pruneEventsLua),
}

// Enqueue adds ev unless its ID is present; see store.Outbox.
func (s *Store) Enqueue(ctx context.Context, ev store.OutboxEvent) (bool, error) {
	if err := store.CheckEvent(ev); err != nil {
		return false, err
	}
	status, _, err := s.run(ctx, "enqueue", outboxScripts.enqueue, []string{s.eventKey(ev.ID), s.queueKey()},
		ev.ID, ev.Kind, ev.Target, ev.Payload, encodeTime(ev.NextAttempt.UTC()), timeScore(ev.NextAttempt))
	if err != nil {
		return false, err
	}
	return status == "ok", nil
}

// ClaimEvents leases up to limit due, unleased pending rows, judged by the
// server's TIME; see store.Outbox.
func (s *Store) ClaimEvents(ctx context.Context, due time.Time, limit int, owner string, leaseTTL time.Duration) ([]store.OutboxEvent, error) {
	if limit <= 0 {
		return nil, nil
	}
	if err := checkLease(owner, leaseTTL); err != nil {
		return nil, err
	}
	_, rest, err := s.run(ctx, "claim events", outboxScripts.claim, []string{s.queueKey()},
		s.prefix+"ob:", encodeTime(due.UTC()), timeScore(due), limit, owner, leaseTTL.Microseconds())
	if err != nil {
		return nil, err
	}
	out := make([]store.OutboxEvent, 0, len(rest))
	for _, hv := range rest {
		h, err := pairs(s.prefix+"ob:?", hv)
		if err != nil {
			return nil, err
		}
		e, err := decodeEvent(h)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// RetryEvent records a failed attempt of the row owner holds; see store.Outbox.
func (s *Store) RetryEvent(ctx context.Context, id, owner string, next time.Time, lastError string) error {
	return s.handBack(ctx, "retry event", id, owner, next, lastError, "1")
}

// ReleaseEvent hands back the row owner holds without an attempt; see
// store.Outbox.
func (s *Store) ReleaseEvent(ctx context.Context, id, owner string, next time.Time) error {
	return s.handBack(ctx, "release event", id, owner, next, "", "0")
}

// handBack runs retryEventLua for the row owner holds.
func (s *Store) handBack(ctx context.Context, op, id, owner string, next time.Time, lastError, counted string) error {
	status, _, err := s.run(ctx, op, outboxScripts.retry, []string{s.eventKey(id), s.queueKey()},
		id, owner, encodeTime(next.UTC()), timeScore(next), lastError, counted)
	switch {
	case err != nil:
		return err
	case status == "nf":
		return fmt.Errorf("store/redis: %s %q: %w", op, id, store.ErrNotFound)
	case status == "lost":
		return fmt.Errorf("store/redis: %s %q: %w", op, id, store.ErrLeaseLost)
	}
	return nil
}

// FinishEvent ends the row; see store.Outbox.
func (s *Store) FinishEvent(ctx context.Context, id, lastError string) error {
	status, _, err := s.run(ctx, "finish event", outboxScripts.finish, []string{s.eventKey(id), s.queueKey(), s.doneKey()}, id, lastError)
	switch {
	case err != nil:
		return err
	case status == "nf":
		return fmt.Errorf("store/redis: finish event %q: %w", id, store.ErrNotFound)
	}
	return nil
}

// PruneEvents removes finished rows done before before; see store.Outbox.
func (s *Store) PruneEvents(ctx context.Context, before time.Time) (int, error) {
	sc, err := strconv.ParseInt(timeScore(before), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("store/redis: prune events before %v: %w", before, err)
	}
	total := 0
	for {
		_, rest, err := s.run(ctx, "prune events", outboxScripts.prune, []string{s.doneKey()},
			s.prefix+"ob:", encodeTime(before.UTC()), sc+1)
		if err != nil {
			return total, err
		}
		if len(rest) != 2 {
			return total, fmt.Errorf("store/redis: prune events: unexpected reply")
		}
		n, _ := strconv.Atoi(fmt.Sprint(rest[0]))
		scanned, _ := strconv.Atoi(fmt.Sprint(rest[1]))
		total += n
		if scanned < 1000 || n == 0 {
			return total, nil
		}
	}
}

// PendingEvents counts the pending rows.
func (s *Store) PendingEvents(ctx context.Context) (int, error) {
	n, err := s.client.ZCard(ctx, s.queueKey()).Result()
	if err != nil {
		return 0, fail("pending events", err)
	}
	return int(n), nil
}

// GetEvent returns one row, or store.ErrNotFound.
func (s *Store) GetEvent(ctx context.Context, id string) (store.OutboxEvent, error) {
	h, err := s.client.HGetAll(ctx, s.eventKey(id)).Result()
	if err != nil {
		return store.OutboxEvent{}, fail("get event", err)
	}
	if len(h) == 0 {
		return store.OutboxEvent{}, fmt.Errorf("store/redis: get event %q: %w", id, store.ErrNotFound)
	}
	return decodeEvent(h)
}

// decodeEvent reads a row's hash.
func decodeEvent(h map[string]string) (store.OutboxEvent, error) {
	e := store.OutboxEvent{ID: h["id"], Kind: h["kind"], Target: h["target"], Payload: []byte(h["payload"]),
		LastError: h["last_error"], LeaseOwner: h["lease_owner"]}
	var err error
	if e.Attempts, err = strconv.Atoi(h["attempts"]); err != nil {
		return store.OutboxEvent{}, fmt.Errorf("store/redis: event %q: attempts %q: %w", e.ID, h["attempts"], store.ErrCorrupt)
	}
	for _, f := range []struct {
		name string
		to   *time.Time
	}{{"next", &e.NextAttempt}, {"created", &e.CreatedAt}, {"done", &e.DoneAt}, {"lease_expiry", &e.LeaseExpiry}} {
		if *f.to, err = decodeTime(h[f.name]); err != nil {
			return store.OutboxEvent{}, fmt.Errorf("store/redis: event %q: %s: %w: %w", e.ID, f.name, store.ErrCorrupt, err)
		}
	}
	return e, nil
}
