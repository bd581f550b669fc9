package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/store/storetest"
)

// BenchmarkClaimDue is storetest.BenchClaimDue with four claimers, each
// on its own connection pool, over 10,000 due rows.
func BenchmarkClaimDue(b *testing.B) {
	const n, claimers = 10_000, 4
	first := newStore(b)
	base := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	insertDue(b, first, n, base)
	handles := []store.Store{first}
	for range claimers - 1 {
		s, err := Open(context.Background(), withSchema(b, first.schema))
		if err != nil {
			b.Fatalf("Open: %v", err)
		}
		b.Cleanup(func() { s.Close() })
		handles = append(handles, s)
	}
	storetest.BenchClaimDue(b, handles, base)
}
