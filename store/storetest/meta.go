package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/psnkit/psn/store"
)

var metaCases = []testCase{
	{"GetMissingIsErrNotFound", func(t *testing.T, h Harness) {
		s := h.New(t)
		_, err := s.GetMeta(t.Context(), "ring")
		wantErr(t, "GetMeta", err, store.ErrNotFound)
	}},
	{"CreateConflictSwap", func(t *testing.T, h Harness) {
		s := h.New(t)
		ctx := t.Context()
		v1 := []byte{0x00, 0x01, 0xff, 'r', 'i', 'n', 'g', 0x00}
		v2 := []byte("second value")
		if err := s.SwapMeta(ctx, "ring", nil, v1); err != nil {
			t.Fatalf("SwapMeta create: %v", err)
		}
		getMeta := func(what string, want []byte) {
			t.Helper()
			got, err := s.GetMeta(ctx, "ring")
			if err != nil {
				t.Fatalf("GetMeta %s: %v", what, err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("GetMeta %s = %x, want %x", what, got, want)
			}
		}
		getMeta("after create", v1)
		wantErr(t, "SwapMeta create when it exists", s.SwapMeta(ctx, "ring", nil, v2), store.ErrConflict)
		wantErr(t, "SwapMeta with wrong old", s.SwapMeta(ctx, "ring", []byte("not it"), v2), store.ErrConflict)
		wantErr(t, "SwapMeta with empty old", s.SwapMeta(ctx, "ring", []byte{}, v2), store.ErrConflict)
		wantErr(t, "SwapMeta with a prefix of old", s.SwapMeta(ctx, "ring", v1[:4], v2), store.ErrConflict)
		getMeta("after conflicts", v1)
		if err := s.SwapMeta(ctx, "ring", v1, v2); err != nil {
			t.Fatalf("SwapMeta swap: %v", err)
		}
		getMeta("after swap", v2)
		wantErr(t, "SwapMeta with the replaced old", s.SwapMeta(ctx, "ring", v1, v1), store.ErrConflict)
		getMeta("after stale swap", v2)
		wantErr(t, "SwapMeta on a missing name with an old value", s.SwapMeta(ctx, "other", v1, v2), store.ErrConflict)
		_, err := s.GetMeta(ctx, "other")
		wantErr(t, "GetMeta other", err, store.ErrNotFound)
	}},
	{"NamesAreSeparateFromRecords", func(t *testing.T, h Harness) {
		s := h.New(t)
		put(t, s, sample("ring"))
		if err := s.SwapMeta(t.Context(), "ring", nil, []byte("meta")); err != nil {
			t.Fatalf("SwapMeta: %v", err)
		}
		if err := s.SwapMeta(t.Context(), "ring2", nil, []byte("meta2")); err != nil {
			t.Fatalf("SwapMeta: %v", err)
		}
		if got := collect(t, t.Context(), s); len(got) != 1 {
			t.Errorf("List yielded %d records, want 1 (meta values are not records)", len(got))
		}
		if got, err := s.GetMeta(t.Context(), "ring"); err != nil || string(got) != "meta" {
			t.Errorf("GetMeta = %q, %v; want meta", got, err)
		}
	}},
}

var reopenCases = []testCase{
	{"EverythingSurvives", func(t *testing.T, h Harness) {
		if h.Reopen == nil {
			t.Skip("Harness.Reopen is nil: this backend does not claim durability")
		}
		s := h.New(t)
		ctx := t.Context()
		put(t, s, sample("alice"))
		bob := put(t, s, sample("bob"))
		next := sample("bob")
		next.OnlineID = "bob-v2"
		next.SealedNPSSO = nil
		if _, err := s.CompareAndSwap(ctx, "bob", bob.Version, next); err != nil {
			t.Fatalf("CompareAndSwap: %v", err)
		}
		if _, err := s.Claim(ctx, "alice", "w1", time.Hour); err != nil {
			t.Fatalf("Claim: %v", err)
		}
		put(t, s, sample("carol"))
		if err := s.Delete(ctx, "carol"); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if err := s.SwapMeta(ctx, "ring", nil, []byte{0, 1, 2}); err != nil {
			t.Fatalf("SwapMeta: %v", err)
		}
		want := collect(t, ctx, s)

		s2 := h.Reopen(t, s)
		got := collect(t, ctx, s2)
		if len(got) != len(want) {
			t.Fatalf("after Reopen List yielded %q, want %q", accounts(got), accounts(want))
		}
		for i := range want {
			checkSame(t, "after Reopen "+want[i].Account, got[i], want[i])
		}
		if m, err := s2.GetMeta(ctx, "ring"); err != nil || string(m) != "\x00\x01\x02" {
			t.Errorf("GetMeta after Reopen = %x, %v; want 000102", m, err)
		}
		// The reopened store keeps working: versions continue.
		cur := get(t, s2, "bob")
		got2, err := s2.CompareAndSwap(ctx, "bob", cur.Version, cur)
		if err != nil || got2.Version != cur.Version+1 {
			t.Errorf("CompareAndSwap after Reopen = version %d, %v; want %d", got2.Version, err, cur.Version+1)
		}
	}},
}
