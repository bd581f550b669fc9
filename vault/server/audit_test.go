package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/psntest"
	"github.com/psnkit/psn/seal"
	"github.com/psnkit/psn/store/sqlite"
	"github.com/psnkit/psn/vault"
)

// auditLines parses the JSON lines of an audit log.
func auditLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(s) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("audit line is not JSON: %q", line)
		}
		if m["msg"] != "audit" {
			t.Fatalf("audit line without msg audit: %q", line)
		}
		ts, _ := m["time"].(string)
		if at, err := time.Parse(time.RFC3339Nano, ts); err != nil || at.Location() != time.UTC || time.Since(at) > time.Hour {
			t.Fatalf("audit line time %q is not a recent UTC instant", ts)
		}
		out = append(out, m)
	}
	return out
}

// TestAuditTrail: accounts added and deleted, tokens handed out and
// requests refused are audit lines naming the key, the account and the
// remote address; no line holds a token, an NPSSO or an API key.
func TestAuditTrail(t *testing.T) {
	e := newScopeEnv(t)
	adminID, _ := ParseAPIKey(e.key.Reveal())
	listedID, _ := ParseAPIKey(e.listed.Reveal())
	npsso := e.user(0).NPSSO
	var handedOut []string
	step := func(key, method, path, body string, want int) {
		t.Helper()
		code, b := e.do(method, path, key, body)
		if code != want {
			t.Fatalf("%s %s = %d %s, want %d", method, path, code, b, want)
		}
		var tr TokenResponse
		if json.Unmarshal(b, &tr) == nil && tr.AccessToken != "" {
			handedOut = append(handedOut, tr.AccessToken)
		}
	}
	step(e.key.Reveal(), "POST", "/v1/accounts", addBody("alice", npsso, true), 200)
	step(e.listed.Reveal(), "GET", "/v1/accounts/alice/token", "", 200)
	step(e.listed.Reveal(), "GET", "/v1/accounts/carol/token", "", 403)
	step(e.listed.Reveal(), "GET", "/v1/accounts/"+npsso+"/token", "", 403) // a pasted NPSSO as the name
	step(e.listed.Reveal(), "POST", "/v1/accounts", addBody("alice", npsso, true), 403)
	step("", "GET", "/v1/accounts/alice/token", "", 401)
	step(npsso, "GET", "/v1/accounts/alice/token", "", 401) // a secret as the key
	step("", "GET", "/v1/accounts/"+npsso+"/token", "", 401)
	step("", "GET", "/v1/"+e.key.Reveal(), "", 401)
	step(e.key.Reveal(), "DELETE", "/v1/accounts/carol", "", 204)

	lines := auditLines(t, e.audit.String())
	type want struct{ event, keyID, account, path string }
	wants := []want{
		{AuditAccountAdded, adminID, "alice", ""},
		{AuditTokenIssued, listedID, "alice", ""},
		{AuditForbidden, listedID, "", "/v1/accounts/carol/token"},
		{AuditForbidden, listedID, "", "/v1/accounts/{redacted}/token"},
		{AuditForbidden, listedID, "", "/v1/accounts"},
		{AuditUnauthorized, "", "", "/v1/accounts/alice/token"},
		{AuditUnauthorized, "", "", "/v1/accounts/alice/token"},
		{AuditUnauthorized, "", "", "/v1/accounts/{redacted}/token"},
		{AuditUnauthorized, "", "", "/v1/{redacted}"},
		{AuditAccountDeleted, adminID, "carol", ""},
	}
	if len(lines) != len(wants) {
		t.Fatalf("%d audit lines, want %d:\n%s", len(lines), len(wants), e.audit.String())
	}
	for i, w := range wants {
		l := lines[i]
		if l["event"] != w.event || (w.account != "" && l["account"] != w.account) || (w.path != "" && l["path"] != w.path) {
			t.Errorf("line %d = %v, want event %s account %q path %q", i, l, w.event, w.account, w.path)
		}
		if id, _ := l["key_id"].(string); id != w.keyID {
			t.Errorf("line %d: key_id %q, want %q", i, id, w.keyID)
		}
		if r, _ := l["remote"].(string); !strings.HasPrefix(r, "127.0.0.1:") {
			t.Errorf("line %d: remote %q", i, r)
		}
	}
	if lines[0]["created"] != false || lines[1]["rejected"] != false || lines[1]["key_name"] != "listed" {
		t.Errorf("details: %v, %v", lines[0], lines[1])
	}
	if fp, _ := lines[1]["token_fp"].(string); fp != TokenFingerprint(handedOut[0]) {
		t.Errorf("token_fp %q, want the fingerprint of the token handed out", fp)
	}

	// No secret anywhere: tokens (handed out and stored), NPSSOs, API keys.
	secrets := append([]string{}, handedOut...)
	for _, name := range []string{"alice", "bob"} {
		secrets = append(secrets, e.secrets(name)...)
	}
	for i := range 3 {
		secrets = append(secrets, e.user(i).NPSSO)
	}
	for _, k := range []string{e.key.Reveal(), e.listed.Reveal(), e.star.Reveal(), e.carol.Reveal()} {
		secrets = append(secrets, k, k[len(k)-43:])
	}
	all := e.audit.String()
	for _, s := range secrets {
		if strings.Contains(all, s) {
			t.Fatalf("a secret (%d chars) is in the audit trail:\n%s", len(s), all)
		}
	}
}

// lockedBuffer records each Write separately.
type lockedBuffer struct {
	mu     sync.Mutex
	writes [][]byte
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.writes = append(b.writes, bytes.Clone(p))
	return len(p), nil
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(bytes.Join(b.writes, nil))
}

// TestAuditWriterFlushes: a line is written within AuditFlushInterval,
// not at once, and Close writes what is left.
func TestAuditWriterFlushes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var out lockedBuffer
		w := NewAuditWriter(&out, nil)
		log := NewAuditLogger(w)
		log.Info("audit", "event", "one")
		if out.String() != "" {
			t.Fatal("written at once; want buffered")
		}
		time.Sleep(AuditFlushInterval)
		synctest.Wait()
		if !strings.Contains(out.String(), `"event":"one"`) {
			t.Fatalf("not written after %v: %q", AuditFlushInterval, out.String())
		}
		log.Info("audit", "event", "two")
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), `"event":"two"`) {
			t.Fatal("Close did not write the rest")
		}
		log.Info("audit", "event", "three") // after Close: written through
		if !strings.HasSuffix(out.String(), "\"event\":\"three\"}\n") {
			t.Fatalf("a line after Close: %q", out.String())
		}
	})
}

// TestAuditWriterWholeLines: under concurrent writers and bursts that
// fill the buffer, every write to the file holds whole lines, and none is
// lost or repeated.
func TestAuditWriterWholeLines(t *testing.T) {
	var out lockedBuffer
	w := NewAuditWriter(&out, nil)
	log := NewAuditLogger(w)
	const writers, each = 8, 2000
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			for i := range each {
				log.Info("audit", "event", "x", "n", fmt.Sprintf("%d-%d", g, i), "pad", strings.Repeat("p", 50))
			}
		})
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, b := range out.writes {
		if len(b) == 0 || b[len(b)-1] != '\n' {
			t.Fatalf("a write that does not end a line (%d bytes)", len(b))
		}
		for line := range strings.Lines(string(b)) {
			var m struct{ N string }
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("a broken line: %q", line)
			}
			if seen[m.N] {
				t.Fatalf("line %s twice", m.N)
			}
			seen[m.N] = true
		}
	}
	if len(seen) != writers*each {
		t.Fatalf("%d lines written, want %d", len(seen), writers*each)
	}
	if len(out.writes) < 2 {
		t.Fatalf("%d writes for %d KiB: a full buffer should be written at once", len(out.writes), writers*each*120/1024)
	}
}

func TestOpenAuditFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	for i := range 2 {
		f, err := OpenAuditFile(path)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(f, "line %d\n", i)
		f.Close()
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", fi.Mode().Perm())
	}
	if b, _ := os.ReadFile(path); string(b) != "line 0\nline 1\n" {
		t.Fatalf("content %q, want both lines appended", b)
	}
}

// BenchmarkTokenAudit measures a token request served from memory through
// the handler, with and without the audit trail (buffered, to io.Discard):
// the audit line is the difference.
func BenchmarkTokenAudit(b *testing.B) {
	for _, audited := range []bool{false, true} {
		b.Run(fmt.Sprintf("audit=%v", audited), func(b *testing.B) {
			e := newBenchEnv(b, audited)
			req := httptest.NewRequest(http.MethodGet, "/v1/accounts/alice/token", nil)
			req.Header.Set("Authorization", "Bearer "+e.key)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				w := httptest.NewRecorder()
				e.h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("%d %s", w.Code, w.Body)
				}
			}
		})
	}
}

type benchEnv struct {
	h   http.Handler
	key string
}

func newBenchEnv(b *testing.B, audited bool) benchEnv {
	b.Helper()
	ctx := b.Context()
	sim := psntest.New(psntest.Config{Users: 1, AccessTTL: time.Hour, RateLimit: 1 << 30})
	ps := httptest.NewServer(sim.Handler())
	b.Cleanup(ps.Close)
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "psn.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	var k [32]byte
	keys, err := vault.LoadKeys(ctx, st, seal.KeyBase64(base64.StdEncoding.EncodeToString(k[:])))
	if err != nil {
		b.Fatal(err)
	}
	cfg := ServiceConfig{Store: st, Keys: keys, Logger: slog.New(slog.DiscardHandler),
		ClientOptions: []psn.Option{psn.WithEndpoint(ps.URL), psn.WithClock(sim.Now)}, Now: sim.Now}
	if audited {
		w := NewAuditWriter(io.Discard, nil)
		b.Cleanup(func() { w.Close() })
		cfg.Audit = NewAuditLogger(w)
	}
	svc, err := NewService(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { svc.Close(context.Background()) })
	if _, _, err := svc.AddAccount(ctx, "alice", psn.Secret(sim.Users()[0].NPSSO), false); err != nil {
		b.Fatal(err)
	}
	ak := NewAPIKeys(st)
	key, _, err := ak.Create(ctx, "bench")
	if err != nil {
		b.Fatal(err)
	}
	return benchEnv{h: NewHandler(svc, ak), key: key.Reveal()}
}

// FuzzAuditPath: whatever the path, an audit line's path holds only valid
// account names that are not NPSSO-shaped, "{redacted}" and "…", at most
// 9 segments.
func FuzzAuditPath(f *testing.F) {
	f.Add("/v1/accounts/alice/token")
	f.Add("/v1/accounts/" + strings.Repeat("aB3", 21) + "x/token")
	f.Add("/v1/psnv_0123456789abcdef_" + strings.Repeat("A", 43))
	f.Add("//a/../b/%2F/" + strings.Repeat("x/", 20))
	f.Fuzz(func(t *testing.T, p string) {
		got := auditPath(&http.Request{URL: &url.URL{Path: p}})
		segs := strings.Split(strings.TrimPrefix(got, "/"), "/")
		if len(segs) > 9 {
			t.Fatalf("auditPath(%q) = %q: %d segments", p, got, len(segs))
		}
		for _, s := range segs {
			if s == "" || s == "{redacted}" || s == "…" {
				continue
			}
			if _, err := psn.ParseNPSSO(s); !vault.ValidAccountName(s) || err == nil {
				t.Fatalf("auditPath(%q) = %q: segment %q shown", p, got, s)
			}
		}
	})
}
