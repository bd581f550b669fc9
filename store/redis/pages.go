package redis

import (
	"context"
	"fmt"

	goredis "github.com/redis/go-redis/v9"

	"github.com/psnkit/psn/store"
)

var _ store.Pager = (*Store)(nil)

// stateLua is store.StateOf in Lua over one record hash. It measures the
// sealed fields with HSTRLEN and never reads them. It returns nil for an
// account whose hash is gone (deleted while the walk ran).
const stateLua = luaLib + `
local function acctState(key, now, warn, prefix)
  local f = redis.call('HMGET', key, 'account', 'refresh_expiry', 'access_expiry', 'last_error',
    'refresh_rejected_at', 'npsso_rejected_at')
  if not f[1] then return nil end
  local re, le = str(f[2]), str(f[4])
  if prefix ~= '' and string.sub(le, 1, #prefix) == prefix then return 'login-required' end
  local dead = redis.call('HSTRLEN', key, 'sealed_refresh') == 0 or tcmp(re, now) <= 0 or str(f[5]) ~= ''
  local npssoWorks = redis.call('HSTRLEN', key, 'sealed_npsso') > 0 and str(f[6]) == ''
  if dead and not npssoWorks then return 'login-required' end
  if not dead and tcmp(re, warn) > 0 then return 'ok' end
  if not dead then return 'expiring' end
  return 'npsso-fallback'
end
`

// countStatesLua counts up to ARGV[3] accounts by state, walking the
// accounts set from ARGV[2] (a ZRANGEBYLEX bound). KEYS: accounts. ARGV:
// account key prefix, from, batch, now, warn-until, login-required prefix.
// It returns the last name walked, how many names it walked, then state,
// count pairs. A batch keeps each call short: Redis runs one script at a
// time.
const countStatesLua = stateLua + `
local acctp, from, batch, now, warn, prefix = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5], ARGV[6]
local names = redis.call('ZRANGEBYLEX', KEYS[1], from, '+', 'LIMIT', 0, batch)
local counts = {}
for _, acct in ipairs(names) do
  local st = acctState(acctp .. acct, now, warn, prefix)
  if st then counts[st] = (counts[st] or 0) + 1 end
end
local out = {names[#names] or '', #names}
for st, n in pairs(counts) do
  out[#out + 1] = st
  out[#out + 1] = n
end
return out
`

// pageStateLua finds up to ARGV[3] accounts in state ARGV[7], walking the
// accounts set from ARGV[2] and looking at ARGV[8] names at most. KEYS:
// accounts. ARGV: account key prefix, from, want, now, warn-until,
// login-required prefix, state, budget. It returns the last name looked at
// (empty when the set ended), then the matching names.
const pageStateLua = stateLua + `
local acctp, from, want, now, warn, prefix, state, budget =
  ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5], ARGV[6], ARGV[7], tonumber(ARGV[8])
local out = {''}
local seen = 0
while seen < budget do
  local names = redis.call('ZRANGEBYLEX', KEYS[1], from, '+', 'LIMIT', 0, 256)
  if #names == 0 then out[1] = ''; return out end
  for _, acct in ipairs(names) do
    seen = seen + 1
    if acctState(acctp .. acct, now, warn, prefix) == state then
      out[#out + 1] = acct
      if #out - 1 == want then out[1] = acct; return out end
    end
  end
  from = '(' .. names[#names]
  out[1] = names[#names]
  if #names < 256 then out[1] = ''; return out end
end
return out
`

// Batches of the paging scripts: each call is short, so other clients
// wait at most a few milliseconds behind one.
const (
	countBatch  = 5000
	stateBudget = 4096
)

// lexFrom is the ZRANGEBYLEX bound just after name ("-" for the start).
func lexFrom(after string) string {
	if after == "" {
		return "-"
	}
	return "(" + after
}

// ruleArgs are the instants and prefix the scripts judge states by.
func ruleArgs(r store.StateRules) (now, warn string) {
	return encodeTime(r.Now.UTC()), encodeTime(r.Now.Add(max(r.WarnBefore, 0)).UTC())
}

// Page returns one page of records ordered by account name (see
// store.Pager). Without a state it reads the page's names from the
// accounts set and their hashes in one pipeline; with one, a script walks
// the set and judges each account by its instants (never its secrets),
// and only the matching hashes are read.
func (s *Store) Page(ctx context.Context, q store.PageQuery) (store.Page, error) {
	if err := store.CheckPageQuery(q); err != nil {
		return store.Page{}, err
	}
	var names []string
	if q.State == "" {
		var err error
		names, err = s.client.ZRangeArgs(ctx, goredis.ZRangeArgs{
			Key: s.accountsKey(), Start: lexFrom(q.After), Stop: "+", ByLex: true, Count: int64(q.Limit + 1),
		}).Result()
		if err != nil {
			return store.Page{}, fail("page", err)
		}
	} else {
		now, warn := ruleArgs(q.Rules)
		sc := goredis.NewScript(pageStateLua)
		from := lexFrom(q.After)
		for len(names) <= q.Limit {
			v, err := sc.Run(ctx, s.client, []string{s.accountsKey()}, s.acctKey(""), from,
				q.Limit+1-len(names), now, warn, q.Rules.LoginRequiredPrefix, q.State, stateBudget).StringSlice()
			if err != nil {
				return store.Page{}, fail("page", err)
			}
			if len(v) == 0 {
				return store.Page{}, fmt.Errorf("store/redis: page: empty script reply: %w", store.ErrCorrupt)
			}
			names = append(names, v[1:]...)
			if v[0] == "" {
				break
			}
			from = "(" + v[0]
		}
	}
	page := store.Page{}
	if len(names) > q.Limit {
		names, page.More = names[:q.Limit], true
	}
	if len(names) == 0 {
		return page, nil
	}
	cmds := make([]*goredis.MapStringStringCmd, len(names))
	_, err := s.client.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for i, n := range names {
			cmds[i] = p.HGetAll(ctx, s.acctKey(n))
		}
		return nil
	})
	if err != nil {
		return store.Page{}, fail("page", err)
	}
	page.Records = make([]store.Record, 0, len(names))
	for i, c := range cmds {
		h := c.Val()
		if len(h) == 0 {
			continue // deleted since its name was read
		}
		rec, err := decodeRecord(s.acctKey(names[i]), h)
		if err != nil {
			return store.Page{}, err
		}
		page.Records = append(page.Records, rec)
	}
	return page, nil
}

// CountStates counts the accounts by state with a script that judges each
// account by its instants and the lengths of its sealed fields (never
// their bytes), countBatch accounts per call so Redis serves others in
// between. Redis has no secondary index to count from: the cost grows with
// the number of accounts (about 1 ms per 1,000 on a small machine).
func (s *Store) CountStates(ctx context.Context, r store.StateRules) (store.StateCounts, error) {
	now, warn := ruleArgs(r)
	sc := goredis.NewScript(countStatesLua)
	counts := store.NewStateCounts()
	from := "-"
	for {
		v, err := sc.Run(ctx, s.client, []string{s.accountsKey()}, s.acctKey(""), from, countBatch, now, warn, r.LoginRequiredPrefix).Slice()
		if err != nil {
			return nil, fail("count states", err)
		}
		if len(v) < 2 || len(v)%2 != 0 {
			return nil, fmt.Errorf("store/redis: count states: script reply of %d values: %w", len(v), store.ErrCorrupt)
		}
		last, _ := v[0].(string)
		walked, _ := v[1].(int64)
		for i := 2; i < len(v); i += 2 {
			st, _ := v[i].(string)
			n, _ := v[i+1].(int64)
			if !store.ValidState(st) || st == "" {
				return nil, fmt.Errorf("store/redis: count states: unknown state %q: %w", st, store.ErrCorrupt)
			}
			counts[st] += int(n)
		}
		if walked < countBatch || last == "" {
			return counts, nil
		}
		from = "(" + last
	}
}

// Missing returns those of names that have no record (see store.Pager):
// one pipeline of EXISTS.
func (s *Store) Missing(ctx context.Context, names []string) ([]string, error) {
	if len(names) > store.MaxPage {
		return nil, fmt.Errorf("%w: %d names, at most %d", store.ErrBadPageQuery, len(names), store.MaxPage)
	}
	if len(names) == 0 {
		return nil, nil
	}
	cmds := make([]*goredis.IntCmd, len(names))
	_, err := s.client.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for i, n := range names {
			cmds[i] = p.Exists(ctx, s.acctKey(n))
		}
		return nil
	})
	if err != nil {
		return nil, fail("missing", err)
	}
	var out []string
	for i, c := range cmds {
		if c.Val() == 0 {
			out = append(out, names[i])
		}
	}
	return out, nil
}
