package vault

import (
	"time"

	"github.com/psnkit/psn/store"
)

// Access-token states (docs/architecture.md, "Token lifecycle").
const (
	AccessFresh        = "fresh"
	AccessRefreshAhead = "refresh-ahead"
	AccessMustRefresh  = "must-refresh"
	AccessExpired      = "expired"
)

// Refresh-token states.
const (
	RefreshOK       = "ok"
	RefreshExpiring = "expiring"
	RefreshDead     = "dead"
)

// StateLoginRequired is an account whose refresh token is dead and which
// keeps no NPSSO to fall back on (or whose last refresh failed for that
// reason).
const StateLoginRequired = "login-required"

// Health is the state of one account at an instant, in the words of
// docs/architecture.md ("States"), computed from its record alone (no
// secret is opened).
type Health struct {
	Account       string    `json:"account"`
	AccountID     string    `json:"accountId,omitempty"`
	OnlineID      string    `json:"onlineId,omitempty"`
	Access        string    `json:"access"`
	AccessExpiry  time.Time `json:"accessExpiry"`
	Refresh       string    `json:"refresh"`
	RefreshExpiry time.Time `json:"refreshExpiry"`
	NPSSOKept     bool      `json:"npssoKept"`
	// State sums it up: "ok", "expiring" (a human must log in within the
	// warning period unless the kept NPSSO still works) or
	// "login-required".
	State       string    `json:"state"`
	LastError   string    `json:"lastError,omitempty"`
	LastErrorAt time.Time `json:"lastErrorAt,omitzero"`
}

// HealthOf computes rec's Health at now; warnBefore is the refresh-token
// warning period (7 days by default in psn.RefreshingSource).
func HealthOf(rec store.Record, now time.Time, warnBefore time.Duration) Health {
	h := Health{
		Account: rec.Account, AccountID: rec.AccountID, OnlineID: rec.OnlineID,
		AccessExpiry: rec.AccessExpiry, RefreshExpiry: rec.RefreshExpiry,
		NPSSOKept: len(rec.SealedNPSSO) > 0, LastError: rec.LastError, LastErrorAt: rec.LastErrorAt,
	}
	life := DefaultAdvisory
	switch left := rec.AccessExpiry.Sub(now); {
	case left <= 0:
		h.Access = AccessExpired
	case left <= time.Minute:
		h.Access = AccessMustRefresh
	case left <= life:
		h.Access = AccessRefreshAhead
	default:
		h.Access = AccessFresh
	}
	switch left := rec.RefreshExpiry.Sub(now); {
	case len(rec.SealedRefresh) == 0 || left <= 0:
		h.Refresh = RefreshDead
	case left <= warnBefore:
		h.Refresh = RefreshExpiring
	default:
		h.Refresh = RefreshOK
	}
	switch {
	case h.Refresh == RefreshDead && h.Access == AccessExpired && !h.NPSSOKept:
		h.State = StateLoginRequired
	case h.Refresh == RefreshOK:
		h.State = "ok"
	case h.Refresh == RefreshExpiring:
		h.State = "expiring"
	case h.NPSSOKept:
		h.State = "npsso-fallback" // the next refresh logs in with the NPSSO
	default:
		h.State = "expiring" // access still valid, nothing to renew it with
	}
	return h
}
