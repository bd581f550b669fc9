package psn

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// hookStore is a MemoryTokenStore whose Load and Save can run a hook first:
// the test acts there as another process, between two steps of a source.
type hookStore struct {
	*MemoryTokenStore
	mu         sync.Mutex
	loads      int
	afterLoad  func(n int)
	beforeSave func() error
}

func (h *hookStore) Load(ctx context.Context) (TokenState, error) {
	st, err := h.MemoryTokenStore.Load(ctx)
	h.mu.Lock()
	h.loads++
	n, hook := h.loads, h.afterLoad
	h.mu.Unlock()
	if hook != nil {
		hook(n)
	}
	return st, err
}

func (h *hookStore) Save(ctx context.Context, st TokenState, want int64) (int64, error) {
	h.mu.Lock()
	hook := h.beforeSave
	h.mu.Unlock()
	if hook != nil {
		if err := hook(); err != nil {
			return 0, err
		}
	}
	return h.MemoryTokenStore.Save(ctx, st, want)
}

func (g *grantServer) invalid() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.invalidGrants
}

// Bookkeeping or a re-seal moved the version while PSN answered: the
// stored refresh token is still the one the source spent, so its new
// token (with PSN's rotated refresh token) is saved at the new version,
// not thrown away.
func TestSourceSavesWhenOnlyBookkeepingMovedTheVersion(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGrantServer(time.Hour, 60*24*time.Hour)
		g.rotate = true
		c, _, mem := lifecycle(t, g, false)
		hs := &hookStore{MemoryTokenStore: mem}
		src := NewRefreshingSource(c, hs)
		ctx := context.Background()
		once := true
		hs.beforeSave = func() error {
			if once { // another process re-seals the same token first
				once = false
				st, _ := mem.Load(ctx)
				if _, err := mem.Save(ctx, st, st.Version); err != nil {
					t.Errorf("re-seal: %v", err)
				}
			}
			return nil
		}
		time.Sleep(time.Hour)
		tok, err := src.Token(ctx)
		if err != nil {
			t.Fatalf("Token: %v", err)
		}
		st, _ := mem.Load(ctx)
		if st.Token.AccessToken != tok.AccessToken || st.Token.RefreshToken != tok.RefreshToken {
			t.Fatal("the new token was not saved after a re-seal moved the version")
		}
		if _, refresh := g.counts(); refresh != 1 {
			t.Errorf("refresh grants = %d, want 1", refresh)
		}
		// And the rotated refresh token works: nothing was lost.
		time.Sleep(time.Hour)
		if _, err := src.Token(ctx); err != nil {
			t.Fatalf("next refresh with the saved rotated token: %v", err)
		}
	})
}

// Another process saved a token from the same refresh token while this
// source's call was in flight: PSN's invalid_grant is about a token that
// was already replaced. It is not evidence against the account; the
// stored token is served.
func TestSourceInvalidGrantForAReplacedTokenIsNotEvidence(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGrantServer(time.Hour, 60*24*time.Hour)
		g.rotate = true
		c, _, mem := lifecycle(t, g, false)
		hs := &hookStore{MemoryTokenStore: mem}
		slow := NewRefreshingSource(c, hs)
		other := NewRefreshingSource(c, mem)
		ctx := context.Background()
		time.Sleep(time.Hour)
		var theirs *Token
		hs.afterLoad = func(n int) {
			if n == 1 { // slow read R0; the other process refreshes and saves R1
				var err error
				if theirs, err = other.Token(ctx); err != nil {
					t.Errorf("other process: %v", err)
				}
			}
		}
		got, err := slow.Token(ctx)
		if err != nil {
			t.Fatalf("Token after a rejection of a replaced refresh token: %v", err)
		}
		if theirs == nil || got.AccessToken != theirs.AccessToken {
			t.Fatal("the source did not serve the other process's token")
		}
		if st, _ := mem.Load(ctx); !st.RefreshRejectedAt.IsZero() {
			t.Fatal("a rejection of a replaced refresh token was recorded as evidence")
		}
		if g.invalid() != 1 {
			t.Errorf("invalid_grant answers = %d, want 1", g.invalid())
		}
	})
}

// A rejection one process saw is evidence for every process: a second
// source (another process) makes no PSN call, serves nothing, and says
// login required, until RejectedRetry has passed; then it tries once.
func TestSourceRestsOnRejectionEvidence(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGrantServer(time.Hour, 60*24*time.Hour)
		c, first, mem := lifecycle(t, g, false)
		ctx := context.Background()
		g.mu.Lock()
		g.killAllRefresh = true // e.g. the user signed out everywhere
		g.mu.Unlock()
		if _, err := first.Refresh(ctx); !errors.Is(err, ErrLoginRequired) {
			t.Fatalf("first process: %v, want login required", err)
		}
		st, _ := mem.Load(ctx)
		if st.RefreshRejectedAt.IsZero() {
			t.Fatal("the rejection was not recorded")
		}
		if g.invalid() != 1 {
			t.Fatalf("invalid_grant answers = %d, want 1", g.invalid())
		}
		for range 5 { // five CLI runs, each a new process
			second := NewRefreshingSource(c, mem)
			_, err := second.Token(ctx)
			var lr *LoginRequiredError
			if !errors.As(err, &lr) || lr.Which != SecretRefreshToken || !lr.At.Equal(st.RefreshRejectedAt) {
				t.Fatalf("second process: %v, want login required since the recorded rejection", err)
			}
		}
		if g.invalid() != 1 {
			t.Fatalf("resting account called PSN: invalid_grant answers = %d, want 1", g.invalid())
		}
		time.Sleep(RejectedRetry)
		if _, err := NewRefreshingSource(c, mem).Token(ctx); !errors.Is(err, ErrLoginRequired) {
			t.Fatalf("after RejectedRetry: %v", err)
		}
		if g.invalid() != 2 {
			t.Fatalf("after RejectedRetry: invalid_grant answers = %d, want 2 (one more try)", g.invalid())
		}
	})
}

// The store refuses every save until the refresh times out: the token PSN
// issued is kept and saved by the next refresh, which spends nothing.
func TestSourceKeepsAnUnsavedTokenForTheNextRefresh(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGrantServer(time.Hour, 60*24*time.Hour)
		g.rotate = true
		c, _, mem := lifecycle(t, g, false)
		hs := &hookStore{MemoryTokenStore: mem}
		down := true
		hs.beforeSave = func() error {
			if down {
				return errors.New("store unavailable")
			}
			return nil
		}
		src := NewRefreshingSource(c, hs, WithRefreshTimeout(5*time.Second))
		ctx := context.Background()
		time.Sleep(time.Hour)
		if _, err := src.Token(ctx); err == nil {
			t.Fatal("Token with a store that refuses every save succeeded")
		}
		down = false
		tok, err := src.Token(ctx)
		if err != nil {
			t.Fatalf("Token once the store is back: %v", err)
		}
		if _, refresh := g.counts(); refresh != 1 {
			t.Fatalf("refresh grants = %d, want 1: the unsaved token must be saved, not replaced by spending again", refresh)
		}
		if st, _ := mem.Load(ctx); st.Token.RefreshToken != tok.RefreshToken {
			t.Fatal("the stored refresh token is not the one PSN issued")
		}
	})
}
