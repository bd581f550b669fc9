package server

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/psntest"
	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/vault"
)

// scheduledRefreshGets is how many times a scheduled refresh of an account
// whose token source is not in memory reads the record (store.Get): once,
// under the lease it adopted from the claim, right before it spends.
const scheduledRefreshGets = 1

// A scheduled refresh reads the record scheduledRefreshGets times: the
// claim's record stands in for every read the refresh can do without.
func TestScheduledRefreshReads(t *testing.T) {
	const accounts = 20
	e := newSvcEnv(t, envOptions{sim: psntest.Config{AccessTTL: time.Hour, Users: accounts}})
	ctx := t.Context()
	for i := range accounts {
		e.add(fmt.Sprintf("acct-%02d", i), i, false)
	}
	cs := &writeCountingStore{Store: e.st}
	svc := e.newService(cs, e.keys, envOptions{svc: func(c *ServiceConfig) { c.BatchSize = accounts }})
	e.sim.Advance(50 * time.Minute)
	before := e.refreshGrants()
	n, err := svc.Tick(ctx)
	if err != nil || n != accounts {
		t.Fatalf("Tick = %d, %v; want %d claimed", n, err, accounts)
	}
	if g := e.refreshGrants() - before; g != accounts {
		t.Fatalf("refresh grants = %d, want %d", g, accounts)
	}
	t.Logf("%d scheduled refreshes: %d record reads, %d key ring reads", accounts, cs.get.Load(), cs.getMeta.Load())
	if got := cs.get.Load(); got != accounts*scheduledRefreshGets {
		t.Errorf("record reads = %d for %d refreshes, want %d each", got, accounts, scheduledRefreshGets)
	}
	for i := range accounts {
		if rec := e.record(fmt.Sprintf("acct-%02d", i)); rec.LeaseOwner != "" || rec.Version != 2 {
			t.Errorf("acct-%02d: lease %q version %d after the pass; want no lease, version 2", i, rec.LeaseOwner, rec.Version)
		}
	}
}

// claimHookStore runs after on the records every ClaimDue returned, before
// the scheduler sees them.
type claimHookStore struct {
	store.Store
	after func([]store.Record)
}

func (c *claimHookStore) ClaimDue(ctx context.Context, due time.Time, limit int, owner string, ttl time.Duration) ([]store.Record, error) {
	recs, err := c.Store.ClaimDue(ctx, due, limit, owner, ttl)
	if err == nil && c.after != nil {
		c.after(recs)
	}
	return recs, err
}

// A login made by another process between the scheduler's claim and the
// refresh (the record the claim returned is stale by then) is seen before
// anything is spent: the refresh reads the record again under the lease,
// serves the login's token, spends no refresh token and leaves no lease.
func TestLoginBetweenClaimAndRefreshIsSeen(t *testing.T) {
	e := newSvcEnv(t, envOptions{sim: psntest.Config{AccessTTL: time.Hour, Users: 1}})
	ctx := t.Context()
	e.add("acct", 0, false)
	var login store.Record
	hs := &claimHookStore{Store: e.st, after: func(recs []store.Record) {
		if len(recs) != 1 {
			return
		}
		c := psn.NewClient(psn.WithEndpoint(e.psn.URL), psn.WithClock(e.sim.Now))
		var err error
		if login, err = vault.Login(ctx, c, e.st, e.keys.Ring, "acct", psn.Secret(e.user(0).NPSSO), false); err != nil {
			t.Errorf("login between claim and refresh: %v", err)
		}
	}}
	svc := e.newService(hs, e.keys, envOptions{})
	e.sim.Advance(50 * time.Minute)
	before := e.refreshGrants()
	if n, err := svc.Tick(ctx); err != nil || n != 1 {
		t.Fatalf("Tick = %d, %v; want 1 claimed", n, err)
	}
	if login.Version != 2 {
		t.Fatalf("the login between claim and refresh stored version %d, want 2 (the premise)", login.Version)
	}
	if g := e.refreshGrants() - before; g != 0 {
		t.Errorf("refresh grants = %d after a login made since the claim, want 0 (the stale token spent)", g)
	}
	rec := e.record("acct")
	if rec.Version != login.Version || rec.LeaseOwner != "" {
		t.Errorf("after the pass: version %d lease %q; want the login's version %d, no lease", rec.Version, rec.LeaseOwner, login.Version)
	}
	tok, err := svc.Token(ctx, "acct")
	if err != nil {
		t.Fatal(err)
	}
	if want := e.secrets("acct")[0]; tok.AccessToken.Reveal() != want {
		t.Error("the service serves a token other than the login's")
	}
}

// The claim stands in for the look-up that makes an account's token
// source, but not once the account was deleted through this service since
// the claim began: that delete takes effect at once, as before.
func TestDeleteBetweenClaimAndRefreshTakesEffect(t *testing.T) {
	e := newSvcEnv(t, envOptions{sim: psntest.Config{AccessTTL: time.Hour, Users: 1}})
	ctx := t.Context()
	e.add("acct", 0, false)
	var svc *Service
	hs := &claimHookStore{Store: e.st, after: func(recs []store.Record) {
		if len(recs) == 1 {
			if err := svc.DeleteAccount(ctx, "acct"); err != nil {
				t.Errorf("delete between claim and refresh: %v", err)
			}
		}
	}}
	svc = e.newService(hs, e.keys, envOptions{})
	e.sim.Advance(50 * time.Minute)
	before := e.refreshGrants()
	if n, err := svc.Tick(ctx); err != nil || n != 1 {
		t.Fatalf("Tick = %d, %v; want 1 claimed", n, err)
	}
	if g := e.refreshGrants() - before; g != 0 {
		t.Errorf("refresh grants = %d for a deleted account, want 0", g)
	}
	if n := svc.SourcesCached(); n != 0 {
		t.Errorf("%d token sources cached for a deleted account, want 0", n)
	}
	if tok, err := svc.Token(ctx, "acct"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Token of the account deleted since the claim = %v, %v; want store.ErrNotFound", tok != nil, err)
	}
}
