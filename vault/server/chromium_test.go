package server

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/psnkit/psn/psntest"
)

// chromiumPath is Debian's chromium (`apt-get install chromium`).
const chromiumPath = "/usr/bin/chromium"

// consoleLog receives every console message of the tab, in order.
type consoleLog struct {
	ch chan chromedp.ConsoleMessage
	n  int
}

// flush logs a marker in the page and reads the messages up to it: every
// message written before is in. It returns the ones that tell of a
// problem: console.error and console.warn calls, uncaught exceptions, and
// the browser's own log entries of level warning or error (CSP
// violations, failed loads).
func (c *consoleLog) flush(t *testing.T, ctx context.Context) []string {
	t.Helper()
	c.n++
	mark := fmt.Sprintf("psn-console-mark-%d", c.n)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf("console.log(%q), true", mark))); err != nil {
		t.Fatalf("marking the console: %v", err)
	}
	var problems []string
	for {
		select {
		case m := <-c.ch:
			if m.Text == mark {
				return problems
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleWarning || m.IsException() {
				problems = append(problems, fmt.Sprintf("%s (source %q, %s)", m, m.Source, m.URL))
			}
		case <-ctx.Done():
			t.Fatalf("waiting for the console mark: %v", ctx.Err())
		}
	}
}

// newBrowser starts a headless Chromium for the test, or skips it when
// Chromium is not installed (fails instead under PSN_REQUIRE_SERVICES=1).
func newBrowser(t *testing.T) (context.Context, *consoleLog) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("PSN_REQUIRE_SERVICES") == "1" {
			t.Fatalf("%s is missing and PSN_REQUIRE_SERVICES=1: apt-get install -y chromium", chromiumPath)
		}
		t.Skipf("%s is missing: apt-get install -y chromium to run the status page's browser test", chromiumPath)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath), chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true), chromedp.Flag("disable-default-apps", true),
		chromedp.WindowSize(1280, 900),
	}
	// A bound on the whole browser session, so that a hung Chromium fails
	// the test instead of hanging it (not a speed assertion).
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting %s: %v", chromiumPath, err)
	}
	cl := &consoleLog{ch: make(chan chromedp.ConsoleMessage, 1024)}
	msgs := chromedp.Console(bctx) // subscribed now: nothing is lost
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range msgs {
			if err != nil {
				return
			}
			select {
			case cl.ch <- m:
			case <-bctx.Done():
				return
			}
		}
	}()
	t.Cleanup(func() {
		bcancel()
		<-done
	})
	return bctx, cl
}

// rowsJS lists the account table's rows as "account state".
const rowsJS = `Array.from(document.querySelectorAll('#accounts tbody tr')).map(r => r.dataset.account + ' ' + r.dataset.state)`

// TestStatusPageInChromium drives the status page of a real vault in
// headless Chromium: rows and their order (those that need a human first),
// the state filter, the search, the count cards, phone width, the login
// form off loopback, and a console free of errors and CSP violations.
func TestStatusPageInChromium(t *testing.T) {
	ctx, console := newBrowser(t)
	// dave logs in first; ten days later alice, bob and carol do. With a
	// 55-day warning period dave's refresh token (60 days) is expiring.
	e := newSvcEnv(t, envOptions{sim: psntest.Config{Users: 4, AccessTTL: time.Hour},
		svc: func(c *ServiceConfig) { c.WarnBefore = 55 * 24 * time.Hour }})
	e.add("dave", 0, false)
	e.sim.Advance(10 * 24 * time.Hour)
	e.add("alice", 1, false)
	e.add("bob", 2, false)
	e.add("carol", 3, false)
	// carol's refresh token is revoked: her next refresh finds she needs a login.
	if err := e.sim.RevokeRefreshTokens(e.user(3).OnlineID); err != nil {
		t.Fatal(err)
	}
	e.sim.Advance(2 * time.Hour)
	if _, err := e.svc.Token(t.Context(), "carol"); err == nil {
		t.Fatal("carol still gets a token")
	}
	keys := NewAPIKeys(e.st)
	key, _, err := keys.Create(t.Context(), "browser")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(NewHandler(e.svc, keys))
	t.Cleanup(srv.Close)

	// allow, when set, is the one browser message a step expects.
	allow := ""
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		msgs := slices.DeleteFunc(console.flush(t, ctx), func(m string) bool { return allow != "" && strings.Contains(m, allow) })
		if len(msgs) > 0 {
			t.Fatalf("%s: the browser reported:\n%s", what, strings.Join(msgs, "\n"))
		}
	}
	rows := func() []string {
		t.Helper()
		r, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](rowsJS))
		if err != nil {
			t.Fatalf("reading the rows: %v", err)
		}
		return r
	}
	get := func(a chromedp.Action[string]) string {
		t.Helper()
		v, err := chromedp.Run(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	do("open the page", chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#accounts")))
	if got, want := rows(), []string{"carol login-required", "dave expiring", "alice ok", "bob ok"}; !slices.Equal(got, want) {
		t.Fatalf("rows = %q, want %q", got, want)
	}
	if title := get(chromedp.Title()); title != "psn-vault" {
		t.Errorf("title = %q", title)
	}
	if advice := get(chromedp.Text(chromedp.CSS(`tr[data-account="carol"] td.advice`))); !strings.Contains(advice, "add the account again with a new NPSSO") {
		t.Errorf("carol's advice = %q", advice)
	}
	hover, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`tr[data-account="dave"] td[data-label="Refresh token"] time`), "title"))
	if err != nil || !strings.HasSuffix(hover.Value, " UTC") {
		t.Errorf("the hover of dave's refresh expiry = %q, %v; want the exact instant", hover.Value, err)
	}

	do("filter by state", chromedp.SetValue(chromedp.CSS("#state"), "ok"), chromedp.Click(chromedp.CSS(`form.filter button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#counts a.on[data-state="ok"]`)))
	if got, want := rows(), []string{"alice ok", "bob ok"}; !slices.Equal(got, want) {
		t.Fatalf("?state=ok rows = %q, want %q", got, want)
	}

	do("search by name", chromedp.SetValue(chromedp.CSS("#state"), ""), chromedp.SetValue(chromedp.CSS("#q"), "ca"),
		chromedp.Click(chromedp.CSS(`form.filter button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(`#q[value="ca"]`)))
	if got, want := rows(), []string{"carol login-required"}; !slices.Equal(got, want) {
		t.Fatalf("?q=ca rows = %q, want %q", got, want)
	}

	do("follow a count card", chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#accounts")),
		chromedp.Click(chromedp.CSS(`#counts a[data-state="expiring"]`)), chromedp.WaitVisible(chromedp.CSS(`#counts a.on[data-state="expiring"]`)))
	if got, want := rows(), []string{"dave expiring"}; !slices.Equal(got, want) {
		t.Fatalf("expiring card rows = %q, want %q", got, want)
	}

	do("phone width", chromedp.EmulateViewport(360, 740), chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#accounts")))
	widths, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
	if err != nil || len(widths) != 2 || widths[1] == 0 || widths[0] > widths[1] {
		t.Errorf("at 360 px: [scroll width, client width] = %v, %v; want no sideways scrolling", widths, err)
	}

	// Off loopback (PagesNeedKey): the form, a key typed once, the page.
	guarded := httptest.NewServer(NewHandler(e.svc, keys, PagesNeedKey()))
	t.Cleanup(guarded.Close)
	// The 401 of a refused login is logged by Chromium as a failed load; it
	// is the answer this step asks for.
	allow = "status of 401"
	do("a wrong key", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(guarded.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#key")),
		chromedp.SendKeys(chromedp.CSS("#key"), "psnv_0123456789abcdef_"+strings.Repeat("A", 43)), chromedp.Submit(chromedp.CSS("#key")),
		chromedp.WaitVisible(chromedp.CSS("#login-error")))
	allow = ""
	if msg := get(chromedp.Text(chromedp.CSS("#login-error"))); msg != "That key was not accepted." {
		t.Errorf("login error = %q", msg)
	}
	do("sign in", chromedp.SendKeys(chromedp.CSS("#key"), key.Reveal()), chromedp.Submit(chromedp.CSS("#key")),
		chromedp.WaitVisible(chromedp.CSS("#accounts")))
	if got := rows(); len(got) != 4 || got[0] != "carol login-required" {
		t.Fatalf("rows after signing in = %q", got)
	}
	do("sign out", chromedp.Click(chromedp.CSS(`form.signout button`)), chromedp.WaitVisible(chromedp.CSS("#key")))

	// The console check can fail: a page with a style its CSP refuses is caught.
	probe := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'nonce-abc'")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><title>probe</title><link rel="icon" href="data:,"><style>body{color:red}</style><p id="p">probe</p>`))
	}))
	t.Cleanup(probe.Close)
	if err := chromedp.Do(ctx, chromedp.Navigate(probe.URL), chromedp.WaitVisible(chromedp.CSS("#p"))); err != nil {
		t.Fatal(err)
	}
	if msgs := console.flush(t, ctx); len(msgs) == 0 {
		t.Error("a CSP violation went unnoticed: the console check is blind")
	}
}
