package psn

import (
	"context"
	"testing"
	"time"
)

// Close stops the timer that clears the "fresh" flag, so that a closed
// source (one a cache evicted) does not stay reachable through a pending
// timer for most of its token's life; the cached token is then judged by
// the clock, never by a flag nobody will clear.
func TestCloseStopsTheFreshTimer(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	tok := &Token{
		AccessToken: "access", RefreshToken: "refresh", TokenType: "bearer",
		IssuedAt: now, Expiry: now.Add(time.Hour), RefreshExpiry: now.Add(60 * 24 * time.Hour),
	}
	src := NewRefreshingSource(NewClient(), NewMemoryTokenStore(tok, ""))
	if _, err := src.Token(ctx); err != nil {
		t.Fatal(err)
	}
	src.mu.Lock()
	armed := src.freshTimer != nil
	src.mu.Unlock()
	if !armed {
		t.Fatal("no fresh timer after serving a fresh token: the test does not exercise Close")
	}
	if err := src.Close(ctx); err != nil {
		t.Fatal(err)
	}
	src.mu.Lock()
	left := src.freshTimer
	src.mu.Unlock()
	if left != nil {
		t.Error("Close left the fresh timer armed")
	}
	if c := src.cur.Load(); c == nil || c.fresh.Load() {
		t.Error("after Close the cached token is still flagged fresh")
	}
	// Still served while valid, judged by the clock.
	if got, err := src.Token(ctx); err != nil || got.AccessToken != "access" {
		t.Errorf("Token after Close = %v, %v; want the cached token", got, err)
	}
}
