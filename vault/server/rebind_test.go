package server

import (
	"net/http"
	"strings"
	"testing"
)

// TestLoopbackOpenOnlyForLoopbackHost: the page and /metrics are open on a
// loopback connection only when the Host header names a loopback address
// or localhost. A web page that rebinds its own name to 127.0.0.1 (DNS
// rebinding) makes the browser send Host: evil.example on a loopback
// connection; it must get the form, not the accounts.
func TestLoopbackOpenOnlyForLoopbackHost(t *testing.T) {
	a := newAPIEnv(t, envOptions{})
	a.add("alice", 0, false)
	get := func(path, host string) (int, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, a.api.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if host != "" {
			req.Host = host
		}
		resp, body := httpDo(t, a.api.Client(), req)
		return resp.StatusCode, string(body)
	}
	for _, host := range []string{"", "localhost", "localhost:8788", "LOCALHOST:1", "vault.localhost:8788", "127.0.0.1", "127.0.0.2:99", "[::1]:8788"} {
		if code, body := get("/", host); code != 200 || !strings.Contains(body, `data-account="alice"`) {
			t.Errorf("GET / with Host %q on loopback = %d, want the page", host, code)
		}
	}
	for _, host := range []string{"evil.example", "evil.example:8788", "localhost.evil.example", "10.0.0.5:8788", "127.0.0.1.nip.io"} {
		if code, body := get("/", host); strings.Contains(body, "alice") || !strings.Contains(body, `action="/login"`) {
			t.Errorf("GET / with Host %q on loopback = %d and no login form: a rebound name reads the page", host, code)
		}
		if code, _ := get("/metrics", host); code != http.StatusUnauthorized {
			t.Errorf("GET /metrics with Host %q on loopback = %d, want 401", host, code)
		}
	}
}

// TestLoginFormNamesAWorkingCommand: the form's hint is a command that
// makes a key able to open the page (one without a scope is refused).
func TestLoginFormNamesAWorkingCommand(t *testing.T) {
	g := newGuardedEnv(t, false)
	_, body := httpGet(t, g.srv.Client(), g.srv.URL+"/", nil)
	if !isLoginForm(body) || !strings.Contains(string(body), "psn-vault apikey create NAME --accounts '*'") {
		t.Fatalf("the sign-in form does not name a command that makes a key for it:\n%s", body)
	}
}

// TestLoopbackThroughProxyNeedsKey: a request that a reverse proxy on this
// host forwarded arrives on loopback too; when the proxy says so (Forwarded,
// X-Forwarded-For, X-Real-IP), the page and /metrics are not open.
func TestLoopbackThroughProxyNeedsKey(t *testing.T) {
	a := newAPIEnv(t, envOptions{})
	a.add("alice", 0, false)
	for _, h := range []string{"Forwarded", "X-Forwarded-For", "X-Real-Ip"} {
		hdr := http.Header{h: {"203.0.113.7"}}
		if h == "Forwarded" {
			hdr = http.Header{h: {"for=203.0.113.7;proto=https"}}
		}
		if _, body := httpGet(t, a.api.Client(), a.api.URL+"/", hdr); strings.Contains(string(body), "alice") || !isLoginForm(body) {
			t.Errorf("GET / on loopback with %s: the page, want the sign-in form", h)
		}
		if resp, _ := httpGet(t, a.api.Client(), a.api.URL+"/metrics", hdr); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET /metrics on loopback with %s = %d, want 401", h, resp.StatusCode)
		}
	}
}
