package psn

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

var malformedSuffix = regexp.MustCompile(`^( \(got \d+ characters, want 64\)| \(character \d+ is not a letter or digit\))?$`)

func FuzzParseNPSSO(f *testing.F) {
	for _, s := range []string{testNPSSO, `{"npsso":"` + testNPSSO + `"}`, "", "{", `{"npsso":null}`, " \t" + testNPSSO + "\n", strings.Repeat("é", 32)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := ParseNPSSO(in)
		if err != nil {
			if !errors.Is(err, ErrMalformedNPSSO) {
				t.Fatalf("error %v is not ErrMalformedNPSSO", err)
			}
			// The message is one of the fixed templates: it cannot echo the input.
			rest, ok := strings.CutPrefix(err.Error(), ErrMalformedNPSSO.Error())
			if !ok || !malformedSuffix.MatchString(rest) {
				t.Fatalf("unexpected error text %q", err)
			}
			return
		}
		if len(got) != npssoLen {
			t.Fatalf("accepted a %d-character NPSSO", len(got))
		}
		// Accepted values round-trip through both accepted forms.
		if again, err := ParseNPSSO(`{"npsso":"` + string(got) + `"}`); err != nil || again != got {
			t.Fatalf("JSON form of an accepted NPSSO rejected: %v", err)
		}
	})
}

func FuzzParseAuthorizeLocation(f *testing.F) {
	for _, s := range []string{
		RedirectURI + "/?code=v3.kqNaIA&cid=00000000-0000-0000-0000-5d152414a040",
		"https://my.account.sony.com/sonyacct/signin/?error=login_required&error_code=4165&error_description=User+is+not+authenticated",
		RedirectURI + "/", "", "%", RedirectURI + "/?code=", "http://[::1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, loc string) {
		code, err := ParseAuthorizeLocation(loc)
		if err != nil {
			if !errors.Is(err, ErrNPSSORejected) {
				t.Fatalf("error %v is not ErrNPSSORejected", err)
			}
			return
		}
		if code == "" || !strings.HasPrefix(loc, RedirectURI) {
			t.Fatalf("code %q from a Location that is not the app redirect", code.Reveal())
		}
	})
}

func FuzzDecodeTokenResponse(f *testing.F) {
	f.Add([]byte(`{"access_token":"a","token_type":"bearer","expires_in":3599,"scope":"s","id_token":"i","refresh_token":"r","refresh_token_expires_in":5183999}`))
	f.Add([]byte(`{"access_token":"a","expires_in":3599}`))
	f.Add([]byte(`{"access_token":`))
	f.Add([]byte(`<html>`))
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		tok, err := decodeTokenResponse(body, now)
		if err != nil {
			if tok != nil {
				t.Fatal("token and error")
			}
			// The message never quotes the body (which would hold tokens).
			if len(body) > 12 && strings.Contains(err.Error(), string(body[:12])) && bytes.ContainsAny(body[:12], "abcdefghijklmnopqrstuvwxyz") {
				t.Fatalf("error quotes the body: %v", err)
			}
			return
		}
		if tok.AccessToken == "" || !tok.Expiry.After(now) || (tok.RefreshToken != "" && !tok.RefreshExpiry.After(now)) {
			t.Fatalf("accepted an unusable token: %v", tok)
		}
	})
}

// FuzzStatusError: any error body from a data API maps to a typed error.
func FuzzStatusError(f *testing.F) {
	f.Add(404, []byte(`{"error":{"referenceId":"r","code":2240525,"message":"Resource not found"}}`), "")
	f.Add(403, []byte(`<HTML><HEAD><TITLE>Access Denied</TITLE>`), "text/html")
	f.Add(429, []byte(`{"error":{"code":2138635}}`), "application/json")
	f.Add(500, []byte(`{"error":`), "")
	f.Add(400, []byte(`{"error":"invalid_grant"}`), "")
	f.Fuzz(func(t *testing.T, status int, body []byte, ctype string) {
		if status < 300 || status > 599 {
			return
		}
		u, _ := url.Parse("https://m.np.playstation.com/api/trophy/v1/users/me/trophySummary?secret=x")
		resp := &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {ctype}}, Body: io.NopCloser(bytes.NewReader(body)),
			Request: &http.Request{Method: "GET", URL: u}}
		resp.Request = resp.Request.WithContext(t.Context())
		err := statusError(resp, body)
		var api *APIError
		var edge *EdgeError
		var rl *RateLimitError
		if !errors.As(err, &api) && !errors.As(err, &edge) && !errors.As(err, &rl) {
			t.Fatalf("untyped error %T %v", err, err)
		}
		if strings.Contains(err.Error(), "secret=x") {
			t.Fatal("error holds the query")
		}
	})
}

func FuzzParseNextAvailable(f *testing.F) {
	f.Add("1764000000", "")
	f.Add("", "120")
	f.Add("", "Wed, 21 Oct 2015 07:28:00 GMT")
	f.Add("1e300", "-5")
	now := time.Now()
	f.Fuzz(func(t *testing.T, next, retry string) {
		h := http.Header{}
		h.Set("X-RateLimit-Next-Available", next)
		h.Set("Retry-After", retry)
		_ = parseNextAvailable(h, now) // must not panic
	})
}
