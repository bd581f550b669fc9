package server

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/psnkit/psn/seal"
	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/store/sqlite"
	"github.com/psnkit/psn/vault"
)

// BenchmarkStatusPage renders the status page over SQLite with many
// accounts (PSN_BENCH_ACCOUNTS, default 20,000; 1 in 100 login-required,
// 1 in 100 expiring, the rest ok): the first page (every state, those
// needing a human first), a state filter, a prefix search and a page deep
// in the ok accounts. The counts come from the count cache, as for every
// request but the first; each part is a few keyset queries of at most 100
// rows.
func BenchmarkStatusPage(b *testing.B) {
	n := 20_000
	if v, err := strconv.Atoi(os.Getenv("PSN_BENCH_ACCOUNTS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "psn.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	keys, err := vault.LoadKeys(ctx, st, seal.KeyBase64(base64.StdEncoding.EncodeToString(make([]byte, 32))))
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	for i := range n {
		state := store.StateOK
		switch i % 100 {
		case 0:
			state = store.StateLoginRequired
		case 1:
			state = store.StateExpiring
		}
		if _, err := st.Put(ctx, fakeState(fmt.Sprintf("acct-%06d", i), state, now)); err != nil {
			b.Fatal(err)
		}
	}
	svc, err := NewService(ServiceConfig{Store: st, Keys: keys, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer svc.Close(ctx)
	h := NewHandler(svc, NewAPIKeys(st))
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8788}
	for _, path := range []string{"/", "/?state=login-required", "/?q=acct-0123", "/?at=ok." + encodeCursor(fmt.Sprintf("acct-%06d", n/2))} {
		b.Run(path, func(b *testing.B) {
			for b.Loop() {
				rec := httptest.NewRecorder()
				req := httptest.NewRequest(http.MethodGet, path, nil)
				req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey, net.Addr(local)))
				h.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatalf("%s = %d", path, rec.Code)
				}
			}
		})
	}
}
