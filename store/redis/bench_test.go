package redis

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkClaimDue measures ClaimDue (batches of 10) with four claimers,
// each with its own client, over 10,000 due records. Every claim moves a
// shared clock one lease TTL forward, so earlier leases have ended and the
// same records keep coming due (each claim also returns ended leases to the
// due set). One op is one ClaimDue call; rows/s counts leased records.
func BenchmarkClaimDue(b *testing.B) {
	const records, claimers, limit = 10_000, 4, 10
	const ttl = time.Second
	first := newStore(b)
	base := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	putDue(b, first, records, base)
	stores := []*Store{first}
	for range claimers - 1 {
		s, err := Open(context.Background(), withPrefix(b, first.prefix))
		if err != nil {
			b.Fatalf("Open: %v", err)
		}
		b.Cleanup(func() { s.Close() })
		stores = append(stores, s)
	}
	var (
		tick    atomic.Int64
		claimed atomic.Int64
		ops     atomic.Int64
		wg      sync.WaitGroup
	)
	b.ResetTimer()
	start := time.Now()
	for i, s := range stores {
		wg.Go(func() {
			me := fmt.Sprintf("bench-%d", i)
			for ops.Add(1) <= int64(b.N) {
				now := base.Add(time.Duration(tick.Add(1)) * ttl)
				got, err := s.ClaimDue(context.Background(), now, limit, me, ttl)
				if err != nil {
					b.Errorf("ClaimDue: %v", err)
					return
				}
				claimed.Add(int64(len(got)))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "claims/s")
	b.ReportMetric(float64(claimed.Load())/elapsed.Seconds(), "rows/s")
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
