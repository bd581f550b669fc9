package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/psnkit/psn/store"
)

func TestOpenExistingCreatesNothing(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "no", "such")
	path := filepath.Join(dir, "psn.db")
	if _, err := OpenExisting(ctx, "sqlite://"+path); !errors.Is(err, store.ErrNoStore) {
		t.Fatalf("OpenExisting on a missing file: %v, want store.ErrNoStore", err)
	}
	if _, err := os.Stat(filepath.Dir(dir)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("OpenExisting created %s", filepath.Dir(dir))
	}
	// An empty file is no store, and stays empty.
	empty := filepath.Join(t.TempDir(), "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenExisting(ctx, empty); !errors.Is(err, store.ErrNoStore) {
		t.Fatalf("OpenExisting on an empty file: %v, want store.ErrNoStore", err)
	}
	if fi, _ := os.Stat(empty); fi.Size() != 0 {
		t.Errorf("OpenExisting wrote %d bytes into an empty file", fi.Size())
	}
	// Not SQLite: corrupt, untouched.
	junk := filepath.Join(t.TempDir(), "junk.db")
	os.WriteFile(junk, []byte("hello, not a database at all"), 0o600)
	if _, err := OpenExisting(ctx, junk); !errors.Is(err, store.ErrCorrupt) {
		t.Errorf("OpenExisting on junk: %v, want store.ErrCorrupt", err)
	}
	// An older schema is not migrated.
	old := filepath.Join(t.TempDir(), "old.db")
	s, err := Open(ctx, old)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := sql.Open("sqlite", old)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("PRAGMA user_version = 0"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := OpenExisting(ctx, old); err == nil {
		t.Error("OpenExisting accepted a file whose schema version is 0 with tables in it")
	}
	// A store: opened, data visible.
	good := filepath.Join(t.TempDir(), "good.db")
	if s, err = Open(ctx, good); err != nil {
		t.Fatal(err)
	}
	if err := s.SwapMeta(ctx, "x", nil, []byte("1")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = OpenExisting(ctx, "sqlite://"+good); err != nil {
		t.Fatalf("OpenExisting on a store: %v", err)
	}
	defer s.Close()
	if v, err := s.GetMeta(ctx, "x"); err != nil || string(v) != "1" {
		t.Errorf("GetMeta through OpenExisting = %q, %v", v, err)
	}
}
