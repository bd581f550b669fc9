package sqlite

import (
	"fmt"
	"testing"
	"time"

	"github.com/psnkit/psn/store"
)

// BenchmarkCAS measures durable CompareAndSwap writes (WAL,
// synchronous=FULL: one fsync per commit) on one account.
func BenchmarkCAS(b *testing.B) {
	s := newStore(b)
	ctx := b.Context()
	rec, err := s.Put(ctx, store.Record{Account: "a", SealedAccess: make([]byte, 200), SealedRefresh: make([]byte, 200),
		NextRefresh: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if rec, err = s.CompareAndSwap(ctx, "a", rec.Version, rec); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
}

// BenchmarkClaimDue100of100k claims the 100 due records among 100,000.
func BenchmarkClaimDue100of100k(b *testing.B) {
	s := newStore(b)
	ctx := b.Context()
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	// Bulk load straight through SQL in one transaction: 100 due (before
	// now), the rest spread over the following days.
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO accounts (`+recordCols+`)
		VALUES (?, '', '', x'00', x'00', NULL, 1, NULL, NULL, ?, 1, '', NULL, '', NULL, 0)`)
	if err != nil {
		b.Fatal(err)
	}
	for i := range 100_000 {
		next := now.Add(time.Duration(i-100+1) * time.Second) // i < 100: due
		if _, err := ins.ExecContext(ctx, fmt.Sprintf("acct-%06d", i), next.UnixNano()); err != nil {
			b.Fatal(err)
		}
	}
	ins.Close()
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		got, err := s.ClaimDue(ctx, now, 100, "bench", time.Minute)
		if err != nil || len(got) != 100 {
			b.Fatalf("ClaimDue = %d records, %v; want 100", len(got), err)
		}
		b.StopTimer()
		if _, err := s.db.ExecContext(ctx, "UPDATE accounts SET lease_owner = '', lease_expiry = NULL WHERE lease_owner = 'bench'"); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "claims/s")
}
