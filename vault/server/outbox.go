package server

import (
	"context"
	cryptorand "crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/vault"
)

// Delivery defaults (WebhookConfig).
const (
	defaultRetryBase   = 5 * time.Second
	defaultRetryMax    = time.Hour
	defaultGiveUpAfter = 3 * 24 * time.Hour
	defaultPoll        = time.Second
	// eventKeep is how long a finished event stays in the outbox, so
	// that its id keeps deduplicating (refresh_expiring's daily id).
	eventKeep = 4 * 24 * time.Hour
	// pruneEvery is how often a delivery loop prunes finished events;
	// depthEvery how often an idle one counts the pending ones.
	pruneEvery = time.Hour
	depthEvery = 10 * time.Second
	// deliverBatch is how many due events one pass claims; deliverLease
	// how long they stay leased to this process (more than a POST lasts).
	deliverBatch       = 32
	deliverLease       = 2 * time.Minute
	deliverConcurrency = 8
	// leaseMargin is how much of deliverLease a POST started last in a
	// pass leaves unused: a claimed event is POSTed only while at least
	// WebhookTimeout+leaseMargin of its lease is left, by this process's
	// clock read before the claim.
	leaseMargin = 10 * time.Second
	// deleteHold is how long account_deleted waits for its delete (which
	// a request's requestWait bounds) before it is sent all the same;
	// sentSuffix ends the row ids of the rows that replace the held ones.
	deleteHold = 2 * requestWait
	sentSuffix = ".sent"
)

// webhooks raises events into the store's outbox and delivers them.
type webhooks struct {
	svc    *Service
	ob     store.Outbox
	cfg    WebhookConfig
	urls   map[string]string // url → its short key in row ids and targets
	byKey  map[string]string // key → url
	wake   chan struct{}
	pruned atomic.Int64 // unix ns of the last prune
	// dead remembers accounts this process loaded in the login-required
	// state, so that a successful refresh of one raises recovered.
	dead sync.Map

	deliveries *prometheus.CounterVec
	raised     *prometheus.CounterVec
	depth      atomic.Int64
	counted    atomic.Int64 // unix ns of the last count behind depth
}

// newWebhooks checks cfg and returns the webhooks of s, or nil when no URL
// is configured.
func newWebhooks(s *Service, cfg WebhookConfig) (*webhooks, error) {
	if len(cfg.URLs) == 0 {
		return nil, nil
	}
	if cfg.Secret == "" {
		return nil, ErrWebhookSecret
	}
	ob, ok := s.st.(store.Outbox)
	if !ok {
		return nil, fmt.Errorf("vault: webhooks need a store with an outbox; %T has none", s.st)
	}
	w := &webhooks{svc: s, ob: ob, cfg: cfg, urls: map[string]string{}, byKey: map[string]string{}, wake: make(chan struct{}, 1)}
	for _, u := range cfg.URLs {
		if err := CheckWebhookURL(u); err != nil {
			return nil, err
		}
		sum := sha256.Sum256([]byte(u))
		w.urls[u] = hex.EncodeToString(sum[:6])
		w.byKey[w.urls[u]] = u
	}
	if w.cfg.Client == nil {
		w.cfg.Client = NewWebhookClient()
	}
	if w.cfg.RetryBase <= 0 {
		w.cfg.RetryBase = defaultRetryBase
	}
	if w.cfg.RetryMax <= 0 {
		w.cfg.RetryMax = defaultRetryMax
	}
	if w.cfg.GiveUpAfter <= 0 {
		w.cfg.GiveUpAfter = defaultGiveUpAfter
	}
	if w.cfg.Poll <= 0 {
		w.cfg.Poll = defaultPoll
	}
	w.deliveries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "psn_vault_webhook_deliveries_total", Help: "Webhook POSTs by result: delivered (2xx), failed (retried later), gave_up (after 3 days), dropped (URL configured on no replica until given up).",
	}, []string{"result"})
	w.raised = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "psn_vault_webhook_events_total", Help: "Webhook events raised by this process, by event (an event raised twice, by two replicas say, counts twice but is sent once).",
	}, []string{"event"})
	for _, r := range []string{"delivered", "failed", "gave_up", "dropped"} {
		w.deliveries.WithLabelValues(r)
	}
	for _, e := range WebhookEvents() {
		w.raised.WithLabelValues(e)
	}
	s.metrics.reg.MustRegister(w.deliveries, w.raised, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "psn_vault_webhook_outbox_pending", Help: "Webhook deliveries waiting in the outbox (one per event and URL), counted by this process at most 10 s ago.",
	}, func() float64 { return float64(w.depth.Load()) }))
	return w, nil
}

// eventID derives an event's id from what happened, so that raising the
// same event again (another replica, a retry after a crash) gives the
// same id and the outbox keeps one.
func eventID(event string, parts ...string) string {
	sum := sha256.Sum256([]byte(event + "\x00" + strings.Join(parts, "\x00")))
	return "evt_" + hex.EncodeToString(sum[:16])
}

func micros(t time.Time) string { return strconv.FormatInt(t.UnixMicro(), 10) }

// raise enqueues ev once per URL and wakes the delivery loop. It logs
// (never with a secret) and counts a failure instead of returning it: the
// change it reports has happened.
func (w *webhooks) raise(ctx context.Context, ev WebhookEvent) {
	if w.enqueue(ctx, ev) {
		w.wakeUp()
	}
}

// wakeUp makes the delivery loop look at the outbox now.
func (w *webhooks) wakeUp() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// enqueue writes ev's rows, due now, and reports whether one was new.
func (w *webhooks) enqueue(ctx context.Context, ev WebhookEvent) bool {
	if w == nil {
		return false
	}
	added := w.rows(ctx, ev, w.svc.now(), "")
	w.raised.WithLabelValues(ev.Event).Inc()
	if added {
		w.svc.log.InfoContext(ctx, "vault: webhook event raised", "event", ev.Event, "id", ev.ID, "account", ev.Account)
	}
	return added
}

// rows writes ev's rows (one per URL, id ev.ID.urlkey+suffix), due at
// next, and reports whether one was new.
func (w *webhooks) rows(ctx context.Context, ev WebhookEvent, next time.Time, suffix string) bool {
	ev.At = ev.At.UTC()
	if ev.Detail == nil {
		ev.Detail = map[string]any{}
	}
	body, err := json.Marshal(ev)
	if err != nil {
		w.svc.log.ErrorContext(ctx, "vault: webhook event not raised", "event", ev.Event, "account", ev.Account, "err", err)
		return false
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), requestWait)
	defer cancel()
	added := false
	for u, key := range w.urls {
		// The row names its URL by key, not by the URL itself: a URL may
		// carry a receiver's credential, which the store must not hold.
		ok, err := w.ob.Enqueue(ctx, store.OutboxEvent{ID: ev.ID + "." + key + suffix, Kind: ev.Event, Target: targetPrefix + key, Payload: body, NextAttempt: next})
		if err != nil {
			w.svc.log.ErrorContext(ctx, "vault: webhook event not queued", "event", ev.Event, "id", ev.ID, "account", ev.Account, "url", RedactURL(u), "err", err)
			continue
		}
		added = added || ok
	}
	return added
}

// stateOf is the account's state in the service's words.
func (w *webhooks) stateOf(rec store.Record) string {
	return string(w.svc.healthOf(rec).State)
}

// accountAdded raises account_added for the login rec, and recovered when
// the account needed a human login before it (prev, the record before;
// zero Account when there was none).
func (w *webhooks) accountAdded(ctx context.Context, rec, prev store.Record, keep bool) {
	if w == nil {
		return
	}
	at := w.svc.now()
	replaced := prev.Account != ""
	w.raise(ctx, WebhookEvent{ID: eventID(EventAccountAdded, rec.Account, strconv.FormatInt(rec.Version, 10), micros(rec.UpdatedAt)),
		Event: EventAccountAdded, Account: rec.Account, OnlineID: rec.OnlineID, At: at,
		Detail: map[string]any{"state": w.stateOf(rec), "npssoKept": keep, "replaced": replaced, "refreshExpiry": rec.RefreshExpiry}})
	if replaced && w.stateOf(prev) == string(vault.StateLoginRequired) {
		w.raise(ctx, WebhookEvent{ID: eventID(EventRecovered, rec.Account, strconv.FormatInt(rec.Version, 10), micros(rec.UpdatedAt)),
			Event: EventRecovered, Account: rec.Account, OnlineID: rec.OnlineID, At: at,
			Detail: map[string]any{"state": w.stateOf(rec), "how": "logged in again"}})
	}
}

// before reads the record an add is about to replace (zero when none or
// when webhooks are off).
func (w *webhooks) before(ctx context.Context, name string) store.Record {
	if w == nil {
		return store.Record{}
	}
	rec, _ := w.svc.st.Get(ctx, name)
	return rec
}

// deleting raises account_deleted for the record about to be deleted,
// before the delete, so that a crash after the delete cannot lose it. The
// delivery loop is not woken: done, called with the delete's error, wakes
// it, or withdraws the event when this delete did not happen. Its id is
// new each time (a failed delete tried again must raise it again).
func (w *webhooks) deleting(ctx context.Context, name string) (done func(context.Context, error)) {
	none := func(context.Context, error) {}
	if w == nil {
		return none
	}
	rec, err := w.svc.st.Get(ctx, name)
	if err != nil {
		return none // nothing to delete, or the delete fails too
	}
	var nonce [8]byte
	_, _ = cryptorand.Read(nonce[:])
	id := eventID(EventAccountDeleted, rec.Account, strconv.FormatInt(rec.Version, 10), micros(rec.UpdatedAt), hex.EncodeToString(nonce[:]))
	ev := WebhookEvent{ID: id, Event: EventAccountDeleted, Account: rec.Account, OnlineID: rec.OnlineID, At: w.svc.now(),
		Detail: map[string]any{"stateBefore": w.stateOf(rec)}}
	// Held rows: due only after deleteHold, so that no replica's pass sends
	// them before the delete is done (or withdrawn). After a crash they
	// are sent then.
	w.rows(ctx, ev, w.svc.now().Add(deleteHold), "")
	w.raised.WithLabelValues(ev.Event).Inc()
	sent := func(ctx context.Context) {
		// The delete is done: rows due now, under the same delivery id,
		// replace the held ones.
		w.rows(ctx, ev, w.svc.now(), sentSuffix)
		for _, key := range w.urls {
			if _, err := w.ob.GetEvent(ctx, id+"."+key+sentSuffix); err != nil {
				continue // the held row stays, and is sent after deleteHold
			}
			if held, err := w.ob.GetEvent(ctx, id+"."+key); err == nil && held.DoneAt.IsZero() && held.Attempts == 0 && held.LeaseOwner == "" {
				_ = w.ob.FinishEvent(ctx, held.ID, "replaced once the delete was done")
			}
		}
		w.svc.log.InfoContext(ctx, "vault: webhook event raised", "event", ev.Event, "id", ev.ID, "account", ev.Account)
		w.wakeUp()
	}
	return func(ctx context.Context, derr error) {
		if derr == nil {
			sent(ctx)
			return
		}
		if !errors.Is(derr, store.ErrNotFound) {
			// A failure after the commit (a timeout) is a delete all the
			// same: withdraw only while the account is still there as it was.
			if cur, err := w.svc.st.Get(ctx, name); err != nil || cur.Version != rec.Version {
				sent(ctx)
				return
			}
		} // else another process deleted it first, and raised its own event
		for _, key := range w.urls {
			if ev, err := w.ob.GetEvent(ctx, id+"."+key); err == nil && ev.DoneAt.IsZero() && ev.Attempts == 0 {
				_ = w.ob.FinishEvent(ctx, ev.ID, "withdrawn: this delete did not happen")
			}
		}
	}
}

// loginRequired raises login_required when err (recorded about the token
// at version) says the account needs a human login. Its id is the
// account's token write (version and access expiry): the same rejection
// met again, by another replica or after RejectedRetry, is one event.
func (w *webhooks) loginRequired(ctx context.Context, name string, version int64, err error) {
	var lr *psn.LoginRequiredError
	if w == nil || !errors.As(err, &lr) {
		return
	}
	rec, gerr := w.svc.st.Get(ctx, name)
	if gerr != nil || (version > 0 && rec.Version != version) {
		return // deleted, or a new token was saved since: not login-required any more
	}
	d := map[string]any{"state": string(vault.StateLoginRequired), "secret": string(lr.Which), "action": loginAction}
	if !lr.At.IsZero() {
		d["since"] = lr.At.UTC()
	}
	if h := w.svc.healthOf(rec); !h.RetryAt.IsZero() {
		d["retryAt"] = h.RetryAt
	}
	switch {
	case lr.Which == psn.SecretNPSSO:
		d["reason"] = "PSN refused the refresh token and the kept NPSSO"
	case errors.Is(lr, psn.ErrInvalidGrant):
		d["reason"] = "PSN refused the refresh token and no working NPSSO is kept"
	default:
		d["reason"] = "the refresh token expired and no working NPSSO is kept"
	}
	w.raise(ctx, WebhookEvent{ID: eventID(EventLoginRequired, name, strconv.FormatInt(rec.Version, 10), micros(rec.AccessExpiry)),
		Event: EventLoginRequired, Account: name, OnlineID: rec.OnlineID, At: w.svc.now(), Detail: d})
}

// expiring raises refresh_expiring, at most once a UTC day per account
// (the day is in its id), when no NPSSO is kept.
func (w *webhooks) expiring(ctx context.Context, name string, exp time.Time, kept bool) {
	if w == nil || kept {
		return
	}
	now := w.svc.now()
	onlineID := ""
	if rec, err := w.svc.st.Get(ctx, name); err == nil {
		onlineID = rec.OnlineID
	}
	w.raise(ctx, WebhookEvent{ID: eventID(EventRefreshExpiring, name, now.UTC().Format(time.DateOnly)),
		Event: EventRefreshExpiring, Account: name, OnlineID: onlineID, At: now,
		Detail: map[string]any{"state": string(vault.StateExpiring), "refreshExpiry": exp.UTC(), "npssoKept": false, "action": expiringAction}})
}

// loaded notes whether the token state a source loaded is login-required.
func (w *webhooks) loaded(name string, st psn.TokenState, now time.Time) {
	if w == nil || st.Token == nil {
		return
	}
	dead := !st.RefreshRejectedAt.IsZero() || st.Token.RefreshExpired(now)
	npssoWorks := st.NPSSO != "" && st.NPSSORejectedAt.IsZero()
	if dead && !npssoWorks {
		w.dead.Store(name, struct{}{})
	} else {
		w.dead.Delete(name)
	}
}

// refreshed raises recovered when a source saved a new token for an
// account it had loaded in the login-required state.
func (w *webhooks) refreshed(ctx context.Context, name string, tok *psn.Token) {
	if w == nil {
		return
	}
	if _, was := w.dead.LoadAndDelete(name); !was {
		return
	}
	onlineID := ""
	if rec, err := w.svc.st.Get(ctx, name); err == nil {
		onlineID = rec.OnlineID
	}
	w.raise(ctx, WebhookEvent{ID: eventID(EventRecovered, name, micros(tok.Expiry)), Event: EventRecovered, Account: name,
		OnlineID: onlineID, At: w.svc.now(), Detail: map[string]any{"state": string(vault.StateOK), "how": "refreshed"}})
}

// Load is AccountStore.Load, remembering for the webhooks whether the
// account was loaded in the login-required state.
func (s *serviceStore) Load(ctx context.Context) (psn.TokenState, error) {
	st, err := s.AccountStore.Load(ctx)
	if err == nil && s.svc.hooks != nil {
		s.svc.hooks.loaded(s.name, st, s.svc.now())
	}
	return st, err
}

// run delivers due events until ctx is done, every Poll and whenever this
// process raised one; then it lets the POSTs in flight finish.
func (w *webhooks) run(ctx context.Context) {
	shown := make([]string, 0, len(w.urls))
	for u := range w.urls {
		shown = append(shown, RedactURL(u))
	}
	slices.Sort(shown)
	w.svc.log.InfoContext(ctx, "vault: sending webhooks", "urls", strings.Join(shown, " "))
	t := time.NewTicker(w.cfg.Poll)
	defer t.Stop()
	for {
		n, err := w.deliver(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			w.svc.log.WarnContext(ctx, "vault: webhook delivery pass failed", "err", err)
		}
		if err == nil && n == deliverBatch {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.wake:
		}
	}
}

// DeliverEvents is one webhook delivery pass (Run does them every second
// and whenever this process raises an event): it claims the due events of
// the outbox, POSTs each to its URL and records the outcome, and returns
// how many it claimed. It is a no-op without webhooks.
func (s *Service) DeliverEvents(ctx context.Context) (int, error) {
	if s.hooks == nil {
		return 0, nil
	}
	return s.hooks.deliver(ctx)
}

func (w *webhooks) deliver(ctx context.Context) (int, error) {
	now := w.svc.now()
	if last := w.pruned.Load(); now.UnixNano()-last >= int64(pruneEvery) && w.pruned.CompareAndSwap(last, now.UnixNano()) {
		if n, err := w.ob.PruneEvents(ctx, now.Add(-eventKeep)); err == nil && n > 0 {
			w.svc.log.DebugContext(ctx, "vault: pruned finished webhook events", "n", n)
		}
	}
	evs, err := w.ob.ClaimEvents(ctx, now, deliverBatch, w.svc.owner, deliverLease)
	if err != nil {
		return 0, fmt.Errorf("vault: claiming webhook events: %w", err)
	}
	// Each URL gets its events one after another, oldest first; URLs are
	// served side by side, deliverConcurrency at a time.
	byTarget := map[string][]store.OutboxEvent{}
	var targets []string
	for _, ev := range evs {
		if byTarget[ev.Target] == nil {
			targets = append(targets, ev.Target)
		}
		byTarget[ev.Target] = append(byTarget[ev.Target], ev)
	}
	sem := make(chan struct{}, deliverConcurrency)
	var wg sync.WaitGroup
	for _, target := range targets {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			var failedUntil time.Time // set when an event to this URL just failed
			for _, ev := range byTarget[target] {
				switch {
				case !failedUntil.IsZero():
					// The URL just failed: its later events wait with the
					// failed one, without an attempt counted (else each
					// would back off as if it had failed itself).
					w.release(context.WithoutCancel(ctx), ev, failedUntil, "not attempted: an earlier event to this URL failed")
				case ctx.Err() != nil: // stopping: POSTs in flight finish, no new one starts
					w.release(context.WithoutCancel(ctx), ev, w.svc.now(), "not attempted: the vault was stopping")
				case w.svc.now().Sub(now) > deliverLease-WebhookTimeout-leaseMargin:
					// The claim could lapse during this POST and another
					// replica send the event too: leave it to the next claim.
					w.release(context.WithoutCancel(ctx), ev, w.svc.now(), "not attempted: its claim was running out")
				default:
					failedUntil = w.deliverOne(context.WithoutCancel(ctx), ev)
				}
			}
		})
	}
	wg.Wait()
	// The depth gauge: counted after a pass that sent something, else at
	// most every depthEvery, so an idle outbox costs no count per poll.
	if last := w.counted.Load(); len(evs) > 0 || now.UnixNano()-last >= int64(depthEvery) {
		w.counted.Store(now.UnixNano())
		if n, err := w.ob.PendingEvents(ctx); err == nil {
			w.depth.Store(int64(n))
		}
	}
	return len(evs), nil
}

// targetPrefix starts an outbox row's Target: "webhook:" and the key of
// its URL (the first 6 bytes of the URL's SHA-256, in hex).
const targetPrefix = "webhook:"

// urlOf is the configured URL an outbox row's target names, or false when
// this process has no such URL. A target that is a URL itself (rows
// written before targets were keys) names that URL.
func (w *webhooks) urlOf(target string) (string, bool) {
	if key, ok := strings.CutPrefix(target, targetPrefix); ok {
		u, ok := w.byKey[key]
		return u, ok
	}
	_, ok := w.urls[target]
	return target, ok
}

// show is how logs name a row's target: its URL's scheme and host when
// this process knows the URL, else the target's key.
func (w *webhooks) show(target string) string {
	if u, ok := w.urlOf(target); ok || strings.Contains(target, "://") {
		return RedactURL(u)
	}
	return target
}

// deliverOne POSTs one claimed event and records the outcome. When the
// POST failed, it returns the event's next attempt (zero otherwise).
func (w *webhooks) deliverOne(ctx context.Context, ev store.OutboxEvent) time.Time {
	log := w.svc.log
	id, _, _ := strings.Cut(ev.ID, ".")
	u, known := w.urlOf(ev.Target)
	if !known {
		// Not a URL of this process: one removed from --webhook (it may be
		// no longer trusted), or another replica's during a change of
		// --webhook. Nothing is sent there from here; the event is left
		// to a replica that has the URL until it would be given up.
		if now := w.svc.now(); ev.CreatedAt.IsZero() || now.Sub(ev.CreatedAt) < w.cfg.GiveUpAfter {
			if err := w.ob.RetryEvent(ctx, ev.ID, w.svc.owner, now.Add(w.backoff(ev.Attempts)), "not sent by a vault without this --webhook URL"); err != nil {
				log.WarnContext(ctx, "vault: releasing a webhook event", "id", id, "err", err)
			}
			log.DebugContext(ctx, "vault: webhook event left to a replica with its URL", "event", ev.Kind, "id", id, "url", w.show(ev.Target))
			return time.Time{}
		}
		_ = w.ob.FinishEvent(ctx, ev.ID, "dropped: the URL is no longer configured")
		w.deliveries.WithLabelValues("dropped").Inc()
		log.WarnContext(ctx, "vault: webhook event dropped: its URL is no longer configured", "event", ev.Kind, "id", id, "url", w.show(ev.Target))
		return time.Time{}
	}
	pctx, cancel := context.WithTimeout(ctx, WebhookTimeout)
	code, err := postWebhook(pctx, w.cfg.Client, u, id, ev.Kind, ev.Payload, w.cfg.Secret)
	cancel()
	if err == nil && code >= 200 && code < 300 {
		if ferr := w.ob.FinishEvent(ctx, ev.ID, ""); ferr != nil {
			log.WarnContext(ctx, "vault: webhook delivered but not marked so; it may be sent again", "event", ev.Kind, "id", id, "err", ferr)
		}
		w.deliveries.WithLabelValues("delivered").Inc()
		log.InfoContext(ctx, "vault: webhook delivered", "event", ev.Kind, "id", id, "url", w.show(ev.Target), "status", code, "attempt", ev.Attempts+1)
		return time.Time{}
	}
	why := fmt.Sprintf("HTTP %d", code)
	if err != nil {
		why = err.Error()
	}
	return w.retry(ctx, ev, why)
}

// retry records a failed attempt of ev (why, never a secret) and sets its
// next one, or gives the event up once GiveUpAfter has passed since it was
// raised.
func (w *webhooks) retry(ctx context.Context, ev store.OutboxEvent, why string) time.Time {
	log := w.svc.log
	id, _, _ := strings.Cut(ev.ID, ".")
	now := w.svc.now()
	if !ev.CreatedAt.IsZero() && now.Sub(ev.CreatedAt) >= w.cfg.GiveUpAfter {
		_ = w.ob.FinishEvent(ctx, ev.ID, fmt.Sprintf("gave up after %d attempts: %s", ev.Attempts+1, why))
		w.deliveries.WithLabelValues("gave_up").Inc()
		log.ErrorContext(ctx, "vault: webhook given up", "event", ev.Kind, "id", id, "url", w.show(ev.Target), "attempts", ev.Attempts+1, "err", why)
		return now
	}
	delay := w.backoff(ev.Attempts)
	if rerr := w.ob.RetryEvent(ctx, ev.ID, w.svc.owner, now.Add(delay), why); rerr != nil {
		log.WarnContext(ctx, "vault: recording a failed webhook attempt", "id", id, "err", rerr)
	}
	w.deliveries.WithLabelValues("failed").Inc()
	log.WarnContext(ctx, "vault: webhook failed; retrying later", "event", ev.Kind, "id", id, "url", w.show(ev.Target), "attempt", ev.Attempts+1, "err", why, "retryIn", delay)
	return now.Add(delay)
}

// release hands a claimed event that was not attempted back to the outbox,
// due at next, without an attempt counted (so its backoff does not grow),
// unless its time is up (GiveUpAfter since it was raised): then it is given
// up as a failed one would be.
func (w *webhooks) release(ctx context.Context, ev store.OutboxEvent, next time.Time, why string) {
	id, _, _ := strings.Cut(ev.ID, ".")
	if !ev.CreatedAt.IsZero() && w.svc.now().Sub(ev.CreatedAt) >= w.cfg.GiveUpAfter {
		// Its time is up whether or not it was tried now.
		w.retry(ctx, ev, why)
		return
	}
	if err := w.ob.ReleaseEvent(ctx, ev.ID, w.svc.owner, next); err != nil {
		w.svc.log.WarnContext(ctx, "vault: releasing a webhook event", "id", id, "err", err)
	}
}

// backoff is the delay after failed attempt number attempts+1: RetryBase
// doubled per earlier attempt, at most RetryMax, ±20 % jitter.
func (w *webhooks) backoff(attempts int) time.Duration {
	d := w.cfg.RetryBase
	for i := 0; i < attempts && d < w.cfg.RetryMax; i++ {
		d *= 2
	}
	d = min(d, w.cfg.RetryMax)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}
