package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/psnkit/psn/seal"
	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/vault"
)

// readKeys opens the key ring of st for a command that only reads: it
// creates neither the key file nor a ring. A store without a ring holds
// no secrets, so the account is not logged in (exit 3); so is a missing
// key file when there is no ring it should open. A missing key file next
// to a ring is an error of its own: the secrets it sealed are out of reach.
func (a *App) readKeys(ctx context.Context, st store.Store) (*vault.Keys, error) {
	kek, err := a.kek()
	if errors.Is(err, seal.ErrNoKey) {
		_, merr := st.GetMeta(ctx, vault.RingMeta)
		switch {
		case errors.Is(merr, store.ErrNotFound):
			return nil, a.notLoggedIn(fmt.Errorf("%w; %w", vault.ErrNoRing, err))
		case merr != nil:
			return nil, fmt.Errorf("reading the key ring: %w", merr)
		}
		return nil, &userError{what: "the key file that opens this store's key ring is missing",
			hint: "Restore it, or set PSN_KEY, PSN_KEY_FILE or PSN_PASSPHRASE to the key the store was created with. " +
				"Without that key the stored secrets cannot be opened: move the store aside and log in again.",
			err: err}
	}
	if err != nil {
		return nil, err
	}
	k, err := vault.OpenKeys(ctx, st, kek)
	if errors.Is(err, vault.ErrNoRing) {
		return nil, a.notLoggedIn(err)
	}
	if err != nil {
		return nil, err
	}
	a.keys = k
	return k, nil
}
