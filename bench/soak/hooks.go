package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Webhook headers of psn-vault serve (docs/vault.md, "Webhooks"). The
// receiver checks them with its own HMAC, not the vault's code.
const (
	hdrEvent     = "X-Psn-Event"
	hdrDelivery  = "X-Psn-Delivery"
	hdrSignature = "X-Psn-Signature-256"
)

// hookKey names an event the harness expects: its kind and account.
type hookKey struct{ event, account string }

func (k hookKey) String() string { return k.event + " " + k.account }

// hookReceiver is the webhook receiver of a run: every replica POSTs its
// events here. It checks each signature, records (delivery id, event,
// account), answers 204 — or 500 to a random --hook-fail fraction of the
// well-signed POSTs, to make the vault retry.
type hookReceiver struct {
	secret []byte
	failP  float64

	mu        sync.Mutex
	secrets   []string // values no body may contain (API key, NPSSOs, store key)
	rng       *mrand.Rand
	posts     int                // POSTs received
	badSig    int                // of those, a missing or wrong signature (answered 401)
	malformed int                // well signed, but not an event whose id and kind match the headers
	leaked    int                // bodies holding a secret
	injected  int                // answered 500 on purpose
	acked     map[string]hookKey // delivery id → event, for ids answered 2xx
	got       map[hookKey]int    // distinct delivery ids answered 2xx per (event, account)
	dupes     int                // 2xx deliveries of an id already answered 2xx
	gate      chan struct{}      // non-nil: POSTs wait for it to close before being answered
	waiting   map[string]int     // POSTs waiting at the gate, by the sender's address

	srv *http.Server
	url string
}

// newHookReceiver returns a receiver (not listening) that checks
// signatures with secret and fails a fraction failP of the POSTs.
func newHookReceiver(secret []byte, failP float64, seed uint64) *hookReceiver {
	return &hookReceiver{
		secret: secret, failP: failP, rng: mrand.New(mrand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		acked: map[string]hookKey{}, got: map[hookKey]int{}, waiting: map[string]int{},
	}
}

// listen serves the receiver on 127.0.0.1 and sets its URL.
func (rc *hookReceiver) listen() error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	rc.url = "http://" + l.Addr().String() + "/hook"
	rc.srv = &http.Server{Handler: rc, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = rc.srv.Serve(l) }()
	return nil
}

func (rc *hookReceiver) close() {
	if rc.srv != nil {
		_ = rc.srv.Close()
	}
}

// watchFor sets the values no body may contain.
func (rc *hookReceiver) watchFor(secrets ...string) {
	rc.mu.Lock()
	rc.secrets = append(rc.secrets, secrets...)
	rc.mu.Unlock()
}

// sign is the X-Psn-Signature-256 value of body under the receiver's secret.
func (rc *hookReceiver) sign(body []byte) string {
	m := hmac.New(sha256.New, rc.secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// ServeHTTP receives one webhook POST.
func (rc *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return // the sender went away (killed): nothing was delivered
	}
	rc.mu.Lock()
	rc.posts++
	if !hmac.Equal([]byte(rc.sign(body)), []byte(r.Header.Get(hdrSignature))) {
		rc.badSig++
		rc.mu.Unlock()
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	gate := rc.gate
	if gate != nil {
		rc.waiting[r.RemoteAddr]++
	}
	rc.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-r.Context().Done():
		}
		rc.mu.Lock()
		if rc.waiting[r.RemoteAddr]--; rc.waiting[r.RemoteAddr] <= 0 {
			delete(rc.waiting, r.RemoteAddr)
		}
		rc.mu.Unlock()
		if r.Context().Err() != nil {
			return // the sender died while held: it never saw an answer
		}
	}
	code := rc.record(r.Header, body)
	w.WriteHeader(code)
}

// record judges one well-signed POST and returns the status to answer.
func (rc *hookReceiver) record(hdr http.Header, body []byte) int {
	var ev struct {
		ID      string `json:"id"`
		Event   string `json:"event"`
		Account string `json:"account"`
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, s := range rc.secrets {
		if s != "" && strings.Contains(string(body), s) {
			rc.leaked++
			break
		}
	}
	id := hdr.Get(hdrDelivery)
	if json.Unmarshal(body, &ev) != nil || ev.ID == "" || ev.ID != id || ev.Event != hdr.Get(hdrEvent) {
		rc.malformed++
		return http.StatusBadRequest
	}
	if rc.failP > 0 && rc.rng.Float64() < rc.failP {
		rc.injected++
		return http.StatusInternalServerError
	}
	if _, seen := rc.acked[id]; seen {
		rc.dupes++
		return http.StatusNoContent
	}
	k := hookKey{ev.Event, ev.Account}
	rc.acked[id] = k
	rc.got[k]++
	return http.StatusNoContent
}

// hold makes POSTs wait unanswered until release (a kill with webhook
// POSTs in flight).
func (rc *hookReceiver) hold() {
	rc.mu.Lock()
	if rc.gate == nil {
		rc.gate = make(chan struct{})
	}
	rc.mu.Unlock()
}

// release answers the held POSTs.
func (rc *hookReceiver) release() {
	rc.mu.Lock()
	if rc.gate != nil {
		close(rc.gate)
		rc.gate = nil
	}
	rc.mu.Unlock()
}

// held returns the senders' addresses (host:port) of the POSTs waiting at
// the gate.
func (rc *hookReceiver) held() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []string
	for a := range rc.waiting {
		out = append(out, a)
	}
	return out
}

// missing lists the expected events no 2xx delivery brought, sorted.
func (rc *hookReceiver) missing(expected []hookKey) []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []string
	for _, k := range expected {
		if rc.got[k] == 0 {
			out = append(out, k.String())
		}
	}
	slices.Sort(out)
	return out
}

// hookCounts is what the receiver saw, for the table and the last line.
type hookCounts struct {
	Posts, BadSig, Malformed, Leaked, Injected, Dupes int
	// Events is the number of distinct delivery ids answered 2xx; ByKind
	// counts them by event.
	Events int
	ByKind map[string]int
}

func (rc *hookReceiver) counts() hookCounts {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	c := hookCounts{Posts: rc.posts, BadSig: rc.badSig, Malformed: rc.malformed, Leaked: rc.leaked,
		Injected: rc.injected, Dupes: rc.dupes, Events: len(rc.acked), ByKind: map[string]int{}}
	for _, k := range rc.acked {
		c.ByKind[k.event]++
	}
	return c
}

// expectedHooks is what the harness did that must raise an event: one
// account_added per account it added.
func expectedHooks(accounts int) []hookKey {
	out := make([]hookKey, accounts)
	for i := range out {
		out[i] = hookKey{"account_added", acctName(i)}
	}
	return out
}

// kindsLine is "kind n, kind n" sorted by kind.
func kindsLine(m map[string]int) string {
	var parts []string
	for k, n := range m {
		parts = append(parts, fmt.Sprintf("%s %d", k, n))
	}
	slices.Sort(parts)
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
