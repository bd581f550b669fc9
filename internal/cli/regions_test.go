package cli

import (
	"testing"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// regions.go holds exactly the names golang.org/x/text gives every
// two-letter code (run `go generate ./internal/cli` after updating x/text).
func TestRegionNamesAreXText(t *testing.T) {
	for c1 := 'A'; c1 <= 'Z'; c1++ {
		for c2 := 'A'; c2 <= 'Z'; c2++ {
			code := string([]rune{c1, c2})
			want := ""
			if r, err := language.ParseRegion(code); err == nil {
				want = display.English.Regions().Name(r)
			}
			if got := regionName(code); got != want {
				t.Errorf("regionName(%q) = %q, want %q", code, got, want)
			}
		}
	}
	for code, want := range map[string]string{"jp": "Japan", "Gb": "United Kingdom", "": "", "USA": "", "1": ""} {
		if got := regionName(code); got != want {
			t.Errorf("regionName(%q) = %q, want %q", code, got, want)
		}
	}
}
