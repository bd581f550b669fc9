package psntest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzTokenForm throws arbitrary bodies, content types and credentials at
// the token endpoint: it must never panic, and must answer a known status
// with a JSON body.
func FuzzTokenForm(f *testing.F) {
	sim := New(Config{RateLimit: -1})
	c := &h{t: f, base: "http://psn.test", sim: sim, hc: &http.Client{
		Transport:     handlerTransport{sim.Handler()},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	tok := c.login(sim.Users()[0].NPSSO)
	code := c.code(sim.Users()[1].NPSSO)
	form := "application/x-www-form-urlencoded"
	f.Add(refreshForm(tok.RefreshToken).Encode(), form, basicAuth())
	f.Add(codeForm(code).Encode(), form+"; charset=utf-8", basicAuth())
	f.Add("grant_type=refresh_token&refresh_token=%zz", form, basicAuth())
	f.Add("grant_type=authorization_code&grant_type=refresh_token", form, "Basic !!!")
	f.Add(`{"grant_type":"refresh_token"}`, "application/json", basicAuth())
	f.Add(strings.Repeat("a=b&", 20000), form, basicAuth())
	f.Add("", "", "")
	f.Fuzz(func(t *testing.T, body, contentType, authorization string) {
		req := httptest.NewRequest("POST", "/api/authz/v3/oauth/token", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Authorization", authorization)
		rec := httptest.NewRecorder()
		sim.Handler().ServeHTTP(rec, req)
		switch rec.Code {
		case 200, 400, 401:
		default:
			t.Fatalf("status %d", rec.Code)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("body is not JSON: %q", rec.Body.String())
		}
	})
}
