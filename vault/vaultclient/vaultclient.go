// Package vaultclient is a psn.TokenSource backed by a token vault
// (`psn-vault serve`, docs/vault.md): bots on many machines use PSN through
// the vault with an API key and an account name, without ever holding a
// refresh token or an NPSSO.
//
// A Source caches the access token until shortly before its expiry, asks
// the vault once however many goroutines call, and — as a psn.Invalidator —
// after a 401 from PSN asks the vault once for a fresher token, naming the
// rejected one by its fingerprint (GET /v1/accounts/{name}/token?rejected=…)
// so that the vault does not hand the same token back.
//
// It imports only psn, the standard library and singleflight: no store, no
// vault internals.
package vaultclient

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/psnkit/psn"
	"golang.org/x/sync/singleflight"
)

// Defaults of a Source.
const (
	// DefaultMargin is how long before its expiry a cached token is
	// fetched again (the vault serves tokens valid for at least 60 s).
	DefaultMargin = 30 * time.Second
	// DefaultFetchTimeout bounds one request to the vault (the vault may
	// wait up to 70 s for a refresh at PSN).
	DefaultFetchTimeout = 80 * time.Second
	// maxBody caps the vault's answer.
	maxBody = 64 << 10
)

// Errors of the package. An *APIError matches the one its code or status
// stands for; errors.Is(err, psn.ErrLoginRequired) is true for an account
// that needs a human login, and errors.Is(err, psn.ErrNoToken) for an
// account the vault does not have, as for any other token store.
var (
	// ErrBadConfig: New was given a bad base URL, API key or account name.
	ErrBadConfig = errors.New("vaultclient: bad configuration")
	// ErrNotFound: the vault has no account of that name (404).
	ErrNotFound = errors.New("vaultclient: account not found in the vault")
	// ErrUnauthorized: the API key is missing, wrong or revoked (401).
	ErrUnauthorized = errors.New("vaultclient: API key refused")
	// ErrForbidden: the API key may not read this account (403).
	ErrForbidden = errors.New("vaultclient: API key not allowed for this account")
	// ErrUnavailable: the vault or PSN behind it cannot serve a token right
	// now (502, 503, 504); trying later may help.
	ErrUnavailable = errors.New("vaultclient: vault unavailable")
	// ErrBadResponse: the answer is not the vault's JSON.
	ErrBadResponse = errors.New("vaultclient: unexpected answer from the vault")
)

// APIError is an error answer of the vault: its HTTP status and the code
// and message of its {"error":{…}} body. Messages never hold a secret.
type APIError struct {
	// Status is the HTTP status code.
	Status int
	// Code is the vault's error code, e.g. "account_not_found",
	// "login_required", "unauthorized", "forbidden".
	Code string
	// Message is the vault's explanation.
	Message string
	// Which and At are set on login_required: which secret stopped
	// working ("refresh token" or "NPSSO") and when.
	Which psn.SecretKind
	// At is when the secret was refused (login_required only).
	At time.Time
}

// Error implements error.
func (e *APIError) Error() string {
	return fmt.Sprintf("vaultclient: vault answered %d %s: %s", e.Status, e.Code, e.Message)
}

// Is makes errors.Is match the sentinel the code or status stands for.
func (e *APIError) Is(target error) bool {
	switch target {
	case psn.ErrLoginRequired:
		return e.Code == "login_required"
	case ErrNotFound:
		return e.Code == "account_not_found" || e.Code == "not_found"
	case psn.ErrNoToken:
		// The vault is the Source's token store: an account it does not
		// have is the condition every token store reports as ErrNoToken.
		return e.Code == "account_not_found"
	case ErrUnauthorized:
		return e.Status == http.StatusUnauthorized
	case ErrForbidden:
		return e.Status == http.StatusForbidden
	case ErrUnavailable:
		return e.Status == http.StatusBadGateway || e.Status == http.StatusServiceUnavailable || e.Status == http.StatusGatewayTimeout
	}
	return false
}

// Option configures a Source.
type Option func(*Source)

// WithHTTPClient makes the Source talk to the vault through hc (default: a
// client of its own on http.DefaultTransport).
func WithHTTPClient(hc *http.Client) Option {
	return func(s *Source) {
		if hc != nil {
			s.hc = hc
		}
	}
}

// WithMargin sets how long before its expiry a cached token is fetched
// again (default DefaultMargin). For tokens that live a short time (a
// simulator) the margin shrinks to a quarter of what was left of the token
// when it arrived, so that a Source does not ask for every call.
func WithMargin(d time.Duration) Option {
	return func(s *Source) {
		if d > 0 {
			s.margin = d
		}
	}
}

// WithFetchTimeout bounds one request to the vault (default
// DefaultFetchTimeout). A caller's ctx ends its own wait sooner; the
// request then goes on for the other callers.
func WithFetchTimeout(d time.Duration) Option {
	return func(s *Source) {
		if d > 0 {
			s.fetchTimeout = d
		}
	}
}

// Source is a psn.TokenSource and psn.Invalidator that gets one account's
// access token from a vault. It is safe for concurrent use. Its String
// shows the vault and account, never the API key or a token.
type Source struct {
	tokenURL     string // …/v1/accounts/{name}/token
	key          psn.Secret
	account      string
	hc           *http.Client
	margin       time.Duration
	fetchTimeout time.Duration
	now          func() time.Time

	sf singleflight.Group

	mu        sync.Mutex
	cur       *psn.Token // nil: fetch on the next Token
	refreshAt time.Time  // cur is served until then
	last      string     // the access token last fetched
	rejected  string     // fingerprint to send with the next fetch, or ""
}

var (
	_ psn.TokenSource = (*Source)(nil)
	_ psn.Invalidator = (*Source)(nil)
)

// New returns a Source for account at the vault at baseURL (http or https,
// e.g. "http://127.0.0.1:8788", optionally with a path prefix), using the
// API key apiKey. A bad URL, an empty key or account name is an error
// matching ErrBadConfig (it never repeats the key).
func New(baseURL string, apiKey psn.Secret, account string, opts ...Option) (*Source, error) {
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil {
		return nil, fmt.Errorf("%w: base URL is not a URL", ErrBadConfig)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("%w: base URL must start with http:// or https:// (got scheme %q)", ErrBadConfig, u.Scheme)
	case u.Host == "":
		return nil, fmt.Errorf("%w: base URL has no host", ErrBadConfig)
	case u.User != nil:
		return nil, fmt.Errorf("%w: base URL must not hold credentials; pass the API key instead", ErrBadConfig)
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return nil, fmt.Errorf("%w: base URL must not have a query or fragment", ErrBadConfig)
	}
	k := apiKey.Reveal()
	if k == "" || strings.IndexFunc(k, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0 {
		return nil, fmt.Errorf("%w: the API key is empty or holds spaces or control characters", ErrBadConfig)
	}
	if account == "" || strings.ContainsAny(account, "/?#") {
		return nil, fmt.Errorf("%w: account name %q is empty or holds /, ? or #", ErrBadConfig, account)
	}
	u.Path = strings.TrimRight(u.Path, "/") + "/v1/accounts/" + account + "/token"
	u.RawPath = ""
	s := &Source{
		tokenURL:     u.String(),
		key:          apiKey,
		account:      account,
		hc:           &http.Client{},
		margin:       DefaultMargin,
		fetchTimeout: DefaultFetchTimeout,
		now:          time.Now,
	}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// String describes the Source without a secret.
func (s *Source) String() string {
	return "vaultclient.Source(" + s.tokenURL + ")"
}

// GoString is String: %#v shows no secret either.
func (s *Source) GoString() string { return s.String() }

// Format prints String for every verb, so that no fmt verb shows the API
// key or a token.
func (s *Source) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// LogValue is String for log/slog.
func (s *Source) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Fingerprint is what the vault's ?rejected= takes: the first 16 hex digits
// of the SHA-256 of an access token (the token never goes into a URL).
func Fingerprint(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return hex.EncodeToString(sum[:8])
}

// Token returns the account's access token: the cached one until shortly
// before its expiry, else one fetched from the vault (one request however
// many goroutines ask). ctx bounds this caller's wait.
func (s *Source) Token(ctx context.Context) (*psn.Token, error) {
	s.mu.Lock()
	if s.cur != nil && s.now().Before(s.refreshAt) {
		t := *s.cur
		s.mu.Unlock()
		return &t, nil
	}
	s.mu.Unlock()
	ch := s.sf.DoChan("token", func() (any, error) {
		// The request outlives a caller that gives up: the others wait on it.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.fetchTimeout)
		defer cancel()
		return s.fetch(fctx)
	})
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		t := *r.Val.(*psn.Token)
		return &t, nil
	}
}

// Invalidate drops rejected (a token PSN answered 401 to) if it is the
// token last fetched: the next Token asks the vault once for another one,
// telling it which one PSN refused. Any other token is ignored.
func (s *Source) Invalidate(_ context.Context, rejected *psn.Token) {
	if rejected == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last == "" || rejected.AccessToken.Reveal() != s.last {
		return
	}
	s.cur = nil
	s.rejected = Fingerprint(s.last)
}

// fetch asks the vault for the token, once.
func (s *Source) fetch(ctx context.Context) (*psn.Token, error) {
	s.mu.Lock()
	if s.cur != nil && s.now().Before(s.refreshAt) { // fetched while we queued
		t := s.cur
		s.mu.Unlock()
		return t, nil
	}
	rejected := s.rejected
	s.mu.Unlock()

	target := s.tokenURL
	if rejected != "" {
		target += "?rejected=" + rejected
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadConfig, err)
	}
	req.Header.Set("Authorization", "Bearer "+s.key.Reveal())
	req.Header.Set("Accept", "application/json")
	resp, err := s.hc.Do(req)
	if err != nil {
		// *url.Error names the URL (no secret in it) and the cause.
		return nil, fmt.Errorf("vaultclient: account %q: %w", s.account, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("vaultclient: account %q: reading the answer: %w", s.account, err)
	}
	if len(body) > maxBody {
		return nil, fmt.Errorf("%w: answer larger than %d bytes", ErrBadResponse, maxBody)
	}
	tok, err := parseAnswer(resp.StatusCode, body, rejected)
	if err != nil {
		return nil, err
	}
	now := s.now()
	margin := s.margin
	if left := tok.Expiry.Sub(now); left/4 < margin {
		margin = left / 4
	}
	s.mu.Lock()
	s.cur, s.refreshAt, s.last = tok, tok.Expiry.Add(-margin), tok.AccessToken.Reveal()
	if s.rejected == rejected {
		s.rejected = ""
	}
	s.mu.Unlock()
	return tok, nil
}

// parseAnswer reads the vault's answer to a token request: a token on 200,
// else an error. A token whose fingerprint is rejected is refused.
func parseAnswer(status int, body []byte, rejected string) (*psn.Token, error) {
	if status != http.StatusOK {
		return nil, decodeError(status, body)
	}
	var tr struct {
		AccessToken string    `json:"accessToken"`
		Expiry      time.Time `json:"expiry"`
	}
	if err := json.Unmarshal(body, &tr); err != nil || tr.AccessToken == "" || tr.Expiry.IsZero() {
		return nil, fmt.Errorf("%w: 200 without an accessToken and expiry", ErrBadResponse)
	}
	if rejected != "" && Fingerprint(tr.AccessToken) == rejected {
		return nil, fmt.Errorf("%w: the vault handed back the token PSN rejected", ErrBadResponse)
	}
	return &psn.Token{AccessToken: psn.Secret(tr.AccessToken), TokenType: "bearer", Expiry: tr.Expiry}, nil
}

// decodeError turns an error answer into an *APIError; a body that is not
// the vault's JSON keeps only the status (it is never quoted).
func decodeError(status int, body []byte) error {
	var eb struct {
		Error struct {
			Code    string         `json:"code"`
			Message string         `json:"message"`
			Which   psn.SecretKind `json:"secret"`
			At      time.Time      `json:"at"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &eb); err != nil || eb.Error.Code == "" {
		return &APIError{Status: status, Code: "http_" + fmt.Sprint(status), Message: "the answer is not the vault's JSON error (" + http.StatusText(status) + ")"}
	}
	msg := eb.Error.Message
	if len(msg) > 512 {
		msg = msg[:512] + "…"
	}
	return &APIError{Status: status, Code: eb.Error.Code, Message: msg, Which: eb.Error.Which, At: eb.Error.At}
}
