package redis_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/store/redis"
)

// Open a store under its own key prefix, add an account, and lease the
// accounts that are due for a refresh. (Not run by go test: it needs a
// server. Configure that server for durability first: see the package doc.)
func Example() {
	ctx := context.Background()
	s, err := redis.Open(ctx, "redis://127.0.0.1:6379/0?prefix=psn:")
	if err != nil {
		log.Fatal(err) // errors.Is(err, store.ErrUnavailable) when the server is down
	}
	defer s.Close()

	now := time.Now()
	if _, err := s.Put(ctx, store.Record{
		Account:       "default",
		SealedAccess:  []byte("…sealed by package seal…"),
		SealedRefresh: []byte("…sealed by package seal…"),
		NextRefresh:   now,
	}); err != nil {
		log.Fatal(err)
	}
	due, err := s.ClaimDue(ctx, now, 10, "worker-1", time.Minute)
	if err != nil {
		log.Fatal(err)
	}
	for _, rec := range due {
		fmt.Println(rec.Account, "leased until", rec.LeaseExpiry)
	}
}
