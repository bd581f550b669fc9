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
	// ErrLeaseLost: another owner holds a live lease on the account (Claim),
	// or someone else was granted the caller's lease since (Renew).
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
