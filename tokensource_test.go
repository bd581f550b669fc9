package psn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// grantServer is a small OAuth server for lifecycle tests inside synctest
// bubbles (the psntest simulator covers the full protocol elsewhere). It
// issues tokens with the given lifetimes and counts grants.
type grantServer struct {
	accessTTL, refreshTTL time.Duration
	rotate                bool

	mu             sync.Mutex
	n              int
	refreshGrants  int
	codeGrants     int
	liveRefresh    map[string]time.Time // refresh token → expiry
	liveNPSSO      string
	failRefresh    int // answer the next N refresh grants with 503
	killAllRefresh bool
	invalidGrants  int // refresh grants answered invalid_grant
}

func newGrantServer(access, refresh time.Duration) *grantServer {
	return &grantServer{accessTTL: access, refreshTTL: refresh, liveRefresh: map[string]time.Time{}, liveNPSSO: testNPSSO}
}

func (g *grantServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	switch r.URL.Path {
	case "/api/authz/v3/oauth/authorize":
		if r.Header.Get("Cookie") != "npsso="+g.liveNPSSO || g.liveNPSSO == "" {
			w.Header().Set("Location", "https://my.account.sony.com/sonyacct/signin/?error=login_required&error_code=4165&error_description=User+is+not+authenticated")
		} else {
			w.Header().Set("Location", RedirectURI+"/?code=v3.code&cid=c")
		}
		w.WriteHeader(http.StatusFound)
	case "/api/authz/v3/oauth/token":
		b, _ := io.ReadAll(r.Body)
		f, _ := url.ParseQuery(string(b))
		var rtExpiry time.Time
		rt := ""
		switch f.Get("grant_type") {
		case "authorization_code":
			g.codeGrants++
			g.n++
			rt = fmt.Sprintf("rt-%d", g.n)
			rtExpiry = now.Add(g.refreshTTL)
			g.liveRefresh[rt] = rtExpiry
		case "refresh_token":
			if g.failRefresh > 0 {
				g.failRefresh--
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			exp, ok := g.liveRefresh[f.Get("refresh_token")]
			if !ok || !now.Before(exp) || g.killAllRefresh {
				g.invalidGrants++
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, `{"error":"invalid_grant","error_description":"Invalid refresh token","error_code":4159}`)
				return
			}
			g.refreshGrants++
			g.n++
			rt, rtExpiry = f.Get("refresh_token"), exp
			if g.rotate {
				delete(g.liveRefresh, rt)
				rt = fmt.Sprintf("rt-%d", g.n)
				g.liveRefresh[rt] = exp
			}
		}
		fmt.Fprintf(w, `{"access_token":"at-%d","token_type":"bearer","expires_in":%d,"scope":"psn:mobile.v2.core psn:clientapp","id_token":"id","refresh_token":%q,"refresh_token_expires_in":%d}`,
			g.n, int(g.accessTTL/time.Second)-1, rt, int(rtExpiry.Sub(now)/time.Second))
	default:
		http.NotFound(w, r)
	}
}

func (g *grantServer) counts() (code, refresh int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.codeGrants, g.refreshGrants
}

// lifecycle sets up a client and a logged-in source inside a bubble.
func lifecycle(t *testing.T, g *grantServer, keepNPSSO bool, opts ...SourceOption) (*Client, *RefreshingSource, *MemoryTokenStore) {
	t.Helper()
	c := NewClient(WithHTTPClient(&http.Client{Transport: handlerTransport{g}}), WithLimiter(nil),
		WithRetry(RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, MaxWait: time.Second}))
	tok, err := c.Login(context.Background(), testNPSSO)
	if err != nil {
		t.Fatal(err)
	}
	var npsso Secret
	if keepNPSSO {
		npsso = testNPSSO
	}
	store := NewMemoryTokenStore(tok, npsso)
	return c, NewRefreshingSource(c, store, opts...), store
}

func TestSourceServesCachedTokenUntilAdvisoryWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGrantServer(time.Hour, 60*24*time.Hour)
		_, src, _ := lifecycle(t, g, false, WithRefreshWindows(15*time.Minute, time.Minute, 0))
		ctx := context.Background()
		first, err := src.Token(ctx)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(44 * time.Minute)
		again, _ := src.Token(ctx)
		if again != first {
			t.Fatal("token changed before the advisory window")
		}
		if _, r := g.counts(); r != 0 {
			t.Fatalf("%d refreshes before the advisory window", r)
		}
		// Advisory window: the current token is served, one refresh starts.
		time.Sleep(2 * time.Minute)
		during, _ := src.Token(ctx)
		if during != first {
			t.Fatal("advisory window must keep serving the current token")
		}
		synctest.Wait()
		if _, r := g.counts(); r != 1 {
			t.Fatalf("%d refreshes after entering the advisory window, want 1", r)
		}
		after, _ := src.Token(ctx)
		if after == first || after.AccessToken == first.AccessToken {
			t.Fatal("new token not served after the background refresh")
		}
	})
}

func TestSourceOneRefreshForManyCallersAtExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGrantServer(time.Hour, 60*24*time.Hour)
		_, src, store := lifecycle(t, g, false)
		time.Sleep(time.Hour) // expired
		var wg sync.WaitGroup
		var failures atomic.Int32
		got := make([]*Token, 1000)
		for i := range got {
			wg.Go(func() {
				tok, err := src.Token(context.Background())
				if err != nil {
					failures.Add(1)
				}
				got[i] = tok
			})
		}
		wg.Wait()
		if _, r := g.counts(); r != 1 || failures.Load() != 0 {
			t.Fatalf("%d refresh grants, %d failures; want 1, 0", r, failures.Load())
		}
		st, _ := store.Load(context.Background())
		for _, tok := range got {
			if tok.AccessToken != st.Token.AccessToken {
				t.Fatal("a caller got a token that is not the stored one")
			}
		}
	})
}

// savingStore records the order of events, to prove save-before-use.
type savingStore struct {
	*MemoryTokenStore
	saved  atomic.Value // Secret
	failOn atomic.Bool
}

func (s *savingStore) Save(ctx context.Context, st TokenState, want int64) (int64, error) {
	if s.failOn.Load() {
		return 0, errors.New("disk full")
	}
	v, err := s.MemoryTokenStore.Save(ctx, st, want)
	if err == nil {
		s.saved.Store(st.Token.AccessToken)
	}
	return v, err
}

func TestSourceSavesBeforeServing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGrantServer(time.Hour, 60*24*time.Hour)
		c, _, mem := lifecycle(t, g, false)
		st := &savingStore{MemoryTokenStore: mem}
		var sawSaved bool
		src := NewRefreshingSource(c, st, OnRefresh(func(ctx context.Context, tok *Token, _ RefreshReason) {
			sawSaved = st.saved.Load() == tok.AccessToken
		}))
		time.Sleep(time.Hour)
		tok, err := src.Token(context.Background())
		if err != nil || !sawSaved || st.saved.Load() != tok.AccessToken {
			t.Fatalf("token %v err %v: not saved before it was handed out", tok, err)
		}

		// A refresh whose result cannot be saved is not served.
		st.failOn.Store(true)
		time.Sleep(time.Hour)
		if tok2, err := src.Token(context.Background()); err == nil {
			t.Fatalf("served %v although saving failed", tok2)
		}
	})
}

func TestSourceKeepsOldRefreshTokenWhenNoneReturned(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n atomic.Int32
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"access_token":"at-%d","token_type":"bearer","expires_in":3599,"scope":"s"}`, n.Add(1))
		})
		c := NewClient(WithHTTPClient(&http.Client{Transport: handlerTransport{h}}), WithLimiter(nil))
		now := time.Now()
		store := NewMemoryTokenStore(&Token{AccessToken: "old", RefreshToken: "keep-me", Expiry: now, RefreshExpiry: now.Add(24 * time.Hour), IssuedAt: now.Add(-time.Hour)}, "")
		src := NewRefreshingSource(c, store)
		tok, err := src.Token(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		st, _ := store.Load(context.Background())
		if tok.RefreshToken != "keep-me" || st.Token.RefreshToken != "keep-me" || !st.Token.RefreshExpiry.Equal(now.Add(24*time.Hour)) {
			t.Fatalf("old refresh token lost: %v / stored %v", tok, st.Token)
		}
	})
}

func TestSourceRotatedRefreshTokenIsStored(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGrantServer(time.Hour, 60*24*time.Hour)
		g.rotate = true
		_, src, store := lifecycle(t, g, false)
		for range 3 {
			time.Sleep(time.Hour)
			if _, err := src.Token(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		st, _ := store.Load(context.Background())
		if st.Token.RefreshToken == "rt-1" {
			t.Fatal("rotated refresh token not stored")
		}
		if _, r := g.counts(); r != 3 {
			t.Fatalf("%d refreshes, want 3", r)
		}
	})
}

func TestSourceKeepsServingValidTokenWhenRefreshFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGrantServer(time.Hour, 60*24*time.Hour)
		_, src, _ := lifecycle(t, g, false, WithRefreshWindows(15*time.Minute, time.Minute, 0), WithBackoff(10*time.Second, time.Minute))
		ctx := context.Background()
		first, _ := src.Token(ctx)
		g.mu.Lock()
		g.failRefresh = 1000
		g.mu.Unlock()
		time.Sleep(59*time.Minute + 10*time.Second) // mandatory window, token still valid
		tok, err := src.Token(ctx)
		if err != nil || tok.AccessToken != first.AccessToken {
			t.Fatalf("got %v, %v; want the still-valid token", tok, err)
		}
		// Backing off: more calls do not hammer the token endpoint.
		before := g.failRefresh
		for range 50 {
			src.Token(ctx)
		}
		if g.failRefresh != before {
			t.Fatalf("%d refresh attempts during backoff", before-g.failRefresh)
		}
		// Once the token is expired, the failure surfaces.
		time.Sleep(time.Minute)
		if _, err := src.Token(ctx); !errors.Is(err, ErrServer) {
			t.Fatalf("err = %v, want ErrServer after expiry", err)
		}
		// And the service recovers when PSN does.
		g.mu.Lock()
		g.failRefresh = 0
		g.mu.Unlock()
		time.Sleep(2 * time.Minute)
		if _, err := src.Token(ctx); err != nil {
			t.Fatalf("after recovery: %v", err)
		}
	})
}

func TestSourceFallsBackToNPSSOOnceThenLoginRequired(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGrantServer(time.Hour, 3*time.Hour)
		var hooks []string
		_, src, store := lifecycle(t, g, true,
			WithWarnBefore(2*time.Hour),
			OnRefresh(func(_ context.Context, _ *Token, r RefreshReason) { hooks = append(hooks, "refresh:"+string(r)) }),
			OnRefreshExpiring(func(_ context.Context, _ time.Time, kept bool) {
				hooks = append(hooks, fmt.Sprintf("expiring:%v", kept))
			}),
			OnLoginRequired(func(_ context.Context, e *LoginRequiredError) { hooks = append(hooks, "login:"+string(e.Which)) }))
		ctx := context.Background()
		for range 3 { // 3 hours: refresh, refresh, then the refresh token is dead
			time.Sleep(time.Hour)
			if _, err := src.Token(ctx); err != nil {
				t.Fatal(err)
			}
		}
		code, refresh := g.counts()
		if code != 2 || refresh != 2 {
			t.Fatalf("grants: %d code, %d refresh; want 2 (login + NPSSO fallback), 2", code, refresh)
		}
		// The NPSSO dies too (the user made a new one elsewhere).
		g.mu.Lock()
		g.liveNPSSO = "other"
		g.killAllRefresh = true
		g.mu.Unlock()
		time.Sleep(time.Hour)
		_, err := src.Token(ctx)
		var lr *LoginRequiredError
		if !errors.Is(err, ErrLoginRequired) || !errors.As(err, &lr) || lr.Which != SecretNPSSO {
			t.Fatalf("err = %v, want login required naming the NPSSO", err)
		}
		if strings.Contains(err.Error(), testNPSSO) {
			t.Fatal("error holds the NPSSO")
		}
		// Not retried: further calls answer at once without requests.
		c1, r1 := g.counts()
		for range 10 {
			if _, err := src.Token(ctx); !errors.Is(err, ErrLoginRequired) {
				t.Fatal(err)
			}
		}
		if c2, r2 := g.counts(); c2 != c1 || r2 != r1 {
			t.Fatal("login-required state kept calling PSN")
		}
		want := "refresh:refresh_token refresh:refresh_token expiring:true refresh:npsso login:NPSSO"
		if got := strings.Join(hooks, " "); !strings.Contains(got, "refresh:npsso") || !strings.HasSuffix(got, "login:NPSSO") || !strings.Contains(got, "expiring:true") {
			t.Fatalf("hooks = %s; want like %s", got, want)
		}
		// A new login saved to the store brings the source back.
		g.mu.Lock()
		g.liveNPSSO, g.killAllRefresh = testNPSSO, false
		g.mu.Unlock()
		c := src.client
		tok, err := c.Login(ctx, testNPSSO)
		if err != nil {
			t.Fatal(err)
		}
		st, _ := store.Load(ctx)
		if _, err := store.Save(ctx, TokenState{Token: tok}, st.Version); err != nil {
			t.Fatal(err)
		}
		if got, err := src.Token(ctx); err != nil || got.AccessToken != tok.AccessToken {
			t.Fatalf("after new login: %v, %v", got, err)
		}
	})
}

func TestSourceWithoutNPSSOIsLoginRequiredAtRefreshExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGrantServer(time.Hour, 90*time.Minute)
		_, src, _ := lifecycle(t, g, false)
		time.Sleep(2 * time.Hour)
		_, err := src.Token(context.Background())
		var lr *LoginRequiredError
		if !errors.As(err, &lr) || lr.Which != SecretRefreshToken {
			t.Fatalf("err = %v", err)
		}
		if code, refresh := g.counts(); code != 1 || refresh != 0 {
			t.Fatalf("an expired refresh token must not be sent: %d code, %d refresh grants", code, refresh)
		}
	})
}

func TestSourceCallerCancelDoesNotCancelRefresh(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		slow := make(chan struct{})
		g := newGrantServer(time.Hour, 24*time.Hour)
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/api/authz/v3/oauth/token" && strings.Contains(r.Header.Get("Content-Type"), "form") {
				<-slow
			}
			g.ServeHTTP(w, r)
		})
		c := NewClient(WithHTTPClient(&http.Client{Transport: handlerTransport{h}}), WithLimiter(nil))
		close(slow)
		tok, err := c.Login(context.Background(), testNPSSO)
		if err != nil {
			t.Fatal(err)
		}
		slow = make(chan struct{})
		src := NewRefreshingSource(c, NewMemoryTokenStore(tok, ""))
		time.Sleep(time.Hour)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { _, err := src.Token(ctx); done <- err }()
		synctest.Wait()
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled caller got %v", err)
		}
		// The refresh goes on for the others.
		go func() { _, err := src.Token(context.Background()); done <- err }()
		synctest.Wait()
		close(slow)
		if err := <-done; err != nil {
			t.Fatalf("second caller: %v", err)
		}
		if _, r := g.counts(); r != 1 {
			t.Fatalf("%d refreshes, want 1", r)
		}
	})
}

func TestInvalidateDropsOnlyThatToken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGrantServer(time.Hour, 24*time.Hour)
		_, src, _ := lifecycle(t, g, false)
		ctx := context.Background()
		first, _ := src.Token(ctx)
		src.Invalidate(ctx, &Token{AccessToken: "someone-else"})
		if again, _ := src.Token(ctx); again != first {
			t.Fatal("invalidating another token dropped the current one")
		}
		var wg sync.WaitGroup
		for range 50 { // 50 concurrent 401s on the same token: one refresh
			wg.Go(func() {
				src.Invalidate(ctx, first)
				src.Token(ctx)
			})
		}
		wg.Wait()
		if _, r := g.counts(); r != 1 {
			t.Fatalf("%d refreshes after concurrent 401s, want 1", r)
		}
		if now, _ := src.Token(ctx); now.AccessToken == first.AccessToken {
			t.Fatal("rejected token still served")
		}
	})
}

func BenchmarkCachedToken(b *testing.B) {
	g := newGrantServer(time.Hour, 24*time.Hour)
	c := NewClient(WithHTTPClient(&http.Client{Transport: handlerTransport{g}}), WithLimiter(nil))
	tok, err := c.Login(context.Background(), testNPSSO)
	if err != nil {
		b.Fatal(err)
	}
	src := NewRefreshingSource(c, NewMemoryTokenStore(tok, ""))
	ctx := context.Background()
	if _, err := src.Token(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := src.Token(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestSourceBadRefreshAnswersLoseNothing(t *testing.T) {
	for name, body := range map[string]string{
		"truncated json": `{"access_token":"x","token_ty`,
		"html":           `<html><body>maintenance</body></html>`,
		"wrong types":    `{"access_token":1,"expires_in":"soon"}`,
		"no token":       `{}`,
	} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				g := newGrantServer(time.Hour, 24*time.Hour)
				var broken atomic.Bool
				h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if broken.Load() && r.URL.Path == "/api/authz/v3/oauth/token" {
						w.Write([]byte(body))
						return
					}
					g.ServeHTTP(w, r)
				})
				c := NewClient(WithHTTPClient(&http.Client{Transport: handlerTransport{h}}), WithLimiter(nil))
				tok, err := c.Login(context.Background(), testNPSSO)
				if err != nil {
					t.Fatal(err)
				}
				store := NewMemoryTokenStore(tok, "")
				src := NewRefreshingSource(c, store)
				broken.Store(true)
				time.Sleep(59*time.Minute + 30*time.Second) // must refresh, token still valid
				got, err := src.Token(context.Background())
				if err != nil || got.AccessToken != tok.AccessToken {
					t.Fatalf("got %v, %v; want the old, still-valid token", got, err)
				}
				st, _ := store.Load(context.Background())
				if st.Version != 1 || st.Token.RefreshToken != tok.RefreshToken {
					t.Fatalf("stored token changed: version %d", st.Version)
				}
				time.Sleep(time.Minute) // expired: now the failure shows
				if _, err := src.Token(context.Background()); !errors.Is(err, ErrUnexpectedResponse) {
					t.Fatalf("err = %v, want ErrUnexpectedResponse", err)
				}
				if st2, _ := store.Load(context.Background()); st2.Version != 1 || st2.Token.RefreshToken != tok.RefreshToken {
					t.Fatal("stored token lost")
				}
			})
		})
	}
}

func TestCloseWaitsForTheRefreshInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGrantServer(time.Hour, 24*time.Hour)
		hold := make(chan struct{})
		var holding atomic.Bool
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if holding.Load() && r.URL.Path == "/api/authz/v3/oauth/token" {
				<-hold
			}
			g.ServeHTTP(w, r)
		})
		c := NewClient(WithHTTPClient(&http.Client{Transport: handlerTransport{h}}), WithLimiter(nil))
		tok, err := c.Login(context.Background(), testNPSSO)
		if err != nil {
			t.Fatal(err)
		}
		store := NewMemoryTokenStore(tok, "")
		src := NewRefreshingSource(c, store)
		holding.Store(true)
		time.Sleep(time.Hour)
		// A caller gives up; its refresh goes on in the background.
		ctx, cancel := context.WithCancel(context.Background())
		go func() { time.Sleep(time.Second); cancel() }()
		if _, err := src.Token(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
		// Close with a short deadline reports the refresh still running…
		short, cancelShort := context.WithTimeout(context.Background(), time.Second)
		defer cancelShort()
		if err := src.Close(short); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Close = %v, want a deadline error while the refresh runs", err)
		}
		// …and with time, waits for it to be saved.
		done := make(chan error)
		go func() { done <- src.Close(context.Background()) }()
		synctest.Wait()
		close(hold)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		st, _ := store.Load(context.Background())
		if st.Version != 2 || st.Token.AccessToken == tok.AccessToken {
			t.Fatalf("the refresh in flight was not saved before Close returned (version %d)", st.Version)
		}
		// Closed: a valid cached token is still served, no new refresh starts.
		if got, err := src.Token(context.Background()); err != nil || got.AccessToken != st.Token.AccessToken {
			t.Fatalf("after Close: %v, %v", got, err)
		}
		time.Sleep(2 * time.Hour)
		if _, err := src.Token(context.Background()); !errors.Is(err, ErrSourceClosed) {
			t.Fatalf("expired after Close: %v, want ErrSourceClosed", err)
		}
		if _, r := g.counts(); r != 1 {
			t.Fatalf("%d refresh grants, want 1", r)
		}
	})
}
