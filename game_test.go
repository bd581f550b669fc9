package psn

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestParseISODuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"PT228H56M33S": 228*time.Hour + 56*time.Minute + 33*time.Second,
		"PT1M9S":       time.Minute + 9*time.Second,
		"PT25M34S":     25*time.Minute + 34*time.Second,
		"PT2H":         2 * time.Hour,
		"PT0S":         0,
		"PT0.5S":       500 * time.Millisecond,
		"PT1,25S":      1250 * time.Millisecond,
		"P1DT2H":       26 * time.Hour,
		"P2W":          14 * 24 * time.Hour,
		"P3D":          72 * time.Hour,
		"-PT5M":        -5 * time.Minute,
		"+PT5M":        5 * time.Minute,
	} {
		got, err := ParseISODuration(in)
		if err != nil || got != want {
			t.Errorf("ParseISODuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "P", "PT", "T1H", "1H", "PT1H2H", "PT1M1H", "P1Y", "P1M", "PT1.5H", "PT1..5S", "PTS", "PT1", "PT1HT2M", "P1DT", "PT9999999999999H", "PT-1H", "PT1X", "P1D2D", "PT.S", "P1W1W"} {
		if got, err := ParseISODuration(bad); !errors.Is(err, ErrBadDuration) {
			t.Errorf("ParseISODuration(%q) = %v, %v; want ErrBadDuration", bad, got, err)
		}
	}
}

func TestFormatISODurationRoundTrips(t *testing.T) {
	for _, d := range []time.Duration{0, time.Second, 69 * time.Second, 228*time.Hour + 56*time.Minute + 33*time.Second, 1500 * time.Millisecond, -90 * time.Minute, 3 * time.Hour} {
		s := FormatISODuration(d)
		back, err := ParseISODuration(s)
		if err != nil || back != d {
			t.Errorf("%v → %q → %v, %v", d, s, back, err)
		}
	}
	if got := FormatISODuration(228*time.Hour + 56*time.Minute + 33*time.Second); got != "PT228H56M33S" {
		t.Errorf("format = %q", got)
	}
}

func TestPlayedTitleJSONKeepsPSNsDurationString(t *testing.T) {
	in := `{"titleId":"CUSA1_00","name":"N","playCount":3,"playDuration":"PT2H9M50S","firstPlayedDateTime":"2020-01-02T03:04:05.123Z"}`
	var p PlayedTitle
	if err := json.Unmarshal([]byte(in), &p); err != nil {
		t.Fatal(err)
	}
	if p.PlayDuration != 2*time.Hour+9*time.Minute+50*time.Second || p.PlayCount != 3 || p.FirstPlayedDateTime.IsZero() {
		t.Fatalf("decoded %+v", p)
	}
	out, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `"playDuration":"PT2H9M50S"`) {
		t.Errorf("marshalled %s", out)
	}
	if err := json.Unmarshal([]byte(`{"playDuration":"two hours"}`), &p); !errors.Is(err, ErrBadDuration) {
		t.Errorf("bad duration err = %v", err)
	}
}

func TestPlayedRecordedDurations(t *testing.T) {
	in := interaction(t, "test_user__title_stats_with_jump", 1)
	c, srv := replayClient(t, in)
	page, err := c.Games.Played(context.Background(), "6515971742264256071", &PlayedOptions{ListOptions: ListOptions{Limit: 10}})
	if err != nil {
		t.Fatal(err)
	}
	assertSameRequest(t, srv.requests()[0], in)
	if len(page.Titles) != 10 {
		t.Fatalf("%d titles", len(page.Titles))
	}
	for _, title := range page.Titles {
		if title.PlayDuration <= 0 || title.LastPlayedDateTime.IsZero() {
			t.Errorf("%s: duration %v, last played %v", title.TitleID, title.PlayDuration, title.LastPlayedDateTime)
		}
	}
}

func TestPlayedAllDefaultsToTheGamelistCeiling(t *testing.T) {
	c, srv := funcServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("offset") {
		case "0":
			writeJSON(w, 200, `{"titles":[{"titleId":"A","playDuration":"PT1S"},{"titleId":"B","playDuration":"PT2S"}],"nextOffset":2,"previousOffset":0,"totalItemCount":3}`)
		default:
			writeJSON(w, 200, `{"titles":[{"titleId":"C","playDuration":"PT3S"}],"nextOffset":null,"previousOffset":0,"totalItemCount":3}`)
		}
	})
	var total time.Duration
	for title, err := range c.Games.PlayedAll(context.Background(), "me", nil) {
		if err != nil {
			t.Fatal(err)
		}
		total += title.PlayDuration
	}
	if total != 6*time.Second {
		t.Errorf("total %v", total)
	}
	reqs := srv.requests()
	if len(reqs) != 2 || reqs[0].Query.Get("limit") != "200" || reqs[1].Query.Get("offset") != "2" {
		t.Errorf("requests %+v", reqs)
	}
}

func TestEntitlementsAllRecorded(t *testing.T) {
	script := dataInteractions(t, "test_client__game_entitlements")
	c, srv := replayClient(t, script...)
	n := 0
	for e, err := range c.Games.EntitlementsAll(context.Background(), &EntitlementsOptions{ListOptions: ListOptions{Limit: 5}}) {
		if err != nil {
			t.Fatal(err)
		}
		if e.ID == "" {
			t.Errorf("entitlement %d has no id", n)
		}
		n++
	}
	if n != 29 {
		t.Errorf("%d entitlements, want 29", n)
	}
	reqs := srv.requests()
	if len(reqs) != len(script) {
		t.Fatalf("%d requests, want %d", len(reqs), len(script))
	}
	for i := range reqs {
		assertSameRequest(t, reqs[i], script[i])
	}
}

func TestGraphQLGames(t *testing.T) {
	c, srv := funcServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("operationName") {
		case "getUserGameList":
			writeJSON(w, 200, `{"data":{"gameLibraryTitlesRetrieve":{"__typename":"GameList","games":[{"__typename":"GameLibraryTitle","conceptId":"10002694","entitlementId":null,"image":{"__typename":"Media","url":"https://i"},"isActive":null,"lastPlayedDateTime":"2023-03-10T01:01:01.390000Z","name":"Ratchet","platform":"PS5","productId":null,"subscriptionService":"NONE","titleId":"PPSA01474_00"}]}}}`)
		case "getPurchasedGameList":
			writeJSON(w, 200, `{"data":{"purchasedTitlesRetrieve":{"__typename":"GameList","games":[{"__typename":"GameLibraryTitle","conceptId":null,"entitlementId":"E","image":{"__typename":"Media","url":"https://i"},"isActive":true,"isDownloadable":true,"isPreOrder":false,"membership":"NONE","name":"G","platform":"PS4","productId":"P","titleId":"CUSA1_00"}]}}}`)
		}
	})
	ctx := context.Background()
	played, err := c.Games.RecentlyPlayed(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(played) != 1 || played[0].IsActive != nil || played[0].LastPlayedDateTime.IsZero() || played[0].Name != "Ratchet" {
		t.Errorf("recently played %+v", played)
	}
	bought, err := c.Games.Purchased(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(bought) != 1 || bought[0].ConceptID != nil || !bought[0].IsDownloadable {
		t.Errorf("purchased %+v", bought)
	}
	// ListOptions maps to PSN's size and start.
	if _, err := c.Games.Purchased(ctx, &PurchasedOptions{ListOptions: ListOptions{Limit: 10, Offset: 30}}); err != nil {
		t.Fatal(err)
	}
	reqs := srv.requests()
	checks := []struct{ hash, vars string }{
		{hashGetUserGameList, `{"categories":"ps4_game,ps5_native_game","limit":50}`},
		{hashGetPurchasedGameList, `{"isActive":true,"platform":["ps4","ps5"],"size":24,"sortBy":"ACTIVE_DATE","sortDirection":"desc","start":0}`},
		{hashGetPurchasedGameList, `{"isActive":true,"platform":["ps4","ps5"],"size":10,"sortBy":"ACTIVE_DATE","sortDirection":"desc","start":30}`},
	}
	for i, want := range checks {
		q := reqs[i].Query
		if reqs[i].Path != "/api/graphql/v1/op" || !strings.Contains(q.Get("extensions"), want.hash) || normQuery([]string{q.Get("variables")})[0] != want.vars {
			t.Errorf("request %d: %s %v", i, reqs[i].Path, q)
		}
		if reqs[i].Header.Get("apollographql-client-name") == "" {
			t.Errorf("request %d lacks the apollo client header", i)
		}
	}
}

func TestGraphQLErrorsAreErrors(t *testing.T) {
	for name, body := range map[string]string{
		"errors":  `{"errors":[{"message":"PersistedQueryNotFound"}],"data":null}`,
		"no data": `{"data":null}`,
	} {
		t.Run(name, func(t *testing.T) {
			c, _ := funcServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, body) })
			_, err := c.Games.RecentlyPlayed(context.Background(), nil)
			if !errors.Is(err, ErrUnexpectedResponse) {
				t.Fatalf("err = %v", err)
			}
			var ge *GraphQLError
			if name == "errors" && (!errors.As(err, &ge) || ge.Messages[0] != "PersistedQueryNotFound") {
				t.Errorf("err = %#v", err)
			}
		})
	}
}

func TestTitleConceptsDefaults(t *testing.T) {
	c, srv := funcServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `[]`) })
	if _, err := c.Games.TitleConcepts(context.Background(), "PPSA03420_00", nil); err != nil {
		t.Fatal(err)
	}
	q := srv.requests()[0].Query
	if q.Get("age") != "99" || q.Get("country") != "US" || q.Get("language") != "en-US" {
		t.Errorf("query %v", q)
	}
}
