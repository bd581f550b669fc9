package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/psnkit/psn/psntest"
)

// The data commands are tested end to end: run(...) against a psntest
// simulator, as a user runs psn against PSN. A wrapper logs every request
// the CLI sends with the answer it got, so that each test can compare the
// CLI's output with the simulator's own answer.

// exchange is one request the CLI sent, with the answer it got.
type exchange struct {
	method, path, query string // path as sent, still escaped
	status              int
	body                []byte
}

// testEnv is a simulator behind a logging wrapper, and a config
// dir in which one of its users is logged in.
type testEnv struct {
	t    *testing.T
	sim  *psntest.Sim
	srv  *httptest.Server
	env  map[string]string
	user psntest.User

	mu   sync.Mutex
	log  []exchange
	hook func(r *http.Request) // runs before each PSN request is served
}

// newTestEnv starts a simulator with cfg, logs in its user #userIdx.
func newTestEnv(t *testing.T, cfg psntest.Config, userIdx int) *testEnv {
	t.Helper()
	e := &testEnv{t: t, sim: psntest.New(cfg)}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/_sim") || strings.HasPrefix(r.URL.Path, "/api/authz/") {
			e.sim.Handler().ServeHTTP(w, r)
			return
		}
		e.mu.Lock()
		hook := e.hook
		e.mu.Unlock()
		if hook != nil {
			hook(r)
		}
		rec := httptest.NewRecorder()
		e.sim.Handler().ServeHTTP(rec, r)
		x := exchange{method: r.Method, path: r.URL.EscapedPath(), query: r.URL.RawQuery, status: rec.Code, body: rec.Body.Bytes()}
		e.mu.Lock()
		e.log = append(e.log, x)
		e.mu.Unlock()
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	}))
	t.Cleanup(e.srv.Close)
	users := e.sim.Users()
	if userIdx >= len(users) {
		t.Fatalf("the simulator has %d users, want #%d", len(users), userIdx)
	}
	e.user = users[userIdx]
	e.env = map[string]string{"PSN_CONFIG_DIR": t.TempDir(), "PSN_ENDPOINT": e.srv.URL}
	e.env["PSN_NPSSO"] = e.user.NPSSO
	if code, _, stderr := e.run(context.Background(), "login"); code != 0 {
		t.Fatalf("psn login: exit %d: %s", code, stderr)
	}
	delete(e.env, "PSN_NPSSO")
	e.reset()
	return e
}

// run runs psn with args and returns exit code, stdout and stderr.
func (e *testEnv) run(ctx context.Context, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(ctx, args, strings.NewReader(""), &out, &errb, func(k string) string { return e.env[k] })
	return code, out.String(), errb.String()
}

// ok runs psn and fails the test unless it exits 0.
func (e *testEnv) ok(args ...string) (stdout, stderr string) {
	e.t.Helper()
	code, stdout, stderr := e.run(context.Background(), args...)
	if code != 0 {
		e.t.Fatalf("psn %s: exit %d\nstderr: %s", strings.Join(args, " "), code, stderr)
	}
	return stdout, stderr
}

// reset forgets the requests logged so far.
func (e *testEnv) reset() {
	e.mu.Lock()
	e.log = nil
	e.mu.Unlock()
}

// requests returns the requests logged since the last reset.
func (e *testEnv) requests() []exchange {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]exchange(nil), e.log...)
}

// answer returns the body of the last 2xx answer to a path matching re.
func (e *testEnv) answer(re string) []byte {
	e.t.Helper()
	rx := regexp.MustCompile(re)
	log := e.requests()
	for i := len(log) - 1; i >= 0; i-- {
		if log[i].status/100 == 2 && rx.MatchString(log[i].path) {
			return log[i].body
		}
	}
	var paths []string
	for _, x := range log {
		paths = append(paths, fmt.Sprintf("%s %s → %d", x.method, x.path, x.status))
	}
	e.t.Fatalf("no 2xx answer to a path matching %s; requests: %s", re, strings.Join(paths, ", "))
	return nil
}

// answers returns the bodies of every 2xx answer to paths matching re.
func (e *testEnv) answers(re string) [][]byte {
	rx := regexp.MustCompile(re)
	var out [][]byte
	for _, x := range e.requests() {
		if x.status/100 == 2 && rx.MatchString(x.path) {
			out = append(out, x.body)
		}
	}
	return out
}

// decode parses JSON into a generic value, failing the test on error.
func decode(t testing.TB, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("not JSON: %v\n%.300s", err, b)
	}
	return v
}

// jsonContains lists how got fails to hold every key and value of want
// (got may add keys of its own; arrays must match element by element).
// A null or "" in want may be absent from got: the psn package's types
// leave those out (omitempty), and -o json is the typed struct's JSON.
func jsonContains(want, got any, path string) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an object, got %T", path, got)}
		}
		var out []string
		for k, wv := range w {
			gv, ok := g[k]
			if !ok && (wv == nil || wv == "") {
				continue
			}
			if !ok {
				out = append(out, fmt.Sprintf("%s.%s: missing", path, k))
				continue
			}
			out = append(out, jsonContains(wv, gv, path+"."+k)...)
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an array, got %T", path, got)}
		}
		if len(g) != len(w) {
			return []string{fmt.Sprintf("%s: %d items, want %d", path, len(g), len(w))}
		}
		var out []string
		for i := range w {
			out = append(out, jsonContains(w[i], g[i], fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	}
	if fmt.Sprint(want) == fmt.Sprint(got) || sameInstant(want, got) {
		return nil
	}
	return []string{fmt.Sprintf("%s: %v, want %v", path, got, want)}
}

// sameInstant reports whether a and b are RFC 3339 strings of one instant
// ("…34.000000Z" and "…34Z" are: Go writes no trailing zeros).
func sameInstant(a, b any) bool {
	as, ok1 := a.(string)
	bs, ok2 := b.(string)
	if !ok1 || !ok2 {
		return false
	}
	ta, err1 := time.Parse(time.RFC3339Nano, as)
	tb, err2 := time.Parse(time.RFC3339Nano, bs)
	return err1 == nil && err2 == nil && ta.Equal(tb)
}

// mustContain fails unless got holds every field of want.
func mustContain(t testing.TB, want, got any) {
	t.Helper()
	if d := jsonContains(want, got, "json"); len(d) > 0 {
		if len(d) > 10 {
			d = append(d[:10], fmt.Sprintf("… %d more", len(d)-10))
		}
		t.Fatalf("CLI JSON lacks PSN's fields:\n%s", strings.Join(d, "\n"))
	}
}
