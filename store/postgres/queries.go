package postgres

import (
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// columns is the order every query returns a record in (see scanRecord).
const columns = `account, account_id, online_id, sealed_access, sealed_refresh, sealed_npsso, key_id,
	access_expiry, refresh_expiry, next_refresh, version, lease_owner, lease_expiry,
	last_error, last_error_at, updated_at`

// queries holds the SQL of every operation, with the schema filled in.
type queries struct {
	get, put, cas, casState, claimDue, claim, exists, release, del, listFirst, listNext string
	getMeta, createMeta, swapMeta                                                       string
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
				lease_owner, lease_expiry, last_error, last_error_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $12, $13, $14, $15)
			ON CONFLICT (account) DO NOTHING
			RETURNING {cols}`),
		// $1 account, $2 wanted version, $3..$15 the record, $16 now (the
		// new updated_at, and the instant the stored lease is judged at);
		// $12, the record's lease owner, is the caller.
		cas: f(`UPDATE {accounts} SET account_id = $3, online_id = $4, sealed_access = $5,
				sealed_refresh = $6, sealed_npsso = $7, key_id = $8, access_expiry = $9,
				refresh_expiry = $10, next_refresh = $11, version = version + 1,
				lease_owner = $12, lease_expiry = $13, last_error = $14, last_error_at = $15,
				updated_at = $16
			WHERE account = $1 AND version = $2
				AND (lease_expiry IS NULL OR lease_expiry <= $16 OR lease_owner = $12)
			RETURNING {cols}`),
		casState: f(`SELECT version, lease_owner, lease_expiry FROM {accounts} WHERE account = $1`),
		// One statement, so one short implicit transaction: rows another
		// claimer is locking are skipped, not waited for.
		claimDue: f(`WITH due AS (
				SELECT account FROM {accounts}
				WHERE next_refresh <= $1 AND (lease_expiry IS NULL OR lease_expiry <= $1)
				ORDER BY next_refresh, account
				LIMIT $2
				FOR UPDATE SKIP LOCKED)
			UPDATE {accounts} AS a SET lease_owner = $3, lease_expiry = $4
			FROM due WHERE a.account = due.account
			RETURNING a.account, a.account_id, a.online_id, a.sealed_access, a.sealed_refresh,
				a.sealed_npsso, a.key_id, a.access_expiry, a.refresh_expiry, a.next_refresh,
				a.version, a.lease_owner, a.lease_expiry, a.last_error, a.last_error_at, a.updated_at`),
		claim: f(`UPDATE {accounts} SET lease_owner = $2, lease_expiry = $3
			WHERE account = $1 AND (lease_expiry IS NULL OR lease_expiry <= $4 OR lease_owner = $2)
			RETURNING {cols}`),
		exists:     f(`SELECT EXISTS (SELECT 1 FROM {accounts} WHERE account = $1)`),
		release:    f(`UPDATE {accounts} SET lease_owner = '', lease_expiry = NULL WHERE account = $1 AND lease_owner = $2`),
		del:        f(`DELETE FROM {accounts} WHERE account = $1`),
		listFirst:  f(`SELECT {cols} FROM {accounts} ORDER BY account LIMIT ` + strconv.Itoa(listPage)),
		listNext:   f(`SELECT {cols} FROM {accounts} WHERE account > $1 ORDER BY account LIMIT ` + strconv.Itoa(listPage)),
		getMeta:    f(`SELECT value FROM {meta} WHERE name = $1`),
		createMeta: f(`INSERT INTO {meta} (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`),
		swapMeta:   f(`UPDATE {meta} SET value = $3 WHERE name = $1 AND value = $2`),
	}
}
