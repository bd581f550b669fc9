package sqlite

import (
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseLocation(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"sqlite:///abs/psn.db", "/abs/psn.db"},
		{"SQLite:///abs/psn.db", "/abs/psn.db"},
		{"sqlite:/abs/psn.db", "/abs/psn.db"},
		{"sqlite://rel/psn.db", "rel/psn.db"},
		{"sqlite://psn.db", "psn.db"},
		{"sqlite:psn.db", "psn.db"},
		{"sqlite:///a%20b/c%3Fd%23e.db", "/a b/c?d#e.db"},
		{"/plain/a%20b.db", "/plain/a%20b.db"},
		{"./x/../psn.db", "psn.db"},
		{"./odd://name/../x.db", "odd:/x.db"}, // a relative path that merely contains ://
	} {
		got, err := parseLocation(c.in)
		if err != nil || got != c.want {
			t.Errorf("parseLocation(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestURIPathEscapesURISyntax(t *testing.T) {
	p := "/a b/c?d#e%f\x01é.db"
	got := uriPath(p)
	if strings.ContainsAny(got, "?# \x01") {
		t.Errorf("uriPath(%q) = %q still holds URI syntax", p, got)
	}
	if back, err := url.PathUnescape(got); err != nil || back != p {
		t.Errorf("unescaping %q = %q, %v; want %q", got, back, err, p)
	}
}

// FuzzParseLocation checks that any --store value either fails with
// ErrBadLocation or yields a clean, non-empty path that survives the file:
// URI escaping.
func FuzzParseLocation(f *testing.F) {
	for _, s := range []string{"sqlite:///abs/psn.db", "sqlite://rel.db", "psn.db", "sqlite:a%2Fb", "postgres://x", ":memory:", "~/x", "sqlite:///x?y", "a\x00b", "sqlite:%zz", "sqlite:////"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, loc string) {
		p, err := parseLocation(loc)
		if err != nil {
			if !errors.Is(err, ErrBadLocation) {
				t.Fatalf("parseLocation(%q) error %v does not match ErrBadLocation", loc, err)
			}
			return
		}
		if p == "" || strings.ContainsRune(p, 0) || filepath.Clean(p) != p {
			t.Fatalf("parseLocation(%q) = %q: empty, NUL or unclean", loc, p)
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return
		}
		u := uriPath(abs)
		if strings.ContainsAny(u, "?#") {
			t.Fatalf("uriPath(%q) = %q holds ? or #", abs, u)
		}
		if back, err := url.PathUnescape(u); err != nil || back != abs {
			t.Fatalf("uriPath(%q) = %q unescapes to %q, %v", abs, u, back, err)
		}
	})
}
