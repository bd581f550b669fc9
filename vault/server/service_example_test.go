package server_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/psntest"
	"github.com/psnkit/psn/seal"
	"github.com/psnkit/psn/store/sqlite"
	"github.com/psnkit/psn/vault"
	"github.com/psnkit/psn/vault/server"
)

// A Service over the embedded store: add an account, then hand out its
// token (valid for at least a minute). Serve would add the scheduler and
// the HTTP API (server.NewHandler).
func ExampleService() {
	ctx := context.Background()
	srv := psntest.NewServer(psntest.Config{Seed: 1}) // the offline PSN
	defer srv.Close()
	dir, err := os.MkdirTemp("", "vault-service-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	st, err := sqlite.Open(ctx, filepath.Join(dir, "psn.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	keys, err := vault.LoadKeys(ctx, st, seal.KeyFile(filepath.Join(dir, "key")))
	if err != nil {
		log.Fatal(err)
	}

	svc, err := server.NewService(server.ServiceConfig{
		Store: st, Keys: keys,
		ClientOptions: []psn.Option{psn.WithEndpoint(srv.URL)},
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer svc.Close(ctx)

	h, _, err := svc.AddAccount(ctx, "alice", psn.Secret(srv.Sim.Users()[0].NPSSO), true)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(h.Account, h.OnlineID, h.State)
	tok, err := svc.Token(ctx, "alice")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("valid for a minute at least:", time.Until(tok.Expiry) >= time.Minute)
	// Output:
	// alice RavenComet163 ok
	// valid for a minute at least: true
}
