package psn_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/psnkit/psn"
)

// fixedToken is a TokenSource for the examples. Real programs use
// psn.NewRefreshingSource, which refreshes and stores tokens.
type fixedToken struct{}

func (fixedToken) Token(context.Context) (*psn.Token, error) {
	return &psn.Token{AccessToken: "example", TokenType: "bearer", Expiry: time.Now().Add(time.Hour)}, nil
}

// examplePSN stands in for PSN: a few answers in PSN's shapes.
func examplePSN() *httptest.Server {
	mux := http.NewServeMux()
	reply := func(path, body string) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, body)
		})
	}
	reply("GET /api/v1/devices/accounts/me", `{"accountId":"1234567890123456789"}`)
	reply("GET /api/trophy/v1/users/{acc}/trophySummary", `{"accountId":"1234567890123456789","trophyLevel":432,"trophyPoint":61230,"trophyLevelBasePoint":61000,"trophyLevelNextPoint":61500,"progress":46,"tier":5,"earnedTrophies":{"bronze":1500,"silver":400,"gold":120,"platinum":25}}`)
	mux.HandleFunc("GET /api/trophy/v1/users/{acc}/trophyTitles", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("offset") == "0" {
			fmt.Fprint(w, `{"trophyTitles":[{"npServiceName":"trophy2","npCommunicationId":"NPWR20188_00","trophySetVersion":"01.00","trophyTitleName":"Demon's Souls","trophyTitleIconUrl":"https://i","trophyTitlePlatform":"PS5","hasTrophyGroups":false,"trophyGroupCount":1,"definedTrophies":{"bronze":29,"silver":8,"gold":3,"platinum":1},"progress":100,"earnedTrophies":{"bronze":29,"silver":8,"gold":3,"platinum":1},"hiddenFlag":false,"lastUpdatedDateTime":"2021-01-10T20:00:00Z"}],"nextOffset":1,"totalItemCount":2}`)
			return
		}
		fmt.Fprint(w, `{"trophyTitles":[{"npServiceName":"trophy","npCommunicationId":"NPWR08964_00","trophySetVersion":"01.02","trophyTitleName":"Bloodborne","trophyTitleIconUrl":"https://i","trophyTitlePlatform":"PS4","hasTrophyGroups":true,"trophyGroupCount":2,"definedTrophies":{"bronze":26,"silver":9,"gold":4,"platinum":1},"progress":63,"earnedTrophies":{"bronze":20,"silver":5,"gold":2,"platinum":0},"hiddenFlag":false,"lastUpdatedDateTime":"2016-03-01T18:30:00Z"}],"previousOffset":0,"totalItemCount":2}`)
	})
	mux.HandleFunc("GET /api/gamelist/v2/users/{acc}/titles", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"titles":[{"titleId":"PPSA01341_00","name":"Demon's Souls","localizedName":"Demon's Souls","imageUrl":"https://i","localizedImageUrl":"https://i","category":"ps5_native_game","service":"none_purchased","playCount":31,"concept":{"id":10000176,"titleIds":["PPSA01341_00"],"name":"Demon's Souls","media":{"audios":[],"videos":[],"images":[]}},"media":{"audios":[],"videos":[],"images":[]},"firstPlayedDateTime":"2020-11-12T10:00:00Z","lastPlayedDateTime":"2021-01-10T20:00:00Z","playDuration":"PT62H5M12S"}],"nextOffset":null,"previousOffset":0,"totalItemCount":1}`)
	})
	mux.HandleFunc("GET /api/userProfile/v1/internal/users/{acc}/friends", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"error":{"referenceId":"0f5c1b2a","code":2281604,"message":"Not permitted by access control"}}`)
	})
	return httptest.NewServer(mux)
}

// The token owner's account id and trophy level.
func ExampleTrophyService_Summary() {
	srv := examplePSN()
	defer srv.Close()
	c := psn.NewClient(psn.WithEndpoint(srv.URL)).WithTokenSource(fixedToken{})
	ctx := context.Background()

	id, err := c.Users.AccountID(ctx)
	if err != nil {
		log.Fatal(err)
	}
	// With changes settings for some calls: here the language.
	sum, err := c.With(psn.WithLanguage("en-GB")).Trophies.Summary(ctx, id)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: level %d (tier %d), %d platinum\n", id, sum.TrophyLevel, sum.Tier, sum.EarnedTrophies.Platinum)
	// Output: 1234567890123456789: level 432 (tier 5), 25 platinum
}

// Every trophy title of an account, page after page; the iterator fetches
// the next page only when the loop gets there, and stops if it breaks.
func ExampleTrophyService_TitlesAll() {
	srv := examplePSN()
	defer srv.Close()
	c := psn.NewClient(psn.WithEndpoint(srv.URL)).WithTokenSource(fixedToken{})

	for title, err := range c.Trophies.TitlesAll(context.Background(), "me", nil) {
		if err != nil {
			log.Fatal(err)
		}
		// ServiceName is what the title's trophy calls need.
		fmt.Printf("%-13s %-8s %3d%%  %s\n", title.TrophyTitleName, title.TrophyTitlePlatform, title.Progress, title.ServiceName())
	}
	// Output:
	// Demon's Souls PS5      100%  trophy2
	// Bloodborne    PS4       63%  trophy
}

// Play time comes as time.Duration, parsed from PSN's "PT62H5M12S".
func ExampleGameService_PlayedAll() {
	srv := examplePSN()
	defer srv.Close()
	c := psn.NewClient(psn.WithEndpoint(srv.URL)).WithTokenSource(fixedToken{})

	for g, err := range c.Games.PlayedAll(context.Background(), "me", nil) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %v over %d sessions\n", g.Name, g.PlayDuration, g.PlayCount)
	}
	// Output: Demon's Souls: 62h5m12s over 31 sessions
}

// Another user's privacy settings are a normal, typed outcome.
func ExampleUserService_Friends() {
	srv := examplePSN()
	defer srv.Close()
	c := psn.NewClient(psn.WithEndpoint(srv.URL)).WithTokenSource(fixedToken{})

	_, err := c.Users.Friends(context.Background(), "5007681186655854753", nil)
	var api *psn.APIError
	switch {
	case errors.Is(err, psn.ErrForbidden) && errors.As(err, &api):
		fmt.Printf("hidden by their privacy settings (code %d)\n", api.Code)
	case err != nil:
		log.Fatal(err)
	}
	// Output: hidden by their privacy settings (code 2281604)
}

// The trophy calls about one title pick npServiceName from the title.
func ExampleTrophyTitle_TrophiesOptions() {
	title := psn.TrophyTitle{NpCommunicationID: "NPWR22810_00", TrophyTitlePlatform: "PS5,PSPC"}
	// With a client:
	//   page, err := c.Trophies.UserTrophies(ctx, "me", title.NpCommunicationID, psn.TrophyGroupAll, title.TrophiesOptions())
	fmt.Println(title.TrophiesOptions().Platform, "→", psn.ServiceNameForPlatform(title.TrophyTitlePlatform))
	// Output: PS5,PSPC → trophy2
}

func ExampleRegionFromNpID() {
	region, err := psn.RegionFromNpID("VmF1bHRUZWMtQ29AYjcudXM=") // "VaultTec-Co@b7.us"
	fmt.Println(region, err)
	// Output: US <nil>
}

func ExampleParseISODuration() {
	d, err := psn.ParseISODuration("PT228H56M33S")
	fmt.Println(d, err, psn.FormatISODuration(d))
	// Output: 228h56m33s <nil> PT228H56M33S
}

// Any PSN endpoint, psn-api's generic call: errors are typed like the
// rest, and WithEndpoint still applies.
func ExampleClient_Call() {
	srv := examplePSN()
	defer srv.Close()
	c := psn.NewClient(psn.WithEndpoint(srv.URL)).WithTokenSource(fixedToken{})

	var out struct {
		AccountID string `json:"accountId"`
	}
	err := c.Call(context.Background(), http.MethodGet, psn.DMSBaseURL+"/v1/devices/accounts/me", nil, nil, &out)
	fmt.Println(out.AccountID, err)
	// Output: 1234567890123456789 <nil>
}

// Search players by name, all pages.
func ExampleSearchService_DomainAll() {
	c := psn.NewClient().WithTokenSource(fixedToken{}) // a real token source in practice
	for hit, err := range c.Search.DomainAll(context.Background(), "VaultTec", psn.SearchDomainPlayers, nil) {
		if err != nil {
			log.Print(err)
			break
		}
		fmt.Println(hit.Result.OnlineID, hit.Result.AccountID)
	}
}
