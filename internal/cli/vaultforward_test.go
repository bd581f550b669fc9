//go:build unix

package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// fakeVault writes a psn-vault into a new directory that records its
// arguments and its pid in the file out, then exits with code 7.
func fakeVault(t *testing.T) (dir, out string) {
	t.Helper()
	dir = t.TempDir()
	out = filepath.Join(t.TempDir(), "args")
	script := "#!/bin/sh\necho $$ > '" + out + "'\nprintf '%s\\n' \"$@\" >> '" + out + "'\nexit 7\n"
	if err := os.WriteFile(filepath.Join(dir, VaultProgram), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, out
}

// TestVaultForwardExecsPsnVault: `psn --store URL vault serve --addr A`
// runs `psn-vault --store URL serve --addr A` found on PATH, in psn's own
// process (the pid psn-vault sees is psn's), and psn's exit code is
// psn-vault's.
func TestVaultForwardExecsPsnVault(t *testing.T) {
	pid, vaultPid, got := runPSNWithFakeVault(t, "--store", "sqlite:///tmp/x.db", "vault", "serve", "--addr", "127.0.0.1:0", "--help")
	if vaultPid != pid {
		t.Errorf("psn-vault ran as pid %d, psn was %d: want the same process (exec)", vaultPid, pid)
	}
	want := []string{"--store", "sqlite:///tmp/x.db", "serve", "--addr", "127.0.0.1:0", "--help"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("psn-vault got %q, want %q", got, want)
	}
}

// runPSNWithFakeVault runs this test binary as psn with args and a
// fakeVault alone on PATH, wants psn-vault's exit code 7, and returns
// psn's pid, the pid psn-vault ran as and the arguments it got.
func runPSNWithFakeVault(t *testing.T, args ...string) (pid, vaultPid int, vaultArgs []string) {
	t.Helper()
	dir, out := fakeVault(t)
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), asPSNEnv+"=1", "PATH="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if code := cmd.ProcessState.ExitCode(); code != 7 {
		t.Fatalf("exit %d (%v), want psn-vault's 7; stderr: %s", code, err, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("psn-vault did not run: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	vaultPid, _ = strconv.Atoi(lines[0])
	return cmd.Process.Pid, vaultPid, lines[1:]
}

// TestVaultForwardWithoutPsnVault: without psn-vault next to psn or on
// PATH, `psn vault serve` fails (exit 1) saying how to install it.
func TestVaultForwardWithoutPsnVault(t *testing.T) {
	var stdout, stderr bytes.Buffer
	env := map[string]string{"PATH": t.TempDir(), "PSN_CONFIG_DIR": filepath.Join(t.TempDir(), "config")}
	code := run(t.Context(), []string{"vault", "serve"}, strings.NewReader(""), &stdout, &stderr, func(k string) string { return env[k] })
	if code != exitError || !strings.Contains(stderr.String(), "go install github.com/psnkit/psn/cmd/psn-vault@latest") ||
		!strings.HasPrefix(stderr.String(), "psn: psn vault runs the psn-vault program") {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	if _, err := os.Stat(env["PSN_CONFIG_DIR"]); err == nil {
		t.Error("psn vault without psn-vault created the config dir")
	}
}

// TestVaultForwardCompletes: `psn vault <TAB>` completes what psn-vault
// completes for the same words (asked through its __complete command).
func TestVaultForwardCompletes(t *testing.T) {
	dir := t.TempDir()
	script := "#!/bin/sh\n[ \"$1\" = __complete ] || exit 9\nshift\necho \"seen:$*\"\nprintf 'serve\\tServe the API\\n:4\\n'\n"
	if err := os.WriteFile(filepath.Join(dir, VaultProgram), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	env := map[string]string{"PATH": dir}
	code := run(t.Context(), []string{"__complete", "vault", "--store", "x", "se"}, strings.NewReader(""), &stdout, &stderr, func(k string) string { return env[k] })
	out := stdout.String()
	if code != 0 || !strings.Contains(out, "seen:--store x se\n") || !strings.Contains(out, "serve\tServe the API\n") || !strings.Contains(out, "\n:4\n") {
		t.Fatalf("exit %d, completions %q, stderr %q", code, out, stderr.String())
	}
}

// TestVaultForwardIgnoresRelativePATH: a psn-vault in the current
// directory is not run because PATH holds "." or "" (as exec.LookPath).
func TestVaultForwardIgnoresRelativePATH(t *testing.T) {
	dir, _ := fakeVault(t)
	t.Chdir(dir)
	for _, path := range []string{".", "", "./"} {
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), []string{"vault", "serve"}, strings.NewReader(""), &stdout, &stderr, func(k string) string {
			if k == "PATH" {
				return path
			}
			return ""
		})
		if code != exitError || !strings.Contains(stderr.String(), "neither next to psn nor on PATH") {
			t.Errorf("PATH=%q: exit %d, %q; want psn-vault in the current directory ignored", path, code, stderr.String())
		}
	}
}
