package cli

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/psnkit/psn/psntest"
	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/store/sqlite"
	"github.com/psnkit/psn/vault"
)

// readOnly are commands that only read the store: none may create the
// key file, the store or a key ring (issue: only login, keys and vault
// create).
var readOnly = []struct {
	args []string
	code int // on a config dir where nobody logged in
}{
	{[]string{"me"}, exitLoginRequired},
	{[]string{"accounts", "-o", "json"}, exitOK},
	{[]string{"token", "status"}, exitLoginRequired},
	{[]string{"titles"}, exitLoginRequired},
}

func TestReadOnlyCommandsCreateNothingOnAFreshConfigDir(t *testing.T) {
	c := newAcctCLI(t, psntest.Config{})
	for _, ro := range readOnly {
		code, stdout, stderr := c.run("", ro.args)
		if code != ro.code {
			t.Errorf("psn %v on a fresh config dir: exit %d, want %d\n%s%s", ro.args, code, ro.code, stdout, stderr)
		}
		if ro.code == exitLoginRequired && !strings.Contains(stderr, "is not logged in") {
			t.Errorf("psn %v: stderr %q, want “not logged in”", ro.args, stderr)
		}
		if ro.args[0] == "accounts" && strings.TrimSpace(stdout) != "[]" {
			t.Errorf("psn accounts -o json on a fresh config dir: %q, want []", stdout)
		}
		if _, err := os.Stat(c.dir); !errors.Is(err, fs.ErrNotExist) {
			entries, _ := os.ReadDir(c.dir)
			t.Fatalf("psn %v created the config dir (%d entries; stat: %v)", ro.args, len(entries), err)
		}
	}
}

// ringOf reports whether the default store holds a key ring, opening it
// without creating or migrating anything.
func ringOf(t *testing.T, c *acctCLI) bool {
	t.Helper()
	st, err := sqlite.OpenExisting(context.Background(), c.dbPath())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, err = st.GetMeta(context.Background(), vault.RingMeta)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

func TestReadOnlyCommandsCreateNoKeyOrRingInAStoreWithoutOne(t *testing.T) {
	c := newAcctCLI(t, psntest.Config{})
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), c.dbPath()) // a store, no ring, no key
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	for _, ro := range readOnly {
		code, stdout, stderr := c.run("", ro.args)
		if code != ro.code {
			t.Errorf("psn %v on a store without a ring: exit %d, want %d\n%s%s", ro.args, code, ro.code, stdout, stderr)
		}
		if ro.code == exitLoginRequired && !strings.Contains(stderr, "is not logged in") {
			t.Errorf("psn %v: stderr %q, want “not logged in”", ro.args, stderr)
		}
		if stderr != "" {
			noInternals(t, "store without a ring", stderr)
		}
		if _, err := os.Stat(c.keyPath()); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("psn %v created the key file (stat: %v)", ro.args, err)
		}
		if ringOf(t, c) {
			t.Fatalf("psn %v created a key ring", ro.args)
		}
	}
	// With a key file present (PSN_KEY here) but still no ring: the same.
	key := "PSN_KEY=" + strings.Repeat("A", 43) + "="
	if code, _, stderr := c.run("", []string{"me"}, key); code != exitLoginRequired || ringOf(t, c) {
		t.Errorf("psn me with PSN_KEY on a store without a ring: exit %d, ring created %v\n%s", code, ringOf(t, c), stderr)
	}
	// PSN_KEY_FILE naming a missing file is not created either.
	kf := filepath.Join(t.TempDir(), "k", "key")
	if code, _, stderr := c.run("", []string{"accounts"}, "PSN_KEY_FILE="+kf); code != exitOK {
		t.Errorf("psn accounts with a missing PSN_KEY_FILE: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Dir(kf)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("psn accounts created PSN_KEY_FILE's directory (stat: %v)", err)
	}
	// login is the command that creates them.
	c.login(0)
	if _, err := os.Stat(c.keyPath()); err != nil || !ringOf(t, c) {
		t.Fatalf("login made no key file (%v) or ring", err)
	}
	if code, _, stderr := c.run("", []string{"me"}); code != exitOK {
		t.Errorf("psn me after login: exit %d\n%s", code, stderr)
	}
}

func TestReadOnlyCommandsWithTheKeyFileGone(t *testing.T) {
	c := newAcctCLI(t, psntest.Config{})
	c.login(0)
	if err := os.Remove(c.keyPath()); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"me"}, {"accounts"}} {
		code, stdout, stderr := c.run("", args)
		if code != exitError || stdout != "" || !strings.HasPrefix(stderr, "psn: the key file that opens this store's key ring is missing\n") {
			t.Errorf("psn %v without the key file: exit %d, stdout %q, stderr:\n%s", args, code, stdout, stderr)
		}
		noInternals(t, "key file gone", stderr)
		if _, err := os.Stat(c.keyPath()); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("psn %v created a new key file (stat: %v)", args, err)
		}
	}
}
