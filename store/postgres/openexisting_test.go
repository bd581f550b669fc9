package postgres

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/psnkit/psn/store"
)

// schemaExists reports whether name is a schema of the test database.
func schemaExists(t *testing.T, name string) bool {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, baseURL())
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	var ok bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", name).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestOpenExistingCreatesNothing(t *testing.T) {
	ctx := context.Background()
	name := newSchemaName()
	_, err := OpenExisting(ctx, withSchema(t, name))
	skipUnlessReachable(t, err)
	if !errors.Is(err, store.ErrNoStore) {
		t.Fatalf("OpenExisting on a missing schema: %v, want store.ErrNoStore", err)
	}
	if schemaExists(t, name) {
		dropSchema(t, name)
		t.Fatal("OpenExisting created the schema")
	}
	// An empty schema (no psnkit tables) is no store either.
	conn, err := pgx.Connect(ctx, baseURL())
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{name}.Sanitize())
	conn.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dropSchema(t, name) })
	if _, err := OpenExisting(ctx, withSchema(t, name)); !errors.Is(err, store.ErrNoStore) {
		t.Fatalf("OpenExisting on an empty schema: %v, want store.ErrNoStore", err)
	}
	// Once Open has migrated it, OpenExisting opens it and sees its data.
	s, err := Open(ctx, withSchema(t, name))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SwapMeta(ctx, "x", nil, []byte("1")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = OpenExisting(ctx, withSchema(t, name))
	if err != nil {
		t.Fatalf("OpenExisting on a store: %v", err)
	}
	defer s.Close()
	if v, err := s.GetMeta(ctx, "x"); err != nil || string(v) != "1" {
		t.Errorf("GetMeta through OpenExisting = %q, %v", v, err)
	}
}
