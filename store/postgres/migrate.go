package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/psnkit/psn/store"
)

// migrations are applied in order; migrations[i] takes the schema to version
// i+1. Never edit one that has shipped: append a new one. "{s}" stands for
// the quoted schema name.
var migrations = []string{
	// 1: accounts and meta.
	`CREATE TABLE {s}.accounts (
		account        text COLLATE "C" PRIMARY KEY,
		account_id     text        NOT NULL,
		online_id      text        NOT NULL,
		sealed_access  bytea       NOT NULL,
		sealed_refresh bytea       NOT NULL,
		sealed_npsso   bytea,
		key_id         bigint      NOT NULL CHECK (key_id BETWEEN 0 AND 4294967295),
		access_expiry  timestamptz,
		refresh_expiry timestamptz,
		next_refresh   timestamptz NOT NULL,
		version        bigint      NOT NULL CHECK (version >= 1),
		lease_owner    text        NOT NULL DEFAULT '',
		lease_expiry   timestamptz,
		last_error     text        NOT NULL DEFAULT '',
		last_error_at  timestamptz,
		updated_at     timestamptz NOT NULL
	);
	CREATE INDEX accounts_next_refresh ON {s}.accounts (next_refresh, account);
	CREATE TABLE {s}.meta (
		name  text COLLATE "C" PRIMARY KEY,
		value bytea NOT NULL
	);`,
	// 2: the refresh protocol (docs/refresh-protocol.md): a fencing number
	// per lease grant, and PSN's rejections of a secret as evidence.
	`ALTER TABLE {s}.accounts
		ADD COLUMN fence               bigint NOT NULL DEFAULT 0,
		ADD COLUMN refresh_rejected_at timestamptz,
		ADD COLUMN npsso_rejected_at   timestamptz;`,
	// 3: the outbox (store.Outbox): events waiting to be delivered at least
	// once, pending while done_at is NULL, kept finished until pruned.
	`CREATE TABLE {s}.outbox (
		id           text COLLATE "C" PRIMARY KEY,
		kind         text        NOT NULL,
		target       text        NOT NULL,
		payload      bytea       NOT NULL,
		attempts     integer     NOT NULL DEFAULT 0,
		next_attempt timestamptz,
		last_error   text        NOT NULL DEFAULT '',
		created_at   timestamptz NOT NULL,
		done_at      timestamptz,
		lease_owner  text        NOT NULL DEFAULT '',
		lease_expiry timestamptz
	);
	CREATE INDEX outbox_due ON {s}.outbox (next_attempt NULLS FIRST, id) WHERE done_at IS NULL;
	CREATE INDEX outbox_done ON {s}.outbox (done_at) WHERE done_at IS NOT NULL;`,
}

// migrate brings the schema up to date, in one transaction holding an
// advisory lock keyed by the schema name so concurrent Opens take turns.
func (s *Store) migrate(ctx context.Context) error {
	quoted := pgx.Identifier{s.schema}.Sanitize()
	var stepErr error // an error of a step (already wrapped), not of BEGIN/COMMIT
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		stepErr = s.migrateTx(ctx, tx, quoted)
		return stepErr
	})
	switch {
	case stepErr != nil:
		return stepErr
	case err != nil:
		return fail("migrate", err)
	}
	return nil
}

// migrateTx does migrate's work inside its transaction.
func (s *Store) migrateTx(ctx context.Context, tx pgx.Tx, quoted string) error {
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
		"psnkit/store/postgres migrate "+s.schema); err != nil {
		return fail("migrate: lock", err)
	}
	var exists bool
	if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", s.schema).Scan(&exists); err != nil {
		return fail("migrate: look up schema", err)
	}
	if !exists {
		if _, err := tx.Exec(ctx, "CREATE SCHEMA "+quoted); err != nil {
			return fail("migrate: create schema "+quoted, err)
		}
	}
	if _, err := tx.Exec(ctx, "CREATE TABLE IF NOT EXISTS "+quoted+`.schema_migrations (
		version    integer PRIMARY KEY,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return fail("migrate: create schema_migrations", err)
	}
	var have int
	if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM "+quoted+".schema_migrations").Scan(&have); err != nil {
		return fail("migrate: read schema_migrations", err)
	}
	if have > len(migrations) {
		return &SchemaVersionError{Schema: s.schema, Found: have, Known: len(migrations)}
	}
	for v := have + 1; v <= len(migrations); v++ {
		if _, err := tx.Exec(ctx, strings.ReplaceAll(migrations[v-1], "{s}", quoted)); err != nil {
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) && pgErr.Code == "42P07" { // duplicate_table
				return fmt.Errorf("store/postgres: schema %q already holds tables psnkit did not create (%s); use another schema= : %w",
					s.schema, pgErr.Message, store.ErrCorrupt)
			}
			return fail(fmt.Sprintf("migrate: apply migration %d", v), err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO "+quoted+".schema_migrations (version) VALUES ($1)", v); err != nil {
			return fail(fmt.Sprintf("migrate: record migration %d", v), err)
		}
	}
	return nil
}

// requireSchema fails unless the schema holds psnkit's tables at this
// build's migration. It only reads.
func (s *Store) requireSchema(ctx context.Context) error {
	var have int
	err := s.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM `+pgx.Identifier{s.schema, "schema_migrations"}.Sanitize()).Scan(&have)
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &pgErr) && (pgErr.Code == "42P01" || pgErr.Code == "3F000"): // undefined_table, invalid_schema_name
		return fmt.Errorf("%w: schema %q of this database holds no psnkit tables", store.ErrNoStore, s.schema)
	case err != nil:
		return fail("open: read schema_migrations", err)
	case have == 0:
		return fmt.Errorf("%w: schema %q of this database holds no psnkit tables", store.ErrNoStore, s.schema)
	case have > len(migrations):
		return &SchemaVersionError{Schema: s.schema, Found: have, Known: len(migrations)}
	case have < len(migrations):
		return fmt.Errorf("%w: schema %q is at migration %d, older than this psnkit's %d: open it once for writing to migrate it",
			store.ErrUnavailable, s.schema, have, len(migrations))
	}
	return nil
}
