package vault

import (
	"context"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/store"
)

// PrimeClaim hands the store rec, the record of its account that a claim
// of this owner (store.ClaimDue) returned with the lease it granted: the
// next Load made while the store holds no lease opens rec instead of
// reading the record again. That Load begins a refresh (the scheduler's,
// which then adopts the claim's lease with AdoptClaim); a refresh reads the
// record again under the lease before it spends any secret
// (psn.RefreshingSource re-reads after Lease, and ConfirmLease checks the
// version it spends), so a write made since the claim — a login, a save by
// a holder whose lease lapsed — is seen before anything is spent, as it
// was when the first Load read the store. Only the first such Load uses
// rec; UnprimeClaim drops it when no Load did.
func (a *AccountStore) PrimeClaim(rec store.Record) {
	if rec.Account != a.account {
		return
	}
	a.mu.Lock()
	a.primed = &rec
	a.mu.Unlock()
}

// UnprimeClaim drops the record PrimeClaim handed over, if no Load used it.
func (a *AccountStore) UnprimeClaim() {
	a.mu.Lock()
	a.primed = nil
	a.mu.Unlock()
}

// readForLoad returns the primed record when there is one and no lease is
// held (it is used once), else the record as stored now; a record read
// while a lease is held is kept as that lease's leaseRead.
func (a *AccountStore) readForLoad(ctx context.Context) (store.Record, error) {
	a.mu.Lock()
	p := a.primed
	a.primed = nil
	l := a.held
	a.mu.Unlock()
	if p != nil && l == nil {
		return *p, nil
	}
	start := a.now()
	rec, err := a.st.Get(ctx, a.account)
	if err == nil && l != nil {
		a.mu.Lock()
		if a.held == l {
			a.read = &leaseRead{lease: l, rec: rec, at: start}
		}
		a.mu.Unlock()
	}
	return rec, err
}

// leaseReadAge bounds the age of a leaseRead that ConfirmLease takes for
// its own read.
const leaseReadAge = time.Second

// leaseRead is a record a Load read while lease was held, by a read that
// began at at (this process's clock) — after the lease was taken. A
// refresh loads the record right after it takes the lease and confirms the
// lease right before it spends, with nothing but its own decisions in
// between; the store changes a held lease only by granting it to another
// holder once it expired (ConfirmLease checks that enough of it is left
// first) or by a release that this owner alone can make (and does not
// make while a refresh holds the lease). So that read tells ConfirmLease
// what a read of its own would, one store call fewer.
type leaseRead struct {
	lease *heldLease
	rec   store.Record
	at    time.Time
}

// readUnder returns the record a Load read under l less than leaseReadAge
// ago, if any.
func (a *AccountStore) readUnder(l *heldLease) (store.Record, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	r := a.read
	if r == nil || r.lease != l || a.now().Sub(r.at) >= leaseReadAge {
		return store.Record{}, false
	}
	return r.rec, true
}

// LeaseDropped reports whether the lease of this owner with fence is known,
// without a read, to be gone from the store: a Save of this store dropped
// it in the same write (save-and-release), or its release was done. A
// lease once gone never comes back under the same fence (every new grant
// stores a larger one), so a caller that would drop it has nothing to do.
// False means not known.
func (a *AccountStore) LeaseDropped(fence int64) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return fence != 0 && fence <= a.dropped
}

// saveBase returns, for a Save at wantVersion of a state without an
// NPSSO, the record a Load read under the lease held now when it is at
// wantVersion, and forgets it (the save changes the record). Saved back
// with new secrets, that record is the same as one read now: what can
// change at a version is only bookkeeping (store.Note) — the last error,
// the next refresh and the refresh token's rejection, which a token save
// writes anew (SealInto), and the NPSSO's rejection, which it keeps; hence
// no NPSSO, in the state or the record. The compare-and-swap checks the
// version. ok is false when the caller must read the record.
func (a *AccountStore) saveBase(wantVersion int64, npsso psn.Secret) (rec store.Record, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	r := a.read
	a.read = nil
	if r == nil || r.lease != a.held || a.held == nil || r.rec.Version != wantVersion ||
		npsso != "" || len(r.rec.SealedNPSSO) > 0 {
		return store.Record{}, false
	}
	return r.rec, true
}
