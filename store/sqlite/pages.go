package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/psnkit/psn/store"
)

var _ store.Pager = (*Store)(nil)

// stateSQL is store.StateOf in SQL over one accounts row, with @now and
// @warn_until (now + the warning period) as unix nanoseconds and @prefix
// (bytes, @plen long) as the LastError prefix meaning login-required. A
// NULL instant compares false, which is what the zero time means here.
const stateSQL = `CASE
	WHEN @plen > 0 AND substr(CAST(last_error AS BLOB), 1, @plen) = CAST(@prefix AS BLOB) THEN 'login-required'
	WHEN (length(sealed_refresh) = 0 OR NOT coalesce(refresh_expiry > @now, 0) OR refresh_rejected_at IS NOT NULL)
		AND NOT (coalesce(length(sealed_npsso), 0) > 0 AND npsso_rejected_at IS NULL) THEN 'login-required'
	WHEN length(sealed_refresh) > 0 AND refresh_rejected_at IS NULL AND refresh_expiry > @warn_until THEN 'ok'
	WHEN length(sealed_refresh) > 0 AND refresh_rejected_at IS NULL AND refresh_expiry > @now THEN 'expiring'
	ELSE 'npsso-fallback' END`

// clampNanos is t in unix nanoseconds, saturated to the int64 range.
func clampNanos(t time.Time) int64 {
	switch {
	case t.Before(time.Unix(0, math.MinInt64+1)):
		return math.MinInt64 + 1
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// ruleArgs are the named arguments of stateSQL.
func ruleArgs(r store.StateRules) []any {
	now := clampNanos(r.Now)
	until := clampNanos(r.Now.Add(max(r.WarnBefore, 0)))
	return []any{sql.Named("now", now), sql.Named("warn_until", until),
		sql.Named("prefix", r.LoginRequiredPrefix), sql.Named("plen", len(r.LoginRequiredPrefix))}
}

// packedSQL counts the states in one pass with no sorter (a GROUP BY over
// an expression sorts every row, three to four times slower): each row adds
// 1 << (21 × k) for the k-th of ok, expiring and npsso-fallback, so the sum
// holds three 21-bit counts, and login-required is the rest of count(*).
// It is exact while count(*) < 2^21; CountStates falls back to countSQL
// past that.
const (
	packBits  = 21
	packedSQL = `SELECT count(*), coalesce(sum(CASE (` + stateSQL + `)
		WHEN 'ok' THEN 1 WHEN 'expiring' THEN 2097152 WHEN 'npsso-fallback' THEN 4398046511104 ELSE 0 END), 0)
		FROM accounts`
)

var packedOrder = []string{store.StateOK, store.StateExpiring, store.StateNPSSOFallback}

const (
	pageSQL      = "SELECT " + recordCols + " FROM accounts WHERE account > @after ORDER BY account LIMIT @limit"
	pageStateSQL = "SELECT " + recordCols + " FROM accounts WHERE account > @after AND (" + stateSQL + ") = @state ORDER BY account LIMIT @limit"
	countSQL     = "SELECT st, count(*) FROM (SELECT " + stateSQL + " AS st FROM accounts) GROUP BY st"
)

// Page returns one page of records ordered by account name (see
// store.Pager): a range read of the primary key, plus the state
// expression on each row read when q.State is set.
func (s *Store) Page(ctx context.Context, q store.PageQuery) (store.Page, error) {
	if err := store.CheckPageQuery(q); err != nil {
		return store.Page{}, err
	}
	query := pageSQL
	args := []any{sql.Named("after", q.After), sql.Named("limit", q.Limit+1)}
	if q.State != "" {
		query = pageStateSQL
		args = append(append(args, sql.Named("state", q.State)), ruleArgs(q.Rules)...)
	}
	var page store.Page
	err := s.retry(ctx, func() error {
		page = store.Page{}
		st, err := s.stmt(ctx, query)
		if err != nil {
			return err
		}
		rows, err := st.QueryContext(ctx, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if len(page.Records) == q.Limit {
				page.More = true
				break
			}
			r, err := scanRecord(rows)
			if err != nil {
				return err
			}
			page.Records = append(page.Records, r)
		}
		return rows.Err()
	})
	return page, s.mapErr("page", err)
}

// CountStates counts the accounts by state with one aggregate query that
// reads no sealed secret (it only measures their lengths).
func (s *Store) CountStates(ctx context.Context, r store.StateRules) (store.StateCounts, error) {
	var (
		counts     store.StateCounts
		total, sum int64
		packedFits bool
	)
	err := s.retry(ctx, func() error {
		st, err := s.stmt(ctx, packedSQL)
		if err != nil {
			return err
		}
		if err := st.QueryRowContext(ctx, ruleArgs(r)...).Scan(&total, &sum); err != nil {
			return err
		}
		packedFits = total < 1<<packBits
		return nil
	})
	if err != nil {
		return nil, s.mapErr("count states", err)
	}
	if packedFits {
		counts = store.NewStateCounts()
		rest := total
		for i, state := range packedOrder {
			n := (sum >> (packBits * i)) & (1<<packBits - 1)
			counts[state] = int(n)
			rest -= n
		}
		counts[store.StateLoginRequired] = int(rest)
		return counts, nil
	}
	err = s.retry(ctx, func() error {
		counts = store.NewStateCounts()
		st, err := s.stmt(ctx, countSQL)
		if err != nil {
			return err
		}
		rows, err := st.QueryContext(ctx, ruleArgs(r)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var state string
			var n int
			if err := rows.Scan(&state, &n); err != nil {
				return err
			}
			counts[state] += n
		}
		return rows.Err()
	})
	return counts, s.mapErr("count states", err)
}

// missingSQL keeps the names of a JSON array that have no record.
const missingSQL = `SELECT n.value FROM json_each(@names) AS n
	WHERE NOT EXISTS (SELECT 1 FROM accounts WHERE account = n.value)`

// Missing returns those of names that have no record (see store.Pager).
func (s *Store) Missing(ctx context.Context, names []string) ([]string, error) {
	if len(names) > store.MaxPage {
		return nil, fmt.Errorf("%w: %d names, at most %d", store.ErrBadPageQuery, len(names), store.MaxPage)
	}
	if len(names) == 0 {
		return nil, nil
	}
	arg, err := json.Marshal(names)
	if err != nil {
		return nil, err
	}
	var out []string
	err = s.retry(ctx, func() error {
		out = out[:0]
		st, err := s.stmt(ctx, missingSQL)
		if err != nil {
			return err
		}
		rows, err := st.QueryContext(ctx, sql.Named("names", string(arg)))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				return err
			}
			out = append(out, n)
		}
		return rows.Err()
	})
	return out, s.mapErr("missing", err)
}
