package storetest

import (
	"bytes"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/psnkit/psn/store"
)

// note applies n and fails the test on error.
func note(t *testing.T, s store.Store, account string, version int64, n store.Note) store.Record {
	t.Helper()
	got, err := s.Note(t.Context(), account, version, n)
	if err != nil {
		t.Fatalf("Note(%s at %d): %v", account, version, err)
	}
	return got
}

// tokenWrite is sample(account) carrying refresh token rt (sealed bytes,
// as far as a store knows), with no error and no evidence: what a
// successful refresh writes.
func tokenWrite(account, rt string) store.Record {
	r := sample(account)
	r.SealedRefresh = []byte(rt)
	r.LastError, r.LastErrorAt = "", time.Time{}
	r.RefreshRejectedAt, r.NPSSORejectedAt = time.Time{}, time.Time{}
	return r
}

var noteCases = []testCase{
	{"NeverChangesTheVersionOrTheToken", func(t *testing.T, h Harness) {
		s := h.New(t)
		cur := put(t, s, tokenWrite("a", "R0"))
		at := base.Add(time.Second)
		got := note(t, s, "a", cur.Version, store.Note{
			LastError: "refresh: PSN answered 503", LastErrorAt: at,
			NextRefresh:       base.Add(time.Hour),
			RefreshRejectedAt: base.Add(2 * time.Second),
			NPSSORejectedAt:   base.Add(3 * time.Second),
		})
		want := cur
		want.LastError, want.LastErrorAt = "refresh: PSN answered 503", at
		want.NextRefresh = base.Add(time.Hour)
		want.RefreshRejectedAt, want.NPSSORejectedAt = base.Add(2*time.Second), base.Add(3*time.Second)
		checkRecord(t, "Note result", got, want)
		checkRecord(t, "Get after Note", get(t, s, "a"), want)
		checkUpdatedAt(t, "Note result", got)
	}},
	{"SetsOnlyWhatIsGiven", func(t *testing.T, h Harness) {
		s := h.New(t)
		cur := put(t, s, sample("a"))
		got := note(t, s, "a", cur.Version, store.Note{NextRefresh: base.Add(2 * time.Hour)})
		want := cur
		want.NextRefresh = base.Add(2 * time.Hour)
		checkRecord(t, "Note of NextRefresh alone", got, want)
		got = note(t, s, "a", cur.Version, store.Note{LastError: "later", LastErrorAt: base.Add(time.Minute)})
		want.LastError, want.LastErrorAt = "later", base.Add(time.Minute)
		checkRecord(t, "Note of LastError alone", got, want)
	}},
	{"StaleVersionIsErrConflictAndChangesNothing", func(t *testing.T, h Harness) {
		s := h.New(t)
		cur := put(t, s, tokenWrite("a", "R0"))
		won, err := s.CompareAndSwap(t.Context(), "a", cur.Version, tokenWrite("a", "R1"))
		if err != nil {
			t.Fatalf("CompareAndSwap: %v", err)
		}
		_, err = s.Note(t.Context(), "a", cur.Version, store.Note{RefreshRejectedAt: base, LastError: "invalid_grant", LastErrorAt: base})
		wantErr(t, "Note about the token before the write", err, store.ErrConflict)
		checkSame(t, "record after a stale Note", get(t, s, "a"), won)
	}},
	{"MissingIsErrNotFound", func(t *testing.T, h Harness) {
		s := h.New(t)
		_, err := s.Note(t.Context(), "ghost", 1, store.Note{LastError: "x", LastErrorAt: base})
		wantErr(t, "Note", err, store.ErrNotFound)
	}},
	{"DropsThePresentedLeaseOnly", func(t *testing.T, h Harness) {
		s := h.New(t)
		putDue(t, s, "a", base)
		held := claim(t, s, "a", "w1", time.Hour)
		got := note(t, s, "a", held.Version, store.Note{NextRefresh: base.Add(time.Hour), ReleaseOwner: "w1", ReleaseFence: held.Fence - 1})
		if got.LeaseOwner != "w1" {
			t.Errorf("a Note presenting an old fence dropped the lease")
		}
		got = note(t, s, "a", held.Version, store.Note{NextRefresh: base.Add(time.Hour), ReleaseOwner: "w1", ReleaseFence: held.Fence})
		if got.LeaseOwner != "" || !got.LeaseExpiry.IsZero() || got.Fence != held.Fence {
			t.Errorf("after a Note presenting the lease: lease %q until %v fence %d, want none, fence %d", got.LeaseOwner, got.LeaseExpiry, got.Fence, held.Fence)
		}
		// Postponed: not due at base any more.
		if recs, err := s.ClaimDue(t.Context(), base, 10, "w2", time.Minute); err != nil || len(recs) != 0 {
			t.Errorf("ClaimDue after the postponing Note = %q, %v; want nothing", accounts(recs), err)
		}
	}},
	{"ATokenWriteClearsTheEvidence", func(t *testing.T, h Harness) {
		s := h.New(t)
		cur := put(t, s, tokenWrite("a", "R0"))
		note(t, s, "a", cur.Version, store.Note{RefreshRejectedAt: base, LastError: "invalid_grant", LastErrorAt: base})
		got, err := s.CompareAndSwap(t.Context(), "a", cur.Version, tokenWrite("a", "R-login"))
		if err != nil {
			t.Fatalf("CompareAndSwap: %v", err)
		}
		if !got.RefreshRejectedAt.IsZero() || got.LastError != "" {
			t.Errorf("after a new token: RefreshRejectedAt %v, LastError %q; want both cleared", got.RefreshRejectedAt, got.LastError)
		}
	}},
}

// presenting is rec written by the holder of lease, presenting it (its
// owner and fence, a zero expiry): a save that drops the lease in the same
// write if it is still the stored one.
func presenting(rec, lease store.Record) store.Record {
	rec.LeaseOwner, rec.Fence, rec.LeaseExpiry = lease.LeaseOwner, lease.Fence, time.Time{}
	return rec
}

// takenOver is the start of the fence cases: account "a" stored with
// refresh token R0 (cur), leased on the first handle to a holder whose
// lease lapsed (old), then granted on the second handle to its successor
// (took, for an hour).
type takenOver struct {
	cur, old, took store.Record
}

// takeOver puts "a" through first, leases it there to firstOwner for
// shortTTL, waits the lease out and has secondOwner claim it through
// second; it checks that the successor got a larger fence.
func takeOver(t *testing.T, first, second store.Store, firstOwner, secondOwner string) takenOver {
	t.Helper()
	put(t, first, tokenWrite("a", "R0"))
	var to takenOver
	to.cur = get(t, first, "a")
	to.old = claim(t, first, "a", firstOwner, shortTTL)
	lapse() // the first holder is stuck (in PSN's refresh call, say)
	to.took = claim(t, second, "a", secondOwner, time.Hour)
	if to.took.Fence <= to.old.Fence {
		t.Fatalf("takeover fence %d, want more than %d", to.took.Fence, to.old.Fence)
	}
	return to
}

// other returns a second handle on s's data when the harness can open one
// (as another process would), else s.
func other(t *testing.T, h Harness, s store.Store) store.Store {
	if h.Share != nil {
		return h.Share(t, s)
	}
	return s
}

var protocolCases = []testCase{
	// Issue 8, interleaving 1: while the holder refreshes, another process
	// records an error and a backoff. The holder's save must still land,
	// and the bookkeeping about the old token must not land on the new one.
	{"BookkeepingDuringAHoldersRefreshNeverFailsItsSave", func(t *testing.T, h Harness) {
		holder := h.New(t)
		bystander := other(t, h, holder)
		putDue(t, holder, "a", base)
		cur := get(t, holder, "a")
		lease := claim(t, holder, "a", "replica-1", time.Hour)
		// The bystander (a CLI whose own attempt failed) cannot take the
		// lease, so it only keeps books.
		_, err := bystander.Claim(t.Context(), "a", "cli", time.Minute)
		wantErr(t, "bystander's Claim", err, store.ErrLeaseLost)
		noted := note(t, bystander, "a", cur.Version, store.Note{
			LastError: "refresh: lease held by replica-1", LastErrorAt: base, NextRefresh: base.Add(5 * time.Second),
		})
		if noted.Version != cur.Version {
			t.Fatalf("bookkeeping moved the version from %d to %d", cur.Version, noted.Version)
		}
		// The holder saves the token PSN answered with, at the version it
		// read before the bookkeeping, and drops its lease in the same write.
		saved, err := holder.CompareAndSwap(t.Context(), "a", cur.Version, presenting(tokenWrite("a", "R1"), lease))
		if err != nil {
			t.Fatalf("holder's save after bookkeeping: %v", err)
		}
		if saved.LastError != "" || saved.LeaseOwner != "" || !bytes.Equal(saved.SealedRefresh, []byte("R1")) {
			t.Errorf("saved record: LastError %q, lease %q, refresh %q; want no error, no lease, R1", saved.LastError, saved.LeaseOwner, saved.SealedRefresh)
		}
		// A late note about the old token is refused.
		_, err = bystander.Note(t.Context(), "a", cur.Version, store.Note{LastError: "late", LastErrorAt: base, RefreshRejectedAt: base})
		wantErr(t, "late Note about the replaced token", err, store.ErrConflict)
		checkSame(t, "record after the late Note", get(t, holder, "a"), saved)
	}},
	// Issue 8, interleaving 2: a slow holder's lease lapses while its PSN
	// call is in flight and another process takes the account. The slow
	// holder spent the stored refresh token, so its answer is the only
	// valid token: it must be written, and the successor's own save (from
	// the same, now spent, refresh token) must not overwrite it.
	{"LeaseTakenOverWhileASlowHolderWaitsOnPSN", func(t *testing.T, h Harness) {
		slow := h.New(t)
		succ := other(t, h, slow)
		to := takeOver(t, slow, succ, "replica-1", "replica-2")
		cur, old, took := to.cur, to.old, to.took
		_, err := slow.Renew(t.Context(), "a", "replica-1", old.Fence, time.Hour)
		wantErr(t, "slow holder's Renew", err, store.ErrLeaseLost)
		// PSN answers the slow holder: R0 -> R1. The stored token is still
		// R0, the one it spent: it writes R1.
		saved, err := slow.CompareAndSwap(t.Context(), "a", cur.Version, presenting(tokenWrite("a", "R1"), old))
		if err != nil {
			t.Fatalf("slow holder's save of the only valid token: %v", err)
		}
		if saved.LeaseOwner != "replica-2" || saved.Fence != took.Fence {
			t.Errorf("the slow holder's save took the successor's lease: %q fence %d, want replica-2 fence %d", saved.LeaseOwner, saved.Fence, took.Fence)
		}
		if err := slow.Release(t.Context(), "a", "replica-1", old.Fence); err != nil {
			t.Fatalf("slow holder's Release: %v", err)
		}
		if got := get(t, succ, "a"); got.LeaseOwner != "replica-2" {
			t.Errorf("the slow holder's Release dropped the successor's lease (owner now %q)", got.LeaseOwner)
		}
		// The successor spent R0 too (PSN refused it, or rotated twice): its
		// save at the version it read is refused, so it re-reads.
		_, err = succ.CompareAndSwap(t.Context(), "a", cur.Version, presenting(tokenWrite("a", "R2"), took))
		wantErr(t, "successor's save from the spent token", err, store.ErrConflict)
		_, err = succ.Note(t.Context(), "a", cur.Version, store.Note{RefreshRejectedAt: base, LastError: "invalid_grant", LastErrorAt: base})
		wantErr(t, "successor's rejection evidence about the spent token", err, store.ErrConflict)
		if got := get(t, succ, "a"); !bytes.Equal(got.SealedRefresh, []byte("R1")) || !got.RefreshRejectedAt.IsZero() {
			t.Errorf("stored refresh %q rejected at %v, want R1 and no rejection", got.SealedRefresh, got.RefreshRejectedAt)
		}
		if err := succ.Release(t.Context(), "a", "replica-2", took.Fence); err != nil {
			t.Fatalf("successor's Release: %v", err)
		}
	}},
	// The other order: the successor saves first, so the slow holder's
	// answer is not written over it.
	{"ASlowHolderCannotOverwriteItsSuccessorsSave", func(t *testing.T, h Harness) {
		slow := h.New(t)
		succ := other(t, h, slow)
		to := takeOver(t, slow, succ, "replica-1", "replica-2")
		won, err := succ.CompareAndSwap(t.Context(), "a", to.cur.Version, presenting(tokenWrite("a", "R2"), to.took))
		if err != nil {
			t.Fatalf("successor's save: %v", err)
		}
		_, err = slow.CompareAndSwap(t.Context(), "a", to.cur.Version, presenting(tokenWrite("a", "R1"), to.old))
		wantErr(t, "slow holder's save over its successor's", err, store.ErrConflict)
		checkSame(t, "record after the slow holder's attempt", get(t, slow, "a"), won)
	}},
	// Issue 8, interleaving 3: a CLI's Claim races a scheduler's ClaimDue
	// on another handle, round after round. Exactly one of them gets the
	// account each round, and every grant carries a larger fence.
	{"CLIClaimRacingTheSchedulersClaimDue", func(t *testing.T, h Harness) {
		cli := h.New(t)
		sched := other(t, h, cli)
		putDue(t, cli, "a", base)
		last := get(t, cli, "a").Fence
		for round := range 25 {
			var (
				wg               sync.WaitGroup
				cliRec, schedRec store.Record
				cliErr, schedErr error
				schedGot         []store.Record
			)
			start := make(chan struct{})
			wg.Go(func() { <-start; cliRec, cliErr = cli.Claim(t.Context(), "a", "cli", time.Hour) })
			wg.Go(func() {
				<-start
				schedGot, schedErr = sched.ClaimDue(t.Context(), base, 1, "sched", time.Hour)
				if len(schedGot) == 1 {
					schedRec = schedGot[0]
				}
			})
			close(start)
			wg.Wait()
			if schedErr != nil {
				t.Fatalf("round %d: ClaimDue: %v", round, schedErr)
			}
			if cliErr != nil && !errors.Is(cliErr, store.ErrLeaseLost) {
				t.Fatalf("round %d: Claim: %v", round, cliErr)
			}
			var winner store.Record
			switch {
			case cliErr == nil && len(schedGot) == 0:
				winner = cliRec
			case cliErr != nil && len(schedGot) == 1:
				winner = schedRec
			default:
				t.Fatalf("round %d: Claim err %v and ClaimDue got %d: want exactly one holder", round, cliErr, len(schedGot))
			}
			if winner.Fence != last+1 {
				t.Fatalf("round %d: %s got fence %d, want %d", round, winner.LeaseOwner, winner.Fence, last+1)
			}
			last = winner.Fence
			if got := get(t, cli, "a"); got.LeaseOwner != winner.LeaseOwner || got.Fence != winner.Fence {
				t.Fatalf("round %d: stored lease %q fence %d, want %q fence %d", round, got.LeaseOwner, got.Fence, winner.LeaseOwner, winner.Fence)
			}
			if err := cli.Release(t.Context(), "a", winner.LeaseOwner, winner.Fence); err != nil {
				t.Fatalf("round %d: Release: %v", round, err)
			}
		}
	}},
}
