package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/psnkit/psn/store"
)

// BenchClaimDue measures ClaimDue (batches of 10) with one claimer per
// handle — pass handles on the same data, each its own pool or client as
// separate processes would have — over records the caller made due before
// base. Every claim moves a shared clock one lease TTL forward, so earlier
// leases have ended and the same records keep coming due: the claimers
// contend for the oldest rows as a real fleet does. One op is one
// ClaimDue call; it reports claims/s and rows/s (leased records).
func BenchClaimDue(b *testing.B, handles []store.Store, base time.Time) {
	const limit, ttl = 10, time.Second
	var (
		tick    atomic.Int64
		claimed atomic.Int64
		ops     atomic.Int64
		wg      sync.WaitGroup
	)
	b.ResetTimer()
	start := time.Now()
	for i, s := range handles {
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
