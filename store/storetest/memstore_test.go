package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"iter"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/psnkit/psn/store"
)

// memStore is a minimal in-memory reference Store. It exists only to prove
// that the suite is passable and that each case checks what it names.
type memStore struct {
	mu   sync.Mutex
	recs map[string]store.Record
	meta map[string][]byte
	now  func() time.Time
}

func newMem() *memStore {
	return &memStore{recs: map[string]store.Record{}, meta: map[string][]byte{}, now: time.Now}
}

func norm(r store.Record) store.Record {
	for _, p := range []*time.Time{&r.AccessExpiry, &r.RefreshExpiry, &r.NextRefresh, &r.LeaseExpiry, &r.LastErrorAt, &r.UpdatedAt, &r.RefreshRejectedAt, &r.NPSSORejectedAt} {
		if !p.IsZero() {
			*p = p.UTC().Round(0)
		}
	}
	r.SealedAccess = slices.Clone(r.SealedAccess)
	r.SealedRefresh = slices.Clone(r.SealedRefresh)
	r.SealedNPSSO = slices.Clone(r.SealedNPSSO)
	return r
}

func live(r store.Record, now time.Time) bool { return r.LeaseOwner != "" && r.LeaseExpiry.After(now) }

func (m *memStore) Get(_ context.Context, a string) (store.Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.recs[a]
	if !ok {
		return store.Record{}, store.ErrNotFound
	}
	return norm(r), nil
}

func (m *memStore) Put(_ context.Context, rec store.Record) (store.Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.recs[rec.Account]; ok {
		return store.Record{}, store.ErrExists
	}
	rec.Version, rec.UpdatedAt, rec.Fence = 1, m.now(), 0
	m.recs[rec.Account] = norm(rec)
	return norm(rec), nil
}

func (m *memStore) CompareAndSwap(_ context.Context, a string, want int64, rec store.Record) (store.Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, ok := m.recs[a]
	switch {
	case !ok:
		return store.Record{}, store.ErrNotFound
	case cur.Version != want:
		return store.Record{}, store.ErrConflict
	}
	presented := rec.LeaseOwner != "" && rec.LeaseOwner == cur.LeaseOwner && rec.Fence == cur.Fence && rec.LeaseExpiry.IsZero()
	rec.LeaseOwner, rec.LeaseExpiry, rec.Fence = cur.LeaseOwner, cur.LeaseExpiry, cur.Fence
	if presented {
		rec.LeaseOwner, rec.LeaseExpiry = "", time.Time{}
	}
	rec.Account, rec.Version, rec.UpdatedAt = a, want+1, m.now()
	m.recs[a] = norm(rec)
	return norm(rec), nil
}

func (m *memStore) Note(_ context.Context, a string, version int64, n store.Note) (store.Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.recs[a]
	switch {
	case !ok:
		return store.Record{}, store.ErrNotFound
	case r.Version != version:
		return store.Record{}, store.ErrConflict
	}
	if n.LastError != "" {
		r.LastError, r.LastErrorAt = n.LastError, n.LastErrorAt
	}
	if !n.NextRefresh.IsZero() {
		r.NextRefresh = n.NextRefresh
	}
	if !n.RefreshRejectedAt.IsZero() {
		r.RefreshRejectedAt = n.RefreshRejectedAt
	}
	if !n.NPSSORejectedAt.IsZero() {
		r.NPSSORejectedAt = n.NPSSORejectedAt
	}
	if n.ReleaseOwner != "" && n.ReleaseOwner == r.LeaseOwner && n.ReleaseFence == r.Fence {
		r.LeaseOwner, r.LeaseExpiry = "", time.Time{}
	}
	r.UpdatedAt = m.now()
	r = norm(r)
	m.recs[a] = r
	return r, nil
}

func (m *memStore) ClaimDue(_ context.Context, due time.Time, limit int, owner string, ttl time.Duration) ([]store.Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	var picked []store.Record
	for _, r := range m.recs {
		if !r.NextRefresh.After(due) && !live(r, now) {
			picked = append(picked, r)
		}
	}
	slices.SortFunc(picked, func(a, b store.Record) int {
		if c := a.NextRefresh.Compare(b.NextRefresh); c != 0 {
			return c
		}
		return strings.Compare(a.Account, b.Account)
	})
	if len(picked) > limit {
		picked = picked[:limit]
	}
	for i := range picked {
		picked[i].LeaseOwner, picked[i].LeaseExpiry = owner, now.Add(ttl)
		picked[i].Fence++
		picked[i] = norm(picked[i])
		m.recs[picked[i].Account] = picked[i]
	}
	return picked, nil
}

func (m *memStore) Claim(_ context.Context, a string, owner string, ttl time.Duration) (store.Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	r, ok := m.recs[a]
	if !ok {
		return store.Record{}, store.ErrNotFound
	}
	held := live(r, now)
	if held && r.LeaseOwner != owner {
		return store.Record{}, store.ErrLeaseLost
	}
	if !held {
		r.Fence++
	}
	r.LeaseOwner, r.LeaseExpiry = owner, now.Add(ttl)
	r = norm(r)
	m.recs[a] = r
	return r, nil
}

func (m *memStore) Renew(_ context.Context, a, owner string, fence int64, ttl time.Duration) (store.Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.recs[a]
	if !ok {
		return store.Record{}, store.ErrNotFound
	}
	if r.LeaseOwner != owner || r.Fence != fence {
		return store.Record{}, store.ErrLeaseLost
	}
	r.LeaseExpiry = m.now().Add(ttl)
	r = norm(r)
	m.recs[a] = r
	return r, nil
}

func (m *memStore) Release(_ context.Context, a, owner string, fence int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.recs[a]; ok && r.LeaseOwner == owner && owner != "" && r.Fence == fence {
		r.LeaseOwner, r.LeaseExpiry = "", time.Time{}
		m.recs[a] = r
	}
	return nil
}

func (m *memStore) Delete(_ context.Context, a string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.recs[a]; !ok {
		return store.ErrNotFound
	}
	delete(m.recs, a)
	return nil
}

func (m *memStore) List(context.Context) iter.Seq2[store.Record, error] {
	m.mu.Lock()
	var all []store.Record
	for _, r := range m.recs {
		all = append(all, norm(r))
	}
	m.mu.Unlock()
	slices.SortFunc(all, func(a, b store.Record) int { return strings.Compare(a.Account, b.Account) })
	return func(yield func(store.Record, error) bool) {
		for _, r := range all {
			if !yield(r, nil) {
				return
			}
		}
	}
}

func (m *memStore) GetMeta(_ context.Context, name string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.meta[name]
	if !ok {
		return nil, store.ErrNotFound
	}
	return slices.Clone(v), nil
}

func (m *memStore) SwapMeta(_ context.Context, name string, old, value []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, ok := m.meta[name]
	if (old == nil && ok) || (old != nil && (!ok || !bytes.Equal(cur, old))) {
		return store.ErrConflict
	}
	m.meta[name] = slices.Clone(value)
	return nil
}

func (m *memStore) Close() error { return nil }

func memHarness() Harness {
	return Harness{
		New: func(t *testing.T) store.Store { return newMem() },
		Raw: func(t *testing.T, s store.Store) []byte {
			m := s.(*memStore)
			m.mu.Lock()
			defer m.mu.Unlock()
			b, err := json.Marshal(m.recs)
			if err != nil {
				t.Fatal(err)
			}
			return b
		},
		Reopen: func(t *testing.T, s store.Store) store.Store { return s },
	}
}

// TestSuiteAgainstReference proves the suite passes on a correct store.
func TestSuiteAgainstReference(t *testing.T) {
	Run(t, memHarness())
}

// brokenStore wraps memStore with one deliberate contract violation.
type brokenStore struct {
	*memStore
	bug string
}

func (b brokenStore) Put(ctx context.Context, rec store.Record) (store.Record, error) {
	switch b.bug {
	case "truncate-times":
		rec.AccessExpiry = rec.AccessExpiry.Truncate(time.Millisecond)
	case "local-times":
		r, err := b.memStore.Put(ctx, rec)
		r.NextRefresh = r.NextRefresh.In(zone)
		return r, err
	case "overwrite":
		b.memStore.mu.Lock()
		delete(b.memStore.recs, rec.Account)
		b.memStore.mu.Unlock()
	}
	return b.memStore.Put(ctx, rec)
}

func (b brokenStore) CompareAndSwap(ctx context.Context, a string, want int64, rec store.Record) (store.Record, error) {
	if b.bug == "lease-decides" {
		b.memStore.mu.Lock()
		cur, ok := b.memStore.recs[a]
		b.memStore.mu.Unlock()
		if ok && live(cur, time.Now()) && cur.LeaseOwner != rec.LeaseOwner {
			return store.Record{}, store.ErrLeaseLost
		}
	}
	return b.memStore.CompareAndSwap(ctx, a, want, rec)
}

func (b brokenStore) Note(ctx context.Context, a string, version int64, n store.Note) (store.Record, error) {
	if b.bug == "note-bumps-version" {
		b.memStore.mu.Lock()
		r := b.memStore.recs[a]
		r.Version++
		b.memStore.recs[a] = r
		b.memStore.mu.Unlock()
		return b.memStore.Note(ctx, a, version+1, n)
	}
	return b.memStore.Note(ctx, a, version, n)
}

func (b brokenStore) ClaimDue(ctx context.Context, due time.Time, limit int, owner string, ttl time.Duration) ([]store.Record, error) {
	switch b.bug {
	case "claim-ignores-leases":
		b.memStore.mu.Lock()
		for k, r := range b.memStore.recs {
			r.LeaseOwner, r.LeaseExpiry = "", time.Time{}
			b.memStore.recs[k] = r
		}
		b.memStore.mu.Unlock()
	case "caller-clock":
		b.memStore.mu.Lock()
		saved := b.memStore.now
		b.memStore.now = func() time.Time { return due }
		b.memStore.mu.Unlock()
		defer func() { b.memStore.mu.Lock(); b.memStore.now = saved; b.memStore.mu.Unlock() }()
	}
	recs, err := b.memStore.ClaimDue(ctx, due, limit, owner, ttl)
	if b.bug == "no-fence" {
		b.memStore.mu.Lock()
		for i := range recs {
			recs[i].Fence = 1
			b.memStore.recs[recs[i].Account] = recs[i]
		}
		b.memStore.mu.Unlock()
	}
	return recs, err
}

func (b brokenStore) Claim(ctx context.Context, a, owner string, ttl time.Duration) (store.Record, error) {
	r, err := b.memStore.Claim(ctx, a, owner, ttl)
	if b.bug == "no-fence" && err == nil {
		b.memStore.mu.Lock()
		r.Fence = 1
		b.memStore.recs[a] = r
		b.memStore.mu.Unlock()
	}
	return r, err
}

func (b brokenStore) Renew(ctx context.Context, a, owner string, fence int64, ttl time.Duration) (store.Record, error) {
	if b.bug == "renew-anyone" {
		b.memStore.mu.Lock()
		defer b.memStore.mu.Unlock()
		r := b.memStore.recs[a]
		r.LeaseOwner, r.LeaseExpiry = owner, time.Now().Add(ttl)
		b.memStore.recs[a] = r
		return norm(r), nil
	}
	return b.memStore.Renew(ctx, a, owner, fence, ttl)
}

func (b brokenStore) Release(ctx context.Context, a, owner string, fence int64) error {
	if b.bug == "release-anyone" {
		b.memStore.mu.Lock()
		defer b.memStore.mu.Unlock()
		r := b.memStore.recs[a]
		if r.LeaseOwner == owner {
			r.LeaseOwner, r.LeaseExpiry = "", time.Time{}
			b.memStore.recs[a] = r
		}
		return nil
	}
	return b.memStore.Release(ctx, a, owner, fence)
}

// bugCases maps each deliberate bug to the case that must catch it.
var bugCases = []struct {
	bug   string
	cases []testCase
	name  string
}{
	{"truncate-times", putGetCases, "RoundTripEveryField"},
	{"local-times", putGetCases, "RoundTripEveryField"},
	{"overwrite", putGetCases, "PutTwiceIsErrExists"},
	{"lease-decides", protocolCases, "LeaseTakenOverWhileASlowHolderWaitsOnPSN"},
	{"note-bumps-version", protocolCases, "BookkeepingDuringAHoldersRefreshNeverFailsItsSave"},
	{"claim-ignores-leases", claimDueCases, "SkipsLiveLeasesTakesOverExpiredOnes"},
	{"caller-clock", claimDueCases, "LeasesAreJudgedByTheStoresClockNotTheDueInstant"},
	{"no-fence", protocolCases, "CLIClaimRacingTheSchedulersClaimDue"},
	{"renew-anyone", renewCases, "StaleFenceIsErrLeaseLost"},
	{"release-anyone", releaseCases, "NonHolderIsNoOp"},
}

// TestSuiteCatchesBugs runs single cases against stores with one known bug
// each, in a child process (so the expected failure stays out of this run's
// output), and checks that the case meant to catch the bug fails.
func TestSuiteCatchesBugs(t *testing.T) {
	if bug := os.Getenv("STORETEST_BUG"); bug != "" {
		for _, c := range bugCases {
			if c.bug != bug {
				continue
			}
			h := Harness{New: func(*testing.T) store.Store { return brokenStore{newMem(), c.bug} }}
			for _, tc := range c.cases {
				if tc.name == c.name {
					tc.run(t, h)
					return
				}
			}
		}
		t.Fatalf("unknown bug %q", bug)
	}
	for _, c := range bugCases {
		t.Run(c.bug, func(t *testing.T) {
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestSuiteCatchesBugs$", "-test.count=1")
			cmd.Env = append(os.Environ(), "STORETEST_BUG="+c.bug)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("case %s passed against a store with bug %q (err %v):\n%s", c.name, c.bug, err, out)
			}
			if !bytes.Contains(out, []byte("--- FAIL")) {
				t.Fatalf("child failed without a test failure:\n%s", out)
			}
		})
	}
}
