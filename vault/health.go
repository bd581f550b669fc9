package vault

import (
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/store"
)

// AccessState is the state of an account's access token (Health.Access).
type AccessState string

// Access-token states (docs/architecture.md, "Token lifecycle").
const (
	AccessFresh        AccessState = "fresh"
	AccessRefreshAhead AccessState = "refresh-ahead"
	AccessMustRefresh  AccessState = "must-refresh"
	AccessExpired      AccessState = "expired"
)

// RefreshState is the state of an account's refresh token (Health.Refresh).
type RefreshState string

// Refresh-token states.
const (
	RefreshOK       RefreshState = "ok"
	RefreshExpiring RefreshState = "expiring"
	RefreshDead     RefreshState = "dead"
)

// State sums up an account's health (Health.State); its values are
// store's state names (store.StateOf), typed.
type State string

// Account states (Health.State).
const (
	// StateOK: the refresh token works and is not close to its expiry.
	StateOK State = store.StateOK
	// StateExpiring: a human must log in within the warning period unless
	// the kept NPSSO still works by then.
	StateExpiring State = store.StateExpiring
	// StateNPSSOFallback: the refresh token is dead; the next refresh logs
	// in with the kept NPSSO.
	StateNPSSOFallback State = store.StateNPSSOFallback
	// StateLoginRequired: the refresh token is dead (expired, or rejected
	// by PSN) and no NPSSO is kept or PSN rejected it too: a human must log
	// in again.
	StateLoginRequired State = store.StateLoginRequired
)

// NPSSOState is the state of an account's kept NPSSO (Health.NPSSO).
type NPSSOState string

// NPSSO states (Health.NPSSO), when one is kept.
const (
	NPSSOOK       NPSSOState = "ok"
	NPSSORejected NPSSOState = "rejected"
)

// Health is the state of one account at an instant, in the words of
// docs/architecture.md ("States"), computed from its record alone (no secret is opened): from
// the expiry instants and from the evidence of what PSN last answered. A
// refresh token PSN rejected is dead whatever its expiry says.
type Health struct {
	Account       string       `json:"account"`
	AccountID     string       `json:"accountId,omitempty"`
	OnlineID      string       `json:"onlineId,omitempty"`
	Access        AccessState  `json:"access"`
	AccessExpiry  time.Time    `json:"accessExpiry"`
	Refresh       RefreshState `json:"refresh"`
	RefreshExpiry time.Time    `json:"refreshExpiry"`
	// RefreshRejectedAt is when PSN rejected the refresh token (zero: it
	// has not).
	RefreshRejectedAt time.Time `json:"refreshRejectedAt,omitzero"`
	NPSSOKept         bool      `json:"npssoKept"`
	// NPSSO is NPSSOOK or NPSSORejected when one is kept, else empty;
	// NPSSORejectedAt is when PSN rejected it.
	NPSSO           NPSSOState `json:"npsso,omitempty"`
	NPSSORejectedAt time.Time  `json:"npssoRejectedAt,omitzero"`
	// State sums it up: StateOK, StateExpiring, StateNPSSOFallback or
	// StateLoginRequired.
	State State `json:"state"`
	// RetryAt, for a login-required account whose secrets PSN rejected, is
	// when a process tries them once more (psn.RejectedRetry after the
	// rejection); until then no process calls PSN for it. A new login ends
	// the wait at once.
	RetryAt     time.Time `json:"retryAt,omitzero"`
	LastError   string    `json:"lastError,omitempty"`
	LastErrorAt time.Time `json:"lastErrorAt,omitzero"`
}

// HealthOf computes rec's Health at now; warnBefore is the refresh-token
// warning period (7 days by default in psn.RefreshingSource).
func HealthOf(rec store.Record, now time.Time, warnBefore time.Duration) Health {
	h := Health{
		Account: rec.Account, AccountID: rec.AccountID, OnlineID: rec.OnlineID,
		AccessExpiry: rec.AccessExpiry, RefreshExpiry: rec.RefreshExpiry, RefreshRejectedAt: rec.RefreshRejectedAt,
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
	case len(rec.SealedRefresh) == 0 || left <= 0 || !rec.RefreshRejectedAt.IsZero():
		h.Refresh = RefreshDead
	case left <= warnBefore:
		h.Refresh = RefreshExpiring
	default:
		h.Refresh = RefreshOK
	}
	if h.NPSSOKept {
		h.NPSSO = NPSSOOK
		if !rec.NPSSORejectedAt.IsZero() {
			h.NPSSO, h.NPSSORejectedAt = NPSSORejected, rec.NPSSORejectedAt
		}
	}
	// One definition of the state for every report (store.StateOf), so
	// `psn accounts`, /v1/accounts, the status page and /metrics agree.
	h.State = State(store.StateOf(rec, store.StateRules{Now: now, WarnBefore: warnBefore, LoginRequiredPrefix: psn.ErrLoginRequired.Error()}))
	if h.State == StateLoginRequired {
		if last := latest(rec.RefreshRejectedAt, rec.NPSSORejectedAt); !last.IsZero() {
			h.RetryAt = last.Add(psn.RejectedRetry)
		}
	}
	return h
}

// latest returns the later of two instants.
func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// LoginRequired returns the error a program reports for a login-required
// account (nil for any other state): which secret failed, and when.
func (h Health) LoginRequired() *psn.LoginRequiredError {
	if h.State != StateLoginRequired {
		return nil
	}
	switch {
	case h.NPSSO == NPSSORejected:
		return &psn.LoginRequiredError{Which: psn.SecretNPSSO, At: h.NPSSORejectedAt, Cause: psn.ErrNPSSORejected}
	case !h.RefreshRejectedAt.IsZero():
		return &psn.LoginRequiredError{Which: psn.SecretRefreshToken, At: h.RefreshRejectedAt, Cause: psn.ErrInvalidGrant}
	}
	return &psn.LoginRequiredError{Which: psn.SecretRefreshToken, At: h.RefreshExpiry}
}
