package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// TestAPITokenRejected: ?rejected=<fingerprint of the current token> makes
// 50 concurrent requests cost one refresh and none of them gets the
// rejected token back; a fingerprint of an older token costs nothing; a
// malformed one is a 400.
func TestAPITokenRejected(t *testing.T) {
	a := newAPIEnv(t, envOptions{})
	if code, body := a.authed(http.MethodPost, "/v1/accounts", addBody("alice", a.user(0).NPSSO, false)); code != http.StatusCreated {
		t.Fatalf("POST = %d %s", code, body)
	}
	code, body := a.authed(http.MethodGet, "/v1/accounts/alice/token", "")
	var first TokenResponse
	if err := json.Unmarshal(body, &first); code != 200 || err != nil {
		t.Fatalf("GET token = %d %s", code, body)
	}
	grants := a.refreshGrants()
	path := "/v1/accounts/alice/token?rejected=" + TokenFingerprint(first.AccessToken)

	const n = 50
	var wg sync.WaitGroup
	got := make([]TokenResponse, n)
	codes := make([]int, n)
	for i := range n {
		wg.Go(func() {
			c, b := a.authed(http.MethodGet, path, "")
			codes[i] = c
			_ = json.Unmarshal(b, &got[i])
		})
	}
	wg.Wait()
	for i := range n {
		if codes[i] != http.StatusOK {
			t.Fatalf("request %d: status %d", i, codes[i])
		}
		if got[i].AccessToken == first.AccessToken || got[i].AccessToken != got[0].AccessToken {
			t.Fatalf("request %d: not the one new token", i)
		}
	}
	if d := a.refreshGrants() - grants; d != 1 {
		t.Fatalf("%d refresh grants for %d concurrent rejections, want exactly 1", d, n)
	}
	// The old token's fingerprint again: already replaced, no refresh.
	if code, body := a.authed(http.MethodGet, path, ""); code != http.StatusOK || !strings.Contains(string(body), got[0].AccessToken) {
		t.Fatalf("stale rejection = %d, want 200 with the current token", code)
	}
	if d := a.refreshGrants() - grants; d != 1 {
		t.Fatalf("a stale rejection refreshed again (%d grants)", d)
	}
	for _, bad := range []string{"", "xyz", strings.Repeat("A", 16), strings.Repeat("0", 17), "0123456789abcdef&rejected=0123456789abcdef"} {
		code, body := a.authed(http.MethodGet, "/v1/accounts/alice/token?rejected="+bad, "")
		if code != http.StatusBadRequest || errorCode(t, body) != "bad_request" {
			t.Fatalf("rejected=%q: %d %s, want 400 bad_request", bad, code, body)
		}
	}
}

func FuzzValidFingerprint(f *testing.F) {
	f.Add("0123456789abcdef")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		if validFingerprint(s) && (len(s) != fingerprintLen || strings.Trim(s, "0123456789abcdef") != "") {
			t.Fatalf("validFingerprint(%q) = true", s)
		}
	})
}
