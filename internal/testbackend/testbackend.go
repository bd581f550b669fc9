// Package testbackend opens the isolated stores that cross-process tests of
// several packages share: a SQLite file in a temp dir, a fresh PostgreSQL
// schema or a fresh Redis key prefix, each removed when the test ends.
// PSN_TEST_POSTGRES_URL and PSN_TEST_REDIS_URL point them elsewhere; a
// server that cannot be reached skips the test (fails it with
// PSN_REQUIRE_SERVICES=1). For tests only.
package testbackend

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	goredis "github.com/redis/go-redis/v9"

	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/store/postgres"
	"github.com/psnkit/psn/store/redis"
	"github.com/psnkit/psn/store/sqlite"
)

// The services the cross-process tests use; PSN_TEST_POSTGRES_URL and
// PSN_TEST_REDIS_URL point them elsewhere.
func postgresBase() string {
	if u := os.Getenv("PSN_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

func redisBase() string {
	if u := os.Getenv("PSN_TEST_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

// OpenURL opens a store by URL, the way a child process does.
func OpenURL(ctx context.Context, u string) (store.Store, error) {
	switch {
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		return postgres.Open(ctx, u)
	case strings.HasPrefix(u, "redis://"):
		return redis.Open(ctx, u)
	default:
		return sqlite.Open(ctx, u)
	}
}

// serviceDown skips t (or fails it with PSN_REQUIRE_SERVICES=1) when err
// says the service cannot be reached.
func serviceDown(t testing.TB, what, how string, err error) {
	t.Helper()
	msg := fmt.Sprintf("%s is not reachable: %v\nstart it (%s), or set PSN_REQUIRE_SERVICES=1 in CI to make this a failure", what, err, how)
	if os.Getenv("PSN_REQUIRE_SERVICES") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func randName(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// Backend is one shared store for a test: its kind, its URL (for child
// processes) and the parent's handle.
type Backend struct {
	Name string
	URL  string
	St   store.Store
}

// New opens a fresh, isolated store of the named kind (a SQLite file
// in a temp dir, a PostgreSQL schema, a Redis key prefix) that is removed
// when t ends; it skips t when the service is down.
func New(t *testing.T, kind string) Backend {
	t.Helper()
	ctx := context.Background()
	var u string
	switch kind {
	case "sqlite":
		u = "sqlite://" + filepath.Join(t.TempDir(), "psn.db")
	case "postgres":
		schema := randName("psnvault_")
		pu, err := url.Parse(postgresBase())
		if err != nil {
			t.Fatalf("PSN_TEST_POSTGRES_URL: %v", err)
		}
		q := pu.Query()
		q.Set("schema", schema)
		pu.RawQuery = q.Encode()
		u = pu.String()
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			conn, err := pgx.Connect(ctx, postgresBase())
			if err != nil {
				t.Errorf("drop schema %s: %v", schema, err)
				return
			}
			defer conn.Close(ctx)
			if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
				t.Errorf("drop schema %s: %v", schema, err)
			}
		})
	case "redis":
		prefix := randName("psnvault:") + ":"
		ru, err := url.Parse(redisBase())
		if err != nil {
			t.Fatalf("PSN_TEST_REDIS_URL: %v", err)
		}
		q := ru.Query()
		q.Set("prefix", prefix)
		ru.RawQuery = q.Encode()
		u = ru.String()
		t.Cleanup(func() { dropRedisPrefix(t, prefix) })
	default:
		t.Fatalf("unknown backend %q", kind)
	}
	st, err := OpenURL(ctx, u)
	if err != nil {
		if errors.Is(err, store.ErrUnavailable) {
			how := map[string]string{
				"postgres": "e.g. `pg_ctlcluster 15 main start`, trust auth, database `test`, at 127.0.0.1:5432",
				"redis":    "e.g. `redis-server --save '' --appendonly no --daemonize yes` at 127.0.0.1:6379",
			}[kind]
			serviceDown(t, kind, how, err)
		}
		t.Fatalf("open %s store: %v", kind, err)
	}
	t.Cleanup(func() { st.Close() })
	return Backend{Name: kind, URL: u, St: st}
}

// dropRedisPrefix deletes every key under prefix.
func dropRedisPrefix(t testing.TB, prefix string) {
	opt, err := goredis.ParseURL(redisBase())
	if err != nil {
		t.Errorf("PSN_TEST_REDIS_URL: %v", err)
		return
	}
	c := goredis.NewClient(opt)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	iter := c.Scan(ctx, 0, prefix+"*", 500).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Errorf("redis cleanup of %s: %v", prefix, err)
		return
	}
	if len(keys) > 0 {
		if err := c.Del(ctx, keys...).Err(); err != nil {
			t.Errorf("redis cleanup of %s: %v", prefix, err)
		}
	}
}
