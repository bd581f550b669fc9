package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/vault"
)

// downRing is a store whose ring read fails, with an error that names the
// store's host, as a driver's dial error does, once down is set.
type downRing struct {
	store.Store
	down *atomic.Bool
}

func (d downRing) GetMeta(ctx context.Context, key string) ([]byte, error) {
	if key == vault.RingMeta && d.down.Load() {
		return nil, errors.New("failed to connect to `user=vault database=psn`: 10.9.8.7:5432 (db.internal): dial error")
	}
	return d.Store.GetMeta(ctx, key)
}

// TestHealthzOpenSaysNoStoreDetail: /healthz is open on every address; off
// loopback it says that the store does not answer, not the driver's error
// (the store's host, user and database).
func TestHealthzOpenSaysNoStoreDetail(t *testing.T) {
	down := &atomic.Bool{}
	a := newAPIEnv(t, envOptions{svc: func(c *ServiceConfig) { c.Store = downRing{c.Store, down} }})
	guarded := httptest.NewServer(NewHandler(a.svc, a.keys, PagesNeedKey()))
	t.Cleanup(guarded.Close)
	down.Store(true)
	resp, body := httpGet(t, guarded.Client(), guarded.URL+"/healthz", nil)
	if resp.StatusCode != http.StatusServiceUnavailable || errorCode(t, body) != "store_unavailable" {
		t.Fatalf("/healthz with the store down = %d %s", resp.StatusCode, body)
	}
	for _, s := range []string{"10.9.8.7", "db.internal", "user="} {
		if strings.Contains(string(body), s) {
			t.Errorf("/healthz off loopback tells %q: %s", s, body)
		}
	}
	// On loopback the operator sees why.
	if code, body := a.do(http.MethodGet, "/healthz", "", ""); code != http.StatusServiceUnavailable || !strings.Contains(string(body), "10.9.8.7") {
		t.Errorf("/healthz on loopback = %d %s, want the store's error", code, body)
	}
}

// downKeys is a store whose API keys cannot be read, with a driver's error.
type downKeys struct{ store.Store }

func (d downKeys) GetMeta(ctx context.Context, key string) ([]byte, error) {
	if key == apiKeysMeta {
		return nil, fmt.Errorf("%w: failed to connect to `user=vault database=psn`: 10.9.8.7:5432 (db.internal): dial error", store.ErrUnavailable)
	}
	return d.Store.GetMeta(ctx, key)
}

// TestV1StoreDownSaysNoStoreDetail: anyone may send a key; when the keys
// cannot be read, the answer (before any key is accepted) does not carry
// the driver's error.
func TestV1StoreDownSaysNoStoreDetail(t *testing.T) {
	a := newAPIEnv(t, envOptions{})
	srv := httptest.NewServer(NewHandler(a.svc, NewAPIKeys(downKeys{a.st})))
	t.Cleanup(srv.Close)
	resp, body := httpGet(t, srv.Client(), srv.URL+"/v1/accounts", http.Header{"Authorization": {"Bearer psnv_0123456789abcdef_" + strings.Repeat("A", 43)}})
	if resp.StatusCode != http.StatusServiceUnavailable || errorCode(t, body) != "store_unavailable" {
		t.Fatalf("/v1/accounts with the keys unreadable = %d %s, want 503 store_unavailable", resp.StatusCode, body)
	}
	for _, s := range []string{"10.9.8.7", "db.internal", "user="} {
		if strings.Contains(string(body), s) {
			t.Errorf("an unauthenticated answer tells %q: %s", s, body)
		}
	}
}
