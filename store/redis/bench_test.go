package redis

import (
	"context"
	"testing"
	"time"

	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/store/storetest"
)

// BenchmarkClaimDue is storetest.BenchClaimDue with four claimers, each
// on its own client, over 10,000 due records.
func BenchmarkClaimDue(b *testing.B) {
	const n, claimers = 10_000, 4
	first := newStore(b)
	base := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	putDue(b, first, n, base)
	handles := []store.Store{first}
	for range claimers - 1 {
		s, err := Open(context.Background(), withPrefix(b, first.prefix))
		if err != nil {
			b.Fatalf("Open: %v", err)
		}
		b.Cleanup(func() { s.Close() })
		handles = append(handles, s)
	}
	storetest.BenchClaimDue(b, handles, base)
}

// BenchmarkCompareAndSwap measures one writer's CompareAndSwap round trips.
func BenchmarkCompareAndSwap(b *testing.B) {
	s := newStore(b)
	ctx := context.Background()
	cur, err := s.Put(ctx, testRecord("a"))
	if err != nil {
		b.Fatalf("Put: %v", err)
	}
	b.ResetTimer()
	for b.Loop() {
		if cur, err = s.CompareAndSwap(ctx, "a", cur.Version, cur); err != nil {
			b.Fatalf("CompareAndSwap: %v", err)
		}
	}
}
