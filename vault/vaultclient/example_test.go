package vaultclient_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/psntest"
	"github.com/psnkit/psn/seal"
	"github.com/psnkit/psn/store/sqlite"
	"github.com/psnkit/psn/vault"
	"github.com/psnkit/psn/vault/server"
	"github.com/psnkit/psn/vault/vaultclient"
)

// A bot that holds only the vault's URL, an API key and an account name:
// the Source gets the account's token from the vault (cached, one request
// however many goroutines ask, a fresher one after a 401 from PSN) and
// psn.Client uses it. The first half starts a real vault in-process, as
// `psn-vault serve` would run elsewhere.
func ExampleNew() {
	ctx := context.Background()
	sim := psntest.NewServer(psntest.Config{Seed: 1}) // the offline PSN
	defer sim.Close()
	dir, err := os.MkdirTemp("", "vaultclient-example-")
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
		ClientOptions: []psn.Option{psn.WithEndpoint(sim.URL)},
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer svc.Close(ctx)
	if _, _, err := svc.AddAccount(ctx, "alice", psn.Secret(sim.Sim.Users()[0].NPSSO), false); err != nil {
		log.Fatal(err)
	}
	apiKeys := server.NewAPIKeys(st)
	apiKey, _, err := apiKeys.Create(ctx, "trophy-bot")
	if err != nil {
		log.Fatal(err)
	}
	vaultSrv := httptest.NewServer(server.NewHandler(svc, apiKeys))
	defer vaultSrv.Close()

	// The bot's side.
	src, err := vaultclient.New(vaultSrv.URL, apiKey, "alice")
	if err != nil {
		log.Fatal(err)
	}
	client := psn.NewClient(psn.WithEndpoint(sim.URL)).WithTokenSource(src)
	sum, err := client.Trophies.Summary(ctx, "me")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("trophy level:", sum.TrophyLevel > 0)
	fmt.Println(src.String() == "vaultclient.Source("+vaultSrv.URL+"/v1/accounts/alice/token)")
	// Output:
	// trophy level: true
	// true
}
