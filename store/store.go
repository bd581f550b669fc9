// Package store defines where psnkit keeps accounts and their sealed secrets.
//
// A Store holds one Record per account. Secrets inside a record (access token,
// refresh token, NPSSO) are sealed by the caller (see package seal) before they
// reach a store: a store never sees plaintext. Every backend — store/sqlite
// (the default), store/postgres and store/redis — passes the same conformance
// suite, store/storetest.
//
// The contract, in short (docs/refresh-protocol.md tells the whole protocol):
//
//   - Put creates a record (version 1) and fails with ErrExists if the account
//     is already there.
//   - CompareAndSwap replaces a record's data only when the stored version
//     equals wantVersion, and stores it with version wantVersion+1. Only
//     token writes (a refresh, a login, a re-seal) go through it: the
//     version says which token is stored. It does not look at leases; the
//     holder drops its lease in the same write by presenting it (owner and
//     fence, with a zero LeaseExpiry).
//   - Note records bookkeeping (last error, next refresh, PSN's rejection of
//     a secret) about the token at a version without changing the version,
//     so it never makes a token write fail.
//   - Claim, ClaimDue and Renew grant leases judged by the store's own
//     clock. Every grant to a new holder carries a larger fencing number
//     (Record.Fence); Renew and Release act only for the holder that
//     presents the current owner and fence.
package store

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/psnkit/psn/tokenerr"
)

// Errors every backend returns, matched with errors.Is.
var (
	// ErrNotFound: no record for that account (or, from GetMeta, no meta
	// value of that name). It is psn.ErrNoToken (see package tokenerr).
	ErrNotFound = tokenerr.ErrNotFound
	// ErrExists: Put on an account that already has a record.
	ErrExists = errors.New("store: account already exists")
	// ErrConflict: CompareAndSwap (or Note, SwapMeta) lost — the stored
	// version is not the one the caller read, so someone else wrote first.
	// Re-read and decide again. It is psn.ErrVersionConflict.
	ErrConflict = tokenerr.ErrConflict
	// ErrLeaseLost: another owner holds a live lease on the account (Claim),
	// or someone else was granted the caller's lease since (Renew). It is
	// psn.ErrLeaseHeld.
	ErrLeaseLost = tokenerr.ErrLeaseHeld
	// ErrUnavailable: the backend cannot be reached or opened.
	ErrUnavailable = errors.New("store: backend unavailable")
	// ErrCorrupt: the backend's data cannot be read (a damaged file, a
	// foreign schema, an undecodable value).
	ErrCorrupt = errors.New("store: stored data is corrupt")
	// ErrNoStore: a backend opened with its open-existing function
	// (sqlite.OpenExisting, postgres.OpenExisting, redis.OpenExisting)
	// found no psnkit store at the location, and created none.
	ErrNoStore = errors.New("store: no psnkit store at this location")
)

// Record is one account as a store keeps it. Sealed* fields hold ciphertexts
// produced by package seal; a store treats them as opaque bytes.
type Record struct {
	// Account is the local name of the account ("default", "alice"): the key.
	Account string
	// AccountID is PSN's numeric account id, as a decimal string.
	AccountID string
	// OnlineID is the user's PSN online id (display name).
	OnlineID string

	// SealedAccess, SealedRefresh and SealedNPSSO are sealed secrets.
	// SealedNPSSO is empty when the user did not keep the NPSSO.
	SealedAccess  []byte
	SealedRefresh []byte
	SealedNPSSO   []byte
	// KeyID is the id of the data key that sealed the secrets (for rotation).
	KeyID uint32

	// AccessExpiry and RefreshExpiry are absolute instants (UTC).
	AccessExpiry  time.Time
	RefreshExpiry time.Time
	// NextRefresh is when the account is due for its next refresh.
	NextRefresh time.Time

	// Version counts writes; it starts at 1 and grows by one per successful
	// CompareAndSwap.
	Version int64

	// LeaseOwner and LeaseExpiry describe the current lease, if any. A lease
	// whose expiry is not after the store's clock is dead and may be taken
	// over.
	LeaseOwner  string
	LeaseExpiry time.Time
	// Fence is the fencing number of the current (or last) lease: every
	// grant to a new holder (Claim of a free, expired or released lease,
	// ClaimDue) stores the previous value plus one, so a holder that paused
	// past its lease can tell, and is told (ErrLeaseLost), that someone else
	// was granted it since. Put stores 0; only grants change it.
	Fence int64

	// LastError is the last refresh failure (never holding a secret) and
	// LastErrorAt its time; empty/zero when the last refresh succeeded.
	LastError   string
	LastErrorAt time.Time

	// RefreshRejectedAt is when PSN rejected the stored refresh token
	// (invalid_grant) and NPSSORejectedAt when it rejected the stored
	// NPSSO: evidence that outlives the process that saw it. Zero when PSN
	// has not rejected them. A token write (CompareAndSwap) writes them as
	// the record gives them (a new token clears them); Note only sets them.
	RefreshRejectedAt time.Time
	NPSSORejectedAt   time.Time

	// UpdatedAt is set by the store on every write.
	UpdatedAt time.Time
}

// Note is bookkeeping about the token of one record version: what the last
// refresh attempt met, when to try again, and PSN's rejection of a secret.
// Store.Note applies the fields that are set and leaves the others as they
// are; it never changes Version, the sealed secrets or the expiry instants.
type Note struct {
	// LastError and LastErrorAt are set when LastError is not empty.
	LastError   string
	LastErrorAt time.Time
	// NextRefresh is set when not zero (a backoff, or the retry time of an
	// account that needs a human login).
	NextRefresh time.Time
	// RefreshRejectedAt and NPSSORejectedAt are set when not zero.
	RefreshRejectedAt time.Time
	NPSSORejectedAt   time.Time
	// ReleaseOwner and ReleaseFence, when ReleaseOwner is not empty, drop
	// that lease in the same write if it is the stored one (a postponed
	// account is let go in one write).
	ReleaseOwner string
	ReleaseFence int64
}

// Store is the contract every backend implements. All methods are safe for
// concurrent use, from several goroutines and, for the persistent backends,
// from several processes.
type Store interface {
	// Get returns the record for account, or ErrNotFound.
	Get(ctx context.Context, account string) (Record, error)
	// Put creates the record with Version 1 and returns it as stored; it
	// returns ErrExists when the account already has a record.
	Put(ctx context.Context, rec Record) (Record, error)
	// CompareAndSwap writes rec when the stored version equals wantVersion
	// and returns the stored record (Version wantVersion+1), or ErrConflict
	// (the version differs) or ErrNotFound. Whoever holds the lease, the
	// version alone decides: a lease says who may spend a refresh token,
	// not who may save the token PSN answered with (docs/refresh-protocol.md).
	// The stored lease and Fence are kept, except that a holder drops its
	// lease in the same write (save-and-release) by presenting it:
	// rec.LeaseOwner and rec.Fence equal to the stored lease's owner and
	// fence, and a zero rec.LeaseExpiry. A record written back as it was
	// read (its LeaseExpiry set) keeps the lease, whoever writes it.
	CompareAndSwap(ctx context.Context, account string, wantVersion int64, rec Record) (Record, error)
	// Note applies n to the record when the stored version equals version
	// (ErrConflict otherwise: the token it was about is gone; ErrNotFound
	// when the account is) and returns the stored record. Version does not
	// change.
	Note(ctx context.Context, account string, version int64, n Note) (Record, error)
	// ClaimDue leases, atomically, up to limit records whose NextRefresh is
	// not after due (a zero NextRefresh is due) and whose lease is absent
	// or expired by the store's clock, ordered by NextRefresh (oldest
	// first). Claimed records get LeaseOwner=owner, LeaseExpiry=the store's
	// now+leaseTTL and Fence+1; their Version does not change.
	ClaimDue(ctx context.Context, due time.Time, limit int, owner string, leaseTTL time.Duration) ([]Record, error)
	// Claim leases one account to owner until the store's now+leaseTTL,
	// whether due or not, when no other owner holds a live lease on it. It
	// returns the record, or ErrLeaseLost when another owner holds it, or
	// ErrNotFound. An owner that holds a live lease extends it (same
	// Fence); any other grant stores Fence+1.
	Claim(ctx context.Context, account, owner string, leaseTTL time.Duration) (Record, error)
	// Renew extends the lease (owner, fence) to the store's now+leaseTTL
	// and returns the record. It succeeds, even after the lease expired,
	// as long as nobody was granted it since; otherwise ErrLeaseLost, or
	// ErrNotFound.
	Renew(ctx context.Context, account, owner string, fence int64, leaseTTL time.Duration) (Record, error)
	// Release drops the lease (owner, fence) on account; it is a no-op when
	// that is not the stored lease or the account does not exist. It does
	// not change Version or Fence.
	Release(ctx context.Context, account, owner string, fence int64) error
	// Delete removes the account and its secrets; ErrNotFound if absent.
	Delete(ctx context.Context, account string) error
	// List yields every record ordered by account name.
	List(ctx context.Context) iter.Seq2[Record, error]

	// GetMeta returns a small named value kept beside the records (the
	// sealed key ring lives here), or ErrNotFound.
	GetMeta(ctx context.Context, name string) ([]byte, error)
	// SwapMeta sets name to value when its current value equals old
	// (old == nil means "must not exist yet"); otherwise ErrConflict.
	SwapMeta(ctx context.Context, name string, old, value []byte) error
	// Close releases the backend's resources.
	Close() error
}

// Account states, as design.md's token lifecycle sums an account up. A
// store computes them from a record's columns and an instant (StateOf is
// the definition every backend's queries follow).
const (
	// StateOK: the refresh token lives beyond the warning period.
	StateOK = "ok"
	// StateExpiring: the refresh token ends within the warning period (or
	// is dead while the access token still works and no NPSSO is kept).
	StateExpiring = "expiring"
	// StateNPSSOFallback: the refresh token is dead; the next refresh logs
	// in with the kept NPSSO.
	StateNPSSOFallback = "npsso-fallback"
	// StateLoginRequired: a human must log the account in again.
	StateLoginRequired = "login-required"
)

// States lists every state, in the order a status page shows them.
var States = []string{StateLoginRequired, StateExpiring, StateNPSSOFallback, StateOK}

// StateRules say how a record's state is judged: at instant Now, with
// WarnBefore as the refresh token's warning period, and a LastError that
// starts with LoginRequiredPrefix (when that is not empty) meaning
// login-required whatever the instants say.
type StateRules struct {
	Now                 time.Time
	WarnBefore          time.Duration
	LoginRequiredPrefix string
}

// StateOf is the state of rec under r, the one definition that vault.HealthOf,
// the status page, /metrics and every Pager's query language follow:
//
//   - the refresh token is dead when there is none (no SealedRefresh), its
//     RefreshExpiry is not after Now, or PSN rejected it (RefreshRejectedAt
//     set) — evidence wins over the expiry instant;
//   - the NPSSO works when one is kept (SealedNPSSO) and PSN has not
//     rejected it (NPSSORejectedAt zero);
//   - login-required when LastError starts with r.LoginRequiredPrefix (the
//     mark older records carry), or the refresh token is dead and no working
//     NPSSO is kept;
//   - else ok when RefreshExpiry is after Now+WarnBefore;
//   - else expiring when the refresh token is alive;
//   - else npsso-fallback (the next refresh logs in with the kept NPSSO).
func StateOf(rec Record, r StateRules) string {
	now := r.Now
	dead := len(rec.SealedRefresh) == 0 || !rec.RefreshExpiry.After(now) || !rec.RefreshRejectedAt.IsZero()
	npssoWorks := len(rec.SealedNPSSO) > 0 && rec.NPSSORejectedAt.IsZero()
	switch {
	case r.LoginRequiredPrefix != "" && strings.HasPrefix(rec.LastError, r.LoginRequiredPrefix):
		return StateLoginRequired
	case dead && !npssoWorks:
		return StateLoginRequired
	case !dead && rec.RefreshExpiry.After(now.Add(r.WarnBefore)):
		return StateOK
	case !dead:
		return StateExpiring
	}
	return StateNPSSOFallback
}

// ValidState reports whether s names a state (or is empty: every state).
func ValidState(s string) bool {
	return s == "" || s == StateOK || s == StateExpiring || s == StateNPSSOFallback || s == StateLoginRequired
}

// MaxPage is the most records one Page call returns.
const MaxPage = 1000

// PageQuery asks Pager.Page for one page of accounts.
type PageQuery struct {
	// After is the name of the last account of the previous page ("" for
	// the first page): the page starts strictly after it, in byte order.
	After string
	// Limit is how many records the page holds at most (1..MaxPage).
	Limit int
	// State, when not empty, keeps only the records in that state under
	// Rules.
	State string
	// Rules judge State (Now must be set when State is).
	Rules StateRules
}

// Page is one page of accounts ordered by name.
type Page struct {
	// Records are the page's records (their sealed secrets included, as
	// Get returns them; a store opens nothing).
	Records []Record
	// More is true when more matching records follow the last one.
	More bool
}

// StateCounts maps each state (see States) to how many accounts are in it.
type StateCounts map[string]int

// Pager is implemented by stores that page through accounts and count them
// by state with queries of their own, so that a listing reads one page and
// a count reads no sealed secret at all. Every backend of psnkit
// implements it; callers fall back to List for a Store that does not.
type Pager interface {
	// Page returns up to q.Limit records after q.After, ordered by account
	// name, keeping only those in q.State when it is set. A q.Limit outside
	// 1..MaxPage or an unknown q.State is an error.
	Page(ctx context.Context, q PageQuery) (Page, error)
	// CountStates counts the accounts in each state under r, with one
	// aggregate query; every state is present in the result, zero or not.
	CountStates(ctx context.Context, r StateRules) (StateCounts, error)
	// Missing returns, in one query, those of names (at most MaxPage)
	// that have no record: a cache of many accounts checks them all at
	// once.
	Missing(ctx context.Context, names []string) ([]string, error)
}

// ErrBadPageQuery: a PageQuery with a limit outside 1..MaxPage or an
// unknown state.
var ErrBadPageQuery = errors.New("store: bad page query")

// CheckPageQuery returns an error wrapping ErrBadPageQuery when q cannot
// be served.
func CheckPageQuery(q PageQuery) error {
	switch {
	case q.Limit < 1 || q.Limit > MaxPage:
		return fmt.Errorf("%w: limit %d is not in 1..%d", ErrBadPageQuery, q.Limit, MaxPage)
	case !ValidState(q.State):
		return fmt.Errorf("%w: unknown state %q", ErrBadPageQuery, q.State)
	case q.State != "" && q.Rules.Now.IsZero():
		return fmt.Errorf("%w: a state filter needs Rules.Now", ErrBadPageQuery)
	}
	return nil
}

// NewStateCounts returns counts with every state at zero.
func NewStateCounts() StateCounts {
	c := StateCounts{}
	for _, s := range States {
		c[s] = 0
	}
	return c
}
