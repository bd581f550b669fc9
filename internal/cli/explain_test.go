package cli

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/store"
)

// TestExitCodeFollowsTheCommandNotTheStoreError: store.ErrNotFound is
// psn.ErrNoToken (one error per condition), so a record missing somewhere
// other than the selected account's token must not turn into "exit 3, log
// in"; only a command that needed the account's token says so.
func TestExitCodeFollowsTheCommandNotTheStoreError(t *testing.T) {
	a := newApp("psn", strings.NewReader(""), io.Discard, io.Discard, func(string) string { return "" })
	a.account = "alice"
	cases := []struct {
		name     string
		err      error
		wantCode int
		wantText string
	}{
		{"a missing record met by some other operation", fmt.Errorf("reseal: %w", store.ErrNotFound), exitError, "reseal: "},
		{"psn.ErrNoToken bare, from a library call", fmt.Errorf("loading: %w", psn.ErrNoToken), exitError, "loading: "},
		{"the selected account has no stored token", a.notLoggedIn(fmt.Errorf("get %q: %w", "alice", store.ErrNotFound)),
			exitLoginRequired, "psn: account \"alice\" is not logged in\nRun `psn login --account alice`.\n"},
		{"the same, wrapped by a caller", fmt.Errorf("token status: %w", a.notLoggedIn(store.ErrNotFound)),
			exitLoginRequired, "psn: account \"alice\" is not logged in\n"},
		{"a refresh that needs a human login", &psn.LoginRequiredError{Which: psn.SecretRefreshToken, Cause: psn.ErrNoToken},
			exitLoginRequired, "must log in again"},
	}
	for _, c := range cases {
		text, code := a.render(c.err)
		if code != c.wantCode || !strings.Contains(text, c.wantText) {
			t.Errorf("%s: render = exit %d, %q; want exit %d and %q", c.name, code, text, c.wantCode, c.wantText)
		}
		if c.wantCode != exitLoginRequired && strings.Contains(text, "not logged in") {
			t.Errorf("%s: render says %q", c.name, text)
		}
	}
}
