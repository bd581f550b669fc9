package server

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// TestLoginLimitCountsIPv6Networks: one IPv6 client holds a whole /64, so
// the failed-login limit counts a /64 as one address; another /64 is not
// held back.
func TestLoginLimitCountsIPv6Networks(t *testing.T) {
	g := newGuardedEnv(t, false)
	h := NewHandler(g.svc, g.keys, PagesNeedKey(), withWallClock(g.clock.now))
	login := func(remote, key string) int {
		t.Helper()
		r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"key": {key}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.RemoteAddr = remote
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	bad := "psnv_0123456789abcdef_" + strings.Repeat("A", 43)
	for i := range loginMaxFailures {
		if code := login(fmt.Sprintf("[2001:db8:1:2::%x]:4000", i+1), bad); code != http.StatusUnauthorized {
			t.Fatalf("failure %d = %d, want 401", i, code)
		}
	}
	if code := login("[2001:db8:1:2:ffff::1]:4000", g.key.Reveal()); code != http.StatusTooManyRequests {
		t.Fatalf("login from the same /64 after %d failures = %d, want 429", loginMaxFailures, code)
	}
	if code := login("[2001:db8:1:3::1]:4000", g.key.Reveal()); code != http.StatusSeeOther {
		t.Fatalf("login from another /64 = %d, want 303", code)
	}
}

// TestLoginLimitHoldsUnderParallelTries: tries sent at once, while their
// keys are being checked, count against the limit too: of 2×limit parallel
// wrong keys from one address, only limit are checked, the rest get 429.
func TestLoginLimitHoldsUnderParallelTries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := &slowMeta{release: make(chan struct{})}
		w := newWebAuth(&Service{log: slog.New(slog.DiscardHandler)}, NewAPIKeys(st), nil)
		w.audit = func(*http.Request, string, ...slog.Attr) {}
		bad := "psnv_0123456789abcdef_" + strings.Repeat("A", 43)
		codes := make([]int, 2*loginMaxFailures)
		var wg sync.WaitGroup
		for i := range codes {
			wg.Go(func() {
				r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"key": {bad}}.Encode()))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				r.RemoteAddr = "192.0.2.7:4000"
				rec := httptest.NewRecorder()
				w.login(rec, r)
				codes[i] = rec.Code
			})
		}
		synctest.Wait() // every try is in flight: checked, or refused
		close(st.release)
		wg.Wait()
		n := map[int]int{}
		for _, c := range codes {
			n[c]++
		}
		if n[http.StatusUnauthorized] != loginMaxFailures || n[http.StatusTooManyRequests] != loginMaxFailures {
			t.Fatalf("%d parallel wrong keys: %v answers, want %d×401 and the rest 429", len(codes), n, loginMaxFailures)
		}
	})
}

// TestLoginLimitSurvivesAFullTable: when failures from maxFailAddrs other
// networks fill the table, an address held back stays held back (the
// table forgets the windows with the fewest failures, not everyone's).
func TestLoginLimitSurvivesAFullTable(t *testing.T) {
	now := time.Date(2026, 12, 2, 7, 0, 0, 0, time.UTC)
	w := newWebAuth(&Service{log: slog.New(slog.DiscardHandler)}, NewAPIKeys(nil), []HandlerOption{withWallClock(func() time.Time { return now })})
	victim := netip.MustParseAddr("192.0.2.7")
	for range loginMaxFailures {
		w.failed(victim)
	}
	if busy, _, _ := w.throttled(victim); !busy {
		t.Fatal("the address is not held back after the limit")
	}
	for i := range maxFailAddrs + 10 {
		now = now.Add(time.Millisecond)
		w.failed(netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, byte(i >> 8), byte(i), 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}))
	}
	if len(w.fails) > maxFailAddrs {
		t.Fatalf("%d windows remembered, want at most %d", len(w.fails), maxFailAddrs)
	}
	if busy, _, _ := w.throttled(victim); !busy {
		t.Fatal("failures from many other networks freed an address that was held back")
	}
}
