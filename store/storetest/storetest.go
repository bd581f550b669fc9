// Package storetest is the conformance suite every store.Store backend must
// pass. A backend's test calls Run with a Harness that says how to make a
// fresh, isolated store, how to read every byte it holds, and (optionally)
// how to close and reopen it:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, storetest.Harness{
//			New: func(t *testing.T) store.Store { ... },
//			Raw: func(t *testing.T, s store.Store) []byte { ... },
//		})
//	}
//
// Every case is a subtest with its own store, so `go test -run
// 'Conformance/CompareAndSwap'` runs one group. Cases use a fixed base instant
// wherever the contract lets the caller pass an instant (ClaimDue's due
// instant). Leases are judged by the store's own clock: live leases in the
// suite last an hour, and leases meant to lapse last shortTTL and are waited
// out (a wait that only has to be at least as long as the lease, never a
// speed assertion); expiry instants are checked against the test's clock
// within skew.
//
// The Protocol group replays the interleavings of docs/refresh-protocol.md
// (a bookkeeping write during a holder's refresh, a lease taken over while
// a slow holder waits on PSN, a CLI's Claim racing a scheduler's ClaimDue).
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/psnkit/psn/store"
)

// Harness tells the suite how to make and inspect a backend.
type Harness struct {
	// New returns a new, empty store isolated from every other call (own
	// file / schema / key prefix), registering its own cleanup with
	// t.Cleanup.
	New func(t *testing.T) store.Store
	// Raw returns every byte the backend holds for s (file bytes incl. WAL,
	// table rows as text, Redis values) so the suite can scan for plaintext
	// secrets.
	Raw func(t *testing.T, s store.Store) []byte
	// Reopen (optional) closes s and opens the same data again, to prove
	// durability and round trips. The suite does not use s after Reopen.
	Reopen func(t *testing.T, s store.Store) store.Store
	// Share (optional) opens another handle on the same data as s — its
	// own pool, client or connection, as another process would — and
	// registers its cleanup. The suite then proves that claimers on
	// separate handles never get the same account.
	Share func(t *testing.T, s store.Store) store.Store
}

// Run runs every conformance case as a subtest of t. Subtests run one after
// another (not in parallel) so a backend's own concurrency is what the
// concurrent cases measure.
func Run(t *testing.T, h Harness) {
	t.Helper()
	if h.New == nil {
		t.Fatal("storetest: Harness.New is nil")
	}
	groups := []struct {
		name  string
		cases []testCase
	}{
		{"PutGet", putGetCases},
		{"CompareAndSwap", casCases},
		{"ClaimDue", claimDueCases},
		{"Claim", claimCases},
		{"Renew", renewCases},
		{"Release", releaseCases},
		{"Note", noteCases},
		{"Protocol", protocolCases},
		{"Delete", deleteCases},
		{"List", listCases},
		{"Meta", metaCases},
		{"Secrets", secretCases},
		{"Reopen", reopenCases},
		{"Pages", pageCases},
		{"Outbox", outboxCases},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, c := range g.cases {
				t.Run(c.name, func(t *testing.T) { c.run(t, h) })
			}
		})
	}
}

// testCase is one named conformance check.
type testCase struct {
	name string
	run  func(t *testing.T, h Harness)
}

// base is the fixed instant the suite measures from: microsecond precision,
// the finest every backend must keep.
var base = time.Date(2025, time.March, 14, 15, 9, 26, 535897000, time.UTC)

// zone is a non-UTC location used for inputs, to prove a store hands back UTC.
var zone = time.FixedZone("UTC+05:30", 5*3600+30*60)

// sample returns a record for account with every field set to a distinctive
// value: binary sealed fields (NUL, 0xff, invalid UTF-8), the largest KeyID,
// times in a non-UTC zone with microsecond precision.
func sample(account string) store.Record {
	return store.Record{
		Account:       account,
		AccountID:     "6515971742264256071",
		OnlineID:      "Online_" + account,
		SealedAccess:  []byte{0x01, 0x00, 0xff, 0xfe, 'a', 0x00, 0x80, 0xc3, 0x28},
		SealedRefresh: []byte{0x01, 0x7f, 0x00, 0x00, 'r', 0xff},
		SealedNPSSO:   []byte{0x01, 'n', 0x00, 0xed, 0xa0, 0x80},
		KeyID:         0xFFFFFFFF,
		AccessExpiry:  base.Add(time.Hour + time.Microsecond).In(zone),
		RefreshExpiry: base.Add(60 * 24 * time.Hour).In(zone),
		NextRefresh:   base.Add(45 * time.Minute).In(zone),
		LastError:     "refresh: 503 \"Service Unavailable\"\nretry later; 'quoted' ✓",
		LastErrorAt:   base.Add(-time.Minute - 3*time.Microsecond).In(zone),
		// Evidence fields: set here only to prove they round-trip.
		RefreshRejectedAt: base.Add(-2*time.Minute - 5*time.Microsecond).In(zone),
		NPSSORejectedAt:   base.Add(-3*time.Minute - 7*time.Microsecond).In(zone),
	}
}

// put stores rec and fails the test on error.
func put(t *testing.T, s store.Store, rec store.Record) store.Record {
	t.Helper()
	got, err := s.Put(t.Context(), rec)
	if err != nil {
		t.Fatalf("Put(%q): %v", rec.Account, err)
	}
	return got
}

// get reads account and fails the test on error.
func get(t *testing.T, s store.Store, account string) store.Record {
	t.Helper()
	got, err := s.Get(t.Context(), account)
	if err != nil {
		t.Fatalf("Get(%q): %v", account, err)
	}
	return got
}

// wantErr fails the test unless errors.Is(err, target).
func wantErr(t *testing.T, op string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: error = %v, want errors.Is(err, %v)", op, err, target)
	}
}

// diff lists every field where got differs from want. Times must be equal
// instants and, when non-zero, in UTC; a zero want needs a zero got. Byte
// slices compare by content, so nil and empty are the same. UpdatedAt is not
// compared (the store sets it); checkUpdatedAt looks at it.
func diff(got, want store.Record) []string {
	var d []string
	str := func(name, g, w string) {
		if g != w {
			d = append(d, fmt.Sprintf("%s = %q, want %q", name, g, w))
		}
	}
	byt := func(name string, g, w []byte) {
		if !bytes.Equal(g, w) {
			d = append(d, fmt.Sprintf("%s = %x, want %x", name, g, w))
		}
	}
	tim := func(name string, g, w time.Time) {
		switch {
		case w.IsZero() && !g.IsZero():
			d = append(d, fmt.Sprintf("%s = %v, want the zero time", name, g))
		case w.IsZero():
		case !g.Equal(w):
			d = append(d, fmt.Sprintf("%s = %v, want %v", name, g.UTC().Format(time.RFC3339Nano), w.UTC().Format(time.RFC3339Nano)))
		case g.Location() != time.UTC:
			d = append(d, fmt.Sprintf("%s is in location %q, want UTC", name, g.Location()))
		}
	}
	str("Account", got.Account, want.Account)
	str("AccountID", got.AccountID, want.AccountID)
	str("OnlineID", got.OnlineID, want.OnlineID)
	byt("SealedAccess", got.SealedAccess, want.SealedAccess)
	byt("SealedRefresh", got.SealedRefresh, want.SealedRefresh)
	byt("SealedNPSSO", got.SealedNPSSO, want.SealedNPSSO)
	if got.KeyID != want.KeyID {
		d = append(d, fmt.Sprintf("KeyID = %d, want %d", got.KeyID, want.KeyID))
	}
	tim("AccessExpiry", got.AccessExpiry, want.AccessExpiry)
	tim("RefreshExpiry", got.RefreshExpiry, want.RefreshExpiry)
	tim("NextRefresh", got.NextRefresh, want.NextRefresh)
	if got.Version != want.Version {
		d = append(d, fmt.Sprintf("Version = %d, want %d", got.Version, want.Version))
	}
	str("LeaseOwner", got.LeaseOwner, want.LeaseOwner)
	tim("LeaseExpiry", got.LeaseExpiry, want.LeaseExpiry)
	str("LastError", got.LastError, want.LastError)
	tim("LastErrorAt", got.LastErrorAt, want.LastErrorAt)
	if got.Fence != want.Fence {
		d = append(d, fmt.Sprintf("Fence = %d, want %d", got.Fence, want.Fence))
	}
	tim("RefreshRejectedAt", got.RefreshRejectedAt, want.RefreshRejectedAt)
	tim("NPSSORejectedAt", got.NPSSORejectedAt, want.NPSSORejectedAt)
	return d
}

// checkRecord fails the test when got differs from want (see diff).
func checkRecord(t *testing.T, what string, got, want store.Record) {
	t.Helper()
	if d := diff(got, want); len(d) > 0 {
		t.Errorf("%s differs from what was written:", what)
		for _, line := range d {
			t.Errorf("  %s", line)
		}
	}
}

// checkSame fails the test when two reads of the same stored record differ
// in any field, UpdatedAt included.
func checkSame(t *testing.T, what string, got, want store.Record) {
	t.Helper()
	checkRecord(t, what, got, want)
	if !got.UpdatedAt.Equal(want.UpdatedAt) {
		t.Errorf("%s: UpdatedAt = %v, want %v (the same stored record read twice)", what, got.UpdatedAt, want.UpdatedAt)
	}
}

// checkUpdatedAt fails the test unless the store set UpdatedAt (non-zero, UTC).
func checkUpdatedAt(t *testing.T, what string, r store.Record) {
	t.Helper()
	if r.UpdatedAt.IsZero() {
		t.Errorf("%s: UpdatedAt is zero; the store must set it on every write", what)
	} else if r.UpdatedAt.Location() != time.UTC {
		t.Errorf("%s: UpdatedAt is in location %q, want UTC", what, r.UpdatedAt.Location())
	}
}

// asStored is rec as a store must hand it back after a write at version v.
func asStored(rec store.Record, v int64) store.Record {
	rec.Version = v
	return rec
}

// wallNow is the wall clock truncated to the microsecond, for the cases
// where the store judges lease liveness by its own clock.
func wallNow() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// skew is how far the store's clock may be from the test's when the suite
// checks a lease expiry the store computed.
const skew = time.Minute

// shortTTL is the lease of the cases that wait for a lease to lapse.
const shortTTL = 20 * time.Millisecond

// lapse waits until a lease of shortTTL taken before the call has ended by
// the store's clock (on the same machine as the test).
func lapse() { time.Sleep(3 * shortTTL) }

// collect drains s.List, failing the test on error.
func collect(t *testing.T, ctx context.Context, s store.Store) []store.Record {
	t.Helper()
	var out []store.Record
	for r, err := range s.List(ctx) {
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		out = append(out, r)
	}
	return out
}
