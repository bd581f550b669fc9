package server

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/psnkit/psn/vault"
)

// FuzzDecodeAddAccount: any body either decodes to a valid name and a
// well-formed NPSSO, or fails with an error that does not repeat a long
// value of the body (an NPSSO pasted in the wrong place).
func FuzzDecodeAddAccount(f *testing.F) {
	f.Add([]byte(`{"name":"alice","npsso":"` + strings.Repeat("a", 64) + `","keepNpsso":true}`))
	f.Add([]byte(`{"name":"alice","npsso":"{\"npsso\":\"` + strings.Repeat("b", 64) + `\"}"}`))
	f.Add([]byte(`{"name":"../x","npsso":"x"}`))
	f.Add([]byte(`{"name":"a","npsso":"x"}{}`))
	f.Add([]byte(`{"` + strings.Repeat("s", 64) + `":1}`))
	f.Add([]byte(`[1,2,3]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, npsso, err := decodeAddAccount(bytes.NewReader(body))
		if err == nil {
			if !vault.ValidAccountName(req.Name) || len(npsso.Reveal()) != 64 {
				t.Fatalf("accepted name %q and a %d-char NPSSO", req.Name, len(npsso.Reveal()))
			}
			return
		}
		msg := err.Error()
		var fields map[string]any
		if json.Unmarshal(body, &fields) == nil {
			for k, v := range fields {
				if len(k) > 24 && strings.Contains(msg, k) {
					t.Fatalf("error %q repeats a long key of the body", msg)
				}
				if s, ok := v.(string); ok && len(s) > 24 && strings.Contains(msg, s) {
					t.Fatalf("error %q repeats a long value of the body", msg)
				}
			}
		}
	})
}

// FuzzParseBearer: a credential is returned only from a Bearer header and
// never holds white space.
func FuzzParseBearer(f *testing.F) {
	f.Add("Bearer psnv_0123456789abcdef_" + strings.Repeat("A", 43))
	f.Add("bearer x")
	f.Add("Basic abc")
	f.Add("Bearer  a b")
	f.Fuzz(func(t *testing.T, h string) {
		cred, ok := parseBearer(h)
		if !ok {
			return
		}
		if cred == "" || strings.ContainsAny(cred, " \t") || !strings.HasPrefix(strings.ToLower(h), "bearer ") || !strings.Contains(h, cred) {
			t.Fatalf("parseBearer(%q) = %q", h, cred)
		}
		if _, err := ParseAPIKey(cred); err == nil && len(cred) != len(APIKeyPrefix)+16+1+43 {
			t.Fatalf("ParseAPIKey accepted a %d-char key", len(cred))
		}
	})
}

// FuzzParseAPIKey: only the exact psnv_<16 lower hex>_<43 base64url>
// shape is accepted, and the id returned is the one in the key.
func FuzzParseAPIKey(f *testing.F) {
	f.Add("psnv_0123456789abcdef_" + strings.Repeat("A", 43))
	f.Add("psnv_0123456789ABCDEF_" + strings.Repeat("A", 43))
	f.Add("psnv__")
	f.Fuzz(func(t *testing.T, key string) {
		id, err := ParseAPIKey(key)
		if err != nil {
			return
		}
		if len(key) != 5+16+1+43 || key[5:21] != id || strings.ToLower(id) != id {
			t.Fatalf("ParseAPIKey(%q) = %q", key, id)
		}
	})
}
