package server

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/vault"
)

// Paging of GET /v1/accounts (design.md "The vault HTTP API").
const (
	// DefaultPageLimit is the page size when a request names none.
	DefaultPageLimit = 100
	// MaxPageLimit is the largest page a request may ask for.
	MaxPageLimit = store.MaxPage
)

// Errors of AccountsPage, matched with errors.Is; the API answers them
// with 400 and the codes invalid_limit, invalid_cursor and invalid_state.
var (
	// ErrPageLimit: a limit outside 1..MaxPageLimit.
	ErrPageLimit = fmt.Errorf("vault: limit must be a whole number from 1 to %d", MaxPageLimit)
	// ErrPageCursor: a cursor this service did not hand out.
	ErrPageCursor = errors.New("vault: cursor is not one a previous page returned as \"next\"")
	// ErrPageState: a state filter that names no state.
	ErrPageState = errors.New("vault: state must be one of ok, expiring, npsso-fallback, login-required")
)

// PageRequest asks for one page of accounts, ordered by name.
type PageRequest struct {
	// Limit is the page size (0: DefaultPageLimit; at most MaxPageLimit).
	Limit int
	// Cursor is the Next of the previous page ("" for the first page).
	Cursor string
	// State, when set, keeps only the accounts in that state.
	State string
}

// AccountPage is one page of accounts' health, the body of GET
// /v1/accounts. Next is the cursor of the following page, empty on the
// last one.
type AccountPage struct {
	Accounts []vault.Health `json:"accounts"`
	Next     string         `json:"next,omitempty"`
}

// cursorPrefix starts every decoded cursor, so that a cursor is
// recognisably ours (and its format can change later).
const cursorPrefix = "a1:"

// encodeCursor returns the cursor of the page that starts after account.
func encodeCursor(account string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + account))
}

// decodeCursor returns the account name a cursor starts after, or
// ErrPageCursor.
func decodeCursor(c string) (string, error) {
	if c == "" {
		return "", nil
	}
	if len(c) > 400 {
		return "", ErrPageCursor
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(c)
	// The decoder skips \r and \n: a cursor is exactly what encodeCursor
	// wrote, or it is refused.
	if err != nil || base64.RawURLEncoding.EncodeToString(b) != c {
		return "", ErrPageCursor
	}
	name, ok := strings.CutPrefix(string(b), cursorPrefix)
	if !ok || name == "" || !utf8.ValidString(name) {
		return "", ErrPageCursor
	}
	return name, nil
}

// stateRules are the rules the store judges states by, the same as
// healthOf's.
func (s *Service) stateRules() store.StateRules {
	return store.StateRules{Now: s.now(), WarnBefore: s.cfg.WarnBefore, LoginRequiredPrefix: psn.ErrLoginRequired.Error()}
}

// AccountsPage returns one page of accounts' health, ordered by name: a
// store.Pager reads just that page (every psnkit backend is one); another
// store is listed whole.
func (s *Service) AccountsPage(ctx context.Context, req PageRequest) (AccountPage, error) {
	req, after, err := checkPageRequest(req)
	if err != nil {
		return AccountPage{}, err
	}
	q := store.PageQuery{After: after, Limit: req.Limit, State: req.State, Rules: s.stateRules()}
	var page store.Page
	if p, ok := s.st.(store.Pager); ok {
		if page, err = p.Page(ctx, q); err != nil {
			return AccountPage{}, err
		}
	} else if page, err = listPage(ctx, s.st, q); err != nil {
		return AccountPage{}, err
	}
	out := AccountPage{Accounts: make([]vault.Health, 0, len(page.Records))}
	for _, rec := range page.Records {
		out.Accounts = append(out.Accounts, s.healthOf(rec))
	}
	if page.More && len(page.Records) > 0 {
		out.Next = encodeCursor(page.Records[len(page.Records)-1].Account)
	}
	return out, nil
}

// checkPageRequest checks req, sets its default limit and returns the
// account name its cursor starts after.
func checkPageRequest(req PageRequest) (PageRequest, string, error) {
	if req.Limit == 0 {
		req.Limit = DefaultPageLimit
	}
	if req.Limit < 1 || req.Limit > MaxPageLimit {
		return req, "", ErrPageLimit
	}
	if req.State != "" && !store.ValidState(req.State) {
		return req, "", ErrPageState
	}
	after, err := decodeCursor(req.Cursor)
	return req, after, err
}

// listPage serves q from List, for a store that is no store.Pager.
func listPage(ctx context.Context, st store.Store, q store.PageQuery) (store.Page, error) {
	var page store.Page
	for rec, err := range st.List(ctx) {
		if err != nil {
			return store.Page{}, err
		}
		if rec.Account <= q.After || (q.State != "" && store.StateOf(rec, q.Rules) != q.State) {
			continue
		}
		if len(page.Records) == q.Limit {
			page.More = true
			break
		}
		page.Records = append(page.Records, rec)
	}
	return page, nil
}

// CountStates returns how many accounts are in each state now, from one
// aggregate query of a store.Pager (List for another store).
func (s *Service) CountStates(ctx context.Context) (store.StateCounts, error) {
	r := s.stateRules()
	if p, ok := s.st.(store.Pager); ok {
		return p.CountStates(ctx, r)
	}
	counts := store.NewStateCounts()
	for rec, err := range s.st.List(ctx) {
		if err != nil {
			return nil, err
		}
		counts[store.StateOf(rec, r)]++
	}
	return counts, nil
}
