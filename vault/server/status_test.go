package server

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/psnkit/psn/psntest"
	"github.com/psnkit/psn/store"
)

var rowRE = regexp.MustCompile(`<tr data-account="([^"]*)" data-state="([^"]*)">`)

// pageRows returns the status page's rows as "account state", in order.
func pageRows(body []byte) []string {
	var out []string
	for _, m := range rowRE.FindAllSubmatch(body, -1) {
		out = append(out, html.UnescapeString(string(m[1]))+" "+html.UnescapeString(string(m[2])))
	}
	return out
}

var linkRE = regexp.MustCompile(`<a href="([^"]*)" id="(first|prev|next)"`)

// pageLinks returns the page's first/prev/next links.
func pageLinks(body []byte) map[string]string {
	out := map[string]string{}
	for _, m := range linkRE.FindAllSubmatch(body, -1) {
		out[string(m[2])] = html.UnescapeString(string(m[1]))
	}
	return out
}

// fakeState returns a record of account name that is in state st at now
// (instants and markers only: the page opens no secret).
func fakeState(name, st string, now time.Time) store.Record {
	rec := store.Record{
		Account: name, AccountID: "1", OnlineID: "On-" + name, SealedAccess: []byte{1}, SealedRefresh: []byte{1},
		AccessExpiry: now.Add(42*time.Minute + 30*time.Second), RefreshExpiry: now.Add(60 * 24 * time.Hour),
		NextRefresh: now.Add(27*time.Minute + 30*time.Second),
	}
	switch st {
	case store.StateLoginRequired:
		rec.SealedRefresh = nil
		rec.RefreshExpiry = now.Add(-3*24*time.Hour - time.Hour)
		rec.LastError, rec.LastErrorAt = "psn: login required: <b>PSN</b> said invalid_grant", now.Add(-3*24*time.Hour-time.Hour)
	case store.StateExpiring:
		rec.RefreshExpiry = now.Add(2*24*time.Hour + time.Hour)
	case store.StateNPSSOFallback:
		rec.SealedNPSSO = []byte{1}
		rec.RefreshRejectedAt = now.Add(-time.Hour)
	}
	return rec
}

// statusEnv is a service whose store holds n made-up accounts
// "acct-000"…, every tenth in login-required, the next in expiring, the
// next in npsso-fallback, the rest ok; and its handler on loopback.
type statusEnv struct {
	*svcEnv
	srv  *httptest.Server
	want map[string][]string // state → names, by name
	t0   time.Time           // the simulator's instant the records' times are relative to
}

func newStatusEnv(t *testing.T, n int, opts ...HandlerOption) *statusEnv {
	t.Helper()
	e := newSvcEnv(t, envOptions{sim: psntest.Config{Users: 1}})
	now := e.sim.Now()
	se := &statusEnv{svcEnv: e, want: map[string][]string{}, t0: now}
	for i := range n {
		st := store.StateOK
		switch i % 10 {
		case 0:
			st = store.StateLoginRequired
		case 1:
			st = store.StateExpiring
		case 2:
			st = store.StateNPSSOFallback
		}
		name := fmt.Sprintf("acct-%03d", i)
		if _, err := e.st.Put(t.Context(), fakeState(name, st, now)); err != nil {
			t.Fatal(err)
		}
		se.want[st] = append(se.want[st], name+" "+st)
	}
	for _, rows := range se.want {
		slices.Sort(rows) // by name: "name state", and ' ' sorts before every name byte
	}
	se.srv = httptest.NewServer(NewHandler(e.svc, NewAPIKeys(e.st), opts...))
	t.Cleanup(se.srv.Close)
	return se
}

func (se *statusEnv) get(path string) (*http.Response, []byte) {
	se.t.Helper()
	return httpGet(se.t, se.srv.Client(), se.srv.URL+path, nil)
}

// ordered is every account in the order the page shows them.
func (se *statusEnv) ordered() []string {
	var all []string
	for _, st := range store.States {
		all = append(all, se.want[st]...)
	}
	return all
}

func TestStatusPageOrderAndPaging(t *testing.T) {
	se := newStatusEnv(t, 230)
	var got []string
	var pages []string // each page's URL
	path := "/"
	for i := 0; path != ""; i++ {
		if i > 5 {
			t.Fatal("more pages than the accounts fill")
		}
		resp, body := se.get(path)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s = %d\n%s", path, resp.StatusCode, body)
		}
		rows := pageRows(body)
		if len(rows) != statusPageSize && i < 2 {
			t.Fatalf("page %d has %d rows, want %d", i, len(rows), statusPageSize)
		}
		got = append(got, rows...)
		pages = append(pages, path)
		path = pageLinks(body)["next"]
	}
	if want := se.ordered(); !slices.Equal(got, want) {
		t.Fatalf("rows over every page:\n%q\nwant (login-required, expiring, npsso-fallback, ok; by name):\n%q", got, want)
	}
	if len(pages) != 3 {
		t.Fatalf("%d pages, want 3 (230 accounts by 100)", len(pages))
	}
	// Walk back from the last page with "Previous".
	_, body := se.get(pages[2])
	for i := 1; i >= 0; i-- {
		prev := pageLinks(body)["prev"]
		if prev == "" {
			t.Fatalf("page %d has no previous link", i+1)
		}
		var resp *http.Response
		resp, body = se.get(prev)
		_, want := se.get(pages[i])
		if resp.StatusCode != 200 || !slices.Equal(pageRows(body), pageRows(want)) {
			t.Fatalf("previous of page %d shows other rows than page %d", i+1, i)
		}
	}
	if l := pageLinks(body); l["prev"] != "" || l["first"] != "" {
		t.Fatalf("the first page links back: %v", l)
	}
}

func TestStatusPageFilterAndSearch(t *testing.T) {
	se := newStatusEnv(t, 230)
	for _, st := range store.States {
		_, body := se.get("/?state=" + st)
		if got, want := pageRows(body), se.want[st]; !slices.Equal(got, want) && !(st == store.StateOK && slices.Equal(got, want[:statusPageSize])) {
			t.Errorf("?state=%s rows = %q, want %q", st, got, want)
		}
	}
	// Prefix search, all states: acct-010…acct-019, those needing a human first.
	_, body := se.get("/?q=acct-01")
	want := []string{"acct-010 login-required", "acct-011 expiring", "acct-012 npsso-fallback"}
	for i := 13; i <= 19; i++ {
		want = append(want, fmt.Sprintf("acct-%03d ok", i))
	}
	if got := pageRows(body); !slices.Equal(got, want) {
		t.Errorf("?q=acct-01 rows = %q, want %q", got, want)
	}
	if l := pageLinks(body); l["next"] != "" {
		t.Errorf("a search that fits one page has a next link: %v", l)
	}
	_, body = se.get("/?q=acct-2&state=expiring")
	if got, want := pageRows(body), []string{"acct-201 expiring", "acct-211 expiring", "acct-221 expiring"}; !slices.Equal(got, want) {
		t.Errorf("?q=acct-2&state=expiring rows = %q, want %q", got, want)
	}
	if _, body = se.get("/?q=zzz"); len(pageRows(body)) != 0 || !strings.Contains(string(body), `id="empty"`) {
		t.Errorf("?q=zzz shows rows: %q", pageRows(body))
	}
	for _, path := range []string{"/?state=dead", "/?at=ok.bm90LW91cnM", "/?at=nonsense", "/?q=%3Cscript%3E", "/?at=ok.&state=expiring"} {
		resp, body := se.get(path)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `class="banner"`) {
			t.Errorf("GET %s = %d, want 400 with the error on the page", path, resp.StatusCode)
		}
		if strings.Contains(string(body), "<script>") {
			t.Errorf("GET %s reflects markup unescaped", path)
		}
	}
}

func TestStatusPageContent(t *testing.T) {
	se := newStatusEnv(t, 13)
	se.svc.metrics.activity.add(se.sim.Now(), true)
	se.svc.metrics.activity.add(se.sim.Now(), true)
	se.svc.metrics.activity.add(se.sim.Now(), false)
	resp, body := se.get("/")
	page := string(body)
	csp := resp.Header.Get("Content-Security-Policy")
	m := regexp.MustCompile(`<style nonce="([^"]+)">`).FindStringSubmatch(page)
	if m == nil || !strings.Contains(csp, "style-src 'nonce-"+m[1]+"'") || strings.Contains(csp, "unsafe") ||
		!strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP %q does not allow exactly the page's nonce'd style", csp)
	}
	for _, want := range []string{
		// counts on top
		`data-state="login-required"><b>2</b>`, `data-state="expiring"><b>2</b>`, `data-state="npsso-fallback"><b>2</b>`, `data-state="ok"><b>7</b>`, `<b>13</b>all accounts`,
		// relative times with the instant on hover
		`>in 42 min</time>`, `>in 27 min</time>`, `>3 days ago</time>`, `>in 2 days</time>`,
		`title="` + se.t0.Add(42*time.Minute+30*time.Second).UTC().Format("2006-01-02 15:04:05 UTC") + `"`,
		// the operator's words
		"The refresh token expired and no NPSSO is kept: add the account again with a new NPSSO (POST /v1/accounts, or psn login --account acct-000 on this store).",
		"The refresh token expires in 2 days: add the account again with a new NPSSO",
		"the next refresh logs in with the kept NPSSO",
		// the chart, drawn here
		`<svg viewBox="0 0 720 `, `class="r"`, `class="f"`, `2 refreshes`, `1 failures`, "this replica only",
		`name="viewport"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if strings.Contains(page, "<b>PSN</b>") || !strings.Contains(page, "&lt;b&gt;PSN&lt;/b&gt;") {
		t.Error("an error text's markup is not escaped")
	}
	if strings.Contains(page, "<script") || strings.Contains(page, "http://") || strings.Contains(page, "https://") {
		t.Error("the page holds a script or an external reference")
	}
}

func TestRelTime(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for d, want := range map[time.Duration]string{
		42*time.Minute + 10*time.Second: "in 42 min",
		-(3*24*time.Hour + time.Hour):   "3 days ago",
		20 * time.Second:                "in under a minute",
		-20 * time.Second:               "just now",
		time.Hour:                       "in 1 h",
		-47 * time.Hour:                 "47 h ago",
		-48 * time.Hour:                 "2 days ago",
		24*time.Hour + time.Minute:      "in 24 h",
		-time.Minute:                    "1 min ago",
	} {
		if got := relTime(now, now.Add(d)); got != want {
			t.Errorf("relTime(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestBeforePrefix(t *testing.T) {
	names := []string{"a", "ab", "abc", "abd", "ab-", "ab.", "ab@", "aa", "aaz", "b", "ab" + strings.Repeat("z", 62), "aa" + strings.Repeat("z", 62)}
	slices.Sort(names)
	for _, p := range []string{"ab", "a", "b", "ab-", "-", "z"} {
		b := beforePrefix(p)
		for _, n := range names {
			if strings.HasPrefix(n, p) && n <= b {
				t.Errorf("prefix %q: %q sorts before the bound", p, n)
			}
			if !strings.HasPrefix(n, p) && n < p && n > b {
				t.Errorf("prefix %q: %q (below the prefix) sorts after the bound", p, n)
			}
		}
	}
}

func TestActivityBuckets(t *testing.T) {
	var a activity
	t0 := time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)
	a.add(t0.Add(-25*time.Hour), true) // falls out of the day
	a.add(t0.Add(-23*time.Hour), false)
	a.add(t0.Add(-5*time.Minute), true)
	a.add(t0.Add(-4*time.Minute), true)
	a.add(t0.Add(time.Minute), false)
	bars, since := a.last(t0.Add(2 * time.Minute))
	if len(bars) != activityBuckets || !since.Equal(t0.Add(-25*time.Hour)) {
		t.Fatalf("%d bars since %v", len(bars), since)
	}
	last, prev := bars[len(bars)-1], bars[len(bars)-2]
	if last.Failures != 1 || last.Refreshes != 0 || prev.Refreshes != 2 || prev.Failures != 0 {
		t.Fatalf("last two bars %+v %+v", prev, last)
	}
	var r, f int
	for _, b := range bars {
		r += b.Refreshes
		f += b.Failures
	}
	if r != 2 || f != 2 {
		t.Fatalf("day totals %d refreshes, %d failures; want 2 and 2 (the one 25 h ago is out)", r, f)
	}
	// The ring slot of 24 h ago is reused, not added to.
	a.add(t0.Add(-5*time.Minute+24*time.Hour), true)
	bars, _ = a.last(t0.Add(24*time.Hour - time.Minute))
	if got := bars[len(bars)-1].Refreshes; got != 1 {
		t.Fatalf("bucket a day later counts %d, want 1", got)
	}
}

// walk follows the page's next links from path and returns every row.
func (se *statusEnv) walk(path string) []string {
	se.t.Helper()
	var got []string
	for i := 0; path != ""; i++ {
		if i > 20 {
			se.t.Fatal("too many pages")
		}
		resp, body := se.get(path)
		if resp.StatusCode != 200 {
			se.t.Fatalf("GET %s = %d", path, resp.StatusCode)
		}
		got = append(got, pageRows(body)...)
		path = pageLinks(body)["next"]
	}
	return got
}

// TestStatusPageSearchPaged pages through searches that match more than a
// page: read by name when at most store.MaxPage names match (one query up
// to 200, two up to 1000), state by state when more do; all show those
// that need a human first.
func TestStatusPageSearchPaged(t *testing.T) {
	small := newStatusEnv(t, 300)
	if got, want := small.walk("/?q=acct-"), small.ordered(); !slices.Equal(got, want) {
		t.Errorf("?q=acct- over 300 accounts (two reads): %d rows, want %d in order", len(got), len(want))
	}
	se := newStatusEnv(t, store.MaxPage+10)
	for _, prefix := range []string{"acct-1", "acct-"} { // 110 matches (one read); 1010 (state by state)
		var want []string
		for _, r := range se.ordered() {
			if strings.HasPrefix(r, prefix) {
				want = append(want, r)
			}
		}
		if got := se.walk("/?q=" + prefix); !slices.Equal(got, want) {
			t.Errorf("?q=%s: %d rows over every page, want %d in state-then-name order\ngot  %q\nwant %q", prefix, len(got), len(want), got, want)
		}
		wantOK := slices.DeleteFunc(slices.Clone(want), func(r string) bool { return !strings.HasSuffix(r, " ok") })
		if got := se.walk("/?state=ok&q=" + prefix); !slices.Equal(got, wantOK) {
			t.Errorf("?state=ok&q=%s: %d rows, want %d", prefix, len(got), len(wantOK))
		}
	}
}
