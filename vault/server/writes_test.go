package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/psntest"
	"github.com/psnkit/psn/seal"
	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/store/sqlite"
	"github.com/psnkit/psn/vault"
)

// writeCountingStore counts the writes a store is asked for, by kind, and
// the reads (Get of a record, GetMeta).
type writeCountingStore struct {
	store.Store
	claimDue, claim, renew, release, cas, note atomic.Int64
	get, getMeta                               atomic.Int64
}

func (c *writeCountingStore) Get(ctx context.Context, account string) (store.Record, error) {
	c.get.Add(1)
	return c.Store.Get(ctx, account)
}

func (c *writeCountingStore) GetMeta(ctx context.Context, name string) ([]byte, error) {
	c.getMeta.Add(1)
	return c.Store.GetMeta(ctx, name)
}

func (c *writeCountingStore) ClaimDue(ctx context.Context, due time.Time, limit int, owner string, ttl time.Duration) ([]store.Record, error) {
	c.claimDue.Add(1)
	return c.Store.ClaimDue(ctx, due, limit, owner, ttl)
}

func (c *writeCountingStore) Claim(ctx context.Context, account, owner string, ttl time.Duration) (store.Record, error) {
	c.claim.Add(1)
	return c.Store.Claim(ctx, account, owner, ttl)
}

func (c *writeCountingStore) Renew(ctx context.Context, account, owner string, fence int64, ttl time.Duration) (store.Record, error) {
	c.renew.Add(1)
	return c.Store.Renew(ctx, account, owner, fence, ttl)
}

func (c *writeCountingStore) Release(ctx context.Context, account, owner string, fence int64) error {
	c.release.Add(1)
	return c.Store.Release(ctx, account, owner, fence)
}

func (c *writeCountingStore) CompareAndSwap(ctx context.Context, account string, want int64, rec store.Record) (store.Record, error) {
	c.cas.Add(1)
	return c.Store.CompareAndSwap(ctx, account, want, rec)
}

func (c *writeCountingStore) Note(ctx context.Context, account string, version int64, n store.Note) (store.Record, error) {
	c.note.Add(1)
	return c.Store.Note(ctx, account, version, n)
}

// A scheduled refresh makes one durable write: ClaimDue leases the batch in
// one write, the source adopts that lease, and the save drops it in the
// same write. (Renewals depend on how long a refresh takes, not on the
// number of refreshes; they are reported, not counted.)
func TestScheduledRefreshIsOneWriteEach(t *testing.T) {
	const accounts = 20
	e := newSvcEnv(t, envOptions{sim: psntest.Config{AccessTTL: time.Hour, Users: accounts}})
	ctx := t.Context()
	for i := range accounts {
		e.add(fmt.Sprintf("acct-%02d", i), i, false)
	}
	cs := &writeCountingStore{Store: e.st}
	svc := e.newService(cs, e.keys, envOptions{svc: func(c *ServiceConfig) { c.BatchSize = accounts }})
	e.sim.Advance(50 * time.Minute)
	n, err := svc.Tick(ctx)
	if err != nil || n != accounts {
		t.Fatalf("Tick = %d, %v; want %d claimed", n, err, accounts)
	}
	if g := e.refreshGrants(); g != accounts {
		t.Fatalf("refresh grants = %d, want %d", g, accounts)
	}
	writes := cs.claimDue.Load() + cs.claim.Load() + cs.release.Load() + cs.cas.Load() + cs.note.Load()
	t.Logf("%d scheduled refreshes: %d writes (ClaimDue %d, Claim %d, CompareAndSwap %d, Release %d, Note %d), renewals %d",
		accounts, writes, cs.claimDue.Load(), cs.claim.Load(), cs.cas.Load(), cs.release.Load(), cs.note.Load(), cs.renew.Load())
	if writes != accounts+1 {
		t.Errorf("writes = %d for %d refreshes, want %d (one ClaimDue, then one save-and-release each)", writes, accounts, accounts+1)
	}
	for i := range accounts {
		if rec := e.record(fmt.Sprintf("acct-%02d", i)); rec.LeaseOwner != "" || rec.Version != 2 {
			t.Errorf("acct-%02d: lease %q version %d after the pass; want no lease, version 2", i, rec.LeaseOwner, rec.Version)
		}
	}
}

// BenchmarkSchedulerPass measures scheduled refreshes on SQLite against the
// in-process simulator: each iteration moves the clock into every token's
// refresh window and runs scheduler passes until all accounts are
// refreshed. It reports refreshes/s, store writes per refresh and store
// reads per refresh (record Gets, and GetMeta of the key ring).
func BenchmarkSchedulerPass(b *testing.B) {
	const accounts = 200
	ctx := context.Background()
	sim := psntest.New(psntest.Config{AccessTTL: time.Hour, Users: accounts, RateLimit: 1 << 30})
	ps := httptest.NewServer(sim.Handler())
	defer ps.Close()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "psn.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	var kek [32]byte
	_, _ = rand.Read(kek[:])
	// The key ring is read through the counting store, so that its reads
	// (Keys.Latest on a save) are counted with the records'.
	cs := &writeCountingStore{Store: st}
	keys, err := vault.LoadKeys(ctx, cs, seal.KeyBase64(base64.StdEncoding.EncodeToString(kek[:])))
	if err != nil {
		b.Fatal(err)
	}
	copts := []psn.Option{psn.WithEndpoint(ps.URL), psn.WithClock(sim.Now), psn.WithLimiter(nil)}
	for i, u := range sim.Users() {
		if _, err := vault.Login(ctx, psn.NewClient(copts...), st, keys.Ring, fmt.Sprintf("acct-%03d", i), psn.Secret(u.NPSSO), false); err != nil {
			b.Fatal(err)
		}
	}
	cs.getMeta.Store(0)
	svc, err := NewService(ServiceConfig{Store: cs, Keys: keys, ClientOptions: copts, Now: sim.Now,
		Logger: slog.New(slog.DiscardHandler), BatchSize: 64, Concurrency: 16})
	if err != nil {
		b.Fatal(err)
	}
	grants0 := sim.Stats().Grants.RefreshToken
	start := time.Now()
	for b.Loop() {
		sim.Advance(50 * time.Minute)
		for {
			n, err := svc.Tick(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if n < 64 {
				break
			}
		}
	}
	// Refreshes the passes started in the background finish and save.
	if err := svc.Close(ctx); err != nil {
		b.Fatal(err)
	}
	el := time.Since(start)
	refreshed := sim.Stats().Grants.RefreshToken - grants0
	writes := cs.claimDue.Load() + cs.claim.Load() + cs.release.Load() + cs.cas.Load() + cs.note.Load()
	b.ReportMetric(float64(refreshed)/el.Seconds(), "refreshes/s")
	b.ReportMetric(float64(writes)/float64(max(refreshed, 1)), "writes/refresh")
	b.ReportMetric(float64(cs.get.Load())/float64(max(refreshed, 1)), "gets/refresh")
	b.ReportMetric(float64(cs.getMeta.Load())/float64(max(refreshed, 1)), "metas/refresh")
}
