package redis

import (
	"context"
	"errors"
	"testing"

	"github.com/psnkit/psn/store"
)

func TestOpenExistingNeedsTheStoresKeys(t *testing.T) {
	ctx := context.Background()
	p := newPrefix() + "[*?]" // glob characters are matched literally
	_, err := OpenExisting(ctx, withPrefix(t, p))
	skipUnlessReachable(t, err)
	if !errors.Is(err, store.ErrNoStore) {
		t.Fatalf("OpenExisting under an unused prefix: %v, want store.ErrNoStore", err)
	}
	t.Cleanup(func() { deletePrefix(t, p) })
	// A key that only matches the prefix as a glob is not the store's.
	c := adminClient(t)
	if err := c.Set(ctx, p[:len(p)-4]+"x*?]meta:x", "1", 0).Err(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Del(ctx, p[:len(p)-4]+"x*?]meta:x") })
	if _, err := OpenExisting(ctx, withPrefix(t, p)); !errors.Is(err, store.ErrNoStore) {
		t.Fatalf("OpenExisting matched another prefix's key: %v", err)
	}
	s, err := Open(ctx, withPrefix(t, p))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SwapMeta(ctx, "x", nil, []byte("1")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = OpenExisting(ctx, withPrefix(t, p))
	if err != nil {
		t.Fatalf("OpenExisting on a store: %v", err)
	}
	defer s.Close()
	if v, err := s.GetMeta(ctx, "x"); err != nil || string(v) != "1" {
		t.Errorf("GetMeta through OpenExisting = %q, %v", v, err)
	}
}
