package vault

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/seal"
)

// A long-running process (b) keeps working while another (a) rotates,
// re-seals and retires keys, and its writes use the new primary key.
func TestFollowKeysAcrossRotation(t *testing.T) {
	ctx := context.Background()
	st, _ := newSQLite(t)
	kek := seal.KeyBase64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	ka, err := LoadKeys(ctx, st, kek)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := LoadKeys(ctx, st, kek)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if _, err := NewAccountStore(st, ka.Ring, "acct", "a").Save(ctx, psn.TokenState{Token: testToken("v1", now), NPSSO: testNPSSO}, 0); err != nil {
		t.Fatal(err)
	}
	follower := NewAccountStore(st, kb.Ring, "acct", "b").FollowKeys(kb)
	stale := NewAccountStore(st, kb.Ring, "acct", "c") // does not follow

	old := ka.Ring.Primary()
	newID, err := ka.Rotate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ka.Reseal(ctx); err != nil {
		t.Fatal(err)
	}
	if err := ka.Retire(ctx, old); err != nil {
		t.Fatal(err)
	}

	// The record is now sealed with a key b never loaded.
	if _, err := stale.Load(ctx); !errors.Is(err, seal.ErrUnknownKey) {
		t.Fatalf("a store that does not follow: %v, want ErrUnknownKey", err)
	}
	got, err := follower.Load(ctx)
	if err != nil || got.NPSSO != testNPSSO || got.Token.AccessToken != testToken("v1", now).AccessToken {
		t.Fatalf("follower Load after rotation: %+v, %v", got, err)
	}
	if _, err := follower.Save(ctx, psn.TokenState{Token: testToken("v2", now), NPSSO: got.NPSSO}, got.Version); err != nil {
		t.Fatal(err)
	}
	rec, err := st.Get(ctx, "acct")
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range [][]byte{rec.SealedAccess, rec.SealedRefresh, rec.SealedNPSSO} {
		if id, err := seal.KeyIDOf(b); err != nil || id != newID {
			t.Fatalf("follower sealed with key %08x (%v), want the new primary %08x", id, err, newID)
		}
	}
	// And what it wrote opens with the rotated ring elsewhere.
	if _, err := NewAccountStore(st, ka.Ring, "acct", "a").Load(ctx); err != nil {
		t.Fatalf("the other process cannot read the follower's write: %v", err)
	}
}

func TestRecordErrorKeepsLastFailureWithoutBreakingAHoldersSave(t *testing.T) {
	ctx := context.Background()
	st, _ := newSQLite(t)
	keys := newKeys(t, st)
	a := NewAccountStore(st, keys.Ring, "acct", "proc-a")
	b := NewAccountStore(st, keys.Ring, "acct", "proc-b")
	now := time.Now()
	v, err := a.Save(ctx, psn.TokenState{Token: testToken("v1", now)}, 0)
	if err != nil {
		t.Fatal(err)
	}
	a.RecordError(ctx, errors.New("psn: token endpoint: HTTP 503"), now)
	rec, _ := st.Get(ctx, "acct")
	if h := HealthOf(rec, now, 7*24*time.Hour); h.LastError != "psn: token endpoint: HTTP 503" || !h.LastErrorAt.Equal(now.UTC()) {
		t.Fatalf("last error = %q at %v", h.LastError, h.LastErrorAt)
	}
	// While b holds the lease (and may be saving a rotated refresh token),
	// a's error is bookkeeping: it lands without moving the version, so
	// b's save at the version it read cannot lose.
	release, err := b.Lease(ctx, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := st.Get(ctx, "acct")
	a.RecordError(ctx, errors.New("another failure"), now)
	if after, _ := st.Get(ctx, "acct"); after.Version != before.Version || after.LastError != "another failure" || after.LeaseOwner != "proc-b" {
		t.Fatalf("RecordError under another process's lease: version %d → %d, last error %q, lease %q; want the version and lease unchanged, the error kept",
			before.Version, after.Version, after.LastError, after.LeaseOwner)
	}
	if _, err := b.Save(ctx, psn.TokenState{Token: testToken("v2", now)}, before.Version); err != nil {
		t.Fatalf("the lease holder's save lost: %v", err)
	}
	release(ctx)
	// A successful save cleared the error.
	if rec, _ := st.Get(ctx, "acct"); rec.LastError != "" || rec.Version <= v {
		t.Fatalf("after a good save: last error %q, version %d", rec.LastError, rec.Version)
	}
}
