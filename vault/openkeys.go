package vault

import (
	"context"
	"errors"
	"fmt"

	"github.com/psnkit/psn/seal"
	"github.com/psnkit/psn/store"
)

// ErrNoRing means the store holds no key ring, so nothing was ever sealed
// in it. [OpenKeys] returns it instead of creating one.
var ErrNoRing = errors.New("vault: the store has no key ring (nothing was ever sealed in it)")

// OpenKeys opens the store's key ring with kek like [LoadKeys], for code
// that only reads: it never creates a ring. A store without one is
// [ErrNoRing]; a kek that does not open the ring is seal.ErrWrongKey.
func OpenKeys(ctx context.Context, st store.Store, kek seal.KEKSource) (*Keys, error) {
	blob, err := st.GetMeta(ctx, RingMeta)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoRing
	}
	if err != nil {
		return nil, fmt.Errorf("vault: reading the key ring: %w", err)
	}
	ring, err := seal.OpenRing(blob, kek)
	if err != nil {
		return nil, fmt.Errorf("vault: opening the key ring with %s: %w", kek, err)
	}
	return &Keys{st: st, kek: kek, Ring: ring, blob: blob}, nil
}
