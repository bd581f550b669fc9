package vault

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

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

	// now and sleep are the clock of Latest's cache and Retire's wait
	// (nil: time.Now and a timer); tests replace them.
	now   func() time.Time
	sleep func(context.Context, time.Duration) error

	// mu guards the ring Latest last read (see RingFollow).
	mu         sync.Mutex
	latest     *seal.Ring
	latestBlob []byte
	latestAt   time.Time // when the read that found it began
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
	start := k.clock()
	if err := k.st.SwapMeta(ctx, RingMeta, k.blob, nb); err != nil {
		return fmt.Errorf("vault: saving the key ring: %w", err)
	}
	k.Ring, k.blob = next, nb
	k.remember(next, nb, start)
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
// compare-and-swap) and returns how many it re-sealed. It first waits
// RingFollow, as Retire does: a process that follows the ring
// (FollowKeys) may seal with the primary key it read up to RingFollow
// before a rotation, so a save that began before the wait may still use
// the old key; a record such a save wrote meanwhile is read again and
// re-sealed (a compare-and-swap that loses to a refresh re-reads the
// record rather than assuming the refresh used the primary key). After
// Reseal returns, no follower begins a save with an older primary key.
func (k *Keys) Reseal(ctx context.Context) (int, error) {
	if err := k.wait(ctx, RingFollow); err != nil {
		return 0, err
	}
	primary := k.Ring.Primary()
	var todo []store.Record
	for rec, err := range k.st.List(ctx) {
		if err != nil {
			return 0, err
		}
		if !sealedOnlyWith(rec, primary) {
			todo = append(todo, rec)
		}
	}
	n := 0
	for _, rec := range todo {
		done, err := k.resealOne(ctx, rec)
		if err != nil {
			return n, err
		}
		if done {
			n++
		}
	}
	return n, nil
}

// resealAttempts bounds how often Reseal re-reads one record that refreshes
// keep writing under it.
const resealAttempts = 5

// resealOne re-seals rec with the primary key, re-reading it after each
// compare-and-swap another writer won, until it is sealed with the
// primary key only (done is false when a writer did that) or it is gone.
func (k *Keys) resealOne(ctx context.Context, rec store.Record) (done bool, err error) {
	primary := k.Ring.Primary()
	for attempt := 1; ; attempt++ {
		tok, npsso, err := OpenRecord(k.Ring, rec)
		if err != nil {
			return false, err
		}
		next := rec
		if err := SealInto(k.Ring, &next, tok, npsso); err != nil {
			return false, err
		}
		// The same token, sealed anew: its bookkeeping and evidence stay, and
		// so does the lease (the record is written back with its expiry).
		next.NextRefresh, next.LastError, next.LastErrorAt = rec.NextRefresh, rec.LastError, rec.LastErrorAt
		next.RefreshRejectedAt = rec.RefreshRejectedAt
		_, err = k.st.CompareAndSwap(ctx, rec.Account, rec.Version, next)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, store.ErrNotFound):
			return false, nil // deleted meanwhile
		case !errors.Is(err, store.ErrConflict) && !errors.Is(err, store.ErrLeaseLost):
			return false, err
		}
		// Written meanwhile: by a process that may have sealed with the
		// primary key it read before the rotation. Look again.
		if rec, err = k.st.Get(ctx, rec.Account); errors.Is(err, store.ErrNotFound) {
			return false, nil
		} else if err != nil {
			return false, err
		}
		if sealedOnlyWith(rec, primary) {
			return false, nil
		}
		if attempt == resealAttempts {
			return false, fmt.Errorf("vault: re-sealing account %q: written %d times meanwhile: %w", rec.Account, attempt, store.ErrConflict)
		}
	}
}

// sealedOnlyWith reports whether every sealed field of rec uses key id.
func sealedOnlyWith(rec store.Record, id uint32) bool {
	ids := recordKeyIDs(rec)
	return len(ids) == 1 && ids[0] == id
}

// ErrKeyInUse: Retire was asked to drop a key that records still use.
var ErrKeyInUse = errors.New("vault: key still in use: records are sealed with it; re-seal them under the primary key first")

// Retire removes key id from the ring when no record uses it. It first
// waits RingFollow: a process that follows the ring (FollowKeys) may seal
// with the primary key it read up to RingFollow ago, so right after a
// rotation the old primary key can still gain records; counting after the
// wait sees them (ErrKeyInUse) instead of retiring a key they need.
func (k *Keys) Retire(ctx context.Context, id uint32) error {
	if err := k.wait(ctx, RingFollow); err != nil {
		return err
	}
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

// RingFollow bounds how stale Latest may be: it reads the stored ring at
// most once per RingFollow and otherwise returns the ring it read last. A
// rotation saved by another process (psn keys rotate) is therefore used by
// every save that begins RingFollow or more after it was stored.
const RingFollow = time.Second

// Latest returns the ring as stored at most RingFollow ago: k.Ring while
// the store holds the blob it was read from, else the newer ring another
// process saved (rotated or retired), opened with the same key-encryption
// key once per stored blob. It does not change k.Ring. Callers that met
// evidence of a newer ring (a key they do not know) use LatestNow.
func (k *Keys) Latest(ctx context.Context) (*seal.Ring, error) {
	k.mu.Lock()
	ring, at := k.latest, k.latestAt
	k.mu.Unlock()
	if ring != nil && k.clock().Sub(at) < RingFollow {
		return ring, nil
	}
	return k.LatestNow(ctx)
}

// LatestNow is Latest without the cache: it reads the stored ring now.
func (k *Keys) LatestNow(ctx context.Context) (*seal.Ring, error) {
	start := k.clock()
	blob, err := k.st.GetMeta(ctx, RingMeta)
	if err != nil {
		return nil, fmt.Errorf("vault: reading the key ring: %w", err)
	}
	k.mu.Lock()
	ring := k.latest
	if !bytes.Equal(blob, k.latestBlob) {
		ring = nil
	}
	k.mu.Unlock()
	switch {
	case ring != nil:
	case bytes.Equal(blob, k.blob):
		ring = k.Ring
	default:
		if ring, err = seal.OpenRing(blob, k.kek); err != nil {
			return nil, fmt.Errorf("vault: opening the key ring with %s: %w", k.kek, err)
		}
	}
	k.remember(ring, blob, start)
	return ring, nil
}

// remember keeps ring (stored as blob, read by a read that began at start)
// for Latest, unless a later read is kept already.
func (k *Keys) remember(ring *seal.Ring, blob []byte, start time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.latest == nil || !start.Before(k.latestAt) {
		k.latest, k.latestBlob, k.latestAt = ring, blob, start
	}
}

func (k *Keys) clock() time.Time {
	if k.now != nil {
		return k.now()
	}
	return time.Now()
}

// wait sleeps d unless ctx is done first.
func (k *Keys) wait(ctx context.Context, d time.Duration) error {
	if k.sleep != nil {
		return k.sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
