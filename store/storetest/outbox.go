package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/psnkit/psn/store"
)

// outboxCases prove the store.Outbox contract; a backend without an
// outbox skips them.
var outboxCases = []testCase{
	{"EnqueueRoundTripsAndIsIdempotent", outboxEnqueue},
	{"ClaimEventsTakesDueRowsOldestFirstOnce", outboxClaim},
	{"RetryCountsAndPostpones", outboxRetry},
	{"ReleaseHandsBackWithoutAnAttempt", outboxRelease},
	{"ExpiredClaimIsTakenOver", outboxLapse},
	{"FinishedRowsAreNeverClaimedAndStillDeduplicate", outboxFinish},
	{"PruneRemovesOnlyOldFinishedRows", outboxPrune},
	{"BadEventsAreRefused", outboxBad},
	{"SurvivesReopen", outboxReopen},
	{"ClaimersOnSeparateHandlesNeverShareARow", outboxSeparateHandles},
}

// outbox returns h.New's store as a store.Outbox, or skips.
func outbox(t *testing.T, h Harness) (store.Store, store.Outbox) {
	t.Helper()
	s := h.New(t)
	ob, ok := s.(store.Outbox)
	if !ok {
		t.Skip("the backend has no outbox")
	}
	return s, ob
}

// event is a distinctive pending row: binary payload, a non-UTC due instant.
func event(id string, next time.Time) store.OutboxEvent {
	return store.OutboxEvent{ID: id, Kind: "login_required", Target: "https://hooks.example/" + id,
		Payload: []byte("{\"id\":\"" + id + "\"}\x00\xff"), NextAttempt: next.In(zone)}
}

func enqueue(t *testing.T, ob store.Outbox, ev store.OutboxEvent) {
	t.Helper()
	if added, err := ob.Enqueue(t.Context(), ev); err != nil || !added {
		t.Fatalf("Enqueue(%q) = %v, %v; want added", ev.ID, added, err)
	}
}

func ids(evs []store.OutboxEvent) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

func pending(t *testing.T, ob store.Outbox) int {
	t.Helper()
	n, err := ob.PendingEvents(t.Context())
	if err != nil {
		t.Fatalf("PendingEvents: %v", err)
	}
	return n
}

func outboxEnqueue(t *testing.T, h Harness) {
	_, ob := outbox(t, h)
	ctx := t.Context()
	ev := event("evt-1", base)
	before := wallNow()
	enqueue(t, ob, ev)
	got, err := ob.GetEvent(ctx, "evt-1")
	if err != nil {
		t.Fatalf("GetEvent: %v", err)
	}
	if got.ID != ev.ID || got.Kind != ev.Kind || got.Target != ev.Target || string(got.Payload) != string(ev.Payload) ||
		!got.NextAttempt.Equal(base) || got.NextAttempt.Location() != time.UTC || got.Attempts != 0 ||
		got.LeaseOwner != "" || !got.LeaseExpiry.IsZero() || !got.DoneAt.IsZero() || got.LastError != "" {
		t.Fatalf("GetEvent = %+v, want what was enqueued (%+v), pending, unleased, due at %v in UTC", got, ev, base)
	}
	if got.CreatedAt.Before(before.Add(-skew)) || got.CreatedAt.After(before.Add(skew)) || got.CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt = %v, want the store's now (about %v, UTC)", got.CreatedAt, before)
	}
	again := ev
	again.Payload = []byte("another body")
	if added, err := ob.Enqueue(ctx, again); err != nil || added {
		t.Fatalf("Enqueue of the same ID again = %v, %v; want not added, no error", added, err)
	}
	if got, _ := ob.GetEvent(ctx, "evt-1"); string(got.Payload) != string(ev.Payload) {
		t.Errorf("a second Enqueue of the ID changed the payload to %q", got.Payload)
	}
	if n := pending(t, ob); n != 1 {
		t.Errorf("PendingEvents = %d, want 1", n)
	}
	if _, err := ob.GetEvent(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetEvent of an unknown ID = %v, want ErrNotFound", err)
	}
}

func outboxClaim(t *testing.T, h Harness) {
	_, ob := outbox(t, h)
	ctx := t.Context()
	enqueue(t, ob, event("c-late", base.Add(time.Hour)))
	enqueue(t, ob, event("c-second", base.Add(-time.Minute)))
	enqueue(t, ob, event("c-first", base.Add(-2*time.Minute)))
	enqueue(t, ob, event("c-zero", time.Time{}))
	got, err := ob.ClaimEvents(ctx, base, 2, "one", time.Hour)
	if err != nil {
		t.Fatalf("ClaimEvents: %v", err)
	}
	if want := []string{"c-zero", "c-first"}; !slices.Equal(ids(got), want) {
		t.Fatalf("ClaimEvents(limit 2) = %v, want %v (due, oldest first)", ids(got), want)
	}
	now := wallNow()
	for _, e := range got {
		if e.LeaseOwner != "one" || e.LeaseExpiry.Before(now.Add(time.Hour-skew)) || e.LeaseExpiry.After(now.Add(time.Hour+skew)) {
			t.Errorf("%s: lease %q until %v, want one until about %v", e.ID, e.LeaseOwner, e.LeaseExpiry, now.Add(time.Hour))
		}
		if len(e.Payload) == 0 || e.Target == "" {
			t.Errorf("%s: claimed row lacks its payload or target", e.ID)
		}
	}
	got, err = ob.ClaimEvents(ctx, base, 10, "two", time.Hour)
	if err != nil || !slices.Equal(ids(got), []string{"c-second"}) {
		t.Fatalf("a second claimer got %v, %v; want only c-second (the others are leased or not due)", ids(got), err)
	}
	if got, err := ob.ClaimEvents(ctx, base.Add(2*time.Hour), 10, "three", time.Hour); err != nil || !slices.Equal(ids(got), []string{"c-late"}) {
		t.Fatalf("claiming later got %v, %v; want c-late", ids(got), err)
	}
	if n := pending(t, ob); n != 4 {
		t.Errorf("PendingEvents = %d, want 4 (claimed rows are still pending)", n)
	}
}

func outboxRetry(t *testing.T, h Harness) {
	_, ob := outbox(t, h)
	ctx := t.Context()
	enqueue(t, ob, event("r", base))
	if _, err := ob.ClaimEvents(ctx, base, 1, "one", time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := ob.RetryEvent(ctx, "r", "two", base.Add(time.Minute), "x"); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("RetryEvent by a non-holder = %v, want ErrLeaseLost", err)
	}
	if err := ob.RetryEvent(ctx, "nope", "one", base, "x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("RetryEvent of an unknown row = %v, want ErrNotFound", err)
	}
	next := base.Add(5 * time.Second)
	if err := ob.RetryEvent(ctx, "r", "one", next.In(zone), "503 Service Unavailable"); err != nil {
		t.Fatalf("RetryEvent: %v", err)
	}
	got, err := ob.GetEvent(ctx, "r")
	if err != nil || got.Attempts != 1 || !got.NextAttempt.Equal(next) || got.LastError != "503 Service Unavailable" ||
		got.LeaseOwner != "" || !got.LeaseExpiry.IsZero() || !got.DoneAt.IsZero() {
		t.Fatalf("after RetryEvent: %+v, %v; want 1 attempt, next %v, the error, no lease, pending", got, err, next)
	}
	if got, _ := ob.ClaimEvents(ctx, base, 10, "two", time.Hour); len(got) != 0 {
		t.Fatalf("claimed %v before its next attempt", ids(got))
	}
	got2, err := ob.ClaimEvents(ctx, next, 10, "two", time.Hour)
	if err != nil || len(got2) != 1 || got2[0].Attempts != 1 {
		t.Fatalf("ClaimEvents at the next attempt = %+v, %v; want the row with 1 attempt", got2, err)
	}
	if err := ob.RetryEvent(ctx, "r", "two", next.Add(time.Second), "again"); err != nil {
		t.Fatal(err)
	}
	if got, _ := ob.GetEvent(ctx, "r"); got.Attempts != 2 {
		t.Errorf("Attempts = %d after two retries, want 2", got.Attempts)
	}
}

func outboxRelease(t *testing.T, h Harness) {
	_, ob := outbox(t, h)
	ctx := t.Context()
	enqueue(t, ob, event("h", base))
	if _, err := ob.ClaimEvents(ctx, base, 1, "one", time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := ob.RetryEvent(ctx, "h", "one", base, "503"); err != nil { // one real attempt first
		t.Fatal(err)
	}
	if _, err := ob.ClaimEvents(ctx, base, 1, "one", time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := ob.ReleaseEvent(ctx, "h", "two", base); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("ReleaseEvent by a non-holder = %v, want ErrLeaseLost", err)
	}
	if err := ob.ReleaseEvent(ctx, "nope", "one", base); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("ReleaseEvent of an unknown row = %v, want ErrNotFound", err)
	}
	next := base.Add(7 * time.Second)
	if err := ob.ReleaseEvent(ctx, "h", "one", next.In(zone)); err != nil {
		t.Fatalf("ReleaseEvent: %v", err)
	}
	got, err := ob.GetEvent(ctx, "h")
	if err != nil || got.Attempts != 1 || got.LastError != "503" || !got.NextAttempt.Equal(next) ||
		got.LeaseOwner != "" || !got.LeaseExpiry.IsZero() || !got.DoneAt.IsZero() {
		t.Fatalf("after ReleaseEvent: %+v, %v; want still 1 attempt and its error, next %v, no lease, pending", got, err, next)
	}
	if got, _ := ob.ClaimEvents(ctx, base, 10, "two", time.Hour); len(got) != 0 {
		t.Fatalf("claimed %v before the released row's next attempt", ids(got))
	}
	if got, err := ob.ClaimEvents(ctx, next, 10, "two", time.Hour); err != nil || len(got) != 1 {
		t.Fatalf("ClaimEvents at the released row's next attempt = %v, %v; want it", ids(got), err)
	}
	if err := ob.FinishEvent(ctx, "h", ""); err != nil {
		t.Fatal(err)
	}
	if err := ob.ReleaseEvent(ctx, "h", "two", next); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("ReleaseEvent of a finished row = %v, want ErrLeaseLost", err)
	}
}

func outboxLapse(t *testing.T, h Harness) {
	_, ob := outbox(t, h)
	ctx := t.Context()
	enqueue(t, ob, event("l", base))
	if got, err := ob.ClaimEvents(ctx, base, 1, "slow", shortTTL); err != nil || len(got) != 1 {
		t.Fatalf("ClaimEvents = %v, %v", ids(got), err)
	}
	lapse()
	got, err := ob.ClaimEvents(ctx, base, 1, "fast", time.Hour)
	if err != nil || len(got) != 1 || got[0].LeaseOwner != "fast" {
		t.Fatalf("after the lease lapsed ClaimEvents = %+v, %v; want the row leased to fast", got, err)
	}
	if err := ob.RetryEvent(ctx, "l", "slow", base, "late"); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("the lapsed holder's RetryEvent = %v, want ErrLeaseLost", err)
	}
}

func outboxFinish(t *testing.T, h Harness) {
	_, ob := outbox(t, h)
	ctx := t.Context()
	enqueue(t, ob, event("f", base))
	enqueue(t, ob, event("g", base))
	if _, err := ob.ClaimEvents(ctx, base, 1, "one", time.Hour); err != nil {
		t.Fatal(err)
	}
	before := wallNow()
	if err := ob.FinishEvent(ctx, "f", ""); err != nil {
		t.Fatalf("FinishEvent: %v", err)
	}
	if err := ob.FinishEvent(ctx, "g", "gave up after 3 days: 500"); err != nil {
		t.Fatalf("FinishEvent (given up): %v", err)
	}
	if err := ob.FinishEvent(ctx, "f", ""); err != nil {
		t.Errorf("finishing a finished row = %v, want nil", err)
	}
	if err := ob.FinishEvent(ctx, "nope", ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("FinishEvent of an unknown row = %v, want ErrNotFound", err)
	}
	f, err := ob.GetEvent(ctx, "f")
	if err != nil || f.DoneAt.Before(before.Add(-skew)) || f.DoneAt.After(before.Add(skew)) || f.LeaseOwner != "" || f.LastError != "" {
		t.Fatalf("finished row = %+v, %v; want DoneAt about %v, no lease", f, err, before)
	}
	if g, _ := ob.GetEvent(ctx, "g"); g.LastError != "gave up after 3 days: 500" || g.DoneAt.IsZero() {
		t.Errorf("given-up row = %+v, want DoneAt set and the reason kept", g)
	}
	if got, err := ob.ClaimEvents(ctx, base.Add(time.Hour), 10, "two", time.Hour); err != nil || len(got) != 0 {
		t.Fatalf("ClaimEvents returned finished rows %v, %v", ids(got), err)
	}
	if err := ob.RetryEvent(ctx, "f", "one", base, "x"); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("RetryEvent of a finished row = %v, want ErrLeaseLost", err)
	}
	if added, err := ob.Enqueue(ctx, event("f", base)); err != nil || added {
		t.Errorf("Enqueue of a delivered row's ID = %v, %v; want not added (it deduplicates until pruned)", added, err)
	}
	if n := pending(t, ob); n != 0 {
		t.Errorf("PendingEvents = %d, want 0", n)
	}
}

func outboxPrune(t *testing.T, h Harness) {
	_, ob := outbox(t, h)
	ctx := t.Context()
	for _, id := range []string{"p-done", "p-pending"} {
		enqueue(t, ob, event(id, base))
	}
	if err := ob.FinishEvent(ctx, "p-done", ""); err != nil {
		t.Fatal(err)
	}
	if n, err := ob.PruneEvents(ctx, wallNow().Add(-time.Hour)); err != nil || n != 0 {
		t.Fatalf("PruneEvents(an hour ago) = %d, %v; want 0 (the row was finished just now)", n, err)
	}
	if n, err := ob.PruneEvents(ctx, wallNow().Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("PruneEvents(in an hour) = %d, %v; want 1", n, err)
	}
	if _, err := ob.GetEvent(ctx, "p-done"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a pruned row is still there: %v", err)
	}
	if _, err := ob.GetEvent(ctx, "p-pending"); err != nil {
		t.Errorf("PruneEvents removed a pending row: %v", err)
	}
	enqueue(t, ob, event("p-done", base)) // its ID is free again
}

func outboxBad(t *testing.T, h Harness) {
	_, ob := outbox(t, h)
	for _, ev := range []store.OutboxEvent{
		{Target: "https://x"},
		{ID: "x"},
		{ID: "x", Target: "https://x", Payload: make([]byte, store.MaxEventPayload+1)},
	} {
		if _, err := ob.Enqueue(t.Context(), ev); !errors.Is(err, store.ErrBadEvent) {
			t.Errorf("Enqueue(ID %q, target %q, %d bytes) = %v, want ErrBadEvent", ev.ID, ev.Target, len(ev.Payload), err)
		}
	}
}

func outboxReopen(t *testing.T, h Harness) {
	if h.Reopen == nil {
		t.Skip("no Reopen")
	}
	s, ob := outbox(t, h)
	enqueue(t, ob, event("keep", base))
	s2 := h.Reopen(t, s)
	got, err := s2.(store.Outbox).ClaimEvents(t.Context(), base, 10, "after", time.Hour)
	if err != nil || !slices.Equal(ids(got), []string{"keep"}) {
		t.Fatalf("after reopening ClaimEvents = %v, %v; want the row enqueued before", ids(got), err)
	}
}

// outboxSeparateHandles: four claimers on separate handles (as replicas)
// drain 200 due rows, finishing each; no row is claimed twice.
func outboxSeparateHandles(t *testing.T, h Harness) {
	if h.Share == nil {
		t.Skip("the backend's Harness has no Share")
	}
	first, ob := outbox(t, h)
	const rows, claimers = 200, 4
	for i := range rows {
		enqueue(t, ob, event(fmt.Sprintf("s-%03d", i), base.Add(-time.Duration(i)*time.Second)))
	}
	handles := []store.Outbox{ob}
	for range claimers - 1 {
		handles = append(handles, h.Share(t, first).(store.Outbox))
	}
	var (
		mu     sync.Mutex
		owners = map[string]string{}
		wg     sync.WaitGroup
	)
	for i, o := range handles {
		wg.Go(func() {
			me := fmt.Sprintf("claimer-%d", i)
			for {
				got, err := o.ClaimEvents(t.Context(), base, 7, me, time.Hour)
				if err != nil {
					t.Errorf("%s: ClaimEvents: %v", me, err)
					return
				}
				if len(got) == 0 {
					return
				}
				for _, e := range got {
					mu.Lock()
					if prev, dup := owners[e.ID]; dup {
						t.Errorf("%s claimed by %s and by %s", e.ID, prev, me)
					}
					owners[e.ID] = me
					mu.Unlock()
					if err := o.FinishEvent(t.Context(), e.ID, ""); err != nil {
						t.Errorf("FinishEvent: %v", err)
					}
				}
			}
		})
	}
	wg.Wait()
	if len(owners) != rows {
		t.Fatalf("the claimers together claimed %d rows, want %d", len(owners), rows)
	}
	if n := pending(t, ob); n != 0 {
		t.Fatalf("PendingEvents = %d after the drain, want 0", n)
	}
}
