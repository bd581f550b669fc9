package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestAPIKeyGuessesThrottled: wrong keys for a known key id cost an
// argon2id run each, so an address that sent loginMaxFailures of them gets
// 429 (with Retry-After, not audited line by line) instead of more runs,
// on /v1 and on /metrics alike; a key this process already verified still
// passes from that address, a key not yet verified waits like a guess, and
// the window's end lets the address try again.
func TestAPIKeyGuessesThrottled(t *testing.T) {
	audit := &syncBuffer{}
	a := newAPIEnv(t, envOptions{svc: func(c *ServiceConfig) { c.Audit = NewAuditLogger(audit) }})
	ck := &clock{t: time.Now()}
	a.api = httptest.NewServer(NewHandler(a.svc, a.keys, withWallClock(ck.now)))
	t.Cleanup(a.api.Close)
	good := a.key.Reveal()
	if code, body := a.do(http.MethodGet, "/v1/accounts", good, ""); code != http.StatusOK {
		t.Fatalf("good key = %d %s", code, body)
	}
	second, _, err := a.keys.Create(t.Context(), "second")
	if err != nil {
		t.Fatal(err)
	}
	wrong := otherKey(good)
	for i := range loginMaxFailures {
		if code, body := a.do(http.MethodGet, "/v1/accounts", wrong, ""); code != http.StatusUnauthorized {
			t.Fatalf("wrong key #%d = %d %s, want 401", i+1, code, body)
		}
	}
	for _, path := range []string{"/v1/accounts", "/v1/accounts/alice/token"} {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, a.api.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+wrong)
		resp, err := a.api.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("%s after %d wrong keys = %d (Retry-After %q), want 429 with Retry-After",
				path, loginMaxFailures, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}
	if code, body := a.do(http.MethodGet, "/v1/accounts", second.Reveal(), ""); code != http.StatusTooManyRequests || errorCode(t, body) != "too_many_failures" {
		t.Fatalf("a key not yet verified, from the throttled address = %d %s, want 429 too_many_failures", code, body)
	}
	if code, body := a.do(http.MethodGet, "/v1/accounts", good, ""); code != http.StatusOK {
		t.Fatalf("the verified key from the throttled address = %d %s, want 200", code, body)
	}
	if n := strings.Count(audit.String(), `"event":"unauthorized"`); n != loginMaxFailures {
		t.Errorf("%d unauthorized audit lines, want %d (throttled requests are not audited)", n, loginMaxFailures)
	}
	ck.advance(loginFailWindow)
	if code, body := a.do(http.MethodGet, "/v1/accounts", second.Reveal(), ""); code != http.StatusOK {
		t.Fatalf("a good key after the window = %d %s, want 200", code, body)
	}
}

// TestAPIKeyCheckWaitIsBounded: when every argon2id slot is taken (a flood
// of guesses from many addresses), a key that needs a check gets 503 busy
// after argonWait instead of queueing without end; a verified key passes.
func TestAPIKeyCheckWaitIsBounded(t *testing.T) {
	a := newAPIEnv(t, envOptions{})
	if code, _ := a.authed(http.MethodGet, "/v1/accounts", ""); code != http.StatusOK {
		t.Fatalf("good key = %d", code)
	}
	second, _, err := a.keys.Create(t.Context(), "second")
	if err != nil {
		t.Fatal(err)
	}
	a.keys.argonWait = 50 * time.Millisecond
	for range cap(a.keys.sem) {
		a.keys.sem <- struct{}{}
	}
	code, body := a.do(http.MethodGet, "/v1/accounts", second.Reveal(), "")
	if code != http.StatusServiceUnavailable || errorCode(t, body) != "busy" {
		t.Fatalf("a key check with no argon2id slot = %d %s, want 503 busy", code, body)
	}
	if code, _ := a.authed(http.MethodGet, "/v1/accounts", ""); code != http.StatusOK {
		t.Fatalf("a verified key while the slots are taken = %d, want 200", code)
	}
	for range cap(a.keys.sem) {
		<-a.keys.sem
	}
	if code, body := a.do(http.MethodGet, "/v1/accounts", second.Reveal(), ""); code != http.StatusOK {
		t.Fatalf("the same key with the slots free = %d %s", code, body)
	}
}
