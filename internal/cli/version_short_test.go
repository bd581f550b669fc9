package cli

import (
	"bytes"
	"strings"
	"testing"
)

// TestVersionShortNamesTheProgram: psn --help lists "version  Show psn's
// version, …" as it did before psn-vault shared the command (and
// psn-vault's names psn-vault).
func TestVersionShortNamesTheProgram(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"--help"}, strings.NewReader(""), &stdout, &stderr, func(string) string { return "" }); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "Show psn's version, commit and Go version") {
		t.Errorf("psn --help does not name psn in version's line:\n%s", stdout.String())
	}
}
