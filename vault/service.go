package vault

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"sync"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/store"
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
	// ErrAccountName: an account name that is empty, longer than 64
	// characters or not made of letters, digits, '.', '_', '-' and '@'.
	ErrAccountName = errors.New("vault: account names are 1-64 letters, digits, '.', '_', '-' or '@', starting with a letter or digit")
	// ErrNoFreshToken: the service could not get a token valid for
	// MinValidity (the refresh that was needed failed).
	ErrNoFreshToken = errors.New("vault: no token valid long enough could be obtained")
	// ErrServiceClosed: the service was closed.
	ErrServiceClosed = errors.New("vault: service closed")
)

var accountNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

// ValidAccountName reports whether name may name an account in the vault.
func ValidAccountName(name string) bool { return accountNameRE.MatchString(name) }

// ServiceConfig configures NewService. Store and Keys are required.
type ServiceConfig struct {
	// Store holds the accounts and their sealed secrets.
	Store store.Store
	// Keys is the store's key ring; the service follows rotations made by
	// other processes.
	Keys *Keys
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
	keys    *Keys
	log     *slog.Logger
	now     func() time.Time
	owner   string
	metrics *Metrics

	mu       sync.Mutex
	sources  map[string]*psn.RefreshingSource
	failures map[string]int
	// grants are the leases ClaimDue granted this service for accounts
	// whose scheduled refresh is running, for their sources to adopt.
	grants map[string]claimGrant
	// stores are the sources' token stores, by account.
	stores  map[string]*serviceStore
	closed  bool
	retired sync.WaitGroup // sources being closed after a re-login or delete
}

// NewService returns a Service over cfg.Store. It starts nothing: call Run
// (or Serve) for the scheduler.
func NewService(cfg ServiceConfig) (*Service, error) {
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
	s := &Service{
		cfg: cfg, st: cfg.Store, keys: cfg.Keys, log: cfg.Logger, now: cfg.Now, owner: cfg.Owner,
		sources: map[string]*psn.RefreshingSource{}, failures: map[string]int{},
		grants: map[string]claimGrant{}, stores: map[string]*serviceStore{},
	}
	s.metrics = newMetrics(s)
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
	*AccountStore
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
	if !errors.Is(err, psn.ErrLoginRequired) { // OnLoginRequired logs those
		s.svc.log.WarnContext(ctx, "vault: refresh failed", "account", s.name, "err", err)
	}
	s.AccountStore.RecordError(ctx, err, at)
}

// RecordErrorAt is RecordError bound to the token state at version.
func (s *serviceStore) RecordErrorAt(ctx context.Context, version int64, err error, at time.Time) {
	if err == nil {
		return
	}
	s.svc.metrics.failures.Inc()
	if !errors.Is(err, psn.ErrLoginRequired) { // OnLoginRequired logs those
		s.svc.log.WarnContext(ctx, "vault: refresh failed", "account", s.name, "err", err)
	}
	s.AccountStore.RecordErrorAt(ctx, version, err, at)
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
			"version", version, "storedVersion", rec.Version, "fence", s.heldFence(), "storedFence", rec.Fence,
			"leaseOwner", rec.LeaseOwner, "leaseExpiry", rec.LeaseExpiry)
	}
	return s.AccountStore.RecordRejection(ctx, version, npsso, at)
}

// Lease adopts the lease the scheduler's ClaimDue granted for the running
// scheduled refresh, if any (AccountStore.AdoptClaim), then takes it.
func (s *serviceStore) Lease(ctx context.Context, ttl time.Duration) (func(context.Context), error) {
	s.svc.mu.Lock()
	g, ok := s.svc.grants[s.name]
	s.svc.mu.Unlock()
	if ok {
		s.AdoptClaim(g.fence, g.start, g.ttl)
	}
	return s.AccountStore.Lease(ctx, ttl)
}

// claimGrant is a lease ClaimDue granted: its fence, and the instant (this
// process's clock) just before the claim began.
type claimGrant struct {
	fence int64
	start time.Time
	ttl   time.Duration
}

// source returns the account's token source, creating it on first use
// when the account exists.
func (s *Service) source(ctx context.Context, name string) (*psn.RefreshingSource, error) {
	s.mu.Lock()
	src, ok := s.sources[name]
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return nil, ErrServiceClosed
	}
	if ok {
		return src, nil
	}
	if _, err := s.st.Get(ctx, name); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("vault: account %q: %w", name, store.ErrNotFound)
		}
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrServiceClosed
	}
	if src, ok := s.sources[name]; ok {
		return src, nil
	}
	src = s.newSource(name)
	s.sources[name] = src
	return src, nil
}

func (s *Service) newSource(name string) *psn.RefreshingSource {
	ts := &serviceStore{AccountStore: NewAccountStore(s.st, s.keys.Ring, name, s.owner).FollowKeys(s.keys), svc: s, name: name}
	if s.stores != nil {
		s.stores[name] = ts // s.mu is held (source)
	}
	opts := []psn.SourceOption{
		psn.WithWarnBefore(s.cfg.WarnBefore),
		psn.OnRefresh(func(ctx context.Context, tok *psn.Token, reason psn.RefreshReason) {
			s.metrics.refreshes.WithLabelValues(string(reason)).Inc()
			s.log.InfoContext(ctx, "vault: token refreshed", "account", name, "reason", string(reason), "expiry", tok.Expiry)
		}),
		psn.OnRefreshExpiring(func(ctx context.Context, exp time.Time, kept bool) {
			s.metrics.expiring.Inc()
			msg := "vault: refresh token expires soon; log this account in again before then"
			if kept {
				msg = "vault: refresh token expires soon; the kept NPSSO will be used then, while it lasts"
			}
			s.log.WarnContext(ctx, msg, "account", name, "refreshExpiry", exp, "npssoKept", kept)
		}),
		psn.OnLoginRequired(func(ctx context.Context, e *psn.LoginRequiredError) {
			s.metrics.loginRequired.Inc()
			s.log.ErrorContext(ctx, "vault: login required: add the account again with a new NPSSO", "account", name, "secret", e.Secret, "at", e.At)
		}),
	}
	return psn.NewTokenSource(s.newClient(), ts, append(opts, s.cfg.SourceOptions...)...)
}

// retire forgets the account's source (after a re-login or a delete) and
// closes it in the background; Close waits for it.
func (s *Service) retire(name string) {
	s.mu.Lock()
	src, ok := s.sources[name]
	delete(s.sources, name)
	delete(s.stores, name)
	delete(s.failures, name)
	// After Close every source it saw is closed (and no new one is made).
	ok = ok && !s.closed
	if ok {
		s.retired.Add(1)
	}
	s.mu.Unlock()
	if !ok {
		return
	}
	go func() {
		defer s.retired.Done()
		ctx, cancel := context.WithTimeout(context.Background(), refreshBudget)
		defer cancel()
		_ = src.Close(ctx)
	}()
}

// Token returns a valid access token of account name that stays valid for
// at least MinValidity (half its lifetime for tokens that live less than
// twice that): a token closer to its expiry is replaced first
// (one refresh per need, however many callers ask). An unknown account is
// store.ErrNotFound; one that needs a human login is psn.ErrLoginRequired
// (a *psn.LoginRequiredError).
func (s *Service) Token(ctx context.Context, name string) (*psn.Token, error) {
	src, err := s.source(ctx, name)
	if err != nil {
		return nil, err
	}
	// Another instance (or `psn logout`) may have deleted the account since
	// this one cached its token: one read per request keeps a deleted
	// account's token from being handed out.
	if _, err := s.st.Get(ctx, name); errors.Is(err, store.ErrNotFound) {
		s.retire(name)
		return nil, fmt.Errorf("vault: account %q: %w", name, store.ErrNotFound)
	} else if err != nil {
		return nil, err
	}
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
func (s *Service) AddAccount(ctx context.Context, name string, npsso psn.Secret, keep bool) (h Health, created bool, err error) {
	if !ValidAccountName(name) {
		return Health{}, false, ErrAccountName
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return Health{}, false, ErrServiceClosed
	}
	ring, err := s.keys.Latest(ctx)
	if err != nil {
		return Health{}, false, err
	}
	rec, err := Login(ctx, s.newClient(), s.st, ring, name, npsso, keep)
	if err != nil {
		return Health{}, false, err
	}
	s.retire(name) // its cached token belongs to the previous login
	s.log.InfoContext(ctx, "vault: account logged in", "account", name, "onlineId", rec.OnlineID, "npssoKept", keep)
	return s.healthOf(rec), rec.Version == 1, nil
}

// DeleteAccount removes account name and its secrets (store.ErrNotFound
// when there is none).
func (s *Service) DeleteAccount(ctx context.Context, name string) error {
	if err := s.st.Delete(ctx, name); err != nil {
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
func (s *Service) healthOf(rec store.Record) Health {
	return HealthOf(rec, s.now(), s.cfg.WarnBefore)
}

// Account returns the health of account name (store.ErrNotFound if none).
func (s *Service) Account(ctx context.Context, name string) (Health, error) {
	rec, err := s.st.Get(ctx, name)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return Health{}, fmt.Errorf("vault: account %q: %w", name, store.ErrNotFound)
		}
		return Health{}, err
	}
	return s.healthOf(rec), nil
}

// Accounts returns the health of every account, by name.
func (s *Service) Accounts(ctx context.Context) ([]Health, error) {
	var out []Health
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
	_, err := s.st.GetMeta(ctx, RingMeta)
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
	recs, err := s.st.ClaimDue(ctx, s.now(), s.cfg.BatchSize, s.owner, s.cfg.LeaseTTL)
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
			s.refreshClaimed(rctx, rec, start)
		})
	}
	wg.Wait()
	return len(recs), nil
}

// refreshClaimed refreshes one account that ClaimDue leased to us. The
// source takes the same lease (same owner: it extends ours) and drops it
// when its refresh ends.
func (s *Service) refreshClaimed(ctx context.Context, rec store.Record, claimed time.Time) {
	src, err := s.source(ctx, rec.Account)
	if err != nil {
		_ = s.st.Release(ctx, rec.Account, s.owner, rec.Fence)
		return
	}
	s.mu.Lock()
	s.grants[rec.Account] = claimGrant{fence: rec.Fence, start: claimed, ttl: s.cfg.LeaseTTL}
	s.mu.Unlock()
	tok, err := src.Token(ctx)
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
		// The save dropped our lease in the same write; a read says whether
		// one is left to drop (a login meanwhile, say), sparing a write.
		if cur, err := s.st.Get(ctx, rec.Account); err == nil && cur.LeaseOwner == s.owner && cur.Fence == rec.Fence {
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
		err = ts.noteClaim(ctx, claimed.Version, claimed.Fence, n)
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
		ts.releaseClaim(ctx, claimed.Fence)
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
	s.mu.Lock()
	s.closed = true
	srcs := make([]*psn.RefreshingSource, 0, len(s.sources))
	for _, src := range s.sources {
		srcs = append(srcs, src)
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
	go func() { s.retired.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		errs = append(errs, fmt.Errorf("vault: closing: %w", ctx.Err()))
	}
	return errors.Join(errs...)
}
