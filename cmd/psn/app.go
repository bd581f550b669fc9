package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/seal"
	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/store/postgres"
	"github.com/psnkit/psn/store/redis"
	"github.com/psnkit/psn/store/sqlite"
	"github.com/psnkit/psn/vault"
)

// app holds the global flags and what commands open lazily.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string

	storeURL, endpoint, account, output string
	verbose                             bool

	st   store.Store
	keys *vault.Keys
	srcs []*psn.RefreshingSource // closed (drained) before the store
}

func newApp(stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) *app {
	return &app{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
}

func (a *app) close() {
	// A refresh still running (say, after Ctrl-C) is given a few seconds
	// to save its token: PSN may already have rotated the refresh token.
	for _, src := range a.srcs {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := src.Close(ctx); err != nil {
			fmt.Fprintln(a.stderr, err) // already "psn: …"
		}
		cancel()
	}
	if a.st != nil {
		a.st.Close()
	}
}

// configDir is where the default store and key file live: $PSN_CONFIG_DIR,
// else the user's config dir + "/psn".
func (a *app) configDir() (string, error) {
	if d := a.getenv("PSN_CONFIG_DIR"); d != "" {
		return d, nil
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no config directory (set PSN_CONFIG_DIR): %w", err)
	}
	return filepath.Join(d, "psn"), nil
}

// openStore opens the store named by --store, $PSN_STORE, or the default
// SQLite file.
func (a *app) openStore(ctx context.Context) (store.Store, error) {
	if a.st != nil {
		return a.st, nil
	}
	u := a.storeURL
	if u == "" {
		u = a.getenv("PSN_STORE")
	}
	if u == "" {
		dir, err := a.configDir()
		if err != nil {
			return nil, err
		}
		u = filepath.Join(dir, "psn.db")
	}
	st, err := openStoreURL(ctx, u)
	if err != nil {
		return nil, err
	}
	a.st = st
	return st, nil
}

// ErrUnknownStore: a --store URL with a scheme no backend serves.
var errUnknownStore = errors.New("unknown store URL scheme: use sqlite:///path/file.db, postgres://… or redis://…")

func openStoreURL(ctx context.Context, u string) (store.Store, error) {
	scheme, _, ok := strings.Cut(u, "://")
	if !ok {
		scheme = ""
	}
	switch strings.ToLower(scheme) {
	case "", "sqlite", "file":
		return sqlite.Open(ctx, u)
	case "postgres", "postgresql":
		return postgres.Open(ctx, u)
	case "redis", "rediss":
		return redis.Open(ctx, u)
	}
	return nil, fmt.Errorf("%w (got %q)", errUnknownStore, scheme+"://")
}

// openKeys opens the store's key ring with the key material found first:
// PSN_KEY, PSN_KEY_FILE, PSN_PASSPHRASE, else the default key file.
func (a *app) openKeys(ctx context.Context) (*vault.Keys, error) {
	if a.keys != nil {
		return a.keys, nil
	}
	st, err := a.openStore(ctx)
	if err != nil {
		return nil, err
	}
	dir, err := a.configDir()
	if err != nil {
		return nil, err
	}
	kek, err := seal.ResolveKEK(a.getenv, dir)
	if err != nil {
		return nil, err
	}
	k, err := vault.LoadKeys(ctx, st, kek)
	if err != nil {
		return nil, err
	}
	a.keys = k
	return k, nil
}

func (a *app) logger() *slog.Logger {
	if !a.verbose {
		return nil
	}
	return slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// client returns a PSN client honouring --endpoint / PSN_ENDPOINT and -v,
// with extra options applied last.
func (a *app) client(extra ...psn.Option) *psn.Client {
	ep := a.endpoint
	if ep == "" {
		ep = a.getenv("PSN_ENDPOINT")
	}
	opts := []psn.Option{psn.WithEndpoint(ep)}
	if l := a.logger(); l != nil {
		opts = append(opts, psn.WithLogger(l))
	}
	return psn.NewClient(append(opts, extra...)...)
}

// owner names this process in store leases.
func owner() string {
	host, _ := os.Hostname()
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// session is an authenticated client for the selected account; token
// refreshes and data calls share one client, so one rate limit.
func (a *app) session(ctx context.Context, extra ...psn.Option) (*psn.Client, *psn.RefreshingSource, error) {
	st, err := a.openStore(ctx)
	if err != nil {
		return nil, nil, err
	}
	keys, err := a.openKeys(ctx)
	if err != nil {
		return nil, nil, err
	}
	if _, err := st.Get(ctx, a.account); errors.Is(err, store.ErrNotFound) {
		return nil, nil, fmt.Errorf("account %q is not logged in: run `psn login --account %s`: %w", a.account, a.account, psn.ErrNoToken)
	}
	c := a.client(extra...)
	src := psn.NewTokenSource(c, vault.NewAccountStore(st, keys.Ring, a.account, owner()).FollowKeys(keys),
		psn.OnRefreshExpiring(func(_ context.Context, exp time.Time, kept bool) {
			fmt.Fprintf(a.stderr, "psn: warning: the refresh token of %q expires %s%s\n", a.account, humanUntil(exp, time.Now()), npssoHint(kept))
		}))
	a.srcs = append(a.srcs, src)
	return c.WithTokenSource(src), src, nil
}

func npssoHint(kept bool) string {
	if kept {
		return " (the kept NPSSO will be used then, while it lasts)"
	}
	return " — run `psn login` before then"
}

// humanUntil says "in 6 days" / "3 minutes ago" for t relative to now.
func humanUntil(t, now time.Time) string {
	d := t.Sub(now)
	ago := d < 0
	if ago {
		d = -d
	}
	var s string
	switch {
	case d < time.Minute:
		s = fmt.Sprintf("%d seconds", int(d.Seconds()))
	case d < time.Hour:
		s = plural(int(d.Minutes()), "minute")
	case d < 48*time.Hour:
		s = plural(int(d.Hours()), "hour")
	default:
		s = plural(int(d.Hours()/24), "day")
	}
	if ago {
		return s + " ago"
	}
	return "in " + s
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
