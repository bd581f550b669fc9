//go:build unix

package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunVaultUsesRunsStreams: Run (psn as a library, as tests use it) is
// not the process: `psn vault` runs psn-vault as a child writing to Run's
// streams and returns its exit code, instead of exec'ing it in place of
// the caller (which replaced the test binary, its output going to the
// process's stdout rather than the writer given).
func TestRunVaultUsesRunsStreams(t *testing.T) {
	dir := t.TempDir()
	script := "#!/bin/sh\necho \"out:$*\"\necho err >&2\nexit 7\n"
	if err := os.WriteFile(filepath.Join(dir, VaultProgram), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PATH": dir}
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"--store", "x", "vault", "apikey", "list"}, strings.NewReader(""), &stdout, &stderr, func(k string) string { return env[k] })
	if code != 7 || stdout.String() != "out:--store x apikey list\n" || stderr.String() != "err\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q; want psn-vault's 7, its output in Run's writers", code, stdout.String(), stderr.String())
	}
}
