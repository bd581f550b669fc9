package postgres

import (
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// columns is the order every query returns a record in (see scanRecord).
const columns = `account, account_id, online_id, sealed_access, sealed_refresh, sealed_npsso, key_id,
	access_expiry, refresh_expiry, next_refresh, version, lease_owner, lease_expiry,
	last_error, last_error_at, updated_at, fence, refresh_rejected_at, npsso_rejected_at`

// queries holds the SQL of every operation, with the schema filled in.
type queries struct {
	get, put, cas, note, version, claimDue, claim, renew, exists, release, del, listFirst, listNext string
	getMeta, createMeta, swapMeta                                                                   string
}

// listPage is how many records List reads per query.
const listPage = 100

func newQueries(schema string) queries {
	q := pgx.Identifier{schema}.Sanitize()
	r := strings.NewReplacer("{accounts}", q+".accounts", "{meta}", q+".meta", "{cols}", columns)
	f := func(s string) string { return r.Replace(s) }
	return queries{
		get: f(`SELECT {cols} FROM {accounts} WHERE account = $1`),
		put: f(`INSERT INTO {accounts} (account, account_id, online_id, sealed_access, sealed_refresh,
				sealed_npsso, key_id, access_expiry, refresh_expiry, next_refresh, version,
				lease_owner, lease_expiry, last_error, last_error_at, updated_at,
				refresh_rejected_at, npsso_rejected_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $12, $13, $14, $15, $16, $17)
			ON CONFLICT (account) DO NOTHING
			RETURNING {cols}`),
		// $1 account, $2 wanted version, $3..$11 the record's data, $12 the
		// lease owner presented with the fence $16, $13 and $14 the last
		// error, $15 the new updated_at, $17 and $18 the rejection instants,
		// $19 true when the record's LeaseExpiry is zero. Leases do not
		// decide; a write presenting the stored lease with no expiry drops it.
		cas: f(`UPDATE {accounts} SET account_id = $3, online_id = $4, sealed_access = $5,
				sealed_refresh = $6, sealed_npsso = $7, key_id = $8, access_expiry = $9,
				refresh_expiry = $10, next_refresh = $11, version = version + 1,
				lease_owner = CASE WHEN $12 <> '' AND lease_owner = $12 AND fence = $16 AND $19 THEN '' ELSE lease_owner END,
				lease_expiry = CASE WHEN $12 <> '' AND lease_owner = $12 AND fence = $16 AND $19 THEN NULL ELSE lease_expiry END,
				last_error = $13, last_error_at = $14, updated_at = $15,
				refresh_rejected_at = $17, npsso_rejected_at = $18
			WHERE account = $1 AND version = $2
			RETURNING {cols}`),
		// $1 account, $2 version, $3 last error ('' keeps it), $4 its time,
		// $5 next refresh, $6 and $7 rejection instants (NULL keeps them),
		// $8 and $9 the lease to drop, $10 updated_at.
		note: f(`UPDATE {accounts} SET
				last_error = CASE WHEN $3 <> '' THEN $3 ELSE last_error END,
				last_error_at = CASE WHEN $3 <> '' THEN $4 ELSE last_error_at END,
				next_refresh = coalesce($5, next_refresh),
				refresh_rejected_at = coalesce($6, refresh_rejected_at),
				npsso_rejected_at = coalesce($7, npsso_rejected_at),
				lease_owner = CASE WHEN $8 <> '' AND lease_owner = $8 AND fence = $9 THEN '' ELSE lease_owner END,
				lease_expiry = CASE WHEN $8 <> '' AND lease_owner = $8 AND fence = $9 THEN NULL ELSE lease_expiry END,
				updated_at = $10
			WHERE account = $1 AND version = $2
			RETURNING {cols}`),
		version: f(`SELECT version FROM {accounts} WHERE account = $1`),
		// Leases are judged by the database's clock (statement_timestamp(),
		// one instant per statement); a TTL is passed in microseconds.
		// One statement, so one short implicit transaction: rows another
		// claimer is locking are skipped, not waited for.
		claimDue: f(`WITH due AS (
				SELECT account FROM {accounts}
				WHERE next_refresh <= $1 AND (lease_expiry IS NULL OR lease_expiry <= statement_timestamp())
				ORDER BY next_refresh, account
				LIMIT $2
				FOR UPDATE SKIP LOCKED)
			UPDATE {accounts} AS a SET lease_owner = $3,
				lease_expiry = statement_timestamp() + $4 * interval '1 microsecond', fence = a.fence + 1
			FROM due WHERE a.account = due.account
			RETURNING a.account, a.account_id, a.online_id, a.sealed_access, a.sealed_refresh,
				a.sealed_npsso, a.key_id, a.access_expiry, a.refresh_expiry, a.next_refresh,
				a.version, a.lease_owner, a.lease_expiry, a.last_error, a.last_error_at, a.updated_at,
				a.fence, a.refresh_rejected_at, a.npsso_rejected_at`),
		claim: f(`UPDATE {accounts} SET
				fence = CASE WHEN lease_owner = $2 AND lease_expiry > statement_timestamp() THEN fence ELSE fence + 1 END,
				lease_owner = $2, lease_expiry = statement_timestamp() + $3 * interval '1 microsecond'
			WHERE account = $1 AND (lease_expiry IS NULL OR lease_expiry <= statement_timestamp() OR lease_owner = $2)
			RETURNING {cols}`),
		renew: f(`UPDATE {accounts} SET lease_expiry = statement_timestamp() + $4 * interval '1 microsecond'
			WHERE account = $1 AND lease_owner = $2 AND fence = $3
			RETURNING {cols}`),
		exists:     f(`SELECT EXISTS (SELECT 1 FROM {accounts} WHERE account = $1)`),
		release:    f(`UPDATE {accounts} SET lease_owner = '', lease_expiry = NULL WHERE account = $1 AND lease_owner = $2 AND fence = $3`),
		del:        f(`DELETE FROM {accounts} WHERE account = $1`),
		listFirst:  f(`SELECT {cols} FROM {accounts} ORDER BY account LIMIT ` + strconv.Itoa(listPage)),
		listNext:   f(`SELECT {cols} FROM {accounts} WHERE account > $1 ORDER BY account LIMIT ` + strconv.Itoa(listPage)),
		getMeta:    f(`SELECT value FROM {meta} WHERE name = $1`),
		createMeta: f(`INSERT INTO {meta} (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`),
		swapMeta:   f(`UPDATE {meta} SET value = $3 WHERE name = $1 AND value = $2`),
	}
}
