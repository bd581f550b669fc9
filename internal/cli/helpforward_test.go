//go:build unix

package cli

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// TestHelpTakesACommandPath: `psn help token status` (an example of psn
// help's own help) shows the help of token status, not an error.
func TestHelpTakesACommandPath(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"help", "token", "status"}, strings.NewReader(""), &stdout, &stderr, func(string) string { return "" })
	if code != exitOK || !strings.Contains(stdout.String(), "psn token status [flags]") {
		t.Fatalf("exit %d, stdout %q, stderr %q; want token status's help", code, stdout.String(), stderr.String())
	}
}

// TestHelpVaultForwards: `psn help vault apikey create` is
// `psn-vault help apikey create` (as `psn help vault serve` showed serve's
// help before the vault commands moved to psn-vault).
func TestHelpVaultForwards(t *testing.T) {
	_, _, got := runPSNWithFakeVault(t, "help", "vault", "apikey", "create")
	if got, want := strings.Join(got, " "), "help apikey create"; got != want {
		t.Errorf("psn-vault got %q, want %q", got, want)
	}
}

// TestHelpOfAnUnknownCommand: `psn help titel` fails (exit 1) with the
// suggestion `psn titel` gives, instead of printing psn's page with exit 0;
// `psn help token nope` likewise for a group.
func TestHelpOfAnUnknownCommand(t *testing.T) {
	for _, args := range [][]string{{"help", "titel"}, {"help", "token", "nope"}} {
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), args, strings.NewReader(""), &stdout, &stderr, func(string) string { return "" })
		if code != exitError || stdout.Len() != 0 || !strings.Contains(stderr.String(), "unknown command") {
			t.Errorf("psn %v: exit %d, stdout %d bytes, stderr %q", args, code, stdout.Len(), stderr.String())
		}
	}
	var stderr bytes.Buffer
	run(t.Context(), []string{"help", "titel"}, strings.NewReader(""), io.Discard, &stderr, func(string) string { return "" })
	if !strings.Contains(stderr.String(), "Did you mean titles?") {
		t.Errorf("no suggestion: %q", stderr.String())
	}
}
