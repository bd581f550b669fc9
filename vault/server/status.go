package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/vault"
)

//go:embed web/page.html
var webFiles embed.FS

// pageTemplates hold the status page and the login form: names, online
// ids, states, instants and advice; no secret, no account id, nothing that
// opens a sealed field. html/template escapes every value.
// They are parsed on first use, not at package init: every psn command
// links this package, and only the vault serves pages.
var pageTemplates = sync.OnceValue(func() *template.Template {
	return template.Must(template.ParseFS(webFiles, "web/page.html"))
})

// statusPageSize is how many accounts one page of the status page shows.
const statusPageSize = 100

// maxBackTrail is how many earlier pages the "Previous" link can walk
// back through (their positions ride in the URL).
const maxBackTrail = 20

// when is an instant as the page shows it: relative text, the exact
// instant for the title (hover) and the datetime attribute.
type when struct{ Text, Title, ISO string }

func whenOf(now, t time.Time) when {
	if t.IsZero() {
		return when{Text: "—", Title: "never"}
	}
	return when{Text: relTime(now, t), Title: t.UTC().Format("2006-01-02 15:04:05 UTC"), ISO: t.UTC().Format(time.RFC3339)}
}

// relTime says when t is, seen from now: "in 42 min", "3 days ago".
func relTime(now, t time.Time) string {
	d := t.Sub(now)
	switch {
	case d >= time.Minute:
		return "in " + relDuration(d)
	case d > 0:
		return "in under a minute"
	case d > -time.Minute:
		return "just now"
	}
	return relDuration(-d) + " ago"
}

// relDuration writes d roughly: "42 min", "5 h", "3 days".
func relDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "under a minute"
	case d < time.Hour:
		return plural(int(d/time.Minute), "min", "min")
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "h", "h")
	}
	return plural(int(d/(24*time.Hour)), "day", "days")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

type stateCount struct {
	State, Link string
	N           int
	On          bool
}

// statusRow is one account on the page.
type statusRow struct {
	Account, OnlineID, State string
	Advice                   string
	Access, Refresh          string
	AccessExp, RefreshExp    when
	Next                     when
	NPSSO                    string
	LastError                string
	LastErrorAt              when
}

type statusData struct {
	Nonce             string
	Now, Counted      when
	Total             int
	Counts            []stateCount
	Chart             chartData
	States            []string
	Filter, Q         string
	Rows              []statusRow
	First, Prev, Next string
	Error             string
	SignedIn          bool
}

// position is where a page of the status page starts: in state State,
// after the account of Cursor (encodeCursor; "" for the state's first).
// In a URL it is "STATE.CURSOR".
type position struct{ State, Cursor string }

func (p position) String() string { return p.State + "." + p.Cursor }

func parsePosition(s string) (position, string, error) {
	st, c, ok := strings.Cut(s, ".")
	if !ok || st == "" || !store.ValidState(st) {
		return position{}, "", ErrPageCursor
	}
	after, err := decodeCursor(c)
	if err != nil {
		return position{}, "", err
	}
	return position{st, c}, after, nil
}

// statusQuery is what the page's URL asks for: ?state=S&q=PREFIX&at=POS&back=POS,POS….
type statusQuery struct {
	State, Q string
	At       string   // "" for the first page
	Back     []string // positions of earlier pages, oldest first ("" is not kept: the first page)
}

func (q statusQuery) url() string {
	v := url.Values{}
	if q.State != "" {
		v.Set("state", q.State)
	}
	if q.Q != "" {
		v.Set("q", q.Q)
	}
	if q.At != "" {
		v.Set("at", q.At)
	}
	if len(q.Back) > 0 {
		v.Set("back", strings.Join(q.Back, ","))
	}
	if len(v) == 0 {
		return "/"
	}
	return "/?" + v.Encode()
}

// errBadPrefix: a search that no account name can start with.
var errBadPrefix = errors.New("a name holds only letters, digits, '.', '_', '-' and '@' (at most 64): no account starts with that")

// validPrefix reports whether q can start an account name.
func validPrefix(q string) bool {
	if len(q) > 64 {
		return false
	}
	for _, c := range []byte(q) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._-@", c) >= 0) {
			return false
		}
	}
	return true
}

// beforePrefix returns a string that sorts after every account name below
// prefix and before every name that starts with it (names are at most 64
// bytes, each below 0x7f), so that a page "after" it starts at the prefix.
func beforePrefix(prefix string) string {
	n := len(prefix)
	return prefix[:n-1] + string(rune(prefix[n-1]-1)) + strings.Repeat("\x7f", 64)
}

// pageRecords reads one page of records: from a store.Pager's query, else
// from List.
func (s *Service) pageRecords(ctx context.Context, q store.PageQuery) (store.Page, error) {
	if p, ok := s.st.(store.Pager); ok {
		return p.Page(ctx, q)
	}
	return listPage(ctx, s.st, q)
}

// statusRecords reads the accounts of one page of the status page: those
// in the states of states from pos on (a state whose cached count is zero
// is skipped), ordered by state then name, keeping only names that start
// with prefix. next is where the following page starts, or nil. At most
// one Pager query per state.
func (s *Service) statusRecords(ctx context.Context, states []string, counts store.StateCounts, pos position, after, prefix string) ([]store.Record, *position, error) {
	start := max(0, slices.Index(states, pos.State))
	rules := s.stateRules()
	if prefix != "" {
		recs, next, ok, err := s.searchRecords(ctx, states, rules, start, after, prefix)
		if ok || err != nil {
			return recs, next, err
		}
	}
	var recs []store.Record
	for i := start; i < len(states); i++ {
		st := states[i]
		if counts[st] == 0 && len(states) > 1 {
			continue
		}
		if len(recs) == statusPageSize {
			return recs, &position{State: st}, nil
		}
		from := ""
		if i == start {
			from = after
		}
		if from == "" && prefix != "" {
			from = beforePrefix(prefix)
		}
		page, err := s.pageRecords(ctx, store.PageQuery{After: from, Limit: statusPageSize - len(recs), State: st, Rules: rules})
		if err != nil {
			return nil, nil, err
		}
		more := page.More
		for _, rec := range page.Records {
			if prefix != "" && !strings.HasPrefix(rec.Account, prefix) {
				more = false
				break
			}
			recs = append(recs, rec)
		}
		if more {
			return recs, &position{State: st, Cursor: encodeCursor(recs[len(recs)-1].Account)}, nil
		}
	}
	return recs, nil, nil
}

// searchRecords serves a name-prefix search from one query when at most
// store.MaxPage names start with prefix: it reads them in name order (the
// query stops at the prefix's end, or after MaxPage rows), orders them by
// state (states' order) then name, and returns the page from (states[start],
// after) on, as statusRecords would. ok is false when more names match;
// statusRecords then queries state by state, where a state filter makes the
// store read on past the prefix until the page is full.
func (s *Service) searchRecords(ctx context.Context, states []string, rules store.StateRules, start int, after, prefix string) (recs []store.Record, next *position, ok bool, err error) {
	type match struct {
		rec   store.Record
		state int
	}
	var all []match
	// Two reads at most: 2 pages' worth (most searches end there), then
	// up to store.MaxPage names in all.
	from, read, complete := beforePrefix(prefix), 0, false
	for limit := 2 * statusPageSize; !complete && read < store.MaxPage; limit = store.MaxPage - read {
		page, err := s.pageRecords(ctx, store.PageQuery{After: from, Limit: limit})
		if err != nil {
			return nil, nil, false, err
		}
		read += len(page.Records)
		complete = !page.More
		for _, rec := range page.Records {
			if !strings.HasPrefix(rec.Account, prefix) {
				complete = true
				break
			}
			if i := slices.Index(states, store.StateOf(rec, rules)); i >= start {
				all = append(all, match{rec, i})
			}
			from = rec.Account
		}
	}
	if !complete {
		return nil, nil, false, nil
	}
	slices.SortStableFunc(all, func(a, b match) int { return a.state - b.state }) // names stay in order within a state
	for _, m := range all {
		if m.state == start && m.rec.Account <= after {
			continue
		}
		if len(recs) == statusPageSize {
			last := recs[len(recs)-1]
			return recs, &position{State: store.StateOf(last, rules), Cursor: encodeCursor(last.Account)}, true, nil
		}
		recs = append(recs, m.rec)
	}
	return recs, nil, true, nil
}

// newNonce returns a fresh CSP nonce.
func newNonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// writePage renders template name with d and its nonce, with the headers
// every page gets: a Content-Security-Policy that allows only the page's
// own nonce'd style (no script, no external asset, no framing), no
// caching, no sniffing, no referrer.
func writePage(w http.ResponseWriter, code int, name, nonce string, d any) {
	var buf bytes.Buffer
	if err := pageTemplates().ExecuteTemplate(&buf, name, d); err != nil {
		http.Error(w, "status page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'nonce-"+nonce+"'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

// writeLogin answers with the login form and msg (empty: none).
func writeLogin(w http.ResponseWriter, code int, msg string) {
	nonce := newNonce()
	writePage(w, code, "login", nonce, struct {
		Nonce, Error, TTL string
	}{nonce, msg, relDuration(SessionTTL)})
}

// status serves GET /[?state=S&q=PREFIX&at=POS&back=…]: the counts by
// state (from the service's countCache, at most CountsMaxAge old), the
// chart of this process's refreshes and failures, then one page of
// accounts: with no state filter, those that need a human first
// (login-required, expiring, npsso-fallback, then ok), by name within a
// state. Each state on the page is one store query (store.Pager); nothing
// reads every record.
func (a *api) status(w http.ResponseWriter, r *http.Request, access pageAccess) {
	ctx, cancel := context.WithTimeout(r.Context(), requestWait)
	defer cancel()
	now := a.svc.now()
	uq := r.URL.Query()
	q := statusQuery{State: uq.Get("state"), Q: strings.TrimSpace(uq.Get("q")), At: uq.Get("at")}
	if b := uq.Get("back"); b != "" {
		q.Back = strings.Split(b, ",")
		if len(q.Back) > maxBackTrail {
			q.Back = q.Back[len(q.Back)-maxBackTrail:]
		}
	}
	d := statusData{Nonce: newNonce(), Now: whenOf(now, now), States: store.States, Filter: q.State, Q: q.Q, SignedIn: access.signedIn}
	bars, since := a.svc.metrics.activity.last(now)
	d.Chart = drawChart(bars, now, since)
	code := http.StatusOK
	err := func() error {
		if !store.ValidState(q.State) {
			q.State, d.Filter = "", ""
			return ErrPageState
		}
		if !validPrefix(q.Q) {
			return errBadPrefix
		}
		for _, b := range q.Back {
			if _, _, err := parsePosition(b); err != nil {
				return err
			}
		}
		counts, at, err := a.svc.metrics.counts.get(ctx)
		d.Counted = whenOf(time.Now(), at) // the count's instant is on the wall clock
		if err != nil {
			return err
		}
		for _, st := range store.States {
			d.Total += counts[st]
			d.Counts = append(d.Counts, stateCount{State: st, N: counts[st], On: st == q.State,
				Link: statusQuery{State: st}.url()})
		}
		states := store.States
		if q.State != "" {
			states = []string{q.State}
		}
		pos, after := position{State: states[0]}, ""
		if q.At != "" {
			if pos, after, err = parsePosition(q.At); err != nil {
				return err
			}
			if !slices.Contains(states, pos.State) {
				return ErrPageCursor
			}
		}
		recs, next, err := a.svc.statusRecords(ctx, states, counts, pos, after, q.Q)
		if err != nil {
			return err
		}
		for _, rec := range recs {
			d.Rows = append(d.Rows, rowOf(a.svc.healthOf(rec), rec.NextRefresh, now))
		}
		if q.At != "" {
			d.First = statusQuery{State: q.State, Q: q.Q}.url()
			prev := statusQuery{State: q.State, Q: q.Q}
			if n := len(q.Back); n > 0 {
				prev.At, prev.Back = q.Back[n-1], q.Back[:n-1]
			}
			d.Prev = prev.url()
		}
		if next != nil {
			back := q.Back
			if q.At != "" {
				back = append(slices.Clone(q.Back), q.At)
				if len(back) > maxBackTrail {
					back = back[len(back)-maxBackTrail:]
				}
			}
			d.Next = statusQuery{State: q.State, Q: q.Q, At: next.String(), Back: back}.url()
		}
		return nil
	}()
	if err != nil {
		code = http.StatusServiceUnavailable
		if errors.Is(err, ErrPageCursor) || errors.Is(err, ErrPageState) || errors.Is(err, errBadPrefix) {
			code = http.StatusBadRequest
		}
		d.Error = pageError(err)
	}
	writePage(w, code, "status", d.Nonce, d)
}

// pageError says err in an operator's words.
func pageError(err error) string {
	switch {
	case errors.Is(err, ErrPageCursor):
		return "This page link is not one the vault made (or it is too old): start again from the first page."
	case errors.Is(err, ErrPageState):
		return "Unknown state: pick one of ok, expiring, npsso-fallback, login-required."
	case errors.Is(err, store.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		return "The store could not be read: " + err.Error()
	}
	return err.Error()
}

// loginFix is what a human does about an account that needs a login.
func loginFix(account string) string {
	return "add the account again with a new NPSSO (POST /v1/accounts, or psn login --account " + account + " on this store)"
}

// advice says what an account's state means and what to do about it.
func advice(h vault.Health, next, now time.Time) string {
	switch h.State {
	case vault.StateLoginRequired:
		var why string
		switch {
		case h.NPSSOKept && h.NPSSO == vault.NPSSORejected:
			why = "PSN refused the refresh token and the kept NPSSO"
		case !h.RefreshRejectedAt.IsZero():
			why = "PSN refused the refresh token and no NPSSO is kept"
		case h.Refresh == vault.RefreshDead:
			why = "The refresh token expired and no NPSSO is kept"
		default:
			why = "PSN refused the last login"
		}
		s := why + ": " + loginFix(h.Account) + "."
		if !h.RetryAt.IsZero() && h.RetryAt.After(now) {
			s += " Until then the vault only retries the refused secrets, " + relTime(now, h.RetryAt) + "."
		}
		return s
	case vault.StateExpiring:
		if h.NPSSOKept {
			return "The refresh token expires " + relTime(now, h.RefreshExpiry) + "; then the vault logs in with the kept NPSSO if PSN still accepts it. To be safe, " + loginFix(h.Account) + " before then."
		}
		return "The refresh token expires " + relTime(now, h.RefreshExpiry) + ": " + loginFix(h.Account) + " before then (keepNpsso lets the vault log in by itself next time)."
	case vault.StateNPSSOFallback:
		return "The refresh token is no longer usable; the next refresh logs in with the kept NPSSO. Nothing to do unless PSN refuses that NPSSO."
	}
	if h.LastError != "" && !next.IsZero() {
		return "The last refresh failed; the vault retries by itself (" + relTime(now, next) + "). If it keeps failing, read the vault's log."
	}
	return ""
}

// rowOf is h as a row of the page.
func rowOf(h vault.Health, next, now time.Time) statusRow {
	row := statusRow{
		Account: h.Account, OnlineID: h.OnlineID, State: string(h.State), Advice: advice(h, next, now),
		Access: string(h.Access), AccessExp: whenOf(now, h.AccessExpiry),
		Refresh: string(h.Refresh), RefreshExp: whenOf(now, h.RefreshExpiry),
		Next: whenOf(now, next), NPSSO: "not kept", LastError: h.LastError, LastErrorAt: whenOf(now, h.LastErrorAt),
	}
	if h.NPSSOKept {
		row.NPSSO = "kept"
		if h.NPSSO == vault.NPSSORejected {
			row.NPSSO = "kept, refused by PSN"
		}
	}
	if r := []rune(row.LastError); len(r) > 300 {
		row.LastError = string(r[:300]) + "…"
	}
	return row
}
