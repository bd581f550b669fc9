package psn_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/psntest"
)

// login starts a simulator and logs its first user in.
func login(t *testing.T, cfg psntest.Config, opts ...psn.Option) (*psntest.Server, *psn.Client, *psn.Token) {
	t.Helper()
	srv := psntest.NewServer(cfg)
	t.Cleanup(srv.Close)
	c := psn.NewClient(append([]psn.Option{psn.WithEndpoint(srv.URL), psn.WithClock(srv.Sim.Now)}, opts...)...)
	tok, err := c.Login(context.Background(), psn.Secret(srv.Sim.Users()[0].NPSSO))
	if err != nil {
		t.Fatal(err)
	}
	return srv, c, tok
}

// TestThousandCallersOneRefreshGrant is the proof of rule 1
// (docs/architecture.md) against the simulator: 1,000 goroutines asking at
// expiry cause exactly one grant.
func TestThousandCallersOneRefreshGrant(t *testing.T) {
	srv, c, tok := login(t, psntest.Config{Seed: 3, RateLimit: -1}, psn.WithLimiter(nil))
	store := psn.NewMemoryTokenStore(tok, "")
	src := psn.NewRefreshingSource(c, store)
	srv.Sim.Advance(time.Hour) // the access token is expired
	var wg sync.WaitGroup
	var errs atomic.Int32
	tokens := make([]*psn.Token, 1000)
	for i := range tokens {
		wg.Go(func() {
			tok, err := src.Token(context.Background())
			if err != nil {
				errs.Add(1)
				return
			}
			tokens[i] = tok
		})
	}
	wg.Wait()
	st := srv.Sim.Stats()
	if st.Grants.RefreshToken != 1 || errs.Load() != 0 || st.ConcurrentRefreshMax != 1 {
		t.Fatalf("refresh grants %d (max in flight %d), errors %d; want 1, 1, 0", st.Grants.RefreshToken, st.ConcurrentRefreshMax, errs.Load())
	}
	saved, _ := store.Load(context.Background())
	for _, got := range tokens {
		if got.AccessToken != saved.Token.AccessToken {
			t.Fatal("a caller got a token other than the saved one")
		}
	}
	// The new token works at PSN.
	if _, err := c.WithTokenSource(src).Users.AccountID(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestUnauthorizedInvalidatesAndRetriesOnce: PSN revokes the access token
// early; the data call refreshes once and succeeds.
func TestUnauthorizedInvalidatesAndRetriesOnce(t *testing.T) {
	srv, c, tok := login(t, psntest.Config{Seed: 4})
	// A token PSN no longer knows, though its expiry says it is fresh.
	bogus := *tok
	bogus.AccessToken = "revoked-access-token"
	src := psn.NewRefreshingSource(c, psn.NewMemoryTokenStore(&bogus, ""))
	api := c.WithTokenSource(src)
	if _, err := api.Users.AccountID(context.Background()); err != nil {
		t.Fatalf("call after a 401: %v", err)
	}
	if g := srv.Sim.Stats().Grants.RefreshToken; g != 1 {
		t.Fatalf("%d refresh grants, want 1", g)
	}

	// Through psn.Transport too, for any http.Client.
	bogus2 := bogus
	bogus2.AccessToken = "also-revoked"
	src2 := psn.NewRefreshingSource(c, psn.NewMemoryTokenStore(&bogus2, ""))
	hc := &http.Client{Transport: &psn.Transport{Source: src2}}
	resp, err := hc.Get(srv.URL + "/api/v1/devices/accounts/me")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("transport retry: status %d", resp.StatusCode)
	}

	// A 401 that a refresh cannot cure is returned after one retry, not looped.
	if err := srv.Sim.RevokeRefreshTokens(srv.Sim.Users()[0].OnlineID); err != nil {
		t.Fatal(err)
	}
	bogus3 := bogus
	bogus3.AccessToken = "revoked-again"
	src3 := psn.NewRefreshingSource(c, psn.NewMemoryTokenStore(&bogus3, ""))
	_, err = c.WithTokenSource(src3).Users.AccountID(context.Background())
	if !errors.Is(err, psn.ErrLoginRequired) {
		t.Fatalf("err = %v, want login required", err)
	}
}

func TestOAuth2Adapter(t *testing.T) {
	_, c, tok := login(t, psntest.Config{Seed: 5})
	ts := psn.OAuth2(psn.NewRefreshingSource(c, psn.NewMemoryTokenStore(tok, "")))
	o, err := ts.Token()
	if err != nil {
		t.Fatal(err)
	}
	if o.AccessToken != tok.AccessToken.Reveal() || !o.Expiry.Equal(tok.Expiry) || !strings.EqualFold(o.TokenType, "bearer") || o.RefreshToken != "" {
		t.Fatalf("oauth2 token = %+v", o)
	}
}

// TestRotatingRefreshAgainstSimulator: with rotation, every refresh stores
// the new refresh token; the old one is dead at PSN.
func TestRotatingRefreshAgainstSimulator(t *testing.T) {
	srv, c, tok := login(t, psntest.Config{Seed: 6, RotateRefresh: true})
	store := psn.NewMemoryTokenStore(tok, "")
	src := psn.NewRefreshingSource(c, store)
	for range 3 {
		srv.Sim.Advance(time.Hour)
		if _, err := src.Token(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Refresh(context.Background(), tok.RefreshToken); !errors.Is(err, psn.ErrInvalidGrant) {
		t.Fatalf("the first refresh token should be revoked, got %v", err)
	}
	if g := srv.Sim.Stats().Grants.RefreshToken; g != 3 {
		t.Fatalf("%d refresh grants, want 3", g)
	}
}
