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

	mu   sync.Mutex
	ring *seal.Ring
	// held is the lease this store holds for its account, if any.
	held *heldLease
}

// heldLease is a lease an AccountStore holds and renews.
type heldLease struct {
	fence    int64
	stop     chan struct{}
	done     chan struct{}
	released bool // a Save dropped it in the same write
}

// NewAccountStore returns the token store of account. owner names this
// process in leases (a host name and pid is a good choice); it must differ
// between processes.
func NewAccountStore(st store.Store, ring *seal.Ring, account, owner string) *AccountStore {
	return &AccountStore{st: st, ring: ring, account: account, owner: owner, now: time.Now}
}

// FollowKeys makes a long-running process follow key rotations made by
// other processes (psn keys rotate|reseal|retire): every Save first
// re-reads the stored ring, so rows are sealed with the current primary
// key, and a Load that meets a key this process does not know re-reads it
// once. It returns a.
func (a *AccountStore) FollowKeys(k *Keys) *AccountStore {
	a.keys = k
	return a
}

func (a *AccountStore) currentRing() *seal.Ring {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.ring
}

// catchUp adopts the stored ring when it changed (FollowKeys only).
func (a *AccountStore) catchUp(ctx context.Context) error {
	if a.keys == nil {
		return nil
	}
	ring, err := a.keys.Latest(ctx)
	if err != nil {
		return err
	}
	a.mu.Lock()
	a.ring = ring
	a.mu.Unlock()
	return nil
}

// Load opens the record's secrets into a psn.TokenState.
func (a *AccountStore) Load(ctx context.Context) (psn.TokenState, error) {
	rec, err := a.st.Get(ctx, a.account)
	if errors.Is(err, store.ErrNotFound) {
		return psn.TokenState{}, fmt.Errorf("account %q: %w", a.account, psn.ErrNoToken)
	}
	if err != nil {
		return psn.TokenState{}, err
	}
	tok, npsso, err := OpenRecord(a.currentRing(), rec)
	if errors.Is(err, seal.ErrUnknownKey) && a.keys != nil {
		// Sealed with a key another process added since we read the ring.
		if cerr := a.catchUp(ctx); cerr != nil {
			return psn.TokenState{}, cerr
		}
		tok, npsso, err = OpenRecord(a.currentRing(), rec)
	}
	if err != nil {
		return psn.TokenState{}, err
	}
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
// A write that loses the race fails with psn.ErrVersionConflict; the
// source then re-reads and decides (docs/refresh-protocol.md).
func (a *AccountStore) Save(ctx context.Context, st psn.TokenState, wantVersion int64) (int64, error) {
	if st.Token == nil {
		return 0, errors.New("vault: Save: nil token")
	}
	if err := a.catchUp(ctx); err != nil {
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
			return 0, fmt.Errorf("account %q: %w", a.account, psn.ErrVersionConflict)
		}
		return got.Version, err
	}
	rec, err := a.st.Get(ctx, a.account)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return 0, fmt.Errorf("account %q: %w", a.account, psn.ErrNoToken)
		}
		return 0, err
	}
	if rec.Version != wantVersion {
		return 0, fmt.Errorf("account %q: %w", a.account, psn.ErrVersionConflict)
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
	switch {
	case errors.Is(err, store.ErrConflict):
		return 0, fmt.Errorf("account %q: %w (%w)", a.account, psn.ErrVersionConflict, err)
	case errors.Is(err, store.ErrNotFound):
		return 0, fmt.Errorf("account %q: %w", a.account, psn.ErrNoToken)
	case err != nil:
		return 0, err
	}
	if held != nil && got.LeaseOwner == "" {
		a.mu.Lock()
		held.released = true
		a.mu.Unlock()
	}
	return got.Version, nil
}

// Lease takes the account's refresh lease for ttl, or returns
// psn.ErrLeaseHeld when another process holds it. A lease this store's
// owner already holds with more than ttl/2 left (the Service's ClaimDue
// granted it moments ago) is adopted without another write. Until the
// returned function is called, the lease is renewed every ttl/3 under its
// fence; the function drops it (unless a Save did already).
func (a *AccountStore) Lease(ctx context.Context, ttl time.Duration) (func(context.Context), error) {
	var fence int64
	if cur, err := a.st.Get(ctx, a.account); err == nil && cur.LeaseOwner == a.owner && cur.LeaseExpiry.Sub(a.now()) > ttl/2 {
		fence = cur.Fence
	} else {
		rec, err := a.st.Claim(ctx, a.account, a.owner, ttl)
		if errors.Is(err, store.ErrLeaseLost) {
			return nil, psn.ErrLeaseHeld
		}
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("account %q: %w: %w", a.account, psn.ErrNoToken, err)
		}
		if err != nil {
			return nil, err
		}
		fence = rec.Fence
	}
	l := &heldLease{fence: fence, stop: make(chan struct{}), done: make(chan struct{})}
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
			released := l.released
			a.mu.Unlock()
			if !released {
				_ = a.st.Release(ctx, a.account, a.owner, l.fence)
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
		_, err := a.st.Renew(rctx, a.account, a.owner, l.fence, ttl)
		cancel()
		if errors.Is(err, store.ErrLeaseLost) || errors.Is(err, store.ErrNotFound) {
			return // someone else holds it now; a Save still lands if the token is ours to save
		}
	}
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
)
