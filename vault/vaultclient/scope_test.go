package vaultclient_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/psnkit/psn/psntest"
	"github.com/psnkit/psn/vault/server"
	"github.com/psnkit/psn/vault/vaultclient"
)

// TestScopedKey: against a real vault, a key scoped to alice gets alice's
// token, and for bob (an existing account outside its scope) an
// *APIError 403 forbidden that matches ErrForbidden and nothing else.
func TestScopedKey(t *testing.T) {
	v := newTestVault(t, psntest.Config{Users: 2, AccessTTL: time.Hour})
	ctx := t.Context()
	v.add(t, "alice", 0, false)
	v.add(t, "bob", 1, false)
	scope, err := server.AccountsScope("alice")
	if err != nil {
		t.Fatal(err)
	}
	key, _, err := v.keys.CreateScoped(ctx, "alice-bot", scope)
	if err != nil {
		t.Fatal(err)
	}
	alice, _ := vaultclient.New(v.url, key, "alice")
	if _, err := alice.Token(ctx); err != nil {
		t.Fatalf("in scope: %v", err)
	}
	bob, _ := vaultclient.New(v.url, key, "bob")
	_, err = bob.Token(ctx)
	var ae *vaultclient.APIError
	if !errors.Is(err, vaultclient.ErrForbidden) || !errors.As(err, &ae) || ae.Status != http.StatusForbidden || ae.Code != "forbidden" {
		t.Fatalf("out of scope: %v, want a 403 forbidden *APIError matching ErrForbidden", err)
	}
	for _, other := range []error{vaultclient.ErrNotFound, vaultclient.ErrUnauthorized, vaultclient.ErrUnavailable} {
		if errors.Is(err, other) {
			t.Errorf("%v also matches %v", err, other)
		}
	}
	noSecret(t, "error", err.Error(), key.Reveal())
}
