package psntest

import (
	"fmt"
	"net/http"
	"testing"
)

// findPlayed returns a title user u played that satisfies ok.
func findPlayed(t *testing.T, sim *Sim, acct string, ok func(*userTitle) bool) *userTitle {
	t.Helper()
	for _, x := range sim.userByAccount(acct).trophies().titles {
		if ok(x) {
			return x
		}
	}
	t.Fatal("no such title played")
	return nil
}

func TestNpServiceNameChecks(t *testing.T) {
	c := serve(t, Config{})
	u := c.sim.Users()[0]
	tok := c.login(u.NPSSO)
	ps4 := findPlayed(t, c.sim, u.AccountID, func(x *userTitle) bool { return x.t.platform == "PS4" }).t
	ps5 := findPlayed(t, c.sim, u.AccountID, func(x *userTitle) bool { return x.t.service == "trophy2" }).t
	for _, tc := range []struct {
		np, query string
		status    int
	}{
		{ps4.npCommID, "?npServiceName=trophy", 200},
		{ps4.npCommID, "?npServiceName=trophy2", 404},
		{ps4.npCommID, "", 404},
		{ps5.npCommID, "?npServiceName=trophy2", 200},
		{ps5.npCommID, "", 200},
		{ps5.npCommID, "?npServiceName=trophy", 404},
		{"NPWR00000_00", "?npServiceName=trophy", 404},
	} {
		for _, p := range []string{
			"/api/trophy/v1/npCommunicationIds/%s/trophyGroups%s",
			"/api/trophy/v1/npCommunicationIds/%s/trophyGroups/all/trophies%s",
			"/api/trophy/v1/users/me/npCommunicationIds/%s/trophyGroups%s",
			"/api/trophy/v1/users/me/npCommunicationIds/%s/trophyGroups/default/trophies%s",
		} {
			p = fmt.Sprintf(p, tc.np, tc.query)
			resp, body := c.get(p, tok.AccessToken)
			if resp.StatusCode != tc.status {
				t.Errorf("%s: %d, want %d", p, resp.StatusCode, tc.status)
			}
			if tc.status == 404 && psnErr(t, body).Code != 2240525 {
				t.Errorf("%s: %s", p, body)
			}
		}
	}
}

func TestTrophyGroupsAndTrophies(t *testing.T) {
	c := serve(t, Config{RateLimit: -1})
	u := c.sim.Users()[0]
	tok := c.login(u.NPSSO)
	x := findPlayed(t, c.sim, u.AccountID, func(x *userTitle) bool {
		return len(x.t.groups) > 1 && x.progress > 0 && x.progress < 100
	})
	tt := x.t
	q := "?npServiceName=" + tt.service
	base := "/api/trophy/v1/npCommunicationIds/" + tt.npCommID + "/trophyGroups"
	mine := "/api/trophy/v1/users/me/npCommunicationIds/" + tt.npCommID + "/trophyGroups"

	var groups titleGroupsJSON
	c.getOK(base+q, tok.AccessToken, &groups)
	var sum trophyCounts
	for _, g := range groups.TrophyGroups {
		sum.plus(g.DefinedTrophies)
		var list titleTrophiesJSON
		c.getOK(base+"/"+g.TrophyGroupID+"/trophies"+q, tok.AccessToken, &list)
		var inGroup trophyCounts
		for _, tr := range list.Trophies {
			if tr.TrophyGroupID != g.TrophyGroupID {
				t.Fatalf("group %s lists trophy %d of group %s", g.TrophyGroupID, tr.TrophyID, tr.TrophyGroupID)
			}
			inGroup.add(map[string]trophyType{"bronze": bronze, "silver": silver, "gold": gold, "platinum": platinum}[tr.TrophyType])
		}
		if inGroup != g.DefinedTrophies || list.TotalItemCount != len(list.Trophies) {
			t.Errorf("group %s: trophies add up to %+v, defined %+v", g.TrophyGroupID, inGroup, g.DefinedTrophies)
		}
	}
	if sum != groups.DefinedTrophies || len(groups.TrophyGroups) != len(tt.groups) || groups.TrophyGroups[0].TrophyGroupID != "default" {
		t.Errorf("groups %+v", groups)
	}
	if resp, _ := c.get(base+"/999/trophies"+q, tok.AccessToken); resp.StatusCode != 404 {
		t.Errorf("unknown group: %d", resp.StatusCode)
	}

	// The user's view agrees with trophyTitles.
	var earnings userGroupsJSON
	c.getOK(mine+q, tok.AccessToken, &earnings)
	var all userTrophiesJSON
	c.getOK(mine+"/all/trophies"+q, tok.AccessToken, &all)
	var earned trophyCounts
	var rarest float64 = 101
	for _, tr := range all.Trophies {
		if tr.Earned != (tr.EarnedDateTime != "") {
			t.Fatalf("trophy %d: earned %v with date %q", tr.TrophyID, tr.Earned, tr.EarnedDateTime)
		}
		if tr.Earned {
			earned.add(map[string]trophyType{"bronze": bronze, "silver": silver, "gold": gold, "platinum": platinum}[tr.TrophyType])
			var r float64
			fmt.Sscan(tr.TrophyEarnedRate, &r)
			rarest = min(rarest, r)
		}
	}
	if earned != x.earned || earnings.EarnedTrophies != x.earned || earnings.Progress != x.progress {
		t.Errorf("earned: trophies %+v, groups %+v, title %+v", earned, earnings.EarnedTrophies, x.earned)
	}
	var byGroups trophyCounts
	for _, g := range earnings.TrophyGroups {
		byGroups.plus(g.EarnedTrophies)
	}
	if byGroups != x.earned {
		t.Errorf("group earnings add up to %+v, want %+v", byGroups, x.earned)
	}
	if len(all.RarestTrophies) == 0 {
		t.Fatal("no rarestTrophies for a title with earned trophies")
	}
	for _, r := range all.RarestTrophies {
		var v float64
		fmt.Sscan(r.TrophyEarnedRate, &v)
		if !r.Earned || v != rarest {
			t.Errorf("rarest %+v, want an earned trophy at rate %v", r, rarest)
		}
	}
	// Paging as recorded: limit 10 gives nextOffset 10.
	var page userTrophiesJSON
	c.getOK(mine+"/all/trophies"+q+"&limit=10", tok.AccessToken, &page)
	if len(page.Trophies) != min(10, len(tt.types)) || (len(tt.types) > 10 && (page.NextOffset == nil || *page.NextOffset != 10)) {
		t.Errorf("limit=10: %d trophies, next %v", len(page.Trophies), page.NextOffset)
	}

	// A title the user never played is PSN's 404 on the user routes.
	played := c.sim.userByAccount(u.AccountID).trophies().byComm
	for _, other := range c.sim.catalog().titles {
		if played[other.npCommID] == nil {
			p := "/api/trophy/v1/users/me/npCommunicationIds/" + other.npCommID + "/trophyGroups?npServiceName=" + other.service
			if resp, body := c.get(p, tok.AccessToken); resp.StatusCode != 404 || psnErr(t, body).Code != 2240525 {
				t.Errorf("unplayed title: %d %s", resp.StatusCode, body)
			}
			break
		}
	}
}

func TestPS5ProgressTrophies(t *testing.T) {
	c := serve(t, Config{})
	u := c.sim.Users()[0]
	tok := c.login(u.NPSSO)
	x := findPlayed(t, c.sim, u.AccountID, func(x *userTitle) bool {
		for id, tg := range x.t.targets {
			if tg > 0 && x.earnedAt[id] == 0 && x.progressed[id] > 0 {
				return true
			}
		}
		return false
	})
	var list userTrophiesJSON
	c.getOK("/api/trophy/v1/users/me/npCommunicationIds/"+x.t.npCommID+"/trophyGroups/all/trophies", tok.AccessToken, &list)
	seen := 0
	for _, tr := range list.Trophies {
		if tr.TrophyProgressTargetValue == "" {
			if tr.Progress != "" || tr.ProgressRate != nil {
				t.Errorf("trophy %d: progress without a target", tr.TrophyID)
			}
			continue
		}
		var target, progress int
		fmt.Sscan(tr.TrophyProgressTargetValue, &target)
		fmt.Sscan(tr.Progress, &progress)
		if tr.ProgressRate == nil || *tr.ProgressRate != progress*100/target || (tr.Earned && progress != target) {
			t.Errorf("trophy %d: progress %s of %s, rate %v, earned %v", tr.TrophyID, tr.Progress, tr.TrophyProgressTargetValue, tr.ProgressRate, tr.Earned)
		}
		if progress > 0 && !tr.Earned {
			seen++
		}
	}
	if seen == 0 {
		t.Error("no trophy in progress listed")
	}
}

func TestTrophyPrivacy(t *testing.T) {
	c := serve(t, Config{Users: 4})
	users := c.sim.Users()
	private := users[3] // index 3: private
	viewer := c.login(users[0].NPSSO)
	self := c.login(private.NPSSO)
	x := c.sim.userByAccount(private.AccountID).trophies().titles[0]
	q := "?npServiceName=" + x.t.service
	for _, p := range []string{
		"/trophySummary",
		"/trophyTitles",
		"/npCommunicationIds/" + x.t.npCommID + "/trophyGroups" + q,
		"/npCommunicationIds/" + x.t.npCommID + "/trophyGroups/default/trophies" + q,
		"/titles/trophyTitles?npTitleIds=" + x.t.npTitleIDs[0],
	} {
		resp, body := c.get("/api/trophy/v1/users/"+private.AccountID+p, viewer.AccessToken)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s as a stranger: %d, want 403", p, resp.StatusCode)
			continue
		}
		if e := psnErr(t, body); e.Code != 2240526 || e.Message != "Not permitted by access control" {
			t.Errorf("%s: %s", p, body)
		}
		if resp, _ := c.get("/api/trophy/v1/users/"+private.AccountID+p, self.AccessToken); resp.StatusCode != 200 {
			t.Errorf("%s as the owner: %d", p, resp.StatusCode)
		}
	}
	// A public user's trophies are visible to anyone.
	if resp, _ := c.get("/api/trophy/v1/users/"+users[1].AccountID+"/trophyTitles", viewer.AccessToken); resp.StatusCode != 200 {
		t.Errorf("public user: %d", resp.StatusCode)
	}
}

func TestTrophyTitlesByTitleID(t *testing.T) {
	c := serve(t, Config{})
	u := c.sim.Users()[0]
	tok := c.login(u.NPSSO)
	ut := c.sim.userByAccount(u.AccountID).trophies()
	a, b := ut.titles[0], ut.titles[1]
	var unplayed *title
	for _, t := range c.sim.catalog().titles {
		if ut.byComm[t.npCommID] == nil {
			unplayed = t
			break
		}
	}
	p := "/api/trophy/v1/users/me/titles/trophyTitles?npTitleIds=" + a.t.npTitleIDs[0] + "," + unplayed.npTitleIDs[0] + "," + b.t.npTitleIDs[0] + ","
	var got byTitleJSON
	c.getOK(p+"&includeNotEarnedTrophyIds=true", tok.AccessToken, &got)
	if len(got.Titles) != 3 || got.Titles[0].NpTitleID != a.t.npTitleIDs[0] || len(got.Titles[1].TrophyTitles) != 0 ||
		len(got.Titles[0].TrophyTitles) != 1 || len(got.Titles[2].TrophyTitles) != 1 {
		t.Fatalf("%+v", got)
	}
	tt := got.Titles[0].TrophyTitles[0]
	e := tt.EarnedTrophies
	if tt.NpCommunicationID != a.t.npCommID || tt.NotEarnedTrophyIDs == nil ||
		len(*tt.NotEarnedTrophyIDs) != len(a.t.types)-(e.Bronze+e.Silver+e.Gold+e.Platinum) {
		t.Errorf("%+v", tt)
	}
	var plain byTitleJSON
	c.getOK(p, tok.AccessToken, &plain)
	if plain.Titles[0].TrophyTitles[0].NotEarnedTrophyIDs != nil {
		t.Error("notEarnedTrophyIds without includeNotEarnedTrophyIds")
	}

	resp, body := c.get("/api/trophy/v1/users/me/titles/trophyTitles?npTitleIds=SSSA01325_00,", tok.AccessToken)
	if resp.StatusCode != 404 || psnErr(t, body).Message != "Resource not found (npTitleId='SSSA01325_00')" {
		t.Errorf("unknown title id: %d %s", resp.StatusCode, body)
	}
	six := a.t.npTitleIDs[0]
	for range 5 {
		six += "," + a.t.npTitleIDs[0]
	}
	for _, ids := range []string{"", six} {
		if resp, _ := c.get("/api/trophy/v1/users/me/titles/trophyTitles?npTitleIds="+ids, tok.AccessToken); resp.StatusCode != 400 {
			t.Errorf("npTitleIds=%q: %d, want 400", ids, resp.StatusCode)
		}
	}
}
