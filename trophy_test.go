package psn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestTrophySummaryRecorded(t *testing.T) {
	in := interaction(t, "test_user__trophy_summary", 1)
	c, srv := replayClient(t, in)
	got, err := c.Trophies.Summary(context.Background(), "8520698476712646544")
	if err != nil {
		t.Fatal(err)
	}
	assertSameRequest(t, srv.requests()[0], in)
	if got.AccountID != "8520698476712646544" || got.TrophyLevel == 0 || got.Tier != TierForLevel(got.TrophyLevel) {
		t.Errorf("summary = %+v", got)
	}
}

func TestTierForLevel(t *testing.T) {
	for level, want := range map[int]int{0: 1, 1: 1, 99: 1, 100: 2, 199: 2, 299: 3, 300: 4, 599: 6, 600: 7, 799: 8, 800: 9, 998: 9, 999: 10, 1200: 10} {
		if got := TierForLevel(level); got != want {
			t.Errorf("TierForLevel(%d) = %d, want %d", level, got, want)
		}
	}
}

func TestSummaryComputesMissingTier(t *testing.T) {
	in := interaction(t, "test_user__trophy_summary", 1)
	in.Response.Body.String = `{"accountId":"1","trophyLevel":432,"progress":5,"earnedTrophies":{"bronze":1,"silver":0,"gold":0,"platinum":0}}`
	c, _ := replayClient(t, in)
	got, err := c.Trophies.Summary(context.Background(), "1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Tier != 5 {
		t.Errorf("tier = %d, want 5 for level 432", got.Tier)
	}
}

func TestTrophyTitlesRecorded(t *testing.T) {
	in := interaction(t, "test_user__trophy_titles", 1)
	c, srv := replayClient(t, in)
	page, err := c.Trophies.Titles(context.Background(), "6515971742264256071", &TitlesOptions{ListOptions: ListOptions{Limit: 50}})
	if err != nil {
		t.Fatal(err)
	}
	assertSameRequest(t, srv.requests()[0], in)
	if len(page.TrophyTitles) != 50 || page.NextOffset == nil || *page.NextOffset != 50 || page.TotalItemCount == 0 {
		t.Fatalf("page: %d titles, next %v, total %d", len(page.TrophyTitles), page.NextOffset, page.TotalItemCount)
	}
	first := page.TrophyTitles[0]
	if first.NpCommunicationID != "NPWR29738_00" || first.ServiceName() != "trophy2" || first.LastUpdatedDateTime.IsZero() {
		t.Errorf("first title = %+v", first)
	}
	if want := time.Date(2025, 3, 17, 12, 47, 47, 0, time.UTC); !first.LastUpdatedDateTime.Equal(want) {
		t.Errorf("lastUpdatedDateTime = %v, want %v", first.LastUpdatedDateTime, want)
	}
}

func TestTitlesAllWalksRecordedPages(t *testing.T) {
	name := "test_user__trophy_titles_pagination_test"
	script := dataInteractions(t, name)[1:] // [0] is the profile lookup
	c, srv := replayClient(t, script...)
	n := 0
	for title, err := range c.Trophies.TitlesAll(context.Background(), "93330175277685226", &TitlesOptions{ListOptions: ListOptions{Limit: 50}}) {
		if err != nil {
			t.Fatalf("after %d titles: %v", n, err)
		}
		if title.NpCommunicationID == "" {
			t.Fatalf("title %d has no npCommunicationId", n)
		}
		n++
	}
	reqs := srv.requests()
	if len(reqs) != len(script) {
		t.Fatalf("made %d requests, want %d", len(reqs), len(script))
	}
	for i, r := range reqs {
		assertSameRequest(t, r, script[i])
	}
	if n < 2050 {
		t.Errorf("yielded %d titles", n)
	}
}

func TestTitlesAllStopsWhenConsumerBreaks(t *testing.T) {
	name := "test_user__trophy_titles_pagination_test"
	c, srv := replayClient(t, dataInteractions(t, name)[1:4]...)
	n := 0
	for _, err := range c.Trophies.TitlesAll(context.Background(), "93330175277685226", &TitlesOptions{ListOptions: ListOptions{Limit: 50}}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n == 60 {
			break
		}
	}
	if got := len(srv.requests()); got != 2 {
		t.Errorf("requests after break at item 60 = %d, want 2", got)
	}
}

func TestTitlesAllDefaultPageSize(t *testing.T) {
	in := interaction(t, "test_client__trophy_titles", 0)
	c, srv := replayClient(t, in)
	for _, err := range c.Trophies.TitlesAll(context.Background(), "me", nil) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := srv.requests()[0].Query.Get("limit"); got != "800" {
		t.Errorf("limit = %s, want 800", got)
	}
}

func TestEmptyAccountIDSendsNothing(t *testing.T) {
	c, srv := replayClient(t)
	if _, err := c.Trophies.Summary(context.Background(), ""); !errors.Is(err, ErrInvalidID) {
		t.Errorf("Summary(\"\") err = %v, want ErrInvalidID", err)
	}
	if _, err := c.Trophies.Titles(context.Background(), " ", nil); !errors.Is(err, ErrInvalidID) {
		t.Errorf("Titles(\" \") err = %v, want ErrInvalidID", err)
	}
	if n := len(srv.requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

func TestIDsWithSlashOrQueryStayInTheirSegment(t *testing.T) {
	c, srv := funcServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"trophies":[],"totalItemCount":0}`)
	})
	_, err := c.Trophies.UserTrophies(context.Background(), "me/../../x?limit=1", "NPWR1/00#f", "def ault", &TrophiesOptions{NpServiceName: "trophy"})
	if err != nil {
		t.Fatal(err)
	}
	got := srv.requests()[0]
	want := "/api/trophy/v1/users/me%2F..%2F..%2Fx%3Flimit=1/npCommunicationIds/NPWR1%2F00%23f/trophyGroups/def%20ault/trophies"
	if got.Path != want {
		t.Errorf("path = %s\nwant   %s", got.Path, want)
	}
	if len(got.Query) != 1 || got.Query.Get("npServiceName") != "trophy" {
		t.Errorf("query = %v: the id leaked into it", got.Query)
	}
}

func TestEmptyIDsAreRefusedBeforeAnyRequest(t *testing.T) {
	c, srv := funcServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{}`) })
	ctx := context.Background()
	calls := map[string]func() error{
		"Trophies.Summary":           func() error { _, err := c.Trophies.Summary(ctx, ""); return err },
		"Trophies.Titles":            func() error { _, err := c.Trophies.Titles(ctx, "", nil); return err },
		"Trophies.TitleTrophies":     func() error { _, err := c.Trophies.TitleTrophies(ctx, "", "all", nil); return err },
		"Trophies.TitleTrophyGroups": func() error { _, err := c.Trophies.TitleTrophyGroups(ctx, " ", nil); return err },
		"Trophies.UserTrophies acc":  func() error { _, err := c.Trophies.UserTrophies(ctx, "", "NPWR1_00", "all", nil); return err },
		"Trophies.UserTrophies id":   func() error { _, err := c.Trophies.UserTrophies(ctx, "me", "", "all", nil); return err },
		"Trophies.UserTrophyGroups":  func() error { _, err := c.Trophies.UserTrophyGroups(ctx, "me", "", nil); return err },
		"Trophies.TitlesForTitleIDs": func() error { _, err := c.Trophies.TitlesForTitleIDs(ctx, "me", []string{"A", ""}, nil); return err },
		"Trophies.TitlesForTitleIDs none": func() error {
			_, err := c.Trophies.TitlesForTitleIDs(ctx, "me", nil, nil)
			return err
		},
		"Users.Profile":             func() error { _, err := c.Users.Profile(ctx, ""); return err },
		"Users.ProfileByOnlineID":   func() error { _, err := c.Users.ProfileByOnlineID(ctx, "", nil); return err },
		"Users.ResolveAccountID":    func() error { _, err := c.Users.ResolveAccountID(ctx, " "); return err },
		"Users.Region":              func() error { _, err := c.Users.Region(ctx, ""); return err },
		"Users.ShareableLink":       func() error { _, err := c.Users.ShareableLink(ctx, ""); return err },
		"Users.Friends":             func() error { _, err := c.Users.Friends(ctx, "", nil); return err },
		"Users.Friendship":          func() error { _, err := c.Users.Friendship(ctx, ""); return err },
		"Users.AcceptFriendRequest": func() error { return c.Users.AcceptFriendRequest(ctx, "") },
		"Users.RemoveFriend":        func() error { return c.Users.RemoveFriend(ctx, "") },
		"Users.Presence":            func() error { _, err := c.Users.Presence(ctx, ""); return err },
		"Users.Presences":           func() error { _, err := c.Users.Presences(ctx, []string{"1", ""}); return err },
		"Games.Played":              func() error { _, err := c.Games.Played(ctx, "", nil); return err },
		"Games.TitleConcepts":       func() error { _, err := c.Games.TitleConcepts(ctx, "", nil); return err },
		"Search.FirstPages":         func() error { _, err := c.Search.FirstPages(ctx, " ", SearchContextGames, nil); return err },
		"Search.Domain":             func() error { _, err := c.Search.Domain(ctx, "", SearchDomainGames, "", 0, nil); return err },
		"Search.Universal":          func() error { _, err := c.Search.Universal(ctx, "", ""); return err },
		"Groups.Get":                func() error { _, err := c.Groups.Get(ctx, ""); return err },
		"Groups.Create":             func() error { _, err := c.Groups.Create(ctx, []string{""}); return err },
		"Groups.Rename":             func() error { return c.Groups.Rename(ctx, "", "x") },
		"Groups.Send":               func() error { _, err := c.Groups.Send(ctx, "", "x"); return err },
		"Groups.Messages":           func() error { _, err := c.Groups.Messages(ctx, "", nil); return err },
		"Groups.Leave":              func() error { return c.Groups.Leave(ctx, "") },
		"Groups.Kick":               func() error { return c.Groups.Kick(ctx, "g", "") },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, ErrInvalidID) {
			t.Errorf("%s: err = %v, want ErrInvalidID", name, err)
		}
	}
	if n := len(srv.requests()); n != 0 {
		t.Errorf("%d requests sent for empty ids", n)
	}
	for _, err := range c.Trophies.TitlesAll(ctx, "", nil) {
		if !errors.Is(err, ErrInvalidID) {
			t.Errorf("TitlesAll(\"\") err = %v", err)
		}
	}
}

func TestServiceNameForPlatform(t *testing.T) {
	for platform, want := range map[string]string{
		"PS5": "trophy2", "PS5,PSPC": "trophy2", "PSPC,PS5": "trophy2", "ps5": "trophy2",
		"PS4": "trophy", "PS4,PSVITA": "trophy", "PS3": "trophy", "PSVITA": "trophy", "": "trophy",
	} {
		if got := ServiceNameForPlatform(platform); got != want {
			t.Errorf("ServiceNameForPlatform(%q) = %q, want %q", platform, got, want)
		}
	}
}

func TestNpServiceNameChoice(t *testing.T) {
	for name, tc := range map[string]struct {
		opt  *TrophiesOptions
		want string
	}{
		"title's own name wins over platform": {TrophyTitle{NpServiceName: "trophy", TrophyTitlePlatform: "PS5"}.TrophiesOptions(), "trophy"},
		"PS5,PSPC platform":                   {TrophyTitle{TrophyTitlePlatform: "PS5,PSPC"}.TrophiesOptions(), "trophy2"},
		"PS4,PSVITA platform":                 {&TrophiesOptions{Platform: "PS4,PSVITA"}, "trophy"},
		"explicit override":                   {&TrophiesOptions{NpServiceName: "trophy2", Platform: "PS3"}, "trophy2"},
		"nothing known: trophy first":         {nil, "trophy"},
	} {
		t.Run(name, func(t *testing.T) {
			c, srv := funcServer(t, func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 200, `{"trophySetVersion":"01.00","hasTrophyGroups":false,"trophies":[],"totalItemCount":0}`)
			})
			if _, err := c.Trophies.TitleTrophies(context.Background(), "NPWR1_00", "all", tc.opt); err != nil {
				t.Fatal(err)
			}
			if got := srv.requests()[0].Query.Get("npServiceName"); got != tc.want {
				t.Errorf("npServiceName = %q, want %q", got, tc.want)
			}
		})
	}
}

// notFoundUnless answers PSN's 404 envelope unless npServiceName is svc.
func notFoundUnless(svc, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("npServiceName") != svc {
			writeJSON(w, 404, `{"error":{"referenceId":"r","code":2240525,"message":"Resource not found"}}`)
			return
		}
		writeJSON(w, 200, body)
	}
}

func TestGuessedServiceNameRetriesTrophy2Once(t *testing.T) {
	c, srv := funcServer(t, notFoundUnless("trophy2", `{"trophySetVersion":"01.00","trophyTitleName":"X","trophyTitleIconUrl":"u","trophyTitlePlatform":"PS5","npServiceName":"trophy2","definedTrophies":{"bronze":1,"silver":0,"gold":0,"platinum":0},"trophyGroups":[]}`))
	g, err := c.Trophies.TitleTrophyGroups(context.Background(), "NPWR1_00", nil)
	if err != nil {
		t.Fatal(err)
	}
	if g.NpServiceName != "trophy2" {
		t.Errorf("decoded %+v", g)
	}
	var asked []string
	for _, r := range srv.requests() {
		asked = append(asked, r.Query.Get("npServiceName"))
	}
	if !slices.Equal(asked, []string{"trophy", "trophy2"}) {
		t.Errorf("asked %v", asked)
	}
	// An explicit choice is never second-guessed.
	c2, srv2 := funcServer(t, notFoundUnless("trophy2", `{}`))
	_, err = c2.Trophies.TitleTrophyGroups(context.Background(), "NPWR1_00", &TrophiesOptions{NpServiceName: "trophy"})
	if !errors.Is(err, ErrNotFound) || len(srv2.requests()) != 1 {
		t.Errorf("err %v after %d requests", err, len(srv2.requests()))
	}
}

func TestUserTrophiesAllKeepsTheServiceThatAnswered(t *testing.T) {
	c, srv := funcServer(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		switch {
		case q.Get("npServiceName") != "trophy2":
			writeJSON(w, 404, `{"error":{"referenceId":"r","code":2240525,"message":"Resource not found"}}`)
		case q.Get("offset") == "0":
			writeJSON(w, 200, `{"trophySetVersion":"01.00","hasTrophyGroups":false,"trophies":[{"trophyId":0,"trophyHidden":false,"earned":true,"trophyType":"platinum","progress":"3","progressRate":30,"progressedDateTime":"2024-01-02T03:04:05Z","trophyProgressTargetValue":"10"}],"nextOffset":1,"totalItemCount":2}`)
		default:
			writeJSON(w, 200, `{"trophySetVersion":"01.00","hasTrophyGroups":false,"trophies":[{"trophyId":1,"trophyHidden":true,"earned":false,"trophyType":"bronze"}],"totalItemCount":2}`)
		}
	})
	var got []Trophy
	for tr, err := range c.Trophies.UserTrophiesAll(context.Background(), "me", "NPWR1_00", "", &TrophiesOptions{ListOptions: ListOptions{Limit: 1}}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, tr)
	}
	if len(got) != 2 || got[0].Progress != "3" || got[0].ProgressRate != 30 || got[0].ProgressedDateTime.IsZero() || got[0].TrophyProgressTargetValue != "10" {
		t.Fatalf("trophies = %+v", got)
	}
	var asked []string
	for _, r := range srv.requests() {
		asked = append(asked, r.Query.Get("offset")+":"+r.Query.Get("npServiceName"))
	}
	if !slices.Equal(asked, []string{"0:trophy", "0:trophy2", "1:trophy2"}) {
		t.Errorf("requests %v", asked)
	}
	if p := srv.requests()[0].Path; !strings.HasSuffix(p, "/trophyGroups/all/trophies") {
		t.Errorf("empty group id should mean all: %s", p)
	}
}

func TestTitlesForTitleIDsBatchesOfFive(t *testing.T) {
	c, srv := funcServer(t, func(w http.ResponseWriter, r *http.Request) {
		var titles []string
		for _, id := range strings.Split(r.URL.Query().Get("npTitleIds"), ",") {
			titles = append(titles, `{"npTitleId":"`+id+`","trophyTitles":[]}`)
		}
		writeJSON(w, 200, `{"titles":[`+strings.Join(titles, ",")+`]}`)
	})
	var ids []string
	for i := range 12 {
		ids = append(ids, fmt.Sprintf("CUSA%05d_00", i))
	}
	got, err := c.Trophies.TitlesForTitleIDs(context.Background(), "me", ids, &TitlesByIDOptions{IncludeNotEarnedTrophyIDs: true})
	if err != nil {
		t.Fatal(err)
	}
	reqs := srv.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	for i, want := range []int{5, 5, 2} {
		if n := len(strings.Split(reqs[i].Query.Get("npTitleIds"), ",")); n != want {
			t.Errorf("request %d carried %d ids, want %d", i, n, want)
		}
		if reqs[i].Query.Get("includeNotEarnedTrophyIds") != "true" {
			t.Errorf("request %d lacks includeNotEarnedTrophyIds", i)
		}
	}
	if len(got) != 12 || got[0].NpTitleID != ids[0] || got[11].NpTitleID != ids[11] {
		t.Errorf("merged answers out of order: %v", got)
	}
}

func TestAcceptLanguageAndHeadersPerClientAndWith(t *testing.T) {
	c, srv := funcServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"accountId":"1","trophyLevel":1,"tier":1,"earnedTrophies":{"bronze":0,"silver":0,"gold":0,"platinum":0}}`)
	}, WithLanguage("ja-JP"))
	ctx := context.Background()
	if _, err := c.Trophies.Summary(ctx, "me"); err != nil {
		t.Fatal(err)
	}
	zh := c.With(WithLanguage("zh-Hant"), WithHeader("X-Trace", "t1"))
	if _, err := zh.Trophies.Summary(ctx, "me"); err != nil {
		t.Fatal(err)
	}
	// The original client is unchanged by With.
	if _, err := c.Trophies.Summary(ctx, "me"); err != nil {
		t.Fatal(err)
	}
	reqs := srv.requests()
	if a, b, d := reqs[0].Header.Get("Accept-Language"), reqs[1].Header.Get("Accept-Language"), reqs[2].Header.Get("Accept-Language"); a != "ja-JP" || b != "zh-Hant" || d != "ja-JP" {
		t.Errorf("Accept-Language = %q, %q, %q; want ja-JP, zh-Hant, ja-JP", a, b, d)
	}
	if h0, h1, h2 := reqs[0].Header.Get("X-Trace"), reqs[1].Header.Get("X-Trace"), reqs[2].Header.Get("X-Trace"); h0 != "" || h1 != "t1" || h2 != "" {
		t.Errorf("X-Trace = %q, %q, %q; want only the With copy to send it", h0, h1, h2)
	}
}

func TestBadBodiesAreTypedErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		ctype, body string
	}{
		"HTML page":         {"text/html", "<!DOCTYPE html><html><body>Access Denied</body></html>"},
		"truncated JSON":    {"application/json", `{"trophyTitles":[{"npCommunicationId":"NPWR`},
		"wrongly typed":     {"application/json", `{"trophyTitles":"many","totalItemCount":"ten"}`},
		"empty body":        {"application/json", ``},
		"array for object":  {"application/json", `[1,2,3]`},
		"bad date":          {"application/json", `{"trophyTitles":[{"lastUpdatedDateTime":"yesterday"}]}`},
		"nextOffset string": {"application/json", `{"trophyTitles":[],"nextOffset":"50"}`},
	} {
		t.Run(name, func(t *testing.T) {
			c, _ := funcServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.ctype)
				io.WriteString(w, tc.body)
			})
			_, err := c.Trophies.Titles(context.Background(), "me", nil)
			if !errors.Is(err, ErrUnexpectedResponse) {
				t.Fatalf("err = %v, want ErrUnexpectedResponse", err)
			}
			var re *ResponseError
			if !errors.As(err, &re) {
				t.Errorf("err %T is not a *ResponseError", err)
			}
			for _, it := range c.Trophies.TitlesAll(context.Background(), "me", nil) {
				if !errors.Is(it, ErrUnexpectedResponse) {
					t.Errorf("TitlesAll err = %v", it)
				}
			}
		})
	}
}

func TestTitleTrophiesAllRecorded(t *testing.T) {
	in := interaction(t, "test_user__trophies_pagination_test", 1)
	c, srv := replayClient(t, in)
	var got []Trophy
	for tr, err := range c.Trophies.TitleTrophiesAll(context.Background(), "NPWR08964_00", TrophyGroupDefault, &TrophiesOptions{Platform: "PS4"}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, tr)
	}
	assertSameRequest(t, srv.requests()[0], in)
	var defined TrophyCounts
	for _, tr := range got {
		if tr.TrophyName == "" || tr.TrophyIconURL == "" {
			t.Errorf("trophy %d lacks its definition", tr.TrophyID)
		}
		switch tr.TrophyType {
		case "bronze":
			defined.Bronze++
		case "silver":
			defined.Silver++
		case "gold":
			defined.Gold++
		case "platinum":
			defined.Platinum++
		}
	}
	if defined.Total() != len(got) || len(got) == 0 {
		t.Errorf("%d trophies, counted %+v", len(got), defined)
	}
}

type namedToken string

func (n namedToken) Token(context.Context) (*Token, error) {
	return &Token{AccessToken: Secret(n), Expiry: time.Now().Add(time.Hour)}, nil
}

func TestErrorStringsHoldNoTokenOrQuery(t *testing.T) {
	const secret = "eyJhbGciOi-SECRET-ACCESS-TOKEN"
	srv := newReplay(t, interaction(t, "test_user__trophy_titles_for_title_forbidden", 0))
	c := NewClient(WithEndpoint(srv.URL), WithLimiter(nil), WithRetry(RetryPolicy{MaxAttempts: 1})).WithTokenSource(namedToken(secret))
	_, err := c.Trophies.TitlesForTitleIDs(context.Background(), "5007681186655854753", []string{"CUSA12057_00"}, nil)
	if !errors.Is(err, ErrForbidden) {
		t.Fatalf("err = %v", err)
	}
	if s := err.Error(); strings.Contains(s, secret) || strings.Contains(s, "CUSA12057_00") || strings.Contains(s, "npTitleIds") {
		t.Errorf("error string leaks: %s", s)
	}
	if got := srv.requests()[0].Header.Get("Authorization"); got != "Bearer "+secret {
		t.Errorf("Authorization = %q", got)
	}
	for _, e := range []error{&InvalidIDError{Param: "accountId", Problem: "empty"}, &PageLoopError{URL: "u", Offset: 1, NextOffset: 1, Problem: "p"}, &GraphQLError{Operation: "op", Messages: []string{"m"}}} {
		if e.Error() == "" {
			t.Errorf("%T has an empty message", e)
		}
	}
}
