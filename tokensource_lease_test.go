package psn

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// leaseStore is a MemoryTokenStore with a refresh lease that "another
// process" (the test) can hold. afterLoad runs after the n-th Load has
// read its snapshot, before it is returned: the test acts there as the
// other process, between two steps of the source.
type leaseStore struct {
	*MemoryTokenStore
	mu        sync.Mutex
	holder    string // "", "other" or "us"
	loads     int
	afterLoad func(n int)
}

func (l *leaseStore) Load(ctx context.Context) (TokenState, error) {
	st, err := l.MemoryTokenStore.Load(ctx)
	l.mu.Lock()
	l.loads++
	n, hook := l.loads, l.afterLoad
	l.mu.Unlock()
	if hook != nil {
		hook(n)
	}
	return st, err
}

func (l *leaseStore) Lease(ctx context.Context, ttl time.Duration) (func(context.Context), error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.holder == "other" {
		return nil, ErrLeaseHeld
	}
	l.holder = "us"
	return func(context.Context) {
		l.mu.Lock()
		l.holder = ""
		l.mu.Unlock()
	}, nil
}

func (l *leaseStore) setHolder(h string) {
	l.mu.Lock()
	l.holder = h
	l.mu.Unlock()
}

// The other process finishes its refresh (saves, then releases its lease)
// between this source's read of the store and its next attempt at the
// lease: the source must serve the other's token, not an error, and not
// refresh again. (It used to take the free lease, drop it, and return
// "another process's refresh did not complete" to every waiting caller.)
func TestSourceLeaseFreedByFinishedHolderServesItsToken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGrantServer(time.Hour, 60*24*time.Hour)
		g.rotate = true
		c, _, mem := lifecycle(t, g, false)
		ls := &leaseStore{MemoryTokenStore: mem, holder: "other"}
		src := NewRefreshingSource(c, ls)
		time.Sleep(time.Hour) // the stored token expired; the other process is refreshing

		var theirs *Token
		ls.afterLoad = func(n int) {
			if n != 2 { // 1: the source's first read; 2: its first poll while waiting
				return
			}
			st, _ := mem.Load(context.Background())
			tok, err := c.Refresh(context.Background(), st.Token.RefreshToken)
			if err != nil {
				t.Errorf("other process's refresh: %v", err)
				return
			}
			if _, err := mem.Save(context.Background(), TokenState{Token: tok}, st.Version); err != nil {
				t.Errorf("other process's save: %v", err)
			}
			theirs = tok
			ls.setHolder("")
		}
		got, err := src.Token(context.Background())
		if err != nil {
			t.Fatalf("Token = %v, want the other process's token", err)
		}
		if theirs == nil || got.AccessToken != theirs.AccessToken {
			t.Fatal("Token did not return the token the lease holder saved")
		}
		if _, r := g.counts(); r != 1 {
			t.Errorf("refresh grants = %d, want 1 (the other process's only)", r)
		}
		if st, _ := mem.Load(context.Background()); st.Version != 2 {
			t.Errorf("stored version = %d, want 2", st.Version)
		}
	})
}

// The lease holder gives up without saving: the waiting source takes the
// lease and refreshes itself instead of failing its callers.
func TestSourceLeaseAbandonedByHolderRefreshesItself(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGrantServer(time.Hour, 60*24*time.Hour)
		c, _, mem := lifecycle(t, g, false)
		ls := &leaseStore{MemoryTokenStore: mem, holder: "other"}
		src := NewRefreshingSource(c, ls)
		time.Sleep(time.Hour)

		ls.afterLoad = func(n int) {
			if n == 2 {
				ls.setHolder("") // crashed, or its refresh failed
			}
		}
		got, err := src.Token(context.Background())
		if err != nil {
			t.Fatalf("Token = %v, want a token refreshed by this source", err)
		}
		st, _ := mem.Load(context.Background())
		if st.Version != 2 || got.AccessToken != st.Token.AccessToken {
			t.Errorf("served token is not the saved one (stored version %d)", st.Version)
		}
		if _, r := g.counts(); r != 1 {
			t.Errorf("refresh grants = %d, want 1", r)
		}
		ls.mu.Lock()
		defer ls.mu.Unlock()
		if ls.holder != "" {
			t.Errorf("lease still held by %q after the refresh", ls.holder)
		}
	})
}

// Refresh in a source that has served nothing yet (a fresh process, like
// `psn token refresh`) must refresh, not hand back the stored token.
func TestSourceRefreshBeforeFirstTokenRefreshes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGrantServer(time.Hour, 60*24*time.Hour)
		_, src, store := lifecycle(t, g, false)
		before, _ := store.Load(context.Background())
		got, err := src.Refresh(context.Background())
		if err != nil {
			t.Fatalf("Refresh: %v", err)
		}
		after, _ := store.Load(context.Background())
		if _, r := g.counts(); r != 1 {
			t.Errorf("refresh grants = %d, want 1", r)
		}
		if after.Version != before.Version+1 || got.AccessToken == before.Token.AccessToken || got.AccessToken != after.Token.AccessToken {
			t.Errorf("Refresh returned the old token or did not save (version %d → %d)", before.Version, after.Version)
		}
		// And the source goes on serving the new token.
		if tok, _ := src.Token(context.Background()); tok.AccessToken != after.Token.AccessToken {
			t.Error("Token after Refresh is not the refreshed token")
		}
	})
}
