package vault_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/psntest"
	"github.com/psnkit/psn/seal"
	"github.com/psnkit/psn/store/sqlite"
	"github.com/psnkit/psn/vault"
)

// Keep an account's tokens sealed in the embedded store and let a
// RefreshingSource refresh them through it (save before use; one
// refresher per account across processes, through the store's lease).
func Example() {
	ctx := context.Background()
	srv := psntest.NewServer(psntest.Config{Seed: 1}) // the offline PSN
	defer srv.Close()
	dir, err := os.MkdirTemp("", "vault-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	st, err := sqlite.Open(ctx, filepath.Join(dir, "psn.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	keys, err := vault.LoadKeys(ctx, st, seal.KeyFile(filepath.Join(dir, "key"))) // created 0600
	if err != nil {
		log.Fatal(err)
	}

	client := psn.NewClient(psn.WithEndpoint(srv.URL))
	npsso := psn.Secret(srv.Sim.Users()[0].NPSSO)
	rec, err := vault.Login(ctx, client, st, keys.Ring, "alice", npsso, true)
	if err != nil {
		log.Fatal(err)
	}

	src := psn.NewRefreshingSource(client, vault.NewAccountStore(st, keys.Ring, "alice", "example-process").FollowKeys(keys))
	defer src.Close(ctx)
	sum, err := client.WithTokenSource(src).Trophies.Summary(ctx, "me")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("stored:", rec.Account, rec.OnlineID != "", "NPSSO kept:", len(rec.SealedNPSSO) > 0)
	fmt.Println("summary for the same account:", sum.AccountID == rec.AccountID)
	// Output:
	// stored: alice true NPSSO kept: true
	// summary for the same account: true
}
