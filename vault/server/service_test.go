package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/internal/testbackend"
	"github.com/psnkit/psn/psntest"
	"github.com/psnkit/psn/seal"
	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/store/sqlite"
	"github.com/psnkit/psn/vault"
)

// syncBuffer is a log sink that tests read while the service writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// svcEnv is a Service over a SQLite store in t.TempDir() and a simulator
// whose clock the service and its clients share.
type svcEnv struct {
	t    *testing.T
	sim  *psntest.Sim
	psn  *httptest.Server // the simulator, possibly behind a test wrapper
	st   store.Store
	path string // the SQLite file
	keys *vault.Keys
	kek  seal.KEKSource // what keys was opened with
	svc  *Service
	logs *syncBuffer
}

type envOptions struct {
	sim       psntest.Config
	wrap      func(http.Handler) http.Handler // around the simulator
	realClock bool                            // no shared simulator clock
	svc       func(*ServiceConfig)
}

func newSvcEnv(t *testing.T, o envOptions) *svcEnv {
	t.Helper()
	if o.sim.Users == 0 {
		o.sim.Users = 2
	}
	if o.sim.RateLimit == 0 {
		o.sim.RateLimit = 1 << 30
	}
	sim := psntest.New(o.sim)
	var h http.Handler = sim.Handler()
	if o.wrap != nil {
		h = o.wrap(h)
	}
	ps := httptest.NewServer(h)
	t.Cleanup(ps.Close)
	path := filepath.Join(t.TempDir(), "psn.db")
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	kek := newKEK(t)
	e := &svcEnv{t: t, sim: sim, psn: ps, st: st, path: path, keys: keysWith(t, st, kek), kek: kek, logs: &syncBuffer{}}
	e.svc = e.newService(st, e.keys, o)
	return e
}

// newService makes one more Service (another "process") on st.
func (e *svcEnv) newService(st store.Store, keys *vault.Keys, o envOptions) *Service {
	e.t.Helper()
	copts := []psn.Option{psn.WithEndpoint(e.psn.URL)}
	cfg := ServiceConfig{
		Store: st, Keys: keys, Logger: slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if !o.realClock {
		copts = append(copts, psn.WithClock(e.sim.Now))
		cfg.Now = e.sim.Now
	}
	cfg.ClientOptions = copts
	if o.svc != nil {
		o.svc(&cfg)
	}
	svc, err := NewService(cfg)
	if err != nil {
		e.t.Fatalf("NewService: %v", err)
	}
	e.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := svc.Close(ctx); err != nil {
			e.t.Errorf("Service.Close: %v", err)
		}
	})
	return svc
}

func (e *svcEnv) user(i int) psntest.User { return e.sim.Users()[i] }

// add logs user i in as name through the service.
func (e *svcEnv) add(name string, i int, keep bool) vault.Health {
	e.t.Helper()
	h, created, err := e.svc.AddAccount(context.Background(), name, psn.Secret(e.user(i).NPSSO), keep)
	if err != nil {
		e.t.Fatalf("AddAccount(%s): %v", name, err)
	}
	if !created {
		e.t.Fatalf("AddAccount(%s): created = false for a new account", name)
	}
	return h
}

func (e *svcEnv) record(name string) store.Record {
	e.t.Helper()
	rec, err := e.st.Get(context.Background(), name)
	if err != nil {
		e.t.Fatalf("Get(%s): %v", name, err)
	}
	return rec
}

// secrets returns every secret of the account as stored now.
func (e *svcEnv) secrets(name string) []string {
	e.t.Helper()
	ring, err := e.keys.Latest(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	tok, npsso, err := vault.OpenRecord(ring, e.record(name))
	if err != nil {
		e.t.Fatalf("OpenRecord: %v", err)
	}
	out := []string{tok.AccessToken.Reveal(), tok.RefreshToken.Reveal()}
	if npsso != "" {
		out = append(out, npsso.Reveal())
	}
	return out
}

func (e *svcEnv) refreshGrants() int64 { return e.sim.Stats().Grants.RefreshToken }

func TestSchedulerRefreshesDueAccounts(t *testing.T) {
	e := newSvcEnv(t, envOptions{sim: psntest.Config{AccessTTL: time.Hour}})
	ctx := t.Context()
	e.add("alice", 0, false)
	e.add("bob", 1, true)
	before := map[string]store.Record{"alice": e.record("alice"), "bob": e.record("bob")}

	if n, err := e.svc.Tick(ctx); err != nil || n != 0 {
		t.Fatalf("Tick with fresh tokens = %d, %v; want 0 claimed", n, err)
	}
	e.sim.Advance(50 * time.Minute) // inside the 15-minute refresh-ahead window
	n, err := e.svc.Tick(ctx)
	if err != nil || n != 2 {
		t.Fatalf("Tick after 50 min = %d, %v; want 2 claimed", n, err)
	}
	if g := e.refreshGrants(); g != 2 {
		t.Fatalf("refresh grants = %d, want 2 (one per due account)", g)
	}
	for name, old := range before {
		rec := e.record(name)
		if rec.Version != old.Version+1 {
			t.Errorf("%s: version %d → %d, want one save", name, old.Version, rec.Version)
		}
		if !rec.AccessExpiry.After(old.AccessExpiry) || !rec.NextRefresh.After(e.sim.Now()) {
			t.Errorf("%s: expiry %v → %v, next refresh %v: want a later token and a refresh not due yet", name, old.AccessExpiry, rec.AccessExpiry, rec.NextRefresh)
		}
		if rec.LeaseOwner != "" && rec.LeaseExpiry.After(time.Now()) {
			t.Errorf("%s: still leased to %q after the pass", name, rec.LeaseOwner)
		}
	}
	if n, err := e.svc.Tick(ctx); err != nil || n != 0 {
		t.Fatalf("Tick after the refreshes = %d, %v; want 0 claimed", n, err)
	}
	if g := e.refreshGrants(); g != 2 {
		t.Fatalf("refresh grants = %d after a pass with nothing due, want still 2", g)
	}
	if !strings.Contains(e.logs.String(), "vault: token refreshed") {
		t.Errorf("no refresh logged:\n%s", e.logs.String())
	}
}

func TestSchedulerPostponesLoginRequired(t *testing.T) {
	e := newSvcEnv(t, envOptions{sim: psntest.Config{AccessTTL: time.Hour}})
	ctx := t.Context()
	e.add("alice", 0, false)
	if err := e.sim.RevokeRefreshTokens(e.user(0).OnlineID); err != nil {
		t.Fatal(err)
	}
	e.sim.Advance(50 * time.Minute)
	if n, err := e.svc.Tick(ctx); err != nil || n != 1 {
		t.Fatalf("Tick = %d, %v; want 1 claimed", n, err)
	}
	rec := e.record("alice")
	if !strings.HasPrefix(rec.LastError, psn.ErrLoginRequired.Error()) {
		t.Fatalf("last error = %q, want a login-required one", rec.LastError)
	}
	if !rec.NextRefresh.After(e.sim.Now().Add(30 * time.Minute)) {
		t.Errorf("next refresh %v: want it pushed back (now %v)", rec.NextRefresh, e.sim.Now())
	}
	h, err := e.svc.Account(ctx, "alice")
	if err != nil || h.State != vault.StateLoginRequired {
		t.Fatalf("Account = %+v, %v; want state %q", h, err, vault.StateLoginRequired)
	}
	if n, err := e.svc.Tick(ctx); err != nil || n != 0 {
		t.Fatalf("second Tick = %d, %v; want the account left alone", n, err)
	}
	if !strings.Contains(e.logs.String(), "vault: login required") {
		t.Errorf("login required not logged:\n%s", e.logs.String())
	}
}

// gate holds the simulator's refresh grants until open is closed, and
// says on entered when one arrived.
type gate struct {
	entered chan struct{}
	open    chan struct{}
	once    sync.Once
}

func newGate() *gate { return &gate{entered: make(chan struct{}), open: make(chan struct{})} }

func (g *gate) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/token") {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			if bytes.Contains(body, []byte("grant_type=refresh_token")) {
				g.once.Do(func() { close(g.entered) })
				<-g.open
			}
		}
		h.ServeHTTP(w, r)
	})
}

// TestRunDrainsRefreshInFlight: cancelling Run while a refresh waits for
// PSN does not abandon it: Run returns once the token is saved.
func TestRunDrainsRefreshInFlight(t *testing.T) {
	g := newGate()
	e := newSvcEnv(t, envOptions{sim: psntest.Config{AccessTTL: time.Hour}, wrap: g.wrap,
		svc: func(c *ServiceConfig) { c.Interval = 10 * time.Millisecond }})
	e.add("alice", 0, false)
	v1 := e.record("alice").Version
	e.sim.Advance(50 * time.Minute)

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- e.svc.Run(ctx) }()
	<-g.entered // the scheduler's refresh is at PSN
	cancel()
	select {
	case err := <-done:
		t.Fatalf("Run returned (%v) while its refresh was in flight", err)
	default:
	}
	close(g.open)
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
	if rec := e.record("alice"); rec.Version != v1+1 {
		t.Fatalf("version %d after Run returned, want %d: the refresh was not saved", rec.Version, v1+1)
	}
}

// TestTwoServicesOneStore runs two services ("processes": separate store
// handles, owners and sources) against one store through several real
// token lifetimes: every refresh grant is saved exactly once (grants ==
// version − 1) and never two at once.
func TestTwoServicesOneStore(t *testing.T) {
	if testing.Short() {
		t.Skip("waits through real token lifetimes (~5 s)")
	}
	e := newSvcEnv(t, envOptions{sim: psntest.Config{AccessTTL: 3 * time.Second, Users: 1}, realClock: true})
	st2, err := sqlite.Open(context.Background(), e.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st2.Close() })
	twoServices(t, e, st2)
}

// TestTwoServicesOneStorePostgres is the same over PostgreSQL.
func TestTwoServicesOneStorePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("waits through real token lifetimes (~5 s)")
	}
	b := testbackend.New(t, "postgres")
	st2, err := testbackend.OpenURL(context.Background(), b.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st2.Close() })
	e := newSvcEnv(t, envOptions{sim: psntest.Config{AccessTTL: 3 * time.Second, Users: 1}, realClock: true})
	e.st, e.kek = b.St, newKEK(t)
	e.keys = keysWith(t, b.St, e.kek)
	e.svc = e.newService(b.St, e.keys, envOptions{realClock: true, svc: fastScheduler})
	twoServices(t, e, st2)
}

func fastScheduler(c *ServiceConfig) {
	c.Interval = 50 * time.Millisecond
	c.LeaseTTL = 2 * time.Second
}

func twoServices(t *testing.T, e *svcEnv, st2 store.Store) {
	ctx := t.Context()
	keys2, err := vault.LoadKeys(ctx, st2, e.kek)
	if err != nil {
		t.Fatal(err)
	}
	a := e.newService(e.st, e.keys, envOptions{realClock: true, svc: fastScheduler})
	b := e.newService(st2, keys2, envOptions{realClock: true, svc: fastScheduler})
	if _, _, err := a.AddAccount(ctx, "alice", psn.Secret(e.user(0).NPSSO), false); err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, s := range []*Service{a, b} {
		wg.Go(func() {
			if err := s.Run(runCtx); err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	// Tokens live 2 s (the simulator announces a second less than
	// AccessTTL) and are due 0.5 s before expiry: wait for 3 refreshes.
	deadline := time.NewTimer(20 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for e.refreshGrants() < 3 {
		select {
		case <-deadline.C:
			stop()
			wg.Wait()
			t.Fatalf("only %d refreshes within 20 s; logs:\n%s", e.refreshGrants(), e.logs.String())
		case <-tick.C:
		}
	}
	stop()
	wg.Wait()
	for _, s := range []*Service{a, b} {
		if err := s.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
	rec, err := e.st.Get(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	stats := e.sim.Stats()
	if stats.Grants.RefreshToken != rec.Version-1 {
		t.Fatalf("refresh grants = %d, record version = %d: want grants == version-1 (each refresh saved once)", stats.Grants.RefreshToken, rec.Version)
	}
	if stats.ConcurrentRefreshMax > 1 {
		t.Fatalf("%d refreshes of one account in flight at once, want 1", stats.ConcurrentRefreshMax)
	}
	if stats.Errors.InvalidGrant != 0 {
		t.Fatalf("%d invalid_grant errors", stats.Errors.InvalidGrant)
	}
}

func TestServiceTokenUnknownAndDeleted(t *testing.T) {
	e := newSvcEnv(t, envOptions{sim: psntest.Config{AccessTTL: time.Hour}})
	ctx := t.Context()
	if _, err := e.svc.Token(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Token(nobody) = %v, want store.ErrNotFound", err)
	}
	e.add("alice", 0, false)
	if _, err := e.svc.Token(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteAccount(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Token(ctx, "alice"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Token after delete = %v, want store.ErrNotFound", err)
	}
	if err := e.svc.DeleteAccount(ctx, "alice"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second delete = %v, want store.ErrNotFound", err)
	}
	if _, _, err := e.svc.AddAccount(ctx, "../etc", psn.Secret(e.user(0).NPSSO), false); !errors.Is(err, vault.ErrAccountName) {
		t.Fatalf("AddAccount(../etc) = %v, want ErrAccountName", err)
	}
}

// TestTokenShortLivedTokens: when PSN's tokens live less than twice
// MinValidity, a token is replaced only once half its life is gone, not
// on every request.
func TestTokenShortLivedTokens(t *testing.T) {
	// 20 s tokens: far below twice MinValidity, yet long enough that a
	// loaded machine (race detector, parallel packages) does not age the
	// first token past half its life before the loop below asks for it.
	e := newSvcEnv(t, envOptions{sim: psntest.Config{AccessTTL: 21 * time.Second}})
	ctx := t.Context()
	e.add("alice", 0, false)
	first, err := e.svc.Token(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		tok, err := e.svc.Token(ctx, "alice")
		if err != nil || tok.AccessToken != first.AccessToken {
			t.Fatalf("Token on a fresh 20 s token = %v: want the same token, no refresh", err)
		}
	}
	if g := e.refreshGrants(); g != 0 {
		t.Fatalf("%d refresh grants for a fresh token, want 0", g)
	}
	e.sim.Advance(first.Expiry.Add(-8 * time.Second).Sub(e.sim.Now())) // 8 s left, less than half
	tok, err := e.svc.Token(ctx, "alice")
	if err != nil || tok.AccessToken == first.AccessToken {
		t.Fatalf("Token with 8 s of 20 s left = %v: want a new token", err)
	}
	if g := e.refreshGrants(); g != 1 {
		t.Fatalf("%d refresh grants, want 1", g)
	}
}

// An account deleted through another instance (or `psn logout`) is not
// served from this instance's memory once existMaxAge has passed.
func TestTokenOfAccountDeletedElsewhere(t *testing.T) {
	e := newSvcEnv(t, envOptions{sim: psntest.Config{AccessTTL: time.Hour}})
	ctx := t.Context()
	e.add("alice", 0, false)
	if _, err := e.svc.Token(ctx, "alice"); err != nil { // cached now
		t.Fatal(err)
	}
	other := e.newService(e.st, e.keys, envOptions{})
	if err := other.DeleteAccount(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	e.sim.Advance(existMaxAge)
	if tok, err := e.svc.Token(ctx, "alice"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Token after another instance deleted the account = %v, %v; want store.ErrNotFound", tok, err)
	}
}
