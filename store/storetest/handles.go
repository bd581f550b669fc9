package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/psnkit/psn/store"
)

// claimOnSeparateHandles is the cross-process claim proof: four claimers,
// each on its own handle (Harness.Share), drain 1,000 due records; no
// account is claimed twice, all are claimed, and each ends leased.
func claimOnSeparateHandles(t *testing.T, h Harness) {
	if h.Share == nil {
		t.Skip("the backend's Harness has no Share: nothing to prove across handles")
	}
	const records, claimers, limit = 1000, 4, 25
	first := h.New(t)
	ctx := t.Context()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < records; i += 8 {
				rec := store.Record{Account: fmt.Sprintf("acct-%05d", i), SealedAccess: []byte{1}, SealedRefresh: []byte{2},
					NextRefresh: base.Add(-time.Duration(i) * time.Second)}
				if _, err := first.Put(ctx, rec); err != nil {
					t.Errorf("Put: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	handles := []store.Store{first}
	for range claimers - 1 {
		handles = append(handles, h.Share(t, first))
	}
	var (
		mu     sync.Mutex
		owners = map[string]string{}
		start  = make(chan struct{})
	)
	for i, s := range handles {
		wg.Go(func() {
			me := fmt.Sprintf("claimer-%d", i)
			<-start
			for {
				got, err := s.ClaimDue(ctx, base, limit, me, time.Hour)
				if err != nil {
					t.Errorf("%s: ClaimDue: %v", me, err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, r := range got {
					if prev, dup := owners[r.Account]; dup {
						t.Errorf("%s claimed by %s and by %s", r.Account, prev, me)
					}
					owners[r.Account] = me
				}
				mu.Unlock()
			}
		})
	}
	close(start)
	wg.Wait()
	if len(owners) != records {
		t.Fatalf("the claimers together claimed %d accounts, want %d", len(owners), records)
	}
	for rec, err := range first.List(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if rec.LeaseOwner != owners[rec.Account] || !rec.LeaseExpiry.After(base) {
			t.Fatalf("%s: lease %q until %v, want %q", rec.Account, rec.LeaseOwner, rec.LeaseExpiry, owners[rec.Account])
		}
	}
	if more, err := first.ClaimDue(ctx, base, limit, "late", time.Hour); err != nil || len(more) != 0 {
		t.Fatalf("after the drain ClaimDue gave %d records, %v; want none", len(more), err)
	}
}
