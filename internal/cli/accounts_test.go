package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/psntest"
	"github.com/psnkit/psn/seal"
	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/store/sqlite"
	"github.com/psnkit/psn/vault"
)

// acctCLI runs the psn command through run(...) against one simulator and
// one config directory, and checks at the end that no secret it ever saw
// (NPSSOs, stored access and refresh tokens) reached stdout or stderr —
// except the stdout of `token print`, whose job that is.
type acctCLI struct {
	t   *testing.T
	srv *psntest.Server
	dir string
	env map[string]string

	outputs []string
	secrets map[string]bool
}

func newAcctCLI(t *testing.T, cfg psntest.Config) *acctCLI {
	t.Helper()
	if cfg.Users == 0 {
		cfg.Users = 2
	}
	srv := psntest.NewServer(cfg)
	c := &acctCLI{t: t, srv: srv, dir: filepath.Join(t.TempDir(), "config"), secrets: map[string]bool{}}
	c.env = map[string]string{"PSN_CONFIG_DIR": c.dir, "PSN_ENDPOINT": srv.URL}
	for _, u := range srv.Sim.Users() {
		c.secrets[u.NPSSO] = true
	}
	t.Cleanup(func() {
		srv.Close()
		for _, out := range c.outputs {
			for s := range c.secrets {
				if s != "" && strings.Contains(out, s) {
					t.Errorf("a secret (%.8s…) appeared in the command's output:\n%s", s, out)
				}
			}
		}
	})
	return c
}

// user returns the simulator's i-th user and its NPSSO.
func (c *acctCLI) user(i int) (psntest.User, string) {
	u := c.srv.Sim.Users()[i]
	return u, u.NPSSO
}

// run runs psn with args, stdin and the harness's environment plus extra
// ("NAME=value"), and records its output for the secret scan.
func (c *acctCLI) run(stdin string, args []string, extra ...string) (code int, stdout, stderr string) {
	c.t.Helper()
	code, stdout, stderr = c.exec(stdin, args, extra...)
	c.outputs = append(c.outputs, stdout, stderr)
	return code, stdout, stderr
}

// printToken runs `token print`; its stdout is the one place a secret goes.
func (c *acctCLI) printToken(args []string, extra ...string) (code int, stdout, stderr string) {
	c.t.Helper()
	code, stdout, stderr = c.exec("", append(args, "token", "print"), extra...)
	c.outputs = append(c.outputs, stderr)
	return code, stdout, stderr
}

func (c *acctCLI) exec(stdin string, args []string, extra ...string) (int, string, string) {
	c.t.Helper()
	env := map[string]string{}
	for k, v := range c.env {
		env[k] = v
	}
	for _, kv := range extra {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code := run(ctx, args, strings.NewReader(stdin), &stdout, &stderr, func(k string) string { return env[k] })
	c.learnSecrets()
	return code, stdout.String(), stderr.String()
}

// learnSecrets adds the secrets now stored in the default store to the
// scan list. It creates nothing: no store file, key file or ring.
func (c *acctCLI) learnSecrets() {
	recs, ring := c.records()
	for _, rec := range recs {
		tok, npsso, err := vault.OpenRecord(ring, rec)
		if err != nil {
			continue
		}
		c.secrets[tok.AccessToken.Reveal()] = true
		c.secrets[tok.RefreshToken.Reveal()] = true
		c.secrets[tok.IDToken.Reveal()] = true
		c.secrets[npsso.Reveal()] = true
	}
}

// records returns the default store's records and its ring, opened with
// the default key file, if both exist.
func (c *acctCLI) records() ([]store.Record, *seal.Ring) {
	st, ring := c.openExisting()
	if st == nil {
		return nil, nil
	}
	defer st.Close()
	var out []store.Record
	for rec, err := range st.List(context.Background()) {
		if err != nil {
			break
		}
		out = append(out, rec)
	}
	return out, ring
}

func (c *acctCLI) dbPath() string  { return filepath.Join(c.dir, "psn.db") }
func (c *acctCLI) keyPath() string { return filepath.Join(c.dir, "key") }

// openExisting opens the default store and its ring when both exist and
// open with the default key file; otherwise nil.
func (c *acctCLI) openExisting() (*sqlite.Store, *seal.Ring) {
	if _, err := os.Stat(c.dbPath()); err != nil {
		return nil, nil
	}
	if fi, err := os.Stat(c.keyPath()); err != nil || fi.Mode().Perm() != 0o600 {
		return nil, nil
	}
	st, err := sqlite.Open(context.Background(), c.dbPath())
	if err != nil {
		return nil, nil
	}
	blob, err := st.GetMeta(context.Background(), vault.RingMeta)
	if err != nil {
		st.Close()
		return nil, nil
	}
	ring, err := seal.OpenRing(blob, seal.KeyFile(c.keyPath()))
	if err != nil {
		st.Close()
		return nil, nil
	}
	return st, ring
}

// stored returns the account's record and opened token from the default
// store (the test fails if it cannot).
func (c *acctCLI) stored(account string) (store.Record, *psn.Token, psn.Secret) {
	c.t.Helper()
	st, ring := c.openExisting()
	if st == nil {
		c.t.Fatal("no readable default store")
	}
	defer st.Close()
	rec, err := st.Get(context.Background(), account)
	if err != nil {
		c.t.Fatalf("stored %q: %v", account, err)
	}
	tok, npsso, err := vault.OpenRecord(ring, rec)
	if err != nil {
		c.t.Fatalf("opening %q: %v", account, err)
	}
	return rec, tok, npsso
}

// login logs account in with user i's NPSSO from stdin.
func (c *acctCLI) login(i int, args ...string) {
	c.t.Helper()
	_, npsso := c.user(i)
	if code, _, stderr := c.run(npsso+"\n", append([]string{"login"}, args...)); code != exitOK {
		c.t.Fatalf("login %v: exit %d\n%s", args, code, stderr)
	}
}

func acctWantCode(t *testing.T, what string, got, want int, stderr string) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: exit %d, want %d\nstderr: %s", what, got, want, stderr)
	}
}

func TestLoginFromStdin(t *testing.T) {
	c := newAcctCLI(t, psntest.Config{})
	u, npsso := c.user(0)
	code, stdout, stderr := c.run(npsso+"\n", []string{"login"})
	acctWantCode(t, "login", code, exitOK, stderr)
	if stdout != "" {
		t.Errorf("login wrote to stdout: %q", stdout)
	}
	if !strings.Contains(stderr, `Logged in as "default"`) || !strings.Contains(stderr, u.AccountID) {
		t.Errorf("login's message does not name the account: %q", stderr)
	}
	rec, tok, kept := c.stored("default")
	if rec.AccountID != u.AccountID || tok.AccessToken == "" || kept != "" {
		t.Errorf("stored: account id %q (want %q), NPSSO kept %v", rec.AccountID, u.AccountID, kept != "")
	}
	if g := c.srv.Sim.Stats().Grants.AuthorizationCode; g != 1 {
		t.Errorf("authorization_code grants = %d, want 1", g)
	}
	if fi, err := os.Stat(c.keyPath()); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("default key file: %v, mode %v; want 0600", err, fi.Mode())
	}
	// The {"npsso":"…"} JSON the Sony page shows is accepted too.
	code, _, stderr = c.run(`{"npsso":"`+npsso+`"}`, []string{"login", "--account", "json"})
	acctWantCode(t, "login with the ssocookie JSON", code, exitOK, stderr)
}

func TestLoginFromEnvironment(t *testing.T) {
	c := newAcctCLI(t, psntest.Config{})
	_, npsso := c.user(1)
	code, _, stderr := c.run("", []string{"login", "--account", "bob"}, "PSN_NPSSO="+npsso)
	acctWantCode(t, "login with PSN_NPSSO", code, exitOK, stderr)
	c.stored("bob")
}

// No argument or flag takes an NPSSO: command lines end up in shell
// histories and process lists. Such a command fails before any request.
func TestLoginRefusesNPSSOOnTheCommandLine(t *testing.T) {
	c := newAcctCLI(t, psntest.Config{})
	_, npsso := c.user(0)
	for _, args := range [][]string{
		{"login", "--npsso", npsso},
		{"login", "--npsso=" + npsso},
	} {
		code, stdout, stderr := c.run("", args)
		if code != exitError {
			t.Errorf("psn %s: exit %d, want %d", args[1][:7], code, exitError)
		}
		if strings.Contains(stdout+stderr, npsso) {
			t.Errorf("psn login --npsso echoed the NPSSO: %q", stderr)
		}
	}
	// A positional NPSSO (not scanned for echoes here: see
	// TestLoginArgumentIsNotEchoed).
	for _, args := range [][]string{{"login", npsso}, {"--account", "x", "login", npsso}, {npsso}, {"token", npsso}} {
		if code, _, _ := c.exec("", args); code != exitError {
			t.Errorf("psn login <npsso>: exit %d, want %d", code, exitError)
		}
	}
	if n := c.srv.Sim.Stats().Requests; n != 0 {
		t.Errorf("%d requests reached the simulator, want 0", n)
	}
	if _, err := os.Stat(c.dbPath()); err == nil {
		if recs, _ := c.records(); len(recs) != 0 {
			t.Errorf("%d accounts stored", len(recs))
		}
	}
	// Garbage on stdin is refused before any request, without an echo.
	code, _, stderr := c.run("not-an-npsso-but-a-secret-looking-thing", []string{"login"})
	if code != exitError || strings.Contains(stderr, "not-an-npsso") {
		t.Errorf("login with a malformed NPSSO: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = c.run("", []string{"login"})
	if code != exitError || !strings.Contains(stderr, "PSN_NPSSO") {
		t.Errorf("login with nothing on stdin: exit %d, stderr %q; want a hint", code, stderr)
	}
	if n := c.srv.Sim.Stats().Requests; n != 0 {
		t.Errorf("%d requests reached the simulator, want 0", n)
	}
}

// The error for `psn login <npsso>` must not repeat the NPSSO.
func TestLoginArgumentIsNotEchoed(t *testing.T) {
	c := newAcctCLI(t, psntest.Config{})
	_, npsso := c.user(0)
	for _, args := range [][]string{{"login", npsso}, {"--account", "x", "login", npsso}, {npsso}, {"token", npsso}} {
		code, _, stderr := c.run("", args)
		if code != exitError || strings.Contains(stderr, npsso) {
			t.Errorf("psn login <npsso>: exit %d; the NPSSO is in stderr: %v", code, strings.Contains(stderr, npsso))
		}
	}
}

// A mistyped subcommand must fail: `TOKEN=$(psn token prnt)` must not
// succeed with the help text as the token.
func TestUnknownSubcommandFails(t *testing.T) {
	c := newAcctCLI(t, psntest.Config{})
	for _, args := range [][]string{{"token", "prnt"}, {"keys", "bogus"}, {"nosuchcommand"}} {
		code, stdout, stderr := c.run("", args)
		if code != exitError || stdout != "" {
			t.Errorf("psn %v: exit %d, %d bytes on stdout; want exit 1 and nothing on stdout\n%s", args, code, len(stdout), stderr)
		}
	}
}

func TestKeepNPSSOAndTheFallback(t *testing.T) {
	c := newAcctCLI(t, psntest.Config{RotateRefresh: true})
	u, npsso := c.user(0)
	c.login(0, "--keep-npsso")
	_, _, kept := c.stored("default")
	if kept.Reveal() != npsso {
		t.Fatal("--keep-npsso did not store the NPSSO")
	}
	code, stdout, stderr := c.run("", []string{"token", "status"})
	acctWantCode(t, "token status", code, exitOK, stderr)
	if !regexp.MustCompile(`NPSSO kept:\s+true`).MatchString(stdout) {
		t.Errorf("token status does not say the NPSSO is kept:\n%s", stdout)
	}
	// The refresh token dies; a refresh logs in again with the kept NPSSO.
	if err := c.srv.Sim.RevokeRefreshTokens(u.OnlineID); err != nil {
		t.Fatal(err)
	}
	before := c.srv.Sim.Stats()
	code, _, stderr = c.run("", []string{"token", "refresh"})
	acctWantCode(t, "token refresh with a dead refresh token and a kept NPSSO", code, exitOK, stderr)
	if after := c.srv.Sim.Stats(); after.Grants.AuthorizationCode != before.Grants.AuthorizationCode+1 {
		t.Errorf("authorization_code grants %d → %d, want one more (the NPSSO fallback)", before.Grants.AuthorizationCode, after.Grants.AuthorizationCode)
	}
	// Logging in again without --keep-npsso forgets it.
	c.login(0)
	if _, _, kept := c.stored("default"); kept != "" {
		t.Error("a login without --keep-npsso kept the earlier NPSSO")
	}
}

func TestLogout(t *testing.T) {
	c := newAcctCLI(t, psntest.Config{})
	c.login(0)
	c.login(1, "--account", "other")
	code, stdout, stderr := c.run("", []string{"logout"})
	acctWantCode(t, "logout", code, exitOK, stderr)
	if stdout != "" || !strings.Contains(stderr, "Logged out") {
		t.Errorf("logout: stdout %q, stderr %q", stdout, stderr)
	}
	recs, _ := c.records()
	for _, rec := range recs {
		if rec.Account == "default" {
			t.Fatal("the account is still stored after logout")
		}
	}
	c.stored("other") // untouched
	code, _, stderr = c.run("", []string{"logout"})
	if code != exitError || !strings.Contains(stderr, "not logged in") {
		t.Errorf("second logout: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = c.printToken(nil)
	acctWantCode(t, "token print after logout", code, exitLoginRequired, stderr)
}

func TestTokenStatus(t *testing.T) {
	c := newAcctCLI(t, psntest.Config{})
	u, _ := c.user(0)
	c.login(0)
	rec, _, _ := c.stored("default")

	code, stdout, stderr := c.run("", []string{"token", "status"})
	acctWantCode(t, "token status", code, exitOK, stderr)
	for _, want := range []string{"account:        default", "PSN account id: " + u.AccountID, "access token:   fresh, expires in ", "refresh token:  ok, expires in ", "NPSSO kept:     false", "state:          ok"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("token status lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "run `psn login`") {
		t.Errorf("a refresh token 60 days from expiry asks for a login:\n%s", stdout)
	}

	code, stdout, stderr = c.run("", []string{"token", "status", "-o", "json"})
	acctWantCode(t, "token status -o json", code, exitOK, stderr)
	var h vault.Health
	if err := json.Unmarshal([]byte(stdout), &h); err != nil {
		t.Fatalf("token status -o json is not a JSON Health: %v\n%s", err, stdout)
	}
	if h.Account != "default" || h.AccountID != u.AccountID || h.State != "ok" || h.Access != vault.AccessFresh ||
		!h.AccessExpiry.Equal(rec.AccessExpiry) || !h.RefreshExpiry.Equal(rec.RefreshExpiry) || h.NPSSOKept {
		t.Errorf("token status -o json = %+v", h)
	}

	code, _, stderr = c.run("", []string{"token", "status", "--account", "nobody"})
	acctWantCode(t, "token status of an unknown account", code, exitLoginRequired, stderr)
	if !strings.Contains(stderr, "psn login --account nobody") {
		t.Errorf("unknown account: stderr %q does not say what to run", stderr)
	}
}

// Within 7 days of the refresh token's expiry and without a kept NPSSO,
// token status says by when a human must log in.
func TestTokenStatusAsksForLoginBeforeRefreshExpiry(t *testing.T) {
	c := newAcctCLI(t, psntest.Config{RefreshTTL: 6 * 24 * time.Hour})
	c.login(0)
	rec, _, _ := c.stored("default")
	code, stdout, stderr := c.run("", []string{"token", "status"})
	acctWantCode(t, "token status", code, exitOK, stderr)
	want := "run `psn login` before " + rec.RefreshExpiry.Local().Format("2006-01-02")
	if !regexp.MustCompile(`refresh token:  expiring, expires in (5|6) days \(.*\) — run`).MatchString(stdout) || !strings.Contains(stdout, want) {
		t.Errorf("token status lacks %q:\n%s", want, stdout)
	}
	if !strings.Contains(stdout, "state:          expiring") {
		t.Errorf("state is not expiring:\n%s", stdout)
	}
	// With the NPSSO kept, no login is asked for.
	c.login(0, "--keep-npsso")
	_, stdout, _ = c.run("", []string{"token", "status"})
	if strings.Contains(stdout, "run `psn login`") {
		t.Errorf("asks for a login although the NPSSO is kept:\n%s", stdout)
	}
}

func TestTokenRefreshAndPrint(t *testing.T) {
	c := newAcctCLI(t, psntest.Config{RotateRefresh: true})
	c.login(0)
	rec1, tok1, _ := c.stored("default")

	if !c.secrets[tok1.AccessToken.Reveal()] || !c.secrets[tok1.RefreshToken.Reveal()] {
		t.Fatal("the harness does not know the stored tokens: its secret scan would be blind")
	}
	code, stdout, stderr := c.printToken(nil)
	acctWantCode(t, "token print", code, exitOK, stderr)
	if stdout != tok1.AccessToken.Reveal()+"\n" {
		t.Errorf("token print stdout is not exactly the stored access token and a newline (%d bytes)", len(stdout))
	}
	if stderr != "" {
		t.Errorf("token print wrote to stderr: %q", stderr)
	}
	if g := c.srv.Sim.Stats().Grants.RefreshToken; g != 0 {
		t.Errorf("token print of a fresh token refreshed it (%d grants)", g)
	}

	code, stdout, stderr = c.run("", []string{"token", "refresh", "-v"})
	acctWantCode(t, "token refresh", code, exitOK, stderr)
	if stdout != "" || !strings.Contains(stderr, `Refreshed "default"`) {
		t.Errorf("token refresh: stdout %q, stderr %q", stdout, stderr)
	}
	rec2, tok2, _ := c.stored("default")
	if rec2.Version != rec1.Version+1 || tok2.AccessToken == tok1.AccessToken || tok2.RefreshToken == tok1.RefreshToken {
		t.Errorf("after token refresh: version %d → %d, new access %v, new (rotated) refresh %v", rec1.Version, rec2.Version,
			tok2.AccessToken != tok1.AccessToken, tok2.RefreshToken != tok1.RefreshToken)
	}
	if g := c.srv.Sim.Stats().Grants.RefreshToken; g != 1 {
		t.Errorf("refresh grants = %d, want 1", g)
	}
	code, stdout, _ = c.printToken(nil)
	if code != exitOK || stdout != tok2.AccessToken.Reveal()+"\n" {
		t.Error("token print after the refresh does not print the new stored token")
	}

	// The printed token is one PSN accepts.
	api := psn.NewClient(psn.WithEndpoint(c.srv.URL), psn.WithLimiter(nil)).WithTokenSource(acctStaticToken{tok2})
	if _, err := api.Trophies.Summary(context.Background(), "me"); err != nil {
		t.Errorf("the printed token does not work at the simulator: %v", err)
	}
}

type acctStaticToken struct{ tok *psn.Token }

func (s acctStaticToken) Token(context.Context) (*psn.Token, error) { return s.tok, nil }

// backdate moves account's access expiry into the past, as if time had
// passed on this machine (the client judges expiry by its own clock).
func (c *acctCLI) backdate(account string) {
	c.t.Helper()
	st, _ := c.openExisting()
	if st == nil {
		c.t.Fatal("no readable default store")
	}
	defer st.Close()
	ctx := context.Background()
	rec, err := st.Get(ctx, account)
	if err != nil {
		c.t.Fatal(err)
	}
	next := rec
	next.AccessExpiry = time.Now().Add(-time.Minute).UTC()
	next.NextRefresh = next.AccessExpiry
	if _, err := st.CompareAndSwap(ctx, account, rec.Version, next); err != nil {
		c.t.Fatal(err)
	}
}

func TestExitCodeLoginRequired(t *testing.T) {
	c := newAcctCLI(t, psntest.Config{})
	u, _ := c.user(0)
	c.login(0, "--keep-npsso")

	code, _, stderr := c.printToken([]string{"--account", "nobody"})
	acctWantCode(t, "token print for an unknown account", code, exitLoginRequired, stderr)

	// Everything is revoked and the access token has expired.
	if err := c.srv.Sim.RevokeNPSSO(u.OnlineID); err != nil {
		t.Fatal(err)
	}
	if err := c.srv.Sim.RevokeRefreshTokens(u.OnlineID); err != nil {
		t.Fatal(err)
	}
	c.backdate("default")
	code, stdout, stderr := c.printToken(nil)
	acctWantCode(t, "token print with every secret revoked", code, exitLoginRequired, stderr)
	if stdout != "" {
		t.Errorf("token print printed something although it failed: %d bytes", len(stdout))
	}
	if !strings.Contains(stderr, "login") {
		t.Errorf("stderr does not say to log in: %q", stderr)
	}
	code, _, stderr = c.run("", []string{"token", "refresh"})
	acctWantCode(t, "token refresh with every secret revoked", code, exitLoginRequired, stderr)
	// The record is still there for `psn login` to replace.
	c.stored("default")

	code, _, _ = c.run("", []string{"nosuchcommand"})
	acctWantCode(t, "unknown command", code, exitError, "")
}

func TestAccountsList(t *testing.T) {
	c := newAcctCLI(t, psntest.Config{})
	code, stdout, stderr := c.run("", []string{"accounts", "-o", "json"})
	acctWantCode(t, "accounts on an empty store", code, exitOK, stderr)
	if strings.TrimSpace(stdout) != "[]" {
		t.Errorf("accounts -o json on an empty store = %q, want []", stdout)
	}
	c.login(0, "--account", "alice", "--keep-npsso")
	c.login(1, "--account", "bob")
	code, stdout, stderr = c.run("", []string{"accounts"})
	acctWantCode(t, "accounts", code, exitOK, stderr)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "ACCOUNT") || !strings.HasPrefix(lines[1], "alice") || !strings.HasPrefix(lines[2], "bob") {
		t.Errorf("accounts table:\n%s", stdout)
	}
	table := stdout
	code, stdout, _ = c.run("", []string{"-o", "json", "accounts"})
	var hs []vault.Health
	if err := json.Unmarshal([]byte(stdout), &hs); err != nil || code != exitOK {
		t.Fatalf("accounts -o json: exit %d, %v\n%s", code, err, stdout)
	}
	// The table shows instants as every table does: local time, to the minute.
	if want := hs[0].RefreshExpiry.Local().Format("2006-01-02 15:04"); len(hs) > 0 && !strings.Contains(table, want) {
		t.Errorf("accounts table lacks alice's refresh expiry as local time %q:\n%s", want, table)
	}
	if len(hs) != 2 || hs[0].Account != "alice" || !hs[0].NPSSOKept || hs[1].Account != "bob" || hs[1].NPSSOKept || hs[1].State != "ok" {
		t.Errorf("accounts -o json = %+v", hs)
	}
	code, stdout, _ = c.run("", []string{"accounts", "-o", "csv"})
	if code != exitOK || !strings.HasPrefix(stdout, "account,onlineId,access,accessExpiry,refresh,refreshExpiry,npssoKept,state\n") || strings.Count(stdout, "\n") != 3 {
		t.Errorf("accounts -o csv: exit %d\n%s", code, stdout)
	}
}

// Global flags work before or after the command name.
func TestGlobalFlagsAnywhere(t *testing.T) {
	c := newAcctCLI(t, psntest.Config{})
	c.login(0, "--account", "alice")
	for _, args := range [][]string{
		{"--account", "alice", "-o", "json", "token", "status"},
		{"token", "--account", "alice", "status", "-o", "json"},
		{"token", "status", "--account=alice", "--output=json"},
		{"--endpoint", c.srv.URL, "token", "status", "--account", "alice", "-o", "json"},
	} {
		code, stdout, stderr := c.run("", args)
		var h vault.Health
		if code != exitOK || json.Unmarshal([]byte(stdout), &h) != nil || h.Account != "alice" {
			t.Errorf("psn %s: exit %d, stdout %q, stderr %q", strings.Join(args, " "), code, stdout, stderr)
		}
	}
	// --store after the command, pointing at a second file.
	other := "sqlite://" + filepath.Join(t.TempDir(), "other.db")
	_, npsso := c.user(1)
	code, _, stderr := c.run(npsso, []string{"login", "--store", other, "--account", "elsewhere"})
	acctWantCode(t, "login --store", code, exitOK, stderr)
	code, stdout, _ := c.run("", []string{"--store", other, "accounts", "-o", "json"})
	var hs []vault.Health
	if code != exitOK || json.Unmarshal([]byte(stdout), &hs) != nil || len(hs) != 1 || hs[0].Account != "elsewhere" {
		t.Errorf("accounts in the --store file: exit %d, %s", code, stdout)
	}
	recs, _ := c.records()
	for _, rec := range recs {
		if rec.Account == "elsewhere" {
			t.Error("login --store wrote into the default store")
		}
	}
}

func TestKeysCommands(t *testing.T) {
	c := newAcctCLI(t, psntest.Config{})
	c.login(0, "--account", "alice", "--keep-npsso")
	c.login(1, "--account", "bob")
	type keyRow struct {
		ID       string `json:"id"`
		Primary  bool   `json:"primary"`
		Accounts int    `json:"accounts"`
	}
	status := func() []keyRow {
		t.Helper()
		code, stdout, stderr := c.run("", []string{"keys", "status", "-o", "json"})
		acctWantCode(t, "keys status", code, exitOK, stderr)
		var rows []keyRow
		if err := json.Unmarshal([]byte(stdout), &rows); err != nil {
			t.Fatalf("keys status -o json: %v\n%s", err, stdout)
		}
		return rows
	}
	rows := status()
	if len(rows) != 1 || !rows[0].Primary || rows[0].Accounts != 2 {
		t.Fatalf("keys status after two logins = %+v", rows)
	}
	old := rows[0].ID
	code, stdout, stderr := c.run("", []string{"keys", "status"})
	if code != exitOK || !strings.Contains(stdout, old) || !strings.HasPrefix(stdout, "KEY") {
		t.Errorf("keys status table: exit %d\n%s%s", code, stdout, stderr)
	}

	code, stdout, stderr = c.run("", []string{"keys", "rotate"})
	acctWantCode(t, "keys rotate", code, exitOK, stderr)
	newID := strings.TrimSpace(stdout)
	if !regexp.MustCompile(`^[0-9a-f]{8}$`).MatchString(newID) || newID == old || !strings.Contains(stderr, "keys reseal") {
		t.Fatalf("keys rotate: stdout %q, stderr %q", stdout, stderr)
	}
	rows = status()
	if len(rows) != 2 {
		t.Fatalf("keys status after rotate = %+v", rows)
	}
	for _, r := range rows {
		if (r.ID == newID) != r.Primary || (r.ID == old && r.Accounts != 2) || (r.ID == newID && r.Accounts != 0) {
			t.Errorf("keys status after rotate: %+v", rows)
		}
	}

	code, _, stderr = c.run("", []string{"keys", "retire", old})
	acctWantCode(t, "keys retire of a key in use", code, exitError, stderr)
	if !strings.Contains(stderr, "psn keys reseal") {
		t.Errorf("retire in use: stderr %q does not say to reseal", stderr)
	}
	code, _, stderr = c.run("", []string{"keys", "retire", "not-hex"})
	if code != exitError || !strings.Contains(stderr, "keys status") {
		t.Errorf("keys retire not-hex: exit %d, stderr %q", code, stderr)
	}

	code, _, stderr = c.run("", []string{"keys", "reseal"})
	acctWantCode(t, "keys reseal", code, exitOK, stderr)
	if !strings.Contains(stderr, "Re-sealed 2 account(s) with key "+newID) {
		t.Errorf("keys reseal: stderr %q", stderr)
	}
	for _, name := range []string{"alice", "bob"} {
		if rec, _, _ := c.stored(name); rec.KeyID != acctHex(t, newID) {
			t.Errorf("%s still sealed with %08x after reseal", name, rec.KeyID)
		}
	}
	code, _, stderr = c.run("", []string{"keys", "retire", old})
	acctWantCode(t, "keys retire after reseal", code, exitOK, stderr)
	if rows = status(); len(rows) != 1 || rows[0].ID != newID || rows[0].Accounts != 2 {
		t.Errorf("keys status after retire = %+v", rows)
	}
	// The accounts still work, with their secrets intact.
	if _, _, kept := c.stored("alice"); kept == "" {
		t.Error("alice lost her kept NPSSO in the reseal")
	}
	code, _, stderr = c.printToken([]string{"--account", "bob"})
	acctWantCode(t, "token print after rotation", code, exitOK, stderr)
}

func acctHex(t *testing.T, s string) uint32 {
	t.Helper()
	var v uint32
	for _, r := range s {
		v <<= 4
		switch {
		case r >= '0' && r <= '9':
			v |= uint32(r - '0')
		case r >= 'a' && r <= 'f':
			v |= uint32(r-'a') + 10
		default:
			t.Fatalf("not hex: %q", s)
		}
	}
	return v
}

func TestBadInput(t *testing.T) {
	t.Run("unknown store scheme", func(t *testing.T) {
		c := newAcctCLI(t, psntest.Config{})
		_, npsso := c.user(0)
		code, _, stderr := c.run(npsso, []string{"--store", "foo://x", "login"})
		acctWantCode(t, "--store foo://x", code, exitError, stderr)
		if !strings.Contains(stderr, "unknown store URL scheme") || !strings.Contains(stderr, "sqlite://") {
			t.Errorf("stderr %q does not name the problem and the accepted schemes", stderr)
		}
		if n := c.srv.Sim.Stats().Requests; n != 0 {
			t.Errorf("%d requests reached PSN with an unusable store", n)
		}
	})

	t.Run("corrupt store file", func(t *testing.T) {
		c := newAcctCLI(t, psntest.Config{})
		path := filepath.Join(t.TempDir(), "psn.db")
		garbage := bytes.Repeat([]byte("this is not a database, but someone's data. "), 200)
		if err := os.WriteFile(path, garbage, 0o600); err != nil {
			t.Fatal(err)
		}
		_, npsso := c.user(0)
		for _, args := range [][]string{{"accounts"}, {"login"}, {"keys", "status"}} {
			code, _, stderr := c.run(npsso, append([]string{"--store", "sqlite://" + path}, args...))
			if code != exitError || !strings.Contains(strings.ToLower(stderr), "corrupt") {
				t.Errorf("psn %v on a corrupt file: exit %d, stderr %q", args, code, stderr)
			}
		}
		if got, _ := os.ReadFile(path); !bytes.Equal(got, garbage) {
			t.Error("the corrupt file was changed")
		}
	})

	t.Run("key file with wrong permissions", func(t *testing.T) {
		c := newAcctCLI(t, psntest.Config{})
		c.login(0)
		rec, _, _ := c.stored("default")
		key, _ := os.ReadFile(c.keyPath())
		if err := os.Chmod(c.keyPath(), 0o644); err != nil {
			t.Fatal(err)
		}
		code, stdout, stderr := c.printToken(nil)
		acctWantCode(t, "token print with a 0644 key file", code, exitError, stderr)
		if stdout != "" || !strings.Contains(stderr, "key file") || !strings.Contains(stderr, "chmod") {
			t.Errorf("stderr %q does not explain the key file problem", stderr)
		}
		_, npsso := c.user(0)
		code, _, stderr = c.run(npsso, []string{"login"})
		acctWantCode(t, "login with a 0644 key file", code, exitError, stderr)
		if after, _ := os.ReadFile(c.keyPath()); !bytes.Equal(after, key) {
			t.Error("the key file was replaced")
		}
		if err := os.Chmod(c.keyPath(), 0o600); err != nil {
			t.Fatal(err)
		}
		if after, _, _ := c.stored("default"); after.Version != rec.Version {
			t.Errorf("the record changed (version %d → %d)", rec.Version, after.Version)
		}
	})

	t.Run("key file of the wrong length", func(t *testing.T) {
		c := newAcctCLI(t, psntest.Config{})
		if err := os.MkdirAll(c.dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(c.keyPath(), []byte("short"), 0o600); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := c.run("", []string{"keys", "status"})
		if code != exitError || !strings.Contains(stderr, "key file") {
			t.Errorf("keys status with a 5-byte key file: exit %d, stderr %q", code, stderr)
		}
	})

	t.Run("wrong PSN_KEY for an existing ring", func(t *testing.T) {
		c := newAcctCLI(t, psntest.Config{})
		c.login(0)
		rec, tok, _ := c.stored("default")
		st, _ := c.openExisting()
		ring, _ := st.GetMeta(context.Background(), vault.RingMeta)
		st.Close()
		var k [32]byte
		_, _ = rand.Read(k[:])
		wrong := "PSN_KEY=" + base64.StdEncoding.EncodeToString(k[:])
		code, stdout, stderr := c.printToken(nil, wrong)
		acctWantCode(t, "token print with a wrong PSN_KEY", code, exitError, stderr)
		if stdout != "" || !strings.Contains(stderr, "wrong key") {
			t.Errorf("stderr %q does not say the key is wrong", stderr)
		}
		requests := c.srv.Sim.Stats().Requests
		_, npsso := c.user(0)
		for _, args := range [][]string{{"login"}, {"keys", "rotate"}, {"keys", "reseal"}, {"token", "refresh"}} {
			if code, _, stderr := c.run(npsso, args, wrong); code != exitError {
				t.Errorf("psn %v with a wrong PSN_KEY: exit %d, stderr %q", args, code, stderr)
			}
		}
		if n := c.srv.Sim.Stats().Requests; n != requests {
			t.Errorf("%d requests reached PSN with a wrong key", n-requests)
		}
		st, _ = c.openExisting()
		after, _ := st.GetMeta(context.Background(), vault.RingMeta)
		st.Close()
		if !bytes.Equal(after, ring) {
			t.Error("the stored key ring changed")
		}
		rec2, tok2, _ := c.stored("default")
		if rec2.Version != rec.Version || tok2.AccessToken != tok.AccessToken {
			t.Error("the stored account changed")
		}
	})
}

func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole lifecycle demo")
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"demo", "--callers", "100"}, strings.NewReader(""), &stdout, &stderr, func(string) string { return "" })
	out := stdout.String()
	if code != exitOK {
		t.Fatalf("demo: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr.String())
	}
	for _, want := range []string{
		"psn demo: the token lifecycle",
		"Logged in with the NPSSO",
		"Trophy summary: level",
		"100 answers, 0 failures; refresh grants at the simulator: 1",
		"The new token was saved (record version 2) before any caller used it.",
		"the kept NPSSO logged in again by itself",
		"login required",
		"Done in",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
}

// Issue 9 item 3: PSN rejected the refresh token (no NPSSO kept). Every
// status command says so from the recorded evidence, whatever the
// expiry instants say: token status and token print exit 3, accounts says
// login-required, and no command calls PSN with the dead token again.
func TestHealthFromEvidenceAfterARejectedRefreshToken(t *testing.T) {
	c := newAcctCLI(t, psntest.Config{})
	u, _ := c.user(0)
	c.login(0)
	if err := c.srv.Sim.RevokeRefreshTokens(u.OnlineID); err != nil {
		t.Fatal(err)
	}
	c.srv.Sim.Advance(65 * time.Minute)
	code, _, stderr := c.run("", []string{"me"})
	acctWantCode(t, "me with a rejected refresh token", code, exitLoginRequired, stderr)
	rejections := c.srv.Sim.Stats().Errors.InvalidGrant
	if rejections != 1 {
		t.Fatalf("invalid_grant answers = %d, want 1", rejections)
	}

	code, stdout, stderr := c.run("", []string{"token", "status"})
	acctWantCode(t, "token status", code, exitLoginRequired, stderr)
	for _, want := range []string{"refresh token:  dead, rejected by PSN", "state:          login-required", "action:         log in again"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("token status lacks %q:\n%s", want, stdout)
		}
	}
	code, stdout, _ = c.run("", []string{"token", "status", "-o", "json"})
	var h vault.Health
	if err := json.Unmarshal([]byte(stdout), &h); err != nil || code != exitLoginRequired {
		t.Fatalf("token status -o json: exit %d, %v\n%s", code, err, stdout)
	}
	if h.State != vault.StateLoginRequired || h.Refresh != vault.RefreshDead || h.RefreshRejectedAt.IsZero() || h.RetryAt.IsZero() {
		t.Errorf("token status -o json = %+v; want login-required, refresh dead with the rejection and retry instants", h)
	}
	code, stdout, stderr = c.printToken(nil)
	acctWantCode(t, "token print", code, exitLoginRequired, stderr)
	if stdout != "" {
		t.Errorf("token print wrote %q to stdout for a dead account", stdout)
	}
	code, stdout, stderr = c.run("", []string{"accounts", "-o", "json"})
	acctWantCode(t, "accounts", code, exitOK, stderr)
	var hs []vault.Health
	if err := json.Unmarshal([]byte(stdout), &hs); err != nil || len(hs) != 1 || hs[0].State != vault.StateLoginRequired || hs[0].Refresh != vault.RefreshDead {
		t.Errorf("accounts -o json = %s (%v); want one login-required account with a dead refresh token", stdout, err)
	}
	if got := c.srv.Sim.Stats().Errors.InvalidGrant; got != rejections {
		t.Errorf("the dead account kept calling PSN: invalid_grant %d → %d", rejections, got)
	}
	// A new login ends it.
	c.login(0)
	code, _, stderr = c.run("", []string{"token", "status"})
	acctWantCode(t, "token status after a new login", code, exitOK, stderr)
}
