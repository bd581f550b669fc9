package redis

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/psnkit/psn/store"
)

// Hash fields of a record. Strings and sealed bytes are stored as they are;
// numbers in decimal; instants as encodeTime makes them.
const (
	fAccount       = "account"
	fAccountID     = "account_id"
	fOnlineID      = "online_id"
	fSealedAccess  = "sealed_access"
	fSealedRefresh = "sealed_refresh"
	fSealedNPSSO   = "sealed_npsso"
	fKeyID         = "key_id"
	fAccessExpiry  = "access_expiry"
	fRefreshExpiry = "refresh_expiry"
	fNextRefresh   = "next_refresh"
	fVersion       = "version"
	fLeaseOwner    = "lease_owner"
	fLeaseExpiry   = "lease_expiry"
	fLastError     = "last_error"
	fLastErrorAt   = "last_error_at"
	fUpdatedAt     = "updated_at"
	fFence         = "fence"
	fRefreshRej    = "refresh_rejected_at"
	fNPSSORej      = "npsso_rejected_at"
)

// encodeTime writes t as "<unix seconds>.<9-digit nanoseconds>" (seconds may
// be negative; nanoseconds always count forward from them), and the zero time
// as "". The scripts compare these exactly (see luaLib).
func encodeTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return strconv.FormatInt(t.Unix(), 10) + "." + fmt.Sprintf("%09d", t.Nanosecond())
}

// decodeTime reads what encodeTime wrote; the result is in UTC.
func decodeTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	secs, nanos, ok := strings.Cut(s, ".")
	if !ok || len(nanos) != 9 || strings.HasPrefix(secs, "+") {
		return time.Time{}, fmt.Errorf("instant %q is not <seconds>.<9 digits>", s)
	}
	sec, err := strconv.ParseInt(secs, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("instant %q: bad seconds", s)
	}
	ns, err := strconv.ParseUint(nanos, 10, 32)
	if err != nil {
		return time.Time{}, fmt.Errorf("instant %q: bad nanoseconds", s)
	}
	t := time.Unix(sec, int64(ns)).UTC()
	if t.IsZero() {
		// The zero time is written as "", never as its seconds.
		return time.Time{}, fmt.Errorf("instant %q: the zero time must be empty", s)
	}
	if encodeTime(t) != s {
		return time.Time{}, fmt.Errorf("instant %q is not in canonical form or out of range", s)
	}
	return t, nil
}

// timeScore is the due/leases sorted-set score of an encoded instant: unix
// milliseconds, rounded down ("-inf" for the zero time). It must agree with
// score() in luaLib.
func timeScore(t time.Time) string {
	if t.IsZero() {
		return "-inf"
	}
	return strconv.FormatInt(t.Unix()*1000+int64(t.Nanosecond()/1e6), 10)
}

// recordArgs is rec as HSET field/value pairs for Put, written with version
// and updatedAt (the store sets both) and fence 0.
func recordArgs(account string, rec store.Record, version int64, updatedAt time.Time) []any {
	return append(dataArgs(account, rec, version, updatedAt),
		fLeaseOwner, rec.LeaseOwner,
		fLeaseExpiry, encodeTime(rec.LeaseExpiry),
		fFence, "0")
}

// dataArgs is recordArgs without the lease: what CompareAndSwap writes.
func dataArgs(account string, rec store.Record, version int64, updatedAt time.Time) []any {
	return []any{
		fAccount, account,
		fAccountID, rec.AccountID,
		fOnlineID, rec.OnlineID,
		fSealedAccess, bytesArg(rec.SealedAccess),
		fSealedRefresh, bytesArg(rec.SealedRefresh),
		fSealedNPSSO, bytesArg(rec.SealedNPSSO),
		fKeyID, strconv.FormatUint(uint64(rec.KeyID), 10),
		fAccessExpiry, encodeTime(rec.AccessExpiry),
		fRefreshExpiry, encodeTime(rec.RefreshExpiry),
		fNextRefresh, encodeTime(rec.NextRefresh),
		fVersion, strconv.FormatInt(version, 10),
		fLastError, rec.LastError,
		fLastErrorAt, encodeTime(rec.LastErrorAt),
		fRefreshRej, encodeTime(rec.RefreshRejectedAt),
		fNPSSORej, encodeTime(rec.NPSSORejectedAt),
		fUpdatedAt, encodeTime(updatedAt.UTC()),
	}
}

// bytesArg sends nil as an empty value rather than relying on the client.
func bytesArg(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// decodeRecord reads a record hash. It is a parser of outside input (what
// is in Redis may have been written by anyone): every field is checked, and
// a bad one gives an error wrapping store.ErrCorrupt.
func decodeRecord(key string, h map[string]string) (store.Record, error) {
	bad := func(format string, args ...any) (store.Record, error) {
		return store.Record{}, fmt.Errorf("store/redis: record %q: %s: %w", key, fmt.Sprintf(format, args...), store.ErrCorrupt)
	}
	var r store.Record
	var ok bool
	if r.Account, ok = h[fAccount]; !ok {
		return bad("no %s field", fAccount)
	}
	v, ok := h[fVersion]
	if !ok {
		return bad("no %s field", fVersion)
	}
	ver, err := strconv.ParseInt(v, 10, 64)
	if err != nil || ver < 1 || strconv.FormatInt(ver, 10) != v {
		return bad("%s %q is not a positive integer in canonical form", fVersion, v)
	}
	r.Version = ver
	if k := h[fKeyID]; k != "" {
		id, err := strconv.ParseUint(k, 10, 32)
		if err != nil || strconv.FormatUint(id, 10) != k {
			return bad("%s %q is not a uint32 in canonical form", fKeyID, k)
		}
		r.KeyID = uint32(id)
	}
	if f := h[fFence]; f != "" {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil || n < 0 || strconv.FormatInt(n, 10) != f {
			return bad("%s %q is not a non-negative integer in canonical form", fFence, f)
		}
		r.Fence = n
	}
	r.AccountID, r.OnlineID = h[fAccountID], h[fOnlineID]
	r.LeaseOwner, r.LastError = h[fLeaseOwner], h[fLastError]
	r.SealedAccess = bytesField(h[fSealedAccess])
	r.SealedRefresh = bytesField(h[fSealedRefresh])
	r.SealedNPSSO = bytesField(h[fSealedNPSSO])
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{
		{fAccessExpiry, &r.AccessExpiry},
		{fRefreshExpiry, &r.RefreshExpiry},
		{fNextRefresh, &r.NextRefresh},
		{fLeaseExpiry, &r.LeaseExpiry},
		{fLastErrorAt, &r.LastErrorAt},
		{fUpdatedAt, &r.UpdatedAt},
		{fRefreshRej, &r.RefreshRejectedAt},
		{fNPSSORej, &r.NPSSORejectedAt},
	} {
		t, err := decodeTime(h[f.name])
		if err != nil {
			return bad("%s: %v", f.name, err)
		}
		*f.dst = t
	}
	return r, nil
}

// bytesField hands back an empty value as nil.
func bytesField(s string) []byte {
	if s == "" {
		return nil
	}
	return []byte(s)
}

// pairs turns a flat HGETALL reply from a script into a map.
func pairs(key string, v any) (map[string]string, error) {
	flat, ok := v.([]any)
	if !ok || len(flat)%2 != 0 {
		return nil, fmt.Errorf("store/redis: record %q: script returned %T, want field/value pairs: %w", key, v, store.ErrCorrupt)
	}
	h := make(map[string]string, len(flat)/2)
	for i := 0; i < len(flat); i += 2 {
		f, ok1 := flat[i].(string)
		val, ok2 := flat[i+1].(string)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("store/redis: record %q: non-string field in script reply: %w", key, store.ErrCorrupt)
		}
		h[f] = val
	}
	return h, nil
}
