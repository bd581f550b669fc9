package main

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseFlagsShortKeepsExplicitFlags(t *testing.T) {
	c, err := parseFlags([]string{"--short", "--store", "postgres", "--accounts", "50"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.accounts != 50 {
		t.Errorf("accounts = %d, want the explicit 50", c.accounts)
	}
	if c.duration != 20*time.Second || c.killAt != 8*time.Second || c.restartAfter != 3*time.Second {
		t.Errorf("short defaults not applied: duration %s kill-at %s restart-after %s", c.duration, c.killAt, c.restartAfter)
	}
	if c.reqTimeout != 20*time.Second || c.cliTimeout != 20*time.Second {
		t.Errorf("short: request-timeout %s cli-timeout %s, want 20s 20s", c.reqTimeout, c.cliTimeout)
	}
	if c.timeout != c.duration+c.settle+4*time.Minute {
		t.Errorf("timeout = %s, want duration+settle+4m", c.timeout)
	}
	d, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if d.accounts != 600 || d.replicas != 3 || d.duration != 150*time.Second || d.killAt != 60*time.Second || d.keepNPSSO || d.killMode != "quiet" {
		t.Errorf("defaults = %+v, want 600 accounts, 3 replicas, 150s, kill at 60s, no kept NPSSO", d)
	}
}

func TestParseFlagsRejectsBadValues(t *testing.T) {
	for _, args := range [][]string{
		{"--replicas", "0"},
		{"--accounts", "10000"},
		{"--kill-at", "200s"},
		{"--kill-replica", "3"},
		{"--access-ttl", "1s"},
		{"--rate", "0"},
		{"extra"},
		{"--no-such-flag"},
		{"--store", "mysql://h/db"},
		{"--kill-mode", "later"},
		{"--store", "postgres", "--pg-url", "postgres://h/db?schema=prod"},
	} {
		if _, err := parseFlags(args, io.Discard); !errors.Is(err, errUsage) {
			t.Errorf("parseFlags(%q) = %v, want a usage error", args, err)
		}
	}
}

func TestNewNamespaceIsolatesEachBackend(t *testing.T) {
	ns, err := newNamespace("postgres", "postgres://postgres:pw@127.0.0.1:5432/test?sslmode=disable", "", "/tmp/x", "ab12")
	if err != nil {
		t.Fatal(err)
	}
	if ns.url != "postgres://postgres:pw@127.0.0.1:5432/test?sslmode=disable&schema=soak_ab12" || ns.name != "soak_ab12" {
		t.Errorf("postgres: url %q name %q", ns.url, ns.name)
	}
	if strings.Contains(ns.display, "pw") {
		t.Errorf("display %q shows the password", ns.display)
	}
	ns, err = newNamespace("redis", "", "redis://127.0.0.1:6379/0", "/tmp/x", "ab12")
	if err != nil {
		t.Fatal(err)
	}
	if ns.url != "redis://127.0.0.1:6379/0?prefix=soak%3Aab12%3A" || ns.name != "soak:ab12:" {
		t.Errorf("redis: url %q name %q", ns.url, ns.name)
	}
	ns, err = newNamespace("sqlite", "", "", "/tmp/x", "ab12")
	if err != nil || ns.url != "sqlite:///tmp/x/soak.db" {
		t.Errorf("sqlite: %q, %v", ns.url, err)
	}
	ns, err = newNamespace("redis://127.0.0.1:6379/3", "", "", "/tmp/x", "ab12")
	if err != nil || ns.kind != "redis" || ns.url != "redis://127.0.0.1:6379/3?prefix=soak%3Aab12%3A" {
		t.Errorf("redis URL: %+v, %v", ns, err)
	}
	// A URL that already names a schema or prefix is refused: the harness
	// only ever removes what it made.
	for _, spec := range []string{"postgres://x@h/db?schema=prod", "redis://h:6379/0?prefix=psn:", "mysql://h/db", "sqlite:///x.db"} {
		if _, err := newNamespace(spec, "", "", "/tmp/x", "ab12"); !errors.Is(err, errUsage) {
			t.Errorf("newNamespace(%q) = %v, want a usage error", spec, err)
		}
	}
}

func TestClassifyToken(t *testing.T) {
	cases := []struct {
		status int
		body   string
		want   string
	}{
		{200, `{"accessToken":"x","expiry":"2026-01-01T00:00:00Z"}`, "ok"},
		{409, `{"error":{"code":"login_required","message":"m","secret":"refresh token"}}`, "409 login_required"},
		{504, `{"error":{"code":"timeout","message":"m"}}`, "504 timeout"},
		{502, `<html>bad gateway</html>`, "502"},
	}
	for _, c := range cases {
		if got := classifyToken(c.status, []byte(c.body)); got != c.want {
			t.Errorf("classifyToken(%d, %s) = %q, want %q", c.status, c.body, got, c.want)
		}
	}
}

func TestClassifyCheck(t *testing.T) {
	cases := []struct {
		status int
		body   string
		want   string
	}{
		{200, `{"accountId":"123"}`, checkOK},
		{200, `{"accountId":"456"}`, checkWrong},
		{200, `not json`, checkError},
		{401, `{"error":{"code":2241025,"message":"Invalid token"}}`, checkStale},
		{429, ``, checkRateLimited},
		{500, ``, checkError},
	}
	for _, c := range cases {
		if got := classifyCheck(c.status, []byte(c.body), "123"); got != c.want {
			t.Errorf("classifyCheck(%d, %s) = %q, want %q", c.status, c.body, got, c.want)
		}
	}
}

func TestStartupLines(t *testing.T) {
	s, err := parseSimLine(`{"url":"http://127.0.0.1:8787","users":[{"onlineId":"A","accountId":"1","npsso":"n"}]}` + "\n")
	if err != nil || s.URL != "http://127.0.0.1:8787" || len(s.Users) != 1 || s.Users[0].AccountID != "1" {
		t.Errorf("parseSimLine = %+v, %v", s, err)
	}
	if _, err := parseSimLine(`{"url":"http://example.com"}`); err == nil {
		t.Error("a non-loopback simulator URL was accepted")
	}
	u, err := parseURLLine(`{"url":"http://127.0.0.1:9000"}`)
	if err != nil || u != "http://127.0.0.1:9000" {
		t.Errorf("parseURLLine = %q, %v", u, err)
	}
	if _, err := parseURLLine("psn-vault: serving"); err == nil {
		t.Error("a non-JSON line was accepted")
	}
}

func TestScanLogCountsSavesAndFailures(t *testing.T) {
	log := `# soak: replica 1 life 1 starting at 2026-12-02T02:00:00Z on 127.0.0.1:0
time=2026-12-02T02:00:01Z level=INFO msg="vault: account logged in" account=acct0001 onlineId=X npssoKept=false
time=2026-12-02T02:00:02Z level=INFO msg="vault: token refreshed" account=acct0001 reason=refresh_token expiry=2026-12-02T02:00:07Z
time=2026-12-02T02:00:03Z level=INFO msg="vault: token refreshed" account=acct0002 reason=refresh_token expiry=2026-12-02T02:00:08Z
time=2026-12-02T02:00:04Z level=INFO msg="vault: token refreshed" account=acct0003 reason=npsso expiry=2026-12-02T02:00:09Z
time=2026-12-02T02:00:05Z level=WARN msg="vault: refresh failed" account=acct0004 err="psn: saving refreshed token: account \"acct0004\" at version 4: stored version is 6"
time=2026-12-02T02:00:06Z level=WARN msg="vault: refresh failed" account=acct0005 err="psn: saving refreshed token: account \"acct0005\" at version 7: stored version is 9"
time=2026-12-02T02:00:07Z level=ERROR msg="vault: login required: add the account again with a new NPSSO" account=acct0004 secret="refresh token" at=2026-12-02T02:00:07Z
# soak: replica 1 killed (SIGKILL) at 2026-12-02T02:00:08Z
time=2026-12-02T02:00:09Z level=INFO msg="vault: token refreshed" account=acct0001 reason=refresh_token expiry=2026-12-02T02:00:14Z
`
	c := scanLog(strings.NewReader(log))
	if c.SaveFailed != 2 {
		t.Errorf("SaveFailed = %d, want 2", c.SaveFailed)
	}
	if c.SavedRefresh != 3 || c.SavedNPSSO != 1 || c.RefreshFailed != 2 || c.LoginRequired != 1 || c.Warn != 2 || c.Error != 1 {
		t.Errorf("scanLog = saved %d npsso %d failed %d login %d warn %d error %d, want 3 1 2 1 2 1",
			c.SavedRefresh, c.SavedNPSSO, c.RefreshFailed, c.LoginRequired, c.Warn, c.Error)
	}
	kind := `WARN psn: saving refreshed token: account "acctN" at version N: stored version is N`
	if got := c.Kinds.get(kind); got != 2 {
		t.Errorf("kind %q counted %d times, want 2 (numbers folded); kinds %v", kind, got, c.Kinds.sorted())
	}
}

func TestLogField(t *testing.T) {
	line := `time=T level=WARN msg="a \"quoted\" msg" account=acct0001 err="x=y z" last=1`
	for key, want := range map[string]string{"level": "WARN", "msg": `a "quoted" msg`, "account": "acct0001", "err": "x=y z", "last": "1", "none": ""} {
		if got := logField(line, key); got != want {
			t.Errorf("logField(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestMetricSum(t *testing.T) {
	text := `# HELP psn_vault_refreshes_total new tokens saved
# TYPE psn_vault_refreshes_total counter
psn_vault_refreshes_total{reason="npsso"} 2
psn_vault_refreshes_total{reason="refresh_token"} 1234
psn_vault_refreshes_total_other 99
psn_vault_refresh_failures_total 5
`
	if got := metricSum(text, "psn_vault_refreshes_total", `reason="refresh_token"`); got != 1234 {
		t.Errorf("refresh_token = %v, want 1234", got)
	}
	if got := metricSum(text, "psn_vault_refreshes_total", ""); got != 1236 {
		t.Errorf("all reasons = %v, want 1236", got)
	}
	if got := metricSum(text, "psn_vault_refresh_failures_total", ""); got != 5 {
		t.Errorf("failures = %v, want 5", got)
	}
}

func TestLostAccounts(t *testing.T) {
	hs := []health{
		{Account: "acct0000", State: "ok", Refresh: "ok"},
		{Account: "acct0001", State: "login-required", Refresh: "dead"},
		{Account: "acct0002", State: "expiring", Refresh: "dead"},                        // dead refresh, access still valid
		{Account: "acct0003", State: "npsso-fallback", Refresh: "dead", NPSSOKept: true}, // the NPSSO heals it
	}
	got := lostAccounts(hs, 5)
	want := []string{"acct0001", "acct0002", "acct0004 (missing)"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("lostAccounts = %v, want %v", got, want)
	}
}

func TestStuckAccounts(t *testing.T) {
	now := time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC)
	hs := []health{
		{Account: "acct0000", State: "ok", Refresh: "ok", AccessExpiry: now.Add(3 * time.Second)},
		{Account: "acct0001", State: "ok", Refresh: "ok", AccessExpiry: now.Add(-40 * time.Second)}, // nobody refreshes it
		{Account: "acct0003", State: "ok", Refresh: "ok", AccessExpiry: now.Add(-3 * time.Second)},  // the next scheduler pass will
		{Account: "acct0002", State: "login-required", Refresh: "dead", AccessExpiry: now.Add(-time.Minute)},
	}
	if got := stuckAccounts(hs, now, 15*time.Second); len(got) != 1 || got[0] != "acct0001" {
		t.Errorf("stuckAccounts = %v, want [acct0001] (a lost account is not also stuck)", got)
	}
}

func TestResultLastLineAndVerdict(t *testing.T) {
	r := result{Lost: 2, InvalidGrant: 77, Failed: 87, Stale: 1, Grants: 100, Saves: 98, Stuck: 1,
		HookMissing: 3, HookBadSig: 4, HookDupes: 5, Hooks: 197, HookLeaked: 1}
	if got, want := r.lastLine(), "lost=2 invalid_grant=77 failed=87 stale=1 grants=100 saves=98 hook_missing=3 hook_bad_sig=4 hook_dupes=5 hooks=197"; got != want {
		t.Errorf("lastLine = %q, want %q", got, want)
	}
	if len(r.failing(false)) != 5 || len(r.failing(true)) != 9 {
		t.Errorf("failing = %v / strict %v, want 5 / 9 reasons", r.failing(false), r.failing(true))
	}
	ok := result{Failed: 3, Grants: 5, Saves: 4, HookDupes: 7, Hooks: 10}
	if why := ok.failing(false); len(why) != 0 {
		t.Errorf("without --strict only losses, invalid_grant and webhook misses fail (dupes never), got %v", why)
	}
}

func TestPercentile(t *testing.T) {
	var l latencies
	if l.percentile(99) != 0 {
		t.Error("empty percentile != 0")
	}
	for i := 1; i <= 100; i++ {
		l.add(time.Duration(i) * time.Millisecond)
	}
	if p := l.percentile(50); p != 50*time.Millisecond {
		t.Errorf("p50 = %s", p)
	}
	if p := l.percentile(99); p != 99*time.Millisecond {
		t.Errorf("p99 = %s", p)
	}
	if p := l.percentile(100); p != 100*time.Millisecond {
		t.Errorf("max = %s", p)
	}
}

func TestErrorKindFoldsNumbersAndLines(t *testing.T) {
	if got := errorKind("psn: lease held by host/123/ab12 until 2026\nmore"); got != "psn: lease held by host/N/abN until N" {
		t.Errorf("errorKind = %q", got)
	}
	if got := errorKind(strings.Repeat("x", 300)); len(got) > 150 {
		t.Errorf("errorKind kept %d bytes", len(got))
	}
}

// The proxy counts each process's token grants by their outcome and passes
// everything else through untouched.
func TestGrantProxyCountsByTag(t *testing.T) {
	sim := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != tokenPath {
			w.Write([]byte("data " + r.URL.Path))
			return
		}
		r.ParseForm()
		switch {
		case r.Form.Get("refresh_token") == "old":
			w.WriteHeader(400)
			w.Write([]byte(`{"error":"invalid_grant","error_description":"Invalid refresh token","error_code":4159}`))
		case r.Form.Get("grant_type") == "refresh_token", r.Form.Get("grant_type") == "authorization_code":
			w.Write([]byte(`{"access_token":"a"}`))
		default:
			w.WriteHeader(429)
		}
	}))
	defer sim.Close()
	p, err := newGrantProxy(sim.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	post := func(tag string, form url.Values) {
		resp, err := http.PostForm(p.endpoint(tag)+tokenPath, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	post("r0", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"new"}})
	post("r0", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"new"}})
	post("r0", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"old"}})
	post("r0", url.Values{"grant_type": {"authorization_code"}, "code": {"c"}})
	post("c1", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"new"}})
	post("c1", url.Values{"grant_type": {"other"}})
	resp, err := http.Get(p.endpoint("r0") + "/api/trophy/v1/x")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "data /api/trophy/v1/x" {
		t.Errorf("data call through the proxy = %q", b)
	}
	if g := p.get("r0"); g != (grantCounts{Refresh: 2, Code: 1, InvalidGrant: 1}) {
		t.Errorf("r0 = %+v", g)
	}
	if g := p.take("c1"); g != (grantCounts{Refresh: 1, OtherErr: 1}) {
		t.Errorf("c1 = %+v", g)
	}
	if g := p.get("c1"); g != (grantCounts{}) {
		t.Errorf("c1 after take = %+v, want zero", g)
	}
	resp, err = http.Get(p.url + "/api/no-tag")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("untagged path: %d, want 404", resp.StatusCode)
	}
}

func TestTableAligns(t *testing.T) {
	var tb table
	tb.row("a", "bb", 1)
	tb.row("ccc", "d", 22)
	var b strings.Builder
	tb.write(&b)
	want := "a    bb  1\nccc  d   22\n"
	if b.String() != want {
		t.Errorf("table:\n%q\nwant\n%q", b.String(), want)
	}
}

// A held tag's token requests wait at the proxy without reaching PSN; a
// release sends them on, a drop turns them away unsent.
func TestGrantProxyHoldReleaseDrop(t *testing.T) {
	var grants atomic.Int32
	sim := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		grants.Add(1)
		w.Write([]byte(`{"access_token":"a"}`))
	}))
	defer sim.Close()
	p, err := newGrantProxy(sim.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	send := func() chan int {
		done := make(chan int, 1)
		go func() {
			resp, err := http.PostForm(p.endpoint("r1")+tokenPath, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}})
			if err != nil {
				done <- -1
				return
			}
			resp.Body.Close()
			done <- resp.StatusCode
		}()
		return done
	}
	waitHeld := func(n int) {
		for p.heldCount("r1") != n {
			runtime.Gosched()
		}
	}
	p.hold("r1")
	first := send()
	waitHeld(1)
	if n := grants.Load(); n != 0 {
		t.Fatalf("a held request reached PSN (%d grants)", n)
	}
	p.release("r1")
	if code := <-first; code != 200 || grants.Load() != 1 {
		t.Fatalf("released request: status %d, %d grants; want 200 and 1", code, grants.Load())
	}
	p.hold("r1")
	second := send()
	waitHeld(1)
	p.drop("r1")
	if code := <-second; code != http.StatusBadGateway || grants.Load() != 1 {
		t.Fatalf("dropped request: status %d, %d grants; want 502 and still 1", code, grants.Load())
	}
	if got := p.get("r1").Refresh; got != 1 {
		t.Errorf("counted %d refresh grants, want 1", got)
	}
	if p.busy("r1") != 0 || p.heldCount("r1") != 0 {
		t.Errorf("busy %d held %d after the requests, want 0 0", p.busy("r1"), p.heldCount("r1"))
	}
}

func TestLineWriterCallsOnceWithTheFirstLine(t *testing.T) {
	var got []string
	w := &lineWriter{onLine: func(s string) { got = append(got, s) }}
	for _, part := range []string{"eyJ", "abc.def\nsecond", " line\n"} {
		if _, err := w.Write([]byte(part)); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != 1 || got[0] != "eyJabc.def" {
		t.Errorf("onLine calls = %q, want one with the first line", got)
	}
	if w.String() != "eyJabc.def\nsecond line\n" {
		t.Errorf("collected %q", w.String())
	}
}
