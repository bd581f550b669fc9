package vaultclient_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/psntest"
	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/vault/server"
	"github.com/psnkit/psn/vault/vaultclient"
)

// noSecret fails the test if s holds the API key or a token.
func noSecret(t *testing.T, what, s string, secrets ...string) {
	t.Helper()
	for _, sec := range secrets {
		if sec != "" && strings.Contains(s, sec) {
			t.Errorf("%s holds a secret: %s", what, s)
		}
	}
}

func TestErrors(t *testing.T) {
	v := newTestVault(t, psntest.Config{AccessTTL: time.Hour})
	ctx := t.Context()
	u := v.add(t, "bob", 1, false)
	key := v.key.Reveal()

	t.Run("unknown account", func(t *testing.T) {
		src, err := vaultclient.New(v.url, v.key, "nobody")
		if err != nil {
			t.Fatal(err)
		}
		_, err = src.Token(ctx)
		var ae *vaultclient.APIError
		if !errors.Is(err, vaultclient.ErrNotFound) || !errors.As(err, &ae) || ae.Status != http.StatusNotFound || ae.Code != "account_not_found" {
			t.Fatalf("Token = %v, want a 404 account_not_found *APIError matching ErrNotFound", err)
		}
		if !errors.Is(err, psn.ErrNoToken) || !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Token = %v, want it to match psn.ErrNoToken and store.ErrNotFound (one error per condition)", err)
		}
		if errors.Is(err, psn.ErrLoginRequired) || errors.Is(err, vaultclient.ErrUnauthorized) {
			t.Errorf("%v matches the wrong sentinel", err)
		}
		noSecret(t, "error", err.Error(), key)
	})

	t.Run("wrong key", func(t *testing.T) {
		src, err := vaultclient.New(v.url, psn.Secret("psnv_not-a-key"), "bob")
		if err != nil {
			t.Fatal(err)
		}
		_, err = src.Token(ctx)
		if !errors.Is(err, vaultclient.ErrUnauthorized) {
			t.Fatalf("Token = %v, want ErrUnauthorized", err)
		}
		noSecret(t, "error", err.Error(), "psnv_not-a-key")
	})

	t.Run("revoked key", func(t *testing.T) {
		k2, _, err := v.keys.Create(ctx, "soon-revoked")
		if err != nil {
			t.Fatal(err)
		}
		src, err := vaultclient.New(v.url, k2, "bob")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := src.Token(ctx); err != nil {
			t.Fatalf("Token before revoking: %v", err)
		}
		if err := v.keys.Revoke(ctx, "soon-revoked"); err != nil {
			t.Fatal(err)
		}
		// A fresh Source (the cached token of the old one stays valid
		// until its expiry: revoking a key does not revoke PSN tokens).
		src, _ = vaultclient.New(v.url, k2, "bob")
		_, err = src.Token(ctx)
		var ae *vaultclient.APIError
		if !errors.Is(err, vaultclient.ErrUnauthorized) || !errors.As(err, &ae) || ae.Code != "unauthorized" {
			t.Fatalf("Token with a revoked key = %v, want 401 unauthorized", err)
		}
		noSecret(t, "error", err.Error(), k2.Reveal())
	})

	t.Run("login required", func(t *testing.T) {
		src, err := vaultclient.New(v.url, v.key, "bob")
		if err != nil {
			t.Fatal(err)
		}
		tok, err := src.Token(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// PSN forgets the refresh token (no NPSSO kept) and refuses the
		// access token: the vault can no longer make one.
		if err := v.sim.Sim.RevokeRefreshTokens(u.OnlineID); err != nil {
			t.Fatal(err)
		}
		src.Invalidate(ctx, tok)
		_, err = src.Token(ctx)
		var ae *vaultclient.APIError
		if !errors.Is(err, psn.ErrLoginRequired) || !errors.As(err, &ae) || ae.Status != http.StatusConflict || ae.Which == "" || ae.At.IsZero() {
			t.Fatalf("Token = %v (%+v), want 409 login_required with secret and at, matching psn.ErrLoginRequired", err, ae)
		}
		noSecret(t, "error", err.Error(), key, tok.AccessToken.Reveal())
	})
}

// TestCachesAndInvalidates: a token is fetched once and served from the
// cache; Invalidate of another token does nothing; Invalidate of the
// current one makes the next Token ask once, naming it.
func TestCachesAndInvalidates(t *testing.T) {
	v := newTestVault(t, psntest.Config{AccessTTL: time.Hour})
	v.add(t, "alice", 0, false)
	ctx := t.Context()
	src, err := vaultclient.New(v.url+"/", v.key, "alice", vaultclient.WithHTTPClient(procClient("p")))
	if err != nil {
		t.Fatal(err)
	}
	var first *psn.Token
	for range 50 {
		tok, err := src.Token(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = tok
		} else if tok.AccessToken != first.AccessToken {
			t.Fatal("the cached token changed without a reason")
		}
	}
	if h := v.hitsOf("p"); h.All != 1 {
		t.Fatalf("%d vault requests for 50 Token calls, want 1", h.All)
	}
	src.Invalidate(ctx, &psn.Token{AccessToken: "some-other-token"})
	src.Invalidate(ctx, nil)
	if _, err := src.Token(ctx); err != nil {
		t.Fatal(err)
	}
	if h := v.hitsOf("p"); h.All != 1 {
		t.Fatalf("Invalidate of a token not held made a request (%d)", h.All)
	}
	src.Invalidate(ctx, first)
	src.Invalidate(ctx, first) // twice: still one request
	next, err := src.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if h := v.hitsOf("p"); h.All != 2 || h.Rejected != 1 {
		t.Fatalf("after Invalidate: %+v, want 2 requests, 1 with ?rejected=", h)
	}
	if next.AccessToken == first.AccessToken {
		t.Fatal("Token after Invalidate returned the rejected token")
	}
	if a, b := vaultclient.Fingerprint(first.AccessToken.Reveal()), server.TokenFingerprint(first.AccessToken.Reveal()); a != b {
		t.Fatalf("client fingerprint %s, vault fingerprint %s", a, b)
	}
	if s := fmt.Sprint(src) + fmt.Sprintf("%+v %#v", src, src); strings.Contains(s, v.key.Reveal()) || strings.Contains(s, next.AccessToken.Reveal()) {
		t.Fatalf("formatting the Source shows a secret: %s", s)
	}
}

// TestContext: a caller's ctx ends its wait for a vault that does not
// answer; a ctx already done never waits.
func TestContext(t *testing.T) {
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(hang.Close)
	t.Cleanup(func() { close(release) })
	src, err := vaultclient.New(hang.URL, "k", "alice", vaultclient.WithFetchTimeout(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := src.Token(ctx)
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Token after cancel = %v, want context.Canceled", err)
	}
	ctx, cancel = context.WithCancel(t.Context())
	cancel()
	if _, err := src.Token(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Token with a done ctx = %v, want context.Canceled", err)
	}
}

// TestNotTheVault: answers that are not the vault's JSON are typed errors
// that do not quote the body.
func TestNotTheVault(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
		want   error
	}{
		{200, `<html>secret-body</html>`, vaultclient.ErrBadResponse},
		{200, `{"accessToken":"","expiry":"2030-01-01T00:00:00Z"}`, vaultclient.ErrBadResponse},
		{200, `{"accessToken":"secret-body"}`, vaultclient.ErrBadResponse},
		{502, `secret-body`, vaultclient.ErrUnavailable},
		{503, `{"error":{"code":"store_unavailable","message":"down"}}`, vaultclient.ErrUnavailable},
		{403, `{"error":{"code":"forbidden","message":"not your account"}}`, vaultclient.ErrForbidden},
		{200, strings.Repeat("x", 70<<10), vaultclient.ErrBadResponse},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(tc.status)
			fmt.Fprint(w, tc.body)
		}))
		src, err := vaultclient.New(srv.URL, "k", "alice")
		if err != nil {
			t.Fatal(err)
		}
		_, err = src.Token(t.Context())
		srv.Close()
		if !errors.Is(err, tc.want) {
			t.Errorf("%d %.40q: %v, want %v", tc.status, tc.body, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret-body") {
			t.Errorf("error quotes the body: %v", err)
		}
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, tc := range []struct{ url, key, account string }{
		{"", "k", "a"},
		{"127.0.0.1:8788", "k", "a"},
		{"ftp://vault", "k", "a"},
		{"http://", "k", "a"},
		{"http://user:pw@vault", "k", "a"},
		{"http://vault?x=1", "k", "a"},
		{"http://vault#frag", "k", "a"},
		{"http://vault", "", "a"},
		{"http://vault", "key with-space-SECRETKEY", "a"},
		{"http://vault", "key\nSECRETKEY", "a"},
		{"http://vault", "k", ""},
		{"http://vault", "k", "a/b"},
		{"http://%zz", "k", "a"},
	} {
		_, err := vaultclient.New(tc.url, psn.Secret(tc.key), tc.account)
		if !errors.Is(err, vaultclient.ErrBadConfig) {
			t.Errorf("New(%q, key, %q) = %v, want ErrBadConfig", tc.url, tc.account, err)
			continue
		}
		if strings.Contains(err.Error(), "SECRETKEY") {
			t.Errorf("error repeats the key: %v", err)
		}
	}
	if _, err := vaultclient.New("https://vault.example:8788/prefix/", "k", "alice"); err != nil {
		t.Errorf("a URL with a path prefix: %v", err)
	}
}
