package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/psnkit/psn/store"
)

var putGetCases = []testCase{
	{"RoundTripEveryField", func(t *testing.T, h Harness) {
		s := h.New(t)
		rec := sample("alice")
		got := put(t, s, rec)
		checkRecord(t, "Put result", got, asStored(rec, 1))
		checkUpdatedAt(t, "Put result", got)
		read := get(t, s, "alice")
		checkRecord(t, "Get after Put", read, asStored(rec, 1))
		checkSame(t, "Get vs Put result", read, got)
	}},
	{"ZeroTimesStayZero", func(t *testing.T, h Harness) {
		s := h.New(t)
		rec := sample("zero")
		rec.AccessExpiry, rec.RefreshExpiry, rec.LastErrorAt, rec.LeaseExpiry = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		rec.LastError = ""
		put(t, s, rec)
		checkRecord(t, "Get", get(t, s, "zero"), asStored(rec, 1))
	}},
	{"NilAndEmptyNPSSOMeanNone", func(t *testing.T, h Harness) {
		s := h.New(t)
		for _, c := range []struct {
			account string
			npsso   []byte
		}{{"nil-npsso", nil}, {"empty-npsso", []byte{}}} {
			rec := sample(c.account)
			rec.SealedNPSSO = c.npsso
			put(t, s, rec)
			if got := get(t, s, c.account); len(got.SealedNPSSO) != 0 {
				t.Errorf("%s: SealedNPSSO = %x, want none", c.account, got.SealedNPSSO)
			}
		}
		// Dropping a kept NPSSO through CompareAndSwap also leaves none.
		rec := put(t, s, sample("drop-npsso"))
		rec.SealedNPSSO = []byte{}
		if _, err := s.CompareAndSwap(t.Context(), "drop-npsso", rec.Version, rec); err != nil {
			t.Fatalf("CompareAndSwap: %v", err)
		}
		if got := get(t, s, "drop-npsso"); len(got.SealedNPSSO) != 0 {
			t.Errorf("after dropping: SealedNPSSO = %x, want none", got.SealedNPSSO)
		}
	}},
	{"PutSetsVersionOne", func(t *testing.T, h Harness) {
		s := h.New(t)
		rec := sample("v")
		rec.Version = 42
		if got := put(t, s, rec); got.Version != 1 {
			t.Errorf("Put result Version = %d, want 1", got.Version)
		}
		if got := get(t, s, "v"); got.Version != 1 {
			t.Errorf("Get Version = %d, want 1", got.Version)
		}
	}},
	{"PutTwiceIsErrExists", func(t *testing.T, h Harness) {
		s := h.New(t)
		first := put(t, s, sample("dup"))
		second := sample("dup")
		second.OnlineID = "someone-else"
		_, err := s.Put(t.Context(), second)
		wantErr(t, "second Put", err, store.ErrExists)
		checkSame(t, "record after failed Put", get(t, s, "dup"), first)
	}},
	{"GetMissingIsErrNotFound", func(t *testing.T, h Harness) {
		s := h.New(t)
		_, err := s.Get(t.Context(), "nobody")
		wantErr(t, "Get", err, store.ErrNotFound)
		put(t, s, sample("somebody"))
		_, err = s.Get(t.Context(), "nobody")
		wantErr(t, "Get beside another record", err, store.ErrNotFound)
	}},
}

var casCases = []testCase{
	{"RightVersionWritesVersionPlusOne", func(t *testing.T, h Harness) {
		s := h.New(t)
		cur := put(t, s, sample("a"))
		next := sample("a")
		next.OnlineID = "renamed"
		next.SealedAccess = []byte{0x02, 0x00, 0x01}
		next.KeyID = 7
		next.AccessExpiry = base.Add(2 * time.Hour)
		next.LastError, next.LastErrorAt = "", time.Time{}
		next.Version = 99 // ignored: the store sets it
		got, err := s.CompareAndSwap(t.Context(), "a", cur.Version, next)
		if err != nil {
			t.Fatalf("CompareAndSwap: %v", err)
		}
		checkRecord(t, "CompareAndSwap result", got, asStored(next, 2))
		checkUpdatedAt(t, "CompareAndSwap result", got)
		read := get(t, s, "a")
		checkSame(t, "Get after CompareAndSwap", read, got)
		// And again from the new version.
		got, err = s.CompareAndSwap(t.Context(), "a", 2, next)
		if err != nil {
			t.Fatalf("second CompareAndSwap: %v", err)
		}
		if got.Version != 3 {
			t.Errorf("second CompareAndSwap Version = %d, want 3", got.Version)
		}
	}},
	{"StaleVersionIsErrConflictAndChangesNothing", func(t *testing.T, h Harness) {
		s := h.New(t)
		cur := put(t, s, sample("a"))
		next := sample("a")
		next.OnlineID = "first-writer"
		won, err := s.CompareAndSwap(t.Context(), "a", cur.Version, next)
		if err != nil {
			t.Fatalf("CompareAndSwap: %v", err)
		}
		late := sample("a")
		late.OnlineID = "late-writer"
		for _, v := range []int64{cur.Version, 0, won.Version + 1} {
			_, err = s.CompareAndSwap(t.Context(), "a", v, late)
			wantErr(t, fmt.Sprintf("CompareAndSwap at version %d (stored %d)", v, won.Version), err, store.ErrConflict)
		}
		checkSame(t, "record after conflicts", get(t, s, "a"), won)
	}},
	{"MissingIsErrNotFound", func(t *testing.T, h Harness) {
		s := h.New(t)
		_, err := s.CompareAndSwap(t.Context(), "ghost", 1, sample("ghost"))
		wantErr(t, "CompareAndSwap", err, store.ErrNotFound)
		_, err = s.Get(t.Context(), "ghost")
		wantErr(t, "Get after CompareAndSwap on missing", err, store.ErrNotFound)
	}},
	{"AnotherOwnersLiveLeaseDoesNotDecideAndIsKept", func(t *testing.T, h Harness) {
		s := h.New(t)
		cur := put(t, s, sample("a"))
		held := claim(t, s, "a", "owner-b", time.Hour)
		if held.Version != cur.Version {
			t.Errorf("Claim changed Version to %d, want %d", held.Version, cur.Version)
		}
		v := cur.Version
		for _, owner := range []string{"", "owner-a"} {
			next := sample("a")
			next.OnlineID = "written-by-" + owner
			next.LeaseOwner, next.Fence = owner, held.Fence
			got, err := s.CompareAndSwap(t.Context(), "a", v, next)
			if err != nil {
				t.Fatalf("CompareAndSwap by %q under owner-b's lease: %v (the version decides, not the lease)", owner, err)
			}
			want := asStored(next, v+1)
			want.LeaseOwner, want.LeaseExpiry, want.Fence = held.LeaseOwner, held.LeaseExpiry, held.Fence
			checkRecord(t, "write by "+owner, got, want)
			v++
		}
	}},
	{"PresentingTheLeaseWithNoExpiryDropsItInTheSameWrite", func(t *testing.T, h Harness) {
		s := h.New(t)
		put(t, s, sample("a"))
		held := claim(t, s, "a", "worker-1", time.Hour)
		// A wrong fence is not the lease: it stays.
		keep := sample("a")
		keep.OnlineID = "kept"
		keep.LeaseOwner, keep.Fence = "worker-1", held.Fence+1
		got, err := s.CompareAndSwap(t.Context(), "a", held.Version, keep)
		if err != nil {
			t.Fatalf("CompareAndSwap with another fence: %v", err)
		}
		if got.LeaseOwner != "worker-1" || !got.LeaseExpiry.Equal(held.LeaseExpiry) || got.Fence != held.Fence {
			t.Errorf("lease after a write with another fence = %q until %v fence %d, want it unchanged", got.LeaseOwner, got.LeaseExpiry, got.Fence)
		}
		// A record written back as read (a re-seal, say) keeps the lease,
		// even when the writer happens to be the holder.
		asRead := get(t, s, "a")
		asRead.OnlineID = "re-sealed"
		got, err = s.CompareAndSwap(t.Context(), "a", asRead.Version, asRead)
		if err != nil {
			t.Fatalf("CompareAndSwap of the record as read: %v", err)
		}
		if got.LeaseOwner != "worker-1" || !got.LeaseExpiry.Equal(held.LeaseExpiry) {
			t.Errorf("lease after writing the record back as read = %q until %v, want it kept", got.LeaseOwner, got.LeaseExpiry)
		}
		drop := sample("a")
		drop.OnlineID = "dropped"
		drop.LeaseOwner, drop.Fence = "worker-1", held.Fence
		got, err = s.CompareAndSwap(t.Context(), "a", got.Version, drop)
		if err != nil {
			t.Fatalf("CompareAndSwap presenting the lease: %v", err)
		}
		want := asStored(drop, held.Version+3)
		want.LeaseOwner, want.Fence = "", held.Fence
		checkRecord(t, "save-and-release", got, want)
		checkRecord(t, "Get after save-and-release", get(t, s, "a"), want)
		// Now anyone may claim it.
		if _, err := s.Claim(t.Context(), "a", "worker-2", time.Hour); err != nil {
			t.Errorf("Claim by another owner after the lease was dropped: %v", err)
		}
	}},
	{"ConcurrentWritersExactlyOneWins", func(t *testing.T, h Harness) {
		s := h.New(t)
		cur := put(t, s, sample("hot"))
		const writers = 20
		start := make(chan struct{})
		var wg sync.WaitGroup
		var mu sync.Mutex
		var winners []string
		for i := range writers {
			wg.Go(func() {
				rec := sample("hot")
				rec.OnlineID = fmt.Sprintf("writer-%02d", i)
				<-start
				_, err := s.CompareAndSwap(t.Context(), "hot", cur.Version, rec)
				switch {
				case err == nil:
					mu.Lock()
					winners = append(winners, rec.OnlineID)
					mu.Unlock()
				case errors.Is(err, store.ErrConflict):
				default:
					t.Errorf("writer %d: error = %v, want nil or ErrConflict", i, err)
				}
			})
		}
		close(start)
		wg.Wait()
		if len(winners) != 1 {
			t.Fatalf("%d writers won (%v), want exactly 1", len(winners), winners)
		}
		got := get(t, s, "hot")
		if got.Version != cur.Version+1 || got.OnlineID != winners[0] {
			t.Errorf("stored Version %d OnlineID %q, want %d %q", got.Version, got.OnlineID, cur.Version+1, winners[0])
		}
	}},
}

var deleteCases = []testCase{
	{"DeleteThenGetIsErrNotFound", func(t *testing.T, h Harness) {
		s := h.New(t)
		put(t, s, sample("a"))
		keep := put(t, s, sample("b"))
		if err := s.Delete(t.Context(), "a"); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		_, err := s.Get(t.Context(), "a")
		wantErr(t, "Get after Delete", err, store.ErrNotFound)
		wantErr(t, "second Delete", s.Delete(t.Context(), "a"), store.ErrNotFound)
		checkSame(t, "other record after Delete", get(t, s, "b"), keep)
		// The name is free again and starts over at version 1.
		if got := put(t, s, sample("a")); got.Version != 1 {
			t.Errorf("Put after Delete: Version = %d, want 1", got.Version)
		}
	}},
	{"DeleteMissingIsErrNotFound", func(t *testing.T, h Harness) {
		s := h.New(t)
		wantErr(t, "Delete", s.Delete(t.Context(), "nobody"), store.ErrNotFound)
	}},
}

var listCases = []testCase{
	{"EmptyStoreYieldsNothing", func(t *testing.T, h Harness) {
		s := h.New(t)
		if got := collect(t, t.Context(), s); len(got) != 0 {
			t.Errorf("List on an empty store yielded %d records", len(got))
		}
	}},
	{"AllRecordsOrderedByAccount", func(t *testing.T, h Harness) {
		s := h.New(t)
		names := []string{"mallory", "alice", "Zed", "bob", "carol-2", "carol-10", "dave"}
		want := map[string]store.Record{}
		for _, n := range names {
			want[n] = put(t, s, sample(n))
		}
		got := collect(t, t.Context(), s)
		var gotNames []string
		for _, r := range got {
			gotNames = append(gotNames, r.Account)
			checkSame(t, "List entry "+r.Account, r, want[r.Account])
		}
		sorted := slices.Clone(names)
		slices.Sort(sorted) // byte order: "Zed" before "alice"
		if !slices.Equal(gotNames, sorted) {
			t.Errorf("List order = %q, want %q", gotNames, sorted)
		}
	}},
	{"StoppingEarlyReleasesTheStore", func(t *testing.T, h Harness) {
		s := h.New(t)
		for _, n := range []string{"a", "b", "c"} {
			put(t, s, sample(n))
		}
		for range 3 {
			n := 0
			for _, err := range s.List(t.Context()) {
				if err != nil {
					t.Fatalf("List: %v", err)
				}
				n++
				break
			}
			if n != 1 {
				t.Fatalf("loop ran %d times, want 1", n)
			}
		}
		// The store still takes writes and reads after abandoned iterations.
		cur := get(t, s, "b")
		if _, err := s.CompareAndSwap(t.Context(), "b", cur.Version, cur); err != nil {
			t.Errorf("CompareAndSwap after abandoned List: %v", err)
		}
		if got := collect(t, t.Context(), s); len(got) != 3 {
			t.Errorf("List after abandoned iterations yielded %d records, want 3", len(got))
		}
	}},
}
