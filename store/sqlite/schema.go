package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/psnkit/psn/store"
)

// applicationID marks a SQLite file as a psnkit store (PRAGMA
// application_id): "PSNK" in ASCII.
const applicationID = 0x50534E4B

// migrations[i] takes the schema from version i to i+1. Append only: a
// released migration is never edited. PRAGMA user_version holds the version.
var migrations = []string{
	// 1: accounts and meta. Times are unix nanoseconds UTC, NULL when zero
	// (next_refresh uses math.MinInt64 for zero so the due index covers it).
	`CREATE TABLE accounts (
		account        TEXT    NOT NULL PRIMARY KEY,
		account_id     TEXT    NOT NULL,
		online_id      TEXT    NOT NULL,
		sealed_access  BLOB    NOT NULL,
		sealed_refresh BLOB    NOT NULL,
		sealed_npsso   BLOB,
		key_id         INTEGER NOT NULL CHECK (key_id BETWEEN 0 AND 4294967295),
		access_expiry  INTEGER,
		refresh_expiry INTEGER,
		next_refresh   INTEGER NOT NULL,
		version        INTEGER NOT NULL CHECK (version >= 1),
		lease_owner    TEXT    NOT NULL DEFAULT '',
		lease_expiry   INTEGER,
		last_error     TEXT    NOT NULL DEFAULT '',
		last_error_at  INTEGER,
		updated_at     INTEGER NOT NULL
	) STRICT;
	CREATE INDEX accounts_due ON accounts (next_refresh, account);
	CREATE TABLE meta (
		name  TEXT NOT NULL PRIMARY KEY,
		value BLOB NOT NULL
	) STRICT;`,
	// 2: the refresh protocol (docs/refresh-protocol.md): a fencing number
	// per lease grant, and PSN's rejections of a secret as evidence.
	`ALTER TABLE accounts ADD COLUMN fence INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE accounts ADD COLUMN refresh_rejected_at INTEGER;
	ALTER TABLE accounts ADD COLUMN npsso_rejected_at INTEGER;`,
	// 3: the outbox (store.Outbox): events waiting to be delivered at least
	// once, pending while done_at is NULL, kept finished until pruned.
	`CREATE TABLE outbox (
		id           TEXT    NOT NULL PRIMARY KEY,
		kind         TEXT    NOT NULL,
		target       TEXT    NOT NULL,
		payload      BLOB    NOT NULL,
		attempts     INTEGER NOT NULL DEFAULT 0,
		next_attempt INTEGER NOT NULL,
		last_error   TEXT    NOT NULL DEFAULT '',
		created_at   INTEGER NOT NULL,
		done_at      INTEGER,
		lease_owner  TEXT    NOT NULL DEFAULT '',
		lease_expiry INTEGER
	) STRICT;
	CREATE INDEX outbox_due ON outbox (next_attempt, id) WHERE done_at IS NULL;
	CREATE INDEX outbox_done ON outbox (done_at) WHERE done_at IS NOT NULL;`,
}

// SchemaVersion is the schema version this build writes and understands:
// len(migrations) (a test keeps the two equal).
const SchemaVersion = 3

// ErrSchemaTooNew is returned (wrapped in a *SchemaError) when the file was
// written by a newer psnkit whose schema this build does not know.
var ErrSchemaTooNew = errors.New("sqlite: store was written by a newer psnkit")

// SchemaError reports a store file whose schema version this build cannot
// use. It matches ErrSchemaTooNew with errors.Is.
type SchemaError struct {
	Path      string // the database file
	Found     int    // PRAGMA user_version in the file
	Supported int    // the newest version this build knows
}

// Error says what was found and what to do.
func (e *SchemaError) Error() string {
	return fmt.Sprintf("sqlite: %s has schema version %d but this psnkit knows only up to %d: upgrade psnkit (the file was left unchanged)",
		e.Path, e.Found, e.Supported)
}

// Is makes errors.Is(err, ErrSchemaTooNew) true.
func (e *SchemaError) Is(target error) bool { return target == ErrSchemaTooNew }

// migrate brings the schema up to SchemaVersion in one BEGIN IMMEDIATE
// transaction, so two processes opening a new file at once cannot both
// create it. It refuses files that belong to another program or to a newer
// psnkit, and changes nothing in them.
func (s *Store) migrate(ctx context.Context) error {
	return s.write(ctx, "migrate", func(tx *sql.Tx) error {
		version, err := readSchema(ctx, tx, s.path)
		if err != nil || version == SchemaVersion {
			return err
		}
		for v := version; v < SchemaVersion; v++ {
			if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
				return fmt.Errorf("migrating schema to version %d: %w", v+1, err)
			}
		}
		// PRAGMA takes no bound parameters; both values are constants.
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", applicationID)); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion))
		return err
	})
}

// querier is *sql.DB or *sql.Tx.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// readSchema reads the file's schema version (and application id) and fails
// unless the file is empty, or a psnkit store at a version this build knows.
// It only reads.
func readSchema(ctx context.Context, q querier, path string) (version int, err error) {
	var appID int
	if err := q.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return 0, err
	}
	if err := q.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return 0, err
	}
	switch {
	case appID != 0 && appID != applicationID:
		return 0, fmt.Errorf("%w: %s is a SQLite database of another program (application_id %#x); nothing was changed: the store needs another path",
			store.ErrCorrupt, path, appID)
	case version != 0 && appID != applicationID:
		return 0, fmt.Errorf("%w: %s is a SQLite database of another program (schema version %d without the psnkit mark); nothing was changed: the store needs another path",
			store.ErrCorrupt, path, version)
	case version > SchemaVersion:
		return 0, &SchemaError{Path: path, Found: version, Supported: SchemaVersion}
	case version == 0:
		var n int
		if err := q.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite!_%' ESCAPE '!'").Scan(&n); err != nil {
			return 0, err
		}
		if n > 0 {
			return 0, fmt.Errorf("%w: %s is a SQLite database with %d objects that are not psnkit's; nothing was changed: the store needs another path",
				store.ErrCorrupt, path, n)
		}
	}
	return version, nil
}

// probe checks an existing, non-empty file with a connection that sets no
// pragmas, so a file Open refuses is never switched to WAL or otherwise
// written.
func (s *Store) probe(ctx context.Context) error {
	db, err := sql.Open("sqlite", "file:"+uriPath(s.path)+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("%w: opening %s: %w", store.ErrUnavailable, s.path, err)
	}
	defer db.Close()
	err = s.retry(ctx, func() error {
		// One deferred read transaction: a single snapshot, so a migration
		// committing in another process is seen whole or not at all.
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		_, err = readSchema(ctx, tx, s.path)
		return err
	})
	return s.mapErr("open", err)
}
