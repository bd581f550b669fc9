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
