package psntest

import (
	"net/http"
	"net/http/httptest"
)

// Server is a simulated PSN listening on a loopback port, like
// httptest.Server.
type Server struct {
	// URL is the base URL, e.g. http://127.0.0.1:41234. Every PSN host's
	// paths are served under it.
	URL string
	// Sim is the simulator behind the server.
	Sim *Sim

	ts *httptest.Server
}

// NewServer starts a simulator with cfg. The caller must Close it.
func NewServer(cfg Config) *Server {
	sim := New(cfg)
	ts := httptest.NewServer(sim.Handler())
	return &Server{URL: ts.URL, Sim: sim, ts: ts}
}

// Close shuts the server down and waits for its requests to finish.
func (s *Server) Close() { s.ts.Close() }

// Client returns an HTTP client for the server that does not follow
// redirects (PSN clients read the authorize 302 themselves).
func (s *Server) Client() *http.Client {
	c := *s.ts.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}
