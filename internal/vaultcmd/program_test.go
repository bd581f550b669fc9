package vaultcmd

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadOnlyVaultCommandsCreateNothing: only serve and apikey create may
// create a store. Without one, apikey list shows no key, revoke and scope
// fail saying there is no store, and none of them creates the config dir;
// a --store that names no store is an error naming it.
func TestReadOnlyVaultCommandsCreateNothing(t *testing.T) {
	c := newVaultCLI(t)
	dir := c.env["PSN_CONFIG_DIR"]
	if code, out, errOut := c.run("apikey", "list", "-o", "json"); code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("apikey list without a store = %d, %q, %q; want 0 and []", code, out, errOut)
	}
	for _, args := range [][]string{{"apikey", "revoke", "ops"}, {"apikey", "scope", "ops", "--admin"}} {
		if code, _, errOut := c.run(args...); code != 1 || !strings.Contains(errOut, "no token store yet") {
			t.Errorf("%v without a store = %d, %q", args, code, errOut)
		}
	}
	if _, err := os.Stat(dir); err == nil {
		t.Fatalf("a read-only command created %s", dir)
	}
	missing := filepath.Join(t.TempDir(), "nope", "x.db")
	if code, _, errOut := c.run("--store", "sqlite://"+missing, "apikey", "list"); code != 1 || !strings.Contains(errOut, "no token store at") {
		t.Errorf("apikey list --store missing = %d, %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Dir(missing)); err == nil {
		t.Errorf("apikey list created %s", filepath.Dir(missing))
	}
	if code, _, errOut := c.run("apikey", "create", "ops", "--admin"); code != 0 {
		t.Fatalf("apikey create = %d, %q", code, errOut)
	}
	if code, _, errOut := c.run("apikey", "revoke", "ops"); code != 0 {
		t.Fatalf("revoke after create = %d, %q", code, errOut)
	}
}

// TestEveryPsnVaultCommandHasExamples walks psn-vault's commands through
// their help (as a user finds them) and wants an Examples section in each.
func TestEveryPsnVaultCommandHasExamples(t *testing.T) {
	c := newVaultCLI(t)
	seen := 0
	var walk func(path []string)
	walk = func(path []string) {
		code, out, errOut := c.run(append(append([]string{}, path...), "--help")...)
		if code != 0 {
			t.Fatalf("psn-vault %v --help = %d, %s", path, code, errOut)
		}
		seen++
		if !strings.Contains(out, "\nExamples:\n  psn-vault ") && !strings.Contains(out, "\nExamples:\n  PSN_") && !strings.Contains(out, "\nExamples:\n  source <(psn-vault") {
			t.Errorf("psn-vault %s has no examples of psn-vault:\n%s", strings.Join(path, " "), out)
		}
		_, list, ok := strings.Cut(out, "\nAvailable Commands:\n")
		if !ok {
			return
		}
		list, _, _ = strings.Cut(list, "\n\n")
		for _, line := range strings.Split(list, "\n") {
			if f := strings.Fields(line); len(f) > 0 {
				walk(append(append([]string{}, path...), f[0]))
			}
		}
	}
	walk(nil)
	if seen < 14 { // psn-vault, serve, apikey (+4), webhook (+1), version, help, completion (+4)
		t.Errorf("walked %d commands; the help lists fewer than expected", seen)
	}
}

// TestServeChecksFlagsBeforeTheStore: a flag mistake or an address that
// cannot be listened on fails serve before it creates (or migrates) a
// store: the config dir stays absent.
func TestServeChecksFlagsBeforeTheStore(t *testing.T) {
	c := newVaultCLI(t)
	dir := c.env["PSN_CONFIG_DIR"]
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	c.env["PSN_WEBHOOK_SECRET"] = "s3cret"
	for _, args := range [][]string{
		{"serve", "--addr", "127.0.0.1:0", "--tls-cert", "vault.crt"},
		{"serve", "--addr", "127.0.0.1:0", "--tls-cert", "missing.crt", "--tls-key", "missing.key"},
		{"serve", "--addr", busy.Addr().String()},
		{"serve", "--addr", "127.0.0.1:0", "--webhook", "ftp://hooks.example/x"},
	} {
		if code, _, errOut := c.run(args...); code != 1 {
			t.Errorf("%v = %d, %q; want 1", args, code, errOut)
		}
		if _, err := os.Stat(dir); err == nil {
			t.Fatalf("%v created %s before failing", args, dir)
		}
	}
}
