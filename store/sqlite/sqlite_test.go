package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/store/storetest"
)

// openAt opens a store at path and closes it when the test ends.
func openAt(t testing.TB, path string) *Store {
	t.Helper()
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// newStore opens a fresh store in its own temporary directory.
func newStore(t testing.TB) *Store {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "psn.db"))
}

// rawFiles reads the database and its -wal and -shm files.
func rawFiles(t *testing.T, path string) []byte {
	t.Helper()
	var all []byte
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(path + suffix)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("reading %s: %v", path+suffix, err)
		}
		all = append(all, b...)
	}
	return all
}

func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		New: func(t *testing.T) store.Store { return newStore(t) },
		Raw: func(t *testing.T, s store.Store) []byte { return rawFiles(t, s.(*Store).Path()) },
		Reopen: func(t *testing.T, s store.Store) store.Store {
			path := s.(*Store).Path()
			if err := s.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			return openAt(t, path)
		},
		Share: func(t *testing.T, s store.Store) store.Store { return openAt(t, s.(*Store).Path()) },
	})
}

func TestMigrationsMatchSchemaVersion(t *testing.T) {
	if len(migrations) != SchemaVersion {
		t.Fatalf("len(migrations) = %d, SchemaVersion = %d", len(migrations), SchemaVersion)
	}
}

func TestOpenLocationsCreateFilesPrivately(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, c := range []struct {
		location, path string
	}{
		{"sqlite://" + filepath.Join(dir, "abs", "a.db"), filepath.Join(dir, "abs", "a.db")},
		{"sqlite://rel/b.db", filepath.Join(dir, "rel", "b.db")},
		{"sqlite:c.db", filepath.Join(dir, "c.db")},
		{filepath.Join(dir, "plain", "d.db"), filepath.Join(dir, "plain", "d.db")},
		{"e.db", filepath.Join(dir, "e.db")},
		{"sqlite://" + filepath.Join(dir, "odd%20name%3F%23%25", "f.db"), filepath.Join(dir, "odd name?#%", "f.db")},
		{filepath.Join(dir, "odd ?#%", "g.db"), filepath.Join(dir, "odd ?#%", "g.db")},
	} {
		s := openAt(t, c.location)
		if s.Path() != c.path {
			t.Errorf("Open(%q).Path() = %q, want %q", c.location, s.Path(), c.path)
		}
		if _, err := s.Put(t.Context(), store.Record{Account: "a", SealedAccess: []byte{1}, SealedRefresh: []byte{2}}); err != nil {
			t.Fatalf("Put via %q: %v", c.location, err)
		}
		for _, f := range []string{c.path, c.path + "-wal", c.path + "-shm"} {
			fi, err := os.Stat(f)
			if err != nil {
				t.Errorf("%s: %v", f, err)
				continue
			}
			if perm := fi.Mode().Perm(); perm&0o077 != 0 {
				t.Errorf("%s has mode %v, want no group/other access", f, perm)
			}
		}
		if fi, err := os.Stat(filepath.Dir(c.path)); err == nil && filepath.Dir(c.path) != dir && fi.Mode().Perm() != 0o700 {
			t.Errorf("created directory %s has mode %v, want 0700", filepath.Dir(c.path), fi.Mode().Perm())
		}
	}
}

func TestOpenRefusesBadLocations(t *testing.T) {
	for _, loc := range []string{"", "sqlite://", ":memory:", "sqlite::memory:", "~/psn.db", "sqlite:///x.db?_pragma=foo", "postgres://localhost/db", "redis://x", "file:x.db", "sqlite:///tmp/%zz.db", "dir/"} {
		if _, err := Open(t.Context(), loc); !errors.Is(err, ErrBadLocation) {
			t.Errorf("Open(%q) error = %v, want ErrBadLocation", loc, err)
		}
	}
}

func TestOpenGarbageIsErrCorruptAndUntouched(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string][]byte{
		"text":            []byte("this is my shopping list, not a database\n"),
		"short":           []byte("SQLite"),
		"header+garbage":  append([]byte(sqliteHeader), bytes.Repeat([]byte{0xA5}, 8192)...),
		"header+zero-pad": append([]byte(sqliteHeader), make([]byte, 4096)...),
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name+".db")
			if err := os.WriteFile(path, content, 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := Open(t.Context(), path)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded on a damaged file")
			}
			if !errors.Is(err, store.ErrCorrupt) {
				t.Fatalf("error = %v, want store.ErrCorrupt", err)
			}
			if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, "nothing was changed") {
				t.Errorf("error %q does not name the file and say nothing was changed", msg)
			}
			if got, _ := os.ReadFile(path); !bytes.Equal(got, content) {
				t.Error("the damaged file was modified")
			}
		})
	}
}

func TestOpenForeignDatabaseIsRefused(t *testing.T) {
	dir := t.TempDir()
	for name, setup := range map[string]string{
		"other-tables":   "CREATE TABLE photos (id INTEGER PRIMARY KEY, caption TEXT); INSERT INTO photos VALUES (1, 'cat')",
		"other-app-id":   "PRAGMA application_id = 1234",
		"psnkit-version": "PRAGMA user_version = 1", // a version but no psnkit mark
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name+".db")
			db, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(setup); err != nil {
				t.Fatal(err)
			}
			db.Close()
			if err := os.Chmod(path, 0o600); err != nil {
				t.Fatal(err)
			}
			before, _ := os.ReadFile(path)
			_, err = Open(t.Context(), path)
			if !errors.Is(err, store.ErrCorrupt) {
				t.Fatalf("Open error = %v, want store.ErrCorrupt", err)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
				t.Error("the foreign database was modified")
			}
		})
	}
}

func TestOpenNewerSchemaIsClearError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "psn.db")
	s := openAt(t, path)
	s.Close()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("PRAGMA user_version = 7"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(t.Context(), path)
	var se *SchemaError
	if !errors.Is(err, ErrSchemaTooNew) || !errors.As(err, &se) {
		t.Fatalf("Open error = %v, want ErrSchemaTooNew as *SchemaError", err)
	}
	if se.Found != 7 || se.Supported != SchemaVersion || !strings.Contains(err.Error(), "upgrade psnkit") {
		t.Errorf("SchemaError = %+v, message %q", se, err)
	}
}

func TestOpenUnavailable(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "not-a-dir")
	if err := os.WriteFile(blocker, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, path := range map[string]string{
		"parent is a file": filepath.Join(blocker, "sub", "psn.db"),
		"path is a dir":    dir,
	} {
		if _, err := Open(t.Context(), path); !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("%s: Open error = %v, want store.ErrUnavailable", name, err)
		}
	}
	if got, _ := os.ReadFile(blocker); string(got) != "x" {
		t.Error("the blocking file was changed")
	}
}

func TestReopenKeepsDataAndDoesNotMigrateAgain(t *testing.T) {
	path := filepath.Join(t.TempDir(), "psn.db")
	s := openAt(t, path)
	if _, err := s.Put(t.Context(), store.Record{Account: "a", SealedAccess: []byte{1}, SealedRefresh: []byte{2}}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openAt(t, path)
	var v, app int
	if err := s.db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	if err := s.db.QueryRow("PRAGMA application_id").Scan(&app); err != nil {
		t.Fatal(err)
	}
	if v != SchemaVersion || app != applicationID {
		t.Errorf("user_version %d application_id %#x, want %d %#x", v, app, SchemaVersion, applicationID)
	}
	if _, err := s.Get(t.Context(), "a"); err != nil {
		t.Errorf("Get after reopen: %v", err)
	}
}

func TestPragmasOnEveryPooledConnection(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	// Hold several connections at once so the pool must open new ones.
	for i := range 4 {
		conn, err := s.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		for pragma, want := range map[string]string{
			"journal_mode": "wal", "synchronous": "2", "busy_timeout": "10000", "foreign_keys": "1", "secure_delete": "1",
		} {
			var got string
			if err := conn.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("connection %d: PRAGMA %s = %s, want %s", i, pragma, got, want)
			}
		}
	}
}

func TestClaimDueQueryUsesTheDueIndex(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 50 {
		rec := store.Record{Account: string(rune('a'+i%26)) + string(rune('a'+i/26)), SealedAccess: []byte{1}, SealedRefresh: []byte{2},
			NextRefresh: base.Add(time.Duration(i) * time.Minute)}
		if _, err := s.Put(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.db.ExecContext(ctx, "ANALYZE"); err != nil {
		t.Fatal(err)
	}
	args, err := s.leaseArgs("w", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	args = append(args, sql.Named("limit", 10), sql.Named("account", "aa"), sql.Named("due", base.UnixNano()))
	pick := queryPlan(t, s, claimDueSQL, args)
	if !strings.Contains(pick, "SEARCH accounts USING INDEX accounts_due (next_refresh<?)") &&
		!strings.Contains(pick, "SEARCH accounts USING COVERING INDEX accounts_due (next_refresh<?)") {
		t.Errorf("claim query does not range-search accounts_due; plan:\n%s", pick)
	}
	lease := queryPlan(t, s, leaseOneSQL, args)
	if !strings.Contains(lease, "(account=?)") {
		t.Errorf("lease update does not look the row up by account; plan:\n%s", lease)
	}
	for _, plan := range []string{pick, lease} {
		for line := range strings.Lines(plan) {
			if strings.HasPrefix(line, "SCAN") || strings.Contains(line, "TEMP B-TREE") {
				t.Errorf("claim scans or sorts the table: %q; plan:\n%s", line, plan)
			}
		}
	}
}

// queryPlan returns the EXPLAIN QUERY PLAN details of query, one per line.
func queryPlan(t *testing.T, s *Store, query string, args []any) string {
	t.Helper()
	rows, err := s.db.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "\n")
}

func TestTimesRoundTripToTheNanosecond(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	rec := store.Record{
		Account: "t", SealedAccess: []byte{1}, SealedRefresh: []byte{2},
		AccessExpiry:  time.Date(2030, 5, 6, 7, 8, 9, 123456789, time.FixedZone("X", -7*3600)),
		RefreshExpiry: time.Unix(0, 0), // the epoch is an instant, not "zero"
		NextRefresh:   time.Unix(0, math.MaxInt64),
		LastErrorAt:   time.Unix(0, math.MinInt64+1),
	}
	if _, err := s.Put(ctx, rec); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, "t")
	if err != nil {
		t.Fatal(err)
	}
	for name, pair := range map[string][2]time.Time{
		"AccessExpiry":  {got.AccessExpiry, rec.AccessExpiry},
		"RefreshExpiry": {got.RefreshExpiry, rec.RefreshExpiry},
		"NextRefresh":   {got.NextRefresh, rec.NextRefresh},
		"LastErrorAt":   {got.LastErrorAt, rec.LastErrorAt},
	} {
		if !pair[0].Equal(pair[1]) || pair[0].IsZero() || pair[0].Location() != time.UTC {
			t.Errorf("%s = %v, want %v in UTC", name, pair[0], pair[1])
		}
	}
}

func TestTimesOutOfRangeAreRefused(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	for name, tm := range map[string]time.Time{
		"year 3000": time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC),
		"year 1":    time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC),
		"min int64": time.Unix(0, math.MinInt64),
	} {
		rec := store.Record{Account: "a", SealedAccess: []byte{1}, SealedRefresh: []byte{2}, AccessExpiry: tm}
		if _, err := s.Put(ctx, rec); !errors.Is(err, ErrTimeRange) {
			t.Errorf("%s: Put error = %v, want ErrTimeRange", name, err)
		}
		if _, err := s.ClaimDue(ctx, tm, 1, "w", time.Minute); !errors.Is(err, ErrTimeRange) {
			t.Errorf("%s: ClaimDue error = %v, want ErrTimeRange", name, err)
		}
	}
	if _, err := s.Get(ctx, "a"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused Put left a record: %v", err)
	}
}

func TestClaimRefusesEmptyOwnerAndNonPositiveTTL(t *testing.T) {
	s := newStore(t)
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := s.ClaimDue(t.Context(), now, 1, "", time.Minute); err == nil {
		t.Error("ClaimDue with empty owner succeeded")
	}
	if _, err := s.Claim(t.Context(), "a", "w", 0); err == nil {
		t.Error("Claim with zero TTL succeeded")
	}
	if got, err := s.ClaimDue(t.Context(), now, 0, "w", time.Minute); err != nil || len(got) != 0 {
		t.Errorf("ClaimDue limit 0 = %v, %v; want nothing", got, err)
	}
}

func TestCancelledContext(t *testing.T) {
	s := newStore(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.Put(ctx, store.Record{Account: "a", SealedAccess: []byte{1}, SealedRefresh: []byte{2}}); err == nil {
		t.Error("Put with a cancelled context succeeded")
	}
	if _, err := s.Get(t.Context(), "a"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get after cancelled Put: %v, want ErrNotFound", err)
	}
}

func TestWritesBeginImmediate(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	tx, err := s.db.BeginTx(ctx, nil) // no statement yet: only BEGIN has run
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	other, err := sql.Open("sqlite", s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA busy_timeout = 0"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); !isBusy(err) {
		conn.ExecContext(ctx, "ROLLBACK")
		t.Fatalf("a second writer got the write lock while a Store transaction was open (err %v): transactions are not BEGIN IMMEDIATE", err)
	}
}

func TestDamagedPageIsErrCorrupt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "psn.db")
	s := openAt(t, path)
	for i := range 300 {
		rec := store.Record{Account: fmt.Sprintf("acct-%04d", i), SealedAccess: bytes.Repeat([]byte{1}, 100), SealedRefresh: []byte{2}}
		if _, err := s.Put(t.Context(), rec); err != nil {
			t.Fatal(err)
		}
	}
	s.Close() // the last connection checkpoints the WAL into the file
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := f.Stat()
	if fi.Size() < 5*4096 {
		t.Fatalf("database is only %d bytes; the test needs several pages", fi.Size())
	}
	// Smash every page but the first (the header and schema stay readable).
	for off := int64(4096); off < fi.Size(); off += 4096 {
		if _, err := f.WriteAt(bytes.Repeat([]byte{0xA5}, 4096), off); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()
	s2, err := Open(t.Context(), path)
	if err != nil {
		if !errors.Is(err, store.ErrCorrupt) {
			t.Fatalf("Open error = %v, want store.ErrCorrupt", err)
		}
		return
	}
	defer s2.Close()
	var listErr error
	for _, err := range s2.List(t.Context()) {
		if err != nil {
			listErr = err
			break
		}
	}
	if !errors.Is(listErr, store.ErrCorrupt) {
		t.Fatalf("List over damaged pages: error = %v, want store.ErrCorrupt", listErr)
	}
	if !strings.Contains(listErr.Error(), "restore a backup") {
		t.Errorf("error %q does not say what to do", listErr)
	}
}
