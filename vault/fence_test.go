package vault

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/store"
)

// A holder whose lease was granted to another process before it spent
// (it paused past its lease: here the lease is dropped as a lapse would
// leave it, and another process claims it) must hear so from ConfirmLease,
// and LeaseSuperseded must say that its rejection is no evidence. The new
// holder confirms its own lease without a write.
func TestAccountStoreConfirmLeaseAfterTakeOver(t *testing.T) {
	ctx := context.Background()
	st, _ := newSQLite(t)
	keys := newKeys(t, st)
	a := NewAccountStore(st, keys.Ring, "acct", "proc-a")
	b := NewAccountStore(st, keys.Ring, "acct", "proc-b")
	if _, err := a.Save(ctx, psn.TokenState{Token: testToken("v1", time.Now())}, 0); err != nil {
		t.Fatal(err)
	}
	releaseA, err := a.Lease(ctx, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer releaseA(ctx)
	rec, _ := st.Get(ctx, "acct")
	if err := st.Release(ctx, "acct", "proc-a", rec.Fence); err != nil { // as if it lapsed
		t.Fatal(err)
	}
	releaseB, err := b.Lease(ctx, time.Minute)
	if err != nil {
		t.Fatalf("b taking the free lease: %v", err)
	}
	defer releaseB(ctx)

	// a knows nearly a minute is left by its own clock, but asked for more
	// it must ask the store, which says the lease is b's now.
	if err := a.ConfirmLease(ctx, 2*time.Minute); !errors.Is(err, psn.ErrLeaseHeld) {
		t.Fatalf("a.ConfirmLease after b took the lease = %v, want psn.ErrLeaseHeld", err)
	}
	// Once lost, always lost: no later call says "go".
	if err := a.ConfirmLease(ctx, time.Millisecond); !errors.Is(err, psn.ErrLeaseHeld) {
		t.Fatalf("a.ConfirmLease after its lease was found lost = %v, want psn.ErrLeaseHeld", err)
	}
	if sup, err := a.LeaseSuperseded(ctx); err != nil || !sup {
		t.Errorf("a.LeaseSuperseded = %v, %v; want true", sup, err)
	}
	before, _ := st.Get(ctx, "acct")
	if err := b.ConfirmLease(ctx, time.Second); err != nil {
		t.Fatalf("b.ConfirmLease of its fresh lease: %v", err)
	}
	if after, _ := st.Get(ctx, "acct"); !after.LeaseExpiry.Equal(before.LeaseExpiry) {
		t.Error("b.ConfirmLease wrote although its fresh lease had enough time left")
	}
	if sup, err := b.LeaseSuperseded(ctx); err != nil || sup {
		t.Errorf("b.LeaseSuperseded = %v, %v; want false", sup, err)
	}
}

// With less time left than needed (by the process's own clock, from the
// instant before the grant), ConfirmLease renews under the fence.
func TestAccountStoreConfirmLeaseRenewsWhenShort(t *testing.T) {
	ctx := context.Background()
	st, _ := newSQLite(t)
	keys := newKeys(t, st)
	a := NewAccountStore(st, keys.Ring, "acct", "proc-a")
	if _, err := a.Save(ctx, psn.TokenState{Token: testToken("v1", time.Now())}, 0); err != nil {
		t.Fatal(err)
	}
	release, err := a.Lease(ctx, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer release(ctx)
	before, _ := st.Get(ctx, "acct")
	time.Sleep(5 * time.Millisecond) // so that a renewal shows as a later expiry
	if err := a.ConfirmLease(ctx, time.Minute); err != nil {
		t.Fatalf("ConfirmLease: %v", err)
	}
	after, _ := st.Get(ctx, "acct")
	if !after.LeaseExpiry.After(before.LeaseExpiry) || after.Fence != before.Fence || after.LeaseOwner != "proc-a" {
		t.Errorf("lease after ConfirmLease: owner %q fence %d expiry %v; want proc-a, fence %d, later than %v",
			after.LeaseOwner, after.Fence, after.LeaseExpiry, before.Fence, before.LeaseExpiry)
	}
}

// A scheduler's ClaimDue lease is adopted through AdoptClaim without another
// write; a lease of this owner that no claim handed over (its age unknown)
// is not adopted on the strength of the store's expiry read against the
// local clock: Lease claims it (the same live lease keeps its fence).
func TestAccountStoreAdoptsOnlyHandedOverClaims(t *testing.T) {
	ctx := context.Background()
	st, _ := newSQLite(t)
	keys := newKeys(t, st)
	a := NewAccountStore(st, keys.Ring, "acct", "proc-a")
	if _, err := a.Save(ctx, psn.TokenState{Token: testToken("v1", time.Now())}, 0); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	recs, err := st.ClaimDue(ctx, time.Now().Add(24*time.Hour), 10, "proc-a", time.Minute)
	if err != nil || len(recs) != 1 {
		t.Fatalf("ClaimDue = %d records, %v", len(recs), err)
	}
	claimed := recs[0]
	a.AdoptClaim(claimed.Fence, start, time.Minute)
	release, err := a.Lease(ctx, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if rec, _ := st.Get(ctx, "acct"); rec.Fence != claimed.Fence || !rec.LeaseExpiry.Equal(claimed.LeaseExpiry) {
		t.Errorf("adopting the claim wrote: fence %d expiry %v, want %d %v", rec.Fence, rec.LeaseExpiry, claimed.Fence, claimed.LeaseExpiry)
	}
	if err := a.ConfirmLease(ctx, 5*time.Second); err != nil {
		t.Errorf("ConfirmLease of the adopted claim: %v", err)
	}
	release(ctx)

	// The same owner's live lease without a hand-over: claimed again.
	recs, err = st.ClaimDue(ctx, time.Now().Add(24*time.Hour), 10, "proc-a", time.Minute)
	if err != nil || len(recs) != 1 {
		t.Fatalf("ClaimDue = %d records, %v", len(recs), err)
	}
	time.Sleep(5 * time.Millisecond)
	release, err = a.Lease(ctx, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer release(ctx)
	if rec, _ := st.Get(ctx, "acct"); rec.Fence != recs[0].Fence || rec.LeaseExpiry.Equal(recs[0].LeaseExpiry) {
		t.Errorf("a lease not handed over was adopted without a claim (fence %d, expiry unchanged %v)", rec.Fence, rec.LeaseExpiry)
	}
}

// An error one process met is recorded only while the token it was about
// is stored: once another process saved a new token, it is dropped (it
// used to be pinned on the new token, and "login required" in the last
// error made a healthy account look dead).
func TestAccountStoreRecordErrorAtIsBoundToItsVersion(t *testing.T) {
	ctx := context.Background()
	st, _ := newSQLite(t)
	keys := newKeys(t, st)
	a := NewAccountStore(st, keys.Ring, "acct", "proc-a")
	if _, err := a.Save(ctx, psn.TokenState{Token: testToken("v1", time.Now())}, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Save(ctx, psn.TokenState{Token: testToken("v2", time.Now())}, 1); err != nil {
		t.Fatal(err)
	}
	lr := &psn.LoginRequiredError{Which: psn.SecretRefreshToken, At: time.Now(), Cause: psn.ErrInvalidGrant}
	a.RecordErrorAt(ctx, 1, lr, time.Now())
	rec, _ := st.Get(ctx, "acct")
	if rec.LastError != "" {
		t.Fatalf("an error about version 1 was recorded on version 2: %q", rec.LastError)
	}
	if h := HealthOf(rec, time.Now(), time.Hour); h.State == StateLoginRequired {
		t.Fatal("the account looks login-required")
	}
	a.RecordErrorAt(ctx, 2, lr, time.Now())
	if rec, _ := st.Get(ctx, "acct"); rec.LastError == "" {
		t.Error("an error about the stored version was not recorded")
	}
}

// A lease dropped under the holder's fence (by a release or a note that
// presented it) while the holder still counts on it: ConfirmLease reads the
// store and says do not spend, however much time the holder's clock says
// is left.
func TestAccountStoreConfirmLeaseSeesADroppedLease(t *testing.T) {
	ctx := context.Background()
	st, _ := newSQLite(t)
	keys := newKeys(t, st)
	a := NewAccountStore(st, keys.Ring, "acct", "proc-a")
	if _, err := a.Save(ctx, psn.TokenState{Token: testToken("v1", time.Now())}, 0); err != nil {
		t.Fatal(err)
	}
	release, err := a.Lease(ctx, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer release(ctx)
	rec, _ := st.Get(ctx, "acct")
	if err := st.Release(ctx, "acct", "proc-a", rec.Fence); err != nil {
		t.Fatal(err)
	}
	if err := a.ConfirmLease(ctx, time.Millisecond); !errors.Is(err, psn.ErrLeaseHeld) {
		t.Fatalf("ConfirmLease of a dropped lease = %v, want psn.ErrLeaseHeld", err)
	}
}

// The scheduler's claim and a refresh of the same process share one fence
// (a store's Claim extends its owner's live lease under the same fence).
// When the scheduler is done with its claim — a refresh it saw succeed, or
// a failure it postpones — it must not drop the lease a refresh of this
// process holds under that fence right now: another process could take it
// and spend the same refresh token. The refresh's own release drops it.
func TestSchedulerNeverDropsTheLeaseARefreshHolds(t *testing.T) {
	ctx := context.Background()
	st, _ := newSQLite(t)
	keys := newKeys(t, st)
	a := NewAccountStore(st, keys.Ring, "acct", "proc-a")
	if _, err := a.Save(ctx, psn.TokenState{Token: testToken("v1", time.Now())}, 0); err != nil {
		t.Fatal(err)
	}
	recs, err := st.ClaimDue(ctx, time.Now().Add(24*time.Hour), 10, "proc-a", time.Minute)
	if err != nil || len(recs) != 1 {
		t.Fatalf("ClaimDue = %d records, %v", len(recs), err)
	}
	claimed := recs[0]
	release, err := a.Lease(ctx, time.Minute) // a token request's refresh: extends the claim
	if err != nil {
		t.Fatal(err)
	}
	if rec, _ := st.Get(ctx, "acct"); rec.Fence != claimed.Fence {
		t.Fatalf("the refresh's lease has fence %d, want the claim's %d (the premise)", rec.Fence, claimed.Fence)
	}
	a.ReleaseClaim(ctx, claimed.Fence)
	if err := a.NoteClaim(ctx, claimed.Version, claimed.Fence, store.Note{NextRefresh: time.Now().Add(time.Hour)}); err != nil {
		t.Fatalf("noteClaim: %v", err)
	}
	if rec, _ := st.Get(ctx, "acct"); rec.LeaseOwner != "proc-a" || rec.Fence != claimed.Fence {
		t.Fatalf("the scheduler dropped the lease a refresh holds (owner %q fence %d)", rec.LeaseOwner, rec.Fence)
	}
	if err := a.ConfirmLease(ctx, time.Second); err != nil {
		t.Fatalf("ConfirmLease after the scheduler was done with its claim: %v", err)
	}
	release(ctx)
	if rec, _ := st.Get(ctx, "acct"); rec.LeaseOwner != "" {
		t.Fatalf("lease still held by %q after the refresh released it", rec.LeaseOwner)
	}

	// No refresh holds it: the scheduler's release drops it.
	recs, err = st.ClaimDue(ctx, time.Now().Add(24*time.Hour), 10, "proc-a", time.Minute)
	if err != nil || len(recs) != 1 {
		t.Fatalf("ClaimDue = %d records, %v", len(recs), err)
	}
	a.ReleaseClaim(ctx, recs[0].Fence)
	if rec, _ := st.Get(ctx, "acct"); rec.LeaseOwner != "" {
		t.Fatalf("releaseClaim left the lease to %q", rec.LeaseOwner)
	}
}
