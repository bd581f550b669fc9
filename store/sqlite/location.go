package sqlite

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
)

// ErrBadLocation is returned by Open (wrapped, with the reason) when the
// location is not one it accepts; see the package doc for the forms.
var ErrBadLocation = errors.New("sqlite: bad store location")

// parseLocation turns what the user wrote (--store) into a file path, not
// yet made absolute. It accepts:
//
//	sqlite:///abs/path.db     absolute path (percent-escapes decoded)
//	sqlite://rel/path.db      path relative to the working directory
//	sqlite:rel/path.db        the same
//	/abs/path.db, rel.db      a plain path, taken literally
//
// It refuses an empty path, ":memory:", a leading "~" (the shell expands it,
// psnkit does not), query strings and fragments in sqlite: URLs (psnkit sets
// its own pragmas), other schemes ("postgres://…"), and NUL bytes.
func parseLocation(loc string) (string, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w %q: %s", ErrBadLocation, loc, fmt.Sprintf(format, a...))
	}
	var p string
	if len(loc) >= len("sqlite:") && strings.EqualFold(loc[:len("sqlite:")], "sqlite:") {
		rest := loc[len("sqlite:"):]
		if i := strings.IndexAny(rest, "?#"); i >= 0 {
			return "", bad("options and fragments are not accepted (psnkit sets its own pragmas); escape a literal ? or # as %%3F or %%23")
		}
		rest = strings.TrimPrefix(rest, "//") // sqlite://x → x, sqlite:///abs → /abs
		dec, err := url.PathUnescape(rest)
		if err != nil {
			return "", bad("bad percent-escape: %v", err)
		}
		p = dec
	} else {
		if i := strings.Index(loc, "://"); i > 0 && !strings.ContainsAny(loc[:i], `/\.`) {
			return "", bad("not a sqlite location (use sqlite:///path/to/file.db or a plain path)")
		}
		p = loc
	}
	switch {
	case p == "":
		return "", bad("empty path")
	case strings.ContainsRune(p, 0):
		return "", bad("path contains a NUL byte")
	case p == ":memory:" || strings.HasPrefix(p, "file:"):
		return "", bad("in-memory and file: URI databases are not supported; give a file path")
	case p == "~" || strings.HasPrefix(p, "~/"):
		return "", bad("~ is not expanded; give the full path")
	case strings.HasSuffix(p, "/") || strings.HasSuffix(p, string(filepath.Separator)):
		return "", bad("path names a directory; add a file name such as psn.db")
	}
	return filepath.Clean(p), nil
}

// uriPath percent-escapes an absolute path for a SQLite file: URI, keeping
// only unreserved characters and '/' literal, so '?', '#', '%' and spaces in
// a path cannot be mistaken for URI syntax.
func uriPath(p string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~', c == '/':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}
