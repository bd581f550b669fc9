package psntest

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestAdminUsers(t *testing.T) {
	c := serve(t, Config{})
	var list struct{ Users []User }
	resp, body := c.do("GET", "/_sim/users", nil, "")
	if resp.StatusCode != 200 || json.Unmarshal(body, &list) != nil || !reflect.DeepEqual(list.Users, c.sim.Users()) {
		t.Fatalf("GET /_sim/users: %d %s", resp.StatusCode, body)
	}

	resp, body = c.do("POST", "/_sim/users", nil, "")
	var added User
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(body, &added) != nil || len(added.NPSSO) != 64 {
		t.Fatalf("POST /_sim/users: %d %s", resp.StatusCode, body)
	}
	if all := c.sim.Users(); len(all) != 4 || all[3] != added {
		t.Fatalf("the new user is not listed: %v", all)
	}
	c.login(added.NPSSO)

	resp, body = c.do("POST", "/_sim/users/"+added.OnlineID+"/npsso", nil, "")
	var renewed User
	if resp.StatusCode != 200 || json.Unmarshal(body, &renewed) != nil || renewed.NPSSO == added.NPSSO || renewed.OnlineID != added.OnlineID {
		t.Fatalf("POST npsso: %d %s", resp.StatusCode, body)
	}
	if loc := c.authorizeWith(authorizeQuery(), added.NPSSO).Header.Get("Location"); !strings.Contains(loc, "login_required") {
		t.Fatal("old NPSSO still works")
	}
	tok := c.login(renewed.NPSSO)

	if resp, _ := c.do("DELETE", "/_sim/users/"+added.OnlineID+"/refresh-tokens", nil, ""); resp.StatusCode != 204 {
		t.Fatalf("DELETE refresh-tokens: %d", resp.StatusCode)
	}
	if resp, _ := c.tokenPost(refreshForm(tok.RefreshToken)); resp.StatusCode != 400 {
		t.Fatalf("refresh after DELETE refresh-tokens: %d", resp.StatusCode)
	}
	if resp, _ := c.do("DELETE", "/_sim/users/"+added.OnlineID+"/npsso", nil, ""); resp.StatusCode != 204 {
		t.Fatalf("DELETE npsso: %d", resp.StatusCode)
	}
	if loc := c.authorizeWith(authorizeQuery(), renewed.NPSSO).Header.Get("Location"); !strings.Contains(loc, "login_required") {
		t.Fatal("deleted NPSSO still works")
	}

	for _, m := range []string{"POST /_sim/users/nobody/npsso", "DELETE /_sim/users/nobody/npsso", "DELETE /_sim/users/nobody/refresh-tokens",
		"GET /_sim/teapot"} {
		method, path, _ := strings.Cut(m, " ")
		if resp, body := c.do(method, path, nil, ""); resp.StatusCode != 404 || !json.Valid(body) {
			t.Errorf("%s: %d %s", m, resp.StatusCode, body)
		}
	}
	if got := c.sim.Stats().Requests; got == 0 {
		t.Error("no PSN requests counted")
	}
}

func TestAdminStats(t *testing.T) {
	c := serve(t, Config{})
	tok := c.login(c.sim.Users()[0].NPSSO)
	c.refresh(tok.RefreshToken)
	c.tokenPost(refreshForm("nope"))
	c.authorizeWith(authorizeQuery(), "nope")
	resp, body := c.do("GET", "/_sim/stats", nil, "")
	if resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
	want := `{"grants":{"authorization_code":1,"refresh_token":1},"errors":{"invalid_grant":1,"login_required":1},` +
		`"rateLimited":0,"requests":5,"concurrentRefreshMax":1}`
	if string(body) != want {
		t.Fatalf("stats\n got %s\nwant %s", body, want)
	}
}

func TestAdminClock(t *testing.T) {
	c := serve(t, Config{})
	tok := c.login(c.sim.Users()[0].NPSSO)
	before := c.sim.Now()
	resp, body := c.do("POST", "/_sim/clock", nil, `{"advance":"65m"}`)
	var got struct{ Now string }
	if resp.StatusCode != 200 || json.Unmarshal(body, &got) != nil {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	now, err := time.Parse(time.RFC3339, got.Now)
	if err != nil || now.Before(before.Add(65*time.Minute).Truncate(time.Second)) {
		t.Fatalf("now %q after advancing 65m from %v", got.Now, before)
	}
	if resp, _ := c.get("/api/v1/devices/accounts/me", tok.AccessToken); resp.StatusCode != 401 {
		t.Fatalf("access token after 65m: %d, want 401", resp.StatusCode)
	}
	c.refresh(tok.RefreshToken)
	for _, bad := range []string{`{"advance":"-5m"}`, `{"advance":"soon"}`, `not json`} {
		if resp, _ := c.do("POST", "/_sim/clock", nil, bad); resp.StatusCode != 400 {
			t.Errorf("%s: %d, want 400", bad, resp.StatusCode)
		}
	}
	if resp, _ := c.do("GET", "/_sim/clock", nil, ""); resp.StatusCode != 200 {
		t.Errorf("GET /_sim/clock: %d", resp.StatusCode)
	}
	c.sim.Advance(-time.Hour) // ignored: the offset only grows
	if c.sim.Now().Before(now) {
		t.Error("the clock went back")
	}
}

func TestStartupLine(t *testing.T) {
	sim := New(Config{Users: 2})
	line := sim.StartupLine("http://127.0.0.1:8787")
	if !strings.HasSuffix(string(line), "}\n") || strings.Count(string(line), "\n") != 1 {
		t.Fatalf("not one line: %q", line)
	}
	var v struct {
		URL   string `json:"url"`
		Users []User `json:"users"`
	}
	if err := json.Unmarshal(line, &v); err != nil {
		t.Fatal(err)
	}
	if v.URL != "http://127.0.0.1:8787" || !reflect.DeepEqual(v.Users, sim.Users()) {
		t.Fatalf("%s", line)
	}
	u := v.Users[0]
	want := `{"url":"http://127.0.0.1:8787","users":[{"onlineId":"` + u.OnlineID + `","accountId":"` + u.AccountID + `","npsso":"` + u.NPSSO + `"},`
	if !strings.HasPrefix(string(line), want) {
		t.Fatalf("%s\nwant prefix %s", line, want)
	}
}

func TestDeterministicWorld(t *testing.T) {
	titles := func(seed int64) (users []User, bodies []string) {
		c := inMemory(t, Config{Seed: seed})
		c.sim.AddUser()
		for _, u := range c.sim.Users() {
			tok := c.login(u.NPSSO)
			for _, p := range []string{"/api/trophy/v1/users/me/trophySummary", "/api/trophy/v1/users/me/trophyTitles?limit=800"} {
				_, body := c.get(p, tok.AccessToken)
				bodies = append(bodies, string(body))
			}
		}
		return c.sim.Users(), bodies
	}
	u1, b1 := titles(42)
	u2, b2 := titles(42)
	u3, b3 := titles(43)
	if !reflect.DeepEqual(u1, u2) || !reflect.DeepEqual(b1, b2) {
		t.Fatal("the same seed gave different users or data")
	}
	if reflect.DeepEqual(u1, u3) || reflect.DeepEqual(b1, b3) {
		t.Fatal("different seeds gave the same users or data")
	}
	// The n-th user is the same however the users came to be.
	if a, b := New(Config{Seed: 42, Users: 4}).Users(), u1; !reflect.DeepEqual(a, b) {
		t.Fatal("AddUser and Config.Users disagree")
	}
	// A default Config has seed 1 and 3 users with distinct ids.
	def := New(Config{}).Users()
	if !reflect.DeepEqual(def, New(Config{Seed: 1}).Users()) || len(def) != 3 {
		t.Fatal("defaults")
	}
	seen := map[string]bool{}
	for _, u := range New(Config{Users: 200}).Users() {
		if seen[u.OnlineID] || seen[u.AccountID] || len(u.OnlineID) < 3 || len(u.OnlineID) > 16 {
			t.Fatalf("user %v: duplicate or badly sized id", u)
		}
		seen[u.OnlineID], seen[u.AccountID] = true, true
	}
}
