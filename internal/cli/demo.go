package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/psntest"
	"github.com/psnkit/psn/seal"
	"github.com/psnkit/psn/store/sqlite"
	"github.com/psnkit/psn/vault"
	"github.com/spf13/cobra"
)

func (a *App) demoCommand() *cobra.Command {
	var callers int
	var keep bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "The whole token lifecycle, offline, against an in-process PSN simulator, in seconds",
		Long: `demo starts an in-process PSN simulator and an embedded SQLite store in a
temporary directory, logs in with a simulated user's NPSSO, reads the trophy
summary, lets the access token expire and shows the automatic refresh (one
grant however many concurrent callers), the refresh-token warning, the NPSSO
fallback when the refresh token dies, and the clear "login required" once the
NPSSO is gone too. The simulator's clock is advanced instead of waiting hours.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd.Context(), a.stdout, callers, keep)
		},
	}
	cmd.Flags().IntVar(&callers, "callers", 200, "concurrent callers at the moment the access token expires (PSN allows 300 requests per 15 minutes)")
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the demo's temporary store instead of deleting it")
	return cmd
}

// runDemo is the demo; every step checks what it claims and fails loudly
// if the lifecycle misbehaves.
func runDemo(ctx context.Context, out io.Writer, callers int, keep bool) error {
	say := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	start := time.Now()

	const accessTTL, refreshTTL = time.Hour, 3 * time.Hour
	srv := psntest.NewServer(psntest.Config{AccessTTL: accessTTL, RefreshTTL: refreshTTL, Users: 1, Seed: 7})
	defer srv.Close()
	sim := srv.Sim
	user := sim.Users()[0]
	say("psn demo: the token lifecycle, offline, against the built-in PSN simulator")
	say("")
	say("1. Simulator at %s, user %q. Access tokens live %s, refresh tokens %s;", srv.URL, user.OnlineID, accessTTL, refreshTTL)
	say("   the simulator's clock is moved forward instead of waiting.")

	dir, err := os.MkdirTemp("", "psn-demo-")
	if err != nil {
		return err
	}
	if !keep {
		defer os.RemoveAll(dir)
	}
	st, err := sqlite.Open(ctx, filepath.Join(dir, "psn.db"))
	if err != nil {
		return err
	}
	defer st.Close()
	keys, err := vault.LoadKeys(ctx, st, seal.KeyFile(filepath.Join(dir, "key")))
	if err != nil {
		return err
	}
	say("   Store: SQLite at %s; secrets sealed with XChaCha20-Poly1305 (key %08x).", filepath.Join(dir, "psn.db"), keys.Ring.Primary())

	client := psn.NewClient(psn.WithEndpoint(srv.URL), psn.WithClock(sim.Now), psn.WithLimiter(nil))
	npsso, err := psn.ParseNPSSO(user.NPSSO)
	if err != nil {
		return err
	}
	rec, err := vault.Login(ctx, client, st, keys.Ring, "demo", npsso, true)
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	say("")
	say("2. Logged in with the NPSSO (kept, sealed, for the fallback): PSN account %s.", rec.AccountID)
	say("   access token expires %s, refresh token %s (absolute instants, stored).",
		rec.AccessExpiry.Format(time.RFC3339), rec.RefreshExpiry.Format(time.RFC3339))

	var warnings, refreshes atomic.Int32
	var lastReason atomic.Value
	src := psn.NewRefreshingSource(client, vault.NewAccountStore(st, keys.Ring, "demo", owner()).FollowKeys(keys),
		psn.WithWarnBefore(150*time.Minute),
		psn.OnRefresh(func(_ context.Context, tok *psn.Token, r psn.RefreshReason) {
			refreshes.Add(1)
			lastReason.Store(r)
		}),
		psn.OnRefreshExpiring(func(_ context.Context, exp time.Time, kept bool) {
			warnings.Add(1)
			say("   ! warning hook: the refresh token expires %s; NPSSO kept: %v", humanUntil(exp, sim.Now()), kept)
		}))
	api := client.WithTokenSource(src)

	sum, err := api.Trophies.Summary(ctx, "me")
	if err != nil {
		return fmt.Errorf("trophy summary: %w", err)
	}
	c := sum.EarnedTrophies
	say("")
	say("3. Trophy summary: level %d (tier %d, %d%% to the next), %d platinum, %d gold, %d silver, %d bronze.",
		sum.TrophyLevel, sum.Tier, sum.Progress, c.Platinum, c.Gold, c.Silver, c.Bronze)

	sim.Advance(accessTTL - 20*time.Second)
	before := sim.Stats()
	say("")
	say("4. %s later the access token has 20 s left. %d goroutines ask for data at once…", (accessTTL - 20*time.Second).Round(time.Second), callers)
	var wg sync.WaitGroup
	var failed atomic.Int32
	var firstErr atomic.Value
	for range callers {
		wg.Go(func() {
			if _, err := api.Trophies.Summary(ctx, "me"); err != nil {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, err)
			}
		})
	}
	wg.Wait()
	after := sim.Stats()
	grants := after.Grants.RefreshToken - before.Grants.RefreshToken
	say("   %d answers, %d failures; refresh grants at the simulator: %d (most in flight at once: %d).",
		int32(callers)-failed.Load(), failed.Load(), grants, after.ConcurrentRefreshMax)
	if failed.Load() > 0 || grants != 1 {
		if e, ok := firstErr.Load().(error); ok {
			return fmt.Errorf("demo: expected exactly one refresh and no failures: %w", e)
		}
		return fmt.Errorf("demo: expected exactly one refresh grant, saw %d", grants)
	}
	stored, _ := st.Get(ctx, "demo")
	say("   The new token was saved (record version %d) before any caller used it.", stored.Version)

	sim.Advance(refreshTTL - accessTTL + 30*time.Minute - 20*time.Second)
	say("")
	say("5. %s later the refresh token is dead. The next call falls back to the stored NPSSO…", (refreshTTL - accessTTL + 30*time.Minute - 20*time.Second).Round(time.Minute))
	codeBefore := sim.Stats().Grants.AuthorizationCode
	if _, err := api.Trophies.Summary(ctx, "me"); err != nil {
		return fmt.Errorf("demo: NPSSO fallback: %w", err)
	}
	s5 := sim.Stats()
	if r, _ := lastReason.Load().(psn.RefreshReason); r != psn.ReasonNPSSO || s5.Grants.AuthorizationCode != codeBefore+1 {
		return fmt.Errorf("demo: expected a login with the stored NPSSO, saw reason %q", r)
	}
	say("   The expired refresh token was not even sent; the kept NPSSO logged in again by itself")
	say("   (authorization_code grants: %d) and the call succeeded.", s5.Grants.AuthorizationCode)

	if err := sim.RevokeNPSSO(user.OnlineID); err != nil {
		return err
	}
	sim.Advance(refreshTTL + time.Minute)
	say("")
	say("6. The user signs out everywhere (the NPSSO dies) and %s pass…", (refreshTTL + time.Minute).Round(time.Minute))
	_, err = api.Trophies.Summary(ctx, "me")
	var lr *psn.LoginRequiredError
	if !errors.As(err, &lr) {
		return fmt.Errorf("demo: expected login required, got %v", err)
	}
	say("   %v", err)
	say("   (`psn` exits with code 3 in this state; a human runs `psn login` once more.)")

	fin := sim.Stats()
	say("")
	say("Done in %s: %d PSN requests, grants %d authorization_code + %d refresh_token, %d rate-limited, %d refresh hooks, %d warnings.",
		time.Since(start).Round(time.Millisecond), fin.Requests, fin.Grants.AuthorizationCode, fin.Grants.RefreshToken, fin.RateLimited, refreshes.Load(), warnings.Load())
	return nil
}
