package vault

import "errors"

// ErrAccountName is the error for an account name that is empty, longer
// than 64 characters or not made of letters, digits, '.', '_', '-' and
// '@'; match it with errors.Is.
var ErrAccountName = errors.New("vault: account names are 1-64 letters, digits, '.', '_', '-' or '@', starting with a letter or digit")

// ValidAccountName reports whether name may name an account in the vault:
// 1-64 ASCII letters, digits, '.', '_', '-' or '@', starting with a letter
// or digit. (A loop, not a regexp: the regexp's {0,63} compiled at every
// program start into some 800 allocations.)
func ValidAccountName(name string) bool {
	if len(name) == 0 || len(name) > 64 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-' || c == '@'):
		default:
			return false
		}
	}
	return true
}
