package cli

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/psnkit/psn/psntest"
	"github.com/spf13/cobra"
)

func (a *App) simCommand() *cobra.Command {
	cmd := group("sim", "The offline PlayStation Network simulator")
	var (
		addr   string
		cfg    psntest.Config
		faults string
	)
	serve := &cobra.Command{
		Use:   "serve",
		Short: "Serve a simulated PSN; prints one JSON line with its URL and users on stdout",
		Long: `Serve a simulated PlayStation Network on one listener for every PSN host's
paths. On start it prints one JSON line to stdout:
  {"url":"http://127.0.0.1:PORT","users":[{"onlineId":…,"accountId":…,"npsso":…}]}
Point the client at it with --endpoint URL (or PSN_ENDPOINT). Admin endpoints:
GET/POST /_sim/users, GET /_sim/stats, POST /_sim/clock {"advance":"65m"}.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if faults != "" {
				f, err := psntest.ParseFaults(faults)
				if err != nil {
					return err
				}
				cfg.Faults = f
			}
			if l := a.logger(); l != nil {
				cfg.Logger = l
			}
			sim := psntest.New(cfg)
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("sim: %w", err)
			}
			srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
			url := "http://" + ln.Addr().String()
			if _, err := a.stdout.Write(sim.StartupLine(url)); err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "psn sim: serving on %s (Ctrl-C to stop)\n", url)
			done := make(chan error, 1)
			go func() { done <- srv.Serve(ln) }()
			select {
			case err := <-done:
				return err
			case <-cmd.Context().Done():
				shut := make(chan struct{})
				go func() { srv.Close(); close(shut) }()
				<-shut
				if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
					return err
				}
				return nil
			}
		},
	}
	f := serve.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:8787", "listen address (port 0 picks a free port)")
	f.DurationVar(&cfg.AccessTTL, "access-ttl", time.Hour, "access token lifetime")
	f.DurationVar(&cfg.RefreshTTL, "refresh-ttl", 1440*time.Hour, "refresh token lifetime (a refresh does not extend it)")
	f.BoolVar(&cfg.RotateRefresh, "rotate-refresh", false, "revoke the used refresh token on every refresh and issue a new one")
	f.Int64Var(&cfg.Seed, "seed", 1, "seed of every user, id, NPSSO and data item")
	f.IntVar(&cfg.Users, "users", 3, "number of users to create")
	f.StringVar(&faults, "faults", "", "faults to inject, e.g. 5xx=0.1,latency=50ms,reset=0.05,edge403=0.1,burst429=3 (see docs/simulator.md)")
	cmd.AddCommand(serve)
	return cmd
}
