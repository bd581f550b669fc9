package psn

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// fencedStore is a MemoryTokenStore with a fenced refresh lease, as a
// shared store keeps it (a LeaseConfirmer): every grant to a new holder
// takes the next fence. The test plays the other process through the hooks
// and by calling grantOther.
type fencedStore struct {
	*MemoryTokenStore
	mu         sync.Mutex
	fence      int64  // the stored fence: of the current (or last) lease
	holder     string // "", "us" or "other"
	ours       int64  // the fence of the lease this source took last
	spends     int    // ConfirmLease calls that said "go"
	rejections int    // RecordRejection calls
	// beforeConfirm runs (once) at the start of ConfirmLease; an error is
	// its answer. afterConfirm runs (once) after a "go", right before the
	// PSN call.
	beforeConfirm func() error
	afterConfirm  func()
}

func (f *fencedStore) Lease(ctx context.Context, ttl time.Duration) (func(context.Context), error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.holder == "other" {
		return nil, ErrLeaseHeld
	}
	f.fence++
	f.holder, f.ours = "us", f.fence
	fence := f.fence
	return func(context.Context) {
		f.mu.Lock()
		if f.holder == "us" && f.fence == fence {
			f.holder = ""
		}
		f.mu.Unlock()
	}, nil
}

// grantOther grants the lease to the other process (its lease lapsed,
// or ours did), with the next fence.
func (f *fencedStore) grantOther() {
	f.mu.Lock()
	f.fence++
	f.holder = "other"
	f.mu.Unlock()
}

func (f *fencedStore) releaseOther() {
	f.mu.Lock()
	if f.holder == "other" {
		f.holder = ""
	}
	f.mu.Unlock()
}

func (f *fencedStore) ConfirmLease(ctx context.Context, need time.Duration) error {
	f.mu.Lock()
	before := f.beforeConfirm
	f.beforeConfirm = nil
	f.mu.Unlock()
	if before != nil {
		if err := before(); err != nil {
			return err
		}
	}
	f.mu.Lock()
	if f.fence != f.ours {
		f.mu.Unlock()
		return ErrLeaseHeld
	}
	f.spends++
	after := f.afterConfirm
	f.afterConfirm = nil
	f.mu.Unlock()
	if after != nil {
		after()
	}
	return nil
}

// counts returns the ConfirmLease "go" answers and RecordRejection calls.
func (f *fencedStore) counts() (spends, rejections int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.spends, f.rejections
}

func (f *fencedStore) LeaseSuperseded(ctx context.Context) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fence != f.ours, nil
}

func (f *fencedStore) RecordRejection(ctx context.Context, version int64, npsso bool, at time.Time) error {
	f.mu.Lock()
	f.rejections++
	f.mu.Unlock()
	return f.MemoryTokenStore.RecordRejection(ctx, version, npsso, at)
}

// The interleaving of the soak's lost accounts: this source holds the
// lease and is about to spend R0 when it pauses past its lease; another
// process is granted the lease (a larger fence), spends R0 first and gets
// R1, and its save is still on its way when this source's spend of R0 is
// refused. The rejection is no evidence (a holder after us may have spent
// R0): nothing is recorded, the account does not rest, and the source
// waits for the other process's save and serves R1's token.
func TestSourceRejectionAfterALaterHolderSpentIsNotEvidence(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGrantServer(time.Hour, 60*24*time.Hour)
		g.rotate = true
		c, _, mem := lifecycle(t, g, false)
		fs := &fencedStore{MemoryTokenStore: mem}
		src := NewRefreshingSource(c, fs)
		ctx := context.Background()
		time.Sleep(time.Hour) // the stored token expired

		var (
			theirs *Token
			ran    bool
			saved  = make(chan struct{})
		)
		fs.afterConfirm = func() {
			ran = true
			// We pause; our lease lapses; the other process takes it and
			// spends R0 before we do. Its save lands 2 s later.
			fs.grantOther()
			st, _ := mem.Load(ctx)
			tok, err := c.Refresh(ctx, st.Token.RefreshToken)
			if err != nil {
				t.Errorf("other process's refresh: %v", err)
				close(saved)
				return
			}
			theirs = tok
			go func() {
				defer close(saved)
				time.Sleep(2 * time.Second)
				if _, err := mem.Save(ctx, TokenState{Token: tok}, st.Version); err != nil {
					t.Errorf("other process's save: %v", err)
				}
				fs.releaseOther()
			}()
		}
		got, err := src.Token(ctx)
		if !ran {
			t.Fatal("the source spent without confirming its lease with the store")
		}
		<-saved
		if err != nil {
			t.Fatalf("Token = %v, want the token the later holder saved", err)
		}
		if theirs == nil || got.AccessToken != theirs.AccessToken {
			t.Fatal("the source did not serve the later holder's token")
		}
		if _, rej := fs.counts(); rej != 0 {
			t.Errorf("RecordRejection called %d times, want 0: the rejection was caused by a later holder's spend", rej)
		}
		st, _ := mem.Load(ctx)
		if !st.RefreshRejectedAt.IsZero() || st.Token.RefreshToken != theirs.RefreshToken {
			t.Error("the store does not hold the later holder's token free of evidence")
		}
		if inv := g.invalid(); inv != 1 {
			t.Errorf("invalid_grant answers = %d, want 1 (our one late spend)", inv)
		}
		// The saved rotated token goes on working for this source.
		time.Sleep(time.Hour)
		if _, err := src.Token(ctx); err != nil {
			t.Fatalf("next refresh: %v", err)
		}
	})
}

// Our fence is still the latest and the stored refresh token is the one we
// spent: nobody else may have spent it, so PSN's rejection is evidence.
func TestSourceRejectionUnderTheLatestFenceIsEvidence(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGrantServer(time.Hour, 60*24*time.Hour)
		g.rotate = true
		c, _, mem := lifecycle(t, g, false)
		fs := &fencedStore{MemoryTokenStore: mem}
		src := NewRefreshingSource(c, fs)
		ctx := context.Background()
		time.Sleep(time.Hour)
		g.mu.Lock()
		g.killAllRefresh = true // the login behind the token is gone
		g.mu.Unlock()
		_, err := src.Token(ctx)
		if !errors.Is(err, ErrLoginRequired) {
			t.Fatalf("Token = %v, want login required", err)
		}
		if _, rej := fs.counts(); rej != 1 {
			t.Errorf("RecordRejection called %d times, want 1", rej)
		}
		if st, _ := mem.Load(ctx); st.RefreshRejectedAt.IsZero() {
			t.Error("no evidence recorded")
		}
	})
}

// The lease was granted to another holder before this source spent (it
// paused past its lease, or its renewals failed): ConfirmLease says so, and
// the source makes no PSN call; it waits for the other holder's token.
func TestSourceDoesNotSpendAfterItsLeaseWasLost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGrantServer(time.Hour, 60*24*time.Hour)
		g.rotate = true
		c, _, mem := lifecycle(t, g, false)
		fs := &fencedStore{MemoryTokenStore: mem}
		src := NewRefreshingSource(c, fs)
		ctx := context.Background()
		time.Sleep(time.Hour)

		var (
			theirs *Token
			ran    bool
			done   = make(chan struct{})
		)
		fs.beforeConfirm = func() error {
			ran = true
			fs.grantOther()
			go func() { // the other holder refreshes and saves
				defer close(done)
				time.Sleep(time.Second)
				st, _ := mem.Load(ctx)
				tok, err := c.Refresh(ctx, st.Token.RefreshToken)
				if err != nil {
					t.Errorf("other process's refresh: %v", err)
					return
				}
				theirs = tok
				if _, err := mem.Save(ctx, TokenState{Token: tok}, st.Version); err != nil {
					t.Errorf("other process's save: %v", err)
				}
				fs.releaseOther()
			}()
			return nil
		}
		got, err := src.Token(ctx)
		if err != nil {
			t.Fatalf("Token = %v, want the other holder's token", err)
		}
		if !ran {
			t.Fatal("the source spent without confirming its lease with the store")
		}
		<-done
		if theirs == nil || got.AccessToken != theirs.AccessToken {
			t.Fatal("the source did not serve the other holder's token")
		}
		if _, r := g.counts(); r != 1 || g.invalid() != 0 {
			t.Errorf("refresh grants = %d, invalid_grant = %d; want 1 and 0 (only the holder spent)", r, g.invalid())
		}
		if spends, _ := fs.counts(); spends != 0 {
			t.Errorf("ConfirmLease said go %d times, want 0", spends)
		}
	})
}
