package vaultcmd

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/psnkit/psn/vault/server"
)

// TestVaultAPIKeyScopes: create takes exactly one of --admin and
// --accounts, checks the names, and list shows each key's scope (SCOPE
// column, "scope" in JSON); scope changes it; each change is an audit line.
func TestVaultAPIKeyScopes(t *testing.T) {
	c := newVaultCLI(t)
	auditPath := filepath.Join(t.TempDir(), "audit.log")
	for _, tc := range []struct {
		args []string
		ok   bool
	}{
		{[]string{"ops", "--admin"}, true},
		{[]string{"bot", "--accounts", "bob, alice"}, true},
		{[]string{"all", "--accounts", "*"}, true},
		{[]string{"none"}, false},
		{[]string{"both", "--admin", "--accounts", "alice"}, false},
		{[]string{"notadmin", "--admin=false"}, false},
		{[]string{"empty", "--accounts", ""}, false},
		{[]string{"comma", "--accounts", "alice,"}, false},
		{[]string{"badname", "--accounts", "alice,../etc"}, false},
		{[]string{"mixed", "--accounts", "*,alice"}, false},
	} {
		args := append([]string{"apikey", "create", "--audit-log", auditPath}, tc.args...)
		code, out, errOut := c.run(args...)
		if tc.ok != (code == 0) {
			t.Errorf("create %v = %d, stdout %q, stderr %q", tc.args, code, out, errOut)
		}
		if !tc.ok && (out != "" || !strings.Contains(errOut, "--admin") && !strings.Contains(errOut, "account")) {
			t.Errorf("create %v: stdout %q, stderr %q: want no key and a reason", tc.args, out, errOut)
		}
	}
	code, out, _ := c.run("apikey", "list", "-o", "json")
	var list []server.APIKeyInfo
	if err := json.Unmarshal([]byte(out), &list); code != 0 || err != nil || len(list) != 3 {
		t.Fatalf("list = %d %q", code, out)
	}
	if !list[0].Scope.ReadsAll() || list[0].Scope.Admin || !slices.Equal(list[1].Scope.Accounts, []string{"alice", "bob"}) || !list[2].Scope.Admin {
		t.Fatalf("scopes listed: %+v", list)
	}
	code, out, _ = c.run("apikey", "list")
	if code != 0 || !strings.Contains(out, "SCOPE") || !strings.Contains(out, "alice,bob") || !strings.Contains(out, "admin") {
		t.Fatalf("list table = %d\n%s", code, out)
	}
	if code, _, errOut := c.run("apikey", "scope", "bot", "--audit-log", auditPath, "--accounts", "carol"); code != 0 || !strings.Contains(errOut, "carol") {
		t.Fatalf("scope = %d %q", code, errOut)
	}
	if code, _, _ := c.run("apikey", "scope", "bot"); code != 1 {
		t.Fatal("scope without --admin or --accounts succeeded")
	}
	if code, _, _ := c.run("apikey", "revoke", "bot", "--audit-log", auditPath); code != 0 {
		t.Fatal("revoke failed")
	}

	b, err := os.ReadFile(auditPath)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(auditPath); fi.Mode().Perm() != 0o600 {
		t.Errorf("audit log mode %v, want 0600", fi.Mode().Perm())
	}
	var events []string
	for line := range strings.Lines(string(b)) {
		var l struct{ Msg, Event, KeyID, KeyName, Scope, OSUser, Host string }
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) != nil || json.Unmarshal([]byte(line), &l) != nil || l.Msg != "audit" {
			t.Fatalf("not an audit line: %q", line)
		}
		if m["key_id"] == "" || m["key_name"] == "" || m["host"] == "" || m["pid"] == nil {
			t.Errorf("audit line lacks who or which key: %q", line)
		}
		events = append(events, l.Event+":"+m["key_name"].(string)+":"+m["scope"].(string))
	}
	want := []string{"apikey_created:ops:admin", "apikey_created:bot:alice,bob", "apikey_created:all:*", "apikey_scope_changed:bot:carol", "apikey_revoked:bot:carol"}
	if !slices.Equal(events, want) {
		t.Fatalf("audit events %v, want %v", events, want)
	}
}

// TestVaultServeAuditLog: `vault serve --audit-log FILE` writes the
// audit trail to FILE (0600), all of it by the time serve returns, with
// no secret; a listed key gets 403 outside its scope.
func TestVaultServeAuditLog(t *testing.T) {
	c := newVaultCLI(t)
	_, out, _ := c.run("apikey", "create", "ops", "--admin")
	admin := strings.TrimSpace(out)
	_, out, _ = c.run("apikey", "create", "bot", "--accounts", "alice")
	bot := strings.TrimSpace(out)
	npsso := c.srv.Sim.Users()[0].NPSSO
	auditPath := filepath.Join(t.TempDir(), "audit.log")

	url, errb, stop := startServe(t, c, "--addr", "127.0.0.1:0", "--audit-log", auditPath)
	call := func(key, method, path, body string) (int, []byte) {
		t.Helper()
		return vaultCall(t, url, key, method, path, body)
	}
	body, _ := json.Marshal(map[string]any{"name": "alice", "npsso": npsso})
	if code, b := call(admin, "POST", "/v1/accounts", string(body)); code != http.StatusCreated {
		t.Fatalf("POST = %d %s", code, b)
	}
	if code, b := call(bot, "POST", "/v1/accounts", string(body)); code != http.StatusForbidden {
		t.Fatalf("POST with a read key = %d %s, want 403", code, b)
	}
	code, b := call(bot, "GET", "/v1/accounts/alice/token", "")
	var tok server.TokenResponse
	if err := json.Unmarshal(b, &tok); code != 200 || err != nil || tok.AccessToken == "" {
		t.Fatalf("GET token = %d %s", code, b)
	}
	if code, _ := call(bot, "GET", "/v1/accounts/bob/token", ""); code != http.StatusForbidden {
		t.Fatalf("out of scope = %d, want 403", code)
	}
	stop()
	log, err := os.ReadFile(auditPath)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(auditPath); fi.Mode().Perm() != 0o600 {
		t.Errorf("audit log mode %v, want 0600", fi.Mode().Perm())
	}
	for _, want := range []string{`"event":"account_added"`, `"event":"forbidden"`, `"event":"token_issued"`, `"account":"alice"`, `"key_name":"bot"`} {
		if !strings.Contains(string(log), want) {
			t.Errorf("audit log lacks %s:\n%s", want, log)
		}
	}
	if n := strings.Count(string(log), "\n"); n != 4 {
		t.Errorf("%d audit lines, want 4:\n%s", n, log)
	}
	for _, s := range []string{npsso, admin, bot, admin[len(admin)-43:], bot[len(bot)-43:], tok.AccessToken} {
		if strings.Contains(string(log), s) || strings.Contains(errb.String(), s) {
			t.Fatalf("a secret (%d chars) is in the audit log or on stderr", len(s))
		}
	}
}

// failWriter fails every write, as stdout on a full disk does.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestVaultAPIKeyCreateAuditedWhenStdoutFails: a key is in the store once
// CreateScoped returns, so it is audited even when printing it fails.
func TestVaultAPIKeyCreateAuditedWhenStdoutFails(t *testing.T) {
	c := newVaultCLI(t)
	auditPath := filepath.Join(t.TempDir(), "audit.log")
	var errb strings.Builder
	code := run(t.Context(), []string{"apikey", "create", "lost", "--admin", "--audit-log", auditPath}, strings.NewReader(""), failWriter{}, &errb, c.getenv)
	if code == 0 {
		t.Fatal("create succeeded though the key could not be printed")
	}
	_, out, _ := c.run("apikey", "list", "-o", "json")
	if !strings.Contains(out, `"lost"`) {
		t.Fatalf("the key was not stored: %s", out)
	}
	b, _ := os.ReadFile(auditPath)
	if !strings.Contains(string(b), `"event":"apikey_created"`) || !strings.Contains(string(b), `"key_name":"lost"`) {
		t.Fatalf("a stored key has no apikey_created line; audit log:\n%s", b)
	}
}

// TestVaultAPIKeyAuditWriteFails: an audit line that cannot be written
// (/dev/full: ENOSPC) fails the command; a created key is taken back, so
// no key exists without its apikey_created line.
func TestVaultAPIKeyAuditWriteFails(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full here")
	}
	c := newVaultCLI(t)
	code, out, errOut := c.run("apikey", "create", "unaudited", "--admin", "--audit-log", "/dev/full")
	if code == 0 || out != "" || !strings.Contains(errOut, "audit") {
		t.Fatalf("create with an unwritable audit log = %d, stdout %q, stderr %q; want a failure, no key", code, out, errOut)
	}
	if _, out, _ := c.run("apikey", "list", "-o", "json"); strings.Contains(out, "unaudited") {
		t.Fatalf("an unaudited key is in the store: %s", out)
	}
	if code, _, _ := c.run("apikey", "create", "ops", "--admin"); code != 0 {
		t.Fatal("create failed")
	}
	if code, _, errOut := c.run("apikey", "revoke", "ops", "--audit-log", "/dev/full"); code == 0 || !strings.Contains(errOut, "audit") {
		t.Fatalf("revoke with an unwritable audit log = %d %q, want a failure that says so", code, errOut)
	}
}
