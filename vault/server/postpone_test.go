package server

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/vault"
)

// testToken returns a token whose secrets are long and distinct; tag makes
// them differ between tokens (as vault's own tests do).
func testToken(tag string, now time.Time) *psn.Token {
	return &psn.Token{
		AccessToken:   psn.Secret("ACCESS-" + tag + "-" + strings.Repeat("a", 40)),
		RefreshToken:  psn.Secret("REFRESH-" + tag + "-" + strings.Repeat("r", 40)),
		IDToken:       psn.Secret("IDTOKEN-" + tag + "-" + strings.Repeat("i", 40)),
		TokenType:     "bearer",
		Scope:         "psn:mobile.v2.core psn:clientapp",
		IssuedAt:      now.Truncate(time.Microsecond),
		Expiry:        now.Add(time.Hour).Truncate(time.Microsecond),
		RefreshExpiry: now.Add(60 * 24 * time.Hour).Truncate(time.Microsecond),
	}
}

// The scheduler postpones an account whose refresh failed at the version
// ClaimDue returned: when another process saved a new token since, the
// backoff (an hour, for a rejection) is not pinned on that token, and the
// lease is still dropped.
func TestServicePostponeNeverPushesBackANewerSave(t *testing.T) {
	ctx := context.Background()
	st, _ := newSQLite(t)
	keys := keysWith(t, st, newKEK(t))
	a := vault.NewAccountStore(st, keys.Ring, "acct", "proc-b")
	if _, err := a.Save(ctx, psn.TokenState{Token: testToken("v1", time.Now())}, 0); err != nil {
		t.Fatal(err)
	}
	svc := &Service{st: st, owner: "proc-a", now: time.Now, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	recs, err := st.ClaimDue(ctx, time.Now().Add(24*time.Hour), 10, "proc-a", time.Minute)
	if err != nil || len(recs) != 1 {
		t.Fatalf("ClaimDue = %d records, %v", len(recs), err)
	}
	// Another process saves a new token meanwhile (its lease lapsed into
	// ours while it waited on PSN, say).
	if _, err := a.Save(ctx, psn.TokenState{Token: testToken("v2", time.Now())}, 1); err != nil {
		t.Fatal(err)
	}
	saved, _ := st.Get(ctx, "acct")
	svc.postpone(ctx, recs[0], loginRecheck)
	rec, _ := st.Get(ctx, "acct")
	if !rec.NextRefresh.Equal(saved.NextRefresh) {
		t.Errorf("NextRefresh = %v after the postpone, want the saved token's %v", rec.NextRefresh, saved.NextRefresh)
	}
	if rec.LeaseOwner != "" {
		t.Errorf("lease still held by %q after the postpone", rec.LeaseOwner)
	}

	// Without a newer save the postpone lands and drops the lease at once.
	recs, err = st.ClaimDue(ctx, time.Now().Add(24*time.Hour), 10, "proc-a", time.Minute)
	if err != nil || len(recs) != 1 {
		t.Fatalf("ClaimDue = %d records, %v", len(recs), err)
	}
	svc.postpone(ctx, recs[0], time.Hour)
	rec, _ = st.Get(ctx, "acct")
	if rec.NextRefresh.Before(time.Now().Add(50*time.Minute)) || rec.LeaseOwner != "" {
		t.Errorf("postpone without a newer save: next refresh %v, lease owner %q", rec.NextRefresh, rec.LeaseOwner)
	}
}
