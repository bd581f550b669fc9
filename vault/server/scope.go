package server

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/psnkit/psn/vault"
)

// AllAccounts, as the only entry of APIKeyScope.Accounts, lets a key read
// every account (but not add or delete one).
const AllAccounts = "*"

// MaxScopeAccounts is how many accounts a listed-accounts key may name; a
// key for more should be a '*' key.
const MaxScopeAccounts = 1000

// ErrAPIKeyScope: a scope that is neither admin nor a list of valid
// account names (or '*'), or is both; match it with errors.Is.
var ErrAPIKeyScope = errors.New("vault: an API key's scope is --admin, or --accounts with account names or '*'")

// APIKeyScope says what an API key may do (docs/vault.md, "API key
// scopes"). An admin key manages accounts (adds and deletes them) and reads
// every account's health and token; any other key only reads the health
// and tokens of its Accounts. Keys stored before scopes existed are admin
// keys.
type APIKeyScope struct {
	// Admin: the key may do everything.
	Admin bool `json:"admin,omitempty"`
	// Accounts are the accounts a non-admin key may read, sorted and
	// without repeats; [AllAccounts] means every account.
	Accounts []string `json:"accounts,omitempty"`
}

// AdminScope is the scope of a key that may do everything.
func AdminScope() APIKeyScope { return APIKeyScope{Admin: true} }

// AccountsScope returns the scope of a key that reads the tokens and
// health of names only (AllAccounts alone: of every account). Names are
// checked with vault.ValidAccountName, sorted, and repeats dropped.
func AccountsScope(names ...string) (APIKeyScope, error) {
	s := APIKeyScope{Accounts: slices.Clone(names)}
	if err := s.normalize(); err != nil {
		return APIKeyScope{}, err
	}
	return s, nil
}

// normalize sorts s.Accounts, drops repeats and checks s.
func (s *APIKeyScope) normalize() error {
	switch {
	case s.Admin && len(s.Accounts) > 0:
		return fmt.Errorf("%w: not both", ErrAPIKeyScope)
	case s.Admin:
		return nil
	case len(s.Accounts) == 0:
		return fmt.Errorf("%w: it names no account", ErrAPIKeyScope)
	case slices.Contains(s.Accounts, AllAccounts):
		if len(s.Accounts) != 1 {
			return fmt.Errorf("%w: '*' stands alone", ErrAPIKeyScope)
		}
		return nil
	}
	for _, n := range s.Accounts {
		if !vault.ValidAccountName(n) {
			// Named when short: a long one may be a secret pasted by mistake.
			if len(n) <= 24 {
				return fmt.Errorf("%w: %q: %w", ErrAPIKeyScope, n, vault.ErrAccountName)
			}
			return fmt.Errorf("%w: a %d-character name: %w", ErrAPIKeyScope, len(n), vault.ErrAccountName)
		}
	}
	if !slices.IsSorted(s.Accounts) {
		s.Accounts = slices.Clone(s.Accounts)
		slices.Sort(s.Accounts)
	}
	s.Accounts = slices.Compact(s.Accounts)
	if len(s.Accounts) > MaxScopeAccounts {
		return fmt.Errorf("%w: at most %d accounts (use '*' for all)", ErrAPIKeyScope, MaxScopeAccounts)
	}
	return nil
}

// ReadsAll reports whether the key may read every account (an admin or a
// '*' key).
func (s APIKeyScope) ReadsAll() bool {
	return s.Admin || (len(s.Accounts) == 1 && s.Accounts[0] == AllAccounts)
}

// MayRead reports whether the key may read account's health and tokens.
func (s APIKeyScope) MayRead(account string) bool {
	if s.ReadsAll() {
		return true
	}
	_, ok := slices.BinarySearch(s.Accounts, account)
	return ok
}

// String is the scope as `psn-vault apikey list` shows it: "admin", "*",
// or the account names joined by commas.
func (s APIKeyScope) String() string {
	if s.Admin {
		return "admin"
	}
	return strings.Join(s.Accounts, ",")
}

// short is String cut after a few accounts, for a table column.
func (s APIKeyScope) short(most int) string {
	if s.Admin || len(s.Accounts) <= most {
		return s.String()
	}
	return strings.Join(s.Accounts[:most], ",") + ",… (" + strconv.Itoa(len(s.Accounts)) + " accounts)"
}

// ShortString is String with at most 5 account names, then their number:
// for a table column (the JSON of `apikey list` holds them all).
func (s APIKeyScope) ShortString() string { return s.short(5) }
