package server

import (
	"testing"
	"time"
)

// TestWebhookReplicaWithoutTheURLLeavesItsEvents: during a change of
// --webhook, replicas differ in their URLs. A replica without a URL sends
// nothing there, and does not drop that URL's events either: the replica
// that has it sends them.
func TestWebhookReplicaWithoutTheURLLeavesItsEvents(t *testing.T) {
	old, added := newReceiver(t), newReceiver(t)
	e := newSvcEnv(t, hooked(envOptions{}, old.srv.URL, added.srv.URL))
	lagging := e.newService(e.st, e.keys, hooked(envOptions{}, old.srv.URL))
	e.add("alice", 0, false) // raised by the replica with both URLs
	if _, err := lagging.DeliverEvents(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := len(old.delivered()); n != 1 {
		t.Fatalf("the lagging replica sent %d events to the URL it has, want 1", n)
	}
	if n := len(added.all()); n != 0 {
		t.Fatalf("a replica sent %d POSTs to a URL it was not given", n)
	}
	e.sim.Advance(time.Second) // past the retry delay
	deliverAll(t, e.svc)
	if n := len(added.delivered()); n != 1 {
		t.Fatalf("the added URL got %d events, want the one the lagging replica left", n)
	}
}
