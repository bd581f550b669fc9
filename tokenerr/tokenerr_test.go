package tokenerr_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/tokenerr"
)

// Each condition has one error value, exported under every layer's name.
func TestEveryNameIsTheSameValue(t *testing.T) {
	cases := []struct {
		condition string
		names     map[string]error
	}{
		{"not found", map[string]error{"tokenerr.ErrNotFound": tokenerr.ErrNotFound, "psn.ErrNoToken": psn.ErrNoToken, "store.ErrNotFound": store.ErrNotFound}},
		{"version conflict", map[string]error{"tokenerr.ErrConflict": tokenerr.ErrConflict, "psn.ErrVersionConflict": psn.ErrVersionConflict, "store.ErrConflict": store.ErrConflict}},
		{"lease held", map[string]error{"tokenerr.ErrLeaseHeld": tokenerr.ErrLeaseHeld, "psn.ErrLeaseHeld": psn.ErrLeaseHeld, "store.ErrLeaseLost": store.ErrLeaseLost}},
	}
	for _, c := range cases {
		for name, v := range c.names {
			for other, w := range c.names {
				if v != w {
					t.Errorf("%s: %s and %s are different values", c.condition, name, other)
				}
			}
		}
	}
	// Distinct conditions stay distinct; a PSN 404 is not an empty store.
	all := []error{tokenerr.ErrNotFound, tokenerr.ErrConflict, tokenerr.ErrLeaseHeld, psn.ErrNotFound, store.ErrExists}
	for i, a := range all {
		for j, b := range all {
			if i != j && errors.Is(a, b) {
				t.Errorf("%v matches %v", a, b)
			}
		}
	}
}

// The texts describe the failure; advice (which command to run) is the
// CLI's to add.
func TestTextsDescribeTheFailure(t *testing.T) {
	want := map[error]string{
		tokenerr.ErrNotFound:  "not found in the token store",
		tokenerr.ErrConflict:  "token store version conflict: someone else wrote first",
		tokenerr.ErrLeaseHeld: "refresh lease held by another holder",
	}
	for err, text := range want {
		if err.Error() != text {
			t.Errorf("error text %q, want %q", err.Error(), text)
		}
	}
}

// psn's own token store and source return errors that match both names.
func TestMemoryTokenStoreMatchesEveryName(t *testing.T) {
	ctx := context.Background()
	empty := psn.NewMemoryTokenStore(nil, "")
	_, err := empty.Load(ctx)
	wantIs(t, "Load of an empty MemoryTokenStore", err, psn.ErrNoToken, store.ErrNotFound, tokenerr.ErrNotFound)

	tok := &psn.Token{AccessToken: "a", RefreshToken: "r", Expiry: time.Now().Add(time.Hour), RefreshExpiry: time.Now().Add(24 * time.Hour)}
	m := psn.NewMemoryTokenStore(tok, "")
	_, err = m.Save(ctx, psn.TokenState{Token: tok}, 7)
	wantIs(t, "Save at a version never stored", err, psn.ErrVersionConflict, store.ErrConflict, tokenerr.ErrConflict)
	err = m.RecordRejection(ctx, 7, false, time.Now())
	wantIs(t, "RecordRejection at a version never stored", err, psn.ErrVersionConflict, store.ErrConflict, tokenerr.ErrConflict)

	// A source over an empty store: a human must log in, and the cause is
	// the store's not-found under either name.
	src := psn.NewRefreshingSource(psn.NewClient(), empty)
	defer src.Close(ctx)
	_, err = src.Token(ctx)
	wantIs(t, "Token from a source over an empty store", err, psn.ErrLoginRequired, psn.ErrNoToken, store.ErrNotFound)
}

func wantIs(t *testing.T, what string, err error, targets ...error) {
	t.Helper()
	for _, target := range targets {
		if !errors.Is(err, target) {
			t.Errorf("%s = %v, does not match %s", what, err, fmt.Sprint(target))
		}
	}
}
