package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/psnkit/psn/store"
)

var _ store.Outbox = (*Store)(nil)

// eventCols are the outbox columns in scanEvent's order.
const eventCols = `id, kind, target, payload, attempts, next_attempt, last_error, created_at, done_at, lease_owner, lease_expiry`

func scanEvent(sc rowScanner) (store.OutboxEvent, error) {
	var (
		e                 store.OutboxEvent
		next, created     int64
		done, leaseExpiry sql.NullInt64
	)
	if err := sc.Scan(&e.ID, &e.Kind, &e.Target, &e.Payload, &e.Attempts, &next, &e.LastError, &created, &done, &e.LeaseOwner, &leaseExpiry); err != nil {
		return store.OutboxEvent{}, err
	}
	if next != math.MinInt64 {
		e.NextAttempt = fromNanos(next)
	}
	e.CreatedAt, e.DoneAt, e.LeaseExpiry = fromNanos(created), fromNull(done), fromNull(leaseExpiry)
	return e, nil
}

// dueNanos encodes a due instant; the zero time is math.MinInt64 (due at once).
func dueNanos(t time.Time) (int64, error) {
	if t.IsZero() {
		return math.MinInt64, nil
	}
	n, ok := nanos(t)
	if !ok {
		return 0, fmt.Errorf("%w: %s", ErrTimeRange, t.UTC().Format(time.RFC3339))
	}
	return n, nil
}

// Enqueue adds ev unless its ID is present; see store.Outbox.
func (s *Store) Enqueue(ctx context.Context, ev store.OutboxEvent) (bool, error) {
	if err := store.CheckEvent(ev); err != nil {
		return false, err
	}
	next, err := dueNanos(ev.NextAttempt)
	if err != nil {
		return false, err
	}
	var added bool
	err = s.write(ctx, "enqueue", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO outbox (id, kind, target, payload, next_attempt, created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			ev.ID, ev.Kind, ev.Target, notNil(ev.Payload), next, s.now().UnixNano())
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		added = n == 1
		return err
	})
	return added, err
}

// ClaimEvents leases up to limit due, unleased pending rows; see store.Outbox.
func (s *Store) ClaimEvents(ctx context.Context, due time.Time, limit int, owner string, leaseTTL time.Duration) ([]store.OutboxEvent, error) {
	if limit <= 0 {
		return nil, nil
	}
	d, err := dueNanos(due)
	if err != nil {
		return nil, err
	}
	var out []store.OutboxEvent
	err = s.write(ctx, "claim-events", func(tx *sql.Tx) error {
		args, err := s.leaseArgs(owner, leaseTTL)
		if err != nil {
			return err
		}
		out = out[:0]
		rows, err := tx.QueryContext(ctx, `SELECT id FROM outbox
			WHERE done_at IS NULL AND next_attempt <= :due AND (lease_expiry IS NULL OR lease_expiry <= :now)
			ORDER BY next_attempt, id LIMIT :limit`, append(args, sql.Named("due", d), sql.Named("limit", limit))...)
		if err != nil {
			return err
		}
		var picked []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			picked = append(picked, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range picked {
			e, err := scanEvent(tx.QueryRowContext(ctx, `UPDATE outbox SET lease_owner = :owner, lease_expiry = :until
				WHERE id = :id RETURNING `+eventCols, append(args, sql.Named("id", id))...))
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RetryEvent records a failed attempt of the row owner holds; see store.Outbox.
func (s *Store) RetryEvent(ctx context.Context, id, owner string, next time.Time, lastError string) error {
	return s.handBack(ctx, "retry event", id, owner, next, `UPDATE outbox SET attempts = attempts + 1, next_attempt = ?, last_error = ?,
		lease_owner = '', lease_expiry = NULL WHERE id = ?`, lastError)
}

// ReleaseEvent hands back the row owner holds without an attempt; see
// store.Outbox.
func (s *Store) ReleaseEvent(ctx context.Context, id, owner string, next time.Time) error {
	return s.handBack(ctx, "release event", id, owner, next, `UPDATE outbox SET next_attempt = ?,
		lease_owner = '', lease_expiry = NULL WHERE id = ?`)
}

// handBack runs update (its arguments: next's nanoseconds, then args, then
// id) on the row owner holds, or fails with ErrNotFound or ErrLeaseLost.
func (s *Store) handBack(ctx context.Context, op, id, owner string, next time.Time, update string, args ...any) error {
	n, err := dueNanos(next)
	if err != nil {
		return err
	}
	return s.write(ctx, strings.ReplaceAll(op, " ", "-"), func(tx *sql.Tx) error {
		var holder string
		var done sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT lease_owner, done_at FROM outbox WHERE id = ?`, id).Scan(&holder, &done)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("sqlite: %s %q: %w", op, id, store.ErrNotFound)
		case err != nil:
			return err
		case done.Valid || holder != owner || owner == "":
			return fmt.Errorf("sqlite: %s %q: %w", op, id, store.ErrLeaseLost)
		}
		_, err = tx.ExecContext(ctx, update, append(append([]any{n}, args...), id)...)
		return err
	})
}

// FinishEvent ends the row; see store.Outbox.
func (s *Store) FinishEvent(ctx context.Context, id, lastError string) error {
	return s.write(ctx, "finish-event", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET done_at = ?, last_error = ?, lease_owner = '', lease_expiry = NULL
			WHERE id = ? AND done_at IS NULL`, s.now().UnixNano(), lastError, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM outbox WHERE id = ?`, id).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlite: finish event %q: %w", id, store.ErrNotFound)
		} else if err != nil {
			return err
		}
		return nil
	})
}

// PruneEvents removes finished rows done before before; see store.Outbox.
func (s *Store) PruneEvents(ctx context.Context, before time.Time) (int, error) {
	b, ok := nanos(before)
	if !ok {
		return 0, fmt.Errorf("%w: %s", ErrTimeRange, before.UTC().Format(time.RFC3339))
	}
	var n int64
	err := s.write(ctx, "prune-events", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE done_at IS NOT NULL AND done_at < ?`, b)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// PendingEvents counts the pending rows.
func (s *Store) PendingEvents(ctx context.Context) (int, error) {
	var n int
	err := s.retry(ctx, func() error {
		return s.db.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE done_at IS NULL`).Scan(&n)
	})
	return n, s.mapErr("pending-events", err)
}

// GetEvent returns one row, or store.ErrNotFound.
func (s *Store) GetEvent(ctx context.Context, id string) (store.OutboxEvent, error) {
	var e store.OutboxEvent
	err := s.retry(ctx, func() error {
		var err error
		e, err = scanEvent(s.db.QueryRowContext(ctx, `SELECT `+eventCols+` FROM outbox WHERE id = ?`, id))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return store.OutboxEvent{}, fmt.Errorf("sqlite: get event %q: %w", id, store.ErrNotFound)
	}
	return e, s.mapErr("get-event", err)
}
