package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/store/storetest"
)

// baseURL is the database the tests use; each test works in its own schema.
func baseURL() string {
	if u := os.Getenv("PSN_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// withSchema returns baseURL with schema=name added.
func withSchema(t testing.TB, name string) string {
	t.Helper()
	u, err := url.Parse(baseURL())
	if err != nil {
		t.Fatalf("PSN_TEST_POSTGRES_URL: %v", err)
	}
	q := u.Query()
	q.Set("schema", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// skipUnlessReachable skips (or, with PSN_REQUIRE_SERVICES=1, fails) the test
// when err says PostgreSQL cannot be reached.
func skipUnlessReachable(t testing.TB, err error) {
	t.Helper()
	if err == nil || !errors.Is(err, store.ErrUnavailable) {
		return
	}
	msg := fmt.Sprintf("PostgreSQL is not reachable at %s: %v\n"+
		"start it (e.g. `pg_ctlcluster 15 main start` or `docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:17`) "+
		"or point PSN_TEST_POSTGRES_URL at one", redactedBase(), err)
	if os.Getenv("PSN_REQUIRE_SERVICES") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func redactedBase() string {
	u, err := url.Parse(baseURL())
	if err != nil {
		return "(unparsable PSN_TEST_POSTGRES_URL)"
	}
	return u.Redacted()
}

// newSchemaName returns a schema name no other test uses.
func newSchemaName() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "psntest_" + hex.EncodeToString(b[:])
}

// dropSchema removes name and everything in it.
func dropSchema(t testing.TB, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, baseURL())
	if err != nil {
		t.Errorf("drop schema %s: connect: %v", name, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{name}.Sanitize()+" CASCADE"); err != nil {
		t.Errorf("drop schema %s: %v", name, err)
	}
}

// newStore opens a store in a fresh schema that is dropped when t ends, or
// skips t when PostgreSQL is down.
func newStore(t testing.TB) *Store {
	t.Helper()
	name := newSchemaName()
	s, err := Open(context.Background(), withSchema(t, name))
	skipUnlessReachable(t, err)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		s.Close()
		dropSchema(t, name)
	})
	return s
}

// raw returns every row of every table in s's schema as text, followed by
// the raw bytes of every bytea value (row text shows bytea as hex, which a
// plaintext scan would miss).
func raw(t *testing.T, st store.Store) []byte {
	t.Helper()
	s := st.(*Store)
	ctx := context.Background()
	var out []byte
	tables, err := s.pool.Query(ctx, "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1", s.schema)
	if err != nil {
		t.Fatalf("raw: list tables: %v", err)
	}
	names, err := pgx.CollectRows(tables, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("raw: list tables: %v", err)
	}
	for _, name := range names {
		rows, err := s.pool.Query(ctx, "SELECT t::text FROM "+pgx.Identifier{s.schema, name}.Sanitize()+" t")
		if err != nil {
			t.Fatalf("raw: read %s: %v", name, err)
		}
		texts, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatalf("raw: read %s: %v", name, err)
		}
		for _, txt := range texts {
			out = append(out, txt...)
			out = append(out, '\n')
		}
	}
	cols, err := s.pool.Query(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = $1 AND data_type = 'bytea' ORDER BY 1, 2`, s.schema)
	if err != nil {
		t.Fatalf("raw: list bytea columns: %v", err)
	}
	type col struct{ Table, Column string }
	bcols, err := pgx.CollectRows(cols, pgx.RowToStructByPos[col])
	if err != nil {
		t.Fatalf("raw: list bytea columns: %v", err)
	}
	for _, c := range bcols {
		rows, err := s.pool.Query(ctx, "SELECT "+pgx.Identifier{c.Column}.Sanitize()+" FROM "+pgx.Identifier{s.schema, c.Table}.Sanitize())
		if err != nil {
			t.Fatalf("raw: read %s.%s: %v", c.Table, c.Column, err)
		}
		vals, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
		if err != nil {
			t.Fatalf("raw: read %s.%s: %v", c.Table, c.Column, err)
		}
		for _, v := range vals {
			out = append(out, v...)
			out = append(out, '\n')
		}
	}
	return out
}

func TestConformance(t *testing.T) {
	newStore(t) // skip the whole suite at once when PostgreSQL is down
	storetest.Run(t, storetest.Harness{
		New: func(t *testing.T) store.Store { return newStore(t) },
		Raw: raw,
		Reopen: func(t *testing.T, st store.Store) store.Store {
			s := st.(*Store)
			s.Close()
			s2, err := Open(t.Context(), withSchema(t, s.schema))
			if err != nil {
				t.Fatalf("reopen: %v", err)
			}
			t.Cleanup(func() { s2.Close() })
			return s2
		},
		Share: func(t *testing.T, st store.Store) store.Store {
			s2, err := Open(t.Context(), withSchema(t, st.(*Store).schema))
			if err != nil {
				t.Fatalf("open a second handle: %v", err)
			}
			t.Cleanup(func() { s2.Close() })
			return s2
		},
	})
}

func TestOpenUnreachableNamesHostAndHowToStart(t *testing.T) {
	// Port 1 on the loopback: nothing listens there, the dial is refused.
	_, err := Open(t.Context(), "postgres://someone:hunter2-secret@127.0.0.1:1/test?sslmode=disable&connect_timeout=5")
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Open = %v, want errors.Is(err, store.ErrUnavailable)", err)
	}
	msg := err.Error()
	for _, want := range []string{"127.0.0.1:1", "start PostgreSQL"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
	if strings.Contains(msg, "hunter2-secret") {
		t.Errorf("error %q contains the URL's password", msg)
	}
}

func TestOpenRejectsBadURLs(t *testing.T) {
	for _, u := range []string{
		"mysql://root@127.0.0.1/test",
		"redis://127.0.0.1:6379/0",
		"postgres://x@127.0.0.1/test?schema=",
		"postgres://x@127.0.0.1/test?schema=a&schema=b",
		"postgres://x@127.0.0.1/test?schema=pg_catalog",
		"postgres://x@127.0.0.1/test?schema=" + strings.Repeat("s", 64),
		"postgres://x:pw-secret@127.0.0.1:notaport/test",
		"://pw-secret@",
	} {
		_, err := Open(t.Context(), u)
		if err == nil {
			t.Errorf("Open(%q) succeeded, want an error", u)
			continue
		}
		if strings.Contains(err.Error(), "pw-secret") {
			t.Errorf("Open(%q) error %q contains the password", u, err)
		}
	}
}

func TestParseURLTakesOutSchema(t *testing.T) {
	conn, schema, err := parseURL("postgresql://u@h:5433/db?sslmode=disable&schema=My+Schema&application_name=psn")
	if err != nil {
		t.Fatalf("parseURL: %v", err)
	}
	if schema != "My Schema" {
		t.Errorf("schema = %q, want %q", schema, "My Schema")
	}
	if strings.Contains(conn, "schema=") {
		t.Errorf("connection string %q still holds schema=", conn)
	}
	if !strings.Contains(conn, "application_name=psn") || !strings.Contains(conn, "sslmode=disable") {
		t.Errorf("connection string %q lost other options", conn)
	}
	if _, schema, _ := parseURL("postgres://u@h/db"); schema != "" {
		t.Errorf("schema without schema= = %q, want empty", schema)
	}
}

func TestConcurrentOpensMigrateOnce(t *testing.T) {
	name := newSchemaName()
	u := withSchema(t, name)
	const opens = 6
	var wg sync.WaitGroup
	stores := make([]*Store, opens)
	errs := make([]error, opens)
	start := make(chan struct{})
	for i := range opens {
		wg.Go(func() {
			<-start
			stores[i], errs[i] = Open(context.Background(), u)
		})
	}
	close(start)
	wg.Wait()
	t.Cleanup(func() {
		for _, s := range stores {
			if s != nil {
				s.Close()
			}
		}
		dropSchema(t, name)
	})
	for i, err := range errs {
		skipUnlessReachable(t, err)
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
	}
	var versions []int
	rows, err := stores[0].pool.Query(t.Context(), "SELECT version FROM "+pgx.Identifier{name}.Sanitize()+".schema_migrations ORDER BY version")
	if err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	versions, err = pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	want := make([]int, len(migrations))
	for i := range want {
		want[i] = i + 1
	}
	if !slices.Equal(versions, want) {
		t.Errorf("schema_migrations = %v, want %v (each migration once)", versions, want)
	}
	// Every store works on the one schema.
	if _, err := stores[1].Put(t.Context(), store.Record{Account: "a", NextRefresh: time.Now()}); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if _, err := stores[opens-1].Get(t.Context(), "a"); err != nil {
		t.Errorf("Get through another store: %v", err)
	}
}

func TestSchemaFromNewerPsnkitIsRefused(t *testing.T) {
	s := newStore(t)
	if _, err := s.pool.Exec(t.Context(), "INSERT INTO "+pgx.Identifier{s.schema}.Sanitize()+".schema_migrations (version) VALUES ($1)", len(migrations)+1); err != nil {
		t.Fatalf("insert future migration: %v", err)
	}
	_, err := Open(t.Context(), withSchema(t, s.schema))
	var sv *SchemaVersionError
	if !errors.As(err, &sv) {
		t.Fatalf("Open = %v, want a *SchemaVersionError", err)
	}
	if sv.Found != len(migrations)+1 || sv.Known != len(migrations) {
		t.Errorf("SchemaVersionError = %+v, want Found %d Known %d", sv, len(migrations)+1, len(migrations))
	}
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("error %v does not wrap store.ErrUnavailable", err)
	}
}

func TestForeignTablesAreRefusedNotReused(t *testing.T) {
	name := newSchemaName()
	t.Cleanup(func() { dropSchema(t, name) })
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, baseURL())
	skipUnlessReachable(t, errorsJoinUnavailable(err))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(context.Background())
	q := pgx.Identifier{name}.Sanitize()
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+q+"; CREATE TABLE "+q+".accounts (id int, secret text)"); err != nil {
		t.Fatalf("create foreign table: %v", err)
	}
	_, err = Open(ctx, withSchema(t, name))
	if !errors.Is(err, store.ErrCorrupt) {
		t.Fatalf("Open over a foreign accounts table = %v, want errors.Is(err, store.ErrCorrupt)", err)
	}
	// Nothing of psnkit's was left behind (the migration rolled back).
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM information_schema.tables WHERE table_schema = $1", name).Scan(&n); err != nil {
		t.Fatalf("count tables: %v", err)
	}
	if n != 1 {
		t.Errorf("schema holds %d tables after the refused Open, want only the foreign one", n)
	}
}

// errorsJoinUnavailable marks a plain connect error as ErrUnavailable so the
// skip helper recognises it.
func errorsJoinUnavailable(err error) error {
	if err == nil {
		return nil
	}
	return errors.Join(store.ErrUnavailable, err)
}

func TestDroppedSchemaIsErrCorrupt(t *testing.T) {
	s := newStore(t)
	dropSchema(t, s.schema)
	_, err := s.Get(t.Context(), "a")
	if !errors.Is(err, store.ErrCorrupt) {
		t.Errorf("Get after the schema was dropped = %v, want errors.Is(err, store.ErrCorrupt)", err)
	}
}

func TestClosedStoreIsErrUnavailable(t *testing.T) {
	s := newStore(t)
	s.Close()
	_, err := s.Get(t.Context(), "a")
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Get on a closed store = %v, want errors.Is(err, store.ErrUnavailable)", err)
	}
}

func TestLeasesAreJudgedByTheServersClock(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	// This process's clock is four years off; the server's decides leases.
	clock := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	s.now = func() time.Time { return clock }
	if _, err := s.Put(ctx, store.Record{Account: "a", NextRefresh: clock}); err != nil {
		t.Fatalf("Put: %v", err)
	}
	before := time.Now()
	got, err := s.Claim(ctx, "a", "w1", time.Minute)
	if err != nil {
		t.Fatalf("Claim: %v", err)
	}
	if lo, hi := before, time.Now().Add(2*time.Minute); got.LeaseExpiry.Before(lo) || got.LeaseExpiry.After(hi) {
		t.Errorf("LeaseExpiry = %v, want the server's now + 1m (about %v), not this process's clock", got.LeaseExpiry, before.Add(time.Minute))
	}
	if _, err := s.Claim(ctx, "a", "w2", time.Minute); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("Claim by w2 = %v, want ErrLeaseLost", err)
	}
}

func TestLastErrorWithInvalidUTF8AndNULIsStored(t *testing.T) {
	s := newStore(t)
	rec := store.Record{Account: "a", LastError: "bad \xff\xfe body \x00 end", LastErrorAt: time.Now()}
	got, err := s.Put(t.Context(), rec)
	if err != nil {
		t.Fatalf("Put with a messy LastError: %v", err)
	}
	if want := "bad \uFFFD body \uFFFD end"; got.LastError != want {
		t.Errorf("LastError = %q, want %q", got.LastError, want)
	}
}

func TestListReadsPastOnePage(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	const n = 2*listPage + 3
	q := pgx.Identifier{s.schema}.Sanitize()
	if _, err := s.pool.Exec(ctx, `INSERT INTO `+q+`.accounts (account, account_id, online_id, sealed_access,
		sealed_refresh, key_id, next_refresh, version, updated_at)
		SELECT 'acct-' || lpad(i::text, 4, '0'), '', '', '', '', 1, now(), 1, now() FROM generate_series(1, $1) i`, n); err != nil {
		t.Fatalf("insert rows: %v", err)
	}
	var got []string
	for r, err := range s.List(ctx) {
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		got = append(got, r.Account)
	}
	if len(got) != n || !slices.IsSorted(got) || got[0] != "acct-0001" || got[n-1] != fmt.Sprintf("acct-%04d", n) {
		t.Errorf("List yielded %d accounts (sorted %v, first %q), want %d in order", len(got), slices.IsSorted(got), got[0], n)
	}
}

// insertDue adds n records named acct-00000… all due before now.
func insertDue(t testing.TB, s *Store, n int, now time.Time) {
	t.Helper()
	q := pgx.Identifier{s.schema}.Sanitize()
	if _, err := s.pool.Exec(context.Background(), `INSERT INTO `+q+`.accounts (account, account_id, online_id,
		sealed_access, sealed_refresh, key_id, next_refresh, version, updated_at)
		SELECT 'acct-' || lpad(i::text, 5, '0'), i::text, 'online-' || i, '\x01'::bytea, '\x02'::bytea, 1,
			$2::timestamptz - i * interval '1 second', 1, now()
		FROM generate_series(1, $1) i`, n, now); err != nil {
		t.Fatalf("insert %d due rows: %v", n, err)
	}
}

// TestClaimDueUsesTheNextRefreshIndex checks, with EXPLAIN on a table of
// 20,000 rows of which 50 are due, that the claim reads the next_refresh
// index instead of scanning the table.
func TestClaimDueUsesTheNextRefreshIndex(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	insertDue(t, s, 20_000, now.Add(48*time.Hour)) // all due in two days…
	q := pgx.Identifier{s.schema}.Sanitize()
	if _, err := s.pool.Exec(ctx, "UPDATE "+q+".accounts SET next_refresh = next_refresh - interval '3 days' WHERE account <= 'acct-00050'"); err != nil {
		t.Fatalf("make 50 due: %v", err) // …but these 50, due now
	}
	if _, err := s.pool.Exec(ctx, "ANALYZE "+q+".accounts"); err != nil {
		t.Fatalf("ANALYZE: %v", err)
	}
	rows, err := s.pool.Query(ctx, "EXPLAIN "+s.q.claimDue, now, 10, "w", time.Minute.Microseconds())
	if err != nil {
		t.Fatalf("EXPLAIN: %v", err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("EXPLAIN: %v", err)
	}
	plan := strings.Join(lines, "\n")
	if !strings.Contains(plan, "accounts_next_refresh") || strings.Contains(plan, "Seq Scan") {
		t.Errorf("claim plan does not use the next_refresh index:\n%s", plan)
	}
}
