package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/psnkit/psn/store"
)

// defaultConnectTimeout bounds one connection attempt when the URL sets no
// connect_timeout, so a black-holed host fails instead of hanging.
const defaultConnectTimeout = 10 * time.Second

// startHint tells a user how to get a PostgreSQL server running.
const startHint = `start PostgreSQL (e.g. "systemctl start postgresql", "pg_ctlcluster <version> main start", ` +
	`or "docker run -d -p 5432:5432 -e POSTGRES_PASSWORD=… postgres:17") or fix the URL`

// Store is a store.Store kept in a PostgreSQL schema. It is safe for
// concurrent use by many goroutines and many processes.
type Store struct {
	pool   *pgxpool.Pool
	schema string // unquoted schema name
	q      queries
	// now is the clock used for UpdatedAt (leases are judged by the
	// database's clock); tests replace it.
	now func() time.Time
}

var _ store.Store = (*Store)(nil)

// SchemaVersionError reports a schema migrated by a newer psnkit than this
// one: its tables may hold data this build would misread or damage. It wraps
// store.ErrUnavailable (this build cannot open the store).
type SchemaVersionError struct {
	Schema string // the schema's name
	Found  int    // highest migration recorded in schema_migrations
	Known  int    // highest migration this build knows
}

// Error implements error.
func (e *SchemaVersionError) Error() string {
	return fmt.Sprintf("store/postgres: schema %q is at migration %d but this psnkit knows only up to %d: upgrade psnkit", e.Schema, e.Found, e.Known)
}

// Unwrap lets errors.Is(err, store.ErrUnavailable) match.
func (e *SchemaVersionError) Unwrap() error { return store.ErrUnavailable }

// Open connects to the PostgreSQL database named by rawURL (postgres:// or
// postgresql://, see the package doc for the schema= option), creates or
// migrates its tables, and returns the store. Close it when done.
func Open(ctx context.Context, rawURL string) (*Store, error) {
	return open(ctx, rawURL, true)
}

// OpenExisting is Open for programs that only read: it connects and checks
// that the schema holds psnkit's tables at this build's migration, but
// creates and migrates nothing. A schema without psnkit's tables is
// store.ErrNoStore; one at an older migration is store.ErrUnavailable
// (Open it once to migrate it).
func OpenExisting(ctx context.Context, rawURL string) (*Store, error) {
	return open(ctx, rawURL, false)
}

// open is Open (migrate) or OpenExisting (check only).
func open(ctx context.Context, rawURL string, migrate bool) (*Store, error) {
	connString, schema, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		// pgx redacts passwords from its parse errors.
		return nil, fmt.Errorf("store/postgres: bad URL: %w", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	where := serverName(cfg.ConnConfig)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store/postgres: %w: %w", store.ErrUnavailable, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("store/postgres: connecting to %s: %w", where, err)
		}
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) {
			// Reached the server, which refused us (auth, missing database).
			return nil, fmt.Errorf("store/postgres: PostgreSQL at %s refused the connection: %w: %w", where, store.ErrUnavailable, err)
		}
		return nil, fmt.Errorf("store/postgres: cannot reach PostgreSQL at %s; %s: %w: %w", where, startHint, store.ErrUnavailable, err)
	}
	if schema == "" {
		if err := pool.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
			pool.Close()
			return nil, fmt.Errorf("store/postgres: no current schema (set schema= in the URL): %w: %w", store.ErrUnavailable, err)
		}
	}
	s := &Store{pool: pool, schema: schema, q: newQueries(schema), now: time.Now}
	check := s.migrate
	if !migrate {
		check = s.requireSchema
	}
	if err := check(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// Close releases the pool's connections. It waits for queries in flight.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// parseURL checks rawURL's scheme and takes psnkit's own schema= option out
// of it, returning the connection string for pgx and the schema name ("" for
// the connection's current schema).
func parseURL(rawURL string) (connString, schema string, err error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error quotes the URL, password included: say only what is wrong.
		return "", "", errors.New("store/postgres: bad URL: cannot parse it as postgres://user@host:port/database")
	}
	if !strings.HasPrefix(rawURL, "postgres://") && !strings.HasPrefix(rawURL, "postgresql://") {
		return "", "", fmt.Errorf("store/postgres: URL scheme %q: want postgres:// or postgresql://", u.Scheme)
	}
	q := u.Query()
	if vs, ok := q["schema"]; ok {
		if len(vs) != 1 {
			return "", "", errors.New("store/postgres: bad URL: schema= given more than once")
		}
		schema = vs[0]
		if err := checkSchemaName(schema); err != nil {
			return "", "", err
		}
		q.Del("schema")
		// Splice the query back in by hand: url.URL.String does not give
		// back every URL pgx accepts ("postgres://" becomes "postgres:").
		i := strings.IndexByte(rawURL, '?')
		rest := rawURL[i+1+len(u.RawQuery):]
		if enc := q.Encode(); enc != "" {
			return rawURL[:i] + "?" + enc + rest, schema, nil
		}
		return rawURL[:i] + rest, schema, nil
	}
	return rawURL, schema, nil
}

// checkSchemaName rejects names PostgreSQL would refuse or silently change.
func checkSchemaName(name string) error {
	switch {
	case name == "":
		return errors.New("store/postgres: bad URL: schema= is empty")
	case len(name) > 63:
		return fmt.Errorf("store/postgres: bad URL: schema name is %d bytes, PostgreSQL allows 63", len(name))
	case !utf8.ValidString(name) || strings.ContainsRune(name, 0):
		return errors.New("store/postgres: bad URL: schema name must be UTF-8 without NUL")
	case strings.HasPrefix(name, "pg_"):
		return fmt.Errorf("store/postgres: bad URL: schema %q: names starting with pg_ are reserved", name)
	}
	return nil
}

// serverName describes where cfg connects, for messages (never credentials).
func serverName(cfg *pgx.ConnConfig) string {
	if strings.HasPrefix(cfg.Host, "/") {
		return fmt.Sprintf("unix socket %s/.s.PGSQL.%d", cfg.Host, cfg.Port)
	}
	return fmt.Sprintf("%s:%d", cfg.Host, cfg.Port)
}

// fail wraps an error from the database for op: connection trouble wraps
// store.ErrUnavailable; a missing table or column (a dropped or foreign
// schema) and undecodable rows wrap store.ErrCorrupt.
func fail(op string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("store/postgres: %s: %w", op, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case strings.HasPrefix(pgErr.Code, "08"), // connection exception
			pgErr.Code == "53300", // too_many_connections
			pgErr.Code == "57P01", // admin_shutdown
			pgErr.Code == "57P02", // crash_shutdown
			pgErr.Code == "57P03": // cannot_connect_now
			return fmt.Errorf("store/postgres: %s: %w: %w", op, store.ErrUnavailable, err)
		case pgErr.Code == "42P01", pgErr.Code == "42703", pgErr.Code == "3F000":
			// undefined_table, undefined_column, invalid_schema_name
			return fmt.Errorf("store/postgres: %s: the schema lost psnkit's tables: %w: %w", op, store.ErrCorrupt, err)
		}
		return fmt.Errorf("store/postgres: %s: %w", op, err)
	}
	var scanErr pgx.ScanArgError
	if errors.As(err, &scanErr) {
		return fmt.Errorf("store/postgres: %s: %w: %w", op, store.ErrCorrupt, err)
	}
	return fmt.Errorf("store/postgres: %s: %w: %w", op, store.ErrUnavailable, err)
}
