package psntest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

const lounge = "/api/gamingLoungeGroups/v1"

func TestGroups(t *testing.T) {
	c := serve(t, Config{Users: 40, RateLimit: -1})
	users := c.sim.Users()
	tok := c.login(users[0].NPSSO)
	auth := func(tok string) http.Header {
		return http.Header{"Authorization": {"Bearer " + tok}, "Content-Type": {"application/json"}}
	}
	me := auth(tok.AccessToken)
	create := func(ids ...string) (int, map[string]any) {
		var inv []string
		for _, id := range ids {
			inv = append(inv, `{"accountId":"`+id+`"}`)
		}
		resp, body := c.do("POST", lounge+"/groups", me, `{"invitees":[`+strings.Join(inv, ",")+`]}`)
		var out map[string]any
		_ = json.Unmarshal(body, &out)
		return resp.StatusCode, out
	}

	// The seeded direct messages between users 0 and 1 come back for one invitee.
	var list struct {
		Groups []struct {
			GroupID   string
			GroupType int
			Members   []map[string]string
		}
	}
	c.getOK(lounge+"/members/me/groups?includeFields=members&limit=10&offset=0", tok.AccessToken, &list)
	if len(list.Groups) != 2 {
		t.Fatalf("seeded groups: %+v", list)
	}
	var dm string
	for _, g := range list.Groups {
		if g.GroupType == 0 {
			dm = g.GroupID
		}
	}
	status, out := create(users[1].AccountID)
	if status != 200 || out["groupId"] != dm || out["hasAllAccountInvited"] != true || dig(out, "mainThread", "threadId") != dm {
		t.Fatalf("DM with user 1: %d %v (seeded %s)", status, out, dm)
	}

	// A blocked invitee is left out; only blocked invitees: 403 2286592.
	var blocked, free string
	for _, u := range users[3:] {
		x, y := c.sim.userByAccount(u.AccountID), c.sim.userByAccount(users[0].AccountID)
		if c.sim.blocks(x, y) || c.sim.blocks(y, x) {
			blocked = u.AccountID
		} else if free == "" {
			free = u.AccountID
		}
	}
	if blocked == "" {
		t.Fatal("no blocked pair among 40 users")
	}
	resp, body := c.do("POST", lounge+"/groups", me, `{"invitees":[{"accountId":"`+blocked+`"}]}`)
	if resp.StatusCode != 403 || psnErr(t, body).Code != 2286592 {
		t.Errorf("only a blocked invitee: %d %s", resp.StatusCode, body)
	}
	status, out = create(free, blocked)
	if status != 200 || out["hasAllAccountInvited"] != false {
		t.Fatalf("group with a blocked invitee: %d %v", status, out)
	}
	grp := out["groupId"].(string)

	// Rename: a group yes, a DM no.
	if resp, _ := c.do("PATCH", lounge+"/groups/"+grp, me, `{"groupName":{"value":"Testing API"}}`); resp.StatusCode != 204 {
		t.Errorf("rename group: %d", resp.StatusCode)
	}
	if resp, body := c.do("PATCH", lounge+"/groups/"+dm, me, `{"groupName":{"value":"x"}}`); resp.StatusCode != 400 || psnErr(t, body).Code != 2285696 {
		t.Errorf("rename DM: %d %s", resp.StatusCode, body)
	}
	var info map[string]any
	c.getOK(lounge+"/members/me/groups/"+grp+"?includeFields=groupName,members,mainThread", tok.AccessToken, &info)
	if dig(info, "groupName", "value") != "Testing API" || len(info["members"].([]any)) != 2 {
		t.Errorf("group info %v", info)
	}

	// Messages: newest first, limit honoured.
	for _, text := range []string{"one", "two", "three"} {
		resp, body := c.do("POST", lounge+"/groups/"+grp+"/threads/"+grp+"/messages", me, `{"messageType":1,"body":"`+text+`"}`)
		if resp.StatusCode != 201 {
			t.Fatalf("send: %d %s", resp.StatusCode, body)
		}
	}
	var msgs struct {
		Messages         []map[string]any
		ReachedEndOfPage bool
		MessageCount     int
	}
	c.getOK(lounge+"/members/me/groups/"+grp+"/threads/"+grp+"/messages?limit=2", tok.AccessToken, &msgs)
	if len(msgs.Messages) != 2 || msgs.Messages[0]["body"] != "three" || msgs.Messages[1]["body"] != "two" || msgs.ReachedEndOfPage {
		t.Errorf("messages: %+v", msgs)
	}
	c.getOK(lounge+"/members/me/groups/"+grp+"?includeFields=mainThread", tok.AccessToken, &info)
	if dig(info, "mainThread", "latestMessage", "body") != "three" {
		t.Errorf("latest message %v", info)
	}
	for _, bad := range []string{`{"messageType":1,"body":""}`, `{"messageType":1,"body":"` + strings.Repeat("x", 2001) + `"}`, `nope`} {
		if resp, _ := c.do("POST", lounge+"/groups/"+grp+"/threads/"+grp+"/messages", me, bad); resp.StatusCode != 400 {
			t.Errorf("bad message %.20s: %d", bad, resp.StatusCode)
		}
	}

	// Kick a non-member: 404 as recorded; kick a member and leave: 204.
	if resp, body := c.do("DELETE", lounge+"/groups/"+grp+"/members/"+blocked, me, ""); resp.StatusCode != 404 || psnErr(t, body).Code != 2285581 {
		t.Errorf("kick non-member: %d %s", resp.StatusCode, body)
	}
	if resp, _ := c.do("DELETE", lounge+"/groups/"+grp+"/members/"+free, me, ""); resp.StatusCode != 204 {
		t.Errorf("kick: %d", resp.StatusCode)
	}
	if resp, _ := c.do("DELETE", lounge+"/groups/"+grp+"/members/me", me, ""); resp.StatusCode != 204 {
		t.Errorf("leave: %d", resp.StatusCode)
	}
	resp, body = c.get(lounge+"/members/me/groups/"+grp+"?includeFields=members", tok.AccessToken)
	if resp.StatusCode != 404 || psnErr(t, body).Message != "Resource not found (groupId='"+grp+"')" {
		t.Errorf("left group: %d %s", resp.StatusCode, body)
	}
	// Someone else's group is invisible.
	other := c.login(users[5].NPSSO)
	if resp, _ := c.get(lounge+"/members/me/groups/"+dm+"?includeFields=members", other.AccessToken); resp.StatusCode != 404 {
		t.Errorf("a stranger reads a DM: %d", resp.StatusCode)
	}
}
