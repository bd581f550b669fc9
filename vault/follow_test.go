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
