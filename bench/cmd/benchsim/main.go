// Command benchsim serves the psntest simulator for bench/compare with the
// per-account rate limit switched off (psn sim serve has no flag for it).
//
// Like psn sim serve it listens on -addr (port 0 picks a free one), prints
// one JSON line {"url":…,"users":[…]} on stdout, and serves until SIGTERM or
// SIGINT.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/psnkit/psn/psntest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "benchsim:", err)
		os.Exit(1)
	}
}

func run() error {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	users := flag.Int("users", 50, "number of simulated users")
	seed := flag.Int64("seed", 1, "simulator seed")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	sim := psntest.New(psntest.Config{
		Users:     *users,
		Seed:      *seed,
		RateLimit: -1, // off: the benchmark sends thousands of requests as one account
		AccessTTL: 24 * time.Hour,
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	if _, err := os.Stdout.Write(sim.StartupLine("http://" + ln.Addr().String())); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		if err := srv.Close(); err != nil {
			return err
		}
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}
