package psntest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/psnkit/psn/internal/recorded"
)

func TestAccountMe(t *testing.T) {
	c := serve(t, Config{})
	for _, u := range c.sim.Users() {
		tok := c.login(u.NPSSO)
		var got struct{ AccountID string }
		c.getOK("/api/v1/devices/accounts/me", tok.AccessToken, &got)
		if got.AccountID != u.AccountID {
			t.Errorf("accountId %q, want %q", got.AccountID, u.AccountID)
		}
	}
}

func TestBearerRequired(t *testing.T) {
	c := serve(t, Config{})
	tok := c.login(c.sim.Users()[0].NPSSO)
	for _, tc := range []struct {
		name, auth string
		status     int
	}{
		{"none", "", 401},
		{"unknown token", "Bearer eyJ.abc.def", 401},
		{"refresh token", "Bearer " + tok.RefreshToken, 401},
		{"id token", "Bearer " + tok.IDToken, 401},
		{"basic", basicAuth(), 401},
		{"lower-case scheme", "bearer " + tok.AccessToken, 200},
		{"valid", "Bearer " + tok.AccessToken, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, p := range []string{"/api/v1/devices/accounts/me", "/api/trophy/v1/users/me/trophySummary",
				"/api/trophy/v1/users/me/trophyTitles"} {
				resp, body := c.do("GET", p, http.Header{"Authorization": {tc.auth}}, "")
				if resp.StatusCode != tc.status {
					t.Fatalf("%s: %d, want %d", p, resp.StatusCode, tc.status)
				}
				if tc.status == 401 {
					if e := psnErr(t, body); e.Code != codeInvalidToken {
						t.Fatalf("%s: %s", p, body)
					}
				}
			}
		})
	}
}

func TestTrophySummary(t *testing.T) {
	c := serve(t, Config{})
	users := c.sim.Users()
	tok := c.login(users[0].NPSSO)
	var me, byID, other trophySummaryJSON
	c.getOK("/api/trophy/v1/users/me/trophySummary", tok.AccessToken, &me)
	c.getOK("/api/trophy/v1/users/"+users[0].AccountID+"/trophySummary", tok.AccessToken, &byID)
	c.getOK("/api/trophy/v1/users/"+users[1].AccountID+"/trophySummary", tok.AccessToken, &other)
	if me != byID || me.AccountID != users[0].AccountID || other.AccountID != users[1].AccountID {
		t.Fatalf("me %+v, by id %+v, other %+v", me, byID, other)
	}
	// The summary agrees with the titles.
	var titles trophyTitlesPage
	c.getOK("/api/trophy/v1/users/me/trophyTitles?limit=800", tok.AccessToken, &titles)
	var sum trophyCounts
	for _, x := range titles.TrophyTitles {
		sum.plus(x.EarnedTrophies)
	}
	if sum != me.EarnedTrophies {
		t.Errorf("summary earned %+v, titles add up to %+v", me.EarnedTrophies, sum)
	}
	if want := summarize(sum); me.TrophyLevel != want.level || me.TrophyPoint != want.points || me.Tier != want.tier {
		t.Errorf("summary %+v, want level %d points %d tier %d", me, want.level, want.points, want.tier)
	}

	for _, tc := range []struct {
		acc    string
		status int
		code   int
	}{
		{"1234567890123456789", 404, 2240525},
		{"VaultTec-Co", 400, codeTrophyBadRequest},
	} {
		resp, body := c.get("/api/trophy/v1/users/"+tc.acc+"/trophySummary", tok.AccessToken)
		if resp.StatusCode != tc.status || psnErr(t, body).Code != tc.code {
			t.Errorf("%s: %d %s, want %d code %d", tc.acc, resp.StatusCode, body, tc.status, tc.code)
		}
	}
}

// summarize follows PSN's 2020 level table.
func TestSummarize(t *testing.T) {
	for _, tc := range []struct {
		c                                      trophyCounts
		level, base, next, progress, tier, pts int
	}{
		{trophyCounts{}, 1, 0, 60, 0, 1, 0}, // as recorded for a new account
		{trophyCounts{Bronze: 2}, 1, 0, 60, 50, 1, 30},
		{trophyCounts{Bronze: 4}, 2, 60, 120, 0, 1, 60},
		{trophyCounts{Platinum: 20}, 100, 5940, 6030, 66, 2, 6000},
		{trophyCounts{Gold: 100000}, 999, 0, 0, 100, 10, 9000000},
	} {
		s := summarize(tc.c)
		if s.level != tc.level || s.points != tc.pts || s.tier != tc.tier || s.progress != tc.progress {
			t.Errorf("%+v: level %d points %d tier %d progress %d", tc.c, s.level, s.points, s.tier, s.progress)
		}
		if tc.level < 999 && (s.basePoint != tc.base || s.nextPoint != tc.next) {
			t.Errorf("%+v: base %d next %d, want %d %d", tc.c, s.basePoint, s.nextPoint, tc.base, tc.next)
		}
	}
}

// titleProgress must reproduce every progress value PSN recorded.
func TestTitleProgressMatchesRecordings(t *testing.T) {
	n := 0
	for _, name := range []string{"test_user__trophy_titles.json", "test_user__trophy_titles_pagination_test.json"} {
		for _, in := range recorded.Load(t, name).Interactions {
			var page trophyTitlesPage
			if err := json.Unmarshal([]byte(in.Response.Body.String), &page); err != nil {
				t.Fatal(err)
			}
			for _, x := range page.TrophyTitles {
				n++
				if got := titleProgress(x.EarnedTrophies, x.DefinedTrophies); got != x.Progress {
					t.Fatalf("%s: progress %d, PSN says %d", x.NpCommunicationID, got, x.Progress)
				}
			}
		}
	}
	if n < 2000 {
		t.Fatalf("only %d recorded titles checked", n)
	}
}

func TestTrophyTitlesPagination(t *testing.T) {
	c := serve(t, Config{})
	tok := c.login(c.sim.Users()[0].NPSSO)
	var first trophyTitlesPage
	c.getOK("/api/trophy/v1/users/me/trophyTitles", tok.AccessToken, &first)
	total := first.TotalItemCount
	if total <= 100 || len(first.TrophyTitles) != 100 || first.PreviousOffset != nil || first.NextOffset == nil || *first.NextOffset != 100 {
		t.Fatalf("default page: %d of %d, next %v prev %v", len(first.TrophyTitles), total, first.NextOffset, first.PreviousOffset)
	}
	seen := map[string]bool{}
	last := ""
	for offset := 0; ; {
		var p trophyTitlesPage
		c.getOK(fmt.Sprintf("/api/trophy/v1/users/me/trophyTitles?limit=50&offset=%d", offset), tok.AccessToken, &p)
		if offset > 0 && (p.PreviousOffset == nil || *p.PreviousOffset != offset-1) {
			t.Fatalf("offset %d: previousOffset %v, want %d (as recorded)", offset, p.PreviousOffset, offset-1)
		}
		for _, x := range p.TrophyTitles {
			if seen[x.NpCommunicationID] {
				t.Fatalf("%s twice", x.NpCommunicationID)
			}
			seen[x.NpCommunicationID] = true
			if last != "" && x.LastUpdatedDateTime > last {
				t.Fatalf("not newest first: %s after %s", x.LastUpdatedDateTime, last)
			}
			last = x.LastUpdatedDateTime
		}
		if p.NextOffset == nil {
			if offset+len(p.TrophyTitles) != total {
				t.Fatalf("last page at %d has %d titles of %d", offset, len(p.TrophyTitles), total)
			}
			break
		}
		if len(p.TrophyTitles) != 50 || *p.NextOffset != offset+50 {
			t.Fatalf("page at %d: %d titles, next %d", offset, len(p.TrophyTitles), *p.NextOffset)
		}
		offset = *p.NextOffset
	}
	if len(seen) != total {
		t.Fatalf("walked %d titles, totalItemCount %d", len(seen), total)
	}

	var beyond trophyTitlesPage
	c.getOK(fmt.Sprintf("/api/trophy/v1/users/me/trophyTitles?offset=%d", total+10), tok.AccessToken, &beyond)
	if len(beyond.TrophyTitles) != 0 || beyond.NextOffset != nil || beyond.TotalItemCount != total {
		t.Errorf("past the end: %+v", beyond)
	}
	var most trophyTitlesPage
	c.getOK("/api/trophy/v1/users/me/trophyTitles?limit=800", tok.AccessToken, &most)
	if len(most.TrophyTitles) != min(total, 800) {
		t.Errorf("limit=800 gave %d titles", len(most.TrophyTitles))
	}
	for _, q := range []string{"limit=801", "limit=0", "limit=-1", "limit=ten", "offset=-1"} {
		resp, body := c.get("/api/trophy/v1/users/me/trophyTitles?"+q, tok.AccessToken)
		if resp.StatusCode != 400 || !strings.HasPrefix(psnErr(t, body).Message, "Bad Request (query: ") {
			t.Errorf("%s: %d %s", q, resp.StatusCode, body)
		}
	}
}

// Every title is internally consistent the way PSN's are.
func TestTrophyTitlesConsistent(t *testing.T) {
	c := serve(t, Config{Users: 6})
	platforms := map[string]bool{}
	for _, u := range c.sim.Users() {
		tok := c.login(u.NPSSO)
		var p trophyTitlesPage
		c.getOK("/api/trophy/v1/users/me/trophyTitles?limit=800", tok.AccessToken, &p)
		for _, x := range p.TrophyTitles {
			platforms[x.TrophyTitlePlatform] = true
			ps5 := strings.Contains(x.TrophyTitlePlatform, "PS5")
			if ps5 != (x.NpServiceName == "trophy2") || (x.TrophyTitleDetail == "") != ps5 {
				t.Fatalf("%+v: npServiceName/trophyTitleDetail do not fit the platform", x)
			}
			if x.Progress != titleProgress(x.EarnedTrophies, x.DefinedTrophies) {
				t.Fatalf("%+v: progress", x)
			}
			e, d := x.EarnedTrophies, x.DefinedTrophies
			if e.Bronze > d.Bronze || e.Silver > d.Silver || e.Gold > d.Gold || e.Platinum > d.Platinum || d.Platinum > 1 {
				t.Fatalf("%+v: earned exceeds defined", x)
			}
			if x.HasTrophyGroups != (x.TrophyGroupCount > 1) {
				t.Fatalf("%+v: groups", x)
			}
		}
	}
	for _, want := range []string{"PS3", "PS4", "PSVITA", "PS5", "PS5,PSPC"} {
		if !platforms[want] {
			t.Errorf("no %s title among the users' titles", want)
		}
	}
}

func TestUnknownRoute(t *testing.T) {
	c := serve(t, Config{})
	resp, body := c.do("GET", "/api/nothing/here", nil, "")
	if resp.StatusCode != 404 {
		t.Fatalf("%d", resp.StatusCode)
	}
	psnErr(t, body)
}
