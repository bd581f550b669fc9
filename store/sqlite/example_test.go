package sqlite_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/store/sqlite"
)

func Example() {
	dir, err := os.MkdirTemp("", "psn-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()

	s, err := sqlite.Open(ctx, "sqlite://"+filepath.Join(dir, "psn.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	// Sealed* fields hold ciphertexts from package seal; a store never sees
	// plaintext tokens.
	_, err = s.Put(ctx, store.Record{
		Account:       "default",
		AccountID:     "6515971742264256071",
		OnlineID:      "me123",
		SealedAccess:  []byte("sealed access token"),
		SealedRefresh: []byte("sealed refresh token"),
		NextRefresh:   time.Date(2025, 3, 14, 15, 0, 0, 0, time.UTC),
	})
	if err != nil {
		log.Fatal(err)
	}

	rec, err := s.Get(ctx, "default")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rec.OnlineID, rec.Version, rec.NextRefresh)
	// Output: me123 1 2025-03-14 15:00:00 +0000 UTC
}
