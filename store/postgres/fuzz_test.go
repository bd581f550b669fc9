package postgres

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzParseURL checks that any URL either parses into a postgres connection
// string without psnkit's schema= option and with an acceptable schema name,
// or is refused with an error that never repeats the URL's password.
func FuzzParseURL(f *testing.F) {
	for _, seed := range []string{
		"postgres://postgres@127.0.0.1:5432/test?sslmode=disable",
		"postgresql://u:pw@h/db?schema=psn&pool_max_conns=4",
		"postgres://u@h/db?schema=&schema=x",
		"postgres://u@h/db?schema=pg_x",
		"postgres:///db?host=/var/run/postgresql&schema=a%22b",
		"postgres://u:p%40ss@[::1]:5432/db",
		"redis://h:6379/0",
		"://",
		"postgres://u@h/db?schema=%00",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		conn, schema, err := parseURL(raw)
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
		if !strings.HasPrefix(conn, "postgres://") && !strings.HasPrefix(conn, "postgresql://") {
			t.Fatalf("connection string %q lost its scheme", conn)
		}
		if schema != "" {
			if err := checkSchemaName(schema); err != nil {
				t.Fatalf("accepted schema %q that checkSchemaName refuses: %v", schema, err)
			}
		}
		if _, again, err := parseURL(conn); err != nil || again != "" {
			t.Fatalf("parseURL(%q) = schema %q, %v; want no schema left and no error", conn, again, err)
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
