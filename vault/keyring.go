package vault

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/psnkit/psn/seal"
	"github.com/psnkit/psn/store"
)

// RingMeta is the store meta key holding the sealed key ring.
const RingMeta = "keyring"

// Keys is the key ring of a store, loaded with its key-encryption key.
// Rotate, Reseal and Retire change it and save it back with a
// compare-and-swap, so two processes cannot overwrite each other's ring.
// Rotate and Retire change a copy and replace Ring only once the copy is
// saved: a failed save leaves Ring as stored, so nothing is ever sealed
// with a key that exists only in this process's memory.
type Keys struct {
	st   store.Store
	kek  seal.KEKSource
	Ring *seal.Ring
	blob []byte // the stored blob this Ring was read from
}

// LoadKeys opens the store's key ring with kek, creating and saving a new
// ring on first use. A kek that does not open the ring is seal.ErrWrongKey.
func LoadKeys(ctx context.Context, st store.Store, kek seal.KEKSource) (*Keys, error) {
	for range 3 {
		blob, err := st.GetMeta(ctx, RingMeta)
		if errors.Is(err, store.ErrNotFound) {
			ring, err := seal.NewRing()
			if err != nil {
				return nil, err
			}
			nb, err := ring.Marshal(kek)
			if err != nil {
				return nil, err
			}
			err = st.SwapMeta(ctx, RingMeta, nil, nb)
			if errors.Is(err, store.ErrConflict) {
				continue // another process created it first: read theirs
			}
			if err != nil {
				return nil, fmt.Errorf("vault: saving the new key ring: %w", err)
			}
			return &Keys{st: st, kek: kek, Ring: ring, blob: nb}, nil
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
	return nil, errors.New("vault: the key ring kept changing while it was read")
}

// change applies f to a copy of the ring and saves it; only then does the
// copy become Ring.
func (k *Keys) change(ctx context.Context, f func(*seal.Ring) error) error {
	next, err := seal.OpenRing(k.blob, k.kek)
	if err != nil {
		return fmt.Errorf("vault: copying the key ring: %w", err)
	}
	if err := f(next); err != nil {
		return err
	}
	nb, err := next.Marshal(k.kek)
	if err != nil {
		return err
	}
	if err := k.st.SwapMeta(ctx, RingMeta, k.blob, nb); err != nil {
		return fmt.Errorf("vault: saving the key ring: %w", err)
	}
	k.Ring, k.blob = next, nb
	return nil
}

// Rotate adds a data key, makes it primary and saves the ring. Rows are
// re-sealed on their next write, or at once with Reseal.
func (k *Keys) Rotate(ctx context.Context) (uint32, error) {
	var id uint32
	err := k.change(ctx, func(r *seal.Ring) (err error) {
		id, err = r.Rotate()
		return err
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

// Usage counts the records whose secrets use each key id.
func (k *Keys) Usage(ctx context.Context) (map[uint32]int, error) {
	use := map[uint32]int{}
	for rec, err := range k.st.List(ctx) {
		if err != nil {
			return nil, err
		}
		for _, id := range recordKeyIDs(rec) {
			use[id]++
		}
	}
	return use, nil
}

func recordKeyIDs(rec store.Record) []uint32 {
	var ids []uint32
	seen := map[uint32]bool{}
	for _, b := range [][]byte{rec.SealedAccess, rec.SealedRefresh, rec.SealedNPSSO} {
		if len(b) == 0 {
			continue
		}
		if id, err := seal.KeyIDOf(b); err == nil && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}

// Reseal re-seals every record not sealed with the primary key (with a
// compare-and-swap, so a concurrent refresh wins and is simply skipped).
// It returns how many records it re-sealed.
func (k *Keys) Reseal(ctx context.Context) (int, error) {
	primary := k.Ring.Primary()
	var todo []store.Record
	for rec, err := range k.st.List(ctx) {
		if err != nil {
			return 0, err
		}
		ids := recordKeyIDs(rec)
		if len(ids) == 1 && ids[0] == primary {
			continue
		}
		todo = append(todo, rec)
	}
	n := 0
	for _, rec := range todo {
		tok, npsso, err := OpenRecord(k.Ring, rec)
		if err != nil {
			return n, err
		}
		next := rec
		if err := SealInto(k.Ring, &next, tok, npsso); err != nil {
			return n, err
		}
		// The same token, sealed anew: its bookkeeping and evidence stay, and
		// so does the lease (the record is written back with its expiry).
		next.NextRefresh, next.LastError, next.LastErrorAt = rec.NextRefresh, rec.LastError, rec.LastErrorAt
		next.RefreshRejectedAt = rec.RefreshRejectedAt
		if _, err := k.st.CompareAndSwap(ctx, rec.Account, rec.Version, next); err != nil {
			if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrLeaseLost) {
				continue // written meanwhile, with the primary key
			}
			return n, err
		}
		n++
	}
	return n, nil
}

// ErrKeyInUse: Retire was asked to drop a key that records still use.
var ErrKeyInUse = errors.New("vault: key still in use: records are sealed with it; re-seal them under the primary key first")

// Retire removes key id from the ring when no record uses it.
func (k *Keys) Retire(ctx context.Context, id uint32) error {
	use, err := k.Usage(ctx)
	if err != nil {
		return err
	}
	if n := use[id]; n > 0 {
		return fmt.Errorf("%w (%d records use key %08x)", ErrKeyInUse, n, id)
	}
	return k.change(ctx, func(r *seal.Ring) error { return r.Retire(id) })
}

// Changed reports whether the stored ring differs from the one loaded
// (another process rotated it); callers reload with LoadKeys.
func (k *Keys) Changed(ctx context.Context) (bool, error) {
	blob, err := k.st.GetMeta(ctx, RingMeta)
	if err != nil {
		return false, err
	}
	return !bytes.Equal(blob, k.blob), nil
}

// Latest returns the ring as stored now: k.Ring while the store still
// holds the blob it was read from, else the newer ring another process
// saved (rotated or retired), opened with the same key-encryption key. It
// does not change k.
func (k *Keys) Latest(ctx context.Context) (*seal.Ring, error) {
	blob, err := k.st.GetMeta(ctx, RingMeta)
	if err != nil {
		return nil, fmt.Errorf("vault: reading the key ring: %w", err)
	}
	if bytes.Equal(blob, k.blob) {
		return k.Ring, nil
	}
	ring, err := seal.OpenRing(blob, k.kek)
	if err != nil {
		return nil, fmt.Errorf("vault: opening the key ring with %s: %w", k.kek, err)
	}
	return ring, nil
}
