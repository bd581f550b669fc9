package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"testing"
	"time"
)

// postHook POSTs an event to url as psn-vault serve does, signed with
// secret (nil: no signature header), and returns the status.
func postHook(t *testing.T, url string, secret []byte, id, event, account, extra string) int {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"id": id, "event": event, "account": account, "detail": map[string]any{"x": extra}})
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(hdrEvent, event)
	req.Header.Set(hdrDelivery, id)
	if secret != nil {
		m := hmac.New(sha256.New, secret)
		m.Write(body)
		req.Header.Set(hdrSignature, "sha256="+hex.EncodeToString(m.Sum(nil)))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestHookReceiverJudgesSignaturesDupesAndMissing(t *testing.T) {
	secret := []byte("run-secret")
	rc := newHookReceiver(secret, 0, 1)
	rc.watchFor("npsso-of-acct0002")
	srv := httptest.NewServer(rc)
	defer srv.Close()

	if code := postHook(t, srv.URL, secret, "evt_a", "account_added", "acct0000", ""); code != http.StatusNoContent {
		t.Fatalf("good POST answered %d, want 204", code)
	}
	// The same delivery id again (a retry whose 2xx was lost): a duplicate.
	if code := postHook(t, srv.URL, secret, "evt_a", "account_added", "acct0000", ""); code != http.StatusNoContent {
		t.Fatalf("duplicate answered %d, want 204", code)
	}
	// Signed with another secret, and not signed at all: bad, not recorded.
	if code := postHook(t, srv.URL, []byte("other"), "evt_b", "account_added", "acct0001", ""); code != http.StatusUnauthorized {
		t.Fatalf("wrongly signed POST answered %d, want 401", code)
	}
	if code := postHook(t, srv.URL, nil, "evt_b", "account_added", "acct0001", ""); code != http.StatusUnauthorized {
		t.Fatalf("unsigned POST answered %d, want 401", code)
	}
	// Well signed, but holding a secret: received, and counted as a leak.
	postHook(t, srv.URL, secret, "evt_c", "account_added", "acct0002", "npsso-of-acct0002")
	// Another kind for an expected account does not stand in for account_added.
	postHook(t, srv.URL, secret, "evt_d", "login_required", "acct0001", "")

	missing := rc.missing(expectedHooks(3))
	if !slices.Equal(missing, []string{"account_added acct0001"}) {
		t.Errorf("missing = %v, want [account_added acct0001]", missing)
	}
	c := rc.counts()
	if c.Posts != 6 || c.BadSig != 2 || c.Dupes != 1 || c.Events != 3 || c.Leaked != 1 || c.Malformed != 0 {
		t.Errorf("counts = %+v, want 6 posts, 2 bad signatures, 1 dupe, 3 events, 1 leak", c)
	}
	if c.ByKind["account_added"] != 2 || c.ByKind["login_required"] != 1 {
		t.Errorf("by kind = %v", c.ByKind)
	}
}

func TestHookReceiverRejectsMismatchedHeadersAndInjectsFailures(t *testing.T) {
	secret := []byte("s")
	rc := newHookReceiver(secret, 0.999999, 1)
	srv := httptest.NewServer(rc)
	defer srv.Close()
	if code := postHook(t, srv.URL, secret, "evt_a", "account_added", "acct0000", ""); code != http.StatusInternalServerError {
		t.Fatalf("with --hook-fail ~1 a POST answered %d, want 500", code)
	}
	if got := rc.missing(expectedHooks(1)); len(got) != 1 {
		t.Errorf("an event answered 500 counts as received: missing = %v", got)
	}
	// A body whose id is not X-Psn-Delivery's.
	body := []byte(`{"id":"evt_x","event":"account_added","account":"acct0000"}`)
	req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
	req.Header.Set(hdrEvent, "account_added")
	req.Header.Set(hdrDelivery, "evt_y")
	req.Header.Set(hdrSignature, rc.sign(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if c := rc.counts(); resp.StatusCode != http.StatusBadRequest || c.Malformed != 1 || c.Injected != 1 || c.Events != 0 {
		t.Errorf("status %d, counts %+v; want 400, 1 malformed, 1 injected, 0 events", resp.StatusCode, c)
	}
}

func TestHookReceiverHoldsUntilRelease(t *testing.T) {
	secret := []byte("s")
	rc := newHookReceiver(secret, 0, 1)
	srv := httptest.NewServer(rc)
	defer srv.Close()
	rc.hold()
	done := make(chan int, 1)
	go func() { done <- postHook(t, srv.URL, secret, "evt_a", "account_added", "acct0000", "") }()
	for len(rc.held()) == 0 {
		select {
		case code := <-done:
			t.Fatalf("a POST was answered (%d) while held", code)
		default:
			time.Sleep(time.Millisecond)
		}
	}
	if got := rc.missing(expectedHooks(1)); len(got) != 1 {
		t.Errorf("a held POST counts as received before its answer")
	}
	rc.release()
	if code := <-done; code != http.StatusNoContent {
		t.Errorf("released POST answered %d, want 204", code)
	}
	if len(rc.held()) != 0 || len(rc.missing(expectedHooks(1))) != 0 {
		t.Errorf("after release: held %v, missing %v", rc.held(), rc.missing(expectedHooks(1)))
	}
}

func TestLocalPortsFindsOwnConnection(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ports, err := localPorts(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if p := portOf(c.LocalAddr().String()); !ports[p] {
		t.Errorf("localPorts(self) lacks the dialled connection's port %d", p)
	}
	if ports[1] {
		t.Error("localPorts(self) holds port 1")
	}
}
