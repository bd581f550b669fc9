package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/itchyny/gojq"
	"github.com/psnkit/psn"
	"github.com/psnkit/psn/seal"
	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/store/postgres"
	"github.com/psnkit/psn/store/redis"
	"github.com/psnkit/psn/store/sqlite"
	"github.com/psnkit/psn/vault"
)

// App holds the global flags and what commands open lazily.
type App struct {
	name string // the program: psn, psn-vault
	// process: the app is this process (Main), its streams the process's.
	process        bool
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string

	storeURL, endpoint, account, output string
	verbose                             bool
	// jq is --jq EXPR, compiled into jqCode before the command runs.
	jq     string
	jqCode *gojq.Code
	// mayCreate lets openStore create and migrate the store: set for the
	// commands that write one (login, keys, vault).
	mayCreate bool

	st   store.Store
	keys *vault.Keys
	srcs []*psn.RefreshingSource // closed (drained) before the store
}

func newApp(name string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) *App {
	return &App{name: name, stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
}

func (a *App) close() {
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
func (a *App) configDir() (string, error) {
	if d := a.getenv("PSN_CONFIG_DIR"); d != "" {
		return d, nil
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no config directory (set PSN_CONFIG_DIR): %w", err)
	}
	return filepath.Join(d, "psn"), nil
}

// storeLocation is --store, else $PSN_STORE, else the default SQLite file
// in the config dir; explicit says whether the user named it.
func (a *App) storeLocation() (u string, explicit bool, err error) {
	if u = a.storeURL; u == "" {
		u = a.getenv("PSN_STORE")
	}
	if u != "" {
		return u, true, nil
	}
	dir, err := a.configDir()
	if err != nil {
		return "", false, err
	}
	return filepath.Join(dir, "psn.db"), false, nil
}

// openStore opens the store named by --store, $PSN_STORE, or the default
// SQLite file. Only commands marked as creating (login, keys, vault) may
// create or migrate it; every other command opens an existing store or
// fails: an explicit location that holds no store is an error naming it,
// and a missing default store means that no account is logged in.
func (a *App) openStore(ctx context.Context) (store.Store, error) {
	if a.st != nil {
		return a.st, nil
	}
	u, explicit, err := a.storeLocation()
	if err != nil {
		return nil, err
	}
	st, err := openStoreURL(ctx, u, a.mayCreate)
	switch {
	case errors.Is(err, store.ErrNoStore) && explicit:
		return nil, &userError{what: fmt.Sprintf("no token store at %s", redactStoreURL(u)),
			hint: "Check --store (or PSN_STORE). Only `psn login`, `psn keys`, `psn-vault serve` and `psn-vault apikey create` create a store.", err: err}
	case errors.Is(err, store.ErrNoStore):
		return nil, &userError{what: fmt.Sprintf("account %q is not logged in (there is no token store yet)", a.account),
			hint: a.loginHint(), err: fmt.Errorf("%w: %w: %w", errNoDefaultStore, errNotLoggedIn, err), quiet: true}
	case err != nil:
		if ue, ok := err.(*userError); ok {
			return nil, ue
		}
		return nil, &userError{what: fmt.Sprintf("cannot open the token store %s", redactStoreURL(u)), err: err}
	}
	a.st = st
	return st, nil
}

// errNoDefaultStore: the default store does not exist yet (nobody logged in).
var errNoDefaultStore = errors.New("no default store")

// redactStoreURL hides a password in a store URL, for messages.
func redactStoreURL(u string) string {
	if !strings.Contains(u, "://") {
		return strconvQuote(u)
	}
	p, err := url.Parse(u)
	if err != nil {
		return "(an unparsable URL)"
	}
	if _, has := p.User.Password(); !has {
		return u
	}
	return p.Redacted()
}

// strconvQuote quotes a path only when it needs it (blanks, quotes).
func strconvQuote(s string) string {
	if s == "" || strings.ContainsAny(s, " \t\n\"'`") || strings.TrimSpace(s) != s {
		return strconv.Quote(s)
	}
	return s
}

// ErrUnknownStore: a --store URL with a scheme no backend serves.
var errUnknownStore = errors.New("unknown store URL scheme: use sqlite:///path/file.db, postgres://… or redis://…")

// openStoreURL opens the store at u; create allows creating and migrating
// it (otherwise the backends' OpenExisting is used).
func openStoreURL(ctx context.Context, u string, create bool) (store.Store, error) {
	if strings.TrimSpace(u) == "" || strings.TrimSpace(u) != u {
		return nil, usageError("--store %s: the location is blank or has blanks around it", strconv.Quote(u))
	}
	scheme, _, ok := strings.Cut(u, "://")
	if !ok {
		scheme = ""
	}
	switch strings.ToLower(scheme) {
	case "", "sqlite", "file":
		if scheme == "" && strings.Contains(u, "%") {
			return nil, usageError("--store %s: a plain path is taken literally; write sqlite:///path for a path with %%-escapes", strconvQuote(u))
		}
		if create {
			return sqlite.Open(ctx, u)
		}
		return sqlite.OpenExisting(ctx, u)
	case "postgres", "postgresql":
		if p, err := url.Parse(u); err == nil && strings.Trim(p.Path, "/") == "" && p.Query().Get("dbname") == "" {
			return nil, usageError("--store %s names no database: write postgres://user@host:5432/DATABASE", redactStoreURL(u))
		}
		if create {
			return postgres.Open(ctx, u)
		}
		return postgres.OpenExisting(ctx, u)
	case "redis", "rediss":
		if create {
			return redis.Open(ctx, u)
		}
		return redis.OpenExisting(ctx, u)
	}
	return nil, &userError{what: fmt.Sprintf("--store %s: %v", redactStoreURL(u), errUnknownStore), err: errUnknownStore, quiet: true}
}

// openKeys opens the store's key ring with the key material found first:
// PSN_KEY, PSN_KEY_FILE, PSN_PASSPHRASE, else the default key file.
func (a *App) openKeys(ctx context.Context) (*vault.Keys, error) {
	if a.keys != nil {
		return a.keys, nil
	}
	st, err := a.openStore(ctx)
	if err != nil {
		return nil, err
	}
	if !a.mayCreate {
		return a.readKeys(ctx, st) // never creates a key file or a ring
	}
	kek, err := a.kek()
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

// kek resolves the key-encryption key: PSN_KEY, PSN_KEY_FILE,
// PSN_PASSPHRASE, else the default key file. Malformed key material fails
// here, before any store is read. Only the commands that may create a
// store (login, keys, vault) create a missing key file; for the others it
// is seal.ErrNoKey.
func (a *App) kek() (seal.KEKSource, error) {
	dir, err := a.configDir()
	if err != nil {
		return nil, err
	}
	if !a.mayCreate {
		return seal.ResolveExistingKEK(a.getenv, dir)
	}
	return seal.ResolveKEK(a.getenv, dir)
}

func (a *App) logger() *slog.Logger {
	if !a.verbose {
		return nil
	}
	return slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// endpointValue is --endpoint, else PSN_ENDPOINT, else "" (Sony's hosts).
func (a *App) endpointValue() string {
	if a.endpoint != "" {
		return a.endpoint
	}
	return a.getenv("PSN_ENDPOINT")
}

// checkEndpoint refuses an --endpoint (or PSN_ENDPOINT) that is not an
// http(s) base URL, before anything is sent.
func (a *App) checkEndpoint() error {
	ep := a.endpointValue()
	if ep == "" {
		return nil
	}
	src := "--endpoint"
	if a.endpoint == "" {
		src = "PSN_ENDPOINT"
	}
	u, err := url.Parse(ep)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return usageError("%s %s is not a base URL: give one such as http://127.0.0.1:8787 (the simulator's address), or leave it unset for Sony's servers", src, quoteArg(ep))
	}
	return nil
}

// client returns a PSN client honouring --endpoint / PSN_ENDPOINT and -v,
// with extra options applied last. With -v every request is logged.
func (a *App) client(extra ...psn.Option) *psn.Client {
	opts := []psn.Option{psn.WithEndpoint(a.endpointValue())}
	if l := a.logger(); l != nil {
		opts = append(opts, psn.WithLogger(l),
			psn.WithHTTPClient(&http.Client{Transport: &logTransport{base: http.DefaultTransport, log: l}}))
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
func (a *App) session(ctx context.Context, extra ...psn.Option) (*psn.Client, *psn.RefreshingSource, error) {
	st, err := a.openStore(ctx)
	if err != nil {
		return nil, nil, err
	}
	keys, err := a.openKeys(ctx)
	if err != nil {
		return nil, nil, err
	}
	if _, err := st.Get(ctx, a.account); errors.Is(err, store.ErrNotFound) {
		return nil, nil, a.notLoggedIn(err)
	}
	c := a.client(extra...)
	src := psn.NewRefreshingSource(c, vault.NewAccountStore(st, keys.Ring, a.account, owner()).FollowKeys(keys),
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
