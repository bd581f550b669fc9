package psntest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestIsoDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "PT0S", 69 * time.Second: "PT1M9S", 228*time.Hour + 56*time.Minute + 33*time.Second: "PT228H56M33S", time.Hour: "PT1H",
	} {
		if got := isoDuration(d); got != want {
			t.Errorf("%v: %s, want %s", d, got, want)
		}
	}
}

type gamelistPage struct {
	Titles []struct {
		TitleID, Category, PlayDuration, LastPlayedDateTime string
	}
	NextOffset     *int
	PreviousOffset int
	TotalItemCount int
}

func TestGamelist(t *testing.T) {
	c := serve(t, Config{Users: 4, RateLimit: -1})
	users := c.sim.Users()
	tok := c.login(users[0].NPSSO)
	var first gamelistPage
	c.getOK("/api/gamelist/v2/users/me/titles", tok.AccessToken, &first)
	if len(first.Titles) != 10 || first.TotalItemCount <= 10 || first.NextOffset == nil || *first.NextOffset != 10 || first.PreviousOffset != 0 {
		t.Fatalf("default page: %d titles of %d, next %v, prev %d", len(first.Titles), first.TotalItemCount, first.NextOffset, first.PreviousOffset)
	}
	seen := map[string]bool{}
	for offset := 0; ; offset += 200 {
		var p gamelistPage
		c.getOK(fmt.Sprintf("/api/gamelist/v2/users/me/titles?limit=200&offset=%d", offset), tok.AccessToken, &p)
		for _, x := range p.Titles {
			seen[x.TitleID] = true
			if !strings.HasPrefix(x.PlayDuration, "PT") || (x.Category != "ps4_game" && x.Category != "ps5_native_game") {
				t.Fatalf("%+v", x)
			}
		}
		if p.NextOffset == nil {
			break
		}
	}
	if len(seen) != first.TotalItemCount {
		t.Errorf("walked %d titles of %d", len(seen), first.TotalItemCount)
	}
	var ps5 gamelistPage
	c.getOK("/api/gamelist/v2/users/me/titles?limit=200&categories=ps5_native_game", tok.AccessToken, &ps5)
	for _, x := range ps5.Titles {
		if x.Category != "ps5_native_game" {
			t.Fatalf("categories filter let %s through", x.Category)
		}
	}
	resp, body := c.get("/api/gamelist/v2/users/me/titles?limit=201", tok.AccessToken)
	var e struct {
		Error struct {
			Code           int
			Reason, Source string
		}
	}
	if json.Unmarshal(body, &e) != nil || resp.StatusCode != 400 || e.Error.Code != 3239940 || e.Error.Reason == "" || e.Error.Source == "" {
		t.Errorf("limit=201: %d %s", resp.StatusCode, body)
	}
	if resp, _ := c.get("/api/gamelist/v2/users/"+users[3].AccountID+"/titles", tok.AccessToken); resp.StatusCode != 403 {
		t.Errorf("private user's games: %d", resp.StatusCode)
	}
	var other gamelistPage
	c.getOK("/api/gamelist/v2/users/"+users[1].AccountID+"/titles", tok.AccessToken, &other)
}

// gql calls a persisted query.
func gql(c *h, tok, op, hash string, vars any) (int, map[string]any) {
	c.t.Helper()
	v, _ := json.Marshal(vars)
	q := url.Values{"operationName": {op}, "variables": {string(v)},
		"extensions": {`{"persistedQuery":{"version":1,"sha256Hash":"` + hash + `"}}`}}
	resp, body := c.get("/api/graphql/v1/op?"+q.Encode(), tok)
	var out map[string]any
	if err := json.Unmarshal(body, &out); err != nil {
		c.t.Fatalf("%s: %s", op, body)
	}
	return resp.StatusCode, out
}

func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func TestGraphQLGameLists(t *testing.T) {
	c := serve(t, Config{})
	u := c.sim.Users()[0]
	tok := c.login(u.NPSSO)
	games := gamesOf(c.sim.cfg.Seed, c.sim.userByAccount(u.AccountID))

	_, out := gql(c, tok.AccessToken, "getUserGameList", hashUserGameList, map[string]any{"limit": 5, "categories": "ps4_game,ps5_native_game"})
	list, _ := dig(out, "data", "gameLibraryTitlesRetrieve", "games").([]any)
	if len(list) != min(5, len(games)) || dig(list, 0, "titleId") != games[0].titleID || dig(list, 0, "__typename") != "GameLibraryTitle" {
		t.Fatalf("getUserGameList: %v", out)
	}

	var all []any
	for start := 0; ; start += 7 {
		_, out := gql(c, tok.AccessToken, "getPurchasedGameList", hashPurchasedGames, map[string]any{
			"isActive": true, "platform": []string{"ps4", "ps5"}, "size": 7, "start": start, "sortBy": "ACTIVE_DATE", "sortDirection": "desc"})
		page, _ := dig(out, "data", "purchasedTitlesRetrieve", "games").([]any)
		all = append(all, page...)
		if len(page) < 7 {
			break
		}
	}
	if len(all) != len(games) {
		t.Errorf("getPurchasedGameList pages hold %d games, want %d", len(all), len(games))
	}
	_, out = gql(c, tok.AccessToken, "getPurchasedGameList", hashPurchasedGames, map[string]any{"platform": []string{"ps5"}, "size": 500})
	for _, g := range dig(out, "data", "purchasedTitlesRetrieve", "games").([]any) {
		if dig(g, "platform") != "PS5" {
			t.Fatalf("platform filter: %v", g)
		}
	}

	status, out := gql(c, tok.AccessToken, "getUserGameList", hashPurchasedGames, map[string]any{})
	if status != 200 || dig(out, "errors", 0, "message") != "PersistedQueryNotFound" || out["data"] != nil {
		t.Errorf("wrong hash: %d %v", status, out)
	}
	resp, _ := c.get("/api/graphql/v1/op?operationName=getUserGameList&variables=%7B&extensions="+url.QueryEscape(`{"persistedQuery":{"sha256Hash":"`+hashUserGameList+`"}}`), tok.AccessToken)
	if resp.StatusCode != 400 {
		t.Errorf("bad variables: %d", resp.StatusCode)
	}
}

func TestSearch(t *testing.T) {
	c := serve(t, Config{Users: 40})
	users := c.sim.Users()
	tok := c.login(users[0].NPSSO)
	target := users[7]
	term := strings.ToLower(target.OnlineID[1:5])

	_, out := gql(c, tok.AccessToken, "metGetContextSearchResults", hashContextSocial,
		map[string]any{"searchTerm": term, "searchContext": "MobileUniversalSearchSocial", "displayTitleLocale": "en-US"})
	dom := dig(out, "data", "universalContextSearch", "results", 0)
	total := int(dig(dom, "totalResultCount").(float64))
	found := map[string]bool{}
	for _, r := range dig(dom, "searchResults").([]any) {
		found[dig(r, "result", "accountId").(string)] = true
		h := dig(r, "highlight", "onlineId").([]any)
		if len(h) >= 2 && !strings.EqualFold(h[1].(string), term) && dig(r, "highlight", "firstName") == nil {
			t.Errorf("highlight %v for %q", h, term)
		}
	}
	for cur := dig(dom, "next").(string); cur != ""; {
		_, out := gql(c, tok.AccessToken, "metGetDomainSearchResults", hashDomainSocial,
			map[string]any{"searchTerm": term, "searchDomain": "SocialAllAccounts", "pageSize": 2, "pageOffset": 0, "nextCursor": cur})
		d := dig(out, "data", "universalDomainSearch")
		for _, r := range dig(d, "searchResults").([]any) {
			id := dig(r, "result", "accountId").(string)
			if found[id] {
				t.Fatalf("%s twice", id)
			}
			found[id] = true
		}
		cur = dig(d, "next").(string)
	}
	if len(found) != total || !found[target.AccountID] {
		t.Errorf("found %d of %d players, target found: %v", len(found), total, found[target.AccountID])
	}

	game := c.sim.catalog().titles[0]
	_, out = gql(c, tok.AccessToken, "metGetContextSearchResults", hashContextGames,
		map[string]any{"searchTerm": game.name, "searchContext": "MobileUniversalSearchGame", "displayTitleLocale": "en-US"})
	if dig(out, "data", "universalContextSearch", "results", 0, "domain") != "MobileGames" ||
		dig(out, "data", "universalContextSearch", "results", 1, "domain") != "MobileAddOns" {
		t.Fatalf("game context: %v", out)
	}
	hits := dig(out, "data", "universalContextSearch", "results", 0, "searchResults").([]any)
	if len(hits) == 0 || !strings.Contains(dig(hits, 0, "result", "name").(string), game.name) {
		t.Errorf("no game found for %q", game.name)
	}

	resp, body := c.do("POST", "/api/search/v1/universalSearch", http.Header{"Authorization": {"Bearer " + tok.AccessToken},
		"Content-Type": {"application/json"}}, `{"searchTerm":"`+target.OnlineID+`","domainRequests":[{"domain":"SocialAllAccounts"}]}`)
	var us map[string]any
	if resp.StatusCode != 200 || json.Unmarshal(body, &us) != nil ||
		dig(us, "domainResponses", 0, "results", 0, "socialMetadata", "accountId") != target.AccountID {
		t.Errorf("universalSearch: %d %s", resp.StatusCode, body)
	}
	if resp, _ := c.do("POST", "/api/search/v1/universalSearch", http.Header{"Authorization": {"Bearer " + tok.AccessToken}}, `{}`); resp.StatusCode != 400 {
		t.Errorf("empty universalSearch: %d", resp.StatusCode)
	}
}

func TestEntitlementsCatalogDevices(t *testing.T) {
	c := serve(t, Config{})
	users := c.sim.Users()
	tok := c.login(users[0].NPSSO)
	games := gamesOf(c.sim.cfg.Seed, c.sim.userByAccount(users[0].AccountID))
	n := 0
	for offset := 0; ; offset += 5 {
		var p struct {
			Start, TotalResults int
			Entitlements        []map[string]any
		}
		c.getOK(fmt.Sprintf("/api/entitlement/v2/users/me/internal/entitlements?limit=5&offset=%d", offset), tok.AccessToken, &p)
		if p.Start != offset || p.TotalResults != len(games) {
			t.Fatalf("page at %d: start %d total %d", offset, p.Start, p.TotalResults)
		}
		n += len(p.Entitlements)
		if len(p.Entitlements) < 5 {
			break
		}
	}
	if n != len(games) {
		t.Errorf("%d entitlements, want %d", n, len(games))
	}
	if resp, _ := c.get("/api/entitlement/v2/users/"+users[1].AccountID+"/internal/entitlements", tok.AccessToken); resp.StatusCode != 403 {
		t.Errorf("someone else's entitlements: %d", resp.StatusCode)
	}

	var concepts []map[string]any
	c.getOK("/api/catalog/v2/titles/"+games[0].titleID+"/concepts?age=99&country=FR&language=fr", tok.AccessToken, &concepts)
	if len(concepts) != 1 || concepts[0]["country"] != "FR" || concepts[0]["language"] != "fr" || concepts[0]["name"] != games[0].x.t.name {
		t.Errorf("concepts: %v", concepts)
	}
	if resp, _ := c.get("/api/catalog/v2/titles/CUSA99999_99/concepts", tok.AccessToken); resp.StatusCode != 404 {
		t.Errorf("unknown title: %d", resp.StatusCode)
	}

	var dev struct {
		AccountID      string
		AccountDevices []map[string]string
	}
	c.getOK("/api/v1/devices/accounts/me?includeFields=device,systemData&platform=PS5,PS4,PS3,PSVita", tok.AccessToken, &dev)
	if dev.AccountID != users[0].AccountID || len(dev.AccountDevices) == 0 {
		t.Fatalf("devices: %+v", dev)
	}
	var ps4only struct{ AccountDevices []map[string]string }
	c.getOK("/api/v1/devices/accounts/me?includeFields=device&platform=PS4", tok.AccessToken, &ps4only)
	for _, d := range ps4only.AccountDevices {
		if d["deviceType"] != "PS4" {
			t.Errorf("platform filter: %v", d)
		}
	}
}
