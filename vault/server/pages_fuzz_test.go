package server

import (
	"errors"
	"testing"
)

// FuzzDecodeCursor: any cursor decodes to a name that encodes back to the
// same cursor, or is refused with ErrPageCursor.
func FuzzDecodeCursor(f *testing.F) {
	for _, s := range []string{"", encodeCursor("alice"), encodeCursor("a@b.c"), "zzz", "YTE6", "YTE6YQ==", encodeCursor("x") + "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, c string) {
		name, err := decodeCursor(c)
		if err != nil {
			if !errors.Is(err, ErrPageCursor) {
				t.Fatalf("decodeCursor(%q) = %v, want ErrPageCursor", c, err)
			}
			return
		}
		if c == "" {
			if name != "" {
				t.Fatalf("empty cursor decoded to %q", name)
			}
			return
		}
		if got := encodeCursor(name); got != c {
			t.Fatalf("decodeCursor(%q) = %q, which encodes to %q", c, name, got)
		}
	})
}
