package vault

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/internal/testbackend"
	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/tokenerr"
)

// oneErrorNames are every name of each condition: an error of one
// condition must match all of them and none of another condition's.
var oneErrorNames = map[string][]error{
	"not found":        {psn.ErrNoToken, store.ErrNotFound, tokenerr.ErrNotFound},
	"version conflict": {psn.ErrVersionConflict, store.ErrConflict, tokenerr.ErrConflict},
	"lease held":       {psn.ErrLeaseHeld, store.ErrLeaseLost, tokenerr.ErrLeaseHeld},
}

func wantCondition(t *testing.T, what string, err error, condition string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want %s", what, condition)
		return
	}
	for cond, names := range oneErrorNames {
		for _, name := range names {
			if got := errors.Is(err, name); got != (cond == condition) {
				t.Errorf("%s = %v: errors.Is(err, %q) = %v, want %v (condition %s)", what, err, name, got, !got, condition)
			}
		}
	}
	if errors.Is(err, psn.ErrNotFound) {
		t.Errorf("%s = %v matches psn.ErrNotFound (PSN's HTTP 404)", what, err)
	}
}

// TestOneErrorPerConditionOnEveryBackend: each backend, and the
// vault.AccountStore over it (the psn.LeasingTokenStore a RefreshingSource
// sees), returns for each condition an error that every layer's name of
// it matches with errors.Is.
func TestOneErrorPerConditionOnEveryBackend(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres", "redis"} {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			st := testbackend.New(t, kind).St
			keys := newKeys(t, st)
			a := NewAccountStore(st, keys.Ring, "acct", "proc-a")
			b := NewAccountStore(st, keys.Ring, "acct", "proc-b")

			// Not found: the store's, then the AccountStore's.
			_, err := st.Get(ctx, "acct")
			wantCondition(t, "store Get of a missing account", err, "not found")
			wantCondition(t, "store Delete of a missing account", st.Delete(ctx, "acct"), "not found")
			_, err = st.GetMeta(ctx, "nothing")
			wantCondition(t, "store GetMeta of a missing name", err, "not found")
			_, err = a.Load(ctx)
			wantCondition(t, "AccountStore Load of a missing account", err, "not found")
			_, err = a.Save(ctx, psn.TokenState{Token: testToken("x", time.Now())}, 1)
			wantCondition(t, "AccountStore Save at version 1 of a missing account", err, "not found")
			_, err = a.Lease(ctx, time.Minute)
			wantCondition(t, "AccountStore Lease of a missing account", err, "not found")

			// Version conflict.
			if _, err := a.Save(ctx, psn.TokenState{Token: testToken("v1", time.Now())}, 0); err != nil {
				t.Fatal(err)
			}
			rec, err := st.Get(ctx, "acct")
			if err != nil {
				t.Fatal(err)
			}
			_, err = st.CompareAndSwap(ctx, "acct", rec.Version+1, rec)
			wantCondition(t, "store CompareAndSwap at a stale version", err, "version conflict")
			_, err = st.Note(ctx, "acct", rec.Version+1, store.Note{LastError: "x", LastErrorAt: time.Now()})
			wantCondition(t, "store Note at a stale version", err, "version conflict")
			wantCondition(t, "store SwapMeta from a wrong value", st.SwapMeta(ctx, "nothing", []byte("old"), []byte("new")), "version conflict")
			_, err = b.Save(ctx, psn.TokenState{Token: testToken("b", time.Now())}, 0)
			wantCondition(t, "AccountStore Save creating an existing account", err, "version conflict")
			if !errors.Is(err, store.ErrExists) {
				t.Errorf("AccountStore Save creating an existing account = %v, does not match store.ErrExists", err)
			}
			_, err = b.Save(ctx, psn.TokenState{Token: testToken("b", time.Now())}, rec.Version+1)
			wantCondition(t, "AccountStore Save at a stale version", err, "version conflict")

			// Lease held by another.
			release, err := a.Lease(ctx, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			defer release(ctx)
			_, err = st.Claim(ctx, "acct", "proc-b", time.Minute)
			wantCondition(t, "store Claim of a held lease", err, "lease held")
			_, err = b.Lease(ctx, time.Minute)
			wantCondition(t, "AccountStore Lease of a held lease", err, "lease held")
			held, err := st.Get(ctx, "acct")
			if err != nil {
				t.Fatal(err)
			}
			_, err = st.Renew(ctx, "acct", "proc-b", held.Fence, time.Minute)
			wantCondition(t, "store Renew by a non-holder", err, "lease held")
			// a's lease is taken over: its confirmation (a renewal under its
			// fence) finds the lease another holder's.
			if err := st.Release(ctx, "acct", "proc-a", held.Fence); err != nil {
				t.Fatal(err)
			}
			if _, err := st.Claim(ctx, "acct", "proc-b", time.Minute); err != nil {
				t.Fatal(err)
			}
			wantCondition(t, "AccountStore ConfirmLease after a take-over", a.ConfirmLease(ctx, 2*time.Minute), "lease held")
		})
	}
}
