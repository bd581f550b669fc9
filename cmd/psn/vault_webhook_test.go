package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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

	if code, _, errOut := c.run("vault", "webhook", "test", "--url", rcv.URL+"/hook"); code != 1 || !strings.Contains(errOut, server.WebhookSecretEnv) {
		t.Fatalf("without the secret: exit %d, stderr %q; want 1 naming %s", code, errOut, server.WebhookSecretEnv)
	}
	c.env[server.WebhookSecretEnv] = secret
	code, out, errOut := c.run("vault", "webhook", "test", "--url", rcv.URL+"/hook", "--event", "refresh_expiring")
	if code != 0 || !strings.HasPrefix(out, "HTTP 204 from http://") || !strings.Contains(out, "refresh_expiring event evt_test_") {
		t.Fatalf("test = %d, stdout %q, stderr %q", code, out, errOut)
	}
	if len(got) != 1 || got[0] != "refresh_expiring" {
		t.Fatalf("receiver got %v", got)
	}
	status = http.StatusInternalServerError
	code, _, errOut = c.run("vault", "webhook", "test", "--url", rcv.URL+"/hook")
	if code != 1 || !strings.Contains(errOut, "answered HTTP 500") {
		t.Fatalf("a 500 answer: exit %d, stderr %q; want 1 and the status", code, errOut)
	}
	if strings.Contains(errOut+out, secret) {
		t.Fatal("the secret is on the screen")
	}
	if code, _, errOut := c.run("vault", "webhook", "test", "--url", rcv.URL, "--event", "nope"); code != 1 || !strings.Contains(errOut, "unknown webhook event") {
		t.Fatalf("unknown event: exit %d, stderr %q", code, errOut)
	}
}

func TestVaultServeWebhookNeedsSecret(t *testing.T) {
	c := newVaultCLI(t)
	code, _, errOut := c.run("vault", "serve", "--addr", "127.0.0.1:0", "--webhook", "https://hooks.example/x")
	if code != 1 || !strings.Contains(errOut, server.WebhookSecretEnv) {
		t.Fatalf("serve --webhook without a secret: exit %d, stderr %q; want 1 naming %s", code, errOut, server.WebhookSecretEnv)
	}
	c.env[server.WebhookSecretEnv] = "s"
	code, _, errOut = c.run("vault", "serve", "--addr", "127.0.0.1:0", "--webhook", "ftp://hooks.example/x")
	if code != 1 || !strings.Contains(errOut, "webhook URL") {
		t.Fatalf("serve --webhook ftp://: exit %d, stderr %q; want 1", code, errOut)
	}
}
