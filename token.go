package psn

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// redacted is what every secret prints as.
const redacted = "[REDACTED]"

// Secret is a string that must not be printed: an access, refresh or id
// token, an authorization code or an NPSSO. fmt, slog and %v print
// "[REDACTED]"; Reveal returns the value for the one place that needs it.
// JSON encoding keeps the value, so that a Token can be persisted; encode
// it only into storage that is itself encrypted.
type Secret string

// Reveal returns the secret's value.
func (s Secret) Reveal() string { return string(s) }

// String returns "[REDACTED]" (or "" for an empty secret).
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString redacts under %#v.
func (s Secret) GoString() string { return `psn.Secret("` + s.String() + `")` }

// Format redacts under every verb, including %s, %q, %x and %v.
func (s Secret) Format(f fmt.State, verb rune) {
	switch verb {
	case 'q':
		fmt.Fprintf(f, "%q", s.String())
	case 'v':
		if f.Flag('#') {
			fmt.Fprint(f, s.GoString())
			return
		}
		fmt.Fprint(f, s.String())
	default:
		fmt.Fprint(f, s.String())
	}
}

// LogValue redacts in log/slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Token is a set of PSN tokens with absolute expiry instants, computed the
// moment the token response arrived. Its String, Format and LogValue
// methods never print a secret.
type Token struct {
	AccessToken  Secret `json:"accessToken"`
	RefreshToken Secret `json:"refreshToken,omitempty"`
	IDToken      Secret `json:"idToken,omitempty"`
	// TokenType is "bearer".
	TokenType string `json:"tokenType"`
	// Scope as PSN returned it (its word order may change on refresh).
	Scope string `json:"scope,omitempty"`
	// Expiry is when the access token expires.
	Expiry time.Time `json:"expiry"`
	// RefreshExpiry is when the refresh token expires. A refresh does not
	// extend it.
	RefreshExpiry time.Time `json:"refreshExpiry"`
	// IssuedAt is when the token response arrived.
	IssuedAt time.Time `json:"issuedAt"`
}

// Expired reports whether the access token is expired at t.
func (t *Token) Expired(at time.Time) bool {
	return t == nil || t.AccessToken == "" || !at.Before(t.Expiry)
}

// RefreshExpired reports whether the refresh token is expired (or absent)
// at t.
func (t *Token) RefreshExpired(at time.Time) bool {
	return t == nil || t.RefreshToken == "" || !at.Before(t.RefreshExpiry)
}

// Valid reports whether the access token is usable for at least margin
// after t.
func (t *Token) Valid(at time.Time, margin time.Duration) bool {
	return !t.Expired(at.Add(margin))
}

// String describes the token without any secret.
func (t Token) String() string {
	return fmt.Sprintf("psn.Token{access:%s refresh:%s expiry:%s refreshExpiry:%s}",
		t.AccessToken.String(), t.RefreshToken.String(),
		t.Expiry.UTC().Format(time.RFC3339), t.RefreshExpiry.UTC().Format(time.RFC3339))
}

// Format prints String under every verb, so %v, %+v and %#v are safe.
func (t Token) Format(f fmt.State, verb rune) { fmt.Fprint(f, t.String()) }

// LogValue logs the expiry instants only.
func (t Token) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Time("expiry", t.Expiry.UTC()),
		slog.Time("refreshExpiry", t.RefreshExpiry.UTC()),
		slog.String("scope", t.Scope),
	)
}

// MarshalJSON encodes the token with its instants in RFC 3339 UTC. The
// result holds the secrets: seal it before storing it anywhere.
func (t Token) MarshalJSON() ([]byte, error) {
	type plain Token
	p := plain(t)
	p.Expiry, p.RefreshExpiry, p.IssuedAt = p.Expiry.UTC(), p.RefreshExpiry.UTC(), p.IssuedAt.UTC()
	return json.Marshal(p)
}

// tokenResponse is the token endpoint's JSON (docs/protocol.md, "Token
// response").
type tokenResponse struct {
	AccessToken           string `json:"access_token"`
	TokenType             string `json:"token_type"`
	ExpiresIn             int64  `json:"expires_in"`
	Scope                 string `json:"scope"`
	IDToken               string `json:"id_token"`
	RefreshToken          string `json:"refresh_token"`
	RefreshTokenExpiresIn int64  `json:"refresh_token_expires_in"`
}

// maxLifetime bounds the lifetimes a token response may claim (ten years):
// anything larger is a broken response, not a token.
const maxLifetime = 10 * 365 * 24 * 3600

// decodeTokenResponse parses a token response received at now into a
// Token. It never echoes body bytes in its errors.
func decodeTokenResponse(body []byte, now time.Time) (*Token, error) {
	var r tokenResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("token response is not valid JSON: %w", jsonProblem(err))
	}
	switch {
	case r.AccessToken == "":
		return nil, fmt.Errorf("token response has no access_token")
	case r.ExpiresIn <= 0 || r.ExpiresIn > maxLifetime:
		return nil, fmt.Errorf("token response has expires_in %d", r.ExpiresIn)
	case r.RefreshTokenExpiresIn < 0 || r.RefreshTokenExpiresIn > maxLifetime:
		return nil, fmt.Errorf("token response has refresh_token_expires_in %d", r.RefreshTokenExpiresIn)
	case r.RefreshToken != "" && r.RefreshTokenExpiresIn == 0:
		return nil, fmt.Errorf("token response has a refresh_token without refresh_token_expires_in")
	}
	now = now.UTC()
	t := &Token{
		AccessToken:  Secret(r.AccessToken),
		RefreshToken: Secret(r.RefreshToken),
		IDToken:      Secret(r.IDToken),
		TokenType:    r.TokenType,
		Scope:        r.Scope,
		Expiry:       now.Add(time.Duration(r.ExpiresIn) * time.Second),
		IssuedAt:     now,
	}
	if r.RefreshToken != "" {
		t.RefreshExpiry = now.Add(time.Duration(r.RefreshTokenExpiresIn) * time.Second)
	}
	return t, nil
}

// jsonProblem strips a JSON decoding error down to its kind and position:
// encoding/json's messages can quote input, and a token body is secret.
func jsonProblem(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Errorf("field %q has the wrong type (%s)", typ.Field, typ.Value)
	default:
		return fmt.Errorf("truncated or invalid JSON")
	}
}
