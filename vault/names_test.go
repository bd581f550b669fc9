package vault

import (
	"regexp"
	"strings"
	"testing"
)

// ValidAccountName is the rule ^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$.
func TestValidAccountNameIsTheRule(t *testing.T) {
	rule := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)
	names := []string{"", "a", "Z9", "alice@example.com", "a.b_c-d", ".a", "_a", "-a", "@a", "a b", "a\n", "é", "a/b",
		strings.Repeat("a", 64), strings.Repeat("a", 65), "0" + strings.Repeat("-", 63), "a\x00"}
	for c := 0; c < 256; c++ {
		names = append(names, string([]byte{byte(c)}), "a"+string([]byte{byte(c)}))
	}
	for _, n := range names {
		if got, want := ValidAccountName(n), rule.MatchString(n); got != want {
			t.Errorf("ValidAccountName(%q) = %v, want %v", n, got, want)
		}
	}
}
