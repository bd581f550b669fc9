package server

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/psnkit/psn/store"
)

func TestAPIKeysCreateListRevoke(t *testing.T) {
	st, _ := newSQLite(t)
	ctx := t.Context()
	k := NewAPIKeys(st)
	key, info, err := k.Create(ctx, "ci")
	if err != nil {
		t.Fatal(err)
	}
	if id, err := ParseAPIKey(key.Reveal()); err != nil || id != info.ID {
		t.Fatalf("ParseAPIKey(new key) = %q, %v; want id %q", id, err, info.ID)
	}
	if _, _, err := k.Create(ctx, "ci"); !errors.Is(err, ErrAPIKeyExists) {
		t.Fatalf("second Create(ci) = %v, want ErrAPIKeyExists", err)
	}
	for _, bad := range []string{"", "a b", "x/y", string(bytes.Repeat([]byte("n"), 65))} {
		if _, _, err := k.Create(ctx, bad); !errors.Is(err, ErrAPIKeyName) {
			t.Errorf("Create(%q) = %v, want ErrAPIKeyName", bad, err)
		}
	}
	if _, _, err := k.Create(ctx, "bot"); err != nil {
		t.Fatal(err)
	}

	// Only a hash is stored: neither the key nor its secret part.
	blob, err := st.GetMeta(ctx, apiKeysMeta)
	if err != nil {
		t.Fatal(err)
	}
	secretPart := key.Reveal()[len(key.Reveal())-43:]
	if bytes.Contains(blob, []byte(secretPart)) {
		t.Fatal("the stored API keys hold a key in clear")
	}

	got, err := k.Verify(ctx, key.Reveal())
	if err != nil || got.Name != "ci" {
		t.Fatalf("Verify = %+v, %v", got, err)
	}
	// A second verifier (another process) verifies it too.
	if _, err := NewAPIKeys(st).Verify(ctx, key.Reveal()); err != nil {
		t.Fatalf("Verify from another registry: %v", err)
	}
	list, err := k.List(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "bot" || list[1].Name != "ci" {
		t.Fatalf("List = %+v, %v", list, err)
	}

	if err := k.Revoke(ctx, "ci"); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Verify(ctx, key.Reveal()); !errors.Is(err, ErrAPIKeyInvalid) {
		t.Fatalf("Verify after revoke = %v, want ErrAPIKeyInvalid", err)
	}
	if err := k.Revoke(ctx, "ci"); !errors.Is(err, ErrAPIKeyNotFound) {
		t.Fatalf("second Revoke = %v, want ErrAPIKeyNotFound", err)
	}
	// The name can be used again; the old key stays dead.
	key2, _, err := k.Create(ctx, "ci")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.Verify(ctx, key.Reveal()); !errors.Is(err, ErrAPIKeyInvalid) {
		t.Fatalf("old key after re-create = %v, want ErrAPIKeyInvalid", err)
	}
	if _, err := k.Verify(ctx, key2.Reveal()); err != nil {
		t.Fatalf("new key: %v", err)
	}
}

func TestAPIKeysVerifyRejects(t *testing.T) {
	st, _ := newSQLite(t)
	ctx := t.Context()
	k := NewAPIKeys(st)
	key, _, err := k.Create(ctx, "ci")
	if err != nil {
		t.Fatal(err)
	}
	good := key.Reveal()
	flipped := []byte(good)
	flipped[len(flipped)-2] ^= 'A' ^ 'B'
	if flipped[len(flipped)-2] == good[len(good)-2] {
		t.Fatal("test bug")
	}
	for _, bad := range []string{"", good + "x", good[:len(good)-1], string(flipped), "psnv_" + strings.ToUpper(good[5:21]) + good[21:],
		"PSNV_" + good[5:]} {
		if _, err := k.Verify(ctx, bad); !errors.Is(err, ErrAPIKeyInvalid) {
			t.Errorf("Verify(%d-char variant) = %v, want ErrAPIKeyInvalid", len(bad), err)
		}
	}
	// A damaged registry is reported, not taken for "no keys".
	if err := st.SwapMeta(ctx, apiKeysMeta, mustMeta(t, st), []byte("{not json")); err != nil {
		t.Fatal(err)
	}
	k.now = func() time.Time { return time.Now().Add(APIKeyRecheck) } // past the cached read
	if _, err := k.Verify(ctx, good); !errors.Is(err, store.ErrCorrupt) {
		t.Fatalf("Verify over a damaged registry = %v, want store.ErrCorrupt", err)
	}
}

func mustMeta(t *testing.T, st store.Store) []byte {
	t.Helper()
	b, err := st.GetMeta(t.Context(), apiKeysMeta)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestValidAPIKeyName: 1-64 of letters, digits, '.', '_' and '-', nothing
// else (no other letter, no space or control character).
func TestValidAPIKeyName(t *testing.T) {
	for name, want := range map[string]bool{
		"ci": true, "a.b_c-D9": true, strings.Repeat("n", 64): true, "-": true,
		"": false, strings.Repeat("n", 65): false, "a b": false, "x/y": false,
		"ålice": false, "bot\n": false, "a@b": false, "k\x00": false,
	} {
		if got := validAPIKeyName(name); got != want {
			t.Errorf("validAPIKeyName(%q) = %v, want %v", name, got, want)
		}
	}
}
