package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/psnkit/psn/store"
)

var _ store.Outbox = (*Store)(nil)

// eventCols are the outbox columns in scanEvent's order.
const eventCols = `id, kind, target, payload, attempts, next_attempt, last_error, created_at, done_at, lease_owner, lease_expiry`

// oq returns query with {outbox} replaced by the schema's outbox table.
func (s *Store) oq(query string) string {
	return strings.ReplaceAll(strings.ReplaceAll(query, "{outbox}", pgx.Identifier{s.schema, "outbox"}.Sanitize()), "{cols}", eventCols)
}

func scanEvent(row pgx.Row) (store.OutboxEvent, error) {
	var (
		e                       store.OutboxEvent
		next, done, leaseExpiry *time.Time
		created                 time.Time
	)
	if err := row.Scan(&e.ID, &e.Kind, &e.Target, &e.Payload, &e.Attempts, &next, &e.LastError, &created, &done, &e.LeaseOwner, &leaseExpiry); err != nil {
		return store.OutboxEvent{}, err
	}
	e.NextAttempt, e.DoneAt, e.LeaseExpiry, e.CreatedAt = utc(next), utc(done), utc(leaseExpiry), created.UTC()
	return e, nil
}

// Enqueue adds ev unless its ID is present; see store.Outbox.
func (s *Store) Enqueue(ctx context.Context, ev store.OutboxEvent) (bool, error) {
	if err := store.CheckEvent(ev); err != nil {
		return false, err
	}
	tag, err := s.pool.Exec(ctx, s.oq(`INSERT INTO {outbox} (id, kind, target, payload, next_attempt, created_at)
		VALUES ($1, $2, $3, $4, $5, statement_timestamp()) ON CONFLICT (id) DO NOTHING`),
		ev.ID, cleanText(ev.Kind), cleanText(ev.Target), notNull(ev.Payload), nullTime(ev.NextAttempt))
	if err != nil {
		return false, fail("enqueue", err)
	}
	return tag.RowsAffected() == 1, nil
}

// ClaimEvents leases up to limit due, unleased pending rows, judged by the
// database's clock; see store.Outbox.
func (s *Store) ClaimEvents(ctx context.Context, due time.Time, limit int, owner string, leaseTTL time.Duration) ([]store.OutboxEvent, error) {
	if limit <= 0 {
		return nil, nil
	}
	if err := checkLease(owner, leaseTTL); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, s.oq(`WITH picked AS (
			SELECT id FROM {outbox}
			WHERE done_at IS NULL AND (next_attempt IS NULL OR next_attempt <= $1)
				AND (lease_expiry IS NULL OR lease_expiry <= statement_timestamp())
			ORDER BY next_attempt NULLS FIRST, id LIMIT $2
			FOR UPDATE SKIP LOCKED)
		UPDATE {outbox} o SET lease_owner = $3, lease_expiry = statement_timestamp() + $4 * interval '1 microsecond'
		FROM picked WHERE o.id = picked.id
		RETURNING o.id, o.kind, o.target, o.payload, o.attempts, o.next_attempt, o.last_error, o.created_at, o.done_at, o.lease_owner, o.lease_expiry`),
		due, limit, owner, leaseTTL.Microseconds())
	if err != nil {
		return nil, fail("claim events", err)
	}
	defer rows.Close()
	var out []store.OutboxEvent
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fail("claim events", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fail("claim events", err)
	}
	// UPDATE … RETURNING does not keep the CTE's order.
	sortEvents(out)
	return out, nil
}

// sortEvents orders claimed rows by next attempt (zero first), then ID.
func sortEvents(evs []store.OutboxEvent) {
	slices.SortFunc(evs, func(a, b store.OutboxEvent) int {
		if c := a.NextAttempt.Compare(b.NextAttempt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

// RetryEvent records a failed attempt of the row owner holds; see store.Outbox.
func (s *Store) RetryEvent(ctx context.Context, id, owner string, next time.Time, lastError string) error {
	return s.handBack(ctx, "retry event", id, `UPDATE {outbox} SET attempts = attempts + 1, next_attempt = $3, last_error = $4,
		lease_owner = '', lease_expiry = NULL WHERE id = $1 AND lease_owner = $2 AND $2 <> '' AND done_at IS NULL`,
		id, owner, nullTime(next), cleanText(lastError))
}

// ReleaseEvent hands back the row owner holds without an attempt; see
// store.Outbox.
func (s *Store) ReleaseEvent(ctx context.Context, id, owner string, next time.Time) error {
	return s.handBack(ctx, "release event", id, `UPDATE {outbox} SET next_attempt = $3,
		lease_owner = '', lease_expiry = NULL WHERE id = $1 AND lease_owner = $2 AND $2 <> '' AND done_at IS NULL`,
		id, owner, nullTime(next))
}

// handBack runs update on the row owner holds ($1 id, $2 owner), or fails
// with ErrNotFound or ErrLeaseLost.
func (s *Store) handBack(ctx context.Context, op, id, update string, args ...any) error {
	tag, err := s.pool.Exec(ctx, s.oq(update), args...)
	if err != nil {
		return fail(op, err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	if _, err := s.GetEvent(ctx, id); err != nil {
		return err
	}
	return fmt.Errorf("store/postgres: %s %q: %w", op, id, store.ErrLeaseLost)
}

// FinishEvent ends the row; see store.Outbox.
func (s *Store) FinishEvent(ctx context.Context, id, lastError string) error {
	tag, err := s.pool.Exec(ctx, s.oq(`UPDATE {outbox} SET done_at = statement_timestamp(), last_error = $2,
		lease_owner = '', lease_expiry = NULL WHERE id = $1 AND done_at IS NULL`), id, cleanText(lastError))
	if err != nil {
		return fail("finish event", err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	_, err = s.GetEvent(ctx, id)
	return err
}

// PruneEvents removes finished rows done before before; see store.Outbox.
func (s *Store) PruneEvents(ctx context.Context, before time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, s.oq(`DELETE FROM {outbox} WHERE done_at IS NOT NULL AND done_at < $1`), before)
	if err != nil {
		return 0, fail("prune events", err)
	}
	return int(tag.RowsAffected()), nil
}

// PendingEvents counts the pending rows.
func (s *Store) PendingEvents(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, s.oq(`SELECT count(*) FROM {outbox} WHERE done_at IS NULL`)).Scan(&n); err != nil {
		return 0, fail("pending events", err)
	}
	return n, nil
}

// GetEvent returns one row, or store.ErrNotFound.
func (s *Store) GetEvent(ctx context.Context, id string) (store.OutboxEvent, error) {
	e, err := scanEvent(s.pool.QueryRow(ctx, s.oq(`SELECT {cols} FROM {outbox} WHERE id = $1`), id))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.OutboxEvent{}, fmt.Errorf("store/postgres: get event %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.OutboxEvent{}, fail("get event", err)
	}
	return e, nil
}
