package server

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// httpGet GETs u with client (header may add headers) and returns the
// answer and its body.
func httpGet(t *testing.T, client *http.Client, u string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	return httpDo(t, client, req)
}

func httpDo(t *testing.T, client *http.Client, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// postForm POSTs form values to u as a browser on the same origin would
// (Origin and Sec-Fetch-Site set), without following a redirect.
func postForm(t *testing.T, client *http.Client, u string, form url.Values, origin string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
		site := "same-origin"
		if !strings.HasPrefix(u, origin) {
			site = "cross-site"
		}
		req.Header.Set("Sec-Fetch-Site", site)
	}
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return httpDo(t, &c, req)
}

// clock is a settable wall clock for sessions and rate limits.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// guardedEnv is the API behind PagesNeedKey (as on a non-loopback
// address), with one account "alice", one API key and a settable clock.
type guardedEnv struct {
	*apiEnv
	srv   *httptest.Server
	clock *clock
}

func newGuardedEnv(t *testing.T, tls bool) *guardedEnv {
	t.Helper()
	a := newAPIEnv(t, envOptions{})
	a.add("alice", 0, false)
	ck := &clock{t: time.Now()}
	h := NewHandler(a.svc, a.keys, PagesNeedKey(), withWallClock(ck.now))
	var srv *httptest.Server
	if tls {
		srv = httptest.NewTLSServer(h)
	} else {
		srv = httptest.NewServer(h)
	}
	t.Cleanup(srv.Close)
	return &guardedEnv{apiEnv: a, srv: srv, clock: ck}
}

func (g *guardedEnv) login(key string) (*http.Response, []byte) {
	g.t.Helper()
	return postForm(g.t, g.srv.Client(), g.srv.URL+"/login", url.Values{"key": {key}}, g.srv.URL)
}

func sessionOf(t *testing.T, resp *http.Response) *http.Cookie {
	t.Helper()
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie || c.Name == sessionCookieTLS {
			return c
		}
	}
	t.Fatalf("no session cookie in %v", resp.Header["Set-Cookie"])
	return nil
}

// otherKey is key with its last character changed to another valid one
// (a fixed replacement is the same key when the key already ends in it).
func otherKey(key string) string {
	last := "A"
	if strings.HasSuffix(key, "A") {
		last = "Q"
	}
	return key[:len(key)-1] + last
}

func isLoginForm(body []byte) bool {
	return strings.Contains(string(body), `action="/login"`) && !strings.Contains(string(body), "alice")
}

func TestPagesOpenOnLoopback(t *testing.T) {
	a := newAPIEnv(t, envOptions{})
	a.add("alice", 0, false)
	if code, body := a.do(http.MethodGet, "/", "", ""); code != 200 || !strings.Contains(string(body), `data-account="alice"`) {
		t.Fatalf("GET / on loopback = %d, want the page with alice:\n%s", code, body)
	}
	if code, body := a.do(http.MethodGet, "/metrics", "", ""); code != 200 || !strings.Contains(string(body), "psn_vault_accounts") {
		t.Fatalf("GET /metrics on loopback = %d", code)
	}
	if code, _ := a.do(http.MethodGet, "/healthz", "", ""); code != 200 {
		t.Fatalf("GET /healthz = %d", code)
	}
}

func TestPagesNeedKeyOffLoopback(t *testing.T) {
	g := newGuardedEnv(t, false)
	key := g.key.Reveal()
	c := g.srv.Client()

	// /metrics: a bearer key, any valid one.
	if resp, body := httpGet(t, c, g.srv.URL+"/metrics", nil); resp.StatusCode != 401 || errorCode(t, body) != "unauthorized" ||
		resp.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("/metrics without a key = %d %s", resp.StatusCode, body)
	}
	if resp, _ := httpGet(t, c, g.srv.URL+"/metrics", http.Header{"Authorization": {"Bearer " + otherKey(key)}}); resp.StatusCode != 401 {
		t.Fatalf("/metrics with a wrong key = %d", resp.StatusCode)
	}
	if resp, body := httpGet(t, c, g.srv.URL+"/metrics", http.Header{"Authorization": {"Bearer " + key}}); resp.StatusCode != 200 ||
		!strings.Contains(string(body), "psn_vault_accounts") {
		t.Fatalf("/metrics with a key = %d", resp.StatusCode)
	}
	if resp, _ := httpGet(t, c, g.srv.URL+"/healthz", nil); resp.StatusCode != 200 {
		t.Fatalf("/healthz = %d, want open", resp.StatusCode)
	}

	// /: the form, which tells nothing about the accounts.
	resp, body := httpGet(t, c, g.srv.URL+"/", nil)
	if resp.StatusCode != 200 || !isLoginForm(body) || resp.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("GET / without a key = %d, want the login form:\n%s", resp.StatusCode, body)
	}

	// A wrong key: the form again, with an error that names nothing.
	resp, body = g.login(otherKey(key))
	if resp.StatusCode != 401 || !isLoginForm(body) || !strings.Contains(string(body), "That key was not accepted.") {
		t.Fatalf("bad key = %d:\n%s", resp.StatusCode, body)
	}
	if strings.Contains(string(body), key[:20]) || len(resp.Cookies()) != 0 {
		t.Fatal("a refused login echoes the key or sets a cookie")
	}

	// The right key: a session cookie with the right attributes, then the page.
	resp, _ = g.login(key)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("good key = %d, Location %q; want 303 to /", resp.StatusCode, resp.Header.Get("Location"))
	}
	ck := sessionOf(t, resp)
	raw := strings.Join(resp.Header["Set-Cookie"], "; ")
	if ck.Name != sessionCookie || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" || ck.Secure ||
		ck.MaxAge != int(SessionTTL/time.Second) || ck.Expires.IsZero() {
		t.Fatalf("session cookie %s", raw)
	}
	if strings.Contains(raw, key) || strings.Contains(raw, key[len(key)-43:]) || len(ck.Value) < 40 {
		t.Fatalf("the cookie is the key, or too short to be a random id: %s", raw)
	}
	withCookie := func(v string) http.Header { return http.Header{"Cookie": {sessionCookie + "=" + v}} }
	resp, body = httpGet(t, c, g.srv.URL+"/", withCookie(ck.Value))
	if resp.StatusCode != 200 || !strings.Contains(string(body), `data-account="alice"`) || !strings.Contains(string(body), `action="/logout"`) {
		t.Fatalf("GET / with the session = %d:\n%s", resp.StatusCode, body)
	}
	// A bearer key opens the page too (curl).
	if resp, body := httpGet(t, c, g.srv.URL+"/", http.Header{"Authorization": {"Bearer " + key}}); resp.StatusCode != 200 || !strings.Contains(string(body), `data-account="alice"`) {
		t.Fatalf("GET / with a bearer key = %d", resp.StatusCode)
	}
	// A tampered cookie, or one for /metrics: nothing.
	tampered := []byte(ck.Value)
	tampered[5] ^= 1
	if _, body := httpGet(t, c, g.srv.URL+"/", withCookie(string(tampered))); !isLoginForm(body) {
		t.Fatal("a tampered cookie opens the page")
	}
	if resp, _ := httpGet(t, c, g.srv.URL+"/metrics", withCookie(ck.Value)); resp.StatusCode != 401 {
		t.Fatalf("/metrics with a session cookie = %d, want 401 (bearer only)", resp.StatusCode)
	}
	// The session ends after SessionTTL.
	g.clock.advance(SessionTTL)
	if _, body := httpGet(t, c, g.srv.URL+"/", withCookie(ck.Value)); !isLoginForm(body) {
		t.Fatal("a session outlives SessionTTL")
	}

	// Logout ends the session on the server, not only in the browser.
	resp, _ = g.login(key)
	ck = sessionOf(t, resp)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, g.srv.URL+"/logout", nil)
	req.Header.Set("Cookie", sessionCookie+"="+ck.Value)
	req.Header.Set("Origin", g.srv.URL)
	resp, err := c.Transport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || sessionOf(t, resp).MaxAge >= 0 {
		t.Fatalf("logout = %d %v", resp.StatusCode, resp.Header["Set-Cookie"])
	}
	if _, body := httpGet(t, c, g.srv.URL+"/", withCookie(ck.Value)); !isLoginForm(body) {
		t.Fatal("the session still works after logout")
	}

	// A revoked key's sessions end.
	resp, _ = g.login(key)
	ck = sessionOf(t, resp)
	if err := g.keys.Revoke(t.Context(), "test"); err != nil {
		t.Fatal(err)
	}
	if _, body := httpGet(t, c, g.srv.URL+"/", withCookie(ck.Value)); !isLoginForm(body) {
		t.Fatal("the session of a revoked key still works")
	}
}

func TestLoginCrossOriginRefused(t *testing.T) {
	g := newGuardedEnv(t, false)
	resp, _ := postForm(t, g.srv.Client(), g.srv.URL+"/login", url.Values{"key": {g.key.Reveal()}}, "http://evil.example")
	if resp.StatusCode != http.StatusForbidden || len(resp.Cookies()) != 0 {
		t.Fatalf("cross-origin login = %d %v, want 403 and no cookie", resp.StatusCode, resp.Header["Set-Cookie"])
	}
}

func TestLoginRateLimited(t *testing.T) {
	g := newGuardedEnv(t, false)
	for i := range loginMaxFailures {
		if resp, _ := g.login("psnv_0123456789abcdef_" + strings.Repeat("A", 43)); resp.StatusCode != 401 {
			t.Fatalf("failure %d = %d, want 401", i, resp.StatusCode)
		}
	}
	resp, body := g.login(g.key.Reveal())
	if resp.StatusCode != http.StatusTooManyRequests || len(resp.Cookies()) != 0 || resp.Header.Get("Retry-After") == "" ||
		!strings.Contains(string(body), "Too many failed attempts") {
		t.Fatalf("login after %d failures = %d, want 429 even with the right key", loginMaxFailures, resp.StatusCode)
	}
	g.clock.advance(loginFailWindow)
	if resp, _ := g.login(g.key.Reveal()); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login after the window = %d, want 303", resp.StatusCode)
	}
}

func TestPagesOverTLS(t *testing.T) {
	g := newGuardedEnv(t, true)
	resp, _ := g.login(g.key.Reveal())
	ck := sessionOf(t, resp)
	if ck.Name != sessionCookieTLS || !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" {
		t.Fatalf("session cookie under TLS: %v", resp.Header["Set-Cookie"])
	}
	jar, _ := cookiejar.New(nil)
	c := *g.srv.Client()
	c.Jar = jar
	u, _ := url.Parse(g.srv.URL)
	jar.SetCookies(u, []*http.Cookie{ck})
	if resp, body := httpGet(t, &c, g.srv.URL+"/", nil); resp.StatusCode != 200 || resp.TLS == nil || !strings.Contains(string(body), `data-account="alice"`) {
		t.Fatalf("GET / over TLS with the session = %d", resp.StatusCode)
	}
	// The plain-HTTP cookie name does not count under TLS.
	if _, body := httpGet(t, g.srv.Client(), g.srv.URL+"/", http.Header{"Cookie": {sessionCookie + "=" + ck.Value}}); !isLoginForm(body) {
		t.Fatal("the plain-HTTP cookie name opens the page over TLS")
	}
}

func TestArrivedOnLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8788": true, "127.3.4.5:1": true, "[::1]:8788": true, "[::ffff:127.0.0.1]:80": true,
		"10.0.0.5:8788": false, "[::]:8788": false, "0.0.0.0:1": false, "[2001:db8::1]:443": false,
	} {
		ap, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r = r.WithContext(context.WithValue(r.Context(), http.LocalAddrContextKey, net.Addr(ap)))
		if got := arrivedOnLoopback(r); got != want {
			t.Errorf("arrivedOnLoopback(%s) = %v, want %v", addr, got, want)
		}
	}
	if arrivedOnLoopback(httptest.NewRequest(http.MethodGet, "/", nil)) {
		t.Error("a request with no local address counts as loopback")
	}
}

// TestPagesOnRealNonLoopbackAddress listens on every address and asks
// through a non-loopback one of this host (skipped when it has none).
func TestPagesOnRealNonLoopbackAddress(t *testing.T) {
	var ip net.IP
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() {
			ip = n.IP
			break
		}
	}
	if ip == nil {
		t.Skip("this host has no non-loopback IPv4 address")
	}
	a := newAPIEnv(t, envOptions{})
	ln, err := net.Listen("tcp4", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(NewHandler(a.svc, a.keys))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	port := ln.Addr().(*net.TCPAddr).Port
	c := srv.Client()
	if resp, _ := httpGet(t, c, "http://"+net.JoinHostPort(ip.String(), strconv.Itoa(port))+"/metrics", nil); resp.StatusCode != 401 {
		t.Fatalf("/metrics through %s = %d, want 401", ip, resp.StatusCode)
	}
	if resp, _ := httpGet(t, c, "http://"+net.JoinHostPort("127.0.0.1", strconv.Itoa(port))+"/metrics", nil); resp.StatusCode != 200 {
		t.Fatalf("/metrics through 127.0.0.1 = %d, want 200", resp.StatusCode)
	}
}

// TestPagesNeedAKeyThatReadsAll: the status page names every account, so a
// key scoped to some accounts may read /metrics (counts only) but may not
// open the page, by bearer or by signing in; a session whose key is later
// narrowed to some accounts ends.
func TestPagesNeedAKeyThatReadsAll(t *testing.T) {
	g := newGuardedEnv(t, false)
	ctx := context.Background()
	c := g.srv.Client()
	bob, err := AccountsScope("bob")
	if err != nil {
		t.Fatal(err)
	}
	listed, _, err := g.keys.CreateScoped(ctx, "bob-reader", bob)
	if err != nil {
		t.Fatal(err)
	}
	lk := listed.Reveal()
	if resp, _ := httpGet(t, c, g.srv.URL+"/metrics", http.Header{"Authorization": {"Bearer " + lk}}); resp.StatusCode != 200 {
		t.Fatalf("/metrics with a listed key = %d, want 200 (counts only)", resp.StatusCode)
	}
	if resp, body := httpGet(t, c, g.srv.URL+"/", http.Header{"Authorization": {"Bearer " + lk}}); resp.StatusCode != 200 || !isLoginForm(body) {
		t.Fatalf("/ with a listed key as bearer = %d, want the form and no account:\n%s", resp.StatusCode, body)
	}
	resp, body := g.login(lk)
	if resp.StatusCode != http.StatusForbidden || !isLoginForm(body) || len(resp.Cookies()) != 0 {
		t.Fatalf("sign-in with a listed key = %d %v, want 403, the form and no cookie", resp.StatusCode, resp.Header["Set-Cookie"])
	}

	star, err := AccountsScope(AllAccounts)
	if err != nil {
		t.Fatal(err)
	}
	all, _, err := g.keys.CreateScoped(ctx, "all-reader", star)
	if err != nil {
		t.Fatal(err)
	}
	resp, _ = g.login(all.Reveal())
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in with a '*' key = %d, want 303", resp.StatusCode)
	}
	cookie := sessionOf(t, resp)
	withCookie := http.Header{"Cookie": {cookie.Name + "=" + cookie.Value}}
	if resp, body := httpGet(t, c, g.srv.URL+"/", withCookie); resp.StatusCode != 200 || !strings.Contains(string(body), `data-account="alice"`) {
		t.Fatalf("/ in a '*' key's session = %d", resp.StatusCode)
	}
	if _, err := g.keys.SetScope(ctx, "all-reader", bob); err != nil {
		t.Fatal(err)
	}
	if resp, body := httpGet(t, c, g.srv.URL+"/", withCookie); !isLoginForm(body) {
		t.Fatalf("/ after the session's key was narrowed = %d, want the form:\n%s", resp.StatusCode, body)
	}
}
