// Package sqlite is psnkit's default store.Store: one SQLite file on the
// local disk, through the pure-Go driver modernc.org/sqlite (no cgo).
//
// # Locations
//
// Open accepts, for the --store flag:
//
//	sqlite:///home/me/.config/psn/psn.db   an absolute path
//	sqlite://psn.db, sqlite:data/psn.db     a path relative to the working directory
//	/home/me/psn.db, psn.db                 a plain path, taken literally
//
// Percent-escapes in sqlite: URLs are decoded (%20 for a space, %3F for '?');
// query strings are refused, because psnkit sets its own pragmas. "~" is not
// expanded and ":memory:" is refused.
//
// # Files and safety
//
// Open creates the directory (0700) and the file (0600) itself before the
// driver sees them, never truncates or replaces an existing file, and
// refuses a file that is not SQLite (store.ErrCorrupt), another program's
// SQLite database (store.ErrCorrupt), or one written by a newer psnkit
// (ErrSchemaTooNew). The -wal and -shm files SQLite adds beside the database
// get the database file's permissions.
//
// Open also switches the driver, process-wide, to commit with fdatasync(2)
// instead of fsync(2), as SQLite's own Linux builds do: equally durable,
// about twice as fast per commit on a journaling file system.
//
// Every pooled connection is opened with the same pragmas, set in the DSN:
// busy_timeout(10000), journal_mode(WAL), synchronous(FULL),
// foreign_keys(1), secure_delete(1) (deleted rows are zeroed), and
// _txlock=immediate so every write transaction is BEGIN IMMEDIATE and never
// has to upgrade a read lock (the usual source of "database is locked"). A
// CLI and a daemon can share one file: writers inside one Store queue on a
// Go semaphore, writers in different Stores or processes wait on SQLite's
// busy timeout, and a write still refused after that and a few retries is
// reported as store.ErrUnavailable.
//
// # Data
//
// Times are stored as unix nanoseconds UTC (NULL for the zero time) and come
// back exactly; instants outside 1677-09-21..2262-04-11 are refused with
// ErrTimeRange. The schema version lives in PRAGMA user_version and the file
// is marked with PRAGMA application_id "PSNK"; migrations run at Open inside
// one BEGIN IMMEDIATE transaction. ClaimDue walks the (next_refresh,
// account) index and touches only due rows. Schema 3 adds the outbox table
// of store.Outbox.
//
// Leases are judged by this process's wall clock (the store's clock: SQLite
// has no server), in every operation; ClaimDue's due instant only selects
// which records are due.
package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/psnkit/psn/store"
)

// ErrTimeRange is returned when a record holds a non-zero instant that unix
// nanoseconds cannot represent (before 1677-09-21 or after 2262-04-11).
var ErrTimeRange = errors.New("sqlite: time outside the storable range 1677-09-21..2262-04-11")

// dsnOptions are applied by the driver to every new pooled connection.
const dsnOptions = "_pragma=busy_timeout(10000)" +
	"&_pragma=journal_mode(WAL)" +
	"&_pragma=synchronous(FULL)" +
	"&_pragma=foreign_keys(1)" +
	"&_pragma=secure_delete(1)" +
	"&_txlock=immediate"

// Write attempts: SQLite already waits up to busy_timeout on a lock; these
// cover the SQLITE_BUSY cases it returns without waiting.
const (
	writeAttempts = 4
	firstBackoff  = 10 * time.Millisecond
)

// Store is a store.Store kept in one SQLite file. It is safe for concurrent
// use, and several Stores (in one process or many) may share the file.
type Store struct {
	db   *sql.DB
	path string
	// wsem lets one write transaction of this Store run at a time, so the
	// Store's own writers queue here instead of polling SQLite's lock.
	wsem chan struct{}
	// now is the clock for UpdatedAt and for CompareAndSwap's lease check.
	now func() time.Time

	// stmts caches prepared statements of the hot paths by SQL text;
	// database/sql keeps one prepared copy per pooled connection.
	smu   sync.Mutex
	stmts map[string]*sql.Stmt
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the store at location (see the package
// doc for the accepted forms), runs schema migrations, and returns it.
// Errors match store.ErrUnavailable (cannot create or open), store.ErrCorrupt
// (not a psnkit store), ErrSchemaTooNew or ErrBadLocation with errors.Is.
func Open(ctx context.Context, location string) (*Store, error) {
	path, err := absPath(location)
	if err != nil {
		return nil, err
	}
	existing, err := prepareFile(path)
	if err != nil {
		return nil, err
	}
	return open(ctx, path, existing, true)
}

// absPath is the absolute path of the file location names.
func absPath(location string) (string, error) {
	rel, err := parseLocation(location)
	if err != nil {
		return "", err
	}
	path, err := filepath.Abs(rel)
	if err != nil {
		return "", fmt.Errorf("%w: resolving %s: %w", store.ErrUnavailable, rel, err)
	}
	return path, nil
}

// OpenExisting is Open for programs that only read: it opens the store at
// location only if it is there, creating no directory or file and running
// no migration. A missing file, or one holding no psnkit schema yet, is
// store.ErrNoStore; one at an older schema version is store.ErrUnavailable
// (Open it once to migrate it).
func OpenExisting(ctx context.Context, location string) (*Store, error) {
	path, err := absPath(location)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("%w: %s does not exist", store.ErrNoStore, path)
	case err != nil:
		return nil, fmt.Errorf("%w: %s: %w", store.ErrUnavailable, path, err)
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("%w: %s is not a regular file (%s); give the path of a database file", store.ErrUnavailable, path, fi.Mode().Type())
	}
	if fi.Size() == 0 {
		// Empty, unless its first transaction still sits in the WAL.
		if _, err := os.Stat(path + "-wal"); err != nil {
			return nil, fmt.Errorf("%w: %s is empty", store.ErrNoStore, path)
		}
	} else if err := checkHeader(path); err != nil {
		return nil, err
	}
	return open(ctx, path, fi.Size() > 0, false)
}

// checkHeader refuses a file that does not start like a SQLite database.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%w: cannot open %s: %w", store.ErrUnavailable, path, err)
	}
	defer f.Close()
	head := make([]byte, len(sqliteHeader))
	if _, err := io.ReadFull(f, head); err != nil || string(head) != sqliteHeader {
		return fmt.Errorf("%w: %s is not a SQLite database (its first bytes are not the SQLite header); nothing was changed",
			store.ErrCorrupt, path)
	}
	return nil
}

// open opens the prepared file at path; migrate says whether to bring
// its schema up to date (Open) or require it to be (OpenExisting).
func open(ctx context.Context, path string, existing, migrate bool) (*Store, error) {
	// Commit with fdatasync(2), as SQLite's own Linux builds do: the same
	// durability (data and file size reach the disk) without forcing a
	// timestamp update through the file system journal, which doubles the
	// cost of every commit. The switch is process-wide in the driver and
	// unavailable (a no-op here) on macOS and Windows.
	_, _ = msqlite.Fdatasync(true)
	db, err := sql.Open("sqlite", "file:"+uriPath(path)+"?"+dsnOptions)
	if err != nil {
		return nil, fmt.Errorf("%w: opening %s: %w", store.ErrUnavailable, path, err)
	}
	db.SetMaxIdleConns(4)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{db: db, path: path, wsem: make(chan struct{}, 1), now: time.Now, stmts: map[string]*sql.Stmt{}}
	if existing {
		if err := s.probe(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	if err := s.checkOpen(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if !migrate {
		if err := s.requireSchema(ctx); err != nil {
			db.Close()
			return nil, err
		}
		return s, nil
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// requireSchema fails unless the file holds this build's schema version.
func (s *Store) requireSchema(ctx context.Context) error {
	var version int
	err := s.retry(ctx, func() (err error) {
		version, err = readSchema(ctx, s.db, s.path)
		return err
	})
	switch {
	case err != nil:
		return s.mapErr("open", err)
	case version == 0:
		return fmt.Errorf("%w: %s holds no psnkit store yet", store.ErrNoStore, s.path)
	case version < SchemaVersion:
		return fmt.Errorf("%w: %s has schema version %d, older than this psnkit's %d: open it once for writing to migrate it",
			store.ErrUnavailable, s.path, version, SchemaVersion)
	}
	return nil
}

// Path returns the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// Close closes every connection; SQLite checkpoints the WAL when the last
// connection to the file closes.
func (s *Store) Close() error {
	s.smu.Lock()
	for q, st := range s.stmts {
		st.Close()
		delete(s.stmts, q)
	}
	s.smu.Unlock()
	return s.db.Close()
}

// stmt returns the cached prepared statement for query, preparing it once.
func (s *Store) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	s.smu.Lock()
	defer s.smu.Unlock()
	if st, ok := s.stmts[query]; ok {
		return st, nil
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s.stmts[query] = st
	return st, nil
}

// txStmt is stmt bound to tx.
func (s *Store) txStmt(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	st, err := s.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return tx.StmtContext(ctx, st), nil
}

// sqliteHeader starts every SQLite database file.
const sqliteHeader = "SQLite format 3\x00"

// prepareFile creates path's directory (0700) and path itself (0600, empty)
// unless they exist, and checks that an existing non-empty file is SQLite.
// It never truncates, replaces or re-permissions anything that exists.
// existing reports a non-empty file, which Open probes before using.
func prepareFile(path string) (existing bool, err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, fmt.Errorf("%w: cannot create the store's directory %s: %w", store.ErrUnavailable, dir, err)
	}
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return false, fmt.Errorf("%w: %s is not a regular file (%s); give the path of a database file", store.ErrUnavailable, path, fi.Mode().Type())
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return false, fmt.Errorf("%w: cannot open or create %s: %w", store.ErrUnavailable, path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return false, fmt.Errorf("%w: %s: %w", store.ErrUnavailable, path, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		slog.Warn("sqlite store file is accessible to other users; run chmod 600 on it", "path", path, "mode", fi.Mode().Perm().String())
	}
	if fi.Size() == 0 {
		return false, nil // new, or a WAL database not yet checkpointed: SQLite decides
	}
	head := make([]byte, len(sqliteHeader))
	if _, err := io.ReadFull(f, head); err != nil || string(head) != sqliteHeader {
		return false, fmt.Errorf("%w: %s is not a SQLite database (its first bytes are not the SQLite header); nothing was changed: the store needs another path, or this file moved aside",
			store.ErrCorrupt, path)
	}
	return true, nil
}

// checkOpen makes the first connection (applying the DSN pragmas, which is
// where a damaged file first fails) and confirms WAL mode took.
func (s *Store) checkOpen(ctx context.Context) error {
	var mode string
	err := s.retry(ctx, func() error {
		return s.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode)
	})
	if err != nil {
		return s.mapErr("open", err)
	}
	if !strings.EqualFold(mode, "wal") {
		slog.Warn("sqlite store is not in WAL mode; concurrent use will be slower", "path", s.path, "journal_mode", mode)
	}
	return nil
}

// retry runs fn until it succeeds, fails with something other than
// SQLITE_BUSY, or writeAttempts have been made.
func (s *Store) retry(ctx context.Context, fn func() error) error {
	backoff := firstBackoff
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil || attempt == writeAttempts || !isBusy(err) {
			return err
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		backoff *= 4
	}
}

// write runs fn in a BEGIN IMMEDIATE transaction, committing when fn returns
// nil, retrying the whole transaction on SQLITE_BUSY.
func (s *Store) write(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	select {
	case s.wsem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.wsem }()
	err := s.retry(ctx, func() error {
		tx, err := s.db.BeginTx(ctx, nil) // BEGIN IMMEDIATE via _txlock
		if err != nil {
			return err
		}
		if err := fn(tx); err != nil {
			_ = tx.Rollback()
			return err
		}
		return tx.Commit()
	})
	return s.mapErr(op, err)
}

// isBusy reports whether err is SQLite's SQLITE_BUSY or SQLITE_LOCKED.
func isBusy(err error) bool {
	var se *msqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	code := se.Code() & 0xff
	return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
}

// mapErr turns a driver error into one that matches the store sentinels.
// Errors that already carry a meaning (store sentinels, context errors,
// this package's own) pass through unchanged.
func (s *Store) mapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	for _, known := range []error{store.ErrNotFound, store.ErrExists, store.ErrConflict, store.ErrLeaseLost,
		store.ErrUnavailable, store.ErrCorrupt, ErrSchemaTooNew, ErrTimeRange, ErrBadLocation, context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, known) {
			return err
		}
	}
	var se *msqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_FORMAT:
			return fmt.Errorf("%w: sqlite %s: %s is damaged (%w); nothing was changed: restore a backup or move the file aside and log in again",
				store.ErrCorrupt, op, s.path, err)
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return fmt.Errorf("%w: sqlite %s: %s stayed locked by another process past the 10s busy timeout (%w)",
				store.ErrUnavailable, op, s.path, err)
		case sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY,
			sqlite3.SQLITE_PERM, sqlite3.SQLITE_AUTH, sqlite3.SQLITE_NOLFS, sqlite3.SQLITE_PROTOCOL, sqlite3.SQLITE_NOMEM:
			return fmt.Errorf("%w: sqlite %s: %s: %w", store.ErrUnavailable, op, s.path, err)
		}
	}
	return fmt.Errorf("sqlite %s: %w", op, err)
}

// recordCols are the accounts columns in scanRecord's order.
const recordCols = `account, account_id, online_id, sealed_access, sealed_refresh, sealed_npsso,
	key_id, access_expiry, refresh_expiry, next_refresh, version,
	lease_owner, lease_expiry, last_error, last_error_at, updated_at,
	fence, refresh_rejected_at, npsso_rejected_at`

// noExpiry stands in for a NULL lease_expiry in comparisons.
const noExpiry = "-9223372036854775808"

// liveLease is true for a row whose lease is held by someone at ?now.
const liveLease = `(lease_owner <> '' AND coalesce(lease_expiry, ` + noExpiry + `) > @now)`

// claimDueSQL picks the oldest due, unleased rows. It walks the
// accounts_due index from its start up to @now and stops at @limit, so it
// touches only due rows (see the query-plan test).
const claimDueSQL = `SELECT account FROM accounts
	WHERE next_refresh <= @due AND NOT ` + liveLease + `
	ORDER BY next_refresh, account
	LIMIT @limit`

// leaseOneSQL leases one picked row, found by its primary key: a new
// grant, so a new fence.
const leaseOneSQL = `UPDATE accounts SET lease_owner = @owner, lease_expiry = @until, fence = fence + 1
	WHERE account = @account
	RETURNING ` + recordCols

// getSQL reads one record.
const getSQL = "SELECT " + recordCols + " FROM accounts WHERE account = ?"

// putSQL creates a record at version 1 unless the account exists.
const putSQL = `INSERT INTO accounts (` + recordCols + `)
	VALUES (@account, @account_id, @online_id, @sealed_access, @sealed_refresh, @sealed_npsso,
		@key_id, @access_expiry, @refresh_expiry, @next_refresh, 1,
		@lease_owner, @lease_expiry, @last_error, @last_error_at, @updated_at,
		0, @refresh_rejected_at, @npsso_rejected_at)
	ON CONFLICT (account) DO NOTHING
	RETURNING ` + recordCols

// casSQL writes a record's data when the version matches, whoever holds
// the lease; a write presenting the stored lease (owner and fence, no
// expiry) drops it.
const casSQL = `UPDATE accounts SET
		account_id = @account_id, online_id = @online_id,
		sealed_access = @sealed_access, sealed_refresh = @sealed_refresh, sealed_npsso = @sealed_npsso,
		key_id = @key_id, access_expiry = @access_expiry, refresh_expiry = @refresh_expiry,
		next_refresh = @next_refresh, version = version + 1,
		lease_owner = CASE WHEN ` + presented + ` THEN '' ELSE lease_owner END,
		lease_expiry = CASE WHEN ` + presented + ` THEN NULL ELSE lease_expiry END,
		last_error = @last_error, last_error_at = @last_error_at, updated_at = @updated_at,
		refresh_rejected_at = @refresh_rejected_at, npsso_rejected_at = @npsso_rejected_at
	WHERE account = @account AND version = @want
	RETURNING ` + recordCols

// presented is true when the write presents the stored lease to drop it.
const presented = `(@lease_owner <> '' AND lease_owner = @lease_owner AND fence = @fence AND @lease_expiry IS NULL)`

// noteSQL applies a store.Note at a version; NULL or empty arguments leave a
// column as it is.
const noteSQL = `UPDATE accounts SET
		last_error = CASE WHEN @last_error <> '' THEN @last_error ELSE last_error END,
		last_error_at = CASE WHEN @last_error <> '' THEN @last_error_at ELSE last_error_at END,
		next_refresh = coalesce(@next_refresh, next_refresh),
		refresh_rejected_at = coalesce(@refresh_rejected_at, refresh_rejected_at),
		npsso_rejected_at = coalesce(@npsso_rejected_at, npsso_rejected_at),
		lease_owner = CASE WHEN ` + presented + ` THEN '' ELSE lease_owner END,
		lease_expiry = CASE WHEN ` + presented + ` THEN NULL ELSE lease_expiry END,
		updated_at = @updated_at
	WHERE account = @account AND version = @want
	RETURNING ` + recordCols

// claimSQL leases one account unless another owner holds a live lease; a
// holder's live lease is extended under its fence, any other grant gets a
// new fence.
const claimSQL = `UPDATE accounts SET
		fence = CASE WHEN lease_owner = @owner AND ` + liveLease + ` THEN fence ELSE fence + 1 END,
		lease_owner = @owner, lease_expiry = @until
	WHERE account = @account AND NOT (` + liveLease + ` AND lease_owner <> @owner)
	RETURNING ` + recordCols

// renewSQL extends the lease (owner, fence) if nobody was granted it since.
const renewSQL = `UPDATE accounts SET lease_expiry = @until
	WHERE account = @account AND lease_owner = @owner AND fence = @fence
	RETURNING ` + recordCols

// rowScanner is *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

// scanRecord reads one row of recordCols.
func scanRecord(sc rowScanner) (store.Record, error) {
	var (
		r                          store.Record
		keyID                      int64
		access, refresh, lease, le sql.NullInt64
		rrej, nrej                 sql.NullInt64
		next, updated              int64
	)
	err := sc.Scan(&r.Account, &r.AccountID, &r.OnlineID, &r.SealedAccess, &r.SealedRefresh, &r.SealedNPSSO,
		&keyID, &access, &refresh, &next, &r.Version,
		&r.LeaseOwner, &lease, &r.LastError, &le, &updated,
		&r.Fence, &rrej, &nrej)
	if err != nil {
		return store.Record{}, err
	}
	if keyID < 0 || keyID > math.MaxUint32 {
		return store.Record{}, fmt.Errorf("%w: account %q has key id %d outside uint32", store.ErrCorrupt, r.Account, keyID)
	}
	r.KeyID = uint32(keyID)
	r.AccessExpiry, r.RefreshExpiry = fromNull(access), fromNull(refresh)
	r.LeaseExpiry, r.LastErrorAt = fromNull(lease), fromNull(le)
	r.RefreshRejectedAt, r.NPSSORejectedAt = fromNull(rrej), fromNull(nrej)
	if next != math.MinInt64 {
		r.NextRefresh = fromNanos(next)
	}
	r.UpdatedAt = fromNanos(updated)
	if len(r.SealedNPSSO) == 0 {
		r.SealedNPSSO = nil
	}
	return r, nil
}

func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

func fromNull(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromNanos(v.Int64)
}

// nanos encodes a non-zero instant; ok is false when it does not fit.
func nanos(t time.Time) (n int64, ok bool) {
	n = t.UnixNano()
	return n, n != math.MinInt64 && time.Unix(0, n).Equal(t)
}

// encoder collects named arguments, remembering the first range error.
type encoder struct {
	args []any
	err  error
}

func (e *encoder) add(name string, v any) { e.args = append(e.args, sql.Named(name, v)) }

// time adds t as unix nanoseconds, NULL when zero.
func (e *encoder) time(name string, t time.Time) {
	if t.IsZero() {
		e.add(name, nil)
		return
	}
	n, ok := nanos(t)
	if !ok && e.err == nil {
		e.err = fmt.Errorf("%w: %s is %s", ErrTimeRange, name, t.UTC().Format(time.RFC3339))
	}
	e.add(name, n)
}

// encodeRecord turns rec's stored fields into named arguments.
func encodeRecord(rec store.Record) ([]any, error) {
	var e encoder
	e.add("account", rec.Account)
	e.add("account_id", rec.AccountID)
	e.add("online_id", rec.OnlineID)
	e.add("sealed_access", notNil(rec.SealedAccess))
	e.add("sealed_refresh", notNil(rec.SealedRefresh))
	var npsso []byte // NULL: no NPSSO
	if len(rec.SealedNPSSO) > 0 {
		npsso = rec.SealedNPSSO
	}
	e.add("sealed_npsso", npsso)
	e.add("key_id", int64(rec.KeyID))
	e.time("access_expiry", rec.AccessExpiry)
	e.time("refresh_expiry", rec.RefreshExpiry)
	if rec.NextRefresh.IsZero() {
		e.add("next_refresh", int64(math.MinInt64)) // zero: due before anything else
	} else {
		e.time("next_refresh", rec.NextRefresh)
	}
	e.add("lease_owner", rec.LeaseOwner)
	e.time("lease_expiry", rec.LeaseExpiry)
	e.add("last_error", rec.LastError)
	e.time("last_error_at", rec.LastErrorAt)
	e.time("refresh_rejected_at", rec.RefreshRejectedAt)
	e.time("npsso_rejected_at", rec.NPSSORejectedAt)
	e.add("fence", rec.Fence)
	return e.args, e.err
}

func notNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// Get returns the record for account, or store.ErrNotFound.
func (s *Store) Get(ctx context.Context, account string) (store.Record, error) {
	var rec store.Record
	err := s.retry(ctx, func() error {
		st, err := s.stmt(ctx, getSQL)
		if err != nil {
			return err
		}
		rec, err = scanRecord(st.QueryRowContext(ctx, account))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return store.Record{}, fmt.Errorf("%w: %q", store.ErrNotFound, account)
	}
	return rec, s.mapErr("get", err)
}

// Put creates rec at version 1 and returns it as stored, or
// store.ErrExists.
func (s *Store) Put(ctx context.Context, rec store.Record) (store.Record, error) {
	if rec.Account == "" {
		return store.Record{}, errors.New("sqlite: Put: empty account name")
	}
	args, err := encodeRecord(rec)
	if err != nil {
		return store.Record{}, err
	}
	var out store.Record
	err = s.write(ctx, "put", func(tx *sql.Tx) error {
		a := append(args, sql.Named("updated_at", s.now().UnixNano()))
		st, err := s.txStmt(ctx, tx, putSQL)
		if err != nil {
			return err
		}
		out, err = scanRecord(st.QueryRowContext(ctx, a...))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: %q", store.ErrExists, rec.Account)
		}
		return err
	})
	return out, err
}

// CompareAndSwap writes rec when the stored version is wantVersion; see
// store.Store.
func (s *Store) CompareAndSwap(ctx context.Context, account string, wantVersion int64, rec store.Record) (store.Record, error) {
	rec.Account = account
	args, err := encodeRecord(rec)
	if err != nil {
		return store.Record{}, err
	}
	var out store.Record
	err = s.write(ctx, "compare-and-swap", func(tx *sql.Tx) error {
		a := append(args, sql.Named("updated_at", s.now().UnixNano()), sql.Named("want", wantVersion))
		st, err := s.txStmt(ctx, tx, casSQL)
		if err != nil {
			return err
		}
		out, err = scanRecord(st.QueryRowContext(ctx, a...))
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		return s.whyNot(ctx, tx, account, wantVersion)
	})
	return out, err
}

// whyNot explains a version-conditional write that matched no row.
func (s *Store) whyNot(ctx context.Context, tx *sql.Tx, account string, wantVersion int64) error {
	var version int64
	err := tx.QueryRowContext(ctx, "SELECT version FROM accounts WHERE account = ?", account).Scan(&version)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%w: %q", store.ErrNotFound, account)
	case err != nil:
		return err
	}
	return fmt.Errorf("%w: %q is at version %d, not %d", store.ErrConflict, account, version, wantVersion)
}

// Note applies n at version without changing it; see store.Store.
func (s *Store) Note(ctx context.Context, account string, version int64, n store.Note) (store.Record, error) {
	var e encoder
	e.add("account", account)
	e.add("want", version)
	e.add("last_error", n.LastError)
	e.time("last_error_at", n.LastErrorAt)
	e.time("next_refresh", n.NextRefresh)
	e.time("refresh_rejected_at", n.RefreshRejectedAt)
	e.time("npsso_rejected_at", n.NPSSORejectedAt)
	e.add("lease_owner", n.ReleaseOwner)
	e.add("fence", n.ReleaseFence)
	e.add("lease_expiry", nil)
	if e.err != nil {
		return store.Record{}, e.err
	}
	var out store.Record
	err := s.write(ctx, "note", func(tx *sql.Tx) error {
		st, err := s.txStmt(ctx, tx, noteSQL)
		if err != nil {
			return err
		}
		out, err = scanRecord(st.QueryRowContext(ctx, append(e.args, sql.Named("updated_at", s.now().UnixNano()))...))
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		return s.whyNot(ctx, tx, account, version)
	})
	return out, err
}

// leaseArgs validates and encodes a grant's owner and lease window, from
// the store's clock.
func (s *Store) leaseArgs(owner string, ttl time.Duration) ([]any, error) {
	if owner == "" {
		return nil, errors.New("sqlite: claim: empty lease owner")
	}
	if ttl <= 0 {
		return nil, fmt.Errorf("sqlite: claim: lease TTL %v is not positive", ttl)
	}
	now := s.now()
	n, ok := nanos(now)
	until, ok2 := nanos(now.Add(ttl))
	if !ok || !ok2 {
		return nil, fmt.Errorf("%w: lease from %s for %v", ErrTimeRange, now.UTC().Format(time.RFC3339), ttl)
	}
	return []any{sql.Named("now", n), sql.Named("until", until), sql.Named("owner", owner)}, nil
}

// ClaimDue leases up to limit due, unleased records to owner, oldest
// NextRefresh first; see store.Store.
func (s *Store) ClaimDue(ctx context.Context, due time.Time, limit int, owner string, leaseTTL time.Duration) ([]store.Record, error) {
	if limit <= 0 {
		return nil, nil
	}
	d, ok := nanos(due)
	if !ok || due.IsZero() {
		return nil, fmt.Errorf("%w: claim due at %s", ErrTimeRange, due.UTC().Format(time.RFC3339))
	}
	var out []store.Record
	err := s.write(ctx, "claim-due", func(tx *sql.Tx) error {
		args, err := s.leaseArgs(owner, leaseTTL)
		if err != nil {
			return err
		}
		args = append(args, sql.Named("limit", limit), sql.Named("due", d))
		out = out[:0]
		pick, err := s.txStmt(ctx, tx, claimDueSQL)
		if err != nil {
			return err
		}
		picked, err := pickDue(ctx, pick, args)
		if err != nil {
			return err
		}
		if len(picked) == 0 {
			return nil
		}
		lease, err := s.txStmt(ctx, tx, leaseOneSQL)
		if err != nil {
			return err
		}
		for _, account := range picked {
			r, err := scanRecord(lease.QueryRowContext(ctx, append(args, sql.Named("account", account))...))
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// pickDue returns the accounts claimDueSQL (prepared as pick) selects, in
// its order.
func pickDue(ctx context.Context, pick *sql.Stmt, args []any) ([]string, error) {
	rows, err := pick.QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var picked []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, err
		}
		picked = append(picked, a)
	}
	return picked, rows.Err()
}

// Claim leases account to owner until the store's now+leaseTTL unless
// another owner holds a live lease; see store.Store.
func (s *Store) Claim(ctx context.Context, account, owner string, leaseTTL time.Duration) (store.Record, error) {
	return s.lease(ctx, "claim", claimSQL, account, owner, leaseTTL, "is leased to another owner")
}

// Renew extends the lease (owner, fence) to the store's now+leaseTTL; see
// store.Store.
func (s *Store) Renew(ctx context.Context, account, owner string, fence int64, leaseTTL time.Duration) (store.Record, error) {
	return s.lease(ctx, "renew", renewSQL, account, owner, leaseTTL,
		fmt.Sprintf("was granted to another holder since fence %d", fence), sql.Named("fence", fence))
}

// lease runs a lease statement (claimSQL, renewSQL) on account for owner
// and returns the record it leased. A statement that leased nothing is
// leaseRefused's error; refused says whose the lease is.
func (s *Store) lease(ctx context.Context, op, query, account, owner string, leaseTTL time.Duration, refused string, named ...any) (store.Record, error) {
	var out store.Record
	err := s.write(ctx, op, func(tx *sql.Tx) error {
		args, err := s.leaseArgs(owner, leaseTTL)
		if err != nil {
			return err
		}
		st, err := s.txStmt(ctx, tx, query)
		if err != nil {
			return err
		}
		args = append(append(args, sql.Named("account", account)), named...)
		out, err = scanRecord(st.QueryRowContext(ctx, args...))
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		return leaseRefused(ctx, tx, account, refused)
	})
	return out, err
}

// leaseRefused is the error of a lease statement that matched no row:
// store.ErrNotFound when account has no record, else store.ErrLeaseLost.
func leaseRefused(ctx context.Context, tx *sql.Tx, account, why string) error {
	var one int
	err := tx.QueryRowContext(ctx, "SELECT 1 FROM accounts WHERE account = ?", account).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%w: %q", store.ErrNotFound, account)
	case err != nil:
		return err
	}
	return fmt.Errorf("%w: %q %s", store.ErrLeaseLost, account, why)
}

// Release drops the lease (owner, fence) on account; a no-op when that is
// not the stored lease (or the account is gone).
func (s *Store) Release(ctx context.Context, account, owner string, fence int64) error {
	if owner == "" {
		return nil
	}
	return s.write(ctx, "release", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE accounts SET lease_owner = '', lease_expiry = NULL WHERE account = ? AND lease_owner = ? AND fence = ?", account, owner, fence)
		return err
	})
}

// Delete removes account and its sealed secrets, or returns
// store.ErrNotFound. secure_delete zeroes the freed space.
func (s *Store) Delete(ctx context.Context, account string) error {
	return s.write(ctx, "delete", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM accounts WHERE account = ?", account)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return fmt.Errorf("%w: %q", store.ErrNotFound, account)
		}
		return nil
	})
}

// List yields every record ordered by account name (byte order). Stopping
// the loop early closes the query.
func (s *Store) List(ctx context.Context) iter.Seq2[store.Record, error] {
	return func(yield func(store.Record, error) bool) {
		var rows *sql.Rows
		err := s.retry(ctx, func() error {
			var err error
			rows, err = s.db.QueryContext(ctx, "SELECT "+recordCols+" FROM accounts ORDER BY account")
			return err
		})
		if err != nil {
			yield(store.Record{}, s.mapErr("list", err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanRecord(rows)
			if err != nil {
				yield(store.Record{}, s.mapErr("list", err))
				return
			}
			if !yield(r, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(store.Record{}, s.mapErr("list", err))
		}
	}
}

// GetMeta returns the named meta value, or store.ErrNotFound.
func (s *Store) GetMeta(ctx context.Context, name string) ([]byte, error) {
	var v []byte
	err := s.retry(ctx, func() error {
		return s.db.QueryRowContext(ctx, "SELECT value FROM meta WHERE name = ?", name).Scan(&v)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: meta %q", store.ErrNotFound, name)
	}
	if err != nil {
		return nil, s.mapErr("get-meta", err)
	}
	return notNil(v), nil
}

// SwapMeta sets name to value when its current value equals old (old ==
// nil: it must not exist yet), else returns store.ErrConflict.
func (s *Store) SwapMeta(ctx context.Context, name string, old, value []byte) error {
	return s.write(ctx, "swap-meta", func(tx *sql.Tx) error {
		var cur []byte
		err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE name = ?", name).Scan(&cur)
		exists := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		switch {
		case old == nil && exists:
			return fmt.Errorf("%w: meta %q already exists", store.ErrConflict, name)
		case old != nil && !exists:
			return fmt.Errorf("%w: meta %q does not exist", store.ErrConflict, name)
		case old != nil && !bytes.Equal(cur, old):
			return fmt.Errorf("%w: meta %q changed", store.ErrConflict, name)
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value", name, notNil(value))
		return err
	})
}
