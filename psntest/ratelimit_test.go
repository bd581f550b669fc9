package psntest

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestRateLimitPerAccount(t *testing.T) {
	c := serve(t, Config{RateLimit: 5, RateWindow: 10 * time.Minute})
	users := c.sim.Users()
	before := c.sim.Now()
	a := c.login(users[0].NPSSO) // authorize + token: 2 requests of user 0
	after := c.sim.Now()
	b := c.login(users[1].NPSSO)
	for i := range 3 {
		if resp, _ := c.get("/api/v1/devices/accounts/me", a.AccessToken); resp.StatusCode != 200 {
			t.Fatalf("request %d: %d", i+3, resp.StatusCode)
		}
	}
	resp, body := c.get("/api/v1/devices/accounts/me", a.AccessToken)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("6th request: %d, want 429", resp.StatusCode)
	}
	if e := psnErr(t, body); e.Code != 2138635 || e.Message != "Rate limit exceeded" {
		t.Errorf("429 body %s", body)
	}
	next, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Next-Available"), 10, 64)
	if err != nil {
		t.Fatalf("X-RateLimit-Next-Available %q", resp.Header.Get("X-RateLimit-Next-Available"))
	}
	// The oldest counted request (the authorize) leaves the window 10
	// minutes after it was made; the header rounds up to whole seconds.
	if lo, hi := before.Add(10*time.Minute).Unix(), after.Add(10*time.Minute).Unix()+1; next < lo || next > hi {
		t.Errorf("next available %d, want within [%d, %d]", next, lo, hi)
	}
	// Another account is not limited; the token endpoint counts for its owner.
	if resp, _ := c.get("/api/v1/devices/accounts/me", b.AccessToken); resp.StatusCode != 200 {
		t.Errorf("other account: %d", resp.StatusCode)
	}
	if resp, _ := c.tokenPost(refreshForm(a.RefreshToken)); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("refresh of a limited account: %d, want 429", resp.StatusCode)
	}
	if resp := c.authorizeWith(authorizeQuery(), users[0].NPSSO); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("authorize of a limited account: %d, want 429", resp.StatusCode)
	}
	if got := c.sim.Stats().RateLimited; got != 3 {
		t.Errorf("rateLimited %d, want 3", got)
	}
	c.sim.Advance(10 * time.Minute)
	if resp, _ := c.get("/api/v1/devices/accounts/me", a.AccessToken); resp.StatusCode != 200 {
		t.Errorf("after the window: %d", resp.StatusCode)
	}
}

func TestRateLimitDisabled(t *testing.T) {
	c := serve(t, Config{RateLimit: -1})
	tok := c.login(c.sim.Users()[0].NPSSO)
	for range 400 {
		if resp, _ := c.get("/api/v1/devices/accounts/me", tok.AccessToken); resp.StatusCode != 200 {
			t.Fatalf("%d", resp.StatusCode)
		}
	}
}

func TestRateLimitDefault300(t *testing.T) {
	c := inMemory(t, Config{})
	tok := c.login(c.sim.Users()[0].NPSSO)
	ok := 2 // authorize and token
	for {
		resp, _ := c.get("/api/v1/devices/accounts/me", tok.AccessToken)
		if resp.StatusCode != 200 {
			break
		}
		ok++
	}
	if ok != 300 {
		t.Fatalf("%d requests accepted, want 300", ok)
	}
}
