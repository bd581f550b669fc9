package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVaultProgramOnWindows: on Windows psn-vault is psn-vault.exe, and
// Go reports no execute bit there (0666), so the file is taken as it is;
// a psn-vault without .exe is not a program on Windows.
func TestVaultProgramOnWindows(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, VaultProgram+".exe")
	if err := os.WriteFile(exe, []byte("MZ"), 0o644); err != nil {
		t.Fatal(err)
	}
	if p, problem := vaultProgramIn(dir, true); p != exe || problem != "" {
		t.Errorf("windows: got %q, %q; want %s", p, problem, exe)
	}
	if p, problem := vaultProgramIn(dir, false); problem == "" {
		t.Errorf("unix: psn-vault.exe taken as psn-vault (%s)", p)
	}
	bare := t.TempDir()
	if err := os.WriteFile(filepath.Join(bare, VaultProgram), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if p, problem := vaultProgramIn(bare, true); problem == "" {
		t.Errorf("windows: a psn-vault without .exe taken (%s)", p)
	}
}

// TestVaultForwardUnusablePsnVault: a psn-vault on PATH that cannot run
// (not executable, a directory) is named in the error, instead of "not on
// PATH" sending the user to look for a file that is there.
func TestVaultForwardUnusablePsnVault(t *testing.T) {
	if os.PathSeparator != '/' {
		t.Skip("execute bits are Unix's")
	}
	noExec := t.TempDir()
	if err := os.WriteFile(filepath.Join(noExec, VaultProgram), []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	isDir := t.TempDir()
	if err := os.Mkdir(filepath.Join(isDir, VaultProgram), 0o755); err != nil {
		t.Fatal(err)
	}
	for dir, want := range map[string]string{noExec: "is not executable", isDir: "is a directory"} {
		var stdout, stderr bytes.Buffer
		env := map[string]string{"PATH": dir}
		code := run(t.Context(), []string{"vault", "serve"}, strings.NewReader(""), &stdout, &stderr, func(k string) string { return env[k] })
		if code != exitError || !strings.Contains(stderr.String(), filepath.Join(dir, VaultProgram)+" "+want) {
			t.Errorf("PATH=%s: exit %d, stderr %q; want %q", dir, code, stderr.String(), want)
		}
	}
}

// TestVaultHelpWithoutPsnVault: `psn vault --help` (or `psn vault serve
// -h`) without psn-vault shows psn's page on psn vault, which says how to
// install psn-vault, and succeeds: asking for help is not an error. Other
// arguments still fail saying psn-vault is missing.
func TestVaultHelpWithoutPsnVault(t *testing.T) {
	env := map[string]string{"PATH": t.TempDir()}
	getenv := func(k string) string { return env[k] }
	for _, args := range [][]string{{"vault", "--help"}, {"vault", "serve", "-h"}} {
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), args, strings.NewReader(""), &stdout, &stderr, getenv)
		if code != exitOK || !strings.Contains(stdout.String(), "Install it with: go install github.com/psnkit/psn/cmd/psn-vault@latest") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want psn's help on psn vault", args, code, stdout.String(), stderr.String())
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"vault", "--", "--help"}, strings.NewReader(""), &stdout, &stderr, getenv); code != exitError {
		t.Errorf("vault -- --help: exit %d, want 1 (an argument for psn-vault, which is missing)", code)
	}
}
