package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

// config is everything the flags choose.
type config struct {
	psnBin       string
	psnVaultBin  string
	store        string
	pgURL        string
	redisURL     string
	replicas     int
	accounts     int
	keepNPSSO    bool
	clients      int
	rate         float64
	duration     time.Duration
	settle       time.Duration
	stuckAfter   time.Duration
	accessTTL    time.Duration
	cliEvery     time.Duration
	cliMax       int
	cliTimeout   time.Duration
	reqTimeout   time.Duration
	killAt       time.Duration
	restartAfter time.Duration
	killReplica  int
	killMode     string
	hookFail     float64
	hookDrain    time.Duration
	checkBudget  int
	seed         int64
	logDir       string
	reportOnly   bool
	strict       bool
	short        bool
	timeout      time.Duration
}

// errUsage marks a bad command line (exit 2).
var errUsage = errors.New("usage")

// parseFlags reads args into a config. --short changes the defaults of the
// flags not given explicitly.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("soak", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: go run ./bench/soak [flags]\n\nSoak test of psn-vault serve: a simulator (psn sim serve), R replicas of\npsn-vault serve on one store, token clients, psn token print beside them,\noptionally a kill -9 of a replica. See docs/benchmarks.md.\n\nflags:")
		fs.PrintDefaults()
	}
	fs.StringVar(&c.psnBin, "psn", "", "psn binary to run: the simulator and token print (default: go build ./cmd/psn into the run's directory)")
	fs.StringVar(&c.psnVaultBin, "psn-vault", "", "psn-vault binary to run: the replicas and apikey create (default: the psn-vault next to --psn, else go build ./cmd/psn-vault into the run's directory)")
	fs.StringVar(&c.store, "store", "sqlite", "store: sqlite, postgres, redis, or a postgres:// or redis:// base URL (a fresh schema or key prefix is added and removed afterwards)")
	fs.StringVar(&c.pgURL, "pg-url", envOr("PSN_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"), "PostgreSQL base URL for --store postgres (env PSN_TEST_POSTGRES_URL)")
	fs.StringVar(&c.redisURL, "redis-url", envOr("PSN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"), "Redis base URL for --store redis (env PSN_TEST_REDIS_URL)")
	fs.IntVar(&c.replicas, "replicas", 3, "replicas of psn-vault serve")
	fs.IntVar(&c.accounts, "accounts", 600, "accounts added through POST /v1/accounts")
	fs.BoolVar(&c.keepNPSSO, "keep-npsso", false, "add the accounts with keepNpsso (the vault may log in again by itself)")
	fs.IntVar(&c.clients, "clients", 16, "client goroutines requesting tokens")
	fs.Float64Var(&c.rate, "rate", 200, "token requests per second over all clients")
	fs.DurationVar(&c.duration, "duration", 150*time.Second, "how long the load runs")
	fs.DurationVar(&c.stuckAfter, "stuck-after", 15*time.Second, "an account whose access token expired longer ago than this when the run is judged is reported stuck")
	fs.DurationVar(&c.settle, "settle", 30*time.Second, "after the load, how long the replicas' schedulers run alone before the accounts are judged (longer than a dead replica's leases, so that a token lost in a kill shows)")
	fs.DurationVar(&c.accessTTL, "access-ttl", 5*time.Second, "the simulator's access-token lifetime (refresh tokens always rotate)")
	fs.DurationVar(&c.cliEvery, "cli-every", 200*time.Millisecond, "start `psn --account acctNNNN token print` for a random account this often (0: never)")
	fs.IntVar(&c.cliMax, "cli-max", 4, "CLI processes at most in flight (a start beyond it is skipped and counted)")
	fs.DurationVar(&c.cliTimeout, "cli-timeout", 60*time.Second, "a CLI process running longer is killed (and counted)")
	fs.DurationVar(&c.reqTimeout, "request-timeout", 90*time.Second, "a token request unanswered this long is given up and counted as failed (the vault itself answers 504 after 70 s)")
	fs.DurationVar(&c.killAt, "kill-at", 60*time.Second, "kill -9 one replica this long into the load (0: never)")
	fs.DurationVar(&c.restartAfter, "restart-after", 5*time.Second, "restart the killed replica after this pause")
	fs.IntVar(&c.killReplica, "kill-replica", 1, "index of the replica to kill")
	fs.StringVar(&c.killMode, "kill-mode", "quiet", "quiet: kill between two refreshes (the replica's new grants are held at the proxy until every grant PSN answered it is saved, at most 5 s); hook: as quiet, and while the replica has a webhook POST held unanswered at the receiver (waited for at most 5 s), so that it dies holding claimed events; anytime: kill at once, maybe between PSN's answer and the save — with rotating refresh tokens that loses the account whatever the protocol")
	fs.Float64Var(&c.hookFail, "hook-fail", 0.1, "fraction of the well-signed webhook POSTs the receiver answers 500 at random, so that the vault retries them (0–1)")
	fs.DurationVar(&c.hookDrain, "hook-drain", 2*time.Minute, "after the settle period, how long at most to wait for the expected webhook events still missing (the wait ends when all are in; after a kill it lasts at least until the killed replica's 2-minute claims have lapsed): the vault backs off 5 s, 10 s, 20 s, 40 s … also for events not attempted behind a failed one, so with --hook-fail 0.1 the last of a few hundred events can arrive 1–3 minutes after it was raised")
	fs.IntVar(&c.checkBudget, "check-budget", 150, "tokens checked at the simulator per account at most (PSN's rate limit is 300 requests per 15 minutes per account, refreshes included)")
	fs.Int64Var(&c.seed, "seed", 1, "simulator seed")
	fs.StringVar(&c.logDir, "logs", "", "keep the processes' logs in this directory (default: a temporary one, kept only when the run fails)")
	fs.BoolVar(&c.reportOnly, "report-only", false, "exit 0 even when accounts were lost or PSN saw invalid_grant")
	fs.BoolVar(&c.strict, "strict", false, "also exit 1 on failed or stale tokens, or PSN's refresh grants != saves")
	fs.BoolVar(&c.short, "short", false, "short form for CI (~45 s): 200 accounts, 20 s of load, kill at 8 s, restart after 3 s, 8 clients at 100 req/s, 20 s settle, stuck after 10 s, token requests and CLI runs given up after 20 s, --hook-fail 0.03")
	fs.DurationVar(&c.timeout, "timeout", 0, "hard bound on the whole run (default: duration + settle + 4 minutes)")
	if err := fs.Parse(args); err != nil {
		return c, fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	if c.short {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		short := map[string]func(){
			"accounts":      func() { c.accounts = 200 },
			"duration":      func() { c.duration = 20 * time.Second },
			"kill-at":       func() { c.killAt = 8 * time.Second },
			"restart-after": func() { c.restartAfter = 3 * time.Second },
			"rate":          func() { c.rate = 100 },
			"clients":       func() { c.clients = 8 },
			"settle":        func() { c.settle = 20 * time.Second },
			"stuck-after":   func() { c.stuckAfter = 10 * time.Second },
			// Fewer injected webhook failures: the vault's backoff (events
			// behind a failed one back off too) would stretch the run.
			"hook-fail": func() { c.hookFail = 0.03 },
			// Recovery from a kill is meant to take ≤ 15 s: longer waits
			// fail instead of stretching the run.
			"request-timeout": func() { c.reqTimeout = 20 * time.Second },
			"cli-timeout":     func() { c.cliTimeout = 20 * time.Second },
		}
		for name, apply := range short {
			if !set[name] {
				apply()
			}
		}
	}
	if c.timeout == 0 {
		c.timeout = c.duration + c.settle + 4*time.Minute
	}
	return c, c.validate()
}

func (c config) validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{errUsage}, a...)...)
	}
	switch {
	case c.replicas < 1:
		return bad("--replicas must be at least 1")
	case c.accounts < 1 || c.accounts > 9999:
		return bad("--accounts must be 1–9999 (names are acct0000–acct9999)")
	case c.clients < 0 || c.rate < 0:
		return bad("--clients and --rate must not be negative")
	case c.clients > 0 && c.rate == 0:
		return bad("--rate must be positive when there are clients")
	case c.duration <= 0:
		return bad("--duration must be positive")
	case c.accessTTL < 2*time.Second:
		return bad("--access-ttl must be at least 2s")
	case c.killAt < 0 || c.killAt >= c.duration && c.killAt != 0:
		return bad("--kill-at must be 0 or within --duration")
	case c.killAt > 0 && (c.killReplica < 0 || c.killReplica >= c.replicas):
		return bad("--kill-replica must name one of the %d replicas (0–%d)", c.replicas, c.replicas-1)
	case c.cliEvery < 0 || c.cliMax < 1 && c.cliEvery > 0:
		return bad("--cli-every must not be negative and --cli-max must be at least 1")
	case c.killMode != "quiet" && c.killMode != "anytime" && c.killMode != "hook":
		return bad("--kill-mode must be quiet, hook or anytime")
	case c.hookFail < 0 || c.hookFail >= 1:
		return bad("--hook-fail must be in [0, 1)")
	case c.hookDrain < 0:
		return bad("--hook-drain must not be negative")
	case c.reqTimeout <= 0 || c.cliTimeout <= 0:
		return bad("--request-timeout and --cli-timeout must be positive")
	case c.checkBudget < 0:
		return bad("--check-budget must not be negative")
	}
	_, err := newNamespace(c.store, c.pgURL, c.redisURL, os.TempDir(), "check")
	return err
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
