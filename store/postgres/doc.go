// Package postgres is the PostgreSQL backend of package store, for several
// psnkit processes (a CLI, a vault daemon, replicas of it) sharing one set of
// accounts. It uses github.com/jackc/pgx/v5 with a connection pool.
//
// # Opening
//
//	s, err := postgres.Open(ctx, "postgres://psn@db.example:5432/psn?sslmode=verify-full&schema=psnkit")
//
// Open accepts postgres:// and postgresql:// URLs with every option pgx
// understands (sslmode, connect_timeout, pool_max_conns, application_name, …)
// plus one of its own:
//
//   - schema=NAME keeps every table in schema NAME, which Open creates when it
//     is missing. Several psnkit installations (or tests) can share a database
//     by using different schemas. Without it, the tables go in the connection's
//     current schema (the first existing schema of its search_path, usually
//     "public").
//
// An unreachable server gives an error wrapping store.ErrUnavailable that names
// the host and says how to start PostgreSQL. Passwords in the URL never appear
// in errors.
//
// # Schema and migrations
//
// Open brings the schema up to date before returning: migrations are
// numbered, recorded in the table schema_migrations, and applied in one
// transaction under a transaction-scoped advisory lock (keyed by the schema
// name), so processes starting at once neither race nor see half a schema. A
// schema written by a newer psnkit (a migration this build does not know) is
// refused with a *SchemaVersionError. A schema that already holds an
// "accounts" table psnkit did not create is refused with store.ErrCorrupt.
//
// Tables: accounts (one row per record; secrets are the caller's sealed bytes
// in bytea columns; index on (next_refresh, account) for claims), meta (the
// small named values of GetMeta/SwapMeta) and outbox (store.Outbox: events
// to deliver, claimed with FOR UPDATE SKIP LOCKED under leases judged by
// statement_timestamp()).
//
// # Semantics worth knowing
//
//   - Times are kept to the microsecond (timestamptz); sub-microsecond digits
//     of a written time are dropped, and so are those of the due instant
//     passed to ClaimDue. Every time comes back in UTC.
//   - ClaimDue is one statement: it selects the due, unleased rows with
//     FOR UPDATE SKIP LOCKED and leases them in the same UPDATE, so concurrent
//     claimers never wait on each other and never get the same account. No
//     transaction is ever held open across a caller's work.
//   - Leases are judged by the database's clock (statement_timestamp()) in
//     every operation — Claim, ClaimDue, Renew — so the clocks of the
//     processes sharing a database do not matter to them. ClaimDue's due
//     instant only selects which records are due. Each grant to a new holder
//     adds one to the record's fence (see docs/refresh-protocol.md).
//   - UpdatedAt is the time of the last Put, CompareAndSwap or Note, by this
//     process's clock; taking or dropping a lease (Claim, ClaimDue, Renew,
//     Release) does not change it.
//   - LastError is stored as valid UTF-8 without NUL bytes (PostgreSQL text
//     cannot hold those): offending bytes become U+FFFD rather than making a
//     write that carries a new token fail.
//   - List reads in pages of 100 accounts, each its own short query, so a slow
//     consumer never pins a connection or a snapshot.
package postgres
