package cli

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/psnkit/psn/psntest"
)

// dataArgs are valid invocations of every data command.
func dataArgs(e *testEnv) [][]string {
	other := e.sim.Users()[1]
	return [][]string{
		{"me"}, {"summary"}, {"titles"}, {"trophies", "NPWR00000_00"}, {"groups", "NPWR00000_00"},
		{"profile", other.OnlineID}, {"friends"}, {"presence"}, {"played"}, {"devices"},
		{"search", other.OnlineID}, {"region", other.OnlineID}, {"export", "--out", e.t.TempDir() + "/x.json"},
	}
}

func TestUnknownOutputFormat(t *testing.T) {
	e := newTestEnv(t, psntest.Config{}, 0)
	for _, args := range dataArgs(e) {
		e.reset()
		code, stdout, stderr := e.run(context.Background(), append(args, "-o", "xml")...)
		if code != exitError {
			t.Errorf("psn %v -o xml: exit %d, want %d", args, code, exitError)
		}
		if !strings.Contains(stderr, `unknown output format "xml": use table, json or csv`) {
			t.Errorf("psn %v -o xml: stderr %q", args, stderr)
		}
		if stdout != "" || len(e.requests()) != 0 {
			t.Errorf("psn %v -o xml printed %q and sent %d requests; want nothing", args, stdout, len(e.requests()))
		}
	}
}

func TestEmptyIDs(t *testing.T) {
	e := newTestEnv(t, psntest.Config{}, 0)
	for _, args := range [][]string{
		{"summary", ""}, {"titles", " "}, {"trophies", ""}, {"trophies", "NPWR00000_00", "--account-id", ""},
		{"groups", ""}, {"profile", ""}, {"friends", ""}, {"presence", "me", ""}, {"played", ""},
		{"search", ""}, {"region", ""}, {"export", "", "--out", t.TempDir() + "/x.json"},
	} {
		e.reset()
		code, stdout, stderr := e.run(context.Background(), args...)
		if code != exitError || !strings.Contains(stderr, "invalid") || !strings.Contains(stderr, "empty (no request sent)") {
			t.Errorf("psn %q: exit %d, stderr %q; want exit 1 and an invalid-id error", args, code, stderr)
		}
		if stdout != "" || len(e.requests()) != 0 {
			t.Errorf("psn %q printed %q and sent %d requests; want nothing", args, stdout, len(e.requests()))
		}
	}
}

// TestIDsWithSlashAndQuestionMark: ids holding '/' or '?' travel escaped,
// as one path segment, and never change which endpoint is asked.
func TestIDsWithSlashAndQuestionMark(t *testing.T) {
	e := newTestEnv(t, psntest.Config{}, 0)
	const evil = "a/../b?c=1"
	esc := url.PathEscape(evil)
	for _, c := range []struct {
		args []string
		path string // the only path the CLI may ask
	}{
		{[]string{"trophies", evil}, "/api/trophy/v1/npCommunicationIds/" + esc + "/trophyGroups/all/trophies"},
		{[]string{"groups", evil}, "/api/trophy/v1/npCommunicationIds/" + esc + "/trophyGroups"},
		{[]string{"profile", evil}, "/userProfile/v1/users/" + esc + "/profile2"},
		{[]string{"summary", evil}, "/userProfile/v1/users/" + esc + "/profile2"},
		{[]string{"region", evil}, "/userProfile/v1/users/" + esc + "/profile2"},
		{[]string{"titles", "--", "-x/y?z"}, "/userProfile/v1/users/" + url.PathEscape("-x/y?z") + "/profile2"},
	} {
		e.reset()
		code, stdout, stderr := e.run(context.Background(), append([]string{"-o", "json"}, c.args...)...)
		if code != exitError || stdout != "" {
			t.Errorf("psn %q: exit %d, stdout %q; want exit 1 and no output", c.args, code, stdout)
		}
		if !strings.Contains(stderr, "not found") && !strings.Contains(stderr, "bad request") {
			t.Errorf("psn %q: stderr %q; want PSN's not-found or bad-request error", c.args, stderr)
		}
		reqs := e.requests()
		if len(reqs) == 0 {
			t.Errorf("psn %q sent no request", c.args)
		}
		for _, x := range reqs {
			if x.path != c.path {
				t.Errorf("psn %q asked %s, want only %s", c.args, x.path, c.path)
			}
		}
	}

	// In a search the term is data, not a path.
	e.reset()
	e.ok("search", evil, "-o", "json")
	for _, x := range e.requests() {
		if x.path != "/api/graphql/v1/op" {
			t.Errorf("search %q asked %s", evil, x.path)
		}
		q, _ := url.ParseQuery(x.query)
		if !strings.Contains(q.Get("variables"), `"searchTerm":"a/../b?c=1"`) {
			t.Errorf("search term not sent as data: variables %s", q.Get("variables"))
		}
	}
}

func TestBadFlags(t *testing.T) {
	e := newTestEnv(t, psntest.Config{}, 0)
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"titles", "--limit", "-1"}, "must not be negative"},
		{[]string{"trophies", "NPWR00000_00", "--service", "trophy3"}, "--service must be"},
		{[]string{"search", "x", "--domain", "films"}, "--domain must be"},
		{[]string{"search", "x", "--universal", "--all"}, "drop --all"},
		{[]string{"export"}, "psn export needs --out FILE.json"},
		{[]string{"trophies"}, "psn: psn trophies needs the argument NP_COMMUNICATION_ID\nUsage: psn trophies NP_COMMUNICATION_ID"},
		{[]string{"region", "a", "b"}, `unexpected argument "b": psn region takes ONLINE_ID only`},
		{[]string{"me", "extra"}, `unexpected argument "extra": "psn me" takes none`},
		{[]string{"titles", "--limit", "abc"}, `psn: --limit "abc": not a whole number, such as 50`},
		{[]string{"titles", "--endpoint", "notaurl"}, `psn: --endpoint "notaurl" is not a base URL`},
		{[]string{"titles", "--account", "../../x"}, `psn: --account "../../x" is not a valid account name`},
		{[]string{"titles", "--account", "ålice"}, `is not a valid account name`},
	} {
		e.reset()
		code, _, stderr := e.run(context.Background(), c.args...)
		if code != exitError || !strings.Contains(stderr, c.msg) {
			t.Errorf("psn %q: exit %d, stderr %q; want exit 1 with %q", c.args, code, stderr, c.msg)
		}
		if len(e.requests()) != 0 {
			t.Errorf("psn %q sent %d requests", c.args, len(e.requests()))
		}
	}
}

func TestDataCommandsNeedLogin(t *testing.T) {
	e := newTestEnv(t, psntest.Config{}, 0)
	e.env["PSN_CONFIG_DIR"] = t.TempDir() // nobody logged in here
	for _, args := range dataArgs(e) {
		code, _, stderr := e.run(context.Background(), args...)
		if code != exitLoginRequired || !strings.Contains(stderr, "psn login") {
			t.Errorf("psn %v without login: exit %d, stderr %q; want %d and a hint", args, code, stderr, exitLoginRequired)
		}
	}
}

func TestForbiddenIsExit1WithTypedMessage(t *testing.T) {
	// User 3 of every seed keeps their trophies private (psntest).
	e := newTestEnv(t, psntest.Config{Users: 4}, 0)
	private := e.sim.Users()[3]
	code, stdout, stderr := e.run(context.Background(), "titles", private.AccountID, "-o", "json")
	if code != exitError || stdout != "" || !strings.Contains(stderr, "forbidden") && !strings.Contains(stderr, "Not permitted") {
		t.Fatalf("titles of a private user: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
