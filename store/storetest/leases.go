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

// checkClaimed fails the test unless every record in recs is leased to owner
// until until, unchanged otherwise, and reads back the same from the store.
func checkClaimed(t *testing.T, s store.Store, recs []store.Record, before map[string]store.Record, owner string, until time.Time) {
	t.Helper()
	for _, r := range recs {
		want := before[r.Account]
		want.LeaseOwner, want.LeaseExpiry = owner, until
		checkRecord(t, "claimed "+r.Account, r, want)
		checkRecord(t, "Get of claimed "+r.Account, get(t, s, r.Account), want)
	}
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
		got, err := s.ClaimDue(t.Context(), now, 3, "w", 5*time.Minute)
		if err != nil {
			t.Fatalf("ClaimDue: %v", err)
		}
		if want := []string{"d1", "d2", "d3"}; !slices.Equal(accounts(got), want) {
			t.Fatalf("ClaimDue(limit 3) = %q, want %q", accounts(got), want)
		}
		checkClaimed(t, s, got, before, "w", now.Add(5*time.Minute))

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
		for i, name := range []string{"live", "expired", "ends-now", "free"} {
			before[name] = putDue(t, s, name, now.Add(-time.Duration(10-i)*time.Minute))
		}
		// "live" is held until after now; "expired" until before now; "ends-now"
		// exactly until now, which is dead ("not after now").
		leases := []struct {
			name string
			from time.Time
			ttl  time.Duration
		}{
			{"live", now.Add(-time.Minute), 2 * time.Minute},
			{"expired", now.Add(-time.Hour), time.Minute},
			{"ends-now", now.Add(-time.Minute), time.Minute},
		}
		for _, l := range leases {
			if _, err := s.Claim(t.Context(), l.name, l.from, "old-owner", l.ttl); err != nil {
				t.Fatalf("Claim(%s): %v", l.name, err)
			}
		}
		got, err := s.ClaimDue(t.Context(), now, 10, "new-owner", time.Minute)
		if err != nil {
			t.Fatalf("ClaimDue: %v", err)
		}
		if want := []string{"expired", "ends-now", "free"}; !slices.Equal(accounts(got), want) {
			t.Fatalf("ClaimDue = %q, want %q", accounts(got), want)
		}
		checkClaimed(t, s, got, before, "new-owner", now.Add(time.Minute))
		live := get(t, s, "live")
		if live.LeaseOwner != "old-owner" || !live.LeaseExpiry.Equal(now.Add(time.Minute)) {
			t.Errorf("live lease = %q until %v, want old-owner until %v", live.LeaseOwner, live.LeaseExpiry, now.Add(time.Minute))
		}
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

var claimCases = []testCase{
	{"LeasesOneAccountWhetherDueOrNot", func(t *testing.T, h Harness) {
		s := h.New(t)
		before := putDue(t, s, "a", base.Add(24*time.Hour))
		got, err := s.Claim(t.Context(), "a", base, "w1", 5*time.Minute)
		if err != nil {
			t.Fatalf("Claim: %v", err)
		}
		checkClaimed(t, s, []store.Record{got}, map[string]store.Record{"a": before}, "w1", base.Add(5*time.Minute))
	}},
	{"OtherOwnerWhileLiveIsErrLeaseLost", func(t *testing.T, h Harness) {
		s := h.New(t)
		putDue(t, s, "a", base)
		held, err := s.Claim(t.Context(), "a", base, "w1", 5*time.Minute)
		if err != nil {
			t.Fatalf("Claim: %v", err)
		}
		_, err = s.Claim(t.Context(), "a", base.Add(5*time.Minute-time.Microsecond), "w2", time.Hour)
		wantErr(t, "Claim by another owner", err, store.ErrLeaseLost)
		checkSame(t, "record after refused Claim", get(t, s, "a"), held)
	}},
	{"HolderExtends", func(t *testing.T, h Harness) {
		s := h.New(t)
		before := putDue(t, s, "a", base)
		if _, err := s.Claim(t.Context(), "a", base, "w1", 5*time.Minute); err != nil {
			t.Fatalf("Claim: %v", err)
		}
		got, err := s.Claim(t.Context(), "a", base.Add(4*time.Minute), "w1", 5*time.Minute)
		if err != nil {
			t.Fatalf("Claim by holder: %v", err)
		}
		checkClaimed(t, s, []store.Record{got}, map[string]store.Record{"a": before}, "w1", base.Add(9*time.Minute))
	}},
	{"ExpiredLeaseIsTakenOver", func(t *testing.T, h Harness) {
		s := h.New(t)
		before := putDue(t, s, "a", base)
		if _, err := s.Claim(t.Context(), "a", base, "w1", 5*time.Minute); err != nil {
			t.Fatalf("Claim: %v", err)
		}
		at := base.Add(5 * time.Minute) // the old lease ends exactly now: dead
		got, err := s.Claim(t.Context(), "a", at, "w2", time.Minute)
		if err != nil {
			t.Fatalf("Claim over an expired lease: %v", err)
		}
		checkClaimed(t, s, []store.Record{got}, map[string]store.Record{"a": before}, "w2", at.Add(time.Minute))
	}},
	{"MissingIsErrNotFound", func(t *testing.T, h Harness) {
		s := h.New(t)
		_, err := s.Claim(t.Context(), "ghost", base, "w1", time.Minute)
		wantErr(t, "Claim", err, store.ErrNotFound)
	}},
}

var releaseCases = []testCase{
	{"NonOwnerIsNoOp", func(t *testing.T, h Harness) {
		s := h.New(t)
		putDue(t, s, "a", base)
		held, err := s.Claim(t.Context(), "a", base, "w1", time.Hour)
		if err != nil {
			t.Fatalf("Claim: %v", err)
		}
		for _, other := range []string{"w2", ""} {
			if err := s.Release(t.Context(), "a", other); err != nil {
				t.Errorf("Release by %q: %v, want nil (a no-op)", other, err)
			}
		}
		checkSame(t, "record after Release by non-owners", get(t, s, "a"), held)
	}},
	{"OwnerDropsLease", func(t *testing.T, h Harness) {
		s := h.New(t)
		before := putDue(t, s, "a", base)
		if _, err := s.Claim(t.Context(), "a", base, "w1", time.Hour); err != nil {
			t.Fatalf("Claim: %v", err)
		}
		if err := s.Release(t.Context(), "a", "w1"); err != nil {
			t.Fatalf("Release: %v", err)
		}
		checkRecord(t, "record after Release", get(t, s, "a"), asStored(before, before.Version))
		got, err := s.ClaimDue(t.Context(), base, 10, "w2", time.Minute)
		if err != nil || len(got) != 1 {
			t.Fatalf("ClaimDue after Release = %q, %v; want [a]", accounts(got), err)
		}
	}},
}
