// Package tokenerr holds the errors that package psn and package store share:
// one error value per condition of keeping tokens, whichever layer meets it.
//
// Programs need not import it. Each value is exported again under the name
// its layer gives the condition, as os.ErrNotExist is fs.ErrNotExist:
//
//	condition                            psn                     store
//	nothing stored under the name        psn.ErrNoToken          store.ErrNotFound
//	the stored version moved on          psn.ErrVersionConflict  store.ErrConflict
//	another holder has the lease         psn.ErrLeaseHeld        store.ErrLeaseLost
//
// Both names are the same value, so errors.Is(err, psn.ErrNoToken) and
// errors.Is(err, store.ErrNotFound) agree on every error: a
// psn.MemoryTokenStore's, a store backend's, or a vault.AccountStore's
// (which passes the backend's errors on, wrapped with the account).
//
// The package imports only the standard library, so psn (which imports no
// other package of the module) and store share it without importing each
// other.
package tokenerr

import "errors"

var (
	// ErrNotFound: the store holds nothing under the name asked for (no
	// record, hence no token, for the account; or no such meta value).
	ErrNotFound = errors.New("not found in the token store")
	// ErrConflict: a compare-and-swap lost: the stored version (or meta
	// value) is not the one the caller read, so someone else wrote first.
	// The caller re-reads and decides again.
	ErrConflict = errors.New("token store version conflict: someone else wrote first")
	// ErrLeaseHeld: the account's refresh lease is another holder's: a
	// claim found it held, or a renewal found it granted to someone else
	// since (the caller's lease is lost).
	ErrLeaseHeld = errors.New("refresh lease held by another holder")
)
