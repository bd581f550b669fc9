package server

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/vault"
)

// Defaults of ServiceConfig.
const (
	DefaultInterval    = 5 * time.Second
	DefaultBatchSize   = 64
	DefaultConcurrency = 8
	DefaultLeaseTTL    = psn.DefaultLeaseTTL // renewed while a refresh runs; a killed process's accounts are free after this
	DefaultWarnBefore  = 7 * 24 * time.Hour
	// DefaultMinValidity is how long a token handed out by Service.Token
	// stays valid at least (docs/vault.md; docs/architecture.md, "Persisted,
	// shared tokens").
	DefaultMinValidity = time.Minute
	// DefaultMaxSources caps the token sources kept in memory.
	DefaultMaxSources = 5000
	// DefaultSourceIdle is how long an account's token source stays in
	// memory after its last use.
	DefaultSourceIdle = 10 * time.Minute
)

// How Token notices an account deleted by another process without a store
// read per request: a cached account is looked up again in the background
// once its last look-up is existRecheck old, and before it is served once
// that look-up is existMaxAge old. A delete made by another process stops
// this one from handing out the account's token within existMaxAge (2 s);
// a delete through this Service takes effect at once.
const (
	existRecheck = time.Second
	existMaxAge  = 2 * time.Second
)

// Scheduler backoff after a failed refresh: retryBase doubling up to
// retryMax; an account that needs a human login is looked at again after
// loginRecheck (a new login through the API resets it at once).
const (
	retryBase    = 5 * time.Second
	retryMax     = 5 * time.Minute
	loginRecheck = psn.RejectedRetry
	// refreshBudget bounds one scheduled refresh, waiting included.
	refreshBudget = 2 * time.Minute
)

// Errors of the Service, matched with errors.Is.
var (
	// ErrNoFreshToken: the service could not get a token valid for
	// MinValidity (the refresh that was needed failed).
	ErrNoFreshToken = errors.New("vault: no token valid long enough could be obtained")
	// ErrServiceClosed: the service was closed.
	ErrServiceClosed = errors.New("vault: service closed")
)

// ServiceConfig configures NewService. Store and Keys are required.
type ServiceConfig struct {
	// Store holds the accounts and their sealed secrets.
	Store store.Store
	// Keys is the store's key ring; the service follows rotations made by
	// other processes.
	Keys *vault.Keys
	// ClientOptions configure each account's PSN client (one client per
	// account, so one client-side rate limit per account):
	// psn.WithEndpoint, psn.WithHTTPClient, psn.WithClock…
	ClientOptions []psn.Option
	// SourceOptions are added to each account's psn.RefreshingSource after
	// the service's own. Keep the advisory window at DefaultAdvisory or
	// more: the scheduler claims accounts when that window opens.
	SourceOptions []psn.SourceOption
	// Owner names this process in the store's leases; it must differ
	// between processes. Default: host/pid/random.
	Owner string
	// Logger receives refreshes, warnings and failures (never a secret).
	// Default: slog.Default().
	Logger *slog.Logger
	// Audit receives the HTTP API's audit trail (docs/vault.md, "Audit
	// trail"): see NewAuditLogger and AuditWriter. Nil: no audit lines.
	Audit *slog.Logger
	// Now is the service's clock (default time.Now). Tests that move a
	// simulator's clock pass the same clock here and in psn.WithClock.
	Now func() time.Time
	// Interval is the scheduler's period (default DefaultInterval).
	Interval time.Duration
	// BatchSize is how many due accounts one scheduler pass claims
	// (default DefaultBatchSize).
	BatchSize int
	// Concurrency bounds the refreshes the scheduler runs at once
	// (default DefaultConcurrency).
	Concurrency int
	// LeaseTTL is how long a claimed account stays leased to this
	// process (default DefaultLeaseTTL).
	LeaseTTL time.Duration
	// WarnBefore is the refresh-token warning period (default 7 days).
	WarnBefore time.Duration
	// MinValidity is how long a token from Token stays valid at least
	// (default DefaultMinValidity).
	MinValidity time.Duration
	// MaxSources caps how many accounts' token sources (a PSN client and
	// the cached token, some kilobytes each) stay in memory; past it the
	// least recently used are closed (default DefaultMaxSources).
	MaxSources int
	// SourceIdle is how long an account's token source stays in memory
	// after its last use (default DefaultSourceIdle). An evicted source is
	// closed: a refresh it runs finishes and saves first.
	SourceIdle time.Duration
	// Webhooks, when it has URLs, raises events into the store's outbox
	// and delivers them from Run (docs/vault.md, "Webhooks").
	Webhooks WebhookConfig
}

// Service keeps many accounts' tokens fresh: a scheduler refreshes every
// account whose refresh is due (one process per account at a time,
// through the store's leases), and Token hands out access tokens valid
// for at least MinValidity. Each account has one psn.RefreshingSource,
// created on first use, so a token is refreshed once per need however
// many callers ask. It is safe for concurrent use.
type Service struct {
	cfg     ServiceConfig
	st      store.Store
	keys    *vault.Keys
	log     *slog.Logger
	now     func() time.Time
	owner   string
	metrics *Metrics
	hooks   *webhooks // nil without webhooks

	mu       sync.RWMutex
	sources  map[string]*sourceEntry
	closing  map[string]chan struct{} // sources being closed, by account; closed when done
	failures map[string]int
	// grants are the leases ClaimDue granted this service for accounts
	// whose scheduled refresh is running, for their sources to adopt.
	grants map[string]claimGrant
	// stores are the sources' token stores, by account (kept in step with
	// sources; an entry outlives its source while that source closes).
	stores  map[string]*serviceStore
	closed  bool
	retired sync.WaitGroup // sources being closed after a re-login, delete or eviction
	checks  sync.WaitGroup // the background existence checker
	stopChk chan struct{}  // stops it; nil until it starts, closed by Close
	swept   atomic.Int64   // when idle sources were last looked for (unix ns)
	// deletes counts DeleteAccount calls, so that a scheduler pass can tell
	// whether an account it claimed may have been deleted through this
	// service since (see sighting).
	deletes atomic.Int64
}

// sighting is a look-up of an account that found it: a claim that began at
// at (unix ns of the service clock) while deletes stood at gen. Until this
// service deletes an account, it stands in for entry's own look-up.
type sighting struct {
	at, gen int64
}

// sourceEntry is one account's token source in the cache, with the
// instants (unix ns of the service clock) it was last used and last seen
// in the store.
type sourceEntry struct {
	src     *psn.RefreshingSource
	ts      *serviceStore // src's token store
	used    atomic.Int64
	checked atomic.Int64
}

// NewService returns a Service over cfg.Store. It starts nothing: call Run
// (or Serve) for the scheduler.
func NewService(cfg ServiceConfig) (s *Service, err error) {
	if cfg.Store == nil || cfg.Keys == nil {
		return nil, errors.New("vault: NewService needs a Store and Keys")
	}
	if cfg.Owner == "" {
		cfg.Owner = DefaultOwner()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = DefaultLeaseTTL
	}
	if cfg.WarnBefore <= 0 {
		cfg.WarnBefore = DefaultWarnBefore
	}
	if cfg.MinValidity <= 0 {
		cfg.MinValidity = DefaultMinValidity
	}
	if cfg.MaxSources <= 0 {
		cfg.MaxSources = DefaultMaxSources
	}
	if cfg.SourceIdle <= 0 {
		cfg.SourceIdle = DefaultSourceIdle
	}
	s = &Service{
		cfg: cfg, st: cfg.Store, keys: cfg.Keys, log: cfg.Logger, now: cfg.Now, owner: cfg.Owner,
		sources: map[string]*sourceEntry{}, closing: map[string]chan struct{}{}, failures: map[string]int{},
		grants: map[string]claimGrant{}, stores: map[string]*serviceStore{},
	}
	s.metrics = newMetrics(s)
	if s.hooks, err = newWebhooks(s, cfg.Webhooks); err != nil {
		return nil, err
	}
	return s, nil
}

// DefaultOwner names this process in leases: host/pid/random.
func DefaultOwner() string {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// Owner returns the name this service uses in leases.
func (s *Service) Owner() string { return s.owner }

// Metrics returns the service's Prometheus metrics.
func (s *Service) Metrics() *Metrics { return s.metrics }

// newClient returns a PSN client for one account.
func (s *Service) newClient() *psn.Client { return psn.NewClient(s.cfg.ClientOptions...) }

// serviceStore is an account's AccountStore with the service's
// bookkeeping of failures.
type serviceStore struct {
	*vault.AccountStore
	svc  *Service
	name string
}

// RecordError counts and logs a failed refresh, then keeps it in the
// record.
func (s *serviceStore) RecordError(ctx context.Context, err error, at time.Time) {
	if err == nil {
		return
	}
	s.svc.metrics.failures.Inc()
	s.svc.metrics.activity.add(s.svc.now(), false)
	if !errors.Is(err, psn.ErrLoginRequired) { // OnLoginRequired logs those
		s.svc.log.WarnContext(ctx, "vault: refresh failed", "account", s.name, "err", err)
	}
	s.AccountStore.RecordError(ctx, err, at)
	s.svc.hooks.loginRequired(ctx, s.name, 0, err)
}

// RecordErrorAt is RecordError bound to the token state at version.
func (s *serviceStore) RecordErrorAt(ctx context.Context, version int64, err error, at time.Time) {
	if err == nil {
		return
	}
	s.svc.metrics.failures.Inc()
	s.svc.metrics.activity.add(s.svc.now(), false)
	if !errors.Is(err, psn.ErrLoginRequired) { // OnLoginRequired logs those
		s.svc.log.WarnContext(ctx, "vault: refresh failed", "account", s.name, "err", err)
	}
	s.AccountStore.RecordErrorAt(ctx, version, err, at)
	s.svc.hooks.loginRequired(ctx, s.name, version, err)
}

// ConfirmLease is AccountStore.ConfirmLease, logging a lease found lost
// before a spend (the refresh then waits for the new holder).
func (s *serviceStore) ConfirmLease(ctx context.Context, need time.Duration) error {
	err := s.AccountStore.ConfirmLease(ctx, need)
	if errors.Is(err, psn.ErrLeaseHeld) {
		s.svc.log.InfoContext(ctx, "vault: refresh lease lost before spending; waiting for its holder", "account", s.name, "err", err)
	}
	return err
}

// LeaseSuperseded is AccountStore.LeaseSuperseded, logging when a
// rejection is therefore no evidence.
func (s *serviceStore) LeaseSuperseded(ctx context.Context) (bool, error) {
	sup, err := s.AccountStore.LeaseSuperseded(ctx)
	if sup || err != nil {
		s.svc.log.InfoContext(ctx, "vault: refresh token rejected after the lease was granted to another holder; not evidence, waiting for its token", "account", s.name)
	}
	return sup, err
}

// RecordRejection is AccountStore.RecordRejection, logging the lease
// state the evidence was judged under (our fence, the stored one).
func (s *serviceStore) RecordRejection(ctx context.Context, version int64, npsso bool, at time.Time) error {
	if rec, err := s.svc.st.Get(ctx, s.name); err == nil {
		s.svc.log.InfoContext(ctx, "vault: recording PSN's rejection", "account", s.name, "npsso", npsso,
			"version", version, "storedVersion", rec.Version, "fence", s.HeldFence(), "storedFence", rec.Fence,
			"leaseOwner", rec.LeaseOwner, "leaseExpiry", rec.LeaseExpiry)
	}
	return s.AccountStore.RecordRejection(ctx, version, npsso, at)
}

// Lease adopts the lease the scheduler's ClaimDue granted for the running
// scheduled refresh, if any and not adopted yet (AccountStore.AdoptClaim),
// then takes it. A grant is adopted once: a refresh that goes round again
// has released what it adopted, and takes the lease anew.
func (s *serviceStore) Lease(ctx context.Context, ttl time.Duration) (func(context.Context), error) {
	s.svc.mu.Lock()
	g, ok := s.svc.grants[s.name]
	if ok && !g.adopted {
		g.adopted = true
		s.svc.grants[s.name] = g
	} else {
		ok = false
	}
	s.svc.mu.Unlock()
	if ok {
		s.AdoptClaim(g.fence, g.start, g.ttl)
	}
	return s.AccountStore.Lease(ctx, ttl)
}

// claimGrant is a lease ClaimDue granted: its fence, and the instant (this
// process's clock) just before the claim began; adopted once a Lease took
// it over.
type claimGrant struct {
	fence   int64
	start   time.Time
	ttl     time.Duration
	adopted bool
}

// source returns the account's token source, creating it on first use
// when the account exists.
func (s *Service) source(ctx context.Context, name string) (*psn.RefreshingSource, error) {
	e, err := s.entry(ctx, name)
	if err != nil {
		return nil, err
	}
	return e.src, nil
}

// entry returns the account's cache entry, marked used now, creating it
// (after reading the record, so an unknown account costs no source) when
// there is none. While an earlier source of the account is being closed
// it waits for that first, so that one process never runs two refreshes of
// one account.
func (s *Service) entry(ctx context.Context, name string) (*sourceEntry, error) {
	return s.entrySeen(ctx, name, nil)
}

// entrySeen is entry for an account seen (when seen is not nil) by a
// look-up of its own: a source created for it reads no record when no
// account was deleted through this service since that look-up, and counts
// as looked up when that look-up began (Token serves its token without
// another look-up for existMaxAge from then, as after entry's own read).
func (s *Service) entrySeen(ctx context.Context, name string, seen *sighting) (*sourceEntry, error) {
	s.sweepIdle()
	for {
		s.mu.RLock()
		e, ok := s.sources[name]
		wait, closed := s.closing[name], s.closed
		s.mu.RUnlock()
		switch {
		case closed:
			return nil, ErrServiceClosed
		case ok:
			e.used.Store(s.now().UnixNano())
			return e, nil
		case wait != nil:
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		var checked int64
		if seen != nil && s.deletes.Load() == seen.gen {
			checked = seen.at
		} else {
			if _, err := s.st.Get(ctx, name); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					return nil, fmt.Errorf("vault: account %q: %w", name, store.ErrNotFound)
				}
				return nil, err
			}
		}
		now := s.now().UnixNano()
		if checked == 0 {
			checked = now
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return nil, ErrServiceClosed
		}
		if e, ok := s.sources[name]; ok {
			s.mu.Unlock()
			e.used.Store(now)
			return e, nil
		}
		if s.closing[name] != nil {
			s.mu.Unlock()
			continue // retired meanwhile: wait for it, then read again
		}
		e = &sourceEntry{}
		e.src, e.ts = s.newSource(name)
		e.used.Store(now)
		e.checked.Store(checked)
		s.sources[name] = e
		if over := len(s.sources) - s.cfg.MaxSources; over > 0 {
			s.evictLocked(over + s.cfg.MaxSources/16)
		}
		s.mu.Unlock()
		return e, nil
	}
}

// evictLocked closes the n least recently used sources. s.mu is held.
func (s *Service) evictLocked(n int) {
	type aged struct {
		name string
		used int64
	}
	all := make([]aged, 0, len(s.sources))
	for name, e := range s.sources {
		all = append(all, aged{name, e.used.Load()})
	}
	slices.SortFunc(all, func(a, b aged) int { return cmp.Compare(a.used, b.used) })
	for _, a := range all[:min(n, len(all))] {
		s.retireLocked(a.name, false)
	}
}

// sweepIdle closes the sources unused for SourceIdle. It looks at most
// every SourceIdle/4 (the caller that finds it due does the sweep).
func (s *Service) sweepIdle() {
	now := s.now().UnixNano()
	last := s.swept.Load()
	every := max(int64(s.cfg.SourceIdle/4), int64(time.Second))
	if now-last < every || !s.swept.CompareAndSwap(last, now) {
		return
	}
	cutoff := now - int64(s.cfg.SourceIdle)
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, e := range s.sources {
		if e.used.Load() < cutoff {
			s.retireLocked(name, false)
		}
	}
}

// SourcesCached returns how many accounts' token sources are in memory.
func (s *Service) SourcesCached() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.sources)
}

// cached reports whether Token(name) will find the account in memory,
// looked up less than existRecheck ago, with a token that has at least
// MinValidity left: then it waits for no store read, and for PSN only if
// that token was rejected meanwhile (the source's own refresh timeout
// bounds that wait).
func (s *Service) cached(name string) bool {
	s.mu.RLock()
	e, ok := s.sources[name]
	s.mu.RUnlock()
	if !ok {
		return false
	}
	now := s.now()
	if time.Duration(now.UnixNano()-e.checked.Load()) >= existRecheck {
		return false
	}
	tok := e.src.Current()
	return tok != nil && tok.Expiry.Sub(now) >= s.minValidity(tok)
}

func (s *Service) newSource(name string) (*psn.RefreshingSource, *serviceStore) {
	ts := &serviceStore{AccountStore: vault.NewAccountStore(s.st, s.keys.Ring, name, s.owner).FollowKeys(s.keys), svc: s, name: name}
	if s.stores != nil {
		s.stores[name] = ts // s.mu is held (source)
	}
	opts := []psn.SourceOption{
		psn.WithWarnBefore(s.cfg.WarnBefore),
		psn.OnRefresh(func(ctx context.Context, tok *psn.Token, reason psn.RefreshReason) {
			s.metrics.refreshes.WithLabelValues(string(reason)).Inc()
			s.metrics.activity.add(s.now(), true)
			s.hooks.refreshed(ctx, name, tok)
			s.log.InfoContext(ctx, "vault: token refreshed", "account", name, "reason", string(reason), "expiry", tok.Expiry)
		}),
		psn.OnRefreshExpiring(func(ctx context.Context, exp time.Time, kept bool) {
			s.metrics.expiring.Inc()
			msg := "vault: refresh token expires soon; log this account in again before then"
			if kept {
				msg = "vault: refresh token expires soon; the kept NPSSO will be used then, while it lasts"
			}
			s.log.WarnContext(ctx, msg, "account", name, "refreshExpiry", exp, "npssoKept", kept)
			s.hooks.expiring(ctx, name, exp, kept)
		}),
		psn.OnLoginRequired(func(ctx context.Context, e *psn.LoginRequiredError) {
			s.metrics.loginRequired.Inc()
			s.log.ErrorContext(ctx, "vault: login required: add the account again with a new NPSSO", "account", name, "secret", string(e.Which), "at", e.At)
		}),
	}
	return psn.NewRefreshingSource(s.newClient(), ts, append(opts, s.cfg.SourceOptions...)...), ts
}

// retire forgets the account's source (after a re-login or a delete) and
// closes it in the background; Close waits for it.
func (s *Service) retire(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.retireLocked(name, true)
}

// retireLocked drops the account's source from the cache and closes it in
// the background (a refresh in flight finishes and saves first); until it
// is closed, entry waits instead of making a new one. forget also drops
// the account's failure count. s.mu is held.
func (s *Service) retireLocked(name string, forget bool) {
	e, ok := s.sources[name]
	delete(s.sources, name)
	if forget {
		delete(s.failures, name)
	}
	// After Close every source it saw is closed (and no new one is made).
	if !ok || s.closed {
		if ok {
			delete(s.stores, name)
		}
		return
	}
	ts := s.stores[name]
	done := make(chan struct{})
	s.closing[name] = done
	s.retired.Add(1)
	go func() {
		defer s.retired.Done()
		ctx, cancel := context.WithTimeout(context.Background(), refreshBudget)
		defer cancel()
		_ = e.src.Close(ctx)
		s.mu.Lock()
		if s.closing[name] == done {
			delete(s.closing, name)
		}
		// The store entry outlives its source until the source is closed,
		// so the scheduler never drops a lease a closing refresh holds.
		if s.stores[name] == ts {
			delete(s.stores, name)
		}
		s.mu.Unlock()
		close(done)
	}()
}

// checkExists looks the account up in the store; a deleted account's
// source is retired and ErrNotFound returned.
func (s *Service) checkExists(ctx context.Context, name string, e *sourceEntry) error {
	now := s.now().UnixNano()
	if _, err := s.st.Get(ctx, name); errors.Is(err, store.ErrNotFound) {
		s.retire(name)
		return fmt.Errorf("vault: account %q: %w", name, store.ErrNotFound)
	} else if err != nil {
		return err
	}
	e.checked.Store(now)
	return nil
}

// recheck makes sure a deleted account's token is not served from memory
// for longer than existMaxAge: a look-up older than that is repeated
// before serving; younger ones are renewed by the background checker,
// which looks up every account used since its last look-up once per
// existRecheck, all in one store query (store.Pager.Missing).
func (s *Service) recheck(ctx context.Context, name string, e *sourceEntry) error {
	if time.Duration(s.now().UnixNano()-e.checked.Load()) >= existMaxAge {
		return s.checkExists(ctx, name, e)
	}
	s.mu.RLock()
	started := s.stopChk != nil || s.closed
	s.mu.RUnlock()
	if !started {
		s.mu.Lock()
		if s.stopChk == nil && !s.closed {
			s.stopChk = make(chan struct{})
			stop := s.stopChk
			s.checks.Go(func() { s.checker(stop) })
		}
		s.mu.Unlock()
	}
	return nil
}

// checker runs checkCached every existRecheck until stop is closed.
func (s *Service) checker(stop <-chan struct{}) {
	t := time.NewTicker(existRecheck)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), requestWait)
		s.checkCached(ctx)
		cancel()
	}
}

// checkCached looks up, in batches of store.MaxPage names, every cached
// account used since its last look-up, and retires those deleted.
func (s *Service) checkCached(ctx context.Context) {
	now := s.now().UnixNano()
	type cand struct {
		name string
		e    *sourceEntry
	}
	var todo []cand
	s.mu.RLock()
	for name, e := range s.sources {
		if c := e.checked.Load(); e.used.Load() >= c && now-c >= int64(existRecheck/2) {
			todo = append(todo, cand{name, e})
		}
	}
	s.mu.RUnlock()
	p, isPager := s.st.(store.Pager)
	for len(todo) > 0 {
		batch := todo[:min(len(todo), store.MaxPage)]
		todo = todo[len(batch):]
		if !isPager {
			for _, c := range batch {
				_ = s.checkExists(ctx, c.name, c.e)
			}
			continue
		}
		names := make([]string, len(batch))
		for i, c := range batch {
			names[i] = c.name
		}
		missing, err := p.Missing(ctx, names)
		if err != nil {
			return // the next round, or the request itself after existMaxAge, tries again
		}
		gone := make(map[string]bool, len(missing))
		for _, n := range missing {
			gone[n] = true
		}
		for _, c := range batch {
			if gone[c.name] {
				s.retireIf(c.name, c.e)
			} else {
				c.e.checked.Store(now)
			}
		}
	}
}

// retireIf retires the account's source if it is still e.
func (s *Service) retireIf(name string, e *sourceEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sources[name] == e {
		s.retireLocked(name, true)
	}
}

// Token returns a valid access token of account name that stays valid for
// at least MinValidity (half its lifetime for tokens that live less than
// twice that): a token closer to its expiry is replaced first
// (one refresh per need, however many callers ask). An unknown account is
// store.ErrNotFound; one that needs a human login is psn.ErrLoginRequired
// (a *psn.LoginRequiredError).
func (s *Service) Token(ctx context.Context, name string) (*psn.Token, error) {
	e, err := s.entry(ctx, name)
	if err != nil {
		return nil, err
	}
	// Another instance (or `psn logout`) may have deleted the account since
	// this one cached its token: it is looked up again at most every
	// existRecheck, so a cached, fresh token is served from memory alone.
	if err := s.recheck(ctx, name, e); err != nil {
		return nil, err
	}
	src := e.src
	tok, err := src.Token(ctx)
	if err == nil && tok.Expiry.Sub(s.now()) < s.minValidity(tok) {
		// Within the source's refresh-ahead window a token can be served
		// with little time left: drop exactly this one and wait for its
		// replacement (callers that raced us to it join the same refresh).
		src.Invalidate(ctx, tok)
		var next *psn.Token
		next, err = src.Token(ctx)
		if err == nil && next.AccessToken == tok.AccessToken {
			err = ErrNoFreshToken
		}
		tok = next
	}
	if err != nil {
		if errors.Is(err, psn.ErrNoToken) {
			s.retire(name) // deleted by another process
			return nil, fmt.Errorf("vault: account %q: %w", name, store.ErrNotFound)
		}
		return nil, err
	}
	return tok, nil
}

// minValidity is MinValidity, or half of tok's lifetime when PSN issues
// tokens that live less than twice MinValidity (a simulator with short
// tokens): otherwise every request would force a refresh.
func (s *Service) minValidity(tok *psn.Token) time.Duration {
	need := s.cfg.MinValidity
	if life := tok.Expiry.Sub(tok.IssuedAt); !tok.IssuedAt.IsZero() && life > 0 && life/2 < need {
		need = life / 2
	}
	return need
}

// AddAccount logs account name in with npsso (keeping the NPSSO, sealed,
// when keep is set) and returns its health; an existing account of that
// name is replaced. created is false when it replaced one.
func (s *Service) AddAccount(ctx context.Context, name string, npsso psn.Secret, keep bool) (h vault.Health, created bool, err error) {
	if !vault.ValidAccountName(name) {
		return vault.Health{}, false, vault.ErrAccountName
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return vault.Health{}, false, ErrServiceClosed
	}
	prev := s.hooks.before(ctx, name)
	// The key is chosen when the record is written, after the PSN calls.
	rec, err := vault.LoginKeys(ctx, s.newClient(), s.st, s.keys, name, npsso, keep)
	if err != nil {
		return vault.Health{}, false, err
	}
	s.retire(name) // its cached token belongs to the previous login
	s.hooks.accountAdded(ctx, rec, prev, keep)
	s.log.InfoContext(ctx, "vault: account logged in", "account", name, "onlineId", rec.OnlineID, "npssoKept", keep)
	return s.healthOf(rec), rec.Version == 1, nil
}

// DeleteAccount removes account name and its secrets (store.ErrNotFound
// when there is none).
func (s *Service) DeleteAccount(ctx context.Context, name string) error {
	deleted := s.hooks.deleting(ctx, name) // raised first: a crash after the delete cannot lose it
	err := s.st.Delete(ctx, name)
	s.deletes.Add(1) // before the retire below: a claim made earlier no longer proves the account is there
	deleted(context.WithoutCancel(ctx), err)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("vault: account %q: %w", name, store.ErrNotFound)
		}
		return err
	}
	s.retire(name)
	s.log.InfoContext(ctx, "vault: account deleted", "account", name)
	return nil
}

// healthOf is HealthOf with the service's clock and warning period.
func (s *Service) healthOf(rec store.Record) vault.Health {
	return vault.HealthOf(rec, s.now(), s.cfg.WarnBefore)
}

// Account returns the health of account name (store.ErrNotFound if none).
func (s *Service) Account(ctx context.Context, name string) (vault.Health, error) {
	rec, err := s.st.Get(ctx, name)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return vault.Health{}, fmt.Errorf("vault: account %q: %w", name, store.ErrNotFound)
		}
		return vault.Health{}, err
	}
	return s.healthOf(rec), nil
}

// Accounts returns the health of every account, by name.
func (s *Service) Accounts(ctx context.Context) ([]vault.Health, error) {
	var out []vault.Health
	for rec, err := range s.st.List(ctx) {
		if err != nil {
			return nil, err
		}
		out = append(out, s.healthOf(rec))
	}
	return out, nil
}

// Ping reports whether the store answers.
func (s *Service) Ping(ctx context.Context) error {
	_, err := s.st.GetMeta(ctx, vault.RingMeta)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return nil
}

// Run runs the scheduler until ctx is done: every Interval it claims the
// accounts whose refresh is due and refreshes them (a full batch is
// followed by the next one at once). When ctx is done it stops claiming,
// lets the refreshes it started finish and save, and returns nil.
func (s *Service) Run(ctx context.Context) error {
	if s.hooks != nil { // webhook deliveries, beside the scheduler
		done := make(chan struct{})
		go func() { defer close(done); s.hooks.run(ctx) }()
		defer func() { <-done }()
	}
	t := time.NewTicker(s.cfg.Interval)
	defer t.Stop()
	for {
		n, err := s.Tick(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			s.log.WarnContext(ctx, "vault: scheduler pass failed", "err", err)
		}
		if err == nil && n == s.cfg.BatchSize {
			continue // more may be due now
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Tick is one scheduler pass: it claims up to BatchSize due accounts
// (store.ClaimDue, leased to this service's owner) and refreshes them
// through their sources, Concurrency at a time, and returns how many it
// claimed once every refresh it waits for is done. A refresh that has
// begun is finished even when ctx is done; accounts not begun yet are
// released.
func (s *Service) Tick(ctx context.Context) (int, error) {
	start := time.Now() // the lease lasts LeaseTTL from a later instant of the store's clock
	now := s.now()
	seen := sighting{at: now.UnixNano(), gen: s.deletes.Load()}
	recs, err := s.st.ClaimDue(ctx, now, s.cfg.BatchSize, s.owner, s.cfg.LeaseTTL)
	if err != nil {
		return 0, fmt.Errorf("vault: claiming due accounts: %w", err)
	}
	s.metrics.claimed.Add(float64(len(recs)))
	sem := make(chan struct{}, s.cfg.Concurrency)
	var wg sync.WaitGroup
	for i, rec := range recs {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			for _, r := range recs[i:] {
				s.releaseClaim(context.WithoutCancel(ctx), r)
			}
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshBudget)
			defer cancel()
			s.refreshClaimed(rctx, rec, start, seen)
		})
	}
	wg.Wait()
	return len(recs), nil
}

// refreshClaimed refreshes one account that ClaimDue leased to us (the
// claim began at claimed by this process's clock; seen is the claim as a
// look-up of the account). The source takes the same lease (same owner:
// it extends ours) and drops it when its refresh ends.
func (s *Service) refreshClaimed(ctx context.Context, rec store.Record, claimed time.Time, seen sighting) {
	e, err := s.entrySeen(ctx, rec.Account, &seen)
	if err != nil {
		_ = s.st.Release(ctx, rec.Account, s.owner, rec.Fence)
		return
	}
	src := e.src
	s.mu.Lock()
	s.grants[rec.Account] = claimGrant{fence: rec.Fence, start: claimed, ttl: s.cfg.LeaseTTL}
	s.mu.Unlock()
	// The refresh this starts opens the record the claim returned rather
	// than reading it again; it reads it under the lease before spending.
	e.ts.PrimeClaim(rec)
	tok, err := src.Token(ctx)
	e.ts.UnprimeClaim()
	s.mu.Lock()
	if g, ok := s.grants[rec.Account]; ok && g.fence == rec.Fence {
		delete(s.grants, rec.Account)
	}
	s.mu.Unlock()
	switch {
	case errors.Is(err, psn.ErrNoToken):
		s.retire(rec.Account) // deleted meanwhile
	case errors.Is(err, psn.ErrLoginRequired):
		s.postpone(ctx, rec, loginRecheck)
	case err != nil:
		s.mu.Lock()
		s.failures[rec.Account]++
		n := s.failures[rec.Account]
		s.mu.Unlock()
		s.postpone(ctx, rec, min(retryBase<<min(n-1, 16), retryMax))
	case tok.Expiry.After(rec.AccessExpiry):
		// Refreshed (by us now, or by a login meanwhile).
		s.mu.Lock()
		delete(s.failures, rec.Account)
		s.mu.Unlock()
		// The save dropped our lease in the same write, or the refresh
		// released it (a login meanwhile, say): the token store knows, so
		// neither a read nor a write is needed. Otherwise drop it.
		if !e.ts.LeaseDropped(rec.Fence) {
			s.releaseClaim(ctx, rec)
		}
	default:
		// Still the due token: the source refreshes it in the background
		// (its refresh-ahead window) and drops the lease when done, or it
		// backs off after a failure and the lease lapses after LeaseTTL,
		// when the account is claimed again. Releasing now could let
		// another process refresh the same token.
	}
}

// postpone moves a failed account's next refresh to now+d and drops our
// lease (claimed, the record ClaimDue returned) in the same write, so that
// no process retries it sooner. It is bookkeeping (store.Note) at the
// version claimed: it changes no version, so it never makes a token save
// fail, and it does not land once a new token was saved since the claim —
// the failure was about the token that was replaced, and another process's
// save must not be pushed back (the lease is then dropped alone).
func (s *Service) postpone(ctx context.Context, claimed store.Record, d time.Duration) {
	name := claimed.Account
	n := store.Note{NextRefresh: s.now().Add(d).UTC()}
	var err error
	if ts := s.storeOf(name); ts != nil {
		err = ts.NoteClaim(ctx, claimed.Version, claimed.Fence, n)
	} else {
		n.ReleaseOwner, n.ReleaseFence = s.owner, claimed.Fence
		if _, err = s.st.Note(ctx, name, claimed.Version, n); err != nil {
			_ = s.st.Release(ctx, name, s.owner, claimed.Fence)
		}
	}
	if err != nil {
		return
	}
	s.log.InfoContext(ctx, "vault: next refresh attempt postponed", "account", name, "at", n.NextRefresh)
}

// releaseClaim drops the lease ClaimDue granted for claimed, unless the
// account's source holds it for a refresh now (AccountStore.releaseClaim).
func (s *Service) releaseClaim(ctx context.Context, claimed store.Record) {
	if ts := s.storeOf(claimed.Account); ts != nil {
		ts.ReleaseClaim(ctx, claimed.Fence)
		return
	}
	_ = s.st.Release(ctx, claimed.Account, s.owner, claimed.Fence)
}

// storeOf returns the token store of the account's source, or nil.
func (s *Service) storeOf(name string) *serviceStore {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stores[name]
}

// Close stops handing out tokens and waits, until ctx is done, for every
// refresh in flight to finish and save its token.
func (s *Service) Close(ctx context.Context) error {
	s.metrics.counts.close()
	s.mu.Lock()
	if !s.closed && s.stopChk != nil {
		close(s.stopChk)
	}
	s.closed = true
	srcs := make([]*psn.RefreshingSource, 0, len(s.sources))
	for _, e := range s.sources {
		srcs = append(srcs, e.src)
	}
	s.mu.Unlock()
	var (
		wg   sync.WaitGroup
		emu  sync.Mutex
		errs []error
	)
	for _, src := range srcs {
		wg.Go(func() {
			if err := src.Close(ctx); err != nil {
				emu.Lock()
				errs = append(errs, err)
				emu.Unlock()
			}
		})
	}
	wg.Wait()
	done := make(chan struct{})
	go func() { s.retired.Wait(); s.checks.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		errs = append(errs, fmt.Errorf("vault: closing: %w", ctx.Err()))
	}
	return errors.Join(errs...)
}
