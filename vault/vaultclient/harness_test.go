package vaultclient_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/psntest"
	"github.com/psnkit/psn/seal"
	"github.com/psnkit/psn/store/sqlite"
	"github.com/psnkit/psn/vault"
	"github.com/psnkit/psn/vault/server"
)

// procHeader names the client "process" of a request to the vault, so
// that the vault side can count requests per process.
const procHeader = "X-Vaultclient-Test-Proc"

// hits counts token requests a vault received from one client process.
type hits struct {
	All      int64 // GET …/token
	Rejected int64 // of which with ?rejected=
}

// testVault is a real vault (Service + NewHandler over a SQLite store in a
// temporary directory) in front of the PSN simulator, with a handler that
// counts token requests per client process.
type testVault struct {
	sim  *psntest.Server
	svc  *server.Service
	keys *server.APIKeys
	key  psn.Secret
	url  string

	mu   sync.Mutex
	hits map[string]*hits
}

func newTestVault(t *testing.T, cfg psntest.Config) *testVault {
	t.Helper()
	ctx := t.Context()
	if cfg.RateLimit == 0 {
		cfg.RateLimit = 1 << 30
	}
	sim := psntest.NewServer(cfg)
	t.Cleanup(sim.Close)
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "psn.db"))
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	keys, err := vault.LoadKeys(ctx, st, seal.KeyFile(filepath.Join(dir, "key")))
	if err != nil {
		t.Fatalf("LoadKeys: %v", err)
	}
	svc, err := server.NewService(server.ServiceConfig{
		Store: st, Keys: keys,
		ClientOptions: []psn.Option{psn.WithEndpoint(sim.URL), psn.WithLimiter(nil)},
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatalf("NewService: %v", err)
	}
	t.Cleanup(func() { svc.Close(ctx) })
	ak := server.NewAPIKeys(st)
	key, _, err := ak.Create(ctx, "fleet")
	if err != nil {
		t.Fatalf("APIKeys.Create: %v", err)
	}
	v := &testVault{sim: sim, svc: svc, keys: ak, key: key, hits: map[string]*hits{}}
	h := server.NewHandler(svc, ak)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && filepath.Base(r.URL.Path) == "token" {
			v.mu.Lock()
			c := v.hits[r.Header.Get(procHeader)]
			if c == nil {
				c = &hits{}
				v.hits[r.Header.Get(procHeader)] = c
			}
			c.All++
			if r.URL.Query().Has("rejected") {
				c.Rejected++
			}
			v.mu.Unlock()
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(api.Close)
	v.url = api.URL
	return v
}

// add logs simulator user i in as account name.
func (v *testVault) add(t *testing.T, name string, i int, keepNPSSO bool) psntest.User {
	t.Helper()
	u := v.sim.Sim.Users()[i]
	if _, _, err := v.svc.AddAccount(t.Context(), name, psn.Secret(u.NPSSO), keepNPSSO); err != nil {
		t.Fatalf("AddAccount: %v", err)
	}
	return u
}

// hitsOf returns the requests counted for process proc.
func (v *testVault) hitsOf(proc string) hits {
	v.mu.Lock()
	defer v.mu.Unlock()
	if c := v.hits[proc]; c != nil {
		return *c
	}
	return hits{}
}

// procTransport marks every request with the process's name.
type procTransport struct {
	proc string
	base http.RoundTripper
}

func (p procTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(procHeader, p.proc)
	return p.base.RoundTrip(r)
}

// procClient is an HTTP client whose requests count for process proc.
func procClient(proc string) *http.Client {
	return &http.Client{Transport: procTransport{proc: proc, base: http.DefaultTransport}}
}
