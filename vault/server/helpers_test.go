package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"path/filepath"
	"testing"

	"github.com/psnkit/psn/seal"
	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/store/sqlite"
	"github.com/psnkit/psn/vault"
)

// Test helpers shared with package vault's tests (vault_test.go,
// multiprocess_test.go); copied because test files of one package cannot
// be imported by another.

// Environment of a helper child process (killed_test.go).
const (
	envStore = "PSN_VAULT_HELPER_STORE"
	envKey   = "PSN_VAULT_HELPER_KEY"
	envOwner = "PSN_VAULT_HELPER_OWNER"
)

// newSQLite opens a store in a fresh file and returns it with the file's
// path.
func newSQLite(t *testing.T) (*sqlite.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "psn.db")
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st, path
}

func newKEK(t *testing.T) seal.KEKSource {
	t.Helper()
	var k [32]byte
	_, _ = rand.Read(k[:])
	return seal.KeyBase64(base64.StdEncoding.EncodeToString(k[:]))
}

// keysWith opens (or creates) st's key ring with kek.
func keysWith(t *testing.T, st store.Store, kek seal.KEKSource) *vault.Keys {
	t.Helper()
	k, err := vault.LoadKeys(context.Background(), st, kek)
	if err != nil {
		t.Fatalf("LoadKeys: %v", err)
	}
	return k
}
