// Package vault keeps PSN accounts in a store.Store with their secrets
// sealed: it connects the psn token lifecycle to the persistent backends.
//
// AccountStore makes one account of a store.Store a psn.LeasingTokenStore,
// so a psn.RefreshingSource saves every new token (sealed, compare-and-swap
// on the record's version) before handing it out, and spends the refresh
// token only while it holds the account's lease — one refresher per account
// across every process sharing the store. docs/refresh-protocol.md tells
// the whole protocol.
package vault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/seal"
	"github.com/psnkit/psn/store"
)

// Purpose is the associated-data purpose of every sealed token field.
const Purpose = "psn-token"

// Field names used as associated data, so a ciphertext cannot be moved
// from one field to another.
const (
	FieldAccess  = "access"
	FieldRefresh = "refresh"
	FieldNPSSO   = "npsso"
)

// DefaultAdvisory is how long before the access token's expiry a record is
// due for refresh (its NextRefresh).
const DefaultAdvisory = 15 * time.Minute

// accessPart is what SealedAccess holds: the access token and the parts of
// psn.Token a record has no column for.
type accessPart struct {
	Access    string    `json:"a"`
	ID        string    `json:"i,omitempty"`
	Type      string    `json:"t,omitempty"`
	Scope     string    `json:"s,omitempty"`
	IssuedAt  time.Time `json:"at"`
	AccountID string    `json:"-"`
}

// AccountStore is one account of a store.Store seen as a
// psn.LeasingTokenStore. It is safe for concurrent use.
type AccountStore struct {
	st      store.Store
	account string
	owner   string
	now     func() time.Time
	keys    *Keys // set by FollowKeys

	// leaseMu serialises taking the lease (Lease) with dropping a claim's
	// lease for the scheduler (ReleaseClaim, NoteClaim).
	leaseMu sync.Mutex

	mu   sync.Mutex
	ring *seal.Ring
	// held is the lease this store holds for its account, if any.
	held *heldLease
	// granted is a lease a scheduler's ClaimDue granted this owner (see
	// AdoptClaim), for Lease to adopt.
	granted *grantedLease
	// primed is the record a claim returned, for the next Load taken
	// while no lease is held (see PrimeClaim).
	primed *store.Record
	// loaded is the version of the state the last Load returned or the
	// last Save wrote (0: none yet).
	loaded int64
	// dropped is the largest fence of this owner's leases known to be gone
	// from the store (see LeaseDropped).
	dropped int64
	// read is the record the last Load read while a lease was held (see
	// leaseRead).
	read *leaseRead
}

// heldLease is a lease an AccountStore holds and renews. The fields after
// done are guarded by the AccountStore's mu.
type heldLease struct {
	fence int64
	ttl   time.Duration
	stop  chan struct{}
	done  chan struct{}
	// until is when the lease ends at the earliest, by this process's
	// clock: the instant just before the store call that granted or last
	// renewed it, plus the TTL (the store's clock starts the TTL later).
	// Zero when not known (a lease adopted without AdoptClaim).
	until    time.Time
	lost     bool // a renewal found it granted to another holder
	released bool // a Save dropped it in the same write
}

// grantedLease is a lease granted by a claim that began at start.
type grantedLease struct {
	fence int64
	start time.Time
	ttl   time.Duration
}

// NewAccountStore returns the token store of account. owner names this
// process in leases (a host name and pid is a good choice); it must differ
// between processes.
func NewAccountStore(st store.Store, ring *seal.Ring, account, owner string) *AccountStore {
	return &AccountStore{st: st, ring: ring, account: account, owner: owner, now: time.Now}
}

// FollowKeys makes a long-running process follow key rotations made by
// other processes (psn keys rotate|reseal|retire): every Save seals with
// the primary key of the ring as stored at most RingFollow ago
// (Keys.Latest), and a Load that meets a key this process does not know
// re-reads the ring at once. It returns a.
func (a *AccountStore) FollowKeys(k *Keys) *AccountStore {
	a.keys = k
	return a
}

func (a *AccountStore) currentRing() *seal.Ring {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.ring
}

// catchUp adopts the stored ring when it changed (FollowKeys only): as
// read at most RingFollow ago, or, with now, read now.
func (a *AccountStore) catchUp(ctx context.Context, now bool) error {
	if a.keys == nil {
		return nil
	}
	latest := a.keys.Latest
	if now {
		latest = a.keys.LatestNow
	}
	ring, err := latest(ctx)
	if err != nil {
		return err
	}
	a.mu.Lock()
	a.ring = ring
	a.mu.Unlock()
	return nil
}

// Load opens the record's secrets into a psn.TokenState: the record
// PrimeClaim handed over, when there is one and no lease is held, else the
// record as stored now.
func (a *AccountStore) Load(ctx context.Context) (psn.TokenState, error) {
	rec, err := a.readForLoad(ctx)
	if err != nil {
		return psn.TokenState{}, err // store.ErrNotFound is psn.ErrNoToken
	}
	tok, npsso, err := OpenRecord(a.currentRing(), rec)
	if errors.Is(err, seal.ErrUnknownKey) && a.keys != nil {
		// Sealed with a key another process added since we read the ring.
		if cerr := a.catchUp(ctx, true); cerr != nil {
			return psn.TokenState{}, cerr
		}
		tok, npsso, err = OpenRecord(a.currentRing(), rec)
	}
	if err != nil {
		return psn.TokenState{}, err
	}
	a.mu.Lock()
	a.loaded = rec.Version
	a.mu.Unlock()
	return psn.TokenState{Token: tok, NPSSO: npsso, Version: rec.Version,
		RefreshRejectedAt: rec.RefreshRejectedAt, NPSSORejectedAt: rec.NPSSORejectedAt}, nil
}

// OpenRecord opens the sealed secrets of rec.
func OpenRecord(ring *seal.Ring, rec store.Record) (*psn.Token, psn.Secret, error) {
	ad := func(f string) seal.AD { return seal.AD{Purpose: Purpose, Account: rec.Account, Field: f} }
	raw, err := ring.Open(ad(FieldAccess), rec.SealedAccess)
	if err != nil {
		return nil, "", fmt.Errorf("account %q: opening access token: %w", rec.Account, err)
	}
	var ap accessPart
	if err := json.Unmarshal(raw, &ap); err != nil {
		return nil, "", fmt.Errorf("account %q: access token record: %w", rec.Account, store.ErrCorrupt)
	}
	tok := &psn.Token{
		AccessToken: psn.Secret(ap.Access), IDToken: psn.Secret(ap.ID), TokenType: ap.Type, Scope: ap.Scope,
		IssuedAt: ap.IssuedAt, Expiry: rec.AccessExpiry, RefreshExpiry: rec.RefreshExpiry,
	}
	if len(rec.SealedRefresh) > 0 {
		rt, err := ring.Open(ad(FieldRefresh), rec.SealedRefresh)
		if err != nil {
			return nil, "", fmt.Errorf("account %q: opening refresh token: %w", rec.Account, err)
		}
		tok.RefreshToken = psn.Secret(rt)
	}
	var npsso psn.Secret
	if len(rec.SealedNPSSO) > 0 {
		n, err := ring.Open(ad(FieldNPSSO), rec.SealedNPSSO)
		if err != nil {
			return nil, "", fmt.Errorf("account %q: opening NPSSO: %w", rec.Account, err)
		}
		npsso = psn.Secret(n)
	}
	return tok, npsso, nil
}

// SealInto seals tok and npsso into rec with the ring's primary key and
// sets the expiry instants and NextRefresh.
func SealInto(ring *seal.Ring, rec *store.Record, tok *psn.Token, npsso psn.Secret) error {
	ad := func(f string) seal.AD { return seal.AD{Purpose: Purpose, Account: rec.Account, Field: f} }
	raw, err := json.Marshal(accessPart{Access: tok.AccessToken.Reveal(), ID: tok.IDToken.Reveal(), Type: tok.TokenType, Scope: tok.Scope, IssuedAt: tok.IssuedAt.UTC()})
	if err != nil {
		return err
	}
	if rec.SealedAccess, err = ring.Seal(ad(FieldAccess), raw); err != nil {
		return err
	}
	rec.SealedRefresh = nil
	if tok.RefreshToken != "" {
		if rec.SealedRefresh, err = ring.Seal(ad(FieldRefresh), []byte(tok.RefreshToken.Reveal())); err != nil {
			return err
		}
	}
	rec.SealedNPSSO = nil
	if npsso != "" {
		if rec.SealedNPSSO, err = ring.Seal(ad(FieldNPSSO), []byte(npsso.Reveal())); err != nil {
			return err
		}
	}
	rec.KeyID = ring.Primary()
	rec.AccessExpiry, rec.RefreshExpiry = tok.Expiry.UTC(), tok.RefreshExpiry.UTC()
	rec.NextRefresh = tok.Expiry.Add(-min(DefaultAdvisory, tok.Expiry.Sub(tok.IssuedAt)/4)).UTC()
	rec.LastError, rec.LastErrorAt = "", time.Time{}
	rec.RefreshRejectedAt = time.Time{} // a new refresh token: no evidence against it
	return nil
}

// Save seals st and writes it when the record's version is wantVersion
// (0 creates the record), whoever holds the lease: a lease decides who
// spends the refresh token, the version what is written. When this store
// holds the account's lease, the same write drops it (save-and-release).
// A write that loses the race fails with psn.ErrVersionConflict (which is
// store.ErrConflict; a create that finds the record there also matches
// store.ErrExists); the source then re-reads and decides
// (docs/refresh-protocol.md). A missing record is psn.ErrNoToken.
func (a *AccountStore) Save(ctx context.Context, st psn.TokenState, wantVersion int64) (int64, error) {
	if st.Token == nil {
		return 0, errors.New("vault: Save: nil token")
	}
	if err := a.catchUp(ctx, false); err != nil {
		return 0, err
	}
	ring := a.currentRing()
	if wantVersion == 0 {
		rec := store.Record{Account: a.account}
		if err := SealInto(ring, &rec, st.Token, st.NPSSO); err != nil {
			return 0, err
		}
		got, err := a.st.Put(ctx, rec)
		if errors.Is(err, store.ErrExists) {
			// Version 0 is "not stored yet": a record there is a newer version.
			return 0, fmt.Errorf("%w: %w", psn.ErrVersionConflict, err)
		}
		return got.Version, err
	}
	rec, known := a.saveBase(wantVersion, st.NPSSO)
	if !known {
		var err error
		if rec, err = a.st.Get(ctx, a.account); err != nil {
			return 0, err
		}
		if rec.Version != wantVersion {
			return 0, fmt.Errorf("account %q is at version %d, not %d: %w", a.account, rec.Version, wantVersion, psn.ErrVersionConflict)
		}
	}
	if err := SealInto(ring, &rec, st.Token, st.NPSSO); err != nil {
		return 0, err
	}
	a.mu.Lock()
	held := a.held
	a.mu.Unlock()
	rec.LeaseOwner, rec.Fence, rec.LeaseExpiry = "", 0, time.Time{}
	if held != nil {
		rec.LeaseOwner, rec.Fence = a.owner, held.fence // present it: save-and-release
	}
	got, err := a.st.CompareAndSwap(ctx, a.account, wantVersion, rec)
	if err != nil {
		return 0, err
	}
	a.mu.Lock()
	a.loaded = got.Version
	if held != nil && got.LeaseOwner == "" {
		held.released = true
		a.dropped = max(a.dropped, held.fence)
	}
	a.mu.Unlock()
	return got.Version, nil
}

// AdoptClaim tells the store that a claim this owner began at start
// (store.ClaimDue, by this process's clock) was granted the account's lease
// with fence for ttl: the next Lease adopts it without a store call while
// enough of it is left, and knows how long it lasts without trusting any
// clock but this process's monotonic one. Whether the store still holds it
// for this owner is confirmed by ConfirmLease before any secret is spent.
func (a *AccountStore) AdoptClaim(fence int64, start time.Time, ttl time.Duration) {
	a.mu.Lock()
	a.granted = &grantedLease{fence: fence, start: start, ttl: ttl}
	a.mu.Unlock()
}

// Lease takes the account's refresh lease for ttl, or returns
// psn.ErrLeaseHeld (store.ErrLeaseLost) when another process holds it. A
// lease that a claim handed to AdoptClaim granted moments ago, with more
// than ttl/2 left by this process's clock, is adopted without a store call
// (ConfirmLease checks it with the store before a spend). Until the
// returned function is called, the lease is renewed every ttl/3 under its
// fence; the function drops it (unless a Save did already).
func (a *AccountStore) Lease(ctx context.Context, ttl time.Duration) (func(context.Context), error) {
	a.leaseMu.Lock()
	defer a.leaseMu.Unlock()
	a.mu.Lock()
	g := a.granted
	a.granted = nil
	a.mu.Unlock()
	var (
		fence int64
		until time.Time
	)
	if g != nil && g.start.Add(g.ttl).Sub(a.now()) > ttl/2 {
		fence, until = g.fence, g.start.Add(g.ttl)
	} else {
		start := a.now()
		rec, err := a.st.Claim(ctx, a.account, a.owner, ttl)
		if err != nil {
			return nil, err
		}
		fence, until = rec.Fence, start.Add(ttl)
	}
	l := &heldLease{fence: fence, ttl: ttl, until: until, stop: make(chan struct{}), done: make(chan struct{})}
	a.mu.Lock()
	a.held = l
	a.mu.Unlock()
	go a.renew(context.WithoutCancel(ctx), l, ttl)
	var once sync.Once
	return func(ctx context.Context) {
		once.Do(func() {
			close(l.stop)
			<-l.done
			a.mu.Lock()
			if a.held == l {
				a.held = nil
			}
			if a.read != nil && a.read.lease == l {
				a.read = nil
			}
			released := l.released
			a.mu.Unlock()
			if !released && a.st.Release(ctx, a.account, a.owner, l.fence) == nil {
				a.mu.Lock()
				a.dropped = max(a.dropped, l.fence)
				a.mu.Unlock()
			}
		})
	}, nil
}

// renew keeps l alive until it is stopped or lost.
func (a *AccountStore) renew(ctx context.Context, l *heldLease, ttl time.Duration) {
	defer close(l.done)
	t := time.NewTicker(max(ttl/3, time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		rctx, cancel := context.WithTimeout(ctx, ttl/3+time.Second)
		_, err := a.renewNow(rctx, l, ttl)
		cancel()
		if errors.Is(err, psn.ErrLeaseHeld) || errors.Is(err, psn.ErrNoToken) {
			return // someone else holds it now; a Save still lands if the token is ours to save
		}
	}
}

// renewNow renews l under its fence once and returns the record as
// renewed: psn.ErrLeaseHeld when the store granted the lease to another
// holder since (l is then lost for good).
func (a *AccountStore) renewNow(ctx context.Context, l *heldLease, ttl time.Duration) (store.Record, error) {
	start := a.now()
	rec, err := a.st.Renew(ctx, a.account, a.owner, l.fence, ttl)
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case err == nil:
		if !l.lost {
			l.until = start.Add(ttl)
		}
		return rec, nil
	case errors.Is(err, store.ErrLeaseLost), errors.Is(err, store.ErrNotFound):
		l.lost = true // psn.ErrLeaseHeld or psn.ErrNoToken: gone for good
	}
	return rec, err
}

// ConfirmLease makes sure the lease the last Lease took is still held for
// at least need by the store's judgement (psn.LeaseConfirmer): when less is
// known to be left (or nothing is known: an adopted lease), it renews the
// lease under its fence. psn.ErrLeaseHeld means another holder was
// granted it since: the caller must not spend the refresh token.
// psn.ErrVersionConflict means the record moved on from the version the
// last Load returned (the state the caller is about to spend is stale):
// the caller must not spend it either.
func (a *AccountStore) ConfirmLease(ctx context.Context, need time.Duration) error {
	a.mu.Lock()
	l := a.held
	var lost, enough bool
	if l != nil {
		lost = l.lost
		enough = !l.until.IsZero() && l.until.Sub(a.now()) >= need
	}
	a.mu.Unlock()
	switch {
	case l == nil:
		return fmt.Errorf("account %q: no lease taken: %w", a.account, psn.ErrLeaseHeld)
	case lost:
		return fmt.Errorf("account %q: lease granted to another holder: %w", a.account, psn.ErrLeaseHeld)
	case !enough:
		rec, err := a.renewNow(ctx, l, l.ttl)
		if err != nil {
			return err
		}
		return a.checkLoaded(rec)
	}
	// Enough time is left by our clock; one read (no durable write) makes
	// sure the lease was not dropped or granted to another holder meanwhile,
	// and that the record is still at the version last loaded (the state
	// the caller is about to spend). The read a Load made under this lease
	// moments ago is that read (see leaseRead).
	rec, ok := a.readUnder(l)
	var err error
	if !ok {
		rec, err = a.st.Get(ctx, a.account)
	}
	if err == nil {
		err = a.checkLoaded(rec)
	}
	switch {
	case err != nil:
		return err
	case rec.Fence != l.fence:
		a.mu.Lock()
		l.lost = true
		a.mu.Unlock()
		return fmt.Errorf("account %q: lease granted to another holder (fence %d, ours %d): %w", a.account, rec.Fence, l.fence, psn.ErrLeaseHeld)
	case rec.LeaseOwner != a.owner:
		// Dropped under our fence, and nobody took it since: renewing
		// under the fence is refused (the owner is gone), so take it anew.
		return fmt.Errorf("account %q: lease dropped before the refresh token was spent: %w", a.account, psn.ErrLeaseHeld)
	}
	return nil
}

// checkLoaded returns psn.ErrVersionConflict when rec, as stored now, is
// not at the version the last Load returned (or the last Save wrote).
func (a *AccountStore) checkLoaded(rec store.Record) error {
	a.mu.Lock()
	loaded := a.loaded
	a.mu.Unlock()
	if loaded != 0 && rec.Version != loaded {
		return fmt.Errorf("account %q is at version %d, not the %d last loaded: %w", a.account, rec.Version, loaded, psn.ErrVersionConflict)
	}
	return nil
}

// holdsLocked reports whether a refresh of this store holds the lease
// with fence now (a.leaseMu held by the caller).
func (a *AccountStore) holdsLocked(fence int64) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.held != nil && a.held.fence == fence && !a.held.released && !a.held.lost
}

// ReleaseClaim drops the lease (this owner, fence) that a claim granted,
// unless a refresh of this store holds that lease now: a store's Claim
// extends its owner's live lease under the same fence, so the scheduler's
// grant may be the very lease a refresh is about to spend under. That
// refresh drops it when it is done; dropping it under the refresh would let
// another process spend the same refresh token.
func (a *AccountStore) ReleaseClaim(ctx context.Context, fence int64) {
	a.leaseMu.Lock()
	defer a.leaseMu.Unlock()
	if !a.holdsLocked(fence) {
		_ = a.st.Release(ctx, a.account, a.owner, fence)
	}
}

// NoteClaim applies n at version, dropping the lease (this owner, fence)
// in the same write unless a refresh of this store holds it (see
// ReleaseClaim). When the note does not land, the lease is dropped alone
// on the same terms. It returns the note's error.
func (a *AccountStore) NoteClaim(ctx context.Context, version, fence int64, n store.Note) error {
	a.leaseMu.Lock()
	defer a.leaseMu.Unlock()
	held := a.holdsLocked(fence)
	if !held {
		n.ReleaseOwner, n.ReleaseFence = a.owner, fence
	}
	_, err := a.st.Note(ctx, a.account, version, n)
	if err != nil && !held {
		_ = a.st.Release(ctx, a.account, a.owner, fence)
	}
	return err
}

// HeldFence is the fence of the lease this store holds, or 0.
func (a *AccountStore) HeldFence() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.held == nil {
		return 0
	}
	return a.held.fence
}

// LeaseSuperseded reports whether the store granted the account's lease to
// another holder after the one the last Lease took (psn.LeaseConfirmer):
// the stored fence is no longer ours, so that holder may have spent the
// same refresh token. Without a lease taken, it reports true.
func (a *AccountStore) LeaseSuperseded(ctx context.Context) (bool, error) {
	a.mu.Lock()
	l := a.held
	a.mu.Unlock()
	if l == nil {
		return true, nil
	}
	rec, err := a.st.Get(ctx, a.account)
	if err != nil {
		return true, err
	}
	return rec.Fence != l.fence, nil
}

// maxErrorText bounds a recorded error message.
const maxErrorText = 500

// RecordError keeps err as the record's last error, for `psn token
// status` and `psn accounts`. It is bookkeeping (store.Note): it never
// changes the version, so it never makes a token save fail, and it lands
// only while the token it is about is still stored. A failure to record
// is ignored.
func (a *AccountStore) RecordError(ctx context.Context, err error, at time.Time) {
	if err == nil {
		return
	}
	rec, gerr := a.st.Get(ctx, a.account)
	if gerr != nil {
		return
	}
	msg := err.Error()
	if len(msg) > maxErrorText {
		msg = msg[:maxErrorText] + "…"
	}
	if msg == rec.LastError {
		return // already recorded
	}
	_, _ = a.st.Note(ctx, a.account, rec.Version, store.Note{LastError: msg, LastErrorAt: at.UTC()})
}

// RecordErrorAt is RecordError for the token state stored at version
// (psn.VersionedErrorRecorder): nothing is recorded once another token
// was saved, so an error one process met is never pinned on the token
// another process saved meanwhile.
func (a *AccountStore) RecordErrorAt(ctx context.Context, version int64, err error, at time.Time) {
	if err == nil {
		return
	}
	rec, gerr := a.st.Get(ctx, a.account)
	if gerr != nil || rec.Version != version {
		return
	}
	msg := err.Error()
	if len(msg) > maxErrorText {
		msg = msg[:maxErrorText] + "…"
	}
	if msg == rec.LastError {
		return // already recorded
	}
	_, _ = a.st.Note(ctx, a.account, version, store.Note{LastError: msg, LastErrorAt: at.UTC()})
}

// RecordRejection keeps PSN's rejection of the refresh token (or, with
// npsso, of the NPSSO) stored at version as evidence every process sees:
// health reports the account dead, and no process spends the secret again
// before psn.RejectedRetry has passed. It is bookkeeping (store.Note) and
// does nothing when the record moved on from version.
func (a *AccountStore) RecordRejection(ctx context.Context, version int64, npsso bool, at time.Time) error {
	n := store.Note{RefreshRejectedAt: at.UTC()}
	if npsso {
		n = store.Note{NPSSORejectedAt: at.UTC()}
	}
	_, err := a.st.Note(ctx, a.account, version, n)
	return err
}

var (
	_ psn.LeasingTokenStore = (*AccountStore)(nil)
	_ psn.ErrorRecorder     = (*AccountStore)(nil)
	_ psn.RejectionRecorder = (*AccountStore)(nil)
	_ psn.LeaseConfirmer    = (*AccountStore)(nil)

	_ psn.VersionedErrorRecorder = (*AccountStore)(nil)
)
