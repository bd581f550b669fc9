package vault

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/store"
)

// metaCountingStore counts GetMeta calls.
type metaCountingStore struct {
	store.Store
	metas atomic.Int64
}

func (m *metaCountingStore) GetMeta(ctx context.Context, name string) ([]byte, error) {
	m.metas.Add(1)
	return m.Store.GetMeta(ctx, name)
}

// testClock is a clock tests move by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Keys.Latest reads the stored ring at most once per RingFollow (a save
// no longer costs a GetMeta), and a rotation another process saved is
// used by the first save that begins RingFollow after it.
func TestLatestReadsTheRingOncePerFollowBound(t *testing.T) {
	ctx := context.Background()
	st, _ := newSQLite(t)
	kek := newKEK(t)
	rotator, err := LoadKeys(ctx, st, kek)
	if err != nil {
		t.Fatal(err)
	}
	cs := &metaCountingStore{Store: st}
	follower, err := LoadKeys(ctx, cs, kek)
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{t: time.Now()}
	follower.now = clock.now
	a := NewAccountStore(cs, follower.Ring, "acct", "b").FollowKeys(follower)
	old := follower.Ring.Primary()
	cs.metas.Store(0)
	now := time.Now()
	v, err := a.Save(ctx, psn.TokenState{Token: testToken("v1", now)}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if v, err = a.Save(ctx, psn.TokenState{Token: testToken("v", now)}, v); err != nil {
			t.Fatalf("save %d: %v", i, err)
		}
	}
	if n := cs.metas.Load(); n != 1 {
		t.Fatalf("6 saves within RingFollow read the key ring %d times, want 1", n)
	}

	newID, err := rotator.Rotate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	clock.advance(RingFollow - time.Millisecond)
	if v, err = a.Save(ctx, psn.TokenState{Token: testToken("v2", now)}, v); err != nil {
		t.Fatal(err)
	}
	if id := keyOf(t, st, "acct"); id != old {
		t.Fatalf("a save within RingFollow of the last read sealed with %08x, want the primary read then (%08x)", id, old)
	}
	clock.advance(time.Millisecond)
	if _, err = a.Save(ctx, psn.TokenState{Token: testToken("v3", now)}, v); err != nil {
		t.Fatal(err)
	}
	if id := keyOf(t, st, "acct"); id != newID {
		t.Fatalf("a save RingFollow after the rotation sealed with %08x, want the new primary %08x", id, newID)
	}
	if n := cs.metas.Load(); n != 2 {
		t.Fatalf("key ring read %d times, want 2", n)
	}
	// The rotated ring is opened once, not once per save.
	r1, err := follower.Latest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	clock.advance(RingFollow)
	if r2, err := follower.Latest(ctx); err != nil || r2 != r1 {
		t.Fatalf("the same stored ring read again was opened anew (%p, %p, %v)", r1, r2, err)
	}
}

// adminAndFollower opens st's key ring twice, as two processes would: an
// admin (psn keys …) and a follower (psn-vault) whose clock is frozen, so
// that the ring it last read stays fresh until the test advances clock.
func adminAndFollower(t *testing.T, st store.Store) (admin, follower *Keys, clock *testClock) {
	t.Helper()
	ctx := context.Background()
	kek := newKEK(t)
	admin, err := LoadKeys(ctx, st, kek)
	if err != nil {
		t.Fatal(err)
	}
	follower, err = LoadKeys(ctx, st, kek)
	if err != nil {
		t.Fatal(err)
	}
	clock = &testClock{t: time.Now()}
	follower.now = clock.now
	return admin, follower, clock
}

// Retire counts the records that use a key only after RingFollow: a
// follower that read the ring just before a rotation may still seal with
// the old primary key meanwhile, and that record must keep its key.
func TestRetireWaitsForFollowersStaleRing(t *testing.T) {
	ctx := context.Background()
	st, _ := newSQLite(t)
	admin, follower, _ := adminAndFollower(t, st)
	old := admin.Ring.Primary()
	a := NewAccountStore(st, follower.Ring, "acct", "b").FollowKeys(follower)
	if _, err := a.Save(ctx, psn.TokenState{Token: testToken("v1", time.Now())}, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := admin.Reseal(ctx); err != nil || n != 1 {
		t.Fatalf("Reseal = %d, %v", n, err)
	}
	var waited time.Duration
	admin.sleep = func(ctx context.Context, d time.Duration) error {
		waited = d
		// Within the follow bound, the follower creates an account sealed
		// with the primary key it read before the rotation.
		b := NewAccountStore(st, follower.Ring, "late", "b").FollowKeys(follower)
		if _, err := b.Save(ctx, psn.TokenState{Token: testToken("late", time.Now())}, 0); err != nil {
			t.Errorf("follower's save: %v", err)
		}
		return nil
	}
	err := admin.Retire(ctx, old)
	if waited != RingFollow {
		t.Errorf("Retire waited %v, want RingFollow", waited)
	}
	if !errors.Is(err, ErrKeyInUse) {
		t.Fatalf("Retire of a key a follower sealed with during the follow bound = %v, want ErrKeyInUse", err)
	}
	if _, err := NewAccountStore(st, admin.Ring, "late", "a").Load(ctx); err != nil {
		t.Fatalf("the follower's record no longer opens: %v", err)
	}
}
