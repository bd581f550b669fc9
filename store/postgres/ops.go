package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/psnkit/psn/store"
)

// Get returns the record for account, or store.ErrNotFound.
func (s *Store) Get(ctx context.Context, account string) (store.Record, error) {
	rec, err := scanRecord(s.pool.QueryRow(ctx, s.q.get, account))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Record{}, fmt.Errorf("store/postgres: get %q: %w", account, store.ErrNotFound)
	}
	if err != nil {
		return store.Record{}, fail(fmt.Sprintf("get %q", account), err)
	}
	return rec, nil
}

// Put creates the record with Version 1, or returns store.ErrExists.
func (s *Store) Put(ctx context.Context, rec store.Record) (store.Record, error) {
	got, err := scanRecord(s.pool.QueryRow(ctx, s.q.put,
		rec.Account, rec.AccountID, rec.OnlineID, notNull(rec.SealedAccess), notNull(rec.SealedRefresh),
		nullBytes(rec.SealedNPSSO), int64(rec.KeyID), nullTime(rec.AccessExpiry), nullTime(rec.RefreshExpiry),
		rec.NextRefresh, rec.LeaseOwner, nullTime(rec.LeaseExpiry), cleanText(rec.LastError),
		nullTime(rec.LastErrorAt), s.now(), nullTime(rec.RefreshRejectedAt), nullTime(rec.NPSSORejectedAt)))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Record{}, fmt.Errorf("store/postgres: put %q: %w", rec.Account, store.ErrExists)
	}
	if err != nil {
		return store.Record{}, fail(fmt.Sprintf("put %q", rec.Account), err)
	}
	return got, nil
}

// CompareAndSwap writes rec over account when the stored version is
// wantVersion, whoever holds the lease; see store.Store.
func (s *Store) CompareAndSwap(ctx context.Context, account string, wantVersion int64, rec store.Record) (store.Record, error) {
	op := fmt.Sprintf("compare-and-swap %q at version %d", account, wantVersion)
	got, err := scanRecord(s.pool.QueryRow(ctx, s.q.cas,
		account, wantVersion, rec.AccountID, rec.OnlineID, notNull(rec.SealedAccess),
		notNull(rec.SealedRefresh), nullBytes(rec.SealedNPSSO), int64(rec.KeyID),
		nullTime(rec.AccessExpiry), nullTime(rec.RefreshExpiry), rec.NextRefresh,
		rec.LeaseOwner, cleanText(rec.LastError),
		nullTime(rec.LastErrorAt), s.now(), rec.Fence,
		nullTime(rec.RefreshRejectedAt), nullTime(rec.NPSSORejectedAt), rec.LeaseExpiry.IsZero()))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Record{}, s.whyNot(ctx, op, account)
	}
	if err != nil {
		return store.Record{}, fail(op, err)
	}
	return got, nil
}

// whyNot explains a version-conditional write that matched no row.
func (s *Store) whyNot(ctx context.Context, op, account string) error {
	var version int64
	err := s.pool.QueryRow(ctx, s.q.version, account).Scan(&version)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("store/postgres: %s: %w", op, store.ErrNotFound)
	case err != nil:
		return fail(op, err)
	}
	return fmt.Errorf("store/postgres: %s: stored version is %d: %w", op, version, store.ErrConflict)
}

// Note applies n at version without changing it; see store.Store.
func (s *Store) Note(ctx context.Context, account string, version int64, n store.Note) (store.Record, error) {
	op := fmt.Sprintf("note %q at version %d", account, version)
	var next *time.Time
	if !n.NextRefresh.IsZero() {
		next = &n.NextRefresh
	}
	got, err := scanRecord(s.pool.QueryRow(ctx, s.q.note, account, version, cleanText(n.LastError),
		nullTime(n.LastErrorAt), next, nullTime(n.RefreshRejectedAt), nullTime(n.NPSSORejectedAt),
		n.ReleaseOwner, n.ReleaseFence, s.now()))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Record{}, s.whyNot(ctx, op, account)
	}
	if err != nil {
		return store.Record{}, fail(op, err)
	}
	return got, nil
}

// ClaimDue leases up to limit due, unleased records to owner until the
// database's now+leaseTTL, oldest NextRefresh first; see store.Store.
func (s *Store) ClaimDue(ctx context.Context, due time.Time, limit int, owner string, leaseTTL time.Duration) ([]store.Record, error) {
	if limit <= 0 {
		return nil, nil
	}
	if err := checkLease(owner, leaseTTL); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, s.q.claimDue, due, limit, owner, leaseTTL.Microseconds())
	if err != nil {
		return nil, fail("claim due", err)
	}
	recs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Record, error) { return scanRecord(row) })
	if err != nil {
		return nil, fail("claim due", err)
	}
	// RETURNING does not keep the subquery's order.
	slices.SortFunc(recs, func(a, b store.Record) int {
		return cmp.Or(a.NextRefresh.Compare(b.NextRefresh), strings.Compare(a.Account, b.Account))
	})
	return recs, nil
}

// checkLease refuses an empty owner and a lease shorter than the
// database's microsecond.
func checkLease(owner string, ttl time.Duration) error {
	if owner == "" {
		return errors.New("store/postgres: empty lease owner")
	}
	if ttl < time.Microsecond {
		return fmt.Errorf("store/postgres: lease TTL %v is shorter than a microsecond", ttl)
	}
	return nil
}

// Claim leases account to owner until the database's now+leaseTTL unless
// another owner holds a live lease (store.ErrLeaseLost); see store.Store.
func (s *Store) Claim(ctx context.Context, account, owner string, leaseTTL time.Duration) (store.Record, error) {
	op := fmt.Sprintf("claim %q", account)
	if err := checkLease(owner, leaseTTL); err != nil {
		return store.Record{}, err
	}
	rec, err := scanRecord(s.pool.QueryRow(ctx, s.q.claim, account, owner, leaseTTL.Microseconds()))
	if err == nil {
		return rec, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return store.Record{}, fail(op, err)
	}
	return store.Record{}, s.leaseRefused(ctx, op, account, "another owner holds a live lease")
}

// leaseRefused is ErrNotFound or ErrLeaseLost for a lease operation that
// matched no row.
func (s *Store) leaseRefused(ctx context.Context, op, account, why string) error {
	var exists bool
	if err := s.pool.QueryRow(ctx, s.q.exists, account).Scan(&exists); err != nil {
		return fail(op, err)
	}
	if !exists {
		return fmt.Errorf("store/postgres: %s: %w", op, store.ErrNotFound)
	}
	return fmt.Errorf("store/postgres: %s: %s: %w", op, why, store.ErrLeaseLost)
}

// Renew extends the lease (owner, fence) to the database's now+leaseTTL;
// see store.Store.
func (s *Store) Renew(ctx context.Context, account, owner string, fence int64, leaseTTL time.Duration) (store.Record, error) {
	op := fmt.Sprintf("renew %q", account)
	if err := checkLease(owner, leaseTTL); err != nil {
		return store.Record{}, err
	}
	rec, err := scanRecord(s.pool.QueryRow(ctx, s.q.renew, account, owner, fence, leaseTTL.Microseconds()))
	if err == nil {
		return rec, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return store.Record{}, fail(op, err)
	}
	return store.Record{}, s.leaseRefused(ctx, op, account, fmt.Sprintf("granted to another holder since fence %d", fence))
}

// Release drops the lease (owner, fence) on account; a no-op when that is
// not the stored lease or the account does not exist.
func (s *Store) Release(ctx context.Context, account, owner string, fence int64) error {
	if _, err := s.pool.Exec(ctx, s.q.release, account, owner, fence); err != nil {
		return fail(fmt.Sprintf("release %q", account), err)
	}
	return nil
}

// Delete removes account, or returns store.ErrNotFound.
func (s *Store) Delete(ctx context.Context, account string) error {
	tag, err := s.pool.Exec(ctx, s.q.del, account)
	if err != nil {
		return fail(fmt.Sprintf("delete %q", account), err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("store/postgres: delete %q: %w", account, store.ErrNotFound)
	}
	return nil
}

// List yields every record ordered by account name (byte order). It reads
// pages of records, each in its own short query; a record written while the
// iteration runs may or may not be seen.
func (s *Store) List(ctx context.Context) iter.Seq2[store.Record, error] {
	return func(yield func(store.Record, error) bool) {
		var (
			after string
			first = true
		)
		for {
			var rows pgx.Rows
			var err error
			if first {
				rows, err = s.pool.Query(ctx, s.q.listFirst)
			} else {
				rows, err = s.pool.Query(ctx, s.q.listNext, after)
			}
			var page []store.Record
			if err == nil {
				page, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Record, error) { return scanRecord(row) })
			}
			if err != nil {
				yield(store.Record{}, fail("list", err))
				return
			}
			for _, r := range page {
				if !yield(r, nil) {
					return
				}
			}
			if len(page) < listPage {
				return
			}
			first, after = false, page[len(page)-1].Account
		}
	}
}

// GetMeta returns the meta value name, or store.ErrNotFound.
func (s *Store) GetMeta(ctx context.Context, name string) ([]byte, error) {
	var v []byte
	err := s.pool.QueryRow(ctx, s.q.getMeta, name).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("store/postgres: get meta %q: %w", name, store.ErrNotFound)
	}
	if err != nil {
		return nil, fail(fmt.Sprintf("get meta %q", name), err)
	}
	if v == nil {
		v = []byte{}
	}
	return v, nil
}

// SwapMeta sets name to value when its current value equals old (old == nil:
// when it does not exist yet), else returns store.ErrConflict.
func (s *Store) SwapMeta(ctx context.Context, name string, old, value []byte) error {
	op := fmt.Sprintf("swap meta %q", name)
	var (
		tag pgconn.CommandTag
		err error
	)
	if old == nil {
		tag, err = s.pool.Exec(ctx, s.q.createMeta, name, notNull(value))
	} else {
		tag, err = s.pool.Exec(ctx, s.q.swapMeta, name, old, notNull(value))
	}
	if err != nil {
		return fail(op, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("store/postgres: %s: current value is not the expected one: %w", op, store.ErrConflict)
	}
	return nil
}

// scanRecord reads one row in the order of columns.
func scanRecord(row pgx.Row) (store.Record, error) {
	var (
		r                                            store.Record
		keyID                                        int64
		accessExp, refreshExp, leaseExp, lastErrorAt *time.Time
		refreshRej, npssoRej                         *time.Time
	)
	err := row.Scan(&r.Account, &r.AccountID, &r.OnlineID, &r.SealedAccess, &r.SealedRefresh,
		&r.SealedNPSSO, &keyID, &accessExp, &refreshExp, &r.NextRefresh, &r.Version, &r.LeaseOwner,
		&leaseExp, &r.LastError, &lastErrorAt, &r.UpdatedAt, &r.Fence, &refreshRej, &npssoRej)
	if err != nil {
		return store.Record{}, err
	}
	if keyID < 0 || keyID > 0xFFFFFFFF {
		return store.Record{}, fmt.Errorf("store/postgres: record %q has key_id %d, outside uint32: %w", r.Account, keyID, store.ErrCorrupt)
	}
	r.KeyID = uint32(keyID)
	r.SealedAccess, r.SealedRefresh, r.SealedNPSSO = noEmpty(r.SealedAccess), noEmpty(r.SealedRefresh), noEmpty(r.SealedNPSSO)
	r.AccessExpiry, r.RefreshExpiry = utc(accessExp), utc(refreshExp)
	r.LeaseExpiry, r.LastErrorAt = utc(leaseExp), utc(lastErrorAt)
	r.RefreshRejectedAt, r.NPSSORejectedAt = utc(refreshRej), utc(npssoRej)
	r.NextRefresh, r.UpdatedAt = r.NextRefresh.UTC(), r.UpdatedAt.UTC()
	return r, nil
}

// utc turns a nullable column into a time: NULL is the zero time.
func utc(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// nullTime stores the zero time as NULL.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// notNull keeps nil from becoming NULL in a NOT NULL bytea column.
func notNull(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// nullBytes stores an empty value (no NPSSO) as NULL.
func nullBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// noEmpty hands back empty byte columns as nil.
func noEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// cleanText makes s storable in a text column: valid UTF-8 without NUL.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}
