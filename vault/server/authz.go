package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/vault"
)

// keyInfoKey is the context key of the verified API key of a /v1 request.
type keyInfoKey struct{}

// keyOf returns the verified API key of r (the zero APIKeyInfo, which may
// do nothing, outside /v1).
func keyOf(r *http.Request) APIKeyInfo {
	k, _ := r.Context().Value(keyInfoKey{}).(APIKeyInfo)
	return k
}

// needAdmin answers 403 forbidden and returns false unless r's key is an
// admin key; what says what was refused ("add an account").
func (a *api) needAdmin(w http.ResponseWriter, r *http.Request, what string) bool {
	if keyOf(r).Scope.Admin {
		return true
	}
	a.audit(r, AuditForbidden, slog.String("method", r.Method), slog.String("path", auditPath(r)))
	writeError(w, http.StatusForbidden, APIError{Code: "forbidden",
		Message: "this API key may not " + what + ": that needs an admin key (psn-vault apikey create NAME --admin)"})
	return false
}

// mayRead answers 403 forbidden and returns false unless r's key may read
// account. It is decided before the account is looked up, so a key learns
// nothing about accounts outside its scope, not even whether they exist.
func (a *api) mayRead(w http.ResponseWriter, r *http.Request, account string) bool {
	if keyOf(r).Scope.MayRead(account) {
		return true
	}
	a.audit(r, AuditForbidden, slog.String("method", r.Method), slog.String("path", auditPath(r)))
	writeError(w, http.StatusForbidden, APIError{Code: "forbidden",
		Message: "this API key may not read that account: it is outside the key's scope"})
	return false
}

// auditPath is r's path as an audit line may show it: a path may hold
// anything, a pasted secret included, so each segment that is not a valid
// account name, or that has the shape of an NPSSO (64 letters and digits,
// a valid account name too), is shown as "{redacted}", and the path is cut
// after 8 segments.
func auditPath(r *http.Request) string {
	segs := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if len(segs) > 8 {
		segs = append(segs[:8], "…")
	}
	for i, s := range segs {
		if _, err := psn.ParseNPSSO(s); s != "" && s != "…" && (!vault.ValidAccountName(s) || err == nil) {
			segs[i] = "{redacted}"
		}
	}
	return "/" + strings.Join(segs, "/")
}

// scopedPage is AccountsPage for a key of scope: every account for an
// admin or '*' key (one paged store query), else only the accounts the key
// lists, paged the same way (by name, with the same cursors).
func (s *Service) scopedPage(ctx context.Context, req PageRequest, scope APIKeyScope) (AccountPage, error) {
	if scope.ReadsAll() {
		return s.AccountsPage(ctx, req)
	}
	req, after, err := checkPageRequest(req)
	if err != nil {
		return AccountPage{}, err
	}
	// scope.Accounts is sorted (byte order, as the store's): look up the
	// names after the cursor one by one, at most MaxScopeAccounts of them,
	// one more than the page to know whether another follows.
	names := scope.Accounts
	i, _ := slices.BinarySearch(names, after)
	if i < len(names) && names[i] == after {
		i++
	}
	rules := s.stateRules()
	out := AccountPage{Accounts: []vault.Health{}}
	for _, name := range names[i:] {
		rec, err := s.st.Get(ctx, name)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return AccountPage{}, err
		}
		if req.State != "" && store.StateOf(rec, rules) != req.State {
			continue
		}
		if len(out.Accounts) == req.Limit {
			out.Next = encodeCursor(out.Accounts[len(out.Accounts)-1].Account)
			break
		}
		out.Accounts = append(out.Accounts, s.healthOf(rec))
	}
	return out, nil
}
