package redis

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/psnkit/psn/store"
)

// DefaultPrefix is the key prefix used when the URL has no prefix= option.
const DefaultPrefix = "psn:"

// startHint tells a user how to get a Redis server running.
const startHint = `start Redis (e.g. "systemctl start redis-server", "redis-server --appendonly yes --appendfsync always", ` +
	`or "docker run -d -p 6379:6379 redis:7 redis-server --appendonly yes") or fix the URL`

// listPage is how many accounts List reads per round trip.
const listPage = 100

// Store is a store.Store kept in Redis under one key prefix. It is safe for
// concurrent use by many goroutines and many processes.
type Store struct {
	client  *goredis.Client
	prefix  string
	addr    string // for messages
	scripts scripts
	// now is the clock used for UpdatedAt (leases are judged by the
	// server's TIME); tests replace it.
	now func() time.Time
}

var _ store.Store = (*Store)(nil)

// Open connects to the Redis server named by rawURL
// (redis://[user:password@]host:port/db?prefix=psn:, rediss:// for TLS, or
// unix:///path/to/socket?db=0&prefix=psn:) and returns the store. Every key
// the store writes starts with the prefix (default DefaultPrefix). All other
// query options are go-redis's (dial_timeout, pool_size, …).
func Open(ctx context.Context, rawURL string) (*Store, error) {
	opts, prefix, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	client := goredis.NewClient(opts)
	if err := client.Ping(ctx).Err(); err != nil {
		client.Close()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("store/redis: connecting to %s: %w", opts.Addr, err)
		}
		var rErr goredis.Error
		if errors.As(err, &rErr) {
			// Reached the server, which refused us (auth, bad db number).
			return nil, fmt.Errorf("store/redis: Redis at %s refused the connection: %w: %w", opts.Addr, store.ErrUnavailable, err)
		}
		return nil, fmt.Errorf("store/redis: cannot reach Redis at %s; %s: %w: %w", opts.Addr, startHint, store.ErrUnavailable, err)
	}
	return &Store{client: client, prefix: prefix, addr: opts.Addr, scripts: newScripts(), now: time.Now}, nil
}

// OpenExisting is Open for programs that only read: it fails with
// store.ErrNoStore when no key under the prefix exists (Redis creates
// nothing at Open, so this only tells a mistyped URL or prefix from a store).
func OpenExisting(ctx context.Context, rawURL string) (*Store, error) {
	s, err := Open(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	var cursor uint64
	for {
		keys, next, err := s.client.Scan(ctx, cursor, escapeGlob(s.prefix)+"*", 1000).Result()
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("store/redis: looking for the store's keys: %w: %w", store.ErrUnavailable, err)
		}
		if len(keys) > 0 {
			return s, nil
		}
		if cursor = next; cursor == 0 {
			s.Close()
			return nil, fmt.Errorf("%w: no key starts with %q in Redis at %s", store.ErrNoStore, s.prefix, s.addr)
		}
	}
}

// escapeGlob escapes the pattern characters of Redis's glob matching.
func escapeGlob(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\^-`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Close closes the client's connections.
func (s *Store) Close() error {
	if err := s.client.Close(); err != nil && !errors.Is(err, goredis.ErrClosed) {
		return fmt.Errorf("store/redis: close: %w", err)
	}
	return nil
}

// parseURL takes psnkit's prefix= option out of rawURL and hands the rest to
// go-redis.
func parseURL(rawURL string) (*goredis.Options, string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error quotes the URL, password included: say only what is wrong.
		return nil, "", errors.New("store/redis: bad URL: cannot parse it as redis://host:port/db")
	}
	if !strings.HasPrefix(rawURL, "redis://") && !strings.HasPrefix(rawURL, "rediss://") && !strings.HasPrefix(rawURL, "unix://") {
		return nil, "", fmt.Errorf("store/redis: URL scheme %q: want redis://, rediss:// or unix://", u.Scheme)
	}
	prefix := DefaultPrefix
	q := u.Query()
	if vs, ok := q["prefix"]; ok {
		if len(vs) != 1 {
			return nil, "", errors.New("store/redis: bad URL: prefix= given more than once")
		}
		if prefix = vs[0]; prefix == "" {
			return nil, "", errors.New("store/redis: bad URL: prefix= is empty (keys would mix with other applications')")
		}
		q.Del("prefix")
		i := strings.IndexByte(rawURL, '?')
		rest := rawURL[i+1+len(u.RawQuery):]
		if enc := q.Encode(); enc != "" {
			rawURL = rawURL[:i] + "?" + enc + rest
		} else {
			rawURL = rawURL[:i] + rest
		}
	}
	opts, err := goredis.ParseURL(rawURL)
	if err != nil {
		return nil, "", fmt.Errorf("store/redis: bad URL: %s", redactErr(err, u))
	}
	return opts, prefix, nil
}

// redactErr is err's message with u's password, if any, cut out.
func redactErr(err error, u *url.URL) string {
	msg := err.Error()
	if u.User != nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			msg = strings.ReplaceAll(msg, pw, "xxxxx")
		}
	}
	return msg
}

// Keys.
func (s *Store) acctKey(account string) string { return s.prefix + "acct:" + account }
func (s *Store) metaKey(name string) string    { return s.prefix + "meta:" + name }
func (s *Store) dueKey() string                { return s.prefix + "due" }
func (s *Store) leasesKey() string             { return s.prefix + "leases" }
func (s *Store) accountsKey() string           { return s.prefix + "accounts" }

// fail wraps err from Redis for op: connection trouble and a server that
// cannot serve now wrap store.ErrUnavailable; a key of the wrong type wraps
// store.ErrCorrupt.
func fail(op string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("store/redis: %s: %w", op, err)
	}
	if goredis.HasErrorPrefix(err, "WRONGTYPE") {
		return fmt.Errorf("store/redis: %s: a key under the prefix is not what psnkit wrote: %w: %w", op, store.ErrCorrupt, err)
	}
	var rErr goredis.Error
	if errors.As(err, &rErr) {
		for _, p := range []string{"LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "NOAUTH", "WRONGPASS", "READONLY", "MISCONF", "OOM"} {
			if goredis.HasErrorPrefix(err, p) {
				return fmt.Errorf("store/redis: %s: %w: %w", op, store.ErrUnavailable, err)
			}
		}
		return fmt.Errorf("store/redis: %s: %w", op, err)
	}
	return fmt.Errorf("store/redis: %s: %w: %w", op, store.ErrUnavailable, err)
}

// run runs a script and splits its reply into status word and the rest.
func (s *Store) run(ctx context.Context, op string, sc *goredis.Script, keys []string, args ...any) (string, []any, error) {
	v, err := sc.Run(ctx, s.client, keys, args...).Result()
	if err != nil {
		return "", nil, fail(op, err)
	}
	reply, ok := v.([]any)
	if !ok || len(reply) == 0 {
		return "", nil, fmt.Errorf("store/redis: %s: unexpected script reply %T", op, v)
	}
	status, _ := reply[0].(string)
	return status, reply[1:], nil
}

// recordReply decodes the HGETALL a script returned after its status word.
func (s *Store) recordReply(op, account string, rest []any) (store.Record, error) {
	if len(rest) != 1 {
		return store.Record{}, fmt.Errorf("store/redis: %s: script returned no record", op)
	}
	key := s.acctKey(account)
	h, err := pairs(key, rest[0])
	if err != nil {
		return store.Record{}, err
	}
	return decodeRecord(key, h)
}

// Get returns the record for account, or store.ErrNotFound.
func (s *Store) Get(ctx context.Context, account string) (store.Record, error) {
	key := s.acctKey(account)
	h, err := s.client.HGetAll(ctx, key).Result()
	if err != nil {
		return store.Record{}, fail(fmt.Sprintf("get %q", account), err)
	}
	if len(h) == 0 {
		return store.Record{}, fmt.Errorf("store/redis: get %q: %w", account, store.ErrNotFound)
	}
	return decodeRecord(key, h)
}

// Put creates the record with Version 1, or returns store.ErrExists.
func (s *Store) Put(ctx context.Context, rec store.Record) (store.Record, error) {
	op := fmt.Sprintf("put %q", rec.Account)
	args := append([]any{rec.Account}, recordArgs(rec.Account, rec, 1, s.now())...)
	status, rest, err := s.run(ctx, op, s.scripts.put,
		[]string{s.acctKey(rec.Account), s.dueKey(), s.leasesKey(), s.accountsKey()}, args...)
	switch {
	case err != nil:
		return store.Record{}, err
	case status == stExists:
		return store.Record{}, fmt.Errorf("store/redis: %s: %w", op, store.ErrExists)
	case status != stOK:
		return store.Record{}, fmt.Errorf("store/redis: %s: unexpected script status %q", op, status)
	}
	return s.recordReply(op, rec.Account, rest)
}

// CompareAndSwap writes rec over account when the stored version is
// wantVersion, whoever holds the lease; see store.Store.
func (s *Store) CompareAndSwap(ctx context.Context, account string, wantVersion int64, rec store.Record) (store.Record, error) {
	op := fmt.Sprintf("compare-and-swap %q at version %d", account, wantVersion)
	now := s.now()
	presented := rec.LeaseOwner
	if !rec.LeaseExpiry.IsZero() {
		presented = "" // written back as read: the lease stays
	}
	args := append([]any{account, strconv.FormatInt(wantVersion, 10), presented, strconv.FormatInt(rec.Fence, 10)},
		dataArgs(account, rec, wantVersion+1, now)...)
	status, rest, err := s.run(ctx, op, s.scripts.cas,
		[]string{s.acctKey(account), s.dueKey(), s.leasesKey()}, args...)
	return s.scriptRecord(op, account, status, rest, err)
}

// scriptRecord turns the reply of a script that returns a record (the
// version-conditional and the lease scripts) into the record or the
// store error its status names.
func (s *Store) scriptRecord(op, account, status string, rest []any, err error) (store.Record, error) {
	switch {
	case err != nil:
		return store.Record{}, err
	case status == stNotFound:
		return store.Record{}, fmt.Errorf("store/redis: %s: %w", op, store.ErrNotFound)
	case status == stConflict:
		return store.Record{}, fmt.Errorf("store/redis: %s: stored version is %v: %w", op, first(rest), store.ErrConflict)
	case status == stLeaseLost:
		return store.Record{}, fmt.Errorf("store/redis: %s: %s: %w", op, leaseHolder(rest), store.ErrLeaseLost)
	case status != stOK:
		return store.Record{}, fmt.Errorf("store/redis: %s: unexpected script status %q", op, status)
	}
	return s.recordReply(op, account, rest)
}

// Note applies n at version without changing it; see store.Store.
func (s *Store) Note(ctx context.Context, account string, version int64, n store.Note) (store.Record, error) {
	op := fmt.Sprintf("note %q at version %d", account, version)
	lastErrAt := ""
	if n.LastError != "" {
		lastErrAt = encodeTime(n.LastErrorAt.UTC())
	}
	status, rest, err := s.run(ctx, op, s.scripts.note,
		[]string{s.acctKey(account), s.dueKey(), s.leasesKey()},
		account, strconv.FormatInt(version, 10), n.LastError, lastErrAt,
		encodeTime(n.NextRefresh.UTC()), encodeTime(n.RefreshRejectedAt.UTC()), encodeTime(n.NPSSORejectedAt.UTC()),
		n.ReleaseOwner, strconv.FormatInt(n.ReleaseFence, 10), encodeTime(s.now().UTC()))
	return s.scriptRecord(op, account, status, rest, err)
}

// leaseHolder describes the {owner, expiry} a script returned with
// LEASELOST.
func leaseHolder(rest []any) string {
	if len(rest) != 2 {
		return "another owner holds a live lease"
	}
	owner, _ := rest[0].(string)
	exp, _ := rest[1].(string)
	if t, err := decodeTime(exp); err == nil {
		exp = t.Format(time.RFC3339Nano)
	}
	return fmt.Sprintf("lease held by %q until %s", owner, exp)
}

func first(rest []any) any {
	if len(rest) == 0 {
		return "?"
	}
	return rest[0]
}

// ClaimDue leases up to limit due, unleased records to owner until
// now+leaseTTL, oldest NextRefresh first; see store.Store.
func (s *Store) ClaimDue(ctx context.Context, due time.Time, limit int, owner string, leaseTTL time.Duration) ([]store.Record, error) {
	if limit <= 0 {
		return nil, nil
	}
	if err := checkLease(owner, leaseTTL); err != nil {
		return nil, err
	}
	v, err := s.scripts.claimDue.Run(ctx, s.client, []string{s.dueKey(), s.leasesKey()},
		s.prefix+"acct:", encodeTime(due.UTC()), timeScore(due), limit, owner, leaseTTL.Microseconds()).Result()
	if err != nil {
		return nil, fail("claim due", err)
	}
	hashes, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("store/redis: claim due: unexpected script reply %T", v)
	}
	recs := make([]store.Record, 0, len(hashes))
	for _, hv := range hashes {
		h, err := pairs(s.prefix+"acct:?", hv)
		if err != nil {
			return nil, err
		}
		rec, err := decodeRecord(s.acctKey(h[fAccount]), h)
		if err != nil {
			return nil, err
		}
		recs = append(recs, rec)
	}
	slices.SortFunc(recs, func(a, b store.Record) int {
		return cmp.Or(a.NextRefresh.Compare(b.NextRefresh), strings.Compare(a.Account, b.Account))
	})
	return recs, nil
}

// checkLease refuses an empty owner and a lease shorter than the
// server clock's microsecond.
func checkLease(owner string, ttl time.Duration) error {
	if owner == "" {
		return errors.New("store/redis: empty lease owner")
	}
	if ttl < time.Microsecond {
		return fmt.Errorf("store/redis: lease TTL %v is shorter than a microsecond", ttl)
	}
	return nil
}

// Claim leases account to owner until the server's TIME + leaseTTL unless
// another owner holds a live lease (store.ErrLeaseLost); see store.Store.
func (s *Store) Claim(ctx context.Context, account, owner string, leaseTTL time.Duration) (store.Record, error) {
	op := fmt.Sprintf("claim %q", account)
	if err := checkLease(owner, leaseTTL); err != nil {
		return store.Record{}, err
	}
	status, rest, err := s.run(ctx, op, s.scripts.claim,
		[]string{s.acctKey(account), s.dueKey(), s.leasesKey()},
		account, owner, leaseTTL.Microseconds())
	return s.scriptRecord(op, account, status, rest, err)
}

// Renew extends the lease (owner, fence) to the server's TIME + leaseTTL;
// see store.Store.
func (s *Store) Renew(ctx context.Context, account, owner string, fence int64, leaseTTL time.Duration) (store.Record, error) {
	op := fmt.Sprintf("renew %q", account)
	if err := checkLease(owner, leaseTTL); err != nil {
		return store.Record{}, err
	}
	status, rest, err := s.run(ctx, op, s.scripts.renew,
		[]string{s.acctKey(account), s.dueKey(), s.leasesKey()},
		account, owner, strconv.FormatInt(fence, 10), leaseTTL.Microseconds())
	return s.scriptRecord(op, account, status, rest, err)
}

// Release drops the lease (owner, fence) on account; a no-op when that is
// not the stored lease or the account does not exist.
func (s *Store) Release(ctx context.Context, account, owner string, fence int64) error {
	op := fmt.Sprintf("release %q", account)
	status, _, err := s.run(ctx, op, s.scripts.release,
		[]string{s.acctKey(account), s.dueKey(), s.leasesKey()}, account, owner, strconv.FormatInt(fence, 10))
	if err != nil {
		return err
	}
	if status != stOK {
		return fmt.Errorf("store/redis: %s: unexpected script status %q", op, status)
	}
	return nil
}

// Delete removes account, or returns store.ErrNotFound.
func (s *Store) Delete(ctx context.Context, account string) error {
	op := fmt.Sprintf("delete %q", account)
	status, _, err := s.run(ctx, op, s.scripts.del,
		[]string{s.acctKey(account), s.dueKey(), s.leasesKey(), s.accountsKey()}, account)
	switch {
	case err != nil:
		return err
	case status == stNotFound:
		return fmt.Errorf("store/redis: %s: %w", op, store.ErrNotFound)
	case status != stOK:
		return fmt.Errorf("store/redis: %s: unexpected script status %q", op, status)
	}
	return nil
}

// List yields every record ordered by account name (byte order), reading
// pages of listPage accounts; a record written while the iteration runs may
// or may not be seen.
func (s *Store) List(ctx context.Context) iter.Seq2[store.Record, error] {
	return func(yield func(store.Record, error) bool) {
		from := "-"
		for {
			names, err := s.client.ZRangeArgs(ctx, goredis.ZRangeArgs{
				Key: s.accountsKey(), Start: from, Stop: "+", ByLex: true, Count: listPage,
			}).Result()
			if err != nil {
				yield(store.Record{}, fail("list", err))
				return
			}
			if len(names) == 0 {
				return
			}
			cmds := make([]*goredis.MapStringStringCmd, len(names))
			_, err = s.client.Pipelined(ctx, func(p goredis.Pipeliner) error {
				for i, n := range names {
					cmds[i] = p.HGetAll(ctx, s.acctKey(n))
				}
				return nil
			})
			if err != nil {
				yield(store.Record{}, fail("list", err))
				return
			}
			for i, c := range cmds {
				h := c.Val()
				if len(h) == 0 {
					continue // deleted since the page was read
				}
				rec, err := decodeRecord(s.acctKey(names[i]), h)
				if !yield(rec, err) || err != nil {
					return
				}
			}
			if len(names) < listPage {
				return
			}
			from = "(" + names[len(names)-1]
		}
	}
}

// GetMeta returns the meta value name, or store.ErrNotFound.
func (s *Store) GetMeta(ctx context.Context, name string) ([]byte, error) {
	v, err := s.client.Get(ctx, s.metaKey(name)).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, fmt.Errorf("store/redis: get meta %q: %w", name, store.ErrNotFound)
	}
	if err != nil {
		return nil, fail(fmt.Sprintf("get meta %q", name), err)
	}
	if v == nil {
		v = []byte{}
	}
	return v, nil
}

// SwapMeta sets name to value when its current value equals old (old == nil:
// when it does not exist yet), else returns store.ErrConflict.
func (s *Store) SwapMeta(ctx context.Context, name string, old, value []byte) error {
	op := fmt.Sprintf("swap meta %q", name)
	hasOld := "1"
	if old == nil {
		hasOld = "0"
	}
	status, _, err := s.run(ctx, op, s.scripts.swapMeta, []string{s.metaKey(name)}, hasOld, bytesArg(old), bytesArg(value))
	switch {
	case err != nil:
		return err
	case status == stConflict:
		return fmt.Errorf("store/redis: %s: current value is not the expected one: %w", op, store.ErrConflict)
	case status != stOK:
		return fmt.Errorf("store/redis: %s: unexpected script status %q", op, status)
	}
	return nil
}
