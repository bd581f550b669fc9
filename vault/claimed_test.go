package vault

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/store"
)

// The record a claim returned stands in for the first Load only, and only
// while no lease is held; a Load under the lease reads the store, and
// ConfirmLease refuses to let a state be spent once the record moved on
// from the version last loaded (a login since the claim, say).
func TestPrimedClaimIsUsedOnceAndCheckedUnderTheLease(t *testing.T) {
	ctx := context.Background()
	st, _ := newSQLite(t)
	keys := newKeys(t, st)
	a := NewAccountStore(st, keys.Ring, "acct", "proc-a")
	other := NewAccountStore(st, keys.Ring, "acct", "proc-b")
	now := time.Now()
	if _, err := a.Save(ctx, psn.TokenState{Token: testToken("v1", now)}, 0); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	recs, err := st.ClaimDue(ctx, now.Add(24*time.Hour), 10, "proc-a", time.Minute)
	if err != nil || len(recs) != 1 {
		t.Fatalf("ClaimDue = %d records, %v", len(recs), err)
	}
	// Another process stores a new token after the claim.
	if _, err := other.Save(ctx, psn.TokenState{Token: testToken("login", now)}, 1); err != nil {
		t.Fatal(err)
	}

	a.PrimeClaim(recs[0])
	got, err := a.Load(ctx)
	if err != nil || got.Version != 1 || got.Token.AccessToken != testToken("v1", now).AccessToken {
		t.Fatalf("first Load after PrimeClaim = version %d, %v; want the claim's record (version 1)", got.Version, err)
	}
	if got, err = a.Load(ctx); err != nil || got.Version != 2 {
		t.Fatalf("second Load = version %d, %v; want the stored record (version 2): a primed record is used once", got.Version, err)
	}

	// Primed, then loaded once the lease is held: the store is read.
	a.PrimeClaim(recs[0])
	a.AdoptClaim(recs[0].Fence, start, time.Minute)
	release, err := a.Lease(ctx, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got, err = a.Load(ctx); err != nil || got.Version != 2 {
		t.Fatalf("Load under the lease = version %d, %v; want the stored record (version 2)", got.Version, err)
	}
	if err := a.ConfirmLease(ctx, time.Second); err != nil {
		t.Fatalf("ConfirmLease at the version loaded: %v", err)
	}
	release(ctx)

	// A refresh whose only Load was the primed (stale) record must not
	// spend it: ConfirmLease reads version 2, not the version 1 loaded.
	recs, err = st.ClaimDue(ctx, now.Add(24*time.Hour), 10, "proc-a", time.Minute)
	if err != nil || len(recs) != 1 {
		t.Fatalf("ClaimDue = %d records, %v", len(recs), err)
	}
	stale := recs[0]
	stale.Version = 1 // as if claimed before the other process's save
	a.PrimeClaim(stale)
	if got, err = a.Load(ctx); err != nil || got.Version != 1 {
		t.Fatalf("Load = version %d, %v; want the primed version 1", got.Version, err)
	}
	a.AdoptClaim(recs[0].Fence, time.Now(), time.Minute)
	release, err = a.Lease(ctx, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer release(ctx)
	if err := a.ConfirmLease(ctx, time.Second); !errors.Is(err, psn.ErrVersionConflict) {
		t.Fatalf("ConfirmLease with a stale state loaded = %v, want psn.ErrVersionConflict", err)
	}
}

// LeaseDropped knows, without a read, that a lease is gone when this
// store's save-and-release or release dropped it — and only then.
func TestLeaseDroppedKnowsWhatThisStoreDropped(t *testing.T) {
	ctx := context.Background()
	st, _ := newSQLite(t)
	keys := newKeys(t, st)
	a := NewAccountStore(st, keys.Ring, "acct", "proc-a")
	now := time.Now()
	v, err := a.Save(ctx, psn.TokenState{Token: testToken("v1", now)}, 0)
	if err != nil {
		t.Fatal(err)
	}
	release, err := a.Lease(ctx, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	f1 := a.HeldFence()
	if a.LeaseDropped(f1) {
		t.Fatal("a held lease is reported dropped")
	}
	if _, err := a.Save(ctx, psn.TokenState{Token: testToken("v2", now)}, v); err != nil {
		t.Fatal(err)
	}
	release(ctx)
	if rec, _ := st.Get(ctx, "acct"); rec.LeaseOwner != "" || !a.LeaseDropped(f1) {
		t.Fatalf("after save-and-release: stored owner %q, LeaseDropped = %v; want none, true", rec.LeaseOwner, a.LeaseDropped(f1))
	}

	// A lease released without a save.
	release, err = a.Lease(ctx, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	f2 := a.HeldFence()
	if f2 <= f1 || a.LeaseDropped(f2) {
		t.Fatalf("new lease fence %d (was %d), LeaseDropped = %v; want a larger fence, not dropped", f2, f1, a.LeaseDropped(f2))
	}
	release(ctx)
	if !a.LeaseDropped(f2) {
		t.Fatal("a released lease is not reported dropped")
	}
	// A lease of another store of the same owner is not known.
	b := NewAccountStore(st, keys.Ring, "acct", "proc-a")
	release, err = b.Lease(ctx, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer release(ctx)
	if a.LeaseDropped(b.HeldFence()) {
		t.Fatal("a lease this store never held is reported dropped")
	}
}

// A claim's lease is adopted without a store call, so a grant the store
// no longer holds for this owner (it lapsed and another process was granted
// the lease) is adopted too; the read the refresh makes under the lease
// shows it, and ConfirmLease refuses the spend on it as it did on a read
// of its own.
func TestAdoptedClaimLostMeanwhileIsNeverSpent(t *testing.T) {
	ctx := context.Background()
	st, _ := newSQLite(t)
	keys := newKeys(t, st)
	a := NewAccountStore(st, keys.Ring, "acct", "proc-a")
	now := time.Now()
	if _, err := a.Save(ctx, psn.TokenState{Token: testToken("v1", now)}, 0); err != nil {
		t.Fatal(err)
	}
	recs, err := st.ClaimDue(ctx, now.Add(24*time.Hour), 10, "proc-a", 20*time.Millisecond)
	if err != nil || len(recs) != 1 {
		t.Fatalf("ClaimDue = %d records, %v", len(recs), err)
	}
	time.Sleep(50 * time.Millisecond) // the store's lease lapses
	if _, err := st.Claim(ctx, "acct", "proc-b", time.Minute); err != nil {
		t.Fatalf("another process's claim: %v", err)
	}
	// This process believes (a wrong clock, say) the claim has a minute left.
	for _, loadFirst := range []bool{true, false} {
		a.AdoptClaim(recs[0].Fence, time.Now(), time.Minute)
		release, err := a.Lease(ctx, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if loadFirst {
			if _, err := a.Load(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.ConfirmLease(ctx, time.Second); !errors.Is(err, psn.ErrLeaseHeld) {
			t.Errorf("load first %v: ConfirmLease of an adopted claim granted elsewhere since = %v, want psn.ErrLeaseHeld", loadFirst, err)
		}
		release(ctx)
	}
	if rec, _ := st.Get(ctx, "acct"); rec.LeaseOwner != "proc-b" {
		t.Errorf("the other process's lease was dropped (owner %q)", rec.LeaseOwner)
	}
}

// A save under a lease builds on the record the refresh read under that
// lease instead of reading it again, and loses nothing by it: another
// token saved meanwhile still makes it fail (psn.ErrVersionConflict), and
// an NPSSO's rejection noted meanwhile is kept (a state with an NPSSO is
// saved on a fresh read).
func TestSaveOnTheLeaseReadLosesNothing(t *testing.T) {
	ctx := context.Background()
	st, _ := newSQLite(t)
	keys := newKeys(t, st)
	cs := &getCountingStore{Store: st}
	a := NewAccountStore(cs, keys.Ring, "acct", "proc-a")
	other := NewAccountStore(st, keys.Ring, "acct", "proc-b")
	now := time.Now()
	for _, npsso := range []psn.Secret{"", testNPSSO} {
		v, err := other.Save(ctx, psn.TokenState{Token: testToken("v1", now), NPSSO: npsso}, 0)
		if err != nil {
			t.Fatal(err)
		}
		release, err := a.Lease(ctx, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		got, err := a.Load(ctx)
		if err != nil || got.Version != v {
			t.Fatalf("Load = version %d, %v", got.Version, err)
		}
		at := now.Add(-time.Minute).UTC().Truncate(time.Microsecond)
		if _, err := st.Note(ctx, "acct", v, store.Note{LastError: "HTTP 503", LastErrorAt: at, NPSSORejectedAt: at}); err != nil {
			t.Fatal(err)
		}
		gets := cs.gets.Load()
		if _, err := a.Save(ctx, psn.TokenState{Token: testToken("v2", now), NPSSO: got.NPSSO}, v); err != nil {
			t.Fatalf("npsso %v: save: %v", npsso != "", err)
		}
		reads := cs.gets.Load() - gets
		rec, _ := st.Get(ctx, "acct")
		if rec.Version != v+1 || rec.LastError != "" || rec.LeaseOwner != "" {
			t.Errorf("npsso %v: after the save: version %d, last error %q, lease %q; want %d, none, none", npsso != "", rec.Version, rec.LastError, rec.LeaseOwner, v+1)
		}
		if npsso == "" && reads != 0 {
			t.Errorf("a save under the lease without an NPSSO read the record %d times, want 0", reads)
		}
		if npsso != "" && !rec.NPSSORejectedAt.Equal(at) {
			t.Errorf("the NPSSO's rejection noted before the save was lost: %v, want %v", rec.NPSSORejectedAt, at)
		}
		release(ctx)

		// Another token saved between the read and the save: it wins.
		release, err = a.Lease(ctx, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if got, err = a.Load(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := other.Save(ctx, psn.TokenState{Token: testToken("other", now), NPSSO: npsso}, got.Version); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Save(ctx, psn.TokenState{Token: testToken("mine", now), NPSSO: npsso}, got.Version); !errors.Is(err, psn.ErrVersionConflict) {
			t.Errorf("npsso %v: save over another token = %v, want psn.ErrVersionConflict", npsso != "", err)
		}
		release(ctx)
		if err := st.Delete(ctx, "acct"); err != nil {
			t.Fatal(err)
		}
	}
}

// getCountingStore counts Get calls.
type getCountingStore struct {
	store.Store
	gets atomic.Int64
}

func (g *getCountingStore) Get(ctx context.Context, account string) (store.Record, error) {
	g.gets.Add(1)
	return g.Store.Get(ctx, account)
}
