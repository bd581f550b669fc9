package vault

import (
	"context"
	"errors"
	"testing"

	"github.com/psnkit/psn/seal"
	"github.com/psnkit/psn/store"
)

// OpenKeys reads a ring and never creates one; LoadKeys creates it.
func TestOpenKeysNeverCreatesARing(t *testing.T) {
	ctx := context.Background()
	st, _ := newSQLite(t)
	kek := seal.KeyBase64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	if _, err := OpenKeys(ctx, st, kek); !errors.Is(err, ErrNoRing) {
		t.Fatalf("OpenKeys on a store without a ring: %v; want ErrNoRing", err)
	}
	if _, err := st.GetMeta(ctx, RingMeta); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("OpenKeys saved a ring (GetMeta: %v)", err)
	}
	made, err := LoadKeys(ctx, st, kek)
	if err != nil {
		t.Fatal(err)
	}
	got, err := OpenKeys(ctx, st, kek)
	if err != nil || got.Ring.Primary() != made.Ring.Primary() {
		t.Fatalf("OpenKeys after LoadKeys: %v (primary %v, want %v)", err, got, made.Ring.Primary())
	}
	other := seal.KeyBase64("HxAREhMUFRYXGBkaGxwdHh8AAQIDBAUGBwgJCgsMDQ4=")
	if _, err := OpenKeys(ctx, st, other); !errors.Is(err, seal.ErrWrongKey) {
		t.Errorf("OpenKeys with another key: %v; want seal.ErrWrongKey", err)
	}
}
