package server

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/psnkit/psn/internal/testbackend"
	"github.com/psnkit/psn/store"
)

// TestScopedPageEveryStore: on SQLite, PostgreSQL and Redis, a listed
// key's paged listing is exactly the full listing filtered to its names
// (absent names skipped), for every page size and state filter, and a '*'
// key's is the full listing.
func TestScopedPageEveryStore(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres", "redis"} {
		t.Run(kind, func(t *testing.T) {
			ctx := t.Context()
			b := testbackend.New(t, kind)
			svc, err := NewService(ServiceConfig{Store: b.St, Keys: keysWith(t, b.St, newKEK(t))})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { svc.Close(ctx) })
			now := svc.now()
			for i := range 30 {
				rec := store.Record{Account: fmt.Sprintf("acct%02d", i), OnlineID: fmt.Sprintf("Online%d", i),
					SealedAccess: []byte("x"), SealedRefresh: []byte("x"), AccessExpiry: now.Add(time.Hour),
					RefreshExpiry: now.Add(60 * 24 * time.Hour)}
				if i%3 == 0 { // expiring
					rec.RefreshExpiry = now.Add(24 * time.Hour)
				}
				if _, err := b.St.Put(ctx, rec); err != nil {
					t.Fatal(err)
				}
			}
			listed, err := AccountsScope("acct01", "acct03", "acct04", "acct06", "acct07", "acct09", "acct12", "acct29", "acct30", "zed", "aaa")
			if err != nil {
				t.Fatal(err)
			}
			star, _ := AccountsScope(AllAccounts)
			for _, state := range []string{"", store.StateOK, store.StateExpiring, store.StateLoginRequired} {
				full := pageAll(t, svc, AdminScope(), state, MaxPageLimit)
				var want []string
				for _, n := range full {
					if listed.MayRead(n) {
						want = append(want, n)
					}
				}
				for _, limit := range []int{1, 2, 3, 100} {
					if got := pageAll(t, svc, listed, state, limit); !slices.Equal(got, want) {
						t.Errorf("state %q limit %d: listed key got %v, want %v", state, limit, got, want)
					}
					if got := pageAll(t, svc, star, state, limit); !slices.Equal(got, full) {
						t.Errorf("state %q limit %d: '*' key got %v, want %v", state, limit, got, full)
					}
				}
			}
		})
	}
}

func pageAll(t *testing.T, svc *Service, scope APIKeyScope, state string, limit int) []string {
	t.Helper()
	var names []string
	req := PageRequest{Limit: limit, State: state}
	for range 100 {
		p, err := svc.scopedPage(t.Context(), req, scope)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range p.Accounts {
			names = append(names, h.Account)
		}
		if p.Next == "" {
			return names
		}
		if len(p.Accounts) == 0 {
			t.Fatal("an empty page with a next cursor")
		}
		req.Cursor = p.Next
	}
	t.Fatal("the listing does not end")
	return nil
}
