package psn

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
)

func TestSearchAllFollowsRecordedCursors(t *testing.T) {
	script := dataInteractions(t, "test_search__get_user_pagination_test")
	c, srv := replayClient(t, script...)
	var ids []string
	for it, err := range c.Search.DomainAll(context.Background(), "test", SearchDomainPlayers, &SearchOptions{PageSize: 20}) {
		if err != nil {
			t.Fatal(err)
		}
		if it.Result.Typename != "Player" || it.Result.AccountID == "" || it.Result.OnlineID == "" {
			t.Fatalf("hit %d: %+v", len(ids), it.Result)
		}
		ids = append(ids, it.Result.AccountID)
	}
	reqs := srv.requests()
	if len(reqs) != len(script) {
		t.Fatalf("%d requests, want %d", len(reqs), len(script))
	}
	for i := range reqs {
		assertSameRequest(t, reqs[i], script[i])
	}
	var last struct {
		Data struct {
			UniversalDomainSearch SearchDomainResult `json:"universalDomainSearch"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(script[len(script)-1].Response.Body.String), &last); err != nil {
		t.Fatal(err)
	}
	if total := last.Data.UniversalDomainSearch.TotalResultCount; len(ids) != total {
		t.Errorf("%d hits, PSN counted %d", len(ids), total)
	}
}

func TestSearchAllStopsWhenTheConsumerBreaks(t *testing.T) {
	script := dataInteractions(t, "test_search__get_user_pagination_test")
	c, srv := replayClient(t, script...)
	n := 0
	for _, err := range c.Search.DomainAll(context.Background(), "test", SearchDomainPlayers, &SearchOptions{PageSize: 20}) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 16 { // first page holds 15
			break
		}
	}
	if got := len(srv.requests()); got != 2 {
		t.Errorf("%d requests, want 2", got)
	}
}

func TestSearchAllGuardsARepeatingCursor(t *testing.T) {
	page := `{"__typename":"UniversalDomainSearchResponse","domain":"MobileGames","domainTitle":"Full Games","next":"SAME","totalResultCount":100,"zeroState":false,"searchResults":[{"id":"1","highlight":{},"result":{"__typename":"Concept","id":"1","name":"G"}}]}`
	c, srv := funcServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("operationName") == "metGetContextSearchResults" {
			writeJSON(w, 200, `{"data":{"universalContextSearch":{"results":[`+page+`]}}}`)
			return
		}
		writeJSON(w, 200, `{"data":{"universalDomainSearch":`+page+`}}`)
	})
	var err error
	for _, e := range c.Search.DomainAll(context.Background(), "gta", SearchDomainGames, nil) {
		err = e
	}
	if !errors.Is(err, ErrPageLoop) {
		t.Fatalf("err = %v, want ErrPageLoop", err)
	}
	if n := len(srv.requests()); n != 2 {
		t.Errorf("%d requests before the loop was seen", n)
	}
}

func TestSearchContextGamesRecorded(t *testing.T) {
	in := interaction(t, "test_search__universal_search", 0)
	c, _ := replayClient(t, in)
	res, err := c.Search.FirstPages(context.Background(), "GTA", SearchContextGames, nil)
	if err != nil {
		t.Fatal(err)
	}
	games := res.Domain(SearchDomainGames)
	if games == nil || len(games.SearchResults) == 0 || games.SearchResults[0].Result.DefaultProduct == nil {
		t.Fatalf("games domain = %+v", games)
	}
	if res.Domain("nope") != nil {
		t.Error("unknown domain found")
	}
}

func TestSearchRejectsUnknownContextAndDomain(t *testing.T) {
	c, srv := funcServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{}`) })
	if _, err := c.Search.FirstPages(context.Background(), "x", "Nope", nil); !errors.Is(err, ErrInvalidID) {
		t.Errorf("err = %v", err)
	}
	if _, err := c.Search.Domain(context.Background(), "x", "Nope", "", 0, nil); !errors.Is(err, ErrInvalidID) {
		t.Errorf("err = %v", err)
	}
	if len(srv.requests()) != 0 {
		t.Error("request sent")
	}
}

func TestUniversalSearchRequest(t *testing.T) {
	c, srv := funcServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"prefix":"xel","suggestions":[],"fallbackQueried":false,"domainResponses":[{"domain":"SocialAllAccounts","domainTitle":"Players","domainTitleMessageId":"m","zeroState":false,"univexId":"u","facetOptions":[],"next":"n","totalResultCount":1,"results":[{"id":"i","type":"social","score":1.5,"socialMetadata":{"accountId":"1","country":"US","language":"en","onlineId":"xelnia","isPsPlus":true,"isOfficiallyVerified":false,"avatarUrl":"a","verifiedUserName":"","highlights":{"onlineId":["xel","nia"]}}}]}]}`)
	})
	res, err := c.Search.Universal(context.Background(), "xelnia", "")
	if err != nil {
		t.Fatal(err)
	}
	r := srv.requests()[0]
	var body map[string]any
	if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
		t.Fatal(err)
	}
	if r.Method != "POST" || r.Path != "/api/search/v1/universalSearch" || body["searchTerm"] != "xelnia" {
		t.Errorf("request %s %s %s", r.Method, r.Path, r.Body)
	}
	if got := res.DomainResponses[0].Results[0].SocialMetadata.OnlineID; got != "xelnia" {
		t.Errorf("decoded %+v", res)
	}
}
