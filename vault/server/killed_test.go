package server

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/internal/testbackend"
	"github.com/psnkit/psn/psntest"
	"github.com/psnkit/psn/seal"
	"github.com/psnkit/psn/vault"
)

// envHang makes TestHelperLeaseAndHang run: it takes the lease of account
// "acct" in the store named by envStore, says so, and hangs (renewing the
// lease) until it is killed.
const envHang = "PSN_VAULT_HELPER_HANG"

// leasedLine is what the hanging helper prints once it holds the lease.
const leasedLine = "PSN-HELPER-LEASED"

// TestKilledProcessesAccountsAreTakenOver is issue 8 item 3: a process that
// holds an account's lease (renewing it, as a refresh in progress does) is
// killed with SIGKILL. Another process's vault service must refresh that
// account once the lease lapses: within DefaultLeaseTTL (the dead lease)
// plus one scheduler pass, never minutes — and a token request for it must
// be answered, not time out.
func TestKilledProcessesAccountsAreTakenOver(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a child process and waits out its lease (~15 s per backend)")
	}
	for _, kind := range []string{"sqlite", "postgres", "redis"} {
		t.Run(kind, func(t *testing.T) { killedProcessTakenOver(t, kind, true) })
	}
	// With nobody asking for a token: the scheduler alone takes it over.
	t.Run("sqlite-scheduler-only", func(t *testing.T) { killedProcessTakenOver(t, "sqlite", false) })
}

func killedProcessTakenOver(t *testing.T, kind string, ask bool) {
	ctx := t.Context()
	b := testbackend.New(t, kind)
	// Tokens of 4 s by the client's clock: the account is due (NextRefresh,
	// the last quarter) a few seconds after the login.
	srv := psntest.NewServer(psntest.Config{AccessTTL: 5 * time.Second, RotateRefresh: true, RateLimit: 1 << 30, Users: 1})
	t.Cleanup(srv.Close)
	var kek [32]byte
	_, _ = rand.Read(kek[:])
	key := base64.StdEncoding.EncodeToString(kek[:])
	keys, err := vault.LoadKeys(ctx, b.St, seal.KeyBase64(key))
	if err != nil {
		t.Fatalf("LoadKeys: %v", err)
	}
	npsso, err := psn.ParseNPSSO(srv.Sim.Users()[0].NPSSO)
	if err != nil {
		t.Fatal(err)
	}
	client := psn.NewClient(psn.WithEndpoint(srv.URL), psn.WithLimiter(nil))
	rec, err := vault.Login(ctx, client, b.St, keys.Ring, "acct", npsso, false)
	if err != nil {
		t.Fatalf("Login: %v", err)
	}

	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperLeaseAndHang$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), envHang+"=1", envStore+"="+b.URL, envKey+"="+key, envOwner+"=doomed")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the helper: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	sc := bufio.NewScanner(out)
	leased := false
	for sc.Scan() {
		if strings.Contains(sc.Text(), leasedLine) {
			leased = true
			break
		}
	}
	if !leased {
		t.Fatal("the helper never took the lease")
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()

	// Hold it until the account is due, so that the doomed process's
	// renewals are what keeps everybody else away.
	time.Sleep(time.Until(rec.NextRefresh))
	if held, err := b.St.Get(ctx, "acct"); err != nil || held.LeaseOwner != "doomed" {
		t.Fatalf("before the kill the lease is %q (%v), want the helper's", held.LeaseOwner, err)
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no release, no goodbye
		t.Fatal(err)
	}
	killed := time.Now()
	_ = cmd.Wait()
	dead, err := b.St.Get(ctx, "acct")
	if err != nil {
		t.Fatal(err)
	}
	// The store's own clock judged the last renewal: the dead lease ends at
	// most one lease after the kill.
	if lim := killed.Add(DefaultLeaseTTL + time.Second); dead.LeaseExpiry.After(lim) {
		t.Errorf("the killed process's lease runs until %v, more than DefaultLeaseTTL after the kill (%v)", dead.LeaseExpiry, killed)
	}

	svc, err := NewService(ServiceConfig{
		Store: b.St, Keys: keys, Owner: "survivor",
		ClientOptions: []psn.Option{psn.WithEndpoint(srv.URL), psn.WithLimiter(nil)},
		Logger:        slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan struct{})
	go func() { defer close(ran); _ = svc.Run(runCtx) }()
	defer func() { stop(); <-ran; _ = svc.Close(context.Background()) }()

	// A token request for the account meanwhile is answered once the lease
	// lapses (it waits for the holder, then takes over), not with a timeout.
	tctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var answered time.Duration
	if ask {
		tok, err := svc.Token(tctx, "acct")
		if err != nil {
			t.Fatalf("Token for the killed process's account: %v", err)
		}
		answered = time.Since(killed)
		if !tok.Expiry.After(rec.AccessExpiry) {
			t.Errorf("Token served the old token (expiry %v), want a refreshed one", tok.Expiry)
		}
	}
	// The refresh was saved by the survivor, and its lease let go.
	var final = dead
	for final.Version == dead.Version || final.LeaseOwner == "doomed" {
		if tctx.Err() != nil {
			t.Fatalf("the account was never refreshed after the kill: version %d, lease %q", final.Version, final.LeaseOwner)
		}
		time.Sleep(20 * time.Millisecond)
		if final, err = b.St.Get(ctx, "acct"); err != nil {
			t.Fatal(err)
		}
	}
	saved := time.Since(killed)
	stats := srv.Sim.Stats()
	t.Logf("%s: after SIGKILL the dead lease ended in %s, a token request was answered in %s, the refresh was saved within %s; record version %d → %d; invalid_grant %d",
		kind, dead.LeaseExpiry.Sub(killed).Round(10*time.Millisecond), answered.Round(10*time.Millisecond), saved.Round(10*time.Millisecond), dead.Version, final.Version, stats.Errors.InvalidGrant)
	if stats.Errors.InvalidGrant != 0 {
		t.Errorf("invalid_grant answers = %d, want 0", stats.Errors.InvalidGrant)
	}
}

// TestHelperLeaseAndHang is the child of
// TestKilledProcessesAccountsAreTakenOver; it does nothing unless started
// by it.
func TestHelperLeaseAndHang(t *testing.T) {
	if os.Getenv(envHang) == "" {
		t.Skip("helper process of TestKilledProcessesAccountsAreTakenOver")
	}
	ctx := context.Background()
	st, err := testbackend.OpenURL(ctx, os.Getenv(envStore))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	keys, err := vault.LoadKeys(ctx, st, seal.KeyBase64(os.Getenv(envKey)))
	if err != nil {
		t.Fatalf("LoadKeys: %v", err)
	}
	as := vault.NewAccountStore(st, keys.Ring, "acct", os.Getenv(envOwner))
	if _, err := as.Lease(ctx, DefaultLeaseTTL); err != nil {
		t.Fatalf("Lease: %v", err)
	}
	os.Stdout.WriteString("\n" + leasedLine + "\n")
	select {} // a refresh that never ends, until SIGKILL
}
