package vault

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/store"
)

// casHookStore runs before once, right before the first CompareAndSwap
// made through it.
type casHookStore struct {
	store.Store
	before func()
	ran    atomic.Bool
}

func (c *casHookStore) CompareAndSwap(ctx context.Context, account string, want int64, rec store.Record) (store.Record, error) {
	if c.before != nil && c.ran.CompareAndSwap(false, true) {
		c.before()
	}
	return c.Store.CompareAndSwap(ctx, account, want, rec)
}

// A follower that read the ring just before a rotation saves a refresh,
// sealed with the old primary key, between Reseal's listing and its
// compare-and-swap of that record. Reseal used to skip the record,
// assuming the writer sealed with the primary key: the old key stayed in
// use and `psn keys retire` refused. It now reads the record again and
// re-seals it.
func TestResealRereadsARecordAFollowerWroteWithTheOldKey(t *testing.T) {
	ctx := context.Background()
	st, _ := newSQLite(t)
	kek := newKEK(t)
	hooked := &casHookStore{Store: st}
	admin, err := LoadKeys(ctx, hooked, kek)
	if err != nil {
		t.Fatal(err)
	}
	admin.sleep = func(context.Context, time.Duration) error { return nil }
	follower, err := LoadKeys(ctx, st, kek)
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{t: time.Now()}
	follower.now = clock.now // frozen: the ring it read stays fresh
	a := NewAccountStore(st, follower.Ring, "acct", "b").FollowKeys(follower)
	now := time.Now()
	v, err := a.Save(ctx, psn.TokenState{Token: testToken("v1", now)}, 0)
	if err != nil {
		t.Fatal(err)
	}
	old := admin.Ring.Primary()
	newID, err := admin.Rotate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hooked.before = func() {
		if _, err := a.Save(ctx, psn.TokenState{Token: testToken("v2", now)}, v); err != nil {
			t.Errorf("follower's save: %v", err)
		}
		if id := keyOf(t, st, "acct"); id != old {
			t.Errorf("staging: the follower sealed with %08x, want the old primary %08x", id, old)
		}
	}
	n, err := admin.Reseal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if id := keyOf(t, st, "acct"); id != newID {
		t.Fatalf("after Reseal (%d re-sealed) the record is sealed with %08x, want the primary %08x", n, id, newID)
	}
	if n != 1 {
		t.Errorf("Reseal = %d, want 1", n)
	}
	got, err := NewAccountStore(st, admin.Ring, "acct", "c").Load(ctx)
	if err != nil || got.Token.AccessToken != testToken("v2", now).AccessToken {
		t.Fatalf("re-sealed record = %v, %v; want the follower's v2 token", got.Token, err)
	}
	if err := admin.Retire(ctx, old); err != nil {
		t.Fatalf("Retire of the old key after Reseal = %v, want nil", err)
	}
}

// Reseal waits RingFollow before it lists the records: a follower that
// read the ring just before the rotation, and has not met the new key
// since (a record it loads sealed with an unknown key makes it re-read the
// ring), seals with the new primary key once Reseal returned. Here it
// creates an account right after Reseal; without the wait it sealed it
// with the old key, and `psn keys rotate && psn keys reseal && psn keys
// retire OLD` found the old key in use.
func TestResealWaitsForFollowersStaleRing(t *testing.T) {
	ctx := context.Background()
	st, _ := newSQLite(t)
	admin, follower, clock := adminAndFollower(t, st)
	// One clock for both processes: the admin's sleep is time passing.
	var waited time.Duration
	admin.sleep = func(_ context.Context, d time.Duration) error {
		waited += d
		clock.advance(d)
		return nil
	}
	a := NewAccountStore(st, follower.Ring, "acct", "b").FollowKeys(follower)
	now := time.Now()
	if _, err := a.Save(ctx, psn.TokenState{Token: testToken("v1", now)}, 0); err != nil {
		t.Fatal(err)
	}
	old := admin.Ring.Primary()
	newID, err := admin.Rotate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Reseal(ctx); err != nil {
		t.Fatal(err)
	}
	if waited < RingFollow {
		t.Errorf("Reseal waited %v, want at least RingFollow", waited)
	}
	late := NewAccountStore(st, follower.Ring, "late", "b").FollowKeys(follower)
	if _, err := late.Save(ctx, psn.TokenState{Token: testToken("late", now)}, 0); err != nil {
		t.Fatal(err)
	}
	if id := keyOf(t, st, "late"); id != newID {
		t.Fatalf("an account a follower created after Reseal is sealed with %08x, want the new primary %08x (old %08x)", id, newID, old)
	}
	if err := admin.Retire(ctx, old); err != nil {
		t.Fatalf("Retire after Reseal = %v, want nil", err)
	}
}
