package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/internal/testbackend"
	"github.com/psnkit/psn/psntest"
	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/store/sqlite"
)

const hookSecret = psn.Secret("whsec-3f9c1e7a0b5d4c2e8f6a1b9d7c5e3a1f")

// hit is one POST a receiver got.
type hit struct {
	id, event string
	code      int
	body      []byte
	ev        WebhookEvent
}

// receiver is a webhook endpoint that verifies every signature and the
// body's shape, and answers the codes queued in fail before 204s.
type receiver struct {
	t    *testing.T
	srv  *httptest.Server
	mu   sync.Mutex
	hits []hit
	fail []int
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{t: t}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	if !VerifyWebhook(hookSecret, body, req.Header.Get(HeaderSignature)) {
		r.t.Errorf("bad signature %q on %s", req.Header.Get(HeaderSignature), body)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(body, &keys); err != nil {
		r.t.Errorf("body is not a JSON object: %s", body)
	}
	var got []string
	for k := range keys {
		got = append(got, k)
	}
	slices.Sort(got)
	if want := []string{"account", "at", "detail", "event", "id", "onlineId"}; !slices.Equal(got, want) {
		r.t.Errorf("body keys = %v, want %v", got, want)
	}
	var ev WebhookEvent
	_ = json.Unmarshal(body, &ev)
	if req.Header.Get(HeaderEvent) != ev.Event || req.Header.Get(HeaderDelivery) != ev.ID || ev.ID == "" {
		r.t.Errorf("headers %s=%q %s=%q, body event %q id %q", HeaderEvent, req.Header.Get(HeaderEvent), HeaderDelivery, req.Header.Get(HeaderDelivery), ev.Event, ev.ID)
	}
	r.mu.Lock()
	code := http.StatusNoContent
	if len(r.fail) > 0 {
		code, r.fail = r.fail[0], r.fail[1:]
	}
	r.hits = append(r.hits, hit{id: ev.ID, event: ev.Event, code: code, body: body, ev: ev})
	r.mu.Unlock()
	w.WriteHeader(code)
}

func (r *receiver) all() []hit {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.hits)
}

// delivered returns the hits answered 2xx.
func (r *receiver) delivered() []hit {
	var out []hit
	for _, h := range r.all() {
		if h.code < 300 {
			out = append(out, h)
		}
	}
	return out
}

// waitFor polls cond until it holds, failing the test after a minute (a
// bound for a stuck test, not a speed requirement).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// hooked returns env options whose services send webhooks to urls with a
// fast retry.
func hooked(o envOptions, urls ...string) envOptions {
	prev := o.svc
	o.svc = func(c *ServiceConfig) {
		c.Webhooks = WebhookConfig{URLs: urls, Secret: hookSecret, RetryBase: 20 * time.Millisecond, Poll: 20 * time.Millisecond}
		if prev != nil {
			prev(c)
		}
	}
	return o
}

// deliverAll runs delivery passes until nothing is pending.
func deliverAll(t *testing.T, svc *Service) {
	t.Helper()
	waitFor(t, "an empty outbox", func() bool {
		if _, err := svc.DeliverEvents(t.Context()); err != nil {
			t.Fatalf("DeliverEvents: %v", err)
		}
		n, err := svc.hooks.ob.PendingEvents(t.Context())
		return err == nil && n == 0
	})
}

// TestWebhookEveryEventSignedWithoutSecrets raises each event through the
// service's real paths (an add, a refresh token in its warning period, a
// refresh PSN refuses, a re-add, a delete) and checks that the receiver
// gets each once, signed, shaped as design says, and that no body holds a
// token, the NPSSO, the webhook secret or an API key.
func TestWebhookEveryEventSignedWithoutSecrets(t *testing.T) {
	rcv := newReceiver(t)
	e := newSvcEnv(t, hooked(envOptions{sim: psntest.Config{AccessTTL: time.Hour, RefreshTTL: 5 * 24 * time.Hour}}, rcv.srv.URL+"/hooks/s3cr3t-path"))
	ctx := t.Context()
	keys := NewAPIKeys(e.st)
	apiKey, _, err := keys.Create(ctx, "ops")
	if err != nil {
		t.Fatal(err)
	}
	e.add("alice", 0, false)
	known := append(e.secrets("alice"), e.user(0).NPSSO, hookSecret.Reveal(), apiKey.Reveal())
	if _, err := e.svc.Token(ctx, "alice"); err != nil { // the refresh token is within its warning period
		t.Fatal(err)
	}
	if err := e.sim.RevokeRefreshTokens(e.user(0).OnlineID); err != nil {
		t.Fatal(err)
	}
	e.sim.Advance(50 * time.Minute)
	if _, err := e.svc.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	deliverAll(t, e.svc)
	if _, _, err := e.svc.AddAccount(ctx, "alice", psn.Secret(e.user(0).NPSSO), false); err != nil {
		t.Fatal(err)
	}
	known = append(known, e.secrets("alice")...)
	if err := e.svc.DeleteAccount(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	deliverAll(t, e.svc)

	var events []string
	ids := map[string]bool{}
	for _, h := range rcv.all() {
		events = append(events, h.event)
		if ids[h.id] {
			t.Errorf("event %s delivered twice", h.id)
		}
		ids[h.id] = true
		if h.ev.Account != "alice" || h.ev.OnlineID != e.user(0).OnlineID || h.ev.At.IsZero() {
			t.Errorf("%s: account %q onlineId %q at %v", h.event, h.ev.Account, h.ev.OnlineID, h.ev.At)
		}
		for _, s := range known {
			if s != "" && bytes.Contains(h.body, []byte(s)) {
				t.Errorf("%s body holds a secret: %s", h.event, h.body)
			}
		}
	}
	want := []string{EventAccountAdded, EventRefreshExpiring, EventLoginRequired, EventAccountAdded, EventRecovered, EventAccountDeleted}
	if !slices.Equal(events, want) {
		t.Fatalf("events = %v, want %v", events, want)
	}
	lr := rcv.all()[2].ev
	if lr.Detail["state"] != "login-required" || lr.Detail["secret"] != "refresh token" || !strings.Contains(lr.Detail["action"].(string), "new NPSSO") {
		t.Errorf("login_required detail = %v", lr.Detail)
	}
	if ex := rcv.all()[1].ev; ex.Detail["refreshExpiry"] == nil || ex.Detail["npssoKept"] != false {
		t.Errorf("refresh_expiring detail = %v", ex.Detail)
	}
	if logs := e.logs.String(); strings.Contains(logs, hookSecret.Reveal()) || strings.Contains(logs, "s3cr3t-path") {
		t.Errorf("the logs hold the webhook secret or a full URL")
	}
}

// TestWebhookLoginRequiredSentByRun: with Run going, a refresh PSN
// refuses reaches the receiver without anyone calling DeliverEvents.
func TestWebhookLoginRequiredSentByRun(t *testing.T) {
	rcv := newReceiver(t)
	e := newSvcEnv(t, hooked(envOptions{sim: psntest.Config{AccessTTL: time.Hour}}, rcv.srv.URL))
	e.add("bob", 1, false)
	if err := e.sim.RevokeRefreshTokens(e.user(1).OnlineID); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- e.svc.Run(ctx) }()
	e.sim.Advance(50 * time.Minute) // due: the scheduler's refresh meets the refusal
	waitFor(t, "login_required", func() bool {
		for _, h := range rcv.all() {
			if h.event == EventLoginRequired && h.ev.Account == "bob" {
				return true
			}
		}
		return false
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestWebhookRetriedAfterTwoFailures: a receiver that answers 500 twice
// gets the same event (same id, same bytes) a third time, answers 204, and
// never gets it again.
func TestWebhookRetriedAfterTwoFailures(t *testing.T) {
	rcv := newReceiver(t)
	rcv.fail = []int{http.StatusInternalServerError, http.StatusBadGateway}
	e := newSvcEnv(t, hooked(envOptions{}, rcv.srv.URL))
	e.add("alice", 0, true)
	deliverAll(t, e.svc)
	hits := rcv.all()
	if len(hits) != 3 {
		t.Fatalf("receiver got %d POSTs, want 3", len(hits))
	}
	for i, want := range []int{500, 502, 204} {
		if hits[i].code != want || hits[i].id != hits[0].id || !bytes.Equal(hits[i].body, hits[0].body) {
			t.Errorf("attempt %d: code %d id %s, want code %d and the first attempt's id and body", i+1, hits[i].code, hits[i].id, want)
		}
	}
	rec := httptest.NewRecorder()
	e.svc.Metrics().Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for _, want := range []string{`psn_vault_webhook_deliveries_total{result="failed"} 2`, `psn_vault_webhook_deliveries_total{result="delivered"} 1`,
		`psn_vault_webhook_deliveries_total{result="gave_up"} 0`, `psn_vault_webhook_events_total{event="account_added"} 1`} {
		if !strings.Contains(rec.Body.String(), want+"\n") {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	rows := e.eventRows(t, hits[0].id)
	if len(rows) != 1 || rows[0].Attempts != 2 || rows[0].DoneAt.IsZero() || rows[0].LastError != "" {
		t.Fatalf("outbox row = %+v, want finished after 2 failed attempts", rows)
	}
	e.sim.Advance(2 * time.Hour) // past any retry delay: nothing is left to send
	if _, err := e.svc.DeliverEvents(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := len(rcv.all()); n != 3 {
		t.Fatalf("receiver got %d POSTs after delivery, want still 3", n)
	}
}

// eventRows returns the outbox rows of event id (one per URL).
func (e *svcEnv) eventRows(t *testing.T, id string) []store.OutboxEvent {
	t.Helper()
	var out []store.OutboxEvent
	for _, key := range e.svc.hooks.urls {
		ev, err := e.svc.hooks.ob.GetEvent(t.Context(), id+"."+key)
		if err != nil {
			t.Fatalf("GetEvent: %v", err)
		}
		out = append(out, ev)
	}
	return out
}

// TestWebhookSurvivesRestart: an event raised by a service that stopped
// before sending it is sent by a new service on the same store.
func TestWebhookSurvivesRestart(t *testing.T) {
	rcv := newReceiver(t)
	o := hooked(envOptions{}, rcv.srv.URL)
	e := newSvcEnv(t, o)
	e.add("alice", 0, false)
	if err := e.svc.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := len(rcv.all()); n != 0 {
		t.Fatalf("the first service sent %d events; the test needs it to stop first", n)
	}
	next := e.newService(e.st, e.keys, o)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- next.Run(ctx) }()
	waitFor(t, "the event after the restart", func() bool { return len(rcv.delivered()) == 1 })
	cancel()
	<-done
	if h := rcv.all()[0]; h.event != EventAccountAdded || h.ev.Account != "alice" {
		t.Fatalf("got %s for %s, want account_added for alice", h.event, h.ev.Account)
	}
}

// TestWebhookTwoReplicasDeliverEachOnce: two services on separate handles
// of one store, both running, raise events (some the same event, as two
// replicas that see one rejection do); each event reaches each of two
// URLs exactly once.
func TestWebhookTwoReplicasDeliverEachOnce(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres", "redis"} {
		t.Run(kind, func(t *testing.T) {
			a, b := newReceiver(t), newReceiver(t)
			o := hooked(envOptions{realClock: true}, a.srv.URL, b.srv.URL)
			e := newSvcEnv(t, o)
			be := testbackend.New(t, kind)
			st2, err := testbackend.OpenURL(t.Context(), be.URL)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st2.Close() })
			keys := keysWith(t, be.St, e.kek)
			svcs := []*Service{e.newService(be.St, keys, o), e.newService(st2, keysWith(t, st2, e.kek), o)}
			ctx, cancel := context.WithCancel(t.Context())
			var wg sync.WaitGroup
			for _, s := range svcs {
				wg.Go(func() { _ = s.Run(ctx) })
			}
			const n = 40
			want := map[string]bool{}
			for i := range n {
				ev := WebhookEvent{ID: eventID("test", kind, string(rune('A'+i))), Event: EventAccountAdded, Account: "acct", At: time.Now()}
				want[ev.ID] = true
				svcs[i%2].hooks.raise(ctx, ev)
				if i%4 == 0 { // the other replica raises the same event
					svcs[(i+1)%2].hooks.raise(ctx, ev)
				}
			}
			for _, r := range []*receiver{a, b} {
				waitFor(t, "every event", func() bool { return len(r.delivered()) >= n })
			}
			// Every row finished: no replica can claim one again; stopping
			// them waits for any POST still in flight.
			ob := svcs[0].hooks.ob
			waitFor(t, "an empty outbox", func() bool { n, err := ob.PendingEvents(t.Context()); return err == nil && n == 0 })
			cancel()
			wg.Wait()
			for name, r := range map[string]*receiver{"first URL": a, "second URL": b} {
				seen := map[string]int{}
				for _, h := range r.all() {
					seen[h.id]++
				}
				for id := range want {
					if seen[id] != 1 {
						t.Errorf("%s got event %s %d times, want once", name, id, seen[id])
					}
				}
				if len(seen) != n {
					t.Errorf("%s got %d distinct events, want %d", name, len(seen), n)
				}
			}
		})
	}
}

// TestWebhookRefreshExpiringOncePerDay: the warning raised again the same
// day (by this service or another replica) is one event; the next day's is
// another. Nothing is raised when an NPSSO is kept.
func TestWebhookRefreshExpiringOncePerDay(t *testing.T) {
	rcv := newReceiver(t)
	o := hooked(envOptions{}, rcv.srv.URL)
	e := newSvcEnv(t, o)
	other := e.newService(e.st, e.keys, o)
	ctx := t.Context()
	e.add("alice", 0, false)
	deliverAll(t, e.svc) // account_added
	exp := e.sim.Now().Add(3 * 24 * time.Hour)
	e.svc.hooks.expiring(ctx, "alice", exp, false)
	e.svc.hooks.expiring(ctx, "alice", exp, false)
	other.hooks.expiring(ctx, "alice", exp, false)
	e.svc.hooks.expiring(ctx, "alice", exp, true) // an NPSSO is kept: no event
	deliverAll(t, e.svc)
	count := func() int {
		n := 0
		for _, h := range rcv.all() {
			if h.event == EventRefreshExpiring {
				n++
			}
		}
		return n
	}
	if n := count(); n != 1 {
		t.Fatalf("refresh_expiring sent %d times on one day, want once", n)
	}
	e.sim.Advance(24 * time.Hour)
	other.hooks.expiring(ctx, "alice", exp, false)
	e.svc.hooks.expiring(ctx, "alice", exp, false)
	deliverAll(t, e.svc)
	if n := count(); n != 2 {
		t.Fatalf("refresh_expiring sent %d times over two days, want twice", n)
	}
}

// TestWebhookRedirectNotFollowed: a 3xx is a failed attempt; the place it
// points to never gets the event.
func TestWebhookRedirectNotFollowed(t *testing.T) {
	elsewhere := newReceiver(t)
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.srv.URL, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirect.Close)
	e := newSvcEnv(t, hooked(envOptions{}, redirect.URL))
	e.add("alice", 0, false)
	if n, err := e.svc.DeliverEvents(t.Context()); err != nil || n != 1 {
		t.Fatalf("DeliverEvents = %d, %v", n, err)
	}
	if n := len(elsewhere.all()); n != 0 {
		t.Fatalf("the redirect was followed (%d POSTs)", n)
	}
	pending, err := e.svc.hooks.ob.ClaimEvents(t.Context(), time.Now().Add(time.Hour), 10, "test", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 || pending[0].Attempts != 1 || pending[0].LastError != "HTTP 307" {
		t.Fatalf("pending = %+v, want one row with 1 failed attempt (HTTP 307)", pending)
	}
}

// TestWebhookGivenUp: an event that still fails after GiveUpAfter is
// finished with the reason, logged and counted, and not sent again.
func TestWebhookGivenUp(t *testing.T) {
	rcv := newReceiver(t)
	rcv.fail = []int{500, 500, 500}
	o := hooked(envOptions{}, rcv.srv.URL)
	prev := o.svc
	o.svc = func(c *ServiceConfig) { prev(c); c.Webhooks.GiveUpAfter = time.Nanosecond }
	e := newSvcEnv(t, o)
	e.add("alice", 0, false)
	e.sim.Advance(time.Second) // the service's clock past CreatedAt + GiveUpAfter
	deliverAll(t, e.svc)
	if n := len(rcv.all()); n != 1 {
		t.Fatalf("receiver got %d POSTs, want 1 (then given up)", n)
	}
	row := e.eventRows(t, rcv.all()[0].id)[0]
	if row.DoneAt.IsZero() || !strings.HasPrefix(row.LastError, "gave up after 1 attempts: HTTP 500") {
		t.Fatalf("row = %+v, want finished as given up", row)
	}
	if !strings.Contains(e.logs.String(), "vault: webhook given up") {
		t.Errorf("giving up was not logged")
	}
}

// TestWebhookConfigChecked: URLs need a secret, and must be http(s).
func TestWebhookConfigChecked(t *testing.T) {
	st, _ := newSQLite(t)
	keys := keysWith(t, st, newKEK(t))
	for _, c := range []struct {
		cfg  WebhookConfig
		want error
	}{
		{WebhookConfig{URLs: []string{"https://hooks.example/x"}}, ErrWebhookSecret},
		{WebhookConfig{URLs: []string{"ftp://hooks.example/x"}, Secret: hookSecret}, ErrWebhookURL},
		{WebhookConfig{URLs: []string{"/relative"}, Secret: hookSecret}, ErrWebhookURL},
	} {
		if _, err := NewService(ServiceConfig{Store: st, Keys: keys, Webhooks: c.cfg}); !errors.Is(err, c.want) {
			t.Errorf("NewService(%+v) = %v, want %v", c.cfg.URLs, err, c.want)
		}
	}
	if RedactURL("https://hooks.slack.example/services/T0/B0/s3cr3t?x=1") != "https://hooks.slack.example/…" {
		t.Errorf("RedactURL shows the path: %s", RedactURL("https://hooks.slack.example/services/T0/B0/s3cr3t?x=1"))
	}
}

// TestSendSampleWebhook: the sample `psn-vault webhook test` sends is
// signed and shaped like a real event.
func TestSendSampleWebhook(t *testing.T) {
	rcv := newReceiver(t)
	code, ev, err := SendSampleWebhook(t.Context(), nil, rcv.srv.URL, hookSecret, EventRefreshExpiring)
	if err != nil || code != http.StatusNoContent {
		t.Fatalf("SendSampleWebhook = %d, %v", code, err)
	}
	h := rcv.all()
	if len(h) != 1 || h[0].event != EventRefreshExpiring || h[0].id != ev.ID || !strings.HasPrefix(ev.ID, "evt_test_") {
		t.Fatalf("receiver got %+v, want the sample %s", h, ev.ID)
	}
	if _, _, err := SendSampleWebhook(t.Context(), nil, rcv.srv.URL, hookSecret, "nope"); err == nil {
		t.Errorf("an unknown event was sent")
	}
}

// TestWebhookRecoveredByRefresh: PSN refuses the refresh token (an outage
// of its own, say), the account becomes login-required; an hour later the
// vault tries once more, PSN accepts, and recovered is sent.
func TestWebhookRecoveredByRefresh(t *testing.T) {
	rcv := newReceiver(t)
	var refuse sync.Mutex
	refusing := false
	o := hooked(envOptions{sim: psntest.Config{AccessTTL: time.Hour}, wrap: func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			refuse.Lock()
			no := refusing
			refuse.Unlock()
			if no && r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/token") {
				body, _ := io.ReadAll(r.Body)
				r.Body = io.NopCloser(bytes.NewReader(body))
				if bytes.Contains(body, []byte("grant_type=refresh_token")) {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusBadRequest)
					_, _ = w.Write([]byte(`{"error":"invalid_grant","error_description":"Invalid refresh token","error_code":4159}`))
					return
				}
			}
			h.ServeHTTP(w, r)
		})
	}}, rcv.srv.URL)
	e := newSvcEnv(t, o)
	ctx := t.Context()
	e.add("alice", 0, false)
	refuse.Lock()
	refusing = true
	refuse.Unlock()
	e.sim.Advance(50 * time.Minute)
	if _, err := e.svc.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if h, _ := e.svc.Account(ctx, "alice"); h.State != "login-required" {
		t.Fatalf("state = %s after PSN refused the refresh token, want login-required", h.State)
	}
	refuse.Lock()
	refusing = false
	refuse.Unlock()
	e.sim.Advance(psn.RejectedRetry + time.Minute)
	if _, err := e.svc.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if h, _ := e.svc.Account(ctx, "alice"); h.State != "ok" {
		t.Fatalf("state = %s after PSN accepted the refresh token again, want ok", h.State)
	}
	deliverAll(t, e.svc)
	var events []string
	for _, h := range rcv.all() {
		events = append(events, h.event)
	}
	if want := []string{EventAccountAdded, EventLoginRequired, EventRecovered}; !slices.Equal(events, want) {
		t.Fatalf("events = %v, want %v", events, want)
	}
	if got := rcv.all()[2].ev.Detail["how"]; got != "refreshed" {
		t.Errorf("recovered detail how = %v, want refreshed", got)
	}
}

// failingDelete is a SQLite store (outbox included) whose Delete fails
// without deleting.
type failingDelete struct{ *sqlite.Store }

func (failingDelete) Delete(context.Context, string) error {
	return errors.New("the disk is full")
}

// TestWebhookDeleteThatFailsIsWithdrawn: account_deleted is queued before
// the delete; a delete that fails (the account is still there) withdraws
// it, and the receiver never hears of a delete that did not happen.
func TestWebhookDeleteThatFailsIsWithdrawn(t *testing.T) {
	rcv := newReceiver(t)
	o := hooked(envOptions{}, rcv.srv.URL)
	e := newSvcEnv(t, o)
	e.add("alice", 0, false)
	svc := e.newService(failingDelete{e.st.(*sqlite.Store)}, e.keys, o)
	if err := svc.DeleteAccount(t.Context(), "alice"); err == nil {
		t.Fatal("DeleteAccount succeeded on a store whose Delete fails")
	}
	deliverAll(t, svc)
	for _, h := range rcv.all() {
		if h.event == EventAccountDeleted {
			t.Fatalf("account_deleted sent for a delete that failed")
		}
	}
	if err := e.svc.DeleteAccount(t.Context(), "alice"); err != nil {
		t.Fatal(err)
	}
	deliverAll(t, e.svc)
	if hits := rcv.all(); hits[len(hits)-1].event != EventAccountDeleted {
		t.Fatalf("the real delete sent %s last, want account_deleted", hits[len(hits)-1].event)
	}
}

// TestWebhookLoginRequiredFromTokenRequestOnce: a token request that meets
// PSN's refusal raises login_required; meeting it again an hour later (the
// one retry after psn.RejectedRetry), or from another replica, raises the
// same event id, so the receiver hears of it once.
func TestWebhookLoginRequiredFromTokenRequestOnce(t *testing.T) {
	rcv := newReceiver(t)
	o := hooked(envOptions{sim: psntest.Config{AccessTTL: time.Hour}}, rcv.srv.URL)
	e := newSvcEnv(t, o)
	ctx := t.Context()
	e.add("bob", 1, false)
	deliverAll(t, e.svc)
	if err := e.sim.RevokeRefreshTokens(e.user(1).OnlineID); err != nil {
		t.Fatal(err)
	}
	e.sim.Advance(61 * time.Minute) // the access token expired: a request must refresh
	if _, err := e.svc.Token(ctx, "bob"); !errors.Is(err, psn.ErrLoginRequired) {
		t.Fatalf("Token = %v, want ErrLoginRequired", err)
	}
	deliverAll(t, e.svc)
	e.sim.Advance(psn.RejectedRetry + time.Minute)
	other := e.newService(e.st, e.keys, o)
	for _, s := range []*Service{other, e.svc} {
		if _, err := s.Token(ctx, "bob"); !errors.Is(err, psn.ErrLoginRequired) {
			t.Fatalf("Token an hour later = %v, want ErrLoginRequired", err)
		}
	}
	if n := e.sim.Stats().Errors.InvalidGrant; n != 2 {
		t.Fatalf("PSN refused the refresh token %d times, want 2 (the request, then the one retry an hour later)", n)
	}
	deliverAll(t, e.svc)
	var lr []hit
	for _, h := range rcv.all() {
		if h.event == EventLoginRequired {
			lr = append(lr, h)
		}
	}
	if len(lr) != 1 || lr[0].ev.Account != "bob" || lr[0].ev.Detail["reason"] != "PSN refused the refresh token and no working NPSSO is kept" {
		t.Fatalf("login_required sent %d times (%+v), want once for bob with PSN's refusal as the reason", len(lr), lr)
	}
}
