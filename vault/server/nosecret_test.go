package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/psnkit/psn/psntest"
)

// TestNoSecretInAnyOutput runs one account through every path that writes
// something a person or another program reads — API answers (successes and
// errors: 400, 401, 403, 404, 409), the status page and its sign-in form
// (good and bad key), /metrics, webhook bodies and headers, audit lines and
// the service log — and scans all of it for every secret the test knows:
// the access and refresh tokens, the NPSSOs, both API keys and the webhook
// secret. The one place a token may appear is the body of a 200 from the
// token endpoint, which is what it is for.
func TestNoSecretInAnyOutput(t *testing.T) {
	rcv := newReceiver(t)
	audit := &syncBuffer{}
	o := hooked(envOptions{sim: psntest.Config{AccessTTL: time.Hour}}, rcv.srv.URL)
	prev := o.svc
	o.svc = func(c *ServiceConfig) {
		prev(c)
		c.Audit = NewAuditLogger(audit)
	}
	a := newAPIEnv(t, o)
	ctx := t.Context()
	u := a.user(0)
	bobScope, err := AccountsScope("bob")
	if err != nil {
		t.Fatal(err)
	}
	botKey, _, err := a.keys.CreateScoped(ctx, "bot", bobScope)
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]string{
		"admin API key": a.key.Reveal(), "scoped API key": botKey.Reveal(),
		"webhook secret": hookSecret.Reveal(), "NPSSO": u.NPSSO,
	}
	remember := func(what string, secrets []string) {
		for i, s := range secrets {
			known[what+" secret "+string(rune('0'+i))] = s
		}
	}
	type output struct{ what, text string }
	var outputs []output
	saw := func(what string, code int, body []byte, want int) {
		t.Helper()
		if code != want {
			t.Fatalf("%s = %d, want %d: %s", what, code, want, body)
		}
		outputs = append(outputs, output{what, string(body)})
	}

	code, body := a.authed(http.MethodPost, "/v1/accounts", addBody("alice", u.NPSSO, true))
	saw("POST /v1/accounts", code, body, http.StatusCreated)
	remember("after add", a.secrets("alice"))
	code, body = a.authed(http.MethodPost, "/v1/accounts", addBody("../x", u.NPSSO, true))
	saw("POST /v1/accounts with a bad name", code, body, http.StatusBadRequest)
	code, body = a.authed(http.MethodPost, "/v1/accounts", `{"name":"carol","npsso":"`+u.NPSSO+`"`)
	saw("POST /v1/accounts with truncated JSON", code, body, http.StatusBadRequest)
	code, body = a.authed(http.MethodGet, "/v1/accounts/alice/token", "")
	if code != http.StatusOK {
		t.Fatalf("token = %d %s", code, body)
	}
	var tr TokenResponse
	if err := json.Unmarshal(body, &tr); err != nil || tr.AccessToken == "" {
		t.Fatalf("token body %s: %v", body, err)
	}
	known["handed-out access token"] = tr.AccessToken
	code, body = a.do(http.MethodGet, "/v1/accounts/alice/token", botKey.Reveal(), "")
	saw("token with a key scoped to bob", code, body, http.StatusForbidden)
	code, body = a.do(http.MethodGet, "/v1/accounts/alice/token", otherKey(a.key.Reveal()), "")
	saw("token with a wrong key", code, body, http.StatusUnauthorized)
	code, body = a.do(http.MethodGet, "/v1/accounts/"+u.NPSSO+"/token", a.key.Reveal(), "")
	saw("token of an NPSSO-shaped name", code, body, http.StatusNotFound)
	code, body = a.authed(http.MethodGet, "/v1/accounts", "")
	saw("GET /v1/accounts", code, body, http.StatusOK)
	code, body = a.do(http.MethodGet, "/", "", "")
	saw("status page", code, body, http.StatusOK)
	code, body = a.do(http.MethodGet, "/metrics", "", "")
	saw("metrics", code, body, http.StatusOK)

	guarded := httptest.NewServer(NewHandler(a.svc, a.keys, PagesNeedKey()))
	t.Cleanup(guarded.Close)
	for _, tc := range []struct {
		what, key string
		want      int
	}{
		{"sign-in with a wrong key", "psnv_0123456789abcdef_" + strings.Repeat("A", 43), http.StatusUnauthorized},
		{"sign-in with a scoped key", botKey.Reveal(), http.StatusForbidden},
		{"sign-in with the admin key", a.key.Reveal(), http.StatusSeeOther},
	} {
		resp, body := postForm(t, guarded.Client(), guarded.URL+"/login", url.Values{"key": {tc.key}}, guarded.URL)
		saw(tc.what, resp.StatusCode, append([]byte(strings.Join(resp.Header.Values("Set-Cookie"), "\n")+"\n"), body...), tc.want)
	}

	// PSN refuses both secrets: the token request ends in login_required.
	if err := a.sim.RevokeRefreshTokens(u.OnlineID); err != nil {
		t.Fatal(err)
	}
	if err := a.sim.RevokeNPSSO(u.OnlineID); err != nil {
		t.Fatal(err)
	}
	a.sim.Advance(time.Hour)
	code, body = a.authed(http.MethodGet, "/v1/accounts/alice/token", "")
	saw("token after PSN refused every secret", code, body, http.StatusConflict)
	code, body = a.authed(http.MethodGet, "/v1/accounts/alice", "")
	saw("health after PSN refused every secret", code, body, http.StatusOK)
	code, body = a.do(http.MethodGet, "/", "", "")
	saw("status page after PSN refused every secret", code, body, http.StatusOK)
	code, body = a.authed(http.MethodDelete, "/v1/accounts/alice", "")
	saw("DELETE /v1/accounts/alice", code, body, http.StatusNoContent)
	deliverAll(t, a.svc)

	events := map[string]bool{}
	for _, h := range rcv.all() {
		events[h.event] = true
		outputs = append(outputs, output{"webhook " + h.event, string(h.body)})
	}
	for _, ev := range []string{EventAccountAdded, EventLoginRequired, EventAccountDeleted} {
		if !events[ev] {
			t.Errorf("no %s webhook was sent; the scan would miss its body", ev)
		}
	}
	auditLines := audit.String()
	for _, ev := range []string{AuditAccountAdded, AuditTokenIssued, AuditForbidden, AuditUnauthorized,
		AuditPageSignInRefused, AuditPageSignedIn, AuditAccountDeleted} {
		if !strings.Contains(auditLines, `"event":"`+ev+`"`) {
			t.Errorf("no %s audit line; the scan would miss it:\n%s", ev, auditLines)
		}
	}
	outputs = append(outputs, output{"audit trail", auditLines}, output{"service log", a.logs.String()})

	for _, out := range outputs {
		for what, secret := range known {
			if secret != "" && strings.Contains(out.text, secret) {
				t.Errorf("%s holds the %s", out.what, what)
			}
		}
	}
	if len(known) < 7 {
		t.Fatalf("only %d secrets known: the scan proves little", len(known))
	}
}
