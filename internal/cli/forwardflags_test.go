//go:build unix

package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVaultCompletionListsEachFlagOnce: `psn vault serve --<TAB>` offers
// psn-vault's flags once each; psn no longer puts its own global flags in
// front of psn-vault's answer (it parses none of them there), and
// `psn help vault` does not list them as psn's.
func TestVaultCompletionListsEachFlagOnce(t *testing.T) {
	dir := t.TempDir()
	script := "#!/bin/sh\nprintf -- '--account\\tlocal name\\n--addr\\tlisten address\\n:4\\n'\n"
	if err := os.WriteFile(filepath.Join(dir, VaultProgram), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PATH": dir}
	getenv := func(k string) string { return env[k] }
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"__complete", "vault", "serve", "--a"}, strings.NewReader(""), &stdout, &stderr, getenv); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	want := "--account\tlocal name\n--addr\tlisten address\n:4\n"
	if got := stdout.String(); got != want {
		t.Errorf("completions %q, want psn-vault's answer alone %q", got, want)
	}
	stdout.Reset()
	if code := run(t.Context(), []string{"help", "vault"}, strings.NewReader(""), &stdout, &stderr, getenv); code != 0 {
		t.Fatalf("help vault: exit %d, stderr %q", code, stderr.String())
	}
	if out := stdout.String(); strings.Contains(out, "Global Flags:") || strings.Contains(out, "--store string") {
		t.Errorf("psn help vault lists psn's flags, which psn vault passes on unread:\n%s", out)
	}
}
