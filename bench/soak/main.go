// Command soak is the soak harness of psn-vault serve (issue 8): it starts
// the simulator (short access tokens, rotating refresh tokens), R replicas
// of psn-vault serve on one store, adds A accounts through the API, loads
// the token endpoint from client goroutines that check every token at the
// simulator, runs `psn --account acctNNNN token print` for random accounts
// on the same store beside them, optionally kill -9s a replica and
// restarts it, receives every replica's webhooks (signed with a random
// PSN_WEBHOOK_SECRET, a --hook-fail fraction answered 500), and at the end
// prints a table and the line
//
//	lost=… invalid_grant=… failed=… stale=… grants=… saves=… hook_missing=… hook_bad_sig=… hook_dupes=… hooks=…
//
// It exits 1 when an account was lost, PSN saw an invalid_grant, an
// expected webhook event never arrived or one came with a bad signature
// (unless --report-only), 2 when the run could not be set up.
//
//	go run ./bench/soak --store postgres          # 150 s, 600 accounts, 3 replicas
//	go run ./bench/soak --short --store sqlite    # the CI form, ~40 s
//	go run ./bench/soak --short --psn /tmp/ci/psn  # psn-vault taken from /tmp/ci too
//
// It drives only two programs, run directly as an operator would, and HTTP,
// all on 127.0.0.1: psn (the simulator, token print) and psn-vault (the
// replicas — so a kill -9 hits the vault process itself —, apikey create).
// Both are built from this module into the run's directory unless --psn and
// --psn-vault give them; without --psn-vault, a psn-vault next to --psn is
// taken. It kills every process it started on every way out (end, error,
// Ctrl-C, --timeout). See
// docs/benchmarks.md ("Soak: the vault under replicas, CLI and kill -9").
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(realMain(os.Args[1:]))
}

func realMain(args []string) int {
	cfg, err := parseFlags(args, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	h := newHarness(cfg, os.Stdout, os.Stderr)
	res, err := h.run(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		return 2
	}
	if why := res.failing(cfg.strict); len(why) > 0 {
		if cfg.reportOnly {
			fmt.Fprintln(os.Stderr, "soak: would fail (--report-only):", why)
			return 0
		}
		fmt.Fprintln(os.Stderr, "soak: FAIL:", why)
		return 1
	}
	return 0
}
