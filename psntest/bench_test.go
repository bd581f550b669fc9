package psntest

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkNew measures building a simulator with the default three users
// (the world is derived lazily, on first use).
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		New(Config{})
	}
}

// BenchmarkTrophyTitles measures one in-memory GET of 100 trophy titles,
// bearer check and rate limit included.
func BenchmarkTrophyTitles(b *testing.B) {
	sim := New(Config{RateLimit: -1})
	c := &h{t: b, base: "http://psn.test", sim: sim, hc: &http.Client{Transport: handlerTransport{sim.Handler()},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	tok := c.login(sim.Users()[0].NPSSO)
	h := sim.Handler()
	for b.Loop() {
		req := httptest.NewRequest("GET", "/api/trophy/v1/users/me/trophyTitles?limit=100", nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}

// BenchmarkLogin measures authorize plus an authorization_code grant.
func BenchmarkLogin(b *testing.B) {
	sim := New(Config{RateLimit: -1})
	c := &h{t: b, base: "http://psn.test", sim: sim, hc: &http.Client{Transport: handlerTransport{sim.Handler()},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	npsso := sim.Users()[0].NPSSO
	for b.Loop() {
		c.login(npsso)
	}
}
