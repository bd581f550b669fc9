package psntest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

const (
	u1 = "/api/userProfile/v1/internal/users/"
	u2 = "/api/userProfile/v2/internal/users/"
)

func TestProfiles(t *testing.T) {
	c := serve(t, Config{})
	users := c.sim.Users()
	tok := c.login(users[0].NPSSO)
	var self, other map[string]any
	c.getOK(u1+users[0].AccountID+"/profiles", tok.AccessToken, &self)
	c.getOK(u1+users[1].AccountID+"/profiles", tok.AccessToken, &other)
	if self["onlineId"] != users[0].OnlineID || self["isMe"] != true || self["personalDetail"] == nil {
		t.Errorf("own profile %v", self)
	}
	if other["onlineId"] != users[1].OnlineID || other["isMe"] != false || other["personalDetail"] != nil {
		t.Errorf("other profile %v", other)
	}
	for _, tc := range []struct {
		acc    string
		status int
		code   int
	}{
		{"me", 400, 2281473}, // the protocol notes: not "me" on /profiles
		{"0000000000000000000", 400, 2281473},
		{"VaultTec-Co", 400, 2281473},
		{"1234567890123456789", 404, 2281604},
	} {
		resp, body := c.get(u1+tc.acc+"/profiles", tok.AccessToken)
		if resp.StatusCode != tc.status || psnErr(t, body).Code != tc.code {
			t.Errorf("%s: %d %s", tc.acc, resp.StatusCode, body)
		}
	}
}

func TestProfile2(t *testing.T) {
	c := serve(t, Config{Users: 4})
	users := c.sim.Users()
	tok := c.login(users[0].NPSSO)
	get := func(online, fields string) map[string]any {
		var v struct{ Profile map[string]any }
		c.getOK("/userProfile/v1/users/"+online+"/profile2?fields="+fields, tok.AccessToken, &v)
		return v.Profile
	}
	short := get(strings.ToUpper(users[1].OnlineID), "accountId,onlineId,currentOnlineId")
	if len(short) != 2 || short["onlineId"] != users[1].OnlineID || short["accountId"] != users[1].AccountID {
		t.Errorf("accountId,onlineId,currentOnlineId: %v", short)
	}
	full := "npId,onlineId,accountId,avatarUrls,plus,aboutMe,languagesUsed,trophySummary(@default,level,progress,earnedTrophies),isOfficiallyVerified," +
		"personalDetail(@default,profilePictureUrls),personalDetailSharing,personalDetailSharingRequestMessageFlag,primaryOnlineStatus," +
		"presences(@default,@titleInfo,platform,lastOnlineDate,hasBroadcastData),requestMessageFlag,blocking,friendRelation,following,consoleAvailability"
	for i, want := range []struct {
		relation       string
		presence, pers bool
	}{
		{"no", true, true},          // self
		{"friend", true, false},     // user 1 is user 0's friend
		{"requested", false, false}, // user 2 asked user 0
	} {
		p := get(users[i].OnlineID, full)
		if i > 0 && p["friendRelation"] != want.relation {
			t.Errorf("user %d: friendRelation %v, want %s", i, p["friendRelation"], want.relation)
		}
		if (p["presences"] != nil) != want.presence || (p["personalDetail"] != nil) != want.pers || p["trophySummary"] == nil {
			t.Errorf("user %d: %v", i, p)
		}
		npID, _ := p["npId"].(string)
		if !strings.HasPrefix(decodeB64(t, npID), users[i].OnlineID+"@") {
			t.Errorf("npId %q", npID)
		}
	}
	if p := get(users[3].OnlineID, full); p["trophySummary"] != nil {
		t.Errorf("a private user's trophy summary in profile2: %v", p)
	}
	resp, body := c.get("/userProfile/v1/users/nobody_here/profile2?fields=accountId", tok.AccessToken)
	if resp.StatusCode != 404 || string(body) != `{"error":{"code":2105356,"message":"User not found (user: 'nobody_here')"}}` {
		t.Errorf("unknown online id: %d %s", resp.StatusCode, body)
	}
	if got := topLevelFields("a,b(@default,c(d,e)),f"); len(got) != 3 || !got["a"] || !got["b"] || !got["f"] {
		t.Errorf("topLevelFields: %v", got)
	}
}

func decodeB64(t *testing.T, s string) string {
	t.Helper()
	var b []byte
	if err := json.Unmarshal([]byte(`"`+s+`"`), &b); err != nil {
		t.Fatalf("not base64: %q", s)
	}
	return string(b)
}

type friendsPage struct {
	Friends        []string
	TotalItemCount int
	NextOffset     *int
}

func TestFriendsAndRequests(t *testing.T) {
	c := serve(t, Config{Users: 4})
	users := c.sim.Users()
	me := c.login(users[0].NPSSO)
	two := c.login(users[2].NPSSO)
	friendsOf := func(acc, tok string) []string {
		var p friendsPage
		c.getOK(u1+acc+"/friends?limit=1000", tok, &p)
		if p.TotalItemCount != len(p.Friends) {
			t.Fatalf("totalItemCount %d for %d friends", p.TotalItemCount, len(p.Friends))
		}
		return p.Friends
	}
	mine := friendsOf("me", me.AccessToken)
	if !slices.Contains(mine, users[1].AccountID) || slices.Contains(mine, users[2].AccountID) {
		t.Fatalf("user 0's friends %v: want user 1, not user 2", mine)
	}
	if !slices.Contains(friendsOf(users[1].AccountID, me.AccessToken), users[0].AccountID) {
		t.Error("friendship is not mutual")
	}
	var reqs struct {
		ReceivedRequests []map[string]any
		TotalItemCount   int
	}
	c.getOK(u1+"me/friends/receivedRequests", me.AccessToken, &reqs)
	if reqs.TotalItemCount == 0 || !slices.ContainsFunc(reqs.ReceivedRequests, func(m map[string]any) bool {
		return m["accountId"] == users[2].AccountID && m["relation"] == "requested"
	}) {
		t.Fatalf("user 2's request missing: %+v", reqs)
	}
	summary := func(acc string) map[string]any {
		var s map[string]any
		c.getOK(u1+"me/friends/"+acc+"/summary", me.AccessToken, &s)
		return s
	}
	if s := summary(users[2].AccountID); s["friendRelation"] != "requested" {
		t.Errorf("summary before accepting: %v", s)
	}
	// Accept: 204, then friends both ways and the request is gone.
	if resp, body := c.do("PUT", u1+"me/friends/"+users[2].AccountID, http.Header{"Authorization": {"Bearer " + me.AccessToken}}, ""); resp.StatusCode != 204 {
		t.Fatalf("accept: %d %s", resp.StatusCode, body)
	}
	if !slices.Contains(friendsOf("me", me.AccessToken), users[2].AccountID) || !slices.Contains(friendsOf("me", two.AccessToken), users[0].AccountID) {
		t.Error("not friends after accepting")
	}
	if s := summary(users[2].AccountID); s["friendRelation"] != "friend" {
		t.Errorf("summary after accepting: %v", s)
	}
	c.getOK(u1+"me/friends/receivedRequests", me.AccessToken, &reqs)
	for _, r := range reqs.ReceivedRequests {
		if r["accountId"] == users[2].AccountID {
			t.Error("accepted request still listed")
		}
	}
	bearer := http.Header{"Authorization": {"Bearer " + me.AccessToken}}
	if resp, _ := c.do("PUT", u1+"me/friends/"+users[2].AccountID, bearer, ""); resp.StatusCode != 404 {
		t.Errorf("accepting twice: %d, want 404", resp.StatusCode)
	}
	// Remove: 204, then not friends; removing again is 404.
	if resp, _ := c.do("DELETE", u1+"me/friends/"+users[2].AccountID, bearer, ""); resp.StatusCode != 204 {
		t.Fatalf("remove: %d", resp.StatusCode)
	}
	if slices.Contains(friendsOf("me", me.AccessToken), users[2].AccountID) {
		t.Error("still friends after removing")
	}
	if resp, _ := c.do("DELETE", u1+"me/friends/"+users[2].AccountID, bearer, ""); resp.StatusCode != 404 {
		t.Errorf("removing twice: %d, want 404", resp.StatusCode)
	}
	// Someone else's lists are not mine to change or read.
	if resp, _ := c.do("DELETE", u1+users[1].AccountID+"/friends/"+users[0].AccountID, bearer, ""); resp.StatusCode != 403 {
		t.Errorf("changing another user's friends: %d, want 403", resp.StatusCode)
	}
	// A private user's friends are forbidden; a bad limit is the recorded 400.
	resp, body := c.get(u1+users[3].AccountID+"/friends?limit=1000", me.AccessToken)
	if resp.StatusCode != 403 || psnErr(t, body).Code != 2281486 {
		t.Errorf("private user's friends: %d %s", resp.StatusCode, body)
	}
	resp, body = c.get(u1+users[1].AccountID+"/friends?limit=-1", me.AccessToken)
	if e := psnErr(t, body); resp.StatusCode != 400 || e.Code != 2281473 || e.Message != "Bad Request (query: limit)" {
		t.Errorf("limit=-1: %d %s", resp.StatusCode, body)
	}
	var blocks struct{ BlockList []string }
	c.getOK(u1+"me/blocks", me.AccessToken, &blocks)
	if blocks.BlockList == nil {
		t.Error("blockList missing")
	}
	if resp, _ := c.get(u1+users[1].AccountID+"/blocks", me.AccessToken); resp.StatusCode != 403 {
		t.Errorf("another user's blocks: %d", resp.StatusCode)
	}
	var atp map[string]any
	c.getOK(u1+"me/friends/subscribing/availableToPlay", me.AccessToken, &atp)
	if _, ok := atp["settings"]; !ok {
		t.Errorf("availableToPlay %v", atp)
	}
}

func TestPresence(t *testing.T) {
	c := serve(t, Config{Users: 12})
	users := c.sim.Users()
	tok := c.login(users[0].NPSSO)
	kinds := map[string]bool{}
	var ids []string
	for i, u := range users {
		ids = append(ids, u.AccountID)
		resp, body := c.get(u2+u.AccountID+"/basicPresences?type=primary&platforms=PS4,PS5,MOBILE_APP,PSPC&withOwnGameTitleInfo=true", tok.AccessToken)
		if i%5 == 3 { // private
			if resp.StatusCode != 403 || psnErr(t, body).Code != 2281486 {
				t.Errorf("private user %d: %d %s", i, resp.StatusCode, body)
			}
			continue
		}
		_, v1 := c.get(u1+u.AccountID+"/basicPresences?type=primary", tok.AccessToken)
		if string(v1) != string(body) {
			t.Errorf("v1 and v2 differ: %s / %s", v1, body)
		}
		var p struct {
			BasicPresence struct {
				Availability        string
				PrimaryPlatformInfo struct{ OnlineStatus, Platform string }
				GameTitleInfoList   []map[string]string
			}
		}
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatal(err)
		}
		b := p.BasicPresence
		kinds[b.Availability+"/"+b.PrimaryPlatformInfo.OnlineStatus] = true
		if (b.Availability == "availableToPlay") != (len(b.GameTitleInfoList) == 1) {
			t.Errorf("user %d: %s", i, body)
		}
	}
	for _, k := range []string{"unavailable/offline", "availableToPlay/online", "availableToCommunicate/online"} {
		if !kinds[k] {
			t.Errorf("no %s presence among %d users (%v)", k, len(users), kinds)
		}
	}
	var batch struct{ BasicPresences []map[string]any }
	c.getOK(u2+"/basicPresences?type=primary&accountIds="+strings.Join(append(ids, "1234567890123456789"), ","), tok.AccessToken, &batch)
	if len(batch.BasicPresences) != len(users)-2 { // two private users, one unknown id left out
		t.Errorf("batch: %d presences for %d visible users", len(batch.BasicPresences), len(users)-2)
	}
	if resp, _ := c.get(u2+"basicPresences?accountIds=1", tok.AccessToken); resp.StatusCode != 400 {
		t.Errorf("batch of unknown ids: %d", resp.StatusCode)
	}
}

func TestShareLink(t *testing.T) {
	c := serve(t, Config{})
	u := c.sim.Users()[1]
	tok := c.login(c.sim.Users()[0].NPSSO)
	var v map[string]string
	c.getOK("/api/cpss/v1/share/profile/"+u.AccountID, tok.AccessToken, &v)
	if v["shareUrl"] != "https://profile.playstation.com/"+u.OnlineID || !strings.Contains(v["shareImageUrl"], "profile-"+u.OnlineID+"?Expires=") {
		t.Errorf("%v", v)
	}
}
