// Package redis is the Redis backend of package store, on
// github.com/redis/go-redis/v9. Read "Durability" below before choosing it:
// psnkit's default is store/sqlite, and store/postgres is the durable choice
// for several machines.
//
// # Opening
//
//	s, err := redis.Open(ctx, "redis://:password@cache.example:6379/0?prefix=psn:")
//
// Open accepts redis://, rediss:// (TLS) and unix:// URLs with every option
// go-redis understands (dial_timeout, pool_size, …) plus one of its own:
//
//   - prefix=P starts every key the store writes with P (default "psn:").
//     Give each psnkit installation sharing a Redis database its own prefix.
//     With Redis Cluster, wrap it in a hash tag (prefix={psn}:) so all of a
//     store's keys share one slot; the scripts touch several keys at once.
//
// An unreachable server gives an error wrapping store.ErrUnavailable that says
// how to start Redis. Passwords in the URL never appear in errors.
//
// # Layout
//
//	{prefix}acct:{name}  hash: one record, one field per Record field
//	{prefix}accounts     sorted set of every account name (List, byte order)
//	{prefix}due          sorted set: accounts without a live lease, scored by NextRefresh (unix ms)
//	{prefix}leases       sorted set: leased accounts, scored by LeaseExpiry (unix ms)
//	{prefix}meta:{name}  string: one meta value (GetMeta/SwapMeta)
//	{prefix}ob:{id}      hash: one outbox row (store.Outbox)
//	{prefix}obq          sorted set: pending outbox rows, by next attempt or lease expiry (unix ms)
//	{prefix}obdone       sorted set: finished outbox rows, by when they finished (unix ms)
//
// Put, CompareAndSwap, Note, ClaimDue, Claim, Renew, Release, Delete and SwapMeta are Lua
// scripts, each atomic. ClaimDue moves accounts whose lease ended from leases
// back to due, then walks due with ZRANGEBYSCORE and checks each lease in the
// script, so claimers never share an account. Instants are kept to the
// nanosecond (the scores are only an index); times come back in UTC.
//
// Leases are judged by the Redis server's clock (TIME, read inside each
// script) in every operation, so the clocks of the processes sharing it do
// not matter to them; ClaimDue's due instant only selects which records are
// due. Each grant to a new holder adds one to the record's fence field (see
// docs/refresh-protocol.md). UpdatedAt is the time of the last Put,
// CompareAndSwap or Note, by this process's clock; lease changes do not
// touch it.
//
// # Durability
//
// Redis acknowledges a write once it is in memory. What reaches the disk, and
// so what survives a crash, a restart or a failover, depends on the server's
// configuration, not on psnkit:
//
//   - Default configuration (RDB snapshots only, e.g. "save 3600 1 300 100
//     60 10000"): a crash loses every write since the last snapshot — minutes
//     of them. With --save "" and appendonly no, a restart loses everything.
//   - appendonly yes + appendfsync everysec (the usual AOF setting): a crash
//     of the machine loses up to a second or two of writes; a crash of the
//     Redis process alone usually loses nothing (the data is already in the
//     kernel, unless a slow disk made Redis postpone the write).
//   - appendonly yes + appendfsync always: every write is fsynced before
//     Redis replies, so an acknowledged write survives a power cut. Slowest,
//     and what a token store wants.
//   - Replication is asynchronous: a failover to a replica can lose the last
//     writes the old primary acknowledged, whatever the fsync setting.
//
// Why it matters here: PSN rotates the refresh token on every refresh. psnkit
// saves the new token before anyone uses it, but if Redis then loses that
// write, the store is left holding the old refresh token, which PSN has
// already invalidated. The account then needs its kept NPSSO, or a human
// re-login. Run psnkit's Redis with
//
//	appendonly yes
//	appendfsync always   # or everysec, accepting a second or two of loss on a power cut
//
// (redis-server --appendonly yes --appendfsync always), and prefer
// store/postgres where that cost is not acceptable.
//
// psnkit's own tests run against a Redis started with --save "" --appendonly
// no: fine for tests, which is all that server is for.
//
// # Limits
//
// A script blocks the whole Redis server while it runs. ClaimDue's work grows
// with the number of due accounts it must step over within one millisecond of
// the limit-th one and with the number of leases that ended since the last
// claim; both are small in practice. The dynamic account keys a ClaimDue
// touches are not declared to Redis, which a single server and a
// hash-tagged prefix on Cluster tolerate.
package redis
