package cli

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/psnkit/psn/psntest"
	"github.com/psnkit/psn/store/sqlite"
	"github.com/spf13/cobra"
)

// The conventions of design.md "The command line psn" that hold for every
// command: version, examples, completion, suggestions, errors for a
// person, -v, Ctrl-C, stores that read-only commands never create.

func TestVersionFromBuildInfo(t *testing.T) {
	b := readBuildInfo(func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-12-01T10:00:00Z"}, {Key: "vcs.modified", Value: "true"},
		}}, true
	})
	if got, want := b.versionLine(), "v1.2.3 (commit 0123456789ab, modified, 2026-12-01T10:00:00Z) go1.26.0"; got != want {
		t.Errorf("version line %q, want %q", got, want)
	}
	if b := readBuildInfo(func() (*debug.BuildInfo, bool) { return nil, false }); b.Version != "unknown" {
		t.Errorf("without build info: %+v", b)
	}
}

func TestVersionCommandAndFlag(t *testing.T) {
	c := newAcctCLI(t, psntest.Config{})
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, stdout, stderr := c.run("", args)
		if code != exitOK || !strings.HasPrefix(stdout, "psn ") || !strings.HasSuffix(strings.TrimSpace(stdout), runtime.Version()) {
			t.Errorf("psn %v: exit %d, stdout %q, stderr %q; want `psn VERSION … %s`", args, code, stdout, stderr, runtime.Version())
		}
	}
	code, stdout, _ := c.run("", []string{"version", "-o", "json"})
	var b buildInfo
	if err := json.Unmarshal([]byte(stdout), &b); code != exitOK || err != nil || b.GoVersion != runtime.Version() || b.Version == "" {
		t.Errorf("version -o json: exit %d, %v: %s", code, err, stdout)
	}
	if _, err := os.Stat(c.dir); err == nil {
		t.Errorf("psn version created the config dir %s", c.dir)
	}
}

// walk calls f on every command below (and including) c.
func walk(c *cobra.Command, f func(*cobra.Command)) {
	f(c)
	for _, s := range c.Commands() {
		walk(s, f)
	}
}

func TestEveryCommandHasExamples(t *testing.T) {
	a := newApp("psn", strings.NewReader(""), &strings.Builder{}, &strings.Builder{}, func(string) string { return "" })
	root := a.rootCommand(PSN())
	seen := map[string]bool{}
	walk(root, func(c *cobra.Command) {
		key := strings.TrimPrefix(strings.TrimPrefix(c.CommandPath(), "psn"), " ")
		seen[key] = true
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%q has no examples in its help", c.CommandPath())
		}
	})
	for k := range examples {
		if !seen[k] {
			t.Errorf("examples has an entry %q for no command", k)
		}
	}
	// Every example names its own command (no copy-paste slips).
	walk(root, func(c *cobra.Command) {
		if c.HasParent() && !strings.Contains(c.Example, c.CommandPath()) && !strings.Contains(c.Example, "$(psn "+strings.TrimPrefix(c.CommandPath(), "psn ")) {
			t.Errorf("the examples of %q never run it:\n%s", c.CommandPath(), c.Example)
		}
	})
}

// complete runs cobra's hidden completion command and returns the
// candidates (without descriptions).
func complete(c *acctCLI, args ...string) []string {
	c.t.Helper()
	code, stdout, stderr := c.run("", append([]string{cobra.ShellCompNoDescRequestCmd}, args...))
	if code != exitOK {
		c.t.Fatalf("__complete %v: exit %d: %s", args, code, stderr)
	}
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		if !strings.HasPrefix(l, ":") && l != "" {
			out = append(out, l)
		}
	}
	return out
}

func TestCompletionOfFlagValuesAndAccounts(t *testing.T) {
	c := newAcctCLI(t, psntest.Config{})
	if got := complete(c, "titles", "-o", ""); strings.Join(got, " ") != "table json csv" {
		t.Errorf("-o completes to %q", got)
	}
	if got := complete(c, "search", "x", "--domain", ""); strings.Join(got, " ") != "players games addons" {
		t.Errorf("--domain completes to %q", got)
	}
	if got := complete(c, "played", "--categories", "ps4_game,"); len(got) == 0 || got[0] != "ps4_game,ps4_game" {
		t.Errorf("--categories completes a list to %q", got)
	}
	// No store yet: nothing to offer, and nothing created.
	if got := complete(c, "me", "--account", ""); len(got) != 0 {
		t.Errorf("--account without a store completes to %q", got)
	}
	if _, err := os.Stat(c.dbPath()); err == nil {
		t.Fatal("completing --account created the default store")
	}
	c.login(0, "--account", "alice")
	c.login(1, "--account", "bob")
	if got := complete(c, "me", "--account", ""); strings.Join(got, " ") != "alice bob" {
		t.Errorf("--account completes to %q, want alice bob", got)
	}
	if got := complete(c, "me", "--account", "b"); strings.Join(got, " ") != "bob" {
		t.Errorf("--account b completes to %q, want bob", got)
	}
}

func TestMistypedCommandSuggests(t *testing.T) {
	c := newAcctCLI(t, psntest.Config{})
	code, stdout, stderr := c.run("", []string{"titel"})
	if code != exitError || stdout != "" || !strings.Contains(stderr, "Did you mean titles?") {
		t.Errorf("psn titel: exit %d, stderr %q; want exit 1 and a suggestion", code, stderr)
	}
	code, _, stderr = c.run("", []string{"token", "prnt"})
	if code != exitError || !strings.Contains(stderr, "Did you mean print?") {
		t.Errorf("psn token prnt: exit %d, stderr %q", code, stderr)
	}
}

// noInternals fails when stderr shows what a person should not see first.
func noInternals(t *testing.T, what, stderr string) {
	t.Helper()
	first, _, _ := strings.Cut(stderr, "\n")
	for _, bad := range []string{"psn: psn:", "psn: vault:", "psn: store/", "psn: seal:", "strconv.", "context canceled", "pool.go"} {
		if strings.Contains(stderr, bad) {
			t.Errorf("%s: stderr holds %q:\n%s", what, bad, stderr)
		}
	}
	if !strings.HasPrefix(first, "psn: ") {
		t.Errorf("%s: the first line does not start with psn: %q", what, first)
	}
}

func TestErrorsForAPerson(t *testing.T) {
	e := newTestEnv(t, psntest.Config{}, 0)
	ctx := context.Background()

	code, _, stderr := e.run(ctx, "summary", "NoSuchUser")
	if code != exitError || !strings.HasPrefix(stderr, "psn: no PSN user NoSuchUser\n") || !strings.Contains(stderr, "psn search NoSuchUser") ||
		!strings.Contains(stderr, "Cause: GET ") {
		t.Errorf("summary NoSuchUser: exit %d:\n%s", code, stderr)
	}
	noInternals(t, "summary NoSuchUser", stderr)

	// Not logged in: one sentence and the command that fixes it.
	code, _, stderr = e.run(ctx, "me", "--account", "nobody")
	if want := "psn: account \"nobody\" is not logged in\nRun `psn login --account nobody`.\n"; code != exitLoginRequired || stderr != want {
		t.Errorf("not logged in: exit %d, stderr %q; want 3, %q", code, stderr, want)
	}

	// Nothing listening at the endpoint: a hint about --endpoint.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	code, _, stderr = e.run(ctx, "me", "--endpoint", dead)
	if code != exitError || !strings.HasPrefix(stderr, "psn: cannot reach PSN at "+dead+"\n") || !strings.Contains(stderr, "PSN_ENDPOINT") {
		t.Errorf("endpoint down: exit %d:\n%s", code, stderr)
	}
	noInternals(t, "endpoint down", stderr)

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"titles", "--limit", "abc"}, "psn: --limit \"abc\": not a whole number, such as 50\n"},
		{[]string{"me", "--endpoint", "notaurl"}, "psn: --endpoint \"notaurl\" is not a base URL"},
		{[]string{"me", "--endpoint", "ftp://x"}, "psn: --endpoint \"ftp://x\" is not a base URL"},
		{[]string{"trophies"}, "psn: psn trophies needs the argument NP_COMMUNICATION_ID\n"},
		{[]string{"region"}, "psn: psn region needs the argument ONLINE_ID\n"},
		{[]string{"me", "--account", "../../x"}, "psn: --account \"../../x\" is not a valid account name\n"},
		{[]string{"login", "--account", "ålice"}, "psn: --account \"ålice\" is not a valid account name\n"},
	} {
		code, _, stderr := e.run(ctx, c.args...)
		if code != exitError || !strings.HasPrefix(stderr, c.want) {
			t.Errorf("psn %q: exit %d, stderr %q; want exit 1 and %q", c.args, code, stderr, c.want)
		}
		noInternals(t, strings.Join(c.args, " "), stderr)
	}
}

func TestRefusedNPSSOMentionsTheTerms(t *testing.T) {
	c := newAcctCLI(t, psntest.Config{})
	bogus := strings.Repeat("A", 64)
	code, _, stderr := c.run(bogus+"\n", []string{"login"})
	if code != exitError || !strings.HasPrefix(stderr, "psn: PSN refused the NPSSO") || !strings.Contains(stderr, "terms of service") {
		t.Errorf("login with a refused NPSSO: exit %d:\n%s", code, stderr)
	}
	noInternals(t, "refused NPSSO", stderr)
}

func TestVerboseLogsEveryRequestAndNoSecret(t *testing.T) {
	c := newAcctCLI(t, psntest.Config{})
	c.login(0)
	code, stdout, stderr := c.run("", []string{"me", "-v"})
	if code != exitOK || stdout == "" {
		t.Fatalf("me -v: exit %d\n%s", code, stderr)
	}
	if !regexp.MustCompile(`msg="PSN request" method=GET host=127\.0\.0\.1:\d+ path=/api/trophy/v1/users/me/trophySummary duration=\S+ status=200`).MatchString(stderr) {
		t.Errorf("me -v does not log its trophySummary request:\n%s", stderr)
	}
	if !strings.Contains(stderr, "/profile") {
		t.Errorf("me -v does not log its profile request:\n%s", stderr)
	}
	_, tok, _ := c.stored("default")
	for _, s := range []string{tok.AccessToken.Reveal(), tok.RefreshToken.Reveal(), "Bearer", "Authorization"} {
		if strings.Contains(stderr, s) {
			t.Errorf("me -v logs %.12q…", s)
		}
	}
	// Without -v, nothing.
	if _, _, stderr := c.run("", []string{"me"}); stderr != "" {
		t.Errorf("me without -v writes to stderr: %q", stderr)
	}
}

func TestInterruptedCommandExits130Quietly(t *testing.T) {
	e := newTestEnv(t, psntest.Config{}, 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code, stdout, stderr := e.run(ctx, "titles", "--all")
	if code != exitInterrupted || stdout != "" || strings.Contains(stderr, "context canceled") {
		t.Errorf("interrupted titles: exit %d, stdout %q, stderr %q; want 130 and no noise", code, stdout, stderr)
	}
}

func TestReadOnlyCommandsNeverCreateAStore(t *testing.T) {
	c := newAcctCLI(t, psntest.Config{})
	dir := filepath.Join(t.TempDir(), "nonexistent", "dir")
	missing := "sqlite://" + filepath.Join(dir, "x.db")
	for _, args := range [][]string{{"me"}, {"accounts"}, {"token", "status"}, {"logout"}, {"titles"}} {
		code, _, stderr := c.run("", append(args, "--store", missing))
		if code != exitError || !strings.HasPrefix(stderr, "psn: no token store at "+missing+"\n") {
			t.Errorf("psn %v --store MISSING: exit %d:\n%s", args, code, stderr)
		}
		noInternals(t, "missing store", stderr)
		if _, err := os.Stat(filepath.Dir(dir)); err == nil {
			t.Fatalf("psn %v created %s", args, filepath.Dir(dir))
		}
	}
	// The default store missing means: not logged in (exit 3), still
	// without creating it.
	code, _, stderr := c.run("", []string{"me"})
	if code != exitLoginRequired || !strings.Contains(stderr, "is not logged in") || !strings.Contains(stderr, "psn login --account default") {
		t.Errorf("me without the default store: exit %d:\n%s", code, stderr)
	}
	if _, err := os.Stat(c.dbPath()); err == nil {
		t.Error("me created the default store")
	}
	for _, bad := range []struct{ store, want string }{
		{" ", `psn: --store " ": the location is blank`},
		{"%zz", `psn: --store %zz: a plain path is taken literally`},
		{"postgres://", "psn: --store postgres:// names no database"},
		{"postgres://u:secretpw@127.0.0.1:5432", "names no database"},
		{"mysql://x", "psn: --store mysql://x: unknown store URL scheme"},
	} {
		for _, cmd := range []string{"accounts", "login"} {
			code, _, stderr := c.run(strings.Repeat("A", 64), []string{cmd, "--store", bad.store})
			if code != exitError || !strings.Contains(stderr, bad.want) || strings.Contains(stderr, "secretpw") {
				t.Errorf("psn %s --store %q: exit %d:\n%s", cmd, bad.store, code, stderr)
			}
		}
	}
	if entries, _ := os.ReadDir("."); len(entries) > 0 {
		for _, e := range entries {
			if strings.TrimSpace(e.Name()) == "" || strings.Contains(e.Name(), "%") {
				t.Errorf("a bad --store created %q", e.Name())
			}
		}
	}
	// login creates it.
	c.login(0, "--store", missing)
	if code, stdout, stderr := c.run("", []string{"accounts", "--store", missing}); code != exitOK || !strings.Contains(stdout, "default") {
		t.Errorf("accounts on the store login created: exit %d\n%s%s", code, stdout, stderr)
	}
}

func TestAccountsChecksTheKey(t *testing.T) {
	c := newAcctCLI(t, psntest.Config{})
	c.login(0, "--account", "alice")
	c.login(1, "--account", "bob")
	for _, key := range []struct{ env, want string }{
		{"PSN_KEY=not base64!", "psn: the key material is unusable"},
		{"PSN_KEY=" + strings.Repeat("A", 43) + "=", "psn: wrong key"},
	} {
		code, stdout, stderr := c.run("", []string{"accounts"}, key.env)
		if code != exitError || stdout != "" || !strings.HasPrefix(stderr, key.want) {
			t.Errorf("accounts with %s: exit %d, stdout %q, stderr %q; want exit 1 and %q", key.env, code, stdout, stderr, key.want)
		}
		noInternals(t, "accounts with a bad key", stderr)
	}
	// Tamper with bob's sealed access token.
	st, err := sqlite.Open(context.Background(), c.dbPath())
	if err != nil {
		t.Fatal(err)
	}
	rec, err := st.Get(context.Background(), "bob")
	if err != nil {
		t.Fatal(err)
	}
	rec.SealedAccess[len(rec.SealedAccess)-1] ^= 1
	if _, err := st.CompareAndSwap(context.Background(), "bob", rec.Version, rec); err != nil {
		t.Fatal(err)
	}
	st.Close()
	code, stdout, stderr := c.run("", []string{"accounts", "-o", "json"})
	var hs []map[string]any
	if err := json.Unmarshal([]byte(stdout), &hs); code != exitOK || err != nil || len(hs) != 2 {
		t.Fatalf("accounts after tampering: exit %d, %v\n%s%s", code, err, stdout, stderr)
	}
	if hs[0]["state"] == stateUnreadable || hs[1]["state"] != stateUnreadable || !strings.Contains(hs[1]["lastError"].(string), "failed authentication") {
		t.Errorf("accounts shows the tampered bob as %v, alice as %v", hs[1], hs[0]["state"])
	}
}

func TestJQFiltersJSON(t *testing.T) {
	e := newTestEnv(t, psntest.Config{}, 0)
	titles := simTitles(t, e)
	e.reset()
	out, _ := e.ok("titles", "--limit", "2", "--jq", ".[].trophyTitleName")
	if want := titles[0].TrophyTitleName + "\n" + titles[1].TrophyTitleName + "\n"; out != want {
		t.Errorf("--jq strings: %q, want %q", out, want)
	}
	out, _ = e.ok("titles", "--limit", "1", "--jq", ".[] | {id: .npCommunicationId, p: .progress}")
	if want := `{"id":"` + titles[0].NpCommunicationID + `","p":` + itoa(titles[0].Progress) + "}\n"; out != want {
		t.Errorf("--jq objects: %q, want %q", out, want)
	}
	// --jq implies -o json, and the table is not printed.
	out, _ = e.ok("me", "--jq", ".accountId")
	if out != e.user.AccountID+"\n" {
		t.Errorf("me --jq .accountId = %q", out)
	}
	e.reset()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"titles", "--jq", ".["}, `psn: --jq ".[" is not a jq expression`},
		{[]string{"titles", "-o", "csv", "--jq", "."}, "psn: --jq filters JSON: drop -o csv"},
		{[]string{"me", "--jq", `error("boom")`}, "psn: --jq \"error(\\\"boom\\\")\" failed: error: boom"},
		{[]string{"me", "--jq", `.onlineId | if . == "nobody-at-all" then . else error("no match") end`},
			`psn: --jq ".onlineId | if . == \"nobody-at-all\" then . else error(\"no match\") end" failed: error: no match`},
	} {
		code, _, stderr := e.run(context.Background(), c.args...)
		if code != exitError || !strings.HasPrefix(stderr, c.want) {
			t.Errorf("psn %q: exit %d, stderr %q; want %q", c.args, code, stderr, c.want)
		}
	}
	if n := len(e.requests()); n > 4 { // only the two `me` runs send (summary; profile is skipped for JSON)
		t.Errorf("bad --jq expressions sent %d requests", n)
	}
}

func TestLoginDuringAnEdgeRefusalSaysSoFirst(t *testing.T) {
	f, err := psntest.ParseFaults("edge403=1")
	if err != nil {
		t.Fatal(err)
	}
	c := newAcctCLI(t, psntest.Config{Faults: f})
	_, npsso := c.user(0)
	code, _, stderr := c.run(npsso+"\n", []string{"login"})
	if code != exitError || !strings.HasPrefix(stderr, "psn: PSN's edge (Akamai) refused the request\n") {
		t.Errorf("login during edge 403s: exit %d:\n%s", code, stderr)
	}
	noInternals(t, "edge 403", stderr)
}

func TestBarProgressEndsItsLineOnInterrupt(t *testing.T) {
	var b strings.Builder
	p := &barProgress{w: &b}
	p.begin(10, 0)
	p.step(3, "x")
	p.interrupt()
	if out := b.String(); !strings.HasSuffix(out, "\n") || !strings.Contains(out, "3/10") {
		t.Errorf("interrupted bar: %q; want the bar at 3/10 and a line end", out)
	}
}
