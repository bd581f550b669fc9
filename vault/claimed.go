package vault

import (
	"context"

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
// held (it is used once), else the record as stored now.
func (a *AccountStore) readForLoad(ctx context.Context) (store.Record, error) {
	a.mu.Lock()
	p := a.primed
	a.primed = nil
	held := a.held != nil
	a.mu.Unlock()
	if p != nil && !held {
		return *p, nil
	}
	return a.st.Get(ctx, a.account)
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
