package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/psnkit/psn/store"
)

// roundTrip is an http.RoundTripper from a function.
type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// slowHooks returns a service whose webhook POSTs go to hook (instead of
// the network) and ten pending events for its one URL, oldest first.
func slowHooks(t *testing.T, hook func(e *svcEnv, r *http.Request)) (*svcEnv, []string) {
	t.Helper()
	const url = "http://receiver.invalid/hook"
	var e *svcEnv
	client := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		hook(e, r)
		return &http.Response{StatusCode: http.StatusNoContent, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
	})}
	e = newSvcEnv(t, hooked(envOptions{svc: func(c *ServiceConfig) { c.Webhooks.Client = client }}, url))
	key := e.svc.hooks.urls[url]
	var rows []string
	for i := range 10 {
		id := fmt.Sprintf("evt_lease%02d.%s", i, key)
		ev := store.OutboxEvent{ID: id, Kind: EventAccountAdded, Target: url, Payload: []byte(`{}`), NextAttempt: e.sim.Now().Add(time.Duration(i-10) * time.Second)}
		if _, err := e.svc.hooks.ob.Enqueue(t.Context(), ev); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, id)
	}
	return e, rows
}

// checkReleased fails unless the rows after the first sent ones are
// pending, unleased and not more than due now: the next claim takes them.
func checkReleased(t *testing.T, e *svcEnv, rows []string, sent int) {
	t.Helper()
	for _, id := range rows[sent:] {
		ev, err := e.svc.hooks.ob.GetEvent(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if !ev.DoneAt.IsZero() || ev.LeaseOwner != "" || ev.NextAttempt.After(e.sim.Now()) {
			t.Errorf("row %s not sent: done %v, lease %q, next attempt in %v; want pending, unleased, due now",
				id, ev.DoneAt, ev.LeaseOwner, ev.NextAttempt.Sub(e.sim.Now()))
		}
	}
}

// TestWebhookNoPostOutlivesItsClaim: one pass claims a batch for a URL
// and POSTs it one event after another; a POST that could still run when
// the claim lapses (and another replica may claim the event and send it
// too) is not started. Each POST here takes 30 s of the service's clock.
func TestWebhookNoPostOutlivesItsClaim(t *testing.T) {
	var mu sync.Mutex
	var started []time.Duration
	var begin time.Time
	e, rows := slowHooks(t, func(e *svcEnv, _ *http.Request) {
		mu.Lock()
		started = append(started, e.sim.Now().Sub(begin))
		mu.Unlock()
		e.sim.Advance(30 * time.Second)
	})
	begin = e.sim.Now()
	if n, err := e.svc.DeliverEvents(t.Context()); err != nil || n != len(rows) {
		t.Fatalf("DeliverEvents = %d, %v; want %d claimed", n, err, len(rows))
	}
	if len(started) == 0 {
		t.Fatal("nothing was sent")
	}
	for i, at := range started {
		if at+WebhookTimeout > deliverLease {
			t.Errorf("POST %d started %v after the claim: it could outlive the %v lease", i+1, at, deliverLease)
		}
	}
	checkReleased(t, e, rows, len(started))
}

// TestWebhookStopStartsNoNewPost: a pass whose context ends lets the POST
// in flight finish but starts no other one, and hands the rest back.
func TestWebhookStopStartsNoNewPost(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	posts := 0
	e, rows := slowHooks(t, func(*svcEnv, *http.Request) { posts++; cancel() })
	if _, err := e.svc.DeliverEvents(ctx); err != nil {
		t.Fatal(err)
	}
	if posts != 1 {
		t.Fatalf("%d POSTs after the stop began during the first; want 1", posts)
	}
	checkReleased(t, e, rows, 1)
}
