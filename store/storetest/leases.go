package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/psnkit/psn/store"
)

// putDue stores a record for account due at next and returns it as stored.
func putDue(t *testing.T, s store.Store, account string, next time.Time) store.Record {
	t.Helper()
	rec := sample(account)
	rec.NextRefresh = next
	return put(t, s, rec)
}

// accounts lists the account names of recs, in order.
func accounts(recs []store.Record) []string {
	out := make([]string, 0, len(recs))
	for _, r := range recs {
		out = append(out, r.Account)
	}
	return out
}

// checkClaimed fails the test unless every record in recs is leased to
// owner with the fence after the one it had before (a new grant), until
// the store's now+ttl (within skew of the test's clock between from and
// the check), unchanged otherwise, and reads back the same from the store.
func checkClaimed(t *testing.T, s store.Store, recs []store.Record, before map[string]store.Record, owner string, ttl time.Duration, from time.Time) {
	t.Helper()
	for _, r := range recs {
		want := before[r.Account]
		want.LeaseOwner, want.LeaseExpiry, want.Fence = owner, r.LeaseExpiry, want.Fence+1
		checkRecord(t, "claimed "+r.Account, r, want)
		checkExpiry(t, "claimed "+r.Account, r.LeaseExpiry, ttl, from)
		checkRecord(t, "Get of claimed "+r.Account, get(t, s, r.Account), want)
	}
}

// checkExpiry fails the test unless exp is the store's now+ttl for a now
// between from and the call, within skew.
func checkExpiry(t *testing.T, what string, exp time.Time, ttl time.Duration, from time.Time) {
	t.Helper()
	lo, hi := from.Add(ttl-skew), wallNow().Add(ttl+skew)
	if exp.Before(lo) || exp.After(hi) {
		t.Errorf("%s: LeaseExpiry = %v, want the store's now + %v (between %v and %v)", what,
			exp.Format(time.RFC3339Nano), ttl, lo.Format(time.RFC3339Nano), hi.Format(time.RFC3339Nano))
	}
}

// claim takes a lease and fails the test on error.
func claim(t *testing.T, s store.Store, account, owner string, ttl time.Duration) store.Record {
	t.Helper()
	got, err := s.Claim(t.Context(), account, owner, ttl)
	if err != nil {
		t.Fatalf("Claim(%s, %s): %v", account, owner, err)
	}
	return got
}

var claimDueCases = []testCase{
	{"SeparateHandlesNeverShareAnAccount", claimOnSeparateHandles},
	{"OnlyDueOrderedByNextRefreshAtMostLimit", func(t *testing.T, h Harness) {
		s := h.New(t)
		now := base
		before := map[string]store.Record{}
		// Inserted out of order; d1 is the oldest. "boundary" is due exactly now.
		for _, c := range []struct {
			name string
			next time.Time
		}{
			{"d3", now.Add(-1 * time.Minute)},
			{"future-1", now.Add(time.Microsecond)},
			{"d1", now.Add(-3 * time.Hour)},
			{"boundary", now},
			{"d2", now.Add(-2 * time.Minute)},
			{"future-2", now.Add(24 * time.Hour)},
		} {
			before[c.name] = putDue(t, s, c.name, c.next)
		}
		from := wallNow()
		got, err := s.ClaimDue(t.Context(), now, 3, "w", 5*time.Minute)
		if err != nil {
			t.Fatalf("ClaimDue: %v", err)
		}
		if want := []string{"d1", "d2", "d3"}; !slices.Equal(accounts(got), want) {
			t.Fatalf("ClaimDue(limit 3) = %q, want %q", accounts(got), want)
		}
		checkClaimed(t, s, got, before, "w", 5*time.Minute, from)

		got, err = s.ClaimDue(t.Context(), now, 3, "w", 5*time.Minute)
		if err != nil {
			t.Fatalf("second ClaimDue: %v", err)
		}
		if want := []string{"boundary"}; !slices.Equal(accounts(got), want) {
			t.Fatalf("second ClaimDue = %q, want %q (NextRefresh == now is due)", accounts(got), want)
		}
		for _, f := range []string{"future-1", "future-2"} {
			checkSame(t, "not-due "+f, get(t, s, f), before[f])
		}
		got, err = s.ClaimDue(t.Context(), now, 3, "w", 5*time.Minute)
		if err != nil || len(got) != 0 {
			t.Fatalf("third ClaimDue = %q, %v; want nothing, nil", accounts(got), err)
		}
	}},
	{"NothingDueIsEmptyNotError", func(t *testing.T, h Harness) {
		s := h.New(t)
		got, err := s.ClaimDue(t.Context(), base, 10, "w", time.Minute)
		if err != nil || len(got) != 0 {
			t.Fatalf("ClaimDue on empty store = %q, %v; want nothing, nil", accounts(got), err)
		}
		putDue(t, s, "later", base.Add(time.Hour))
		got, err = s.ClaimDue(t.Context(), base, 10, "w", time.Minute)
		if err != nil || len(got) != 0 {
			t.Fatalf("ClaimDue with nothing due = %q, %v; want nothing, nil", accounts(got), err)
		}
	}},
	{"ZeroNextRefreshIsDue", func(t *testing.T, h Harness) {
		s := h.New(t)
		putDue(t, s, "never-set", time.Time{})
		putDue(t, s, "old", base.Add(-time.Hour))
		got, err := s.ClaimDue(t.Context(), base, 10, "w", time.Minute)
		if err != nil {
			t.Fatalf("ClaimDue: %v", err)
		}
		if want := []string{"never-set", "old"}; !slices.Equal(accounts(got), want) {
			t.Fatalf("ClaimDue = %q, want %q (a zero NextRefresh is before any now)", accounts(got), want)
		}
		if !got[0].NextRefresh.IsZero() {
			t.Errorf("NextRefresh = %v, want zero", got[0].NextRefresh)
		}
	}},
	{"SkipsLiveLeasesTakesOverExpiredOnes", func(t *testing.T, h Harness) {
		s := h.New(t)
		now := base
		before := map[string]store.Record{}
		for i, name := range []string{"live", "expired", "released", "free"} {
			before[name] = putDue(t, s, name, now.Add(-time.Duration(10-i)*time.Minute))
		}
		live := claim(t, s, "live", "old-owner", time.Hour)
		claim(t, s, "expired", "old-owner", shortTTL)
		rel := claim(t, s, "released", "old-owner", time.Hour)
		if err := s.Release(t.Context(), "released", "old-owner", rel.Fence); err != nil {
			t.Fatalf("Release: %v", err)
		}
		lapse()
		for _, n := range []string{"expired", "released"} {
			before[n] = get(t, s, n) // their fence moved with the first grant
		}
		from := wallNow()
		got, err := s.ClaimDue(t.Context(), now, 10, "new-owner", time.Minute)
		if err != nil {
			t.Fatalf("ClaimDue: %v", err)
		}
		if want := []string{"expired", "released", "free"}; !slices.Equal(accounts(got), want) {
			t.Fatalf("ClaimDue = %q, want %q", accounts(got), want)
		}
		for _, r := range got {
			before[r.Account] = withLease(before[r.Account])
		}
		checkClaimed(t, s, got, before, "new-owner", time.Minute, from)
		checkSame(t, "live lease", get(t, s, "live"), live)
	}},
	{"LeasesAreJudgedByTheStoresClockNotTheDueInstant", func(t *testing.T, h Harness) {
		s := h.New(t)
		putDue(t, s, "held", base)
		putDue(t, s, "free", base)
		held := claim(t, s, "held", "w1", time.Hour)
		// A caller whose clock runs three hours ahead: everything is due
		// for it, but the lease is live by the store's clock.
		got, err := s.ClaimDue(t.Context(), wallNow().Add(3*time.Hour), 10, "w2", time.Minute)
		if err != nil {
			t.Fatalf("ClaimDue: %v", err)
		}
		if want := []string{"free"}; !slices.Equal(accounts(got), want) {
			t.Fatalf("ClaimDue with a due instant 3h ahead = %q, want %q (a live lease is live whatever the caller's clock says)", accounts(got), want)
		}
		checkSame(t, "held", get(t, s, "held"), held)
	}},
	{"ConcurrentClaimersNeverShareAndTakeAll", func(t *testing.T, h Harness) {
		s := h.New(t)
		const records, claimers, limit = 200, 8, 7
		for i := range records {
			putDue(t, s, fmt.Sprintf("acct-%03d", i), base.Add(-time.Duration(i)*time.Second))
		}
		start := make(chan struct{})
		var wg sync.WaitGroup
		var mu sync.Mutex
		owner := map[string]string{}
		for c := range claimers {
			wg.Go(func() {
				me := fmt.Sprintf("claimer-%d", c)
				<-start
				for {
					got, err := s.ClaimDue(t.Context(), base, limit, me, time.Hour)
					if err != nil {
						t.Errorf("%s: ClaimDue: %v", me, err)
						return
					}
					if len(got) > limit {
						t.Errorf("%s: ClaimDue returned %d records, limit %d", me, len(got), limit)
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, r := range got {
						if prev, ok := owner[r.Account]; ok {
							t.Errorf("%s claimed by both %s and %s", r.Account, prev, me)
						}
						owner[r.Account] = me
						if r.LeaseOwner != me {
							t.Errorf("%s: returned LeaseOwner %q, want %q", r.Account, r.LeaseOwner, me)
						}
					}
					mu.Unlock()
				}
			})
		}
		close(start)
		wg.Wait()
		if len(owner) != records {
			t.Fatalf("claimers together got %d accounts, want %d", len(owner), records)
		}
		for acct, who := range owner {
			if got := get(t, s, acct); got.LeaseOwner != who {
				t.Errorf("%s: stored LeaseOwner %q, want %q", acct, got.LeaseOwner, who)
			}
		}
	}},
}

// withLease is r as a grant leaves it before the lease fields are set: the
// suite's checkClaimed adds the grant itself.
func withLease(r store.Record) store.Record {
	r.LeaseOwner, r.LeaseExpiry = "", time.Time{}
	return r
}

var claimCases = []testCase{
	{"LeasesOneAccountWhetherDueOrNotWithANewFence", func(t *testing.T, h Harness) {
		s := h.New(t)
		before := putDue(t, s, "a", base.Add(24*time.Hour))
		if before.Fence != 0 {
			t.Errorf("Put: Fence = %d, want 0", before.Fence)
		}
		from := wallNow()
		got := claim(t, s, "a", "w1", 5*time.Minute)
		checkClaimed(t, s, []store.Record{got}, map[string]store.Record{"a": before}, "w1", 5*time.Minute, from)
	}},
	{"OtherOwnerWhileLiveIsErrLeaseLost", func(t *testing.T, h Harness) {
		s := h.New(t)
		putDue(t, s, "a", base)
		held := claim(t, s, "a", "w1", time.Hour)
		_, err := s.Claim(t.Context(), "a", "w2", time.Hour)
		wantErr(t, "Claim by another owner", err, store.ErrLeaseLost)
		checkSame(t, "record after refused Claim", get(t, s, "a"), held)
	}},
	{"HolderExtendsUnderTheSameFence", func(t *testing.T, h Harness) {
		s := h.New(t)
		putDue(t, s, "a", base)
		first := claim(t, s, "a", "w1", time.Minute)
		from := wallNow()
		got := claim(t, s, "a", "w1", time.Hour)
		if got.Fence != first.Fence {
			t.Errorf("extended lease: Fence = %d, want %d (the same holder)", got.Fence, first.Fence)
		}
		checkExpiry(t, "extended lease", got.LeaseExpiry, time.Hour, from)
	}},
	{"ExpiredLeaseIsTakenOverWithANewFence", func(t *testing.T, h Harness) {
		s := h.New(t)
		putDue(t, s, "a", base)
		first := claim(t, s, "a", "w1", shortTTL)
		lapse()
		got := claim(t, s, "a", "w2", shortTTL)
		if got.LeaseOwner != "w2" || got.Fence != first.Fence+1 {
			t.Errorf("takeover: lease %q fence %d, want w2 fence %d", got.LeaseOwner, got.Fence, first.Fence+1)
		}
		// The same owner coming back after its lease lapsed is a new holder
		// too: whatever it did under the old grant is fenced off.
		lapse()
		again := claim(t, s, "a", "w2", time.Minute)
		if again.Fence != got.Fence+1 {
			t.Errorf("same owner after its lease lapsed: Fence = %d, want %d", again.Fence, got.Fence+1)
		}
	}},
	{"MissingIsErrNotFound", func(t *testing.T, h Harness) {
		s := h.New(t)
		_, err := s.Claim(t.Context(), "ghost", "w1", time.Minute)
		wantErr(t, "Claim", err, store.ErrNotFound)
	}},
}

var renewCases = []testCase{
	{"HolderRenewsUnderItsFence", func(t *testing.T, h Harness) {
		s := h.New(t)
		putDue(t, s, "a", base)
		held := claim(t, s, "a", "w1", time.Minute)
		from := wallNow()
		got, err := s.Renew(t.Context(), "a", "w1", held.Fence, time.Hour)
		if err != nil {
			t.Fatalf("Renew: %v", err)
		}
		want := held
		want.LeaseExpiry = got.LeaseExpiry
		checkSame(t, "renewed record", got, want)
		checkExpiry(t, "renewed lease", got.LeaseExpiry, time.Hour, from)
	}},
	{"AfterLapseWithNobodyBetweenRenews", func(t *testing.T, h Harness) {
		s := h.New(t)
		putDue(t, s, "a", base)
		held := claim(t, s, "a", "w1", shortTTL)
		lapse()
		if _, err := s.Renew(t.Context(), "a", "w1", held.Fence, time.Hour); err != nil {
			t.Fatalf("Renew after a lapse nobody used: %v", err)
		}
		_, err := s.Claim(t.Context(), "a", "w2", time.Minute)
		wantErr(t, "Claim by another owner after the renewal", err, store.ErrLeaseLost)
	}},
	{"StaleFenceIsErrLeaseLost", func(t *testing.T, h Harness) {
		s := h.New(t)
		to := takeOver(t, s, s, "w1", "w2")
		_, err := s.Renew(t.Context(), "a", "w1", to.old.Fence, time.Hour)
		wantErr(t, "Renew by the holder before the takeover", err, store.ErrLeaseLost)
		_, err = s.Renew(t.Context(), "a", "w2", to.old.Fence, time.Hour)
		wantErr(t, "Renew by the successor with the old fence", err, store.ErrLeaseLost)
		checkSame(t, "successor's lease", get(t, s, "a"), to.took)
	}},
	{"AfterReleaseIsErrLeaseLost", func(t *testing.T, h Harness) {
		s := h.New(t)
		putDue(t, s, "a", base)
		held := claim(t, s, "a", "w1", time.Hour)
		if err := s.Release(t.Context(), "a", "w1", held.Fence); err != nil {
			t.Fatalf("Release: %v", err)
		}
		_, err := s.Renew(t.Context(), "a", "w1", held.Fence, time.Hour)
		wantErr(t, "Renew after Release", err, store.ErrLeaseLost)
	}},
	{"MissingIsErrNotFound", func(t *testing.T, h Harness) {
		s := h.New(t)
		_, err := s.Renew(t.Context(), "ghost", "w1", 1, time.Minute)
		wantErr(t, "Renew", err, store.ErrNotFound)
	}},
}

var releaseCases = []testCase{
	{"NonHolderIsNoOp", func(t *testing.T, h Harness) {
		s := h.New(t)
		putDue(t, s, "a", base)
		held := claim(t, s, "a", "w1", time.Hour)
		for _, o := range []struct {
			owner string
			fence int64
		}{{"w2", held.Fence}, {"", held.Fence}, {"w1", held.Fence - 1}, {"w1", held.Fence + 1}} {
			if err := s.Release(t.Context(), "a", o.owner, o.fence); err != nil {
				t.Errorf("Release by %q fence %d: %v, want nil (a no-op)", o.owner, o.fence, err)
			}
		}
		checkSame(t, "record after Release by non-holders", get(t, s, "a"), held)
	}},
	{"HolderDropsLeaseFenceStays", func(t *testing.T, h Harness) {
		s := h.New(t)
		before := putDue(t, s, "a", base)
		held := claim(t, s, "a", "w1", time.Hour)
		if err := s.Release(t.Context(), "a", "w1", held.Fence); err != nil {
			t.Fatalf("Release: %v", err)
		}
		want := before
		want.Fence = held.Fence
		checkRecord(t, "record after Release", get(t, s, "a"), want)
		got, err := s.ClaimDue(t.Context(), base, 10, "w2", time.Minute)
		if err != nil || len(got) != 1 {
			t.Fatalf("ClaimDue after Release = %q, %v; want [a]", accounts(got), err)
		}
		if got[0].Fence != held.Fence+1 {
			t.Errorf("ClaimDue after Release: Fence = %d, want %d", got[0].Fence, held.Fence+1)
		}
	}},
	{"MissingIsNoOp", func(t *testing.T, h Harness) {
		s := h.New(t)
		if err := s.Release(t.Context(), "ghost", "w1", 1); err != nil {
			t.Errorf("Release of a missing account: %v, want nil", err)
		}
	}},
}
