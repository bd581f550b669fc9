package vaultcmd

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/psnkit/psn/psntest"
	"github.com/psnkit/psn/vault/server"
)

// vaultCLI runs `psn vault …` through run(...) with one config dir and
// one simulator.
type vaultCLI struct {
	t   *testing.T
	srv *psntest.Server
	env map[string]string
}

func newVaultCLI(t *testing.T) *vaultCLI {
	t.Helper()
	srv := psntest.NewServer(psntest.Config{Users: 1})
	t.Cleanup(srv.Close)
	return &vaultCLI{t: t, srv: srv, env: map[string]string{
		"PSN_CONFIG_DIR": filepath.Join(t.TempDir(), "config"), "PSN_ENDPOINT": srv.URL,
	}}
}

func (c *vaultCLI) getenv(k string) string { return c.env[k] }

func (c *vaultCLI) run(args ...string) (code int, stdout, stderr string) {
	c.t.Helper()
	var out, errb bytes.Buffer
	code = run(c.t.Context(), args, strings.NewReader(""), &out, &errb, c.getenv)
	return code, out.String(), errb.String()
}

func TestVaultAPIKeyCommands(t *testing.T) {
	c := newVaultCLI(t)
	code, out, errOut := c.run("apikey", "create", "ci", "--admin")
	key := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(key, server.APIKeyPrefix) || strings.Count(out, "\n") != 1 {
		t.Fatalf("create = %d, stdout %q, stderr %q", code, out, errOut)
	}
	if _, err := server.ParseAPIKey(key); err != nil {
		t.Fatalf("printed key does not parse: %v", err)
	}
	if strings.Contains(errOut, key) {
		t.Fatal("the key is repeated on stderr")
	}
	if code, _, errOut := c.run("apikey", "create", "ci", "--admin"); code != 1 || !strings.Contains(errOut, "exists") {
		t.Fatalf("duplicate create = %d %q", code, errOut)
	}
	code, out, _ = c.run("apikey", "list", "-o", "json")
	var list []server.APIKeyInfo
	if err := json.Unmarshal([]byte(out), &list); code != 0 || err != nil || len(list) != 1 || list[0].Name != "ci" {
		t.Fatalf("list = %d %q", code, out)
	}
	if strings.Contains(out, key[len(key)-43:]) {
		t.Fatal("list shows the key")
	}
	if code, _, errOut := c.run("apikey", "revoke", "ci"); code != 0 {
		t.Fatalf("revoke = %d %q", code, errOut)
	}
	if code, _, _ := c.run("apikey", "revoke", "ci"); code != 1 {
		t.Fatalf("second revoke = %d, want 1", code)
	}
	if code, out, _ := c.run("apikey", "list"); code != 0 || strings.Contains(out, "ci") {
		t.Fatalf("list after revoke = %d %q", code, out)
	}
	secretish := strings.Repeat("k", 64)
	for _, args := range [][]string{
		{"apikey", "create"},
		{"apikey", "create", "a", secretish},
		{"apikey", "list", secretish},
		{"serve", secretish},
		{"nothing"},
	} {
		code, out, errOut := c.run(args...)
		if code != 1 || out != "" || strings.Contains(errOut, secretish) {
			t.Errorf("%v = %d, stdout %q, stderr %q: want exit 1, nothing on stdout, no argument echoed", args, code, out, errOut)
		}
	}
}

// TestVaultServeCommand runs `psn-vault serve` on a free port, adds an
// account and fetches its token over HTTP, then stops it as SIGINT would
// (the command's context is cancelled).
func TestVaultServeCommand(t *testing.T) {
	c := newVaultCLI(t)
	_, out, _ := c.run("apikey", "create", "ci", "--admin")
	key := strings.TrimSpace(out)
	npsso := c.srv.Sim.Users()[0].NPSSO

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	pr, pw := io.Pipe()
	var errb syncWriter
	done := make(chan int, 1)
	go func() {
		code := run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, strings.NewReader(""), pw, &errb, c.getenv)
		pw.Close()
		done <- code
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the startup line: %v (stderr %s)", err, errb.String())
	}
	go io.Copy(io.Discard, pr)
	var start struct{ URL string }
	if err := json.Unmarshal([]byte(line), &start); err != nil || !strings.HasPrefix(start.URL, "http://127.0.0.1:") {
		t.Fatalf("startup line %q", line)
	}

	call := func(method, path, body string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), method, start.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	body, _ := json.Marshal(map[string]any{"name": "alice", "npsso": npsso, "keepNpsso": true})
	if code, b := call(http.MethodPost, "/v1/accounts", string(body)); code != http.StatusCreated {
		t.Fatalf("POST /v1/accounts = %d %s", code, b)
	}
	code, b := call(http.MethodGet, "/v1/accounts/alice/token", "")
	var tok server.TokenResponse
	if err := json.Unmarshal(b, &tok); code != 200 || err != nil || tok.AccessToken == "" || time.Until(tok.Expiry) < time.Minute {
		t.Fatalf("GET token = %d %s", code, b)
	}
	if code, _ := call(http.MethodGet, "/healthz", ""); code != 200 {
		t.Fatalf("/healthz = %d", code)
	}

	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited %d after the stop; stderr:\n%s", code, errb.String())
	}
	logs := errb.String()
	for _, s := range []string{npsso, key, tok.AccessToken} {
		if strings.Contains(logs, s) {
			t.Fatalf("a secret (%d chars) reached stderr:\n%s", len(s), logs)
		}
	}
	for _, want := range []string{"serving on " + start.URL, "vault: account logged in", "vault: stopped"} {
		if !strings.Contains(logs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, logs)
		}
	}
}
