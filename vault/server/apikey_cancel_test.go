package server

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"

	"github.com/psnkit/psn/store"
)

// slowMeta is a store whose GetMeta waits for release (or its context).
type slowMeta struct {
	store.Store
	release chan struct{}
}

func (s *slowMeta) GetMeta(ctx context.Context, key string) ([]byte, error) {
	select {
	case <-s.release:
		return []byte(`{"keys":[]}`), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// TestAPIKeysReloadOutlivesItsCaller: the once-a-second read of the keys
// is shared by every request that needs it; the request that started it
// going away (a client that hung up) must not fail the others.
func TestAPIKeysReloadOutlivesItsCaller(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := &slowMeta{release: make(chan struct{})}
		k := NewAPIKeys(st)
		ctx1, cancel1 := context.WithCancel(t.Context())
		var err1, err2 error
		done1, done2 := make(chan struct{}), make(chan struct{})
		go func() { defer close(done1); _, err1 = k.current(ctx1) }()
		synctest.Wait() // the first caller reads the keys
		go func() { defer close(done2); _, err2 = k.current(t.Context()) }()
		synctest.Wait() // the second waits for that read
		cancel1()
		<-done1
		if !errors.Is(err1, context.Canceled) {
			t.Errorf("the caller that hung up got %v, want context.Canceled", err1)
		}
		close(st.release)
		<-done2
		if err2 != nil {
			t.Fatalf("another request sharing the read failed with %v when the first caller hung up", err2)
		}
	})
}
