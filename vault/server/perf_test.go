package server

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/psntest"
	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/vault"
)

// countingStore counts the calls made to the store it wraps (a
// store.Pager, as every backend is), and can run a hook before a
// CompareAndSwap.
type countingStore struct {
	store.Store
	calls   atomic.Int64 // every call
	gets    atomic.Int64
	metas   atomic.Int64
	lists   atomic.Int64
	missing atomic.Int64
	beforeC func(account string)
}

func (c *countingStore) Missing(ctx context.Context, names []string) ([]string, error) {
	c.calls.Add(1)
	c.missing.Add(1)
	return c.Store.(store.Pager).Missing(ctx, names)
}

func (c *countingStore) Get(ctx context.Context, a string) (store.Record, error) {
	c.calls.Add(1)
	c.gets.Add(1)
	return c.Store.Get(ctx, a)
}

func (c *countingStore) GetMeta(ctx context.Context, name string) ([]byte, error) {
	c.calls.Add(1)
	c.metas.Add(1)
	return c.Store.GetMeta(ctx, name)
}

func (c *countingStore) List(ctx context.Context) iter.Seq2[store.Record, error] {
	c.calls.Add(1)
	c.lists.Add(1)
	return c.Store.List(ctx)
}

func (c *countingStore) CompareAndSwap(ctx context.Context, a string, v int64, rec store.Record) (store.Record, error) {
	c.calls.Add(1)
	if c.beforeC != nil {
		c.beforeC(a)
	}
	return c.Store.CompareAndSwap(ctx, a, v, rec)
}

func (c *countingStore) Page(ctx context.Context, q store.PageQuery) (store.Page, error) {
	c.calls.Add(1)
	return c.Store.(store.Pager).Page(ctx, q)
}

func (c *countingStore) CountStates(ctx context.Context, r store.StateRules) (store.StateCounts, error) {
	c.calls.Add(1)
	return c.Store.(store.Pager).CountStates(ctx, r)
}

// TestTokenServedFromMemory: a cached, fresh token costs no store call;
// the look-up that notices a delete elsewhere runs at most once per
// existRecheck, in the background.
func TestTokenServedFromMemory(t *testing.T) {
	e := newSvcEnv(t, envOptions{sim: psntest.Config{AccessTTL: time.Hour}})
	cs := &countingStore{Store: e.st}
	svc := e.newService(cs, e.keys, envOptions{})
	e.add("alice", 0, false)
	ctx := t.Context()
	first, err := svc.Token(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	cs.calls.Store(0)
	cs.gets.Store(0)
	for range 100 {
		tok, err := svc.Token(ctx, "alice")
		if err != nil || tok.AccessToken != first.AccessToken {
			t.Fatalf("Token = %v, %v; want the cached token", tok, err)
		}
	}
	if n := cs.calls.Load(); n != 0 {
		t.Fatalf("100 Token calls on a fresh cached token made %d store calls, want 0", n)
	}
	// Past existRecheck the request is still served from memory; the
	// background checker looks every used account up in one query.
	e.sim.Advance(existRecheck)
	for range 10 {
		if _, err := svc.Token(ctx, "alice"); err != nil {
			t.Fatal(err)
		}
	}
	if n := cs.gets.Load(); n != 0 {
		t.Fatalf("%d store reads by requests within existMaxAge of the last look-up, want 0", n)
	}
	svc.checkCached(ctx)
	if g, m := cs.gets.Load(), cs.missing.Load(); g != 0 || m < 1 {
		t.Fatalf("background check: %d Gets and %d Missing calls, want 0 and at least 1", g, m)
	}
	// A delete elsewhere is noticed by the checker.
	if err := e.st.Delete(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	e.sim.Advance(existRecheck)
	if _, err := svc.Token(ctx, "alice"); err != nil { // used since the last look-up
		t.Fatal(err)
	}
	svc.checkCached(ctx)
	if _, err := svc.Token(ctx, "alice"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Token after the checker saw the delete = %v, want store.ErrNotFound", err)
	}
}

// TestSourceCacheBounded: past MaxSources the least recently used sources
// are closed, and sources unused for SourceIdle are closed too; an
// evicted account is served again on its next request.
func TestSourceCacheBounded(t *testing.T) {
	e := newSvcEnv(t, envOptions{sim: psntest.Config{AccessTTL: time.Hour, Users: 2}})
	svc := e.newService(e.st, e.keys, envOptions{svc: func(c *ServiceConfig) {
		c.MaxSources, c.SourceIdle = 3, time.Minute
	}})
	ctx := t.Context()
	names := []string{"a1", "a2", "a3", "a4", "a5", "a6", "a7"}
	for i, n := range names {
		e.add(n, i%2, false)
	}
	for _, n := range names {
		if _, err := svc.Token(ctx, n); err != nil {
			t.Fatal(err)
		}
		if got := svc.SourcesCached(); got > 3 {
			t.Fatalf("%d sources cached with MaxSources 3", got)
		}
	}
	// The most recent one stayed; an evicted one is made again.
	svc.mu.Lock()
	_, last := svc.sources["a7"]
	svc.mu.Unlock()
	if !last {
		t.Fatal("the most recently used source was evicted")
	}
	if _, err := svc.Token(ctx, "a1"); err != nil {
		t.Fatalf("Token of an evicted account: %v", err)
	}
	// Idle ones go after SourceIdle.
	e.sim.Advance(2 * time.Minute)
	if _, err := svc.Token(ctx, "a2"); err != nil {
		t.Fatal(err)
	}
	if got := svc.SourcesCached(); got != 1 {
		t.Fatalf("%d sources cached after the others idled for 2 min, want 1", got)
	}
	if g := e.refreshGrants(); g != 0 {
		t.Fatalf("%d refresh grants: evicting must not refresh", g)
	}
}

// TestEvictionWaitsForRefreshInFlight: an evicted source that is
// refreshing is closed, not abandoned: its refresh is saved, and a request
// for the account meanwhile waits for it instead of refreshing again.
func TestEvictionWaitsForRefreshInFlight(t *testing.T) {
	g := newGate()
	e := newSvcEnv(t, envOptions{sim: psntest.Config{AccessTTL: time.Hour, RotateRefresh: true}, wrap: g.wrap})
	svc := e.newService(e.st, e.keys, envOptions{svc: func(c *ServiceConfig) { c.MaxSources = 1 }})
	ctx := t.Context()
	e.add("alice", 0, false)
	v1 := e.record("alice").Version
	e.sim.Advance(time.Hour) // alice's token is dead: her next request refreshes
	e.add("bob", 1, false)   // bob's is new
	first := make(chan error, 1)
	go func() {
		_, err := svc.Token(ctx, "alice")
		first <- err
	}()
	<-g.entered
	if _, err := svc.Token(ctx, "bob"); err != nil { // evicts alice's source
		t.Fatal(err)
	}
	svc.mu.Lock()
	_, cached := svc.sources["alice"]
	closing := svc.closing["alice"] != nil
	svc.mu.Unlock()
	if cached || !closing {
		t.Fatalf("alice cached %v, closing %v: want evicted and closing", cached, closing)
	}
	second := make(chan *psn.Token, 1)
	go func() {
		tok, err := svc.Token(ctx, "alice")
		if err != nil {
			t.Error(err)
		}
		second <- tok
	}()
	close(g.open)
	if err := <-first; err != nil {
		t.Fatalf("the request whose refresh was in flight: %v", err)
	}
	tok := <-second
	if rec := e.record("alice"); rec.Version != v1+1 {
		t.Fatalf("alice at version %d, want %d: the refresh in flight was not saved once", rec.Version, v1+1)
	}
	if tok == nil || tok.Expired(e.sim.Now()) {
		t.Fatal("the second request got no valid token")
	}
	st := e.sim.Stats()
	if st.Grants.RefreshToken != 1 || st.Errors.InvalidGrant != 0 {
		t.Fatalf("refresh grants %d, invalid_grant %d; want 1 and 0", st.Grants.RefreshToken, st.Errors.InvalidGrant)
	}
}

// TestAddAccountRacingDelete: a delete that lands between the login's
// read and its write does not turn a made PSN login into a 404: the login
// is written, as a new account.
func TestAddAccountRacingDelete(t *testing.T) {
	e := newSvcEnv(t, envOptions{sim: psntest.Config{AccessTTL: time.Hour}})
	e.add("alice", 0, false)
	cs := &countingStore{Store: e.st}
	var once sync.Once
	cs.beforeC = func(a string) {
		once.Do(func() {
			if err := e.st.Delete(context.Background(), a); err != nil {
				t.Errorf("racing delete: %v", err)
			}
		})
	}
	svc := e.newService(cs, e.keys, envOptions{})
	h, created, err := svc.AddAccount(t.Context(), "alice", psn.Secret(e.user(0).NPSSO), false)
	if err != nil {
		t.Fatalf("AddAccount racing a delete = %v, want success", err)
	}
	if !created || h.Account != "alice" {
		t.Fatalf("created = %v (%+v), want a new account", created, h)
	}
	if rec := e.record("alice"); rec.Version != 1 {
		t.Fatalf("alice at version %d, want 1 (created again)", rec.Version)
	}
	if _, err := svc.Token(t.Context(), "alice"); err != nil {
		t.Fatal(err)
	}
}

// TestAPIKeyRevocationSeenByOtherInstance: a key revoked through another
// APIKeys (another replica) stops working within APIKeyRecheck, and
// verifying a key reads the store at most once per APIKeyRecheck.
func TestAPIKeyRevocationSeenByOtherInstance(t *testing.T) {
	st, _ := newSQLite(t)
	ctx := t.Context()
	cs := &countingStore{Store: st}
	a, b := NewAPIKeys(cs), NewAPIKeys(st)
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	a.now = func() time.Time { return time.Unix(0, now.Load()) }
	key, _, err := b.Create(ctx, "ci")
	if err != nil {
		t.Fatal(err)
	}
	for range 100 {
		if _, err := a.Verify(ctx, key.Reveal()); err != nil {
			t.Fatal(err)
		}
	}
	if n := cs.metas.Load(); n != 1 {
		t.Fatalf("100 verifications read the keys %d times, want 1", n)
	}
	if err := b.Revoke(ctx, "ci"); err != nil {
		t.Fatal(err)
	}
	now.Add(int64(APIKeyRecheck))
	if _, err := a.Verify(ctx, key.Reveal()); !errors.Is(err, ErrAPIKeyInvalid) {
		t.Fatalf("Verify %v after another instance revoked the key = %v, want ErrAPIKeyInvalid", APIKeyRecheck, err)
	}
	// A revocation through the same instance takes effect at once.
	key2, _, err := a.Create(ctx, "ci2")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Verify(ctx, key2.Reveal()); err != nil {
		t.Fatal(err)
	}
	if err := a.Revoke(ctx, "ci2"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Verify(ctx, key2.Reveal()); !errors.Is(err, ErrAPIKeyInvalid) {
		t.Fatalf("Verify right after revoking through the same instance = %v, want ErrAPIKeyInvalid", err)
	}
}

// TestAPIListAccountsPaged walks GET /v1/accounts page by page, filters
// by state, and refuses bad parameters with typed errors; no listing reads
// every record.
func TestAPIListAccountsPaged(t *testing.T) {
	a := newAPIEnv(t, envOptions{sim: psntest.Config{AccessTTL: time.Hour, Users: 2}})
	cs := &countingStore{Store: a.st}
	svc := a.newService(cs, a.svcEnv.keys, envOptions{})
	h := NewHandler(svc, a.keys)
	names := []string{"d", "b", "a", "e", "c"}
	for i, n := range names {
		a.add(n, i%2, false)
	}
	if err := a.sim.RevokeRefreshTokens(a.user(1).OnlineID); err != nil {
		t.Fatal(err)
	}
	a.sim.Advance(2 * time.Hour)
	// b and e (user 1) now fail for good.
	for _, n := range []string{"b", "e"} {
		if _, err := svc.Token(t.Context(), n); !errors.Is(err, psn.ErrLoginRequired) {
			t.Fatalf("Token(%s) = %v, want login required", n, err)
		}
	}
	get := func(path string) (int, []byte) {
		t.Helper()
		rec := newRecorder()
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+a.key.Reveal())
		h.ServeHTTP(rec, req)
		return rec.code, []byte(rec.body.String())
	}
	var got []string
	cursor := ""
	for i := 0; ; i++ {
		code, body := get("/v1/accounts?limit=2&cursor=" + cursor)
		if code != 200 {
			t.Fatalf("page %d: %d %s", i, code, body)
		}
		var p AccountPage
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatal(err)
		}
		for _, h := range p.Accounts {
			got = append(got, h.Account)
		}
		if p.Next == "" {
			if strings.Contains(string(body), `"next"`) {
				t.Fatalf("last page holds a next: %s", body)
			}
			break
		}
		if len(p.Accounts) != 2 {
			t.Fatalf("page %d holds %d accounts with a next", i, len(p.Accounts))
		}
		cursor = p.Next
	}
	if want := []string{"a", "b", "c", "d", "e"}; !slices.Equal(got, want) {
		t.Fatalf("pages = %q, want %q", got, want)
	}
	code, body := get("/v1/accounts?state=login-required")
	var p AccountPage
	if err := json.Unmarshal(body, &p); code != 200 || err != nil {
		t.Fatalf("state filter: %d %s", code, body)
	}
	if len(p.Accounts) != 2 || p.Accounts[0].Account != "b" || p.Accounts[1].Account != "e" || p.Next != "" {
		t.Fatalf("login-required page = %s", body)
	}
	for _, h := range p.Accounts {
		if h.State != vault.StateLoginRequired {
			t.Fatalf("%s in the login-required page has state %s", h.Account, h.State)
		}
	}
	for path, code := range map[string]string{
		"/v1/accounts?limit=0":                           "invalid_limit",
		"/v1/accounts?limit=1001":                        "invalid_limit",
		"/v1/accounts?limit=x":                           "invalid_limit",
		"/v1/accounts?limit=":                            "invalid_limit",
		"/v1/accounts?cursor=zzz":                        "invalid_cursor",
		"/v1/accounts?cursor=" + encodeCursor("a") + "x": "invalid_cursor",
		"/v1/accounts?state=dead":                        "invalid_state",
	} {
		c, body := get(path)
		if c != http.StatusBadRequest || errorCode(t, body) != code {
			t.Errorf("%s = %d %s, want 400 %s", path, c, body, code)
		}
	}
	// The status page and /metrics count and page; nothing lists.
	for _, path := range []string{"/", "/?at=ok." + encodeCursor("b"), "/?q=c", "/?state=login-required&q=e", "/metrics"} {
		if c, body := get(path); c != 200 {
			t.Fatalf("%s = %d %s", path, c, body)
		}
	}
	if n := cs.lists.Load(); n != 0 {
		t.Fatalf("%d List calls while paging, counting and rendering the status page, want 0", n)
	}
	_, body = get("/")
	if got, want := pageRows(body), []string{"b login-required", "e login-required", "a ok", "c ok", "d ok"}; !slices.Equal(got, want) {
		t.Fatalf("status page rows = %q, want %q (those needing a login first)", got, want)
	}
	_, body = get("/metrics")
	for _, want := range []string{`psn_vault_accounts{state="login-required"} 2`, `psn_vault_accounts{state="ok"} 3`, `psn_vault_login_required_accounts 2`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// TestHealthStateAgreesWithStore: the state healthOf shows is the one the
// store counts and filters by (store.StateOf), for records in every
// state.
func TestHealthStateAgreesWithStore(t *testing.T) {
	e := newSvcEnv(t, envOptions{sim: psntest.Config{AccessTTL: time.Hour}})
	now := e.sim.Now()
	r := e.svc.stateRules()
	for _, c := range []struct {
		refresh, access time.Duration
		npsso, rt       bool
		lastErr         string
	}{
		{60 * 24 * time.Hour, time.Hour, true, true, ""},
		{24 * time.Hour, time.Hour, false, true, ""},
		{-time.Hour, time.Hour, false, true, ""},
		{-time.Hour, -time.Minute, true, true, ""},
		{-time.Hour, -time.Minute, false, true, ""},
		{0, 0, false, true, ""},
		{60 * 24 * time.Hour, time.Hour, true, false, ""},
		{60 * 24 * time.Hour, time.Hour, true, true, psn.ErrLoginRequired.Error() + ": x"},
		{7 * 24 * time.Hour, time.Hour, false, true, "other"},
	} {
		rec := store.Record{Account: "x", RefreshExpiry: now.Add(c.refresh), AccessExpiry: now.Add(c.access), LastError: c.lastErr}
		if c.npsso {
			rec.SealedNPSSO = []byte{1}
		}
		if c.rt {
			rec.SealedRefresh = []byte{1}
		}
		if h, want := e.svc.healthOf(rec), store.StateOf(rec, r); string(h.State) != want {
			t.Errorf("%+v: healthOf state %s, store.StateOf %s", c, h.State, want)
		}
	}
}

// recorder is a minimal http.ResponseWriter for in-process requests.
type recorder struct {
	hdr  http.Header
	code int
	body strings.Builder
}

func newRecorder() *recorder { return &recorder{hdr: http.Header{}} }

func (r *recorder) Header() http.Header { return r.hdr }
func (r *recorder) WriteHeader(c int) {
	if r.code == 0 {
		r.code = c
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = 200
	}
	return r.body.Write(b)
}

// The remaining methods count as calls too, so "no store call" means none.

func (c *countingStore) Put(ctx context.Context, rec store.Record) (store.Record, error) {
	c.calls.Add(1)
	return c.Store.Put(ctx, rec)
}

func (c *countingStore) Note(ctx context.Context, a string, v int64, n store.Note) (store.Record, error) {
	c.calls.Add(1)
	return c.Store.Note(ctx, a, v, n)
}

func (c *countingStore) ClaimDue(ctx context.Context, due time.Time, limit int, owner string, ttl time.Duration) ([]store.Record, error) {
	c.calls.Add(1)
	return c.Store.ClaimDue(ctx, due, limit, owner, ttl)
}

func (c *countingStore) Claim(ctx context.Context, a, owner string, ttl time.Duration) (store.Record, error) {
	c.calls.Add(1)
	return c.Store.Claim(ctx, a, owner, ttl)
}

func (c *countingStore) Renew(ctx context.Context, a, owner string, fence int64, ttl time.Duration) (store.Record, error) {
	c.calls.Add(1)
	return c.Store.Renew(ctx, a, owner, fence, ttl)
}

func (c *countingStore) Release(ctx context.Context, a, owner string, fence int64) error {
	c.calls.Add(1)
	return c.Store.Release(ctx, a, owner, fence)
}

func (c *countingStore) Delete(ctx context.Context, a string) error {
	c.calls.Add(1)
	return c.Store.Delete(ctx, a)
}

func (c *countingStore) SwapMeta(ctx context.Context, name string, old, value []byte) error {
	c.calls.Add(1)
	return c.Store.SwapMeta(ctx, name, old, value)
}
