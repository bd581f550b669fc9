package storetest

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/psnkit/psn/store"
)

// pager returns s as a store.Pager, or skips the test when the backend
// does not implement it.
func pager(t *testing.T, s store.Store) store.Pager {
	t.Helper()
	p, ok := s.(store.Pager)
	if !ok {
		t.Skipf("%T does not implement store.Pager", s)
	}
	return p
}

// loginPrefix is the LastError prefix the cases use for login-required.
const loginPrefix = "psn: login required"

// rules are the state rules of the cases: at base, a 7-day warning.
var rules = store.StateRules{Now: base, WarnBefore: 7 * 24 * time.Hour, LoginRequiredPrefix: loginPrefix}

// stateCase is a record built to land in one state under rules.
type stateCase struct {
	name  string
	state string
	edit  func(r *store.Record)
}

var stateCases = []stateCase{
	{"ok", store.StateOK, func(r *store.Record) {}},
	{"ok-no-npsso", store.StateOK, func(r *store.Record) { r.SealedNPSSO = nil }},
	{"ok-access-expired", store.StateOK, func(r *store.Record) { r.AccessExpiry = base.Add(-time.Hour) }},
	{"ok-other-error", store.StateOK, func(r *store.Record) { r.LastError = "psn: server error (503)" }},
	{"expiring", store.StateExpiring, func(r *store.Record) { r.RefreshExpiry = base.Add(24 * time.Hour) }},
	{"expiring-at-warn-edge", store.StateExpiring, func(r *store.Record) { r.RefreshExpiry = base.Add(7 * 24 * time.Hour) }},
	{"expiring-just-alive", store.StateExpiring, func(r *store.Record) { r.RefreshExpiry = base.Add(time.Microsecond) }},
	{"login-dead-but-access-valid", store.StateLoginRequired, func(r *store.Record) {
		r.RefreshExpiry, r.SealedNPSSO = base.Add(-time.Hour), nil
	}},
	// Evidence wins over instants: a refresh token PSN rejected is dead
	// whatever its expiry says, and a rejected NPSSO is no fallback.
	{"login-refresh-rejected", store.StateLoginRequired, func(r *store.Record) {
		r.RefreshRejectedAt, r.SealedNPSSO = base.Add(-time.Minute), nil
	}},
	{"fallback-refresh-rejected", store.StateNPSSOFallback, func(r *store.Record) { r.RefreshRejectedAt = base.Add(-time.Minute) }},
	{"login-both-rejected", store.StateLoginRequired, func(r *store.Record) {
		r.RefreshRejectedAt, r.NPSSORejectedAt = base.Add(-time.Minute), base.Add(-time.Minute)
	}},
	{"login-dead-npsso-rejected", store.StateLoginRequired, func(r *store.Record) {
		r.RefreshExpiry, r.NPSSORejectedAt = base.Add(-time.Hour), base.Add(-time.Minute)
	}},
	{"ok-npsso-rejected", store.StateOK, func(r *store.Record) { r.NPSSORejectedAt = base.Add(-time.Minute) }},
	{"fallback", store.StateNPSSOFallback, func(r *store.Record) {
		r.RefreshExpiry, r.AccessExpiry = base.Add(-time.Hour), base.Add(-time.Minute)
	}},
	{"fallback-no-refresh-token", store.StateNPSSOFallback, func(r *store.Record) { r.SealedRefresh = nil }},
	{"fallback-zero-times", store.StateNPSSOFallback, func(r *store.Record) {
		r.RefreshExpiry, r.AccessExpiry = time.Time{}, time.Time{}
	}},
	{"login-dead", store.StateLoginRequired, func(r *store.Record) {
		r.RefreshExpiry, r.AccessExpiry, r.SealedNPSSO = base.Add(-time.Hour), base.Add(-time.Minute), nil
	}},
	{"login-at-now-edge", store.StateLoginRequired, func(r *store.Record) {
		r.RefreshExpiry, r.AccessExpiry, r.SealedNPSSO = base, base, nil
	}},
	{"login-zero-times", store.StateLoginRequired, func(r *store.Record) {
		r.RefreshExpiry, r.AccessExpiry, r.SealedNPSSO = time.Time{}, time.Time{}, nil
	}},
	{"login-by-error", store.StateLoginRequired, func(r *store.Record) {
		r.LastError = loginPrefix + ": the refresh token was rejected (invalid_grant)"
	}},
	{"not-login-error-inside", store.StateOK, func(r *store.Record) { r.LastError = "x " + loginPrefix }},
}

// putStates stores one record per stateCase (named after it) and returns
// the names expected in each state.
func putStates(t *testing.T, s store.Store) map[string][]string {
	t.Helper()
	want := map[string][]string{}
	for _, c := range stateCases {
		rec := sample(c.name)
		rec.AccessExpiry = base.Add(time.Hour)
		rec.RefreshExpiry = base.Add(60 * 24 * time.Hour)
		rec.LastError = ""
		rec.RefreshRejectedAt, rec.NPSSORejectedAt = time.Time{}, time.Time{}
		c.edit(&rec)
		if got := store.StateOf(rec, rules); got != c.state {
			t.Fatalf("store.StateOf(%s) = %q, want %q", c.name, got, c.state)
		}
		put(t, s, rec)
		want[c.state] = append(want[c.state], c.name)
	}
	for _, names := range want {
		slices.Sort(names)
	}
	return want
}

// walk reads every page of q and returns the names in order, checking
// each page's size and More flag.
func walk(t *testing.T, p store.Pager, q store.PageQuery) []string {
	t.Helper()
	var names []string
	for i := 0; ; i++ {
		if i > 1000 {
			t.Fatal("Page never ended")
		}
		page, err := p.Page(t.Context(), q)
		if err != nil {
			t.Fatalf("Page(%+v): %v", q, err)
		}
		if len(page.Records) > q.Limit {
			t.Fatalf("Page(limit %d) returned %d records", q.Limit, len(page.Records))
		}
		if page.More && len(page.Records) != q.Limit {
			t.Fatalf("Page(limit %d) returned %d records with More set", q.Limit, len(page.Records))
		}
		for _, r := range page.Records {
			names = append(names, r.Account)
		}
		if !page.More {
			return names
		}
		q.After = page.Records[len(page.Records)-1].Account
	}
}

var pageCases = []testCase{
	{"OrderedByNameWithKeysetCursor", func(t *testing.T, h Harness) {
		s := h.New(t)
		p := pager(t, s)
		names := []string{"m", "b", "a", "A", "Z", "a.b", "a-b", "a@b", "a_b", "aa", "b0", "b9", "zz", "0", "9x", "mm", "n", "o", "p", "q", "r", "s", "t"}
		for _, n := range names {
			put(t, s, sample(n))
		}
		want := slices.Clone(names)
		slices.Sort(want) // byte order
		for _, limit := range []int{1, 2, 5, 7, len(names), len(names) + 1, store.MaxPage} {
			if got := walk(t, p, store.PageQuery{Limit: limit}); !slices.Equal(got, want) {
				t.Fatalf("limit %d: pages hold %q, want %q", limit, got, want)
			}
		}
		// A page of exactly the remaining records has More unset.
		page, err := p.Page(t.Context(), store.PageQuery{After: want[len(want)-3], Limit: 2})
		if err != nil || len(page.Records) != 2 || page.More {
			t.Fatalf("last page = %d records, More %v, %v; want 2, false", len(page.Records), page.More, err)
		}
		// The cursor need not be a stored name.
		page, err = p.Page(t.Context(), store.PageQuery{After: "b1", Limit: 1})
		if err != nil || len(page.Records) != 1 || page.Records[0].Account != "b9" || !page.More {
			t.Fatalf("page after b1 = %+v, %v; want b9 and more", page, err)
		}
		// Records come back whole, as Get returns them.
		page, err = p.Page(t.Context(), store.PageQuery{After: "a", Limit: 1})
		if err != nil || len(page.Records) != 1 {
			t.Fatalf("page after a: %v", err)
		}
		checkSame(t, "Page record", page.Records[0], get(t, s, page.Records[0].Account))
	}},
	{"EmptyStore", func(t *testing.T, h Harness) {
		s := h.New(t)
		p := pager(t, s)
		page, err := p.Page(t.Context(), store.PageQuery{Limit: 10})
		if err != nil || len(page.Records) != 0 || page.More {
			t.Fatalf("Page on an empty store = %+v, %v", page, err)
		}
		page, err = p.Page(t.Context(), store.PageQuery{Limit: 10, State: store.StateLoginRequired, Rules: rules})
		if err != nil || len(page.Records) != 0 || page.More {
			t.Fatalf("Page(state) on an empty store = %+v, %v", page, err)
		}
		counts, err := p.CountStates(t.Context(), rules)
		if err != nil {
			t.Fatal(err)
		}
		if want := store.NewStateCounts(); !maps.Equal(counts, want) {
			t.Fatalf("CountStates on an empty store = %v, want %v", counts, want)
		}
	}},
	{"BadQueries", func(t *testing.T, h Harness) {
		s := h.New(t)
		p := pager(t, s)
		for _, q := range []store.PageQuery{
			{Limit: 0}, {Limit: -1}, {Limit: store.MaxPage + 1},
			{Limit: 10, State: "bogus", Rules: rules}, {Limit: 10, State: store.StateOK},
		} {
			if _, err := p.Page(t.Context(), q); !errors.Is(err, store.ErrBadPageQuery) {
				t.Errorf("Page(%+v) = %v, want store.ErrBadPageQuery", q, err)
			}
		}
	}},
	{"CountStatesFollowsStateOf", func(t *testing.T, h Harness) {
		s := h.New(t)
		p := pager(t, s)
		want := putStates(t, s)
		counts, err := p.CountStates(t.Context(), rules)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range store.States {
			if counts[st] != len(want[st]) {
				t.Errorf("CountStates[%s] = %d, want %d (%q)", st, counts[st], len(want[st]), want[st])
			}
		}
		if len(counts) != len(store.States) {
			t.Errorf("CountStates = %v, want exactly the states %q", counts, store.States)
		}
		// Without the prefix rule an error text decides nothing.
		r := rules
		r.LoginRequiredPrefix = ""
		counts, err = p.CountStates(t.Context(), r)
		if err != nil {
			t.Fatal(err)
		}
		if counts[store.StateLoginRequired] != len(want[store.StateLoginRequired])-1 || counts[store.StateOK] != len(want[store.StateOK])+1 {
			t.Errorf("CountStates without a prefix = %v: want login-by-error counted as ok", counts)
		}
		// Time moves on: a year later every refresh token is dead.
		r = rules
		r.Now = base.Add(365 * 24 * time.Hour)
		counts, err = p.CountStates(t.Context(), r)
		if err != nil {
			t.Fatal(err)
		}
		if counts[store.StateOK] != 0 || counts[store.StateExpiring] != 0 {
			t.Errorf("CountStates a year later = %v: want no ok or expiring account", counts)
		}
	}},
	{"PageFiltersByState", func(t *testing.T, h Harness) {
		s := h.New(t)
		p := pager(t, s)
		want := putStates(t, s)
		for _, st := range store.States {
			for _, limit := range []int{1, 2, 100} {
				got := walk(t, p, store.PageQuery{Limit: limit, State: st, Rules: rules})
				if !slices.Equal(got, want[st]) {
					t.Errorf("state %s, limit %d: pages hold %q, want %q", st, limit, got, want[st])
				}
			}
		}
	}},
	{"MissingNamesTheAbsent", func(t *testing.T, h Harness) {
		s := h.New(t)
		p := pager(t, s)
		for _, n := range []string{"a", "b", "c"} {
			put(t, s, sample(n))
		}
		if err := s.Delete(t.Context(), "b"); err != nil {
			t.Fatal(err)
		}
		got, err := p.Missing(t.Context(), []string{"c", "b", "zz", "a", "A", "a'; --"})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		if want := []string{"A", "a'; --", "b", "zz"}; !slices.Equal(got, want) {
			t.Fatalf("Missing = %q, want %q", got, want)
		}
		if got, err := p.Missing(t.Context(), nil); err != nil || len(got) != 0 {
			t.Fatalf("Missing(nil) = %q, %v", got, err)
		}
		if _, err := p.Missing(t.Context(), make([]string, store.MaxPage+1)); !errors.Is(err, store.ErrBadPageQuery) {
			t.Fatalf("Missing of %d names = %v, want store.ErrBadPageQuery", store.MaxPage+1, err)
		}
	}},
	{"PageFilterSkipsManyNonMatching", func(t *testing.T, h Harness) {
		s := h.New(t)
		p := pager(t, s)
		// More non-matching accounts than a backend may look at in one go.
		for i := range 5000 {
			rec := sample(fmt.Sprintf("acct%05d", i))
			rec.AccessExpiry, rec.RefreshExpiry = base.Add(time.Hour), base.Add(60*24*time.Hour)
			rec.SealedAccess, rec.SealedRefresh, rec.SealedNPSSO = []byte{1}, []byte{2}, nil
			rec.LastError = ""
			rec.RefreshRejectedAt, rec.NPSSORejectedAt = time.Time{}, time.Time{}
			if i == 17 || i == 4999 {
				rec.LastError = loginPrefix + ": gone"
			}
			put(t, s, rec)
		}
		got := walk(t, p, store.PageQuery{Limit: 1, State: store.StateLoginRequired, Rules: rules})
		if want := []string{"acct00017", "acct04999"}; !slices.Equal(got, want) {
			t.Fatalf("login-required pages = %q, want %q", got, want)
		}
	}},
}
