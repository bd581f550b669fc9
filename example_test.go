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
func ExampleNewRefreshingSource() {
	srv := psntest.NewServer(psntest.Config{Seed: 1})
	defer srv.Close()
	ctx := context.Background()
	c := psn.NewClient(psn.WithEndpoint(srv.URL))
	npsso := psn.Secret(srv.Sim.Users()[0].NPSSO)
	tok, err := c.Login(ctx, npsso)
	if err != nil {
		log.Fatal(err)
	}

	src := psn.NewRefreshingSource(c, psn.NewMemoryTokenStore(tok, npsso), // keep the NPSSO for the fallback
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
	hc := &http.Client{Transport: &psn.Transport{Source: psn.NewRefreshingSource(c, psn.NewMemoryTokenStore(tok, ""))}}
	resp, err := hc.Get(srv.URL + "/api/v1/devices/accounts/me")
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode)
	// Output: 200
}

// Resolve what a user typed — "me", an account id or an online id — to
// the account id every call accepts.
func ExampleUserService_ResolveAccountID() {
	srv := psntest.NewServer(psntest.Config{Seed: 1})
	defer srv.Close()
	ctx := context.Background()
	c := psn.NewClient(psn.WithEndpoint(srv.URL))
	npsso := psn.Secret(srv.Sim.Users()[0].NPSSO)
	tok, err := c.Login(ctx, npsso)
	if err != nil {
		log.Fatal(err)
	}
	api := c.WithTokenSource(psn.NewRefreshingSource(c, psn.NewMemoryTokenStore(tok, npsso)))

	for _, who := range []string{"me", "VividBard", "2660187725880419255"} {
		id, err := api.Users.ResolveAccountID(ctx, who)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(who, "->", id)
	}
	_, err = api.Users.ResolveAccountID(ctx, "NoSuchPlayer42")
	fmt.Println("unknown online id is ErrNotFound:", errors.Is(err, psn.ErrNotFound))
	// Output:
	// me -> 1554406131620360799
	// VividBard -> 3582382629377112240
	// 2660187725880419255 -> 2660187725880419255
	// unknown online id is ErrNotFound: true
}

// A title's trophies with the account's earned state: names and icons
// from the definitions, earned flags and dates from the account.
func ExampleTrophyService_TitleTrophiesWithEarned() {
	srv := psntest.NewServer(psntest.Config{Seed: 1})
	defer srv.Close()
	ctx := context.Background()
	c := psn.NewClient(psn.WithEndpoint(srv.URL))
	npsso := psn.Secret(srv.Sim.Users()[0].NPSSO)
	tok, err := c.Login(ctx, npsso)
	if err != nil {
		log.Fatal(err)
	}
	api := c.WithTokenSource(psn.NewRefreshingSource(c, psn.NewMemoryTokenStore(tok, npsso)))

	page, err := api.Trophies.Titles(ctx, "me", &psn.TitlesOptions{ListOptions: psn.ListOptions{Limit: 1}})
	if err != nil {
		log.Fatal(err)
	}
	title := page.TrophyTitles[0]
	trophies, err := api.Trophies.TitleTrophiesWithEarned(ctx, "me", title.NpCommunicationID, psn.TrophyGroupAll,
		&psn.TrophiesOptions{Platform: title.TrophyTitlePlatform})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(title.TrophyTitleName)
	for _, t := range trophies[:3] {
		fmt.Printf("%-8s %-28q earned: %v\n", t.TrophyType, t.TrophyName, t.Earned)
	}
	// Output:
	// Lunar Dominion II
	// silver   "Defeat the Frontier"        earned: true
	// bronze   "Discover the Archive"       earned: true
	// bronze   "Craft All Lanterns"         earned: false
}
