package cli

import (
	"bytes"
	"strings"
	"testing"
)

// TestFlagsThatHideTheCommand: cobra finds no command behind combined
// short flags with a value (-vo json) or a "--"; psn then said "unknown
// command \"vault\" … Did you mean vault?". It now says that the flags hid
// the command and how to write them. A real typo still gets a suggestion.
func TestFlagsThatHideTheCommand(t *testing.T) {
	getenv := func(string) string { return "" }
	for _, args := range [][]string{{"-vo", "json", "vault", "serve"}, {"--", "accounts"}} {
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), args, strings.NewReader(""), &stdout, &stderr, getenv)
		msg := stderr.String()
		if code != exitError || strings.Contains(msg, "Did you mean") || !strings.Contains(msg, "hid the command") {
			t.Errorf("%v: exit %d, stderr %q", args, code, msg)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"accountz"}, strings.NewReader(""), &stdout, &stderr, getenv); code != exitError || !strings.Contains(stderr.String(), "Did you mean accounts?") {
		t.Errorf("accountz: exit %d, stderr %q", code, stderr.String())
	}
}
