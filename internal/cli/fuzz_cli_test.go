package cli

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// FuzzCheckEndpoint: --endpoint is outside input. It never panics, and
// what it accepts is an http(s) URL with a host and no query.
func FuzzCheckEndpoint(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1:8787", "https://x", "notaurl", "ftp://x", "http://", "http://a?b", "http://[::1]:80/p", "%zz", " "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ep string) {
		a := newApp("psn", strings.NewReader(""), &strings.Builder{}, &strings.Builder{}, func(string) string { return "" })
		a.endpoint = ep
		if err := a.checkEndpoint(); err != nil || ep == "" {
			return
		}
		u, err := url.Parse(ep)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
			t.Fatalf("accepted %q", ep)
		}
	})
}

// FuzzWithFields: the fields are spliced into any JSON object, giving a
// JSON object that holds them once.
func FuzzWithFields(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1}`, `{"onlineId":"x"}`, ` { "b" : [1,2] } `} {
		f.Add(s, "v")
	}
	f.Fuzz(func(t *testing.T, obj, val string) {
		var m map[string]json.RawMessage
		if json.Unmarshal([]byte(obj), &m) != nil || m == nil {
			return
		}
		b, err := json.Marshal(withFields{json.RawMessage(obj), []field{{"onlineId", val}}})
		if err != nil {
			t.Fatalf("withFields(%q): %v", obj, err)
		}
		var got map[string]any
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("withFields(%q) = %s: not JSON: %v", obj, b, err)
		}
		var want any // val as JSON carries it (invalid UTF-8 becomes U+FFFD)
		vb, _ := json.Marshal(val)
		json.Unmarshal(vb, &want)
		if _, had := m["onlineId"]; !had && got["onlineId"] != want {
			t.Fatalf("withFields(%q) = %s: onlineId missing", obj, b)
		}
		if len(got) != len(m)+map[bool]int{true: 0, false: 1}[m["onlineId"] != nil] {
			t.Fatalf("withFields(%q) = %s: keys %d, want %d+1", obj, b, len(got), len(m))
		}
	})
}

// FuzzParseUse: any Use line gives an argument check that never panics.
func FuzzParseUse(f *testing.F) {
	for _, s := range []string{"trophies NP_COMMUNICATION_ID", "presence [ACCOUNT...]", "export [ACCOUNT] --out FILE.json", "", "x [", "x []"} {
		f.Add(s, 2)
	}
	f.Fuzz(func(t *testing.T, use string, n int) {
		s := parseUse("cmd " + use)
		if n < 0 || n > 100 {
			return
		}
		err := s.validate(&cobra.Command{Use: "cmd " + use}, make([]string, n))
		min, max := len(s.required), len(s.required)+len(s.optional)
		if ok := n >= min && (s.variadic || n <= max); ok != (err == nil) {
			t.Fatalf("Use %q with %d args: %v (required %d, optional %d, variadic %v)", use, n, err, min, max-min, s.variadic)
		}
	})
}
