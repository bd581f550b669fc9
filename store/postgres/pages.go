package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/psnkit/psn/store"
)

var _ store.Pager = (*Store)(nil)

// stateSQL is store.StateOf in SQL over one accounts row, with $1 now, $2
// now + the warning period and $3 the LastError prefix meaning
// login-required (empty for none). A NULL instant compares as unknown, which
// coalesce turns into false: the zero time is never after now.
const stateSQL = `CASE
	WHEN $3 <> '' AND starts_with(last_error, $3) THEN 'login-required'
	WHEN (octet_length(sealed_refresh) = 0 OR NOT coalesce(refresh_expiry > $1, false) OR refresh_rejected_at IS NOT NULL)
		AND NOT (coalesce(octet_length(sealed_npsso), 0) > 0 AND npsso_rejected_at IS NULL) THEN 'login-required'
	WHEN octet_length(sealed_refresh) > 0 AND refresh_rejected_at IS NULL AND refresh_expiry > $2 THEN 'ok'
	WHEN octet_length(sealed_refresh) > 0 AND refresh_rejected_at IS NULL AND refresh_expiry > $1 THEN 'expiring'
	ELSE 'npsso-fallback' END`

// pageQuery returns the SQL of name (page, pageState or count) for the
// store's schema.
func (s *Store) pageQuery(name string) string {
	r := strings.NewReplacer("{accounts}", pgx.Identifier{s.schema}.Sanitize()+".accounts", "{cols}", columns, "{state}", stateSQL)
	switch name {
	case "page":
		return r.Replace(`SELECT {cols} FROM {accounts} WHERE account > $1 ORDER BY account LIMIT $2`)
	case "pageState":
		return r.Replace(`SELECT {cols} FROM {accounts} WHERE account > $4 AND ({state}) = $6 ORDER BY account LIMIT $5`)
	default:
		return r.Replace(`SELECT st, count(*) FROM (SELECT {state} AS st FROM {accounts}) AS s GROUP BY st`)
	}
}

// Page returns one page of records ordered by account name (see
// store.Pager): a range scan of the primary key, plus the state
// expression on each row read when q.State is set.
func (s *Store) Page(ctx context.Context, q store.PageQuery) (store.Page, error) {
	if err := store.CheckPageQuery(q); err != nil {
		return store.Page{}, err
	}
	r := q.Rules
	var (
		rows pgx.Rows
		err  error
	)
	if q.State == "" {
		rows, err = s.pool.Query(ctx, s.pageQuery("page"), q.After, q.Limit+1)
	} else {
		rows, err = s.pool.Query(ctx, s.pageQuery("pageState"), r.Now, r.Now.Add(max(r.WarnBefore, 0)), r.LoginRequiredPrefix,
			q.After, q.Limit+1, q.State)
	}
	var recs []store.Record
	if err == nil {
		recs, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Record, error) { return scanRecord(row) })
	}
	if err != nil {
		return store.Page{}, fail("page", err)
	}
	page := store.Page{Records: recs}
	if len(recs) > q.Limit {
		page.Records, page.More = recs[:q.Limit], true
	}
	return page, nil
}

// CountStates counts the accounts by state with one aggregate query that
// reads no sealed secret (it only measures their lengths).
func (s *Store) CountStates(ctx context.Context, r store.StateRules) (store.StateCounts, error) {
	rows, err := s.pool.Query(ctx, s.pageQuery("count"), r.Now, r.Now.Add(max(r.WarnBefore, 0)), r.LoginRequiredPrefix)
	if err != nil {
		return nil, fail("count states", err)
	}
	counts := store.NewStateCounts()
	var (
		state string
		n     int
	)
	_, err = pgx.ForEachRow(rows, []any{&state, &n}, func() error {
		counts[state] += n
		return nil
	})
	if err != nil {
		return nil, fail("count states", err)
	}
	return counts, nil
}

// Missing returns those of names that have no record (see store.Pager).
func (s *Store) Missing(ctx context.Context, names []string) ([]string, error) {
	if len(names) > store.MaxPage {
		return nil, fmt.Errorf("%w: %d names, at most %d", store.ErrBadPageQuery, len(names), store.MaxPage)
	}
	if len(names) == 0 {
		return nil, nil
	}
	q := `SELECT n FROM unnest($1::text[]) AS n WHERE NOT EXISTS (SELECT 1 FROM ` +
		pgx.Identifier{s.schema}.Sanitize() + `.accounts WHERE account = n)`
	rows, err := s.pool.Query(ctx, q, names)
	if err != nil {
		return nil, fail("missing", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fail("missing", err)
	}
	return out, nil
}
