package vaultcmd

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/vault/server"
)

func TestVaultWebhookTest(t *testing.T) {
	const secret = "whsec-cli-test-4b1d9e"
	status := http.StatusNoContent
	var got []string
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !server.VerifyWebhook(psn.Secret(secret), body, r.Header.Get(server.HeaderSignature)) {
			t.Errorf("the sample's signature does not verify")
		}
		got = append(got, r.Header.Get(server.HeaderEvent))
		w.WriteHeader(status)
	}))
	t.Cleanup(rcv.Close)
	c := newVaultCLI(t)

	if code, _, errOut := c.run("webhook", "test", "--url", rcv.URL+"/hook"); code != 1 || !strings.Contains(errOut, server.WebhookSecretEnv) {
		t.Fatalf("without the secret: exit %d, stderr %q; want 1 naming %s", code, errOut, server.WebhookSecretEnv)
	}
	c.env[server.WebhookSecretEnv] = secret
	code, out, errOut := c.run("webhook", "test", "--url", rcv.URL+"/hook", "--event", "refresh_expiring")
	if code != 0 || !strings.HasPrefix(out, "HTTP 204 from http://") || !strings.Contains(out, "refresh_expiring event evt_test_") {
		t.Fatalf("test = %d, stdout %q, stderr %q", code, out, errOut)
	}
	if len(got) != 1 || got[0] != "refresh_expiring" {
		t.Fatalf("receiver got %v", got)
	}
	status = http.StatusInternalServerError
	code, _, errOut = c.run("webhook", "test", "--url", rcv.URL+"/hook")
	if code != 1 || !strings.Contains(errOut, "answered HTTP 500") {
		t.Fatalf("a 500 answer: exit %d, stderr %q; want 1 and the status", code, errOut)
	}
	if strings.Contains(errOut+out, secret) {
		t.Fatal("the secret is on the screen")
	}
	status = http.StatusNoContent
	c.env["PSN_WEBHOOK_URLS"] = rcv.URL + "/from-env"
	if code, out, errOut := c.run("webhook", "test"); code != 0 || len(got) != 3 {
		t.Fatalf("test with the URL from PSN_WEBHOOK_URLS: exit %d, stdout %q, stderr %q, receiver got %v", code, out, errOut, got)
	}
	if code, _, errOut := c.run("webhook", "test", "--url", rcv.URL, "--event", "nope"); code != 1 || !strings.Contains(errOut, "unknown webhook event") {
		t.Fatalf("unknown event: exit %d, stderr %q", code, errOut)
	}
}

func TestVaultServeWebhookNeedsSecret(t *testing.T) {
	c := newVaultCLI(t)
	code, _, errOut := c.run("serve", "--addr", "127.0.0.1:0", "--webhook", "https://hooks.example/x")
	if code != 1 || !strings.Contains(errOut, server.WebhookSecretEnv) {
		t.Fatalf("serve --webhook without a secret: exit %d, stderr %q; want 1 naming %s", code, errOut, server.WebhookSecretEnv)
	}
	c.env[server.WebhookSecretEnv] = "s \n"
	code, _, errOut = c.run("serve", "--addr", "127.0.0.1:0", "--webhook", "https://hooks.example/x")
	if code != 1 || !strings.Contains(errOut, "white space") {
		t.Fatalf("a secret ending in white space: exit %d, stderr %q; want 1 saying so", code, errOut)
	}
	c.env[server.WebhookSecretEnv] = "s"
	c.env["PSN_WEBHOOK_URLS"] = "https://hooks.example/ok, ftp://hooks.example/secret-path"
	code, _, errOut = c.run("serve", "--addr", "127.0.0.1:0")
	if code != 1 || !strings.Contains(errOut, "PSN_WEBHOOK_URLS") || strings.Contains(errOut, "secret-path") {
		t.Fatalf("serve with a bad PSN_WEBHOOK_URLS: exit %d, stderr %q; want 1 naming the variable, not the path", code, errOut)
	}
	delete(c.env, "PSN_WEBHOOK_URLS")
	code, _, errOut = c.run("serve", "--addr", "127.0.0.1:0", "--webhook", "ftp://hooks.example/x")
	if code != 1 || !strings.Contains(errOut, "webhook URL") {
		t.Fatalf("serve --webhook ftp://: exit %d, stderr %q; want 1", code, errOut)
	}
}

// TestVaultServeSendsWebhooks runs `psn-vault serve` with one URL from
// --webhook and one, whose path is a receiver's credential, from
// PSN_WEBHOOK_URLS; adds and deletes an account over HTTP, and waits for
// the signed account_added and account_deleted events at both. The
// credential reaches neither stderr nor the store's files.
func TestVaultServeSendsWebhooks(t *testing.T) {
	const secret = "whsec-serve-test-77c2"
	const credential = "tok-9f8e7d6c5b4a"
	var (
		mu     sync.Mutex
		events []string
	)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/"+credential {
			mu.Lock()
			defer mu.Unlock()
			body, _ := io.ReadAll(r.Body)
			var ev server.WebhookEvent
			_ = json.Unmarshal(body, &ev)
			events = append(events, "env:"+ev.Event)
			return
		}
		body, _ := io.ReadAll(r.Body)
		if !server.VerifyWebhook(psn.Secret(secret), body, r.Header.Get(server.HeaderSignature)) {
			t.Errorf("bad signature")
		}
		var ev server.WebhookEvent
		_ = json.Unmarshal(body, &ev)
		mu.Lock()
		events = append(events, ev.Event+":"+ev.Account)
		mu.Unlock()
	}))
	t.Cleanup(rcv.Close)
	c := newVaultCLI(t)
	c.env[server.WebhookSecretEnv] = secret
	c.env["PSN_WEBHOOK_URLS"] = rcv.URL + "/" + credential
	_, out, _ := c.run("apikey", "create", "ci", "--admin")
	key := strings.TrimSpace(out)

	url, errb, stop := startServe(t, c, "--addr", "127.0.0.1:0", "--webhook", rcv.URL+"/psn")
	call := func(method, path, body string) int {
		t.Helper()
		code, _ := vaultCall(t, url, key, method, path, body)
		return code
	}
	body, _ := json.Marshal(map[string]any{"name": "alice", "npsso": c.srv.Sim.Users()[0].NPSSO})
	if code := call(http.MethodPost, "/v1/accounts", string(body)); code != http.StatusCreated {
		t.Fatalf("POST = %d", code)
	}
	if code := call(http.MethodDelete, "/v1/accounts/alice", ""); code != http.StatusNoContent {
		t.Fatalf("DELETE = %d", code)
	}
	deadline := time.Now().Add(time.Minute) // a bound for a stuck test, not a speed requirement
	for {
		mu.Lock()
		var mine, env []string
		for _, e := range events {
			if strings.HasPrefix(e, "env:") {
				env = append(env, e)
			} else {
				mine = append(mine, e)
			}
		}
		got := strings.Join(mine, " ") + " | " + strings.Join(env, " ")
		mu.Unlock()
		if got == "account_added:alice account_deleted:alice | env:account_added env:account_deleted" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("receiver got %q", got)
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	if strings.Contains(errb.String(), secret) || strings.Contains(errb.String(), credential) {
		t.Fatal("the webhook secret or the URL's credential reached stderr")
	}
	files, _ := filepath.Glob(filepath.Join(c.env["PSN_CONFIG_DIR"], "*"))
	if len(files) == 0 {
		t.Fatal("no store files to scan")
	}
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil && bytes.Contains(b, []byte(credential)) {
			t.Errorf("%s holds the webhook URL's credential", filepath.Base(f))
		}
	}
}
