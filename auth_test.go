package psn

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/psnkit/psn/internal/recorded"
)

const testNPSSO = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKlMnOpQrStUvWxYz01"

func TestParseNPSSO(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		ok       bool
	}{
		{"raw", testNPSSO, true},
		{"raw with white space", "  \n" + testNPSSO + "\t\n", true},
		{"sony json", `{"npsso":"` + testNPSSO + `"}`, true},
		{"sony json spaced", " {\n  \"npsso\": \"" + testNPSSO + "\"\n}\n", true},
		{"empty", "", false},
		{"too short", testNPSSO[:63], false},
		{"too long", testNPSSO + "x", false},
		{"bad character", testNPSSO[:63] + "!", false},
		{"json without npsso", `{"token":"` + testNPSSO + `"}`, false},
		{"json npsso wrong type", `{"npsso":42}`, false},
		{"truncated json", `{"npsso":"` + testNPSSO, false},
		{"cookie line", "npsso=" + testNPSSO, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseNPSSO(tc.in)
			if tc.ok {
				if err != nil || got.Reveal() != testNPSSO {
					t.Fatalf("ParseNPSSO = %q, %v; want the NPSSO", got.Reveal(), err)
				}
				return
			}
			if !errors.Is(err, ErrMalformedNPSSO) {
				t.Fatalf("err = %v, want ErrMalformedNPSSO", err)
			}
			if len(tc.in) > 20 && strings.Contains(err.Error(), strings.TrimSpace(tc.in)[5:20]) {
				t.Fatalf("error echoes the input: %v", err)
			}
		})
	}
}

func TestParseAuthorizeLocationRecorded(t *testing.T) {
	ok := recorded.Load(t, "test_authenticator__authentication.json")
	loc := ok.Interactions[0].Response.Headers["Location"][0]
	code, err := ParseAuthorizeLocation(loc)
	if err != nil || code.Reveal() != "v3.kqNaIA" {
		t.Fatalf("code = %q, %v; want v3.kqNaIA", code.Reveal(), err)
	}

	bad := recorded.Load(t, "test_authenticator__incorrect_npsso.json")
	_, err = ParseAuthorizeLocation(bad.Interactions[0].Response.Headers["Location"][0])
	var ne *NPSSOError
	if !errors.As(err, &ne) || !errors.Is(err, ErrNPSSORejected) || ne.ErrorCode != 4165 || !strings.HasPrefix(ne.Reason, "login_required") {
		t.Fatalf("err = %#v, want NPSSOError login_required 4165", err)
	}

	for _, loc := range []string{"", RedirectURI + "/", RedirectURI + "/?cid=1", "https://example.com/?code=x", "%%%"} {
		if _, err := ParseAuthorizeLocation(loc); !errors.Is(err, ErrNPSSORejected) {
			t.Errorf("ParseAuthorizeLocation(%q) err = %v, want ErrNPSSORejected", loc, err)
		}
	}
}

// authServer replays the recorded auth exchange and captures requests.
type authServer struct {
	mu   sync.Mutex
	reqs []*http.Request
	form []url.Values
	body []string
	// per-path override of the response
	tokenStatus int
	tokenBody   string
	tokenHeader http.Header
}

func (a *authServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(b))
	a.mu.Lock()
	a.reqs = append(a.reqs, r)
	a.form = append(a.form, form)
	a.body = append(a.body, string(b))
	status, body, hdr := a.tokenStatus, a.tokenBody, a.tokenHeader
	a.mu.Unlock()
	switch r.URL.Path {
	case "/api/authz/v3/oauth/authorize":
		w.Header().Set("Location", "com.scee.psxandroid.scecompcall://redirect/?code=v3.kqNaIA&cid=00000000-0000-0000-0000-5d152414a040")
		w.WriteHeader(http.StatusFound)
	case "/api/authz/v3/oauth/token":
		for k, v := range hdr {
			w.Header()[k] = v
		}
		if status == 0 {
			status, body = 200, `{"access_token": "acc.jwt.x", "token_type": "bearer", "expires_in": 3599, "scope": "psn:mobile.v2.core psn:clientapp", "id_token": "id.jwt.x", "refresh_token": "ref.jwt.x", "refresh_token_expires_in": 5183999}`
			w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	default:
		http.NotFound(w, r)
	}
}

func newAuthClient(t *testing.T, h http.Handler, opts ...Option) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return NewClient(append([]Option{WithEndpoint(srv.URL), WithRetry(RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxWait: time.Second})}, opts...)...)
}

// TestAuthRequestsMatchProtocol checks method, URL, query, headers and form
// body of every auth request against docs/protocol.md ("The OAuth client")
// and the recordings.
func TestAuthRequestsMatchProtocol(t *testing.T) {
	rec := recorded.Load(t, "test_authenticator__access_token_from_refresh_token.json")
	recAuth, _ := url.Parse(rec.Interactions[0].Request.URI)
	recCode, _ := url.ParseQuery(*rec.Interactions[1].Request.Body)
	recRefresh, _ := url.ParseQuery(*rec.Interactions[4].Request.Body)

	as := &authServer{}
	fixed := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	c := newAuthClient(t, as, WithClock(func() time.Time { return fixed }))
	ctx := context.Background()
	tok, err := c.Login(ctx, testNPSSO)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Refresh(ctx, tok.RefreshToken); err != nil {
		t.Fatal(err)
	}
	if len(as.reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(as.reqs))
	}

	// 1a: GET authorize with the NPSSO cookie, exactly the protocol's query.
	a := as.reqs[0]
	if a.Method != http.MethodGet || a.URL.Path != "/api/authz/v3/oauth/authorize" {
		t.Errorf("authorize: %s %s", a.Method, a.URL.Path)
	}
	if got := a.Header.Get("Cookie"); got != "npsso="+testNPSSO {
		t.Errorf("authorize cookie = %q", got)
	}
	q := a.URL.Query()
	want := []string{"access_type", "client_id", "redirect_uri", "response_type", "scope"}
	if len(q) != len(want) {
		t.Errorf("authorize query has %d keys (%v), want %v", len(q), q, want)
	}
	for _, k := range want {
		if q.Get(k) != recAuth.Query().Get(k) {
			t.Errorf("authorize %s = %q, recorded %q", k, q.Get(k), recAuth.Query().Get(k))
		}
	}
	if a.URL.RawQuery != "access_type=offline&client_id=09515159-7237-4370-9b40-3806e67c0891&redirect_uri=com.scee.psxandroid.scecompcall%3A%2F%2Fredirect&response_type=code&scope=psn%3Amobile.v2.core+psn%3Aclientapp" {
		t.Errorf("authorize raw query = %s", a.URL.RawQuery)
	}

	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("09515159-7237-4370-9b40-3806e67c0891:ucPjka5tntB2KqsP"))
	for i, wantBody := range []string{
		"code=v3.kqNaIA&redirect_uri=com.scee.psxandroid.scecompcall%3A%2F%2Fredirect&grant_type=authorization_code&token_format=jwt",
		"refresh_token=ref.jwt.x&grant_type=refresh_token&token_format=jwt&scope=psn%3Amobile.v2.core+psn%3Aclientapp",
	} {
		r := as.reqs[i+1]
		if r.Method != http.MethodPost || r.URL.Path != "/api/authz/v3/oauth/token" || r.URL.RawQuery != "" {
			t.Errorf("token %d: %s %s?%s", i, r.Method, r.URL.Path, r.URL.RawQuery)
		}
		if got := r.Header.Get("Authorization"); got != basic {
			t.Errorf("token %d Authorization = %q", i, got)
		}
		if got := r.Header.Get("Content-Type"); got != "application/x-www-form-urlencoded" {
			t.Errorf("token %d Content-Type = %q", i, got)
		}
		if r.Header.Get("Cookie") != "" {
			t.Errorf("token %d sends a cookie", i)
		}
		if as.body[i+1] != wantBody {
			t.Errorf("token %d body\n got %s\nwant %s", i, as.body[i+1], wantBody)
		}
	}
	// The fields the recordings kept have the recorded values.
	for _, k := range []string{"grant_type", "redirect_uri", "token_format"} {
		if as.form[1].Get(k) != recCode.Get(k) {
			t.Errorf("code grant %s = %q, recorded %q", k, as.form[1].Get(k), recCode.Get(k))
		}
	}
	for _, k := range []string{"grant_type", "scope", "token_format"} {
		if as.form[2].Get(k) != recRefresh.Get(k) {
			t.Errorf("refresh grant %s = %q, recorded %q", k, as.form[2].Get(k), recRefresh.Get(k))
		}
	}

	// Lifetimes became instants at arrival.
	if !tok.Expiry.Equal(fixed.Add(3599*time.Second)) || !tok.RefreshExpiry.Equal(fixed.Add(5183999*time.Second)) || !tok.IssuedAt.Equal(fixed) {
		t.Errorf("instants: expiry %v refresh %v issued %v", tok.Expiry, tok.RefreshExpiry, tok.IssuedAt)
	}
	if tok.AccessToken.Reveal() != "acc.jwt.x" || tok.IDToken.Reveal() != "id.jwt.x" || tok.TokenType != "bearer" || tok.Scope != Scope {
		t.Errorf("token fields: %+v", *tok)
	}
}

func TestRecordedTokenResponsesDecode(t *testing.T) {
	rec := recorded.Load(t, "test_authenticator__access_token_from_refresh_token.json")
	now := time.Date(2025, 5, 16, 3, 25, 31, 0, time.UTC)
	first, err := decodeTokenResponse([]byte(rec.Interactions[1].Response.Body.String), now)
	if err != nil {
		t.Fatal(err)
	}
	second, err := decodeTokenResponse([]byte(rec.Interactions[4].Response.Body.String), now.Add(9*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	// The refresh did not extend the refresh token: 9 s later, 9 s less.
	if !first.RefreshExpiry.Equal(second.RefreshExpiry) {
		t.Errorf("refresh expiry moved: %v vs %v", first.RefreshExpiry, second.RefreshExpiry)
	}
	if second.Scope != "psn:clientapp psn:mobile.v2.core" {
		t.Errorf("scope = %q", second.Scope)
	}
}

func TestAuthErrors(t *testing.T) {
	ctx := context.Background()
	secretish := "ref.jwt.SECRET"
	for _, tc := range []struct {
		name   string
		status int
		body   string
		header http.Header
		check  func(t *testing.T, err error)
	}{
		{"invalid_grant", 400, `{"error":"invalid_grant","error_description":"Invalid refresh token","error_code":4159}`, nil, func(t *testing.T, err error) {
			var oe *OAuthError
			if !errors.Is(err, ErrInvalidGrant) || !errors.As(err, &oe) || oe.ErrorCode != 4159 || oe.Description != "Invalid refresh token" {
				t.Fatalf("err = %v", err)
			}
		}},
		{"invalid_client", 401, `{"error":"invalid_client","error_description":"Bad client credentials"}`, nil, func(t *testing.T, err error) {
			var oe *OAuthError
			if !errors.As(err, &oe) || oe.Code != "invalid_client" || errors.Is(err, ErrInvalidGrant) {
				t.Fatalf("err = %v", err)
			}
		}},
		{"akamai 403", 403, "<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY>You don't have permission</BODY></HTML>", http.Header{"Content-Type": {"text/html"}}, func(t *testing.T, err error) {
			var ee *EdgeError
			if !errors.Is(err, ErrEdgeBlocked) || !errors.As(err, &ee) || ee.Status != 403 || !strings.Contains(ee.Snippet, "Access Denied") {
				t.Fatalf("err = %v", err)
			}
		}},
		{"429 with next available", 429, `{"error":{"code":2138635,"message":"Rate limit exceeded"}}`, http.Header{"X-Ratelimit-Next-Available": {"4102444800"}}, func(t *testing.T, err error) {
			var re *RateLimitError
			if !errors.Is(err, ErrRateLimited) || !errors.As(err, &re) || re.NextAvailable.Unix() != 4102444800 {
				t.Fatalf("err = %#v", err)
			}
		}},
		{"truncated json", 200, `{"access_token": "acc.jwt.x", "token_type": "bea`, nil, func(t *testing.T, err error) {
			if !errors.Is(err, ErrUnexpectedResponse) {
				t.Fatalf("err = %v", err)
			}
		}},
		{"wrong types", 200, `{"access_token": "acc", "expires_in": "3599"}`, nil, func(t *testing.T, err error) {
			if !errors.Is(err, ErrUnexpectedResponse) {
				t.Fatalf("err = %v", err)
			}
		}},
		{"html 200", 200, "<html><body>Sign in</body></html>", http.Header{"Content-Type": {"text/html"}}, func(t *testing.T, err error) {
			if !errors.Is(err, ErrUnexpectedResponse) {
				t.Fatalf("err = %v", err)
			}
		}},
		{"ten megabytes", 200, strings.Repeat("x", 10<<20), nil, func(t *testing.T, err error) {
			if !errors.Is(err, ErrBodyTooLarge) {
				t.Fatalf("err = %v", err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			as := &authServer{tokenStatus: tc.status, tokenBody: strings.ReplaceAll(tc.body, "acc.jwt.x", secretish), tokenHeader: tc.header}
			c := newAuthClient(t, as)
			tok, err := c.Refresh(ctx, Secret(secretish))
			if err == nil {
				t.Fatalf("no error, token %v", tok)
			}
			tc.check(t, err)
			if strings.Contains(err.Error(), "SECRET") {
				t.Fatalf("error string holds a secret: %v", err)
			}
			if n := len(as.reqs); n != 1 {
				t.Fatalf("token POST sent %d times; it must not be retried once it may have arrived", n)
			}
		})
	}
}

func TestAuthorizeRejectedNPSSO(t *testing.T) {
	rec := recorded.Load(t, "test_authenticator__incorrect_npsso.json")
	loc := rec.Interactions[0].Response.Headers["Location"][0]
	c := newAuthClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", loc)
		w.WriteHeader(http.StatusFound)
	}))
	_, err := c.Login(context.Background(), testNPSSO)
	if !errors.Is(err, ErrNPSSORejected) {
		t.Fatalf("err = %v, want ErrNPSSORejected", err)
	}
	if strings.Contains(err.Error(), testNPSSO) {
		t.Fatal("error holds the NPSSO")
	}
	// A malformed NPSSO never reaches the network.
	var hits atomic.Int32
	c2 := newAuthClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	if _, err := c2.Login(context.Background(), "not-an-npsso"); !errors.Is(err, ErrMalformedNPSSO) || hits.Load() != 0 {
		t.Fatalf("err = %v, requests = %d", err, hits.Load())
	}
}

// dialFailTransport fails the first n requests as a refused dial, so they
// provably never left.
type dialFailTransport struct {
	n    atomic.Int32
	base http.RoundTripper
}

func (d *dialFailTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if d.n.Add(-1) >= 0 {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	}
	return d.base.RoundTrip(r)
}

func TestTokenPostRetriedOnlyWhenItNeverLeft(t *testing.T) {
	as := &authServer{}
	srv := httptest.NewServer(as)
	defer srv.Close()
	dt := &dialFailTransport{base: http.DefaultTransport}
	dt.n.Store(2)
	c := NewClient(WithEndpoint(srv.URL), WithHTTPClient(&http.Client{Transport: dt}),
		WithRetry(RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, MaxWait: time.Second}))
	if _, err := c.Refresh(context.Background(), "ref"); err != nil {
		t.Fatalf("refresh after two refused dials: %v", err)
	}
	if len(as.reqs) != 1 {
		t.Fatalf("server saw %d requests, want 1", len(as.reqs))
	}

	// A 503 on a token POST is returned, not retried: the grant may have
	// been processed.
	as2 := &authServer{tokenStatus: 503, tokenBody: "busy"}
	c2 := newAuthClient(t, as2)
	if _, err := c2.Refresh(context.Background(), "ref"); !errors.Is(err, ErrServer) {
		t.Fatalf("err = %v, want ErrServer", err)
	}
	if len(as2.reqs) != 1 {
		t.Fatalf("503 token POST sent %d times", len(as2.reqs))
	}
}

func TestGetRetriesServerErrorsAndRateLimits(t *testing.T) {
	var n atomic.Int32
	c := newAuthClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) {
		case 1:
			w.WriteHeader(http.StatusServiceUnavailable)
		case 2:
			w.Header().Set("X-RateLimit-Next-Available", "1") // long past: retry at once
			w.WriteHeader(http.StatusTooManyRequests)
		default:
			w.Header().Set("Location", RedirectURI+"/?code=v3.ok&cid=x")
			w.WriteHeader(http.StatusFound)
		}
	}))
	code, err := c.Authorize(context.Background(), testNPSSO)
	if err != nil || code.Reveal() != "v3.ok" || n.Load() != 3 {
		t.Fatalf("code %q err %v after %d requests", code.Reveal(), err, n.Load())
	}
}

func TestRateLimitBeyondDeadlineFailsFast(t *testing.T) {
	var n atomic.Int32
	next := time.Now().Add(time.Hour).Unix()
	c := newAuthClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("X-RateLimit-Next-Available", itoa(next))
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := c.Authorize(ctx, testNPSSO)
	var re *RateLimitError
	if !errors.As(err, &re) || re.NextAvailable.Unix() != next {
		t.Fatalf("err = %v", err)
	}
	// The client now knows "not before": it sends nothing until then.
	_, err = c.Authorize(ctx, testNPSSO)
	if !errors.As(err, &re) || !re.Local || n.Load() != 1 {
		t.Fatalf("second call: err = %v, server saw %d requests", err, n.Load())
	}
}

func TestServerThatNeverAnswers(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	c := NewClient(WithEndpoint(srv.URL), WithTimeout(50*time.Millisecond), WithRetry(RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	_, err := c.Refresh(context.Background(), "ref")
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline error", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
