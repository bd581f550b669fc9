package psn_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/psntest"
)

// Log in with an NPSSO and read the trophy summary. Against Sony, drop
// WithEndpoint; here the offline simulator plays PSN.
func ExampleClient_Login() {
	srv := psntest.NewServer(psntest.Config{Seed: 1})
	defer srv.Close()
	pasted := `{"npsso":"` + srv.Sim.Users()[0].NPSSO + `"}` // what Sony's page shows

	ctx := context.Background()
	c := psn.NewClient(psn.WithEndpoint(srv.URL))
	npsso, err := psn.ParseNPSSO(pasted)
	if err != nil {
		log.Fatal(err)
	}
	tok, err := c.Login(ctx, npsso)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("access token lives", tok.Expiry.Sub(tok.IssuedAt))
	fmt.Println("printing a token is safe:", tok.AccessToken)
	// Output:
	// access token lives 59m59s
	// printing a token is safe: [REDACTED]
}

// A RefreshingSource keeps the token fresh for every data call; hooks tell
// you when a human must act.
func ExampleNewTokenSource() {
	srv := psntest.NewServer(psntest.Config{Seed: 1})
	defer srv.Close()
	ctx := context.Background()
	c := psn.NewClient(psn.WithEndpoint(srv.URL))
	npsso := psn.Secret(srv.Sim.Users()[0].NPSSO)
	tok, err := c.Login(ctx, npsso)
	if err != nil {
		log.Fatal(err)
	}

	src := psn.NewTokenSource(c, psn.NewMemoryTokenStore(tok, npsso), // keep the NPSSO for the fallback
		psn.OnRefreshExpiring(func(ctx context.Context, at time.Time, npssoKept bool) {
			log.Printf("refresh token expires at %s; NPSSO kept: %v", at, npssoKept)
		}),
		psn.OnLoginRequired(func(ctx context.Context, err *psn.LoginRequiredError) {
			log.Printf("a human must log in again: %v", err)
		}))
	api := c.WithTokenSource(src)

	sum, err := api.Trophies.Summary(ctx, "me")
	if errors.Is(err, psn.ErrLoginRequired) {
		log.Fatal("run psn login")
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("trophy level known:", sum.TrophyLevel > 0)
	// Output: trophy level known: true
}

// psn.Transport adds the bearer token to any HTTP request and retries
// once with a fresh token after a 401.
func ExampleTransport() {
	srv := psntest.NewServer(psntest.Config{Seed: 1})
	defer srv.Close()
	ctx := context.Background()
	c := psn.NewClient(psn.WithEndpoint(srv.URL))
	tok, err := c.Login(ctx, psn.Secret(srv.Sim.Users()[0].NPSSO))
	if err != nil {
		log.Fatal(err)
	}
	hc := &http.Client{Transport: &psn.Transport{Source: psn.NewTokenSource(c, psn.NewMemoryTokenStore(tok, ""))}}
	resp, err := hc.Get(srv.URL + "/api/v1/devices/accounts/me")
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode)
	// Output: 200
}
