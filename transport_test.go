package psn

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

func TestWindowLimiterIsAnExactSlidingWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewWindowLimiter(3, time.Second)
		ctx := context.Background()
		start := time.Now()
		for range 3 {
			if err := l.Wait(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if time.Since(start) != 0 {
			t.Fatal("the first 3 requests waited")
		}
		time.Sleep(400 * time.Millisecond)
		if err := l.Wait(ctx); err != nil { // the 4th waits for the 1st to leave the window
			t.Fatal(err)
		}
		if got := time.Since(start); got != time.Second {
			t.Fatalf("4th request after %v, want 1s", got)
		}
		// The two other first-second slots are free again too; then the
		// window is full until the 4th request leaves it at 2s.
		for range 2 {
			if err := l.Wait(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if got := time.Since(start); got != time.Second {
			t.Fatalf("5th and 6th requests at %v, want 1s", got)
		}
		// A deadline before the next free slot fails at once, typed.
		dctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		before := time.Now()
		err := l.Wait(dctx)
		var re *RateLimitError
		if !errors.As(err, &re) || !re.Local || time.Since(before) != 0 {
			t.Fatalf("err = %v after %v", err, time.Since(before))
		}
		if want := start.Add(2 * time.Second); !re.NextAvailable.Equal(want) {
			t.Fatalf("next available %v, want %v", re.NextAvailable, want)
		}
	})
}

func TestNilLimiterDisablesLimiting(t *testing.T) {
	if NewWindowLimiter(0, time.Second) != nil {
		t.Fatal("n=0 should give no limiter")
	}
	var l *WindowLimiter
	if err := l.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestClientSideLimitAppliesToRequests(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n atomic.Int32
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			w.Header().Set("Location", RedirectURI+"/?code=v3.x")
			w.WriteHeader(http.StatusFound)
		})
		c := NewClient(WithHTTPClient(&http.Client{Transport: handlerTransport{h}}), WithLimiter(NewWindowLimiter(2, time.Minute)))
		ctx := context.Background()
		start := time.Now()
		for range 3 {
			if _, err := c.Authorize(ctx, testNPSSO); err != nil {
				t.Fatal(err)
			}
		}
		if got := time.Since(start); got != time.Minute || n.Load() != 3 {
			t.Fatalf("3 requests with a limit of 2/min took %v (%d sent)", got, n.Load())
		}
	})
}

func TestEdgeRefusalOnGETIsRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n atomic.Int32
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(http.StatusForbidden)
				w.Write([]byte("<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD></HTML>"))
				return
			}
			w.Header().Set("Location", RedirectURI+"/?code=v3.x")
			w.WriteHeader(http.StatusFound)
		})
		c := NewClient(WithHTTPClient(&http.Client{Transport: handlerTransport{h}}), WithLimiter(nil))
		if _, err := c.Authorize(context.Background(), testNPSSO); err != nil || n.Load() != 2 {
			t.Fatalf("err %v after %d requests", err, n.Load())
		}
		// When the edge keeps refusing, the error says so.
		h2 := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte("<HTML><TITLE>Access Denied</TITLE></HTML>"))
		})
		c2 := NewClient(WithHTTPClient(&http.Client{Transport: handlerTransport{h2}}), WithLimiter(nil))
		_, err := c2.Authorize(context.Background(), testNPSSO)
		if !errors.Is(err, ErrEdgeBlocked) || !strings.Contains(err.Error(), "Access Denied") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestEndpointRewritesEveryHost(t *testing.T) {
	c := NewClient(WithEndpoint("http://127.0.0.1:8787/prefix/"))
	for in, want := range map[string]string{
		AuthBaseURL + "/token":                           "http://127.0.0.1:8787/prefix/api/authz/v3/oauth/token",
		DMSBaseURL + "/v1/devices/accounts/me":           "http://127.0.0.1:8787/prefix/api/v1/devices/accounts/me",
		LegacyProfileURL + "/a%2Fb/profile2?fields=x":    "http://127.0.0.1:8787/prefix/userProfile/v1/users/a%2Fb/profile2?fields=x",
		TrophyBaseURL + "/v1/users/me/trophySummary?x=1": "http://127.0.0.1:8787/prefix/api/trophy/v1/users/me/trophySummary?x=1",
	} {
		if got := c.resolve(in); got != want {
			t.Errorf("resolve(%s) = %s, want %s", in, got, want)
		}
	}
	if got := NewClient().resolve(AuthBaseURL); got != AuthBaseURL {
		t.Errorf("default endpoint changed the URL: %s", got)
	}
}

func TestBadEndpointIsATypedErrorAndNothingIsSent(t *testing.T) {
	for _, ep := range []string{"not a url", "127.0.0.1:8787", "ftp://h", "http://", "http://h/?q=1", "http://h/#f", "http://[::1"} {
		sent := false
		h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { sent = true })
		c := NewClient(WithEndpoint(ep), WithHTTPClient(&http.Client{Transport: handlerTransport{h}}), WithLimiter(nil)).
			WithTokenSource(staticSource{})
		var ee *EndpointError
		if err := c.Err(); !errors.Is(err, ErrBadEndpoint) || !errors.As(err, &ee) || ee.Problem == "" {
			t.Errorf("%q: Err() = %v, want an *EndpointError", ep, err)
		}
		if _, err := c.Trophies.Summary(context.Background(), "me"); !errors.Is(err, ErrBadEndpoint) {
			t.Errorf("%q: Summary error = %v, want ErrBadEndpoint", ep, err)
		}
		if _, err := c.Refresh(context.Background(), "rt"); !errors.Is(err, ErrBadEndpoint) {
			t.Errorf("%q: Refresh error = %v, want ErrBadEndpoint", ep, err)
		}
		if sent {
			t.Errorf("%q: a request was sent", ep)
		}
	}
	// The password of an endpoint never reaches the error.
	if err := NewClient(WithEndpoint("ftp://u:hunter2@h")).Err(); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error %v shows the password", err)
	}
	// A later good endpoint, or "", clears the error.
	if err := NewClient(WithEndpoint("nope"), WithEndpoint("")).Err(); err != nil {
		t.Errorf("Err() = %v after WithEndpoint(\"\")", err)
	}
	if err := NewClient().Err(); err != nil {
		t.Errorf("default client: Err() = %v", err)
	}
}
