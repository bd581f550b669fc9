package seal

import (
	"errors"
	"fmt"
)

// Errors returned by this package; match them with [errors.Is]. Returned
// errors wrap these with context (key id, account, source kind) but never with
// key material or plaintext.
var (
	// ErrWrongKey means the key-encryption key does not open the sealed ring.
	ErrWrongKey = errors.New("seal: wrong key: the ring was sealed with another key")

	// ErrTampered means an envelope failed authentication: it was altered,
	// corrupted, or moved to another purpose, account or field.
	ErrTampered = errors.New("seal: ciphertext failed authentication (tampered, corrupted, or moved to another account or field)")

	// ErrUnknownKey means an envelope names a key id the ring does not hold,
	// for example a key that has been retired.
	ErrUnknownKey = errors.New("seal: the ring has no key with this id (retired, or sealed by another ring)")

	// ErrMalformed means an envelope or ring blob is truncated or has an
	// unknown version or layout.
	ErrMalformed = errors.New("seal: malformed envelope or ring")

	// ErrKeyFile means a key file is unusable: wrong length, not a regular
	// file, or readable by group or others. The wrapping [*KeyFileError] says
	// what to do.
	ErrKeyFile = errors.New("seal: bad key file")

	// ErrBadKey means key material given directly (PSN_KEY, a passphrase) is
	// unusable: not base64, not 32 bytes, or empty.
	ErrBadKey = errors.New("seal: bad key material")

	// ErrPrimaryKey is returned by [Ring.Retire] for the primary key, which
	// cannot be retired; rotate first.
	ErrPrimaryKey = errors.New("seal: the primary key cannot be retired; rotate first")
)

// KeyFileError describes an unusable key file and how to fix it. It matches
// [ErrKeyFile] with [errors.Is].
type KeyFileError struct {
	Path    string // the key file
	Problem string // what is wrong, e.g. "mode 0644 lets group or others read it"
	Fix     string // what to do about it
}

// Error implements error.
func (e *KeyFileError) Error() string {
	return fmt.Sprintf("seal: bad key file %s: %s; %s", e.Path, e.Problem, e.Fix)
}

// Is reports whether target is [ErrKeyFile].
func (e *KeyFileError) Is(target error) bool { return target == ErrKeyFile }
