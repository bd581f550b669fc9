package redis

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/psnkit/psn/store"
)

// FuzzDecodeTime checks that decodeTime accepts exactly what encodeTime
// writes: anything accepted re-encodes to the same text, in UTC.
func FuzzDecodeTime(f *testing.F) {
	for _, seed := range []string{
		"", "0.000000000", "1741964966.535897932", "-1.999999999", "-62135596800.000000001",
		"-62135596800.000000000", "1.5", "01.000000000", "+1.000000000", "1.-00000001",
		"9223372036854775807.999999999", ".000000000", "1e3.000000000", "1.0000000000",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := decodeTime(s)
		if err != nil {
			return
		}
		if got := encodeTime(tm); got != s {
			t.Fatalf("decodeTime(%q) = %v, which encodes as %q", s, tm, got)
		}
		if !tm.IsZero() && tm.Location() != time.UTC {
			t.Fatalf("decodeTime(%q) is in %v, want UTC", s, tm.Location())
		}
	})
}

// FuzzDecodeRecord feeds decodeRecord hashes with arbitrary field values:
// it must either return a record that encodes back to the same values, or an
// error wrapping store.ErrCorrupt; never panic.
func FuzzDecodeRecord(f *testing.F) {
	f.Add("alice", "1", "4294967295", "1741964966.535897932", "", "w1", "x\x00\xff")
	f.Add("", "0", "-1", "nope", "1.1", "", "")
	f.Add("b", "9223372036854775807", "4294967296", "", "-1.000000000", "", "")
	f.Fuzz(func(t *testing.T, account, version, keyID, next, leaseExp, owner, sealed string) {
		h := map[string]string{
			fAccount: account, fVersion: version, fKeyID: keyID, fNextRefresh: next,
			fLeaseExpiry: leaseExp, fLeaseOwner: owner, fSealedAccess: sealed,
		}
		rec, err := decodeRecord("k", h)
		if err != nil {
			if !errors.Is(err, store.ErrCorrupt) {
				t.Fatalf("decodeRecord error %v does not wrap store.ErrCorrupt", err)
			}
			return
		}
		args := recordArgs(rec.Account, rec, rec.Version, rec.UpdatedAt)
		got := map[string]string{}
		for i := 0; i < len(args); i += 2 {
			switch v := args[i+1].(type) {
			case string:
				got[args[i].(string)] = v
			case []byte:
				got[args[i].(string)] = string(v)
			}
		}
		for _, k := range []string{fAccount, fVersion, fNextRefresh, fLeaseExpiry, fLeaseOwner, fSealedAccess} {
			if got[k] != h[k] {
				t.Fatalf("field %s = %q decoded and re-encoded as %q", k, h[k], got[k])
			}
		}
		if keyID != "" && got[fKeyID] != keyID {
			t.Fatalf("key_id %q re-encoded as %q", keyID, got[fKeyID])
		}
	})
}

// FuzzDecodeFence feeds decodeRecord arbitrary fence fields (and rejection
// instants): a fence is accepted only as a non-negative integer in canonical
// form, which it reads back exactly; anything else is store.ErrCorrupt.
func FuzzDecodeFence(f *testing.F) {
	for _, seed := range []string{"", "0", "1", "42", "-1", "01", "+1", "9223372036854775807", "9223372036854775808", "1e3", " 1"} {
		f.Add(seed, "")
	}
	f.Add("3", "1741964966.535897932")
	f.Add("3", "1.5")
	f.Fuzz(func(t *testing.T, fence, rejected string) {
		h := map[string]string{fAccount: "a", fVersion: "1", fFence: fence, fRefreshRej: rejected}
		rec, err := decodeRecord("k", h)
		if err != nil {
			if !errors.Is(err, store.ErrCorrupt) {
				t.Fatalf("decodeRecord error %v does not wrap store.ErrCorrupt", err)
			}
			return
		}
		want := fence
		if want == "" {
			want = "0"
		}
		if got := strconv.FormatInt(rec.Fence, 10); got != want || rec.Fence < 0 {
			t.Fatalf("fence %q decoded as %d", fence, rec.Fence)
		}
		if got := encodeTime(rec.RefreshRejectedAt); got != rejected {
			t.Fatalf("refresh_rejected_at %q decoded and re-encoded as %q", rejected, got)
		}
	})
}

// FuzzParseURL checks that any URL either parses into go-redis options and a
// non-empty prefix, or is refused with an error that never repeats the URL's
// password.
func FuzzParseURL(f *testing.F) {
	for _, seed := range []string{
		"redis://127.0.0.1:6379/0", "redis://:pw@h:1/2?prefix=x%3A", "rediss://u:pw@h/0?prefix={psn}:",
		"unix:///tmp/redis.sock?db=1&prefix=p", "redis://h/0?prefix=", "redis://h/0?prefix=a&prefix=b",
		"redis://:pw@h/x", "redis://:pw@h/0?dial_timeout=pw", "postgres://h", "redis://", "redis:",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		opts, prefix, err := parseURL(raw)
		if err != nil {
			if pw := passwordOf(raw); len(pw) >= 4 && strings.Contains(err.Error(), pw) {
				// Not a leak if the text is there whatever the password is.
				_, _, err2 := parseURL(strings.ReplaceAll(raw, pw, strings.Repeat("Q", len(pw))))
				if err2 == nil || !strings.Contains(err2.Error(), pw) {
					t.Fatalf("error %q repeats the password", err)
				}
			}
			return
		}
		if opts == nil || prefix == "" {
			t.Fatalf("parseURL(%q) = %v, %q with no error", raw, opts, prefix)
		}
	})
}

// passwordOf returns the password of raw's userinfo, if it parses as a URL
// with one, else the text between "://user:" and "@" (a URL that does not
// parse must not leak that either).
func passwordOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		if u.User == nil {
			return ""
		}
		pw, _ := u.User.Password()
		return pw
	}
	_, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return ""
	}
	userinfo, _, ok := strings.Cut(rest, "@")
	if !ok {
		return ""
	}
	_, pw, _ := strings.Cut(userinfo, ":")
	return pw
}
