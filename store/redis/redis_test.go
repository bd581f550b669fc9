package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/store/storetest"
)

// baseURL is the Redis the tests use; each test works under its own prefix.
func baseURL() string {
	if u := os.Getenv("PSN_TEST_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

// withPrefix returns baseURL with prefix=p added.
func withPrefix(t testing.TB, p string) string {
	t.Helper()
	u, err := url.Parse(baseURL())
	if err != nil {
		t.Fatalf("PSN_TEST_REDIS_URL: %v", err)
	}
	q := u.Query()
	q.Set("prefix", p)
	u.RawQuery = q.Encode()
	return u.String()
}

// skipUnlessReachable skips (or, with PSN_REQUIRE_SERVICES=1, fails) the test
// when err says Redis cannot be reached.
func skipUnlessReachable(t testing.TB, err error) {
	t.Helper()
	if err == nil || !errors.Is(err, store.ErrUnavailable) {
		return
	}
	msg := fmt.Sprintf("Redis is not reachable: %v\n"+
		"start it (e.g. `redis-server --save '' --appendonly no` or `docker run -d -p 6379:6379 redis:7`) "+
		"or point PSN_TEST_REDIS_URL at one", err)
	if os.Getenv("PSN_REQUIRE_SERVICES") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// newPrefix returns a key prefix no other test uses.
func newPrefix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "psntest:" + hex.EncodeToString(b[:]) + ":"
}

// keysUnder lists every key starting with prefix.
func keysUnder(t testing.TB, c *goredis.Client, prefix string) []string {
	t.Helper()
	var keys []string
	iter := c.Scan(context.Background(), 0, globEscape(prefix)+"*", 500).Iterator()
	for iter.Next(context.Background()) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Fatalf("SCAN %s*: %v", prefix, err)
	}
	slices.Sort(keys)
	return keys
}

// globEscape escapes the glob characters of SCAN MATCH.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\^`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// adminClient is a plain client on baseURL, closed when t ends.
func adminClient(t testing.TB) *goredis.Client {
	t.Helper()
	opts, err := goredis.ParseURL(baseURL())
	if err != nil {
		t.Fatalf("PSN_TEST_REDIS_URL: %v", err)
	}
	c := goredis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	return c
}

// deletePrefix removes every key under prefix.
func deletePrefix(t testing.TB, prefix string) {
	t.Helper()
	opts, err := goredis.ParseURL(baseURL())
	if err != nil {
		t.Errorf("PSN_TEST_REDIS_URL: %v", err)
		return
	}
	c := goredis.NewClient(opts)
	defer c.Close()
	if keys := keysUnder(t, c, prefix); len(keys) > 0 {
		if err := c.Del(context.Background(), keys...).Err(); err != nil {
			t.Errorf("delete test keys: %v", err)
		}
	}
}

// newStore opens a store under a fresh prefix whose keys are deleted when t
// ends, or skips t when Redis is down.
func newStore(t testing.TB) *Store {
	t.Helper()
	p := newPrefix()
	s, err := Open(context.Background(), withPrefix(t, p))
	skipUnlessReachable(t, err)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		s.Close()
		deletePrefix(t, p)
	})
	return s
}

// raw returns, for every key under s's prefix, its name, its DUMP
// serialization and its plain contents (string value, hash fields and
// values, sorted-set members).
func raw(t *testing.T, st store.Store) []byte {
	t.Helper()
	s := st.(*Store)
	ctx := context.Background()
	c := adminClient(t)
	var out []byte
	add := func(ss ...string) {
		for _, x := range ss {
			out = append(out, x...)
			out = append(out, '\n')
		}
	}
	for _, k := range keysUnder(t, c, s.prefix) {
		add(k)
		d, err := c.Dump(ctx, k).Result()
		if err != nil {
			t.Fatalf("DUMP %s: %v", k, err)
		}
		add(d)
		typ, err := c.Type(ctx, k).Result()
		if err != nil {
			t.Fatalf("TYPE %s: %v", k, err)
		}
		switch typ {
		case "string":
			add(c.Get(ctx, k).Val())
		case "hash":
			for f, v := range c.HGetAll(ctx, k).Val() {
				add(f, v)
			}
		case "zset":
			for _, z := range c.ZRangeWithScores(ctx, k, 0, -1).Val() {
				add(fmt.Sprint(z.Member), fmt.Sprint(z.Score))
			}
		default:
			t.Fatalf("key %s has type %s, which the store never writes", k, typ)
		}
	}
	return out
}

func TestConformance(t *testing.T) {
	newStore(t) // skip the whole suite at once when Redis is down
	storetest.Run(t, storetest.Harness{
		New: func(t *testing.T) store.Store { return newStore(t) },
		Raw: raw,
		Reopen: func(t *testing.T, st store.Store) store.Store {
			s := st.(*Store)
			s.Close()
			s2, err := Open(t.Context(), withPrefix(t, s.prefix))
			if err != nil {
				t.Fatalf("reopen: %v", err)
			}
			t.Cleanup(func() { s2.Close() })
			return s2
		},
		Share: func(t *testing.T, st store.Store) store.Store {
			s2, err := Open(t.Context(), withPrefix(t, st.(*Store).prefix))
			if err != nil {
				t.Fatalf("open a second handle: %v", err)
			}
			t.Cleanup(func() { s2.Close() })
			return s2
		},
	})
}

func TestOpenUnreachableSaysHowToStartRedis(t *testing.T) {
	// Port 1 on the loopback: nothing listens there, the dial is refused.
	_, err := Open(t.Context(), "redis://:hunter2-secret@127.0.0.1:1/0?max_retries=-1")
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Open = %v, want errors.Is(err, store.ErrUnavailable)", err)
	}
	msg := err.Error()
	for _, want := range []string{"127.0.0.1:1", "start Redis", "redis-server"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
	if strings.Contains(msg, "hunter2-secret") {
		t.Errorf("error %q contains the URL's password", msg)
	}
}

func TestOpenRejectsBadURLs(t *testing.T) {
	for _, u := range []string{
		"postgres://127.0.0.1/test",
		"redis://127.0.0.1:6379/0?prefix=",
		"redis://127.0.0.1:6379/0?prefix=a&prefix=b",
		"redis://:pw-secret@127.0.0.1:6379/x",
		"redis://:pw-secret@127.0.0.1:6379/0?no_such_option=1",
		"redis://:pw-secret@127.0.0.1:6379/0?dial_timeout=pw-secret",
		"://pw-secret@",
	} {
		_, err := Open(t.Context(), u)
		if err == nil {
			t.Errorf("Open(%q) succeeded, want an error", u)
			continue
		}
		if strings.Contains(err.Error(), "pw-secret") {
			t.Errorf("Open(%q) error %q contains the password", u, err)
		}
	}
}

func TestParseURLPrefix(t *testing.T) {
	for _, c := range []struct{ url, prefix, addr string }{
		{"redis://127.0.0.1:6379/0", DefaultPrefix, "127.0.0.1:6379"},
		{"redis://h:7000/2?prefix=team%3Apsn%3A&dial_timeout=3", "team:psn:", "h:7000"},
		{"redis://h/0?prefix={psn}:", "{psn}:", "h:6379"},
	} {
		opts, prefix, err := parseURL(c.url)
		if err != nil {
			t.Errorf("parseURL(%q): %v", c.url, err)
			continue
		}
		if prefix != c.prefix || opts.Addr != c.addr {
			t.Errorf("parseURL(%q) = prefix %q addr %q, want %q %q", c.url, prefix, opts.Addr, c.prefix, c.addr)
		}
	}
}

// TestOnlyDocumentedKeys checks every key a store writes is under its prefix
// and one of the documented kinds, and that due and leases together index
// every account exactly once.
func TestOnlyDocumentedKeys(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, n := range []string{"a", "b", "c", "d"} {
		if _, err := s.Put(ctx, store.Record{Account: n, NextRefresh: now.Add(-time.Minute)}); err != nil {
			t.Fatalf("Put: %v", err)
		}
	}
	if _, err := s.ClaimDue(ctx, now, 2, "w", time.Minute); err != nil {
		t.Fatalf("ClaimDue: %v", err)
	}
	if err := s.SwapMeta(ctx, "ring", nil, []byte("r")); err != nil {
		t.Fatalf("SwapMeta: %v", err)
	}
	if err := s.Delete(ctx, "d"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	c := adminClient(t)
	want := []string{s.acctKey("a"), s.acctKey("b"), s.acctKey("c"), s.accountsKey(), s.dueKey(), s.leasesKey(), s.metaKey("ring")}
	slices.Sort(want)
	if got := keysUnder(t, c, s.prefix); !slices.Equal(got, want) {
		t.Errorf("keys = %q, want %q", got, want)
	}
	due := c.ZRange(ctx, s.dueKey(), 0, -1).Val()
	leased := c.ZRange(ctx, s.leasesKey(), 0, -1).Val()
	all := slices.Sorted(slices.Values(append(slices.Clone(due), leased...)))
	if !slices.Equal(all, []string{"a", "b", "c"}) || len(leased) != 2 {
		t.Errorf("due %q + leases %q, want a, b, c once each with two leased", due, leased)
	}
}

// TestScoresAgreeWithGo checks the Lua score() and Go's timeScore give the
// same millisecond for instants on both sides of 1970 and for the zero time.
func TestScoresAgreeWithGo(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	c := adminClient(t)
	for i, at := range []time.Time{
		{},
		time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(1950, 1, 1, 0, 0, 0, 1, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999000000, time.UTC),
	} {
		name := fmt.Sprintf("t%d", i)
		got, err := s.Put(ctx, store.Record{Account: name, NextRefresh: at})
		if err != nil {
			t.Fatalf("Put(%v): %v", at, err)
		}
		if !got.NextRefresh.Equal(at) {
			t.Errorf("NextRefresh %v came back as %v", at, got.NextRefresh)
		}
		sc, err := c.ZScore(ctx, s.dueKey(), name).Result()
		if err != nil {
			t.Fatalf("ZSCORE: %v", err)
		}
		if want := timeScore(at); fmt.Sprintf("%.0f", sc) != want && !(want == "-inf" && sc < -1e300) {
			t.Errorf("score of %v = %.0f, want %s", at, sc, want)
		}
	}
}

// TestClaimDueOrdersToTheNanosecond puts several records inside one
// millisecond: the sorted-set score cannot tell them apart, the script must.
func TestClaimDueOrdersToTheNanosecond(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	ms := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		off  time.Duration
	}{{"n300", 300}, {"n100", 100}, {"n200", 200}, {"n900", 900}, {"early", -time.Millisecond}} {
		if _, err := s.Put(ctx, store.Record{Account: c.name, NextRefresh: ms.Add(c.off)}); err != nil {
			t.Fatalf("Put: %v", err)
		}
	}
	now := ms.Add(250) // n300 and n900 are not due yet, though in now's millisecond
	got, err := s.ClaimDue(ctx, now, 2, "w", time.Minute)
	if err != nil {
		t.Fatalf("ClaimDue: %v", err)
	}
	if names := accountsOf(got); !slices.Equal(names, []string{"early", "n100"}) {
		t.Fatalf("ClaimDue(limit 2) = %q, want [early n100]", names)
	}
	got, err = s.ClaimDue(ctx, now, 5, "w", time.Minute)
	if err != nil {
		t.Fatalf("ClaimDue: %v", err)
	}
	if names := accountsOf(got); !slices.Equal(names, []string{"n200"}) {
		t.Fatalf("second ClaimDue = %q, want [n200]", names)
	}
}

func accountsOf(recs []store.Record) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.Account)
	}
	return out
}

func TestLeasesAreJudgedByTheServersClock(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	// This process's clock is four years off; the server's decides leases.
	clock := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	s.now = func() time.Time { return clock }
	if _, err := s.Put(ctx, store.Record{Account: "a", NextRefresh: clock}); err != nil {
		t.Fatalf("Put: %v", err)
	}
	before := time.Now()
	got, err := s.Claim(ctx, "a", "w1", time.Minute)
	if err != nil {
		t.Fatalf("Claim: %v", err)
	}
	if lo, hi := before, time.Now().Add(2*time.Minute); got.LeaseExpiry.Before(lo) || got.LeaseExpiry.After(hi) {
		t.Errorf("LeaseExpiry = %v, want the server's now + 1m (about %v), not this process's clock", got.LeaseExpiry, before.Add(time.Minute))
	}
	if _, err := s.Claim(ctx, "a", "w2", time.Minute); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("Claim by w2 = %v, want ErrLeaseLost", err)
	}
}

func TestForeignDataIsErrCorrupt(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	c := adminClient(t)
	if err := c.HSet(ctx, s.acctKey("garbled"), "account", "garbled", "version", "one").Err(); err != nil {
		t.Fatalf("HSET: %v", err)
	}
	if err := c.Set(ctx, s.acctKey("string"), "not a hash", 0).Err(); err != nil {
		t.Fatalf("SET: %v", err)
	}
	if _, err := s.Get(ctx, "garbled"); !errors.Is(err, store.ErrCorrupt) {
		t.Errorf("Get of a hash with a bad version = %v, want ErrCorrupt", err)
	}
	if _, err := s.Get(ctx, "string"); !errors.Is(err, store.ErrCorrupt) {
		t.Errorf("Get of a string key = %v, want ErrCorrupt", err)
	}
	if _, err := s.Claim(ctx, "string", "w", time.Minute); !errors.Is(err, store.ErrCorrupt) {
		t.Errorf("Claim of a string key = %v, want ErrCorrupt", err)
	}
}

func TestClosedStoreIsErrUnavailable(t *testing.T) {
	s := newStore(t)
	s.Close()
	if _, err := s.Get(t.Context(), "a"); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Get on a closed store = %v, want errors.Is(err, store.ErrUnavailable)", err)
	}
}

func TestListReadsPastOnePage(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	const n = 2*listPage + 3
	for i := range n {
		if _, err := s.Put(ctx, store.Record{Account: fmt.Sprintf("acct-%04d", n-i)}); err != nil {
			t.Fatalf("Put: %v", err)
		}
	}
	var got []string
	for r, err := range s.List(ctx) {
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		got = append(got, r.Account)
	}
	if len(got) != n || !slices.IsSorted(got) {
		t.Errorf("List yielded %d accounts (sorted: %v), want %d in order", len(got), slices.IsSorted(got), n)
	}
}

// putDue adds n records named acct-00000… all due before now.
func putDue(t testing.TB, s *Store, n int, now time.Time) {
	t.Helper()
	var wg sync.WaitGroup
	const workers = 8
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				rec := store.Record{
					Account:       fmt.Sprintf("acct-%05d", i),
					SealedAccess:  []byte{1},
					SealedRefresh: []byte{2},
					NextRefresh:   now.Add(-time.Duration(i) * time.Second),
				}
				if _, err := s.Put(context.Background(), rec); err != nil {
					t.Errorf("Put: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// testRecord is a record with every field set.
func testRecord(account string) store.Record {
	at := time.Date(2025, 6, 1, 12, 0, 0, 123456789, time.UTC)
	return store.Record{
		Account: account, AccountID: "6515971742264256071", OnlineID: "Online_" + account,
		SealedAccess: []byte{1, 0, 0xff}, SealedRefresh: []byte{1, 2}, SealedNPSSO: []byte{1, 3}, KeyID: 7,
		AccessExpiry: at.Add(time.Hour), RefreshExpiry: at.Add(60 * 24 * time.Hour), NextRefresh: at.Add(45 * time.Minute),
		LastError: "none", LastErrorAt: at,
	}
}

// TestClaimDueStepsOverLiveLeases: with many live leases ahead of the free
// accounts in the due order, ClaimDue (even with a due instant hours ahead)
// must step over them across several pages and take only free accounts.
func TestClaimDueStepsOverLiveLeases(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	base := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	const held = 100
	for i := range held {
		name := fmt.Sprintf("held-%03d", i)
		if _, err := s.Put(ctx, store.Record{Account: name, NextRefresh: base.Add(-time.Hour + time.Duration(i)*time.Second)}); err != nil {
			t.Fatalf("Put: %v", err)
		}
		if _, err := s.Claim(ctx, name, "old", time.Hour); err != nil {
			t.Fatalf("Claim: %v", err)
		}
	}
	for i := range 5 {
		if _, err := s.Put(ctx, store.Record{Account: fmt.Sprintf("free-%d", i), NextRefresh: base.Add(-time.Minute + time.Duration(i)*time.Second)}); err != nil {
			t.Fatalf("Put: %v", err)
		}
	}
	got, err := s.ClaimDue(ctx, time.Now().Add(2*time.Hour), 3, "new", time.Minute)
	if err != nil {
		t.Fatalf("ClaimDue: %v", err)
	}
	for _, r := range got {
		if !strings.HasPrefix(r.Account, "free-") {
			t.Errorf("ClaimDue took %s, whose lease is live", r.Account)
		}
	}
	if len(got) != 3 {
		t.Errorf("ClaimDue got %q, want 3 free accounts", accountsOf(got))
	}
	c := adminClient(t)
	if n := c.ZCard(ctx, s.leasesKey()).Val(); n != held+3 {
		t.Errorf("%d accounts under leases, want %d", n, held+3)
	}
}
