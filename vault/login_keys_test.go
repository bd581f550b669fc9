package vault

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/psntest"
	"github.com/psnkit/psn/store"
)

// getHookStore runs before once, right before the first Get of account.
type getHookStore struct {
	store.Store
	account string
	before  func()
	ran     atomic.Bool
}

func (g *getHookStore) Get(ctx context.Context, account string) (store.Record, error) {
	if account == g.account && g.before != nil && g.ran.CompareAndSwap(false, true) {
		g.before()
	}
	return g.Store.Get(ctx, account)
}

// A login's PSN calls take seconds (and psn login prompts for the NPSSO
// first); another process rotates the key ring, re-seals and retires the
// old key meanwhile. Login sealed with the ring it was handed before the
// PSN calls: the new account was written under the retired key and no
// longer opened (seal.ErrUnknownKey). LoginKeys chooses the key when it
// writes.
func TestLoginKeysSealsWithTheKeyStoredWhenItWrites(t *testing.T) {
	ctx := context.Background()
	srv := psntest.NewServer(psntest.Config{Users: 1})
	defer srv.Close()
	npsso, err := psn.ParseNPSSO(srv.Sim.Users()[0].NPSSO)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := newSQLite(t)
	kek := newKEK(t)
	keys, err := LoadKeys(ctx, st, kek)
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{t: time.Now()}
	keys.now = clock.now
	if _, err := keys.Latest(ctx); err != nil { // a busy service: the ring was read moments ago
		t.Fatal(err)
	}
	admin, err := LoadKeys(ctx, st, kek)
	if err != nil {
		t.Fatal(err)
	}
	admin.sleep = func(_ context.Context, d time.Duration) error { clock.advance(d); return nil } // one clock
	old := admin.Ring.Primary()
	var newID uint32
	hooked := &getHookStore{Store: st, account: "me", before: func() {
		// After PSN answered, before the record is written.
		if newID, err = admin.Rotate(ctx); err != nil {
			t.Error(err)
		}
		if _, err := admin.Reseal(ctx); err != nil {
			t.Error(err)
		}
		if err := admin.Retire(ctx, old); err != nil {
			t.Errorf("Retire: %v", err)
		}
	}}
	c := psn.NewClient(psn.WithEndpoint(srv.URL), psn.WithLimiter(nil))
	if _, err := LoginKeys(ctx, c, hooked, keys, "me", npsso, true); err != nil {
		t.Fatalf("LoginKeys: %v", err)
	}
	if id := keyOf(t, st, "me"); id != newID {
		t.Fatalf("the login is sealed with %08x, want the primary key stored when it was written (%08x; retired %08x)", id, newID, old)
	}
	got, err := NewAccountStore(st, admin.Ring, "me", "o").Load(ctx)
	if err != nil || got.NPSSO != npsso {
		t.Fatalf("Load of the login: %v (NPSSO kept: %v)", err, got.NPSSO == npsso)
	}
}
