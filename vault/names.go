package vault

import (
	"errors"
	"regexp"
)

// ErrAccountName is the error for an account name that is empty, longer
// than 64 characters or not made of letters, digits, '.', '_', '-' and
// '@'; match it with errors.Is.
var ErrAccountName = errors.New("vault: account names are 1-64 letters, digits, '.', '_', '-' or '@', starting with a letter or digit")

var accountNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

// ValidAccountName reports whether name may name an account in the vault.
func ValidAccountName(name string) bool { return accountNameRE.MatchString(name) }
