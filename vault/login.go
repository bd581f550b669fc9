package vault

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/seal"
	"github.com/psnkit/psn/store"
)

// staticSource serves one token: used right after a login, before the
// token is stored.
type staticSource struct{ tok *psn.Token }

func (s staticSource) Token(context.Context) (*psn.Token, error) { return s.tok, nil }

// Login exchanges npsso for tokens, looks up the PSN account id, and
// stores the account (sealed), replacing any earlier secrets of the same
// account. With keepNPSSO the NPSSO is stored too, for the automatic
// re-login when the refresh token dies. It returns the stored record. It
// seals with ring; with a store whose keys another process may rotate
// meanwhile, use LoginKeys.
func Login(ctx context.Context, c *psn.Client, st store.Store, ring *seal.Ring, account string, npsso psn.Secret, keepNPSSO bool) (store.Record, error) {
	return login(ctx, c, st, func(context.Context) (*seal.Ring, error) { return ring, nil }, account, npsso, keepNPSSO)
}

// LoginKeys is Login sealing with the primary key of keys as stored when
// the record is written (Keys.Latest, at most RingFollow old), not as it
// was before the PSN calls: those take seconds (a prompt for the NPSSO
// longer), and a key rotated, re-sealed and retired meanwhile (psn keys
// rotate|reseal|retire in another process) would leave the new login
// sealed with a key the ring no longer has.
func LoginKeys(ctx context.Context, c *psn.Client, st store.Store, keys *Keys, account string, npsso psn.Secret, keepNPSSO bool) (store.Record, error) {
	return login(ctx, c, st, keys.Latest, account, npsso, keepNPSSO)
}

// login is Login with the ring chosen by ring right before each write.
func login(ctx context.Context, c *psn.Client, st store.Store, ring func(context.Context) (*seal.Ring, error), account string, npsso psn.Secret, keepNPSSO bool) (store.Record, error) {
	if account == "" {
		return store.Record{}, errors.New("vault: empty account name")
	}
	tok, err := c.Login(ctx, npsso)
	if err != nil {
		return store.Record{}, err
	}
	api := c.WithTokenSource(staticSource{tok})
	id, err := api.Users.AccountID(ctx)
	if err != nil {
		return store.Record{}, fmt.Errorf("vault: looking up the account id: %w", err)
	}
	// The online id is a nicety for status output: a failure here (say,
	// a profile endpoint the edge refuses) does not fail the login.
	onlineID := ""
	if p, err := api.Users.Profile(ctx, id); err == nil {
		onlineID = p.OnlineID
	}
	kept := psn.Secret("")
	if keepNPSSO {
		kept = npsso
	}
	for range 5 {
		rec, err := st.Get(ctx, account)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return store.Record{}, err
		}
		r, rerr := ring(ctx)
		if rerr != nil {
			return store.Record{}, rerr
		}
		if errors.Is(err, store.ErrNotFound) {
			rec = store.Record{Account: account, AccountID: id, OnlineID: onlineID}
			if err := SealInto(r, &rec, tok, kept); err != nil {
				return store.Record{}, err
			}
			got, err := st.Put(ctx, rec)
			if errors.Is(err, store.ErrExists) {
				continue
			}
			return got, err
		}
		next := rec
		next.AccountID = id
		if onlineID != "" {
			next.OnlineID = onlineID
		}
		if err := SealInto(r, &next, tok, kept); err != nil {
			return store.Record{}, err
		}
		// A new login ends any evidence against the old secrets. The lease
		// is not ours and stays; the version decides, so a refresh racing
		// this login fails to save and adopts the new token.
		next.RefreshRejectedAt, next.NPSSORejectedAt = time.Time{}, time.Time{}
		next.LeaseOwner, next.Fence = "", 0
		got, err := st.CompareAndSwap(ctx, account, rec.Version, next)
		if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) {
			// Changed, or deleted, since it was read: PSN has already
			// logged in, so the login is written whatever happened
			// meanwhile (a concurrent delete makes this a new account).
			continue
		}
		return got, err
	}
	return store.Record{}, fmt.Errorf("vault: account %q kept changing while logging in", account)
}
