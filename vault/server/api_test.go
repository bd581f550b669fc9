package server

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/psntest"
	"github.com/psnkit/psn/vault"
)

// apiEnv is a svcEnv with the HTTP API in front and one API key.
type apiEnv struct {
	*svcEnv
	api  *httptest.Server
	keys *APIKeys
	key  psn.Secret
}

func newAPIEnv(t *testing.T, o envOptions) *apiEnv {
	t.Helper()
	e := newSvcEnv(t, o)
	ak := NewAPIKeys(e.st)
	key, _, err := ak.Create(t.Context(), "test")
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(NewHandler(e.svc, ak))
	t.Cleanup(api.Close)
	return &apiEnv{svcEnv: e, api: api, keys: ak, key: key}
}

// do sends a request with the env's API key (key "" sends none) and
// returns the status and body.
func (a *apiEnv) do(method, path, key, body string) (int, []byte) {
	a.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(a.t.Context(), method, a.api.URL+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := a.api.Client().Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return resp.StatusCode, b
}

func (a *apiEnv) authed(method, path, body string) (int, []byte) {
	a.t.Helper()
	return a.do(method, path, a.key.Reveal(), body)
}

func errorCode(t *testing.T, body []byte) string {
	t.Helper()
	var e struct {
		Error APIError `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("not a JSON error {\"error\":{\"code\",\"message\"}}: %s", body)
	}
	return e.Error.Code
}

func addBody(name, npsso string, keep bool) string {
	b, _ := json.Marshal(addAccountRequest{Name: name, NPSSO: npsso, KeepNPSSO: keep})
	return string(b)
}

func TestAPIAuth(t *testing.T) {
	a := newAPIEnv(t, envOptions{})
	good := a.key.Reveal()
	id, _ := ParseAPIKey(good)
	wrongSecret := APIKeyPrefix + id + "_" + strings.Repeat("A", 43)
	other, _, err := a.keys.Create(t.Context(), "other")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, header string }{
		{"missing", ""},
		{"not bearer", "Basic " + good},
		{"garbage", "Bearer nonsense"},
		{"unknown id", "Bearer " + APIKeyPrefix + "0123456789abcdef_" + good[len(good)-43:]},
		{"right id, wrong secret", "Bearer " + wrongSecret},
		{"cut short", "Bearer " + good[:len(good)-1]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, a.api.URL+"/v1/accounts", nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			resp, err := a.api.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized || errorCode(t, body) != "unauthorized" {
				t.Fatalf("status %d body %s, want 401 unauthorized", resp.StatusCode, body)
			}
			if resp.Header.Get("WWW-Authenticate") == "" {
				t.Error("no WWW-Authenticate header")
			}
		})
	}
	for _, path := range []string{"/v1/accounts", "/v1/accounts/x/token", "/v1/nothing"} {
		if code, _ := a.do(http.MethodGet, path, "", ""); code != http.StatusUnauthorized {
			t.Errorf("GET %s without a key = %d, want 401", path, code)
		}
	}
	if code, body := a.authed(http.MethodGet, "/v1/accounts", ""); code != http.StatusOK {
		t.Fatalf("with the key: %d %s", code, body)
	}
	for _, tc := range []struct {
		method, path string
		code         int
		errCode      string
	}{
		{http.MethodPut, "/v1/accounts", 405, "method_not_allowed"},
		{http.MethodPost, "/v1/accounts/x/token", 405, "method_not_allowed"},
		{http.MethodPatch, "/v1/accounts/x", 405, "method_not_allowed"},
		{http.MethodGet, "/v1/nothing", 404, "not_found"},
		{http.MethodGet, "/v1/accounts/x/token/more", 404, "not_found"},
	} {
		code, body := a.authed(tc.method, tc.path, "")
		if code != tc.code || errorCode(t, body) != tc.errCode {
			t.Errorf("%s %s = %d %s, want %d %s", tc.method, tc.path, code, body, tc.code, tc.errCode)
		}
	}
	if code, _ := a.do(http.MethodGet, "/v1/accounts", other.Reveal(), ""); code != http.StatusOK {
		t.Fatalf("second key: %d", code)
	}
	// Revocation takes effect at once, even for a key verified before.
	if err := a.keys.Revoke(t.Context(), "other"); err != nil {
		t.Fatal(err)
	}
	if code, _ := a.do(http.MethodGet, "/v1/accounts", other.Reveal(), ""); code != http.StatusUnauthorized {
		t.Fatalf("revoked key: %d, want 401", code)
	}
	// Open endpoints.
	for _, path := range []string{"/healthz", "/metrics", "/"} {
		if code, body := a.do(http.MethodGet, path, "", ""); code != http.StatusOK {
			t.Errorf("GET %s = %d %s", path, code, body)
		}
	}
}

func TestAPIAccountLifecycle(t *testing.T) {
	a := newAPIEnv(t, envOptions{sim: psntest.Config{AccessTTL: time.Hour}})
	npsso := a.user(0).NPSSO

	code, body := a.authed(http.MethodPost, "/v1/accounts", addBody("alice", npsso, true))
	if code != http.StatusCreated {
		t.Fatalf("POST = %d %s, want 201", code, body)
	}
	var h vault.Health
	if err := json.Unmarshal(body, &h); err != nil {
		t.Fatal(err)
	}
	if h.Account != "alice" || h.OnlineID != a.user(0).OnlineID || h.State != "ok" || !h.NPSSOKept || h.AccessExpiry.IsZero() {
		t.Fatalf("health = %+v", h)
	}
	if strings.Contains(string(body), npsso) {
		t.Fatal("the POST answer repeats the NPSSO")
	}
	// The same name again replaces the login: 200.
	if code, body := a.authed(http.MethodPost, "/v1/accounts", addBody("alice", npsso, true)); code != http.StatusOK {
		t.Fatalf("second POST = %d %s, want 200", code, body)
	}

	code, body = a.authed(http.MethodGet, "/v1/accounts", "")
	var list struct{ Accounts []vault.Health }
	if err := json.Unmarshal(body, &list); code != http.StatusOK || err != nil || len(list.Accounts) != 1 || list.Accounts[0].Account != "alice" {
		t.Fatalf("GET /v1/accounts = %d %s", code, body)
	}
	if code, _ := a.authed(http.MethodGet, "/v1/accounts/alice", ""); code != http.StatusOK {
		t.Fatalf("GET /v1/accounts/alice = %d", code)
	}

	code, body = a.authed(http.MethodGet, "/v1/accounts/alice/token", "")
	var tr TokenResponse
	if err := json.Unmarshal(body, &tr); code != http.StatusOK || err != nil || tr.AccessToken == "" {
		t.Fatalf("GET token = %d %s", code, body)
	}
	if left := tr.Expiry.Sub(a.sim.Now()); left < time.Minute {
		t.Fatalf("token valid for %v, want ≥ 60 s", left)
	}
	if tr.AccessToken != a.secrets("alice")[0] {
		t.Fatal("the token served is not the stored one")
	}

	if code, body := a.authed(http.MethodDelete, "/v1/accounts/alice", ""); code != http.StatusNoContent {
		t.Fatalf("DELETE = %d %s", code, body)
	}
	for _, req := range [][2]string{{http.MethodGet, "/v1/accounts/alice/token"}, {http.MethodGet, "/v1/accounts/alice"}, {http.MethodDelete, "/v1/accounts/alice"}} {
		code, body := a.authed(req[0], req[1], "")
		if code != http.StatusNotFound || errorCode(t, body) != "account_not_found" {
			t.Errorf("%s %s after delete = %d %s, want 404 account_not_found", req[0], req[1], code, body)
		}
	}
}

func TestAPIAddAccountBadInput(t *testing.T) {
	a := newAPIEnv(t, envOptions{})
	wellFormed := strings.Repeat("Zq9", 21) + "x" // 64 letters and digits, unknown to the simulator
	for _, tc := range []struct {
		name, body string
		code       int
		errCode    string
		secret     string
	}{
		{"malformed npsso", addBody("alice", "npsso-"+strings.Repeat("s", 70), false), 400, "malformed_npsso", strings.Repeat("s", 70)},
		{"rejected npsso", addBody("alice", wellFormed, false), 422, "npsso_rejected", wellFormed},
		{"bad name", addBody("../x", a.user(0).NPSSO, false), 400, "invalid_name", a.user(0).NPSSO},
		{"no npsso", `{"name":"alice"}`, 400, "bad_request", ""},
		{"unknown field", `{"name":"alice","npsso":"x","password":"p"}`, 400, "bad_request", ""},
		{"long unknown field", `{"name":"alice","` + wellFormed + `":1}`, 400, "bad_request", wellFormed},
		{"not json", `npsso=` + wellFormed, 400, "bad_request", wellFormed},
		{"two objects", addBody("alice", wellFormed, false) + "{}", 400, "bad_request", wellFormed},
		{"too large", `{"name":"alice","npsso":"` + strings.Repeat("a", maxRequestBody) + `"}`, 400, "bad_request", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := a.authed(http.MethodPost, "/v1/accounts", tc.body)
			if code != tc.code || errorCode(t, body) != tc.errCode {
				t.Fatalf("= %d %s, want %d %s", code, body, tc.code, tc.errCode)
			}
			if tc.secret != "" && strings.Contains(string(body), tc.secret) {
				t.Fatalf("the error repeats the secret: %s", body)
			}
		})
	}
	if strings.Contains(a.logs.String(), wellFormed) {
		t.Fatal("an NPSSO reached the log")
	}
}

// TestAPITokenOneRefreshUnderLoad: 50 concurrent token requests for a
// token 40 s from its expiry all get a token valid ≥ 60 s, from exactly
// one refresh grant.
func TestAPITokenOneRefreshUnderLoad(t *testing.T) {
	// 5-minute tokens: the source's own must-refresh window is 30 s, so a
	// token 40 s from expiry is one the source would still serve.
	a := newAPIEnv(t, envOptions{sim: psntest.Config{AccessTTL: 5 * time.Minute}})
	if code, body := a.authed(http.MethodPost, "/v1/accounts", addBody("alice", a.user(0).NPSSO, false)); code != http.StatusCreated {
		t.Fatalf("POST = %d %s", code, body)
	}
	code, body := a.authed(http.MethodGet, "/v1/accounts/alice/token", "")
	var first TokenResponse
	if err := json.Unmarshal(body, &first); code != 200 || err != nil {
		t.Fatalf("GET token = %d %s", code, body)
	}
	a.sim.Advance(first.Expiry.Add(-40 * time.Second).Sub(a.sim.Now()))
	grants := a.refreshGrants()

	const n = 50
	var wg sync.WaitGroup
	got := make([]TokenResponse, n)
	codes := make([]int, n)
	for i := range n {
		wg.Go(func() {
			c, b := a.authed(http.MethodGet, "/v1/accounts/alice/token", "")
			codes[i] = c
			_ = json.Unmarshal(b, &got[i])
		})
	}
	wg.Wait()
	now := a.sim.Now()
	for i := range n {
		if codes[i] != http.StatusOK {
			t.Fatalf("request %d: status %d", i, codes[i])
		}
		if left := got[i].Expiry.Sub(now); left < time.Minute {
			t.Fatalf("request %d: token valid for %v, want ≥ 60 s", i, left)
		}
		if got[i].AccessToken != got[0].AccessToken || got[i].AccessToken == first.AccessToken {
			t.Fatalf("request %d: not the one new token", i)
		}
	}
	if d := a.refreshGrants() - grants; d != 1 {
		t.Fatalf("%d refresh grants for 50 concurrent requests, want exactly 1", d)
	}
}

func TestAPITokenLoginRequired(t *testing.T) {
	a := newAPIEnv(t, envOptions{sim: psntest.Config{AccessTTL: time.Hour}})
	if code, body := a.authed(http.MethodPost, "/v1/accounts", addBody("alice", a.user(0).NPSSO, true)); code != http.StatusCreated {
		t.Fatalf("POST = %d %s", code, body)
	}
	u := a.user(0)
	if err := a.sim.RevokeRefreshTokens(u.OnlineID); err != nil {
		t.Fatal(err)
	}
	if err := a.sim.RevokeNPSSO(u.OnlineID); err != nil {
		t.Fatal(err)
	}
	a.sim.Advance(time.Hour)
	code, body := a.authed(http.MethodGet, "/v1/accounts/alice/token", "")
	if code != http.StatusConflict || errorCode(t, body) != "login_required" {
		t.Fatalf("= %d %s, want 409 login_required", code, body)
	}
	var e struct{ Error APIError }
	_ = json.Unmarshal(body, &e)
	if e.Error.Which != psn.SecretNPSSO {
		t.Errorf("secret = %q, want NPSSO (the kept NPSSO was tried and rejected)", e.Error.Which)
	}
	code, body = a.authed(http.MethodGet, "/v1/accounts/alice", "")
	var h vault.Health
	if err := json.Unmarshal(body, &h); code != 200 || err != nil || h.State != vault.StateLoginRequired {
		t.Fatalf("health after = %d %s, want state login-required", code, body)
	}
	// A new login through the API heals it.
	npsso, err := a.sim.NewNPSSO(u.OnlineID)
	if err != nil {
		t.Fatal(err)
	}
	if code, body := a.authed(http.MethodPost, "/v1/accounts", addBody("alice", npsso, false)); code != http.StatusOK {
		t.Fatalf("re-login = %d %s", code, body)
	}
	if code, body := a.authed(http.MethodGet, "/v1/accounts/alice/token", ""); code != http.StatusOK {
		t.Fatalf("token after re-login = %d %s", code, body)
	}
}

func TestAPIMetricsExposition(t *testing.T) {
	a := newAPIEnv(t, envOptions{sim: psntest.Config{AccessTTL: time.Hour}})
	a.authed(http.MethodPost, "/v1/accounts", addBody("alice", a.user(0).NPSSO, false))
	a.authed(http.MethodPost, "/v1/accounts", addBody("bob", a.user(1).NPSSO, false))
	if err := a.sim.RevokeRefreshTokens(a.user(1).OnlineID); err != nil {
		t.Fatal(err)
	}
	a.sim.Advance(50 * time.Minute)
	if _, err := a.svc.Tick(t.Context()); err != nil {
		t.Fatal(err)
	}
	a.authed(http.MethodGet, "/v1/accounts/alice/token", "")
	a.authed(http.MethodGet, "/v1/accounts/nobody/token", "")
	a.do(http.MethodGet, "/v1/accounts", "", "")
	code, body := a.do(http.MethodGet, "/metrics", "", "")
	if code != 200 {
		t.Fatalf("/metrics = %d", code)
	}
	text := string(body)
	for _, want := range []string{
		`psn_vault_refreshes_total{reason="refresh_token"} 1`,
		`psn_vault_refreshes_total{reason="npsso"} 0`,
		`psn_vault_refresh_failures_total 1`,
		`psn_vault_login_required_total 1`,
		`psn_vault_login_required_accounts 1`,
		`psn_vault_accounts{state="ok"} 1`,
		`psn_vault_accounts{state="login-required"} 1`,
		`psn_vault_scheduler_claims_total 2`,
		`psn_vault_token_requests_total{result="ok"} 1`,
		`psn_vault_token_requests_total{result="not_found"} 1`,
		`psn_vault_http_request_duration_seconds_bucket{code="200",route="token",le=`,
		`psn_vault_http_request_duration_seconds_count{code="201",route="add_account"} 2`,
		`go_goroutines `,
		`psn_vault_http_request_duration_seconds_count{code="401",route="unauthorized"} 1`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if t.Failed() {
		t.Log(text)
	}
}

func TestAPIStatusPageHoldsNoSecret(t *testing.T) {
	a := newAPIEnv(t, envOptions{sim: psntest.Config{AccessTTL: time.Hour}})
	a.authed(http.MethodPost, "/v1/accounts", addBody("alice", a.user(0).NPSSO, true))
	a.authed(http.MethodPost, "/v1/accounts", addBody("bob", a.user(1).NPSSO, false))
	a.sim.Advance(50 * time.Minute)
	if _, err := a.svc.Tick(t.Context()); err != nil {
		t.Fatal(err)
	}
	_, tokBody := a.authed(http.MethodGet, "/v1/accounts/alice/token", "")

	code, page := a.do(http.MethodGet, "/", "", "")
	if code != 200 {
		t.Fatalf("GET / = %d", code)
	}
	html := string(page)
	for _, want := range []string{"alice", "bob", a.user(0).OnlineID, a.user(1).OnlineID, ">ok<"} {
		if !strings.Contains(html, want) {
			t.Errorf("status page lacks %q", want)
		}
	}
	var secrets []string
	for _, name := range []string{"alice", "bob"} {
		secrets = append(secrets, a.secrets(name)...)
		secrets = append(secrets, a.user(0).NPSSO, a.user(1).NPSSO, a.key.Reveal())
	}
	var tr TokenResponse
	_ = json.Unmarshal(tokBody, &tr)
	secrets = append(secrets, tr.AccessToken)
	logs := a.logs.String()
	for _, s := range secrets {
		if s == "" {
			t.Fatal("empty secret in the test's list")
		}
		if strings.Contains(html, s) {
			t.Errorf("status page holds a secret (%d chars)", len(s))
		}
		if strings.Contains(logs, s) {
			t.Errorf("the log holds a secret (%d chars)", len(s))
		}
	}
	for _, s := range secrets[:2] { // tokens are JWT-like: no fragment either
		if len(s) > 20 && strings.Contains(html, s[len(s)-20:]) {
			t.Error("status page holds part of a token")
		}
	}
}

// TestServeGracefulStop: cancelling Serve lets a token request that waits
// for a refresh finish (answered 200, token saved) before Serve returns.
func TestServeGracefulStop(t *testing.T) {
	g := newGate()
	e := newSvcEnv(t, envOptions{sim: psntest.Config{AccessTTL: time.Hour}, wrap: g.wrap,
		svc: func(c *ServiceConfig) { c.Interval = time.Hour }})
	ak := NewAPIKeys(e.st)
	key, _, err := ak.Create(t.Context(), "test")
	if err != nil {
		t.Fatal(err)
	}
	e.add("alice", 0, false)
	v1 := e.record("alice").Version
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	// The scheduler may start the refresh before the request arrives:
	// either way the request must be in the handler when Serve is
	// cancelled, so the test waits for both.
	inHandler := make(chan struct{})
	var once sync.Once
	h := NewHandler(e.svc, ak)
	go func() {
		served <- e.svc.Serve(ctx, ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			once.Do(func() { close(inHandler) })
			h.ServeHTTP(w, r)
		}))
	}()

	e.sim.Advance(time.Hour) // the stored token is dead: the next request refreshes
	type result struct {
		code int
		err  error
	}
	got := make(chan result, 1)
	go func() {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, "http://"+ln.Addr().String()+"/v1/accounts/alice/token", nil)
		req.Header.Set("Authorization", "Bearer "+key.Reveal())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			got <- result{err: err}
			return
		}
		resp.Body.Close()
		got <- result{code: resp.StatusCode}
	}()
	<-g.entered
	<-inHandler
	cancel()
	select {
	case err := <-served:
		t.Fatalf("Serve returned (%v) while a request waited for its refresh", err)
	default:
	}
	close(g.open)
	if err := <-served; err != nil {
		t.Fatalf("Serve = %v", err)
	}
	r := <-got
	if r.err != nil || r.code != http.StatusOK {
		t.Fatalf("request in flight at shutdown: %d, %v; want 200", r.code, r.err)
	}
	if rec := e.record("alice"); rec.Version != v1+1 {
		t.Fatalf("version %d, want %d: the refresh in flight was not saved", rec.Version, v1+1)
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Fatal("still accepting connections after Serve returned")
	}
}
