package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/psnkit/psn/store"
)

// TestWebhookEventsBehindAFailureKeepTheirAttempts: when a POST fails, the
// later events to the same URL in that pass are not sent; they wait with
// the failed one, without an attempt counted — else each would back off
// as if it had failed itself, and a burst behind one 500 would arrive
// minutes late (what the soak saw at 10 % failures).
func TestWebhookEventsBehindAFailureKeepTheirAttempts(t *testing.T) {
	rcv := newReceiver(t)
	rcv.fail = []int{http.StatusInternalServerError}
	e := newSvcEnv(t, hooked(envOptions{}, rcv.srv.URL))
	key := e.svc.hooks.urls[rcv.srv.URL]
	var ids []string
	for i := range 3 {
		evID := fmt.Sprintf("evt_behind%02d", i)
		id := evID + "." + key
		body, err := json.Marshal(WebhookEvent{ID: evID, Event: EventAccountAdded, Account: "alice", OnlineID: "alice-psn", At: e.sim.Now().UTC(), Detail: map[string]any{}})
		if err != nil {
			t.Fatal(err)
		}
		ev := store.OutboxEvent{ID: id, Kind: EventAccountAdded, Target: targetPrefix + key, Payload: body,
			NextAttempt: e.sim.Now().Add(time.Duration(i-10) * time.Second)}
		if _, err := e.svc.hooks.ob.Enqueue(t.Context(), ev); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if _, err := e.svc.DeliverEvents(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := len(rcv.all()); n != 1 {
		t.Fatalf("receiver got %d POSTs in the first pass, want 1 (the failed one)", n)
	}
	rows := make([]store.OutboxEvent, len(ids))
	for i, id := range ids {
		var err error
		if rows[i], err = e.svc.hooks.ob.GetEvent(t.Context(), id); err != nil {
			t.Fatal(err)
		}
	}
	if rows[0].Attempts != 1 || !rows[0].NextAttempt.After(e.sim.Now()) {
		t.Fatalf("the failed event: %+v, want 1 attempt and a later next attempt", rows[0])
	}
	for _, r := range rows[1:] {
		if r.Attempts != 0 || !r.NextAttempt.Equal(rows[0].NextAttempt) || r.LeaseOwner != "" {
			t.Errorf("an event behind the failure: attempts %d, next %v, lease %q; want 0 attempts, next %v (the failed one's), no lease",
				r.Attempts, r.NextAttempt, r.LeaseOwner, rows[0].NextAttempt)
		}
	}
	e.sim.Advance(rows[0].NextAttempt.Sub(e.sim.Now()))
	deliverAll(t, e.svc)
	if n := len(rcv.all()); n != 4 {
		t.Fatalf("receiver got %d POSTs in all, want 4", n)
	}
	for i, id := range ids {
		r, _ := e.svc.hooks.ob.GetEvent(t.Context(), id)
		if want := map[bool]int{true: 1, false: 0}[i == 0]; r.DoneAt.IsZero() || r.Attempts != want {
			t.Errorf("event %d: done %v, attempts %d; want delivered after %d failed attempts", i, r.DoneAt, r.Attempts, want)
		}
	}
}
