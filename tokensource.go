package psn

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// TokenSource supplies a valid access token for data calls.
type TokenSource interface {
	Token(ctx context.Context) (*Token, error)
}

// Invalidator is implemented by token sources that can drop one access
// token that PSN rejected (HTTP 401), so that the next Token call
// refreshes. Only that exact token is dropped: if the source already moved
// on, Invalidate does nothing.
type Invalidator interface {
	Invalidate(ctx context.Context, rejected *Token)
}

// TokenState is what a TokenStore keeps for one account.
type TokenState struct {
	Token *Token
	// NPSSO, when kept, lets the source log in again once the refresh
	// token dies.
	NPSSO Secret
	// Version grows by one with every successful Save.
	Version int64
	// RefreshRejectedAt and NPSSORejectedAt are evidence a store keeps for
	// every process that shares it (see RejectionRecorder): when PSN
	// rejected Token's refresh token, and the NPSSO. Zero when it has not.
	// A source makes no PSN call with a rejected secret until
	// RejectedRetry has passed since the rejection.
	RefreshRejectedAt time.Time
	NPSSORejectedAt   time.Time
}

// RejectedRetry is how long a secret PSN rejected rests before a source
// tries it once more (a rejection in error, say during an outage of PSN's
// own, must not end an account for good). A new login ends the rest at once.
const RejectedRetry = time.Hour

// TokenStore keeps one account's tokens. Save is a compare-and-swap on the
// version: it succeeds only when the stored version is wantVersion.
type TokenStore interface {
	Load(ctx context.Context) (TokenState, error)
	Save(ctx context.Context, st TokenState, wantVersion int64) (newVersion int64, err error)
}

// LeasingTokenStore is a TokenStore shared by several processes: Lease
// takes the account's refresh lease for ttl so that only one process
// spends the refresh token, or returns ErrLeaseHeld. The store keeps the
// lease alive (renewing it) until the returned release function is called,
// which drops it unless a Save dropped it already. Whether a Save lands is
// decided by the version alone, not by the lease: a source that spent the
// stored refresh token must be able to save PSN's answer even when its
// lease lapsed meanwhile (docs/refresh-protocol.md).
type LeasingTokenStore interface {
	TokenStore
	Lease(ctx context.Context, ttl time.Duration) (release func(context.Context), err error)
}

// LeaseConfirmer is implemented by LeasingTokenStores that can ask the
// store itself about the lease Lease took (docs/refresh-protocol.md). A
// source uses it right before it spends a secret, and when PSN rejects one.
type LeaseConfirmer interface {
	// ConfirmLease returns nil when the lease Lease took is held, as the
	// store judges, for at least need more; when less is known to be left
	// it renews the lease under its fence first. It returns ErrLeaseHeld
	// when another holder was granted the lease since: the caller must not
	// spend, but wait for that holder.
	ConfirmLease(ctx context.Context, need time.Duration) error
	// LeaseSuperseded reports whether the store granted the account's lease
	// to another holder after the one Lease took (its fence moved on): that
	// holder may have spent the same refresh token.
	LeaseSuperseded(ctx context.Context) (bool, error)
}

// VersionedErrorRecorder is an ErrorRecorder that keeps an error only while
// the token state it is about (version) is still stored: an error met by
// one process must not be pinned on the token another process saved
// meanwhile. The source uses it, when implemented, instead of RecordError
// whenever it knows the version.
type VersionedErrorRecorder interface {
	RecordErrorAt(ctx context.Context, version int64, err error, at time.Time)
}

// ErrorRecorder is implemented by token stores that keep the last refresh
// failure for status output. The source calls RecordError, best effort,
// after a failed refresh and when a login is required; err holds no
// secret. A successful Save clears what was recorded.
type ErrorRecorder interface {
	RecordError(ctx context.Context, err error, at time.Time)
}

// RejectionRecorder is implemented by token stores that keep PSN's
// rejection of a secret as evidence for every process sharing them.
// RecordRejection marks the refresh token (npsso false) or the NPSSO of the
// state stored at version as rejected at at. It must not change the
// version, and must do nothing when the stored state is no longer at
// version (the secret it is about was replaced).
type RejectionRecorder interface {
	RecordRejection(ctx context.Context, version int64, npsso bool, at time.Time) error
}

// MemoryTokenStore is a TokenStore in memory, for tests and short-lived
// programs. It is safe for concurrent use.
type MemoryTokenStore struct {
	mu sync.Mutex
	st TokenState
}

// NewMemoryTokenStore returns a store holding tok (version 1) and,
// optionally, the NPSSO for the fallback. A nil tok makes an empty store.
func NewMemoryTokenStore(tok *Token, npsso Secret) *MemoryTokenStore {
	m := &MemoryTokenStore{}
	if tok != nil {
		t := *tok
		m.st = TokenState{Token: &t, NPSSO: npsso, Version: 1}
	}
	return m
}

// Load returns a copy of the stored state, or ErrNoToken.
func (m *MemoryTokenStore) Load(ctx context.Context) (TokenState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.st.Token == nil {
		return TokenState{}, ErrNoToken
	}
	st := m.st
	t := *st.Token
	st.Token = &t
	return st, nil
}

// Save stores st when the stored version is wantVersion (0 for an empty
// store).
func (m *MemoryTokenStore) Save(ctx context.Context, st TokenState, wantVersion int64) (int64, error) {
	if st.Token == nil {
		return 0, fmt.Errorf("psn: MemoryTokenStore.Save: nil token")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.st.Version != wantVersion {
		return 0, ErrVersionConflict
	}
	t := *st.Token
	m.st = TokenState{Token: &t, NPSSO: st.NPSSO, Version: wantVersion + 1}
	return m.st.Version, nil
}

// RecordRejection keeps PSN's rejection of the refresh token (or the
// NPSSO) of the state at version, as a shared store would (see
// RejectionRecorder); the version does not change and a new Save clears
// it.
func (m *MemoryTokenStore) RecordRejection(_ context.Context, version int64, npsso bool, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.st.Token == nil || m.st.Version != version {
		return ErrVersionConflict
	}
	if npsso {
		m.st.NPSSORejectedAt = at
	} else {
		m.st.RefreshRejectedAt = at
	}
	return nil
}

// RefreshReason says why a new token was obtained.
type RefreshReason string

// Refresh reasons passed to OnRefresh.
const (
	ReasonRefreshToken RefreshReason = "refresh_token" // the usual refresh grant
	ReasonNPSSO        RefreshReason = "npsso"         // fallback login with the stored NPSSO
)

// DefaultLeaseTTL is the refresh lease a source takes in a
// LeasingTokenStore. The store renews it while the refresh runs, so it
// can be short: a process killed in the middle of a refresh holds its
// accounts for at most this long.
const DefaultLeaseTTL = 10 * time.Second

// SourceOption configures NewRefreshingSource.
type SourceOption func(*sourceConfig)

type sourceConfig struct {
	advisory, mandatory, jitter time.Duration
	warnBefore                  time.Duration
	refreshTimeout              time.Duration
	leaseTTL                    time.Duration
	minBackoff, maxBackoff      time.Duration
	onRefresh                   func(context.Context, *Token, RefreshReason)
	onExpiring                  func(context.Context, time.Time, bool)
	onLoginRequired             func(context.Context, *LoginRequiredError)
}

// WithRefreshWindows sets the advisory window (refresh ahead in the
// background while serving the current token; default 15 min), the
// mandatory window (callers wait for the refresh; default 1 min) and the
// maximum random jitter added to the advisory window (default 3 min), so
// that many accounts do not refresh in lockstep. For short-lived tokens the
// windows shrink to a quarter and a tenth of the token's lifetime.
func WithRefreshWindows(advisory, mandatory, jitter time.Duration) SourceOption {
	return func(c *sourceConfig) { c.advisory, c.mandatory, c.jitter = advisory, mandatory, jitter }
}

// WithWarnBefore sets how long before the refresh token's expiry
// OnRefreshExpiring fires (default 7 days).
func WithWarnBefore(d time.Duration) SourceOption { return func(c *sourceConfig) { c.warnBefore = d } }

// WithRefreshTimeout bounds one refresh, which runs under a context no
// single caller can cancel (default 1 min).
func WithRefreshTimeout(d time.Duration) SourceOption {
	return func(c *sourceConfig) { c.refreshTimeout = d }
}

// WithBackoff sets the backoff after a failed refresh while the current
// access token is still valid (default 2 s doubling to 2 min).
func WithBackoff(minDelay, maxDelay time.Duration) SourceOption {
	return func(c *sourceConfig) { c.minBackoff, c.maxBackoff = minDelay, maxDelay }
}

// OnRefresh is called after each new token was saved (and before any
// caller receives it).
func OnRefresh(f func(ctx context.Context, tok *Token, reason RefreshReason)) SourceOption {
	return func(c *sourceConfig) { c.onRefresh = f }
}

// OnRefreshExpiring is called once per refresh token when its expiry is
// within the warning period: a human will have to log in again unless a
// kept NPSSO (npssoKept) still works by then.
func OnRefreshExpiring(f func(ctx context.Context, refreshExpiry time.Time, npssoKept bool)) SourceOption {
	return func(c *sourceConfig) { c.onExpiring = f }
}

// OnLoginRequired is called when no secret can produce a token any more.
func OnLoginRequired(f func(ctx context.Context, err *LoginRequiredError)) SourceOption {
	return func(c *sourceConfig) { c.onLoginRequired = f }
}

// cached is an immutable snapshot of the current token and its windows.
// The windows are kept as offsets from base, a clock reading taken when the
// snapshot was made: with the real clock, time.Since(base) reads only the
// monotonic clock, which costs a third of time.Now.
type cached struct {
	tok            *Token
	version        int64
	npsso          Secret
	base           time.Time
	advisoryAfter  time.Duration
	mandatoryAfter time.Duration
	rejected       bool // PSN answered 401 to this exact token
	// fresh is true until the advisory window opens; with the real clock
	// a timer clears it, so a fresh token is served without reading any
	// clock at all.
	fresh atomic.Bool
}

// RefreshingSource is the TokenSource at the heart of psnkit. It
// implements the lifecycle rules of docs/architecture.md ("The rules"):
//
//  1. one refresh per need, however many goroutines ask (singleflight; a
//     LeasingTokenStore extends this across processes);
//  2. every new token is saved (compare-and-swap) before any caller gets it;
//  3. a refresh response without a refresh token keeps the old one;
//  4. a failed refresh of a still-valid access token keeps serving it and
//     backs off;
//  5. invalid_grant is not retried: the stored NPSSO is tried once, else
//     the error is a *LoginRequiredError;
//  6. token POSTs are retried only when they never left (see Client);
//  7. Invalidate drops exactly the token PSN rejected.
//
// A cached, fresh token costs one atomic load and a clock read.
type RefreshingSource struct {
	client    *Client
	store     TokenStore
	cfg       sourceConfig
	now       func() time.Time
	realClock bool // now is time.Now: the fast path may use time.Since

	cur atomic.Pointer[cached]
	sf  singleflight.Group

	mu          sync.Mutex
	failures    int
	retryAt     time.Time
	loginErr    *LoginRequiredError
	loginVer    int64
	npssoDead   Secret // the NPSSO PSN rejected, not to be tried again
	warnedFor   time.Time
	rejectedTok Secret
	// pending is a token PSN issued that could not be saved (the store
	// failed until the refresh timed out): the next refresh saves it
	// instead of spending the refresh token again.
	pending    *pendingSave
	freshTimer *time.Timer
	closed     bool
	active     int           // refreshes in flight
	idle       chan struct{} // closed when active drops to 0 after Close
}

// NewRefreshingSource returns a RefreshingSource that loads tokens from store
// and refreshes them with client.
func NewRefreshingSource(client *Client, store TokenStore, opts ...SourceOption) *RefreshingSource {
	cfg := sourceConfig{
		advisory: 15 * time.Minute, mandatory: time.Minute, jitter: 3 * time.Minute,
		warnBefore:     7 * 24 * time.Hour,
		refreshTimeout: time.Minute,
		leaseTTL:       DefaultLeaseTTL, // the store renews it while the refresh runs
		minBackoff:     2 * time.Second, maxBackoff: 2 * time.Minute,
	}
	for _, o := range opts {
		o(&cfg)
	}
	return &RefreshingSource{client: client, store: store, cfg: cfg, now: client.cfg.now, realClock: !client.cfg.customClock}
}

// Token returns a valid access token. Within the advisory window it
// returns the current token and starts one background refresh; within the
// mandatory window, or when there is no token yet, it waits for the
// refresh (which a cancelled ctx stops waiting for, but does not cancel).
func (s *RefreshingSource) Token(ctx context.Context) (*Token, error) {
	c := s.cur.Load()
	if c != nil && c.fresh.Load() {
		return c.tok, nil
	}
	if c != nil && !c.rejected {
		var elapsed time.Duration
		if s.realClock {
			elapsed = time.Since(c.base)
		} else {
			elapsed = s.now().Sub(c.base)
		}
		if elapsed < c.advisoryAfter {
			return c.tok, nil
		}
		if elapsed < c.mandatoryAfter {
			s.refreshAsync(ctx)
			return c.tok, nil
		}
	}
	return s.refreshWait(ctx)
}

// Current returns the cached token without refreshing, or nil.
func (s *RefreshingSource) Current() *Token {
	if c := s.cur.Load(); c != nil {
		return c.tok
	}
	return nil
}

// Invalidate drops rejected if it is still the current token.
func (s *RefreshingSource) Invalidate(ctx context.Context, rejected *Token) {
	if rejected == nil {
		return
	}
	for {
		c := s.cur.Load()
		if c == nil || c.rejected || c.tok.AccessToken != rejected.AccessToken {
			return
		}
		n := &cached{tok: c.tok, version: c.version, npsso: c.npsso, base: c.base,
			advisoryAfter: c.advisoryAfter, mandatoryAfter: c.mandatoryAfter, rejected: true}
		if s.cur.CompareAndSwap(c, n) {
			s.mu.Lock()
			s.rejectedTok = rejected.AccessToken
			s.mu.Unlock()
			s.client.cfg.logger.InfoContext(ctx, "psn: access token rejected by PSN; refreshing")
			return
		}
	}
}

// Refresh forces a refresh now (still one per need across callers).
func (s *RefreshingSource) Refresh(ctx context.Context) (*Token, error) {
	if c := s.cur.Load(); c != nil {
		s.Invalidate(ctx, c.tok)
	} else if st, err := s.store.Load(ctx); err == nil && st.Token != nil {
		// Nothing served yet (a fresh process): the stored token is the
		// one to replace, however fresh it is.
		s.mu.Lock()
		s.rejectedTok = st.Token.AccessToken
		s.mu.Unlock()
	}
	return s.refreshWait(ctx)
}

func (s *RefreshingSource) refreshAsync(ctx context.Context) {
	s.mu.Lock()
	backingOff := s.now().Before(s.retryAt)
	s.mu.Unlock()
	if backingOff {
		return
	}
	s.sf.DoChan("refresh", s.flight(ctx))
}

// flight is the function singleflight runs: one refresh under a context
// no caller can cancel, counted so that Close can wait for it.
func (s *RefreshingSource) flight(ctx context.Context) func() (any, error) {
	return func() (any, error) {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			if c := s.cur.Load(); c != nil && !c.rejected && !c.tok.Expired(s.now()) {
				return c.tok, nil
			}
			return nil, ErrSourceClosed
		}
		s.active++
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			s.active--
			if s.active == 0 && s.idle != nil {
				close(s.idle)
				s.idle = nil
			}
			s.mu.Unlock()
		}()
		return s.refresh(context.WithoutCancel(ctx))
	}
}

// Close stops new refreshes and waits, until ctx is done, for one in
// flight to finish and save its token: a program that exits in the middle
// of a refresh may lose a refresh token PSN already rotated. After Close,
// Token serves the cached token while it is valid and otherwise returns
// ErrSourceClosed.
func (s *RefreshingSource) Close(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	// A pending timer would keep the cached token reachable until it
	// fires (most of a token's life): a cache that closes evicted sources
	// must get their memory back. Without it, the fast path must read the
	// clock.
	if s.freshTimer != nil {
		s.freshTimer.Stop()
		s.freshTimer = nil
		if c := s.cur.Load(); c != nil {
			c.fresh.Store(false)
		}
	}
	if s.active == 0 {
		s.mu.Unlock()
		return nil
	}
	if s.idle == nil {
		s.idle = make(chan struct{})
	}
	idle := s.idle
	s.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("psn: closing token source: a refresh is still running: %w", ctx.Err())
	}
}

func (s *RefreshingSource) refreshWait(ctx context.Context) (*Token, error) {
	ch := s.sf.DoChan("refresh", s.flight(ctx))
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*Token), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// publish makes tok the current token.
func (s *RefreshingSource) publish(tok *Token, version int64, npsso Secret) {
	life := tok.Expiry.Sub(tok.IssuedAt)
	if tok.IssuedAt.IsZero() || life <= 0 {
		life = tok.Expiry.Sub(s.now())
	}
	adv := min(s.cfg.advisory, life/4)
	mand := min(s.cfg.mandatory, life/10)
	var jit time.Duration
	if j := min(s.cfg.jitter, adv/2); j > 0 {
		jit = rand.N(j)
	}
	base := s.now()
	c := &cached{
		tok: tok, version: version, npsso: npsso, base: base,
		advisoryAfter:  tok.Expiry.Add(-adv - jit).Sub(base),
		mandatoryAfter: tok.Expiry.Add(-mand).Sub(base),
	}
	s.mu.Lock()
	if s.freshTimer != nil {
		s.freshTimer.Stop()
		s.freshTimer = nil
	}
	if s.realClock && c.advisoryAfter > 0 {
		c.fresh.Store(true)
		s.freshTimer = time.AfterFunc(c.advisoryAfter, func() { c.fresh.Store(false) })
	}
	s.mu.Unlock()
	s.cur.Store(c)
}

// usable reports whether a stored token can be served without a refresh.
func (s *RefreshingSource) usable(tok *Token, now time.Time) bool {
	if tok == nil || tok.Expired(now) {
		return false
	}
	s.mu.Lock()
	rejected := s.rejectedTok != "" && tok.AccessToken == s.rejectedTok
	s.mu.Unlock()
	if rejected {
		return false
	}
	life := tok.Expiry.Sub(tok.IssuedAt)
	if tok.IssuedAt.IsZero() || life <= 0 {
		life = tok.Expiry.Sub(now)
	}
	return now.Before(tok.Expiry.Add(-min(s.cfg.advisory, life/4)))
}

// pendingSave is a token obtained by spending spent (the refresh token of
// the state it replaces) that is not saved yet.
type pendingSave struct {
	spent  Secret
	tok    *Token
	reason RefreshReason
}

// refresh is the one refresh of a need; it runs under singleflight with a
// context that no caller can cancel. Its steps: load; the login-required
// memo; a pending save; rest when the evidence says a human must log in;
// serve what is usable; back off; take the lease; spend the refresh token
// (or the NPSSO); save (commit).
func (s *RefreshingSource) refresh(ctx context.Context) (*Token, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.refreshTimeout)
	defer cancel()

	st, err := s.store.Load(ctx)
	if err != nil {
		return s.loadFailed(ctx, err)
	}
	now := s.now()

	// Still in login-required state and nobody logged in since?
	if e := s.loginMemo(st.Version); e != nil {
		return nil, e
	}

	// A token PSN issued that the store refused earlier: save it now, if
	// the stored refresh token is still the one it replaced.
	if tok, ok, err := s.savePending(ctx, st); ok {
		return tok, err
	}

	// Dead accounts rest: no PSN call with secrets PSN already rejected,
	// and no serving of a token of a login PSN no longer honours.
	if e := s.restingLogin(st, now); e != nil {
		return nil, s.resting(st.Version, e)
	}

	// Someone else (another goroutine before us, another process, a new
	// login) may have stored a fresh token already.
	if s.usable(st.Token, now) {
		s.publish(st.Token, st.Version, st.NPSSO)
		s.checkExpiring(ctx, st.Token, st.NPSSO != "")
		return st.Token, nil
	}

	// Back off after a failure while the current token still works.
	if s.backingOff(st, now) {
		s.publish(st.Token, st.Version, st.NPSSO)
		return st.Token, nil
	}

	return s.underLease(ctx, st, now)
}

// loadFailed is the answer when the store could not be read: no stored
// token means a human must log in; any other failure keeps serving the
// current token while it works.
func (s *RefreshingSource) loadFailed(ctx context.Context, err error) (*Token, error) {
	if errors.Is(err, ErrNoToken) {
		return nil, &LoginRequiredError{Which: SecretRefreshToken, At: s.now(), Cause: err}
	}
	return s.keepServing(ctx, TokenState{}, fmt.Errorf("psn: loading token: %w", err))
}

// loginMemo returns the login-required error the source remembers while
// the stored state is still the one it was about (version); once the state
// moved on (a new login), it forgets it and returns nil.
func (s *RefreshingSource) loginMemo(version int64) *LoginRequiredError {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loginErr != nil {
		if version == s.loginVer {
			return s.loginErr
		}
		s.loginErr = nil
	}
	return nil
}

// backingOff reports whether a failed refresh was recent enough that st's
// token, still unexpired and not rejected, is served without a new try.
func (s *RefreshingSource) backingOff(st TokenState, now time.Time) bool {
	s.mu.Lock()
	backingOff := now.Before(s.retryAt)
	s.mu.Unlock()
	return backingOff && !st.Token.Expired(now) && st.Token.AccessToken != s.rejected()
}

// underLease spends st's secrets while holding the account's refresh lease
// when the store has leases (docs/refresh-protocol.md): it waits for
// another holder's token, or takes the lease, re-reads the state (the
// holder before us may have just finished) and spends.
func (s *RefreshingSource) underLease(ctx context.Context, st TokenState, now time.Time) (*Token, error) {
	ls, ok := s.store.(LeasingTokenStore)
	if !ok {
		return s.spend(ctx, st, now)
	}
	for round := 1; ; round++ {
		tok, again, err := s.spendLeased(ctx, ls, st, now, round >= leaseRounds)
		if again == nil {
			return tok, err
		}
		st, now = *again, s.now()
	}
}

// leaseRounds bounds how often one refresh goes back to waiting for another
// lease holder (its lease was lost before it spent, or another holder may
// have spent the same refresh token) before it gives up and backs off.
const leaseRounds = 3

// spendLeased is one round of a refresh under the account's lease: take
// the lease (or wait for its holder's token), re-read, confirm the lease
// with the store, spend. again is set (with the state to wait on) when the
// round found that another holder may spend, or has spent, the refresh
// token: the caller waits for that holder in the next round. In the last
// round that is a failure instead.
func (s *RefreshingSource) spendLeased(ctx context.Context, ls LeasingTokenStore, st TokenState, now time.Time, last bool) (tok *Token, again *TokenState, err error) {
	release, err := ls.Lease(ctx, s.cfg.leaseTTL)
	if errors.Is(err, ErrLeaseHeld) {
		// Wait for the holder's token; if the lease comes free first,
		// we hold it and go on as the refresher.
		if tok, release, err = s.awaitOther(ctx, st); release == nil {
			return tok, nil, err
		}
		now = s.now()
	}
	if err != nil {
		tok, err = s.keepServing(ctx, st, fmt.Errorf("psn: taking refresh lease: %w", err))
		return tok, nil, err
	}
	defer release(context.WithoutCancel(ctx))
	// The lease holder before us may have finished just now.
	if st2, err := s.store.Load(ctx); err == nil {
		st = st2
		if s.usable(st.Token, now) {
			s.publish(st.Token, st.Version, st.NPSSO)
			return st.Token, nil, nil
		}
		if e := s.restingLogin(st, now); e != nil {
			return nil, nil, s.resting(st.Version, e)
		}
	}
	// Never two spenders: right before the PSN call the store itself must
	// confirm that the lease is still ours, with time left for the call.
	if lc, ok := ls.(LeaseConfirmer); ok {
		if err := lc.ConfirmLease(ctx, s.leaseNeed()); err != nil {
			if errors.Is(err, ErrLeaseHeld) && !last {
				s.client.cfg.logger.InfoContext(ctx, "psn: refresh lease lost before spending; waiting for its new holder")
				return nil, &st, nil
			}
			tok, err = s.keepServing(ctx, st, fmt.Errorf("psn: confirming refresh lease: %w", err))
			return tok, nil, err
		}
	}
	tok, err = s.spend(ctx, st, now)
	var other *spentElsewhere
	if errors.As(err, &other) {
		if !last {
			return nil, &other.cur, nil
		}
		tok, err = s.keepServing(ctx, other.cur, err)
	}
	return tok, nil, err
}

// leaseNeed is how much of its lease a holder must have left, confirmed by
// the store, when it sends a secret to PSN: one HTTP attempt and a margin,
// but at most two thirds of a lease (the renewal period keeps at least that).
func (s *RefreshingSource) leaseNeed() time.Duration {
	return min(s.client.cfg.timeout+time.Second, s.cfg.leaseTTL*2/3)
}

// spentElsewhere is spend's answer when PSN rejected the refresh token but
// another lease holder may have spent it (the store granted the lease to
// someone after us): the rejection is no evidence, and the caller waits for
// that holder's token.
type spentElsewhere struct {
	cur TokenState // the state read after the rejection
}

func (e *spentElsewhere) Error() string {
	return "psn: refresh token rejected while another process may have spent it: " + ErrInvalidGrant.Error()
}

func (e *spentElsewhere) Unwrap() error { return ErrInvalidGrant }

// restingLogin returns the login-required error of a state whose secrets
// PSN rejected less than RejectedRetry ago (or that has none left), or nil
// when a PSN call is worth making.
func (s *RefreshingSource) restingLogin(st TokenState, now time.Time) *LoginRequiredError {
	resting := func(at time.Time) bool { return !at.IsZero() && now.Before(at.Add(RejectedRetry)) }
	if !resting(st.RefreshRejectedAt) {
		return nil
	}
	if st.NPSSO != "" && st.NPSSO != s.deadNPSSO() && !resting(st.NPSSORejectedAt) {
		return nil // the NPSSO may still work
	}
	e := &LoginRequiredError{Which: SecretRefreshToken, At: st.RefreshRejectedAt, Cause: ErrInvalidGrant}
	if st.NPSSO != "" {
		e.Which, e.At, e.Cause = SecretNPSSO, st.NPSSORejectedAt, ErrNPSSORejected
		if e.At.IsZero() {
			e.At = st.RefreshRejectedAt
		}
	}
	return e
}

// spend makes the PSN call: the refresh grant with the stored refresh
// token, else (rule 5) one login with the stored NPSSO.
func (s *RefreshingSource) spend(ctx context.Context, st TokenState, now time.Time) (*Token, error) {
	var cause error
	refreshUsable := !st.Token.RefreshExpired(now) &&
		(st.RefreshRejectedAt.IsZero() || !now.Before(st.RefreshRejectedAt.Add(RejectedRetry)))
	if refreshUsable {
		tok, err := s.client.Refresh(ctx, st.Token.RefreshToken)
		if err == nil {
			if tok.RefreshToken == "" { // rule 3: keep the old refresh token
				tok.RefreshToken, tok.RefreshExpiry = st.Token.RefreshToken, st.Token.RefreshExpiry
			}
			return s.commit(ctx, st, tok, ReasonRefreshToken)
		}
		if !errors.Is(err, ErrInvalidGrant) {
			return s.keepServing(ctx, st, err)
		}
		if tok, handled, err := s.notEvidence(ctx, st, err); handled {
			return tok, err
		}
		s.client.cfg.logger.WarnContext(ctx, "psn: refresh token rejected", "err", err)
		s.recordRejection(ctx, st.Version, false, now)
		st.RefreshRejectedAt = now
		cause = err
	} else if !st.RefreshRejectedAt.IsZero() {
		cause = ErrInvalidGrant // resting: rejected less than RejectedRetry ago
	}
	refreshDiedAt := now
	switch {
	case cause == nil:
		refreshDiedAt = st.Token.RefreshExpiry
	case !st.RefreshRejectedAt.IsZero():
		refreshDiedAt = st.RefreshRejectedAt
	}

	// Rule 5 (docs/architecture.md): the NPSSO, once.
	if st.NPSSO != "" && st.NPSSO != s.deadNPSSO() &&
		(st.NPSSORejectedAt.IsZero() || !now.Before(st.NPSSORejectedAt.Add(RejectedRetry))) {
		return s.loginWithNPSSO(ctx, st, now)
	}
	return nil, s.loginRequired(ctx, st.Version, &LoginRequiredError{Which: SecretRefreshToken, At: refreshDiedAt, Cause: cause})
}

// notEvidence decides whether PSN's rejection of st's refresh token is
// evidence (docs/refresh-protocol.md). When the stored token moved on (a
// slow holder before us saved what PSN gave it, or a login), it serves that
// token. When the store cannot be read, or granted the lease to someone
// after us, the rejection may be about a token another holder spent: no
// evidence, and the caller waits for that holder (spentElsewhere). handled
// is false only when the rejection is evidence.
func (s *RefreshingSource) notEvidence(ctx context.Context, st TokenState, rejection error) (tok *Token, handled bool, err error) {
	log := s.client.cfg.logger
	cur, lerr := s.store.Load(ctx)
	if lerr != nil {
		tok, err = s.keepServing(ctx, st, rejection)
		return tok, true, err
	}
	if cur.Token != nil && cur.Token.RefreshToken != st.Token.RefreshToken {
		log.InfoContext(ctx, "psn: refresh token already replaced by another process; using the stored one")
		if !cur.Token.Expired(s.now()) {
			s.publish(cur.Token, cur.Version, cur.NPSSO)
			return cur.Token, true, nil
		}
		tok, err = s.keepServing(ctx, cur, rejection)
		return tok, true, err
	}
	if lc, ok := s.store.(LeaseConfirmer); ok {
		if superseded, serr := lc.LeaseSuperseded(ctx); serr != nil || superseded {
			log.InfoContext(ctx, "psn: refresh token rejected, but another process was granted the lease since; waiting for its token")
			return nil, true, &spentElsewhere{cur: cur}
		}
	}
	return nil, false, nil
}

// loginWithNPSSO is the fallback of rule 5: one login with st's stored
// NPSSO. A rejected NPSSO is remembered as dead, recorded as evidence and
// ends in login required.
func (s *RefreshingSource) loginWithNPSSO(ctx context.Context, st TokenState, now time.Time) (*Token, error) {
	tok, err := s.client.Login(ctx, st.NPSSO)
	if err == nil {
		s.client.cfg.logger.InfoContext(ctx, "psn: logged in again with the stored NPSSO")
		return s.commit(ctx, st, tok, ReasonNPSSO)
	}
	if !errors.Is(err, ErrNPSSORejected) {
		return s.keepServing(ctx, st, err)
	}
	s.mu.Lock()
	s.npssoDead = st.NPSSO
	s.mu.Unlock()
	s.recordRejection(ctx, st.Version, true, now)
	return nil, s.loginRequired(ctx, st.Version, &LoginRequiredError{Which: SecretNPSSO, At: now, Cause: err})
}

// recordRejection hands PSN's rejection of a secret to the store when it
// keeps evidence.
func (s *RefreshingSource) recordRejection(ctx context.Context, version int64, npsso bool, at time.Time) {
	if r, ok := s.store.(RejectionRecorder); ok {
		if err := r.RecordRejection(ctx, version, npsso, at); err != nil {
			s.client.cfg.logger.DebugContext(ctx, "psn: recording a rejection", "err", err)
		}
	}
}

func (s *RefreshingSource) rejected() Secret {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rejectedTok
}

func (s *RefreshingSource) deadNPSSO() Secret {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.npssoDead
}

// Save attempts of commit: a conflict caused by anything but another token
// (bookkeeping, a re-seal) is retried at once, a failing store with a short
// pause until the refresh times out.
const (
	saveConflictAttempts = 8
	saveRetryPause       = 200 * time.Millisecond
)

// commit saves tok (rule 2 of docs/architecture.md) and only then publishes it. tok was obtained
// by spending st's secrets, so until it is saved PSN may treat it as the
// only valid token: commit never discards it while the stored token is
// still the one it replaces (docs/refresh-protocol.md).
func (s *RefreshingSource) commit(ctx context.Context, st TokenState, tok *Token, reason RefreshReason) (*Token, error) {
	log := s.client.cfg.logger
	spent := st.Token.RefreshToken
	conflicts := 0
	for {
		v, err := s.store.Save(ctx, TokenState{Token: tok, NPSSO: st.NPSSO}, st.Version)
		if err == nil {
			return s.committed(ctx, st, tok, v, reason)
		}
		if errors.Is(err, ErrVersionConflict) {
			conflicts++
			cur, lerr := s.store.Load(ctx)
			switch {
			case lerr == nil && cur.Token != nil && cur.Token.RefreshToken == spent && conflicts < saveConflictAttempts:
				// Only bookkeeping, a re-seal or a lease change moved the
				// version: the stored token is still the one we spent.
				st = cur
				continue
			case lerr == nil && cur.Token != nil && cur.Token.RefreshToken != spent:
				// Another token was stored (a login, or a holder that spent
				// the same refresh token and saved first): it wins.
				log.InfoContext(ctx, "psn: another process stored a newer token; discarding ours", "reason", string(reason))
				if !cur.Token.Expired(s.now()) {
					s.publish(cur.Token, cur.Version, cur.NPSSO)
					return cur.Token, nil
				}
				return s.keepServing(ctx, cur, fmt.Errorf("psn: saving refreshed token: %w", err))
			}
		}
		// The store failed. Keep trying until the refresh times out, then
		// keep the token for the next refresh rather than lose it.
		select {
		case <-ctx.Done():
			s.mu.Lock()
			s.pending = &pendingSave{spent: spent, tok: tok, reason: reason}
			s.mu.Unlock()
			log.ErrorContext(ctx, "psn: a new token could not be saved; it is kept in memory and saved by the next refresh", "err", err)
			return s.keepServing(ctx, st, fmt.Errorf("psn: saving refreshed token: %w", err))
		case <-time.After(saveRetryPause):
		}
	}
}

// committed publishes a token saved at version v and runs the hooks.
func (s *RefreshingSource) committed(ctx context.Context, st TokenState, tok *Token, v int64, reason RefreshReason) (*Token, error) {
	s.mu.Lock()
	s.failures, s.retryAt, s.rejectedTok, s.pending = 0, time.Time{}, "", nil
	s.mu.Unlock()
	s.publish(tok, v, st.NPSSO)
	s.client.cfg.logger.InfoContext(ctx, "psn: token refreshed", "reason", string(reason), "token", tok)
	if s.cfg.onRefresh != nil {
		s.cfg.onRefresh(ctx, tok, reason)
	}
	s.checkExpiring(ctx, tok, st.NPSSO != "")
	return tok, nil
}

// savePending saves a token an earlier refresh could not save, when the
// stored refresh token is still the one it replaced; ok reports whether it
// handled the refresh. A pending token of another lineage is dropped.
func (s *RefreshingSource) savePending(ctx context.Context, st TokenState) (tok *Token, ok bool, err error) {
	s.mu.Lock()
	p := s.pending
	s.pending = nil
	s.mu.Unlock()
	if p == nil || st.Token == nil || st.Token.RefreshToken != p.spent {
		return nil, false, nil
	}
	tok, err = s.commit(ctx, st, p.tok, p.reason)
	return tok, true, err
}

// keepServing implements rule 4: after a failed refresh, serve the current
// token while it is valid and back off; otherwise return the error.
func (s *RefreshingSource) keepServing(ctx context.Context, st TokenState, err error) (*Token, error) {
	s.mu.Lock()
	s.failures++
	d := s.cfg.minBackoff << min(s.failures-1, 20)
	if d <= 0 || d > s.cfg.maxBackoff {
		d = s.cfg.maxBackoff
	}
	s.retryAt = s.now().Add(d)
	rej := s.rejectedTok
	s.mu.Unlock()
	s.recordError(ctx, st.Version, err)
	now := s.now()
	if c := s.cur.Load(); c != nil && !c.tok.Expired(now) && c.tok.AccessToken != rej {
		s.client.cfg.logger.WarnContext(ctx, "psn: refresh failed; serving the current token", "err", err, "retryIn", d)
		return c.tok, nil
	}
	if st.Token != nil && !st.Token.Expired(now) && st.Token.AccessToken != rej {
		s.client.cfg.logger.WarnContext(ctx, "psn: refresh failed; serving the stored token", "err", err, "retryIn", d)
		s.publish(st.Token, st.Version, st.NPSSO)
		return st.Token, nil
	}
	return nil, err
}

// awaitOther waits for the process holding the lease to store its token.
// It returns that token, or — when it takes the lease itself because the
// holder released it — a release function and no token: the holder may
// have saved just before releasing, so the caller re-reads the store
// before refreshing.
func (s *RefreshingSource) awaitOther(ctx context.Context, st TokenState) (*Token, func(context.Context), error) {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			tok, err := s.keepServing(ctx, st, fmt.Errorf("psn: waiting for another process's refresh: %w", ctx.Err()))
			return tok, nil, err
		case <-tick.C:
		}
		st2, err := s.store.Load(ctx)
		if err != nil {
			continue
		}
		if st2.Version != st.Version && s.usable(st2.Token, s.now()) {
			s.publish(st2.Token, st2.Version, st2.NPSSO)
			return st2.Token, nil, nil
		}
		if ls, ok := s.store.(LeasingTokenStore); ok {
			if release, err := ls.Lease(ctx, s.cfg.leaseTTL); err == nil {
				return nil, release, nil
			}
		}
	}
}

// resting remembers e for version without telling anyone again: the
// evidence it comes from was recorded (and reported) when PSN answered.
func (s *RefreshingSource) resting(version int64, e *LoginRequiredError) error {
	s.mu.Lock()
	s.loginErr, s.loginVer = e, version
	s.mu.Unlock()
	return e
}

func (s *RefreshingSource) loginRequired(ctx context.Context, version int64, e *LoginRequiredError) error {
	s.mu.Lock()
	s.loginErr, s.loginVer = e, version
	s.mu.Unlock()
	s.client.cfg.logger.ErrorContext(ctx, "psn: login required", "secret", string(e.Which), "at", e.At)
	s.recordError(ctx, version, e)
	if s.cfg.onLoginRequired != nil {
		s.cfg.onLoginRequired(ctx, e)
	}
	return e
}

// recordError hands err to the store when it keeps errors: bound to
// version (the token state err is about) when the store can do that and
// version is known, so that it never lands on a token saved since.
func (s *RefreshingSource) recordError(ctx context.Context, version int64, err error) {
	if r, ok := s.store.(VersionedErrorRecorder); ok && version > 0 {
		r.RecordErrorAt(ctx, version, err, s.now())
		return
	}
	if r, ok := s.store.(ErrorRecorder); ok {
		r.RecordError(ctx, err, s.now())
	}
}

func (s *RefreshingSource) checkExpiring(ctx context.Context, tok *Token, npssoKept bool) {
	if tok.RefreshExpiry.IsZero() || tok.RefreshExpiry.Sub(s.now()) > s.cfg.warnBefore {
		return
	}
	s.mu.Lock()
	already := s.warnedFor.Equal(tok.RefreshExpiry)
	s.warnedFor = tok.RefreshExpiry
	s.mu.Unlock()
	if already {
		return
	}
	s.client.cfg.logger.WarnContext(ctx, "psn: refresh token expires soon", "refreshExpiry", tok.RefreshExpiry, "npssoKept", npssoKept)
	if s.cfg.onExpiring != nil {
		s.cfg.onExpiring(ctx, tok.RefreshExpiry, npssoKept)
	}
}
