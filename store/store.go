// Package store defines where psnkit keeps accounts and their sealed secrets.
//
// A Store holds one Record per account. Secrets inside a record (access token,
// refresh token, NPSSO) are sealed by the caller (see package seal) before they
// reach a store: a store never sees plaintext. Every backend — store/sqlite
// (the default), store/postgres and store/redis — passes the same conformance
// suite, store/storetest.
//
// The contract, in short:
//
//   - Put creates a record (version 1) and fails with ErrExists if the account
//     is already there.
//   - CompareAndSwap replaces a record only when the stored version equals
//     wantVersion, and only while the caller's lease (if the stored record has a
//     live lease) is the caller's own; it stores the record with version
//     wantVersion+1 and returns that stored record.
//   - ClaimDue atomically leases up to limit accounts whose NextRefresh is at or
//     before now and that no live lease holds, ordered by NextRefresh.
//   - Release drops a lease the owner holds.
package store

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"
)

// Errors every backend returns, matched with errors.Is.
var (
	// ErrNotFound: no record for that account.
	ErrNotFound = errors.New("store: account not found")
	// ErrExists: Put on an account that already has a record.
	ErrExists = errors.New("store: account already exists")
	// ErrConflict: CompareAndSwap lost — the stored version is not the one
	// the caller read, so someone else wrote first. Re-read and decide again.
	ErrConflict = errors.New("store: version conflict")
	// ErrLeaseLost: the caller's lease expired or another owner holds the
	// account now; its result must be discarded, not written.
	ErrLeaseLost = errors.New("store: lease lost")
	// ErrUnavailable: the backend cannot be reached or opened.
	ErrUnavailable = errors.New("store: backend unavailable")
	// ErrCorrupt: the backend's data cannot be read (a damaged file, a
	// foreign schema, an undecodable value).
	ErrCorrupt = errors.New("store: stored data is corrupt")
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
	// whose expiry is not after now is dead and may be taken over.
	LeaseOwner  string
	LeaseExpiry time.Time

	// LastError is the last refresh failure (never holding a secret) and
	// LastErrorAt its time; empty/zero when the last refresh succeeded.
	LastError   string
	LastErrorAt time.Time

	// UpdatedAt is set by the store on every write.
	UpdatedAt time.Time
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
	// and returns the stored record (Version wantVersion+1). If the stored
	// record has a live lease held by someone other than rec.LeaseOwner it
	// returns ErrLeaseLost; if the version differs, ErrConflict; if the
	// account is gone, ErrNotFound. The lease fields of rec are written as
	// given: the holder keeps its lease by writing them unchanged, or drops
	// it in the same write by keeping LeaseOwner and zeroing LeaseExpiry (a
	// record with an empty LeaseOwner counts as a stranger's write while a
	// lease is live). Lease liveness here is judged by the store's own
	// clock (Claim and ClaimDue use the caller's now); keep clocks in sync.
	// When both the version is stale and another owner holds a live lease,
	// ErrLeaseLost wins.
	CompareAndSwap(ctx context.Context, account string, wantVersion int64, rec Record) (Record, error)
	// ClaimDue leases, atomically, up to limit records whose NextRefresh is
	// not after now (a zero NextRefresh is due) and whose lease is absent or expired, ordered by
	// NextRefresh (oldest first). Claimed records get LeaseOwner=owner and
	// LeaseExpiry=now+leaseTTL; their Version does not change.
	ClaimDue(ctx context.Context, now time.Time, limit int, owner string, leaseTTL time.Duration) ([]Record, error)
	// Claim leases one account for owner until now+leaseTTL, whether due or
	// not, when no other owner holds a live lease on it. It returns the
	// record, or ErrLeaseLost when another owner holds it, or ErrNotFound.
	// An owner that already holds the lease extends it.
	Claim(ctx context.Context, account string, now time.Time, owner string, leaseTTL time.Duration) (Record, error)
	// Release drops owner's lease on account; it is a no-op when owner does
	// not hold it or the account does not exist. It does not change Version.
	Release(ctx context.Context, account, owner string) error
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

// StateOf is the state of rec under r, as every Pager computes it in its own
// query language:
//
//   - login-required when LastError starts with r.LoginRequiredPrefix, or
//     when the refresh token is dead (no SealedRefresh, or RefreshExpiry not
//     after Now), the access token has expired (AccessExpiry not after Now)
//     and no NPSSO is kept;
//   - else ok when RefreshExpiry is after Now+WarnBefore;
//   - else expiring when the refresh token is alive;
//   - else npsso-fallback when an NPSSO is kept;
//   - else expiring (the access token still works, nothing renews it).
func StateOf(rec Record, r StateRules) string {
	now := r.Now
	dead := len(rec.SealedRefresh) == 0 || !rec.RefreshExpiry.After(now)
	expired := !rec.AccessExpiry.After(now)
	kept := len(rec.SealedNPSSO) > 0
	switch {
	case r.LoginRequiredPrefix != "" && len(rec.LastError) >= len(r.LoginRequiredPrefix) &&
		rec.LastError[:len(r.LoginRequiredPrefix)] == r.LoginRequiredPrefix:
		return StateLoginRequired
	case dead && expired && !kept:
		return StateLoginRequired
	case !dead && rec.RefreshExpiry.After(now.Add(r.WarnBefore)):
		return StateOK
	case !dead:
		return StateExpiring
	case kept:
		return StateNPSSOFallback
	}
	return StateExpiring
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
