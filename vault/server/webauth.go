package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Who may see the status page and /metrics (docs/vault.md, "Who may see
// what"): a request that arrived on a loopback address sees them without
// a key; any other needs an API key — "Authorization: Bearer" for
// /metrics, and for the page either that header or a session cookie set by
// the login form (POST /login).
const (
	// SessionTTL is how long a status page session lasts after its login
	// (absolute, not sliding).
	SessionTTL = 12 * time.Hour
	// sessionCookie names the session cookie over plain HTTP;
	// sessionCookieTLS under TLS (the __Host- prefix makes browsers keep it
	// Secure, host-only and on Path=/).
	sessionCookie    = "psnv_session"
	sessionCookieTLS = "__Host-psnv_session"
	// maxSessions bounds the sessions one process keeps.
	maxSessions = 10000
	// Failed logins: at most loginMaxFailures per remote address within
	// loginFailWindow; then the form answers 429 until the window ends.
	loginMaxFailures = 10
	loginFailWindow  = 15 * time.Minute
	// maxFailAddrs bounds the addresses whose failures are remembered.
	maxFailAddrs = 4096
)

// HandlerOption configures NewHandler.
type HandlerOption func(*handlerConfig)

type handlerConfig struct {
	keyAlways bool
	now       func() time.Time
}

// PagesNeedKey makes the status page and /metrics ask for an API key on
// every address, loopback included: for a vault behind a proxy on the
// same host, where every request arrives on loopback.
func PagesNeedKey() HandlerOption {
	return func(c *handlerConfig) { c.keyAlways = true }
}

// withWallClock sets the clock of sessions and login rate limits (tests).
func withWallClock(now func() time.Time) HandlerOption {
	return func(c *handlerConfig) { c.now = now }
}

// webSession is one status page login: the API key it was opened with
// (its id: the session ends when that key is revoked) and its end.
type webSession struct {
	keyID   string
	expires time.Time
}

// failWindow counts one address's failed logins since start.
type failWindow struct {
	start time.Time
	n     int
}

// webAuth guards the status page and /metrics. Sessions live in this
// process's memory: behind a balancer over several replicas, a browser
// logs in once per replica it reaches (or use sticky sessions).
type webAuth struct {
	keys      *APIKeys
	log       *slog.Logger
	keyAlways bool
	now       func() time.Time
	csrf      *http.CrossOriginProtection
	// audit writes an audit line (api.audit): sign-ins, refusals, sign-outs.
	audit func(r *http.Request, event string, attrs ...slog.Attr)

	mu       sync.Mutex
	sessions map[[32]byte]webSession     // SHA-256 of the cookie value → session
	fails    map[netip.Prefix]failWindow // by limitKey
	tries    map[netip.Prefix]int        // by limitKey: logins being checked now
}

func newWebAuth(svc *Service, keys *APIKeys, opts []HandlerOption) *webAuth {
	cfg := handlerConfig{now: time.Now}
	for _, o := range opts {
		o(&cfg)
	}
	w := &webAuth{
		keys: keys, log: svc.log, keyAlways: cfg.keyAlways, now: cfg.now,
		csrf:     http.NewCrossOriginProtection(),
		sessions: map[[32]byte]webSession{}, fails: map[netip.Prefix]failWindow{}, tries: map[netip.Prefix]int{},
	}
	w.csrf.SetDenyHandler(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		http.Error(rw, "cross-origin request refused", http.StatusForbidden)
	}))
	return w
}

// arrivedOnLoopback reports whether r came in on a loopback address of
// this host (127.0.0.0/8, ::1, or their IPv4-mapped forms).
func arrivedOnLoopback(r *http.Request) bool {
	la, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return false
	}
	ap, err := netip.ParseAddrPort(la.String())
	if err != nil {
		return false
	}
	return ap.Addr().Unmap().IsLoopback()
}

// loopbackHost reports whether host (a Host header: name or address,
// maybe with a port) names this host's loopback: localhost, a name under
// .localhost (which browsers resolve to loopback themselves), or a loopback
// address. An empty host (HTTP/1.0) names nothing a browser could rebind.
func loopbackHost(host string) bool {
	if host == "" {
		return true
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	return err == nil && a.Unmap().IsLoopback()
}

// forwarded reports whether r says a proxy forwarded it. Such a header is
// never believed as a client's address; it only takes away what loopback
// would give (any client may send one, to no gain).
func forwarded(r *http.Request) bool {
	for _, h := range []string{"Forwarded", "X-Forwarded-For", "X-Real-Ip"} {
		if _, ok := r.Header[h]; ok {
			return true
		}
	}
	return false
}

// open reports whether r may see the page and /metrics without a key: it
// arrived on loopback, its Host header names loopback too, and no proxy
// header says it was forwarded from elsewhere. A browser sends the name it
// was given, so a web page that rebinds its own name to 127.0.0.1 (DNS
// rebinding) to read this page gets the form instead.
func (w *webAuth) open(r *http.Request) bool {
	return !w.keyAlways && arrivedOnLoopback(r) && loopbackHost(r.Host) && !forwarded(r)
}

// bearer reports whether r carries a valid API key in its Authorization
// header and, when seesAll is set, one whose scope reads every account (the
// status page lists every account's name); err is set when the keys could
// not be read.
func (w *webAuth) bearer(r *http.Request, seesAll bool) (bool, error) {
	key, ok := parseBearer(r.Header.Get("Authorization"))
	if !ok {
		return false, nil
	}
	info, err := w.verify(r, key)
	if err != nil {
		if errors.Is(err, ErrAPIKeyInvalid) {
			return false, nil
		}
		return false, err
	}
	return !seesAll || info.Scope.ReadsAll(), nil
}

// throttledError: the caller's address used up its failed key checks; it
// may try again at until.
type throttledError struct{ until time.Time }

func (e *throttledError) Error() string {
	return "too many invalid API keys from this address"
}

// verify checks key for request r as APIKeys.Verify does, except that a key
// not already verified is checked (with argon2id) only while r's address
// has failed fewer than loginMaxFailures times in loginFailWindow (the
// limit of the sign-in form, shared: /v1, /metrics, the page's bearer and
// the form count together), else *throttledError; a wrong key so checked
// counts as a failure. Keys already verified pass at once, whoever sends
// them.
func (w *webAuth) verify(r *http.Request, key string) (APIKeyInfo, error) {
	addr := remoteAddr(r)
	var done func()
	info, err := w.keys.verify(r.Context(), key, func() error {
		busy, until, d := w.throttled(addr)
		if busy {
			return &throttledError{until: until}
		}
		done = d
		return nil
	})
	if done != nil {
		if errors.Is(err, ErrAPIKeyInvalid) {
			w.failed(addr)
		}
		done()
	}
	return info, err
}

// writeThrottled answers a request refused by verify's limit: 429 with
// Retry-After.
func (w *webAuth) writeThrottled(rw http.ResponseWriter, te *throttledError) {
	secs := int(te.until.Sub(w.now())/time.Second) + 1
	rw.Header().Set("Retry-After", strconv.Itoa(secs))
	writeError(rw, http.StatusTooManyRequests, APIError{Code: "too_many_failures",
		Message: "too many invalid API keys from your address; try again in " + relDuration(te.until.Sub(w.now()))})
}

// metrics guards /metrics: open on loopback, else any valid API key as a
// bearer (the series hold counts, never an account name).
func (w *webAuth) metrics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if w.open(r) {
			next.ServeHTTP(rw, r)
			return
		}
		ok, err := w.bearer(r, false)
		var te *throttledError
		switch {
		case errors.As(err, &te):
			w.writeThrottled(rw, te)
		case errors.Is(err, ErrAPIKeyBusy):
			writeError(rw, http.StatusServiceUnavailable, APIError{Code: "busy", Message: "too many API key checks at once; try again"})
		case err != nil:
			writeError(rw, http.StatusServiceUnavailable, APIError{Code: "store_unavailable", Message: "the API keys could not be read"})
		case !ok:
			unauthorized(rw, "/metrics needs Authorization: Bearer <api key> on this address")
		default:
			next.ServeHTTP(rw, r)
		}
	})
}

// cookieName is the session cookie's name for r.
func cookieName(r *http.Request) string {
	if r.TLS != nil {
		return sessionCookieTLS
	}
	return sessionCookie
}

// session reports whether r carries the cookie of a live session whose
// API key still exists.
func (w *webAuth) session(r *http.Request) (bool, error) {
	c, err := r.Cookie(cookieName(r))
	if err != nil || c.Value == "" || len(c.Value) > 100 {
		return false, nil
	}
	id := sha256.Sum256([]byte(c.Value))
	w.mu.Lock()
	s, ok := w.sessions[id]
	if ok && !w.now().Before(s.expires) {
		delete(w.sessions, id)
		ok = false
	}
	w.mu.Unlock()
	if !ok {
		return false, nil
	}
	f, err := w.keys.current(r.Context())
	if err != nil {
		return false, err
	}
	if !slices.ContainsFunc(f.Keys, func(k apiKeyRecord) bool { return k.ID == s.keyID && !k.badScope && k.info().Scope.ReadsAll() }) {
		w.mu.Lock()
		delete(w.sessions, id)
		w.mu.Unlock()
		return false, nil
	}
	return true, nil
}

// page guards the status page: open on loopback; else a session cookie or
// a bearer key, and the login form for everyone else.
func (w *webAuth) page(next func(http.ResponseWriter, *http.Request, pageAccess)) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		if w.open(r) {
			next(rw, r, pageAccess{})
			return
		}
		ok, err := w.session(r)
		if err == nil && ok {
			next(rw, r, pageAccess{signedIn: true})
			return
		}
		if err == nil {
			ok, err = w.bearer(r, true)
		}
		var te *throttledError
		switch {
		case errors.As(err, &te):
			rw.Header().Set("Retry-After", strconv.Itoa(int(te.until.Sub(w.now())/time.Second)+1))
			writeLogin(rw, http.StatusTooManyRequests, "Too many failed attempts from your address: try again in "+relDuration(te.until.Sub(w.now()))+".")
		case err != nil:
			writeLogin(rw, http.StatusServiceUnavailable, "The API keys could not be read from the store; try again shortly.")
		case ok:
			next(rw, r, pageAccess{})
		default:
			writeLogin(rw, http.StatusOK, "")
		}
	}
}

// pageAccess says how a page request was let in.
type pageAccess struct {
	signedIn bool // through a session: the page offers to sign out
}

// remoteAddr is the address r came from (no proxy header is believed).
func remoteAddr(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

// limitKey is what the failed-login limit counts as one address: an IPv4
// address, or an IPv6 /64 (one client, a home or a host, commonly holds a
// whole /64 and could take a new address for every try).
func limitKey(addr netip.Addr) netip.Prefix {
	bits := 32
	if addr.Is6() {
		bits = 64
	}
	p, _ := addr.Prefix(bits) // the zero Prefix for an invalid addr: one key
	return p
}

// throttled reports whether addr used up its failed logins, counting its
// tries still being checked as failures (else tries sent at once would all
// pass before the first failure is counted), and when it may try again.
// When it is not, it holds one try for addr until done is called.
func (w *webAuth) throttled(addr netip.Addr) (busy bool, until time.Time, done func()) {
	key := limitKey(addr)
	now := w.now()
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	if f, ok := w.fails[key]; ok {
		if end := f.start.Add(loginFailWindow); now.Before(end) {
			n, until = f.n, end
		} else {
			delete(w.fails, key)
		}
	}
	if n+w.tries[key] >= loginMaxFailures {
		if until.IsZero() { // held back by tries in flight only
			until = now.Add(time.Second)
		}
		return true, until, nil
	}
	w.tries[key]++
	return false, time.Time{}, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.tries[key]--; w.tries[key] <= 0 {
			delete(w.tries, key)
		}
	}
}

// failed counts a failed login from addr.
func (w *webAuth) failed(addr netip.Addr) {
	key := limitKey(addr)
	now := w.now()
	w.mu.Lock()
	defer w.mu.Unlock()
	f, ok := w.fails[key]
	if !ok || !now.Before(f.start.Add(loginFailWindow)) {
		if len(w.fails) >= maxFailAddrs {
			for a, g := range w.fails {
				if !now.Before(g.start.Add(loginFailWindow)) {
					delete(w.fails, a)
				}
			}
			if len(w.fails) >= maxFailAddrs {
				// A bound on memory that frees nobody who is held back:
				// forget the window with the fewest failures (the oldest
				// of those), so an attacker with many networks cannot
				// wipe the count of an address that has reached the limit.
				var victim netip.Prefix
				least := -1
				for a, g := range w.fails {
					if least < 0 || g.n < least || (g.n == least && g.start.Before(w.fails[victim].start)) {
						victim, least = a, g.n
					}
				}
				delete(w.fails, victim)
			}
		}
		f = failWindow{start: now}
	}
	f.n++
	w.fails[key] = f
}

// login serves POST /login: the form's key, once; a good one opens a
// session (a random id in an HttpOnly, SameSite=Strict cookie, Secure
// under TLS) and redirects to the page. The request must be same-origin
// (CrossOriginProtection, applied by routes).
func (w *webAuth) login(rw http.ResponseWriter, r *http.Request) {
	addr := remoteAddr(r)
	busy, until, done := w.throttled(addr)
	if busy {
		rw.Header().Set("Retry-After", strconv.Itoa(int(until.Sub(w.now())/time.Second)+1))
		writeLogin(rw, http.StatusTooManyRequests, "Too many failed attempts from your address: try again in "+
			relDuration(until.Sub(w.now()))+".")
		return
	}
	defer done()
	r.Body = http.MaxBytesReader(rw, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		writeLogin(rw, http.StatusBadRequest, "The form could not be read.")
		return
	}
	key := strings.TrimSpace(r.PostForm.Get("key"))
	ctx, cancel := context.WithTimeout(r.Context(), requestWait)
	defer cancel()
	info, err := w.keys.Verify(ctx, key)
	if errors.Is(err, ErrAPIKeyInvalid) {
		w.failed(addr)
		w.log.WarnContext(ctx, "vault: status page login refused", "remote", addr.String())
		w.audit(r, AuditPageSignInRefused, slog.String("reason", "key not accepted"))
		writeLogin(rw, http.StatusUnauthorized, "That key was not accepted.")
		return
	}
	if err != nil {
		writeLogin(rw, http.StatusServiceUnavailable, "The key could not be checked now; try again shortly.")
		return
	}
	if !info.Scope.ReadsAll() {
		// The page names every account: a key scoped to some accounts may
		// not see the others'.
		w.log.WarnContext(ctx, "vault: status page login refused: the key reads only some accounts", "key_id", info.ID, "remote", addr.String())
		w.audit(r, AuditPageSignInRefused, slog.String("key_id", info.ID), slog.String("key_name", info.Name), slog.String("reason", "scope"))
		writeLogin(rw, http.StatusForbidden, "That key reads only some accounts; the status page needs an admin key or one scoped '*'.")
		return
	}
	var raw [32]byte
	_, _ = rand.Read(raw[:])
	value := base64.RawURLEncoding.EncodeToString(raw[:])
	expires := w.now().Add(SessionTTL)
	w.mu.Lock()
	if len(w.sessions) >= maxSessions {
		now := w.now()
		for id, s := range w.sessions {
			if !now.Before(s.expires) {
				delete(w.sessions, id)
			}
		}
		for id := range w.sessions { // still full: drop any
			if len(w.sessions) < maxSessions {
				break
			}
			delete(w.sessions, id)
		}
	}
	w.sessions[sha256.Sum256([]byte(value))] = webSession{keyID: info.ID, expires: expires}
	w.mu.Unlock()
	w.log.InfoContext(ctx, "vault: status page login", "key_id", info.ID, "remote", addr.String())
	w.audit(r, AuditPageSignedIn, slog.String("key_id", info.ID), slog.String("key_name", info.Name))
	http.SetCookie(rw, &http.Cookie{
		Name: cookieName(r), Value: value, Path: "/", Expires: expires, MaxAge: int(SessionTTL / time.Second),
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode,
	})
	rw.Header().Set("Cache-Control", "no-store")
	http.Redirect(rw, r, "/", http.StatusSeeOther)
}

// logout serves POST /logout: it ends the session and clears the cookie.
func (w *webAuth) logout(rw http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(cookieName(r)); err == nil {
		id := sha256.Sum256([]byte(c.Value))
		w.mu.Lock()
		s, ok := w.sessions[id]
		delete(w.sessions, id)
		w.mu.Unlock()
		if ok {
			w.audit(r, AuditPageSignedOut, slog.String("key_id", s.keyID))
		}
	}
	http.SetCookie(rw, &http.Cookie{
		Name: cookieName(r), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode,
	})
	rw.Header().Set("Cache-Control", "no-store")
	http.Redirect(rw, r, "/", http.StatusSeeOther)
}

// routes adds POST /login and POST /logout to mux, both refusing
// cross-origin requests.
