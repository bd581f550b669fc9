package vaultclient

import (
	"errors"
	"testing"
)

// FuzzParseAnswer: any answer of the vault is a token or a typed error
// that never quotes the body (beyond the vault's own message).
func FuzzParseAnswer(f *testing.F) {
	f.Add(200, []byte(`{"accessToken":"abc","expiry":"2030-01-01T00:00:00Z"}`), "")
	f.Add(409, []byte(`{"error":{"code":"login_required","message":"m","secret":"NPSSO","at":"2030-01-01T00:00:00Z"}}`), "")
	f.Add(404, []byte(`<html>`), "")
	f.Add(200, []byte(`{"accessToken":"abc","expiry":"2030-01-01T00:00:00Z"}`), Fingerprint("abc"))
	f.Fuzz(func(t *testing.T, status int, body []byte, rejected string) {
		tok, err := parseAnswer(status, body, rejected)
		if (tok == nil) == (err == nil) {
			t.Fatalf("token %v and error %v", tok, err)
		}
		if err != nil {
			var ae *APIError
			if !errors.As(err, &ae) && !errors.Is(err, ErrBadResponse) {
				t.Fatalf("untyped error %v", err)
			}
			if status == 200 && !errors.Is(err, ErrBadResponse) {
				t.Fatalf("200 gave %v", err)
			}
			if ae != nil && ae.Code == "" {
				t.Fatalf("APIError without a code: %v", err)
			}
			return
		}
		if status != 200 || tok.AccessToken == "" || tok.Expiry.IsZero() {
			t.Fatalf("token from status %d: %+v", status, tok)
		}
		if rejected != "" && Fingerprint(tok.AccessToken.Reveal()) == rejected {
			t.Fatal("the rejected token was accepted")
		}
	})
}
