package psn

// Helpers that load the vcrpy recordings in testdata/psn-recorded
// and serve them from an httptest server, so the data calls run against
// PSN's real answers.

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/psnkit/psn/internal/recorded"
)

// interaction returns the i-th data interaction of a recording, skipping
// the auth exchanges (ca.account.sony.com).
func interaction(t testing.TB, name string, i int) recorded.Interaction {
	t.Helper()
	data := dataInteractions(t, name)
	if i >= len(data) {
		t.Fatalf("%s has %d data interactions, want index %d", name, len(data), i)
	}
	return data[i]
}

// dataInteractions returns a recording's interactions without the auth
// exchanges (ca.account.sony.com).
func dataInteractions(t testing.TB, name string) []recorded.Interaction {
	t.Helper()
	var data []recorded.Interaction
	for _, in := range recorded.Load(t, name).Interactions {
		if !strings.Contains(in.Request.URI, "ca.account.sony.com") {
			data = append(data, in)
		}
	}
	return data
}

// seenRequest is a request the replay server received.
type seenRequest struct {
	Method  string
	Path    string // escaped path
	Query   url.Values
	Header  http.Header
	Body    string
	RawPath string
}

// replay is an httptest server that answers every request with the next
// recorded response of its script, in order, and remembers the requests.
type replay struct {
	*httptest.Server
	mu     sync.Mutex
	script []recorded.Interaction
	seen   []seenRequest
}

func newReplay(t testing.TB, script ...recorded.Interaction) *replay {
	t.Helper()
	r := &replay{script: script}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (r *replay) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.seen = append(r.seen, seenRequest{Method: req.Method, Path: req.URL.EscapedPath(), RawPath: req.URL.RawPath, Query: req.URL.Query(), Header: req.Header.Clone(), Body: string(body)})
	n := len(r.seen) - 1
	var in *recorded.Interaction
	if n < len(r.script) {
		in = &r.script[n]
	}
	r.mu.Unlock()
	if in == nil {
		http.Error(w, `{"error":{"code":0,"message":"replay: no more recorded responses"}}`, http.StatusTeapot)
		return
	}
	for _, k := range []string{"Content-Type", "X-RateLimit-Next-Available", "Retry-After"} {
		for hk, hv := range in.Response.Headers {
			if strings.EqualFold(hk, k) {
				for _, v := range hv {
					w.Header().Add(k, v)
				}
			}
		}
	}
	if w.Header().Get("Content-Type") == "" && in.Response.Body.String != "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(in.Response.Status.Code)
	io.WriteString(w, in.Response.Body.String)
}

// requests returns what the server received so far.
func (r *replay) requests() []seenRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.seen)
}

// staticSource is a TokenSource with a fixed token.
type staticSource struct{}

func (staticSource) Token(context.Context) (*Token, error) {
	far := time.Now().Add(100 * 365 * 24 * time.Hour)
	return &Token{AccessToken: "t", RefreshToken: "r", TokenType: "bearer", Expiry: far, RefreshExpiry: far, IssuedAt: time.Now()}, nil
}

// testClient returns a Client that talks to base with a static token, no
// client-side rate limit and no retries.
func testClient(base string, opts ...Option) *Client {
	all := append([]Option{WithEndpoint(base), WithLimiter(nil), WithRetry(RetryPolicy{MaxAttempts: 1})}, opts...)
	return NewClient(all...).WithTokenSource(staticSource{})
}

// replayClient serves the given interactions and returns a client for them.
func replayClient(t testing.TB, script ...recorded.Interaction) (*Client, *replay) {
	t.Helper()
	r := newReplay(t, script...)
	return testClient(r.URL), r
}

// recordedURL parses an interaction's request URI.
func recordedURL(t testing.TB, in recorded.Interaction) *url.URL {
	t.Helper()
	u, err := url.Parse(in.Request.URI)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// assertSameRequest checks that got matches the recorded request: method,
// escaped path and query values (order-insensitive).
func assertSameRequest(t testing.TB, got seenRequest, in recorded.Interaction) {
	t.Helper()
	want := recordedURL(t, in)
	if got.Method != in.Request.Method {
		t.Errorf("method = %s, want %s", got.Method, in.Request.Method)
	}
	if got.Path != want.EscapedPath() {
		t.Errorf("path = %s, want %s", got.Path, want.EscapedPath())
	}
	wq := want.Query()
	for k, v := range wq {
		if !slices.Equal(normQuery(got.Query[k]), normQuery(v)) {
			t.Errorf("query %s = %q, want %q", k, got.Query[k], v)
		}
	}
	for k := range got.Query {
		if _, ok := wq[k]; !ok {
			t.Errorf("unexpected query parameter %s=%q", k, got.Query[k])
		}
	}
}

// normQuery makes JSON-valued query parameters comparable (PSNAWP's JSON
// has spaces after separators, ours does not) and drops a trailing comma
// in id lists (PSNAWP sends "A," for one id).
func normQuery(v []string) []string {
	out := make([]string, len(v))
	for i, s := range v {
		var x any
		if json.Unmarshal([]byte(s), &x) == nil {
			if b, err := json.Marshal(x); err == nil {
				s = string(b)
			}
		}
		out[i] = strings.TrimSuffix(s, ",")
	}
	return out
}

// funcServer serves h and returns a client for it plus the request log.
func funcServer(t testing.TB, h http.HandlerFunc, opts ...Option) (*Client, *replay) {
	t.Helper()
	r := &replay{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.seen = append(r.seen, seenRequest{Method: req.Method, Path: req.URL.EscapedPath(), RawPath: req.URL.RawPath, Query: req.URL.Query(), Header: req.Header.Clone(), Body: string(body)})
		r.mu.Unlock()
		h(w, req)
	}))
	t.Cleanup(r.Close)
	return testClient(r.URL, opts...), r
}

// writeJSON answers with a JSON body.
func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}
