//go:build unix

package vaultcmd

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestAuditFileReopens: after logrotate renames the audit file, Reopen
// makes a new file (0600) under the path; lines written before stay in the
// renamed one, lines after go to the new one.
func TestAuditFileReopens(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.log")
	f, err := openReopenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write([]byte("before\n")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	if err := f.Reopen(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("after\n")); err != nil {
		t.Fatal(err)
	}
	old, _ := os.ReadFile(path + ".1")
	cur, _ := os.ReadFile(path)
	if string(old) != "before\n" || string(cur) != "after\n" {
		t.Fatalf("rotated file %q, new file %q; want %q and %q", old, cur, "before\n", "after\n")
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("new audit file mode = %v, %v; want 0600", fi.Mode().Perm(), err)
	}
}

// TestVaultServeReopensAuditLogOnSIGHUP: `vault serve --audit-log FILE`
// moved aside by logrotate, then sent SIGHUP, writes what came before to
// the moved file and what follows to a new FILE.
func TestVaultServeReopensAuditLogOnSIGHUP(t *testing.T) {
	c := newVaultCLI(t)
	path := filepath.Join(t.TempDir(), "audit.log")
	url, _, stop := startServe(t, c, "--addr", "127.0.0.1:0", "--audit-log", path)
	refused := func() {
		t.Helper()
		resp, err := http.Get(url + "/v1/accounts") // no key: an "unauthorized" audit line
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	refused()
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute) // a bound for a stuck test, not a speed requirement
	for {
		if _, err := os.Stat(path); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no new audit file after SIGHUP")
		}
		time.Sleep(10 * time.Millisecond)
	}
	refused()
	stop()
	old, _ := os.ReadFile(path + ".1")
	cur, _ := os.ReadFile(path)
	if strings.Count(string(old), `"event":"unauthorized"`) != 1 || strings.Count(string(cur), `"event":"unauthorized"`) != 1 {
		t.Fatalf("rotated file:\n%s\nnew file:\n%s\nwant one unauthorized line in each", old, cur)
	}
}
