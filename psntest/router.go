package psntest

import (
	"net/http"
	"path"
	"slices"
	"strings"
	"time"
)

// authMode says what a route requires before its handler runs.
type authMode int

const (
	// public routes check credentials themselves (the OAuth endpoints).
	public authMode = iota
	// bearer routes need a live access token; the token's owner is
	// rate-limited and available as call.me.
	bearer
)

// route is one PSN endpoint. Files of this package add areas of the API by
// returning their routes from a method listed in Sim.routes.
type route struct {
	method string // GET, POST, ...
	path   string // a net/http.ServeMux path pattern, e.g. /api/trophy/v1/users/{acc}/trophySummary
	auth   authMode
	handle func(*call)
}

// call is one request to a PSN route.
type call struct {
	s  *Sim
	w  http.ResponseWriter
	r  *http.Request
	me *user // the access token's owner on bearer routes
}

// routes lists every PSN route the simulator serves.
func (s *Sim) routes() []route {
	return slices.Concat(
		s.authRoutes(),
		s.accountRoutes(),
		s.trophyRoutes(),
		s.trophyDetailRoutes(),
		s.socialRoutes(),
		s.gameRoutes(),
		s.graphqlRoutes(),
		s.groupRoutes(),
	)
}

// isAuthPath reports whether p belongs to the auth server
// (ca.account.sony.com), for the fault scope "on=auth".
func isAuthPath(p string) bool { return strings.HasPrefix(p, "/api/authz/") }

func (s *Sim) buildHandler() http.Handler {
	psn := http.NewServeMux()
	for _, rt := range s.routes() {
		psn.Handle(rt.method+" "+rt.path, s.wrap(rt))
	}
	psn.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writePSNError(w, http.StatusNotFound, 0, "Not Found (psntest has no route "+r.Method+" "+r.URL.Path+")")
	})
	admin := s.adminHandler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/_sim" || strings.HasPrefix(r.URL.Path, "/_sim/") {
			admin.ServeHTTP(w, r)
			return
		}
		s.servePSN(w, r, psn)
	})
}

// servePSN counts the request, injects faults, then dispatches it.
func (s *Sim) servePSN(w http.ResponseWriter, r *http.Request, mux http.Handler) {
	n := s.stats.requests.Add(1)
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	defer func() {
		s.log.Debug("psntest: request", "n", n, "method", r.Method, "path", r.URL.Path,
			"status", sw.status, "elapsed", time.Since(start))
	}()
	// PSNAWP asks for .../users//basicPresences: serve it like the cleaned
	// path instead of letting ServeMux redirect.
	if strings.Contains(r.URL.Path, "//") {
		r = r.Clone(r.Context())
		r.URL.Path = path.Clean(r.URL.Path)
		r.URL.RawPath = ""
	}
	if s.injectFault(sw, r, uint64(n)) {
		return
	}
	mux.ServeHTTP(sw, r)
}

// wrap applies a route's auth mode around its handler.
func (s *Sim) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &call{s: s, w: w, r: r}
		if rt.auth == bearer {
			u := s.bearerOwner(r)
			if u == nil {
				writePSNError(w, http.StatusUnauthorized, codeInvalidToken, "Invalid token")
				return
			}
			if !s.admit(w, u) {
				return
			}
			c.me = u
		}
		rt.handle(c)
	})
}

// bearerOwner returns the owner of the request's live access token, or nil.
func (s *Sim) bearerOwner(r *http.Request) *user {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return nil
	}
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	at, ok := s.access[strings.TrimSpace(tok)]
	if !ok || !now.Before(at.expires) {
		return nil
	}
	return at.u
}

// statusWriter remembers the status for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

// WriteHeader records the first status written.
func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200.
func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (for resets).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
