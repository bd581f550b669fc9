package psn

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/psnkit/psn/tokenerr"
)

// Sentinel errors. Every error psnkit returns matches at most a few of these
// with errors.Is; the typed errors below carry the details (use errors.As).
var (
	// ErrMalformedNPSSO: the NPSSO given is neither the raw 64-character
	// value nor the {"npsso":"…"} JSON that Sony's page shows. No request
	// was sent.
	ErrMalformedNPSSO = errors.New("psn: malformed NPSSO: paste the 64-character value or the whole {\"npsso\":\"…\"} JSON from https://ca.account.sony.com/api/v1/ssocookie")
	// ErrNPSSORejected: PSN did not accept the NPSSO (invalid, expired, or
	// replaced by a newer one): a human must sign in again.
	ErrNPSSORejected = errors.New("psn: NPSSO invalid or expired: sign in at playstation.com and fetch a new one")
	// ErrInvalidGrant: the token endpoint answered invalid_grant (a dead
	// refresh token or a used/expired authorization code). Never retried.
	ErrInvalidGrant = errors.New("psn: invalid grant")
	// ErrLoginRequired: neither the refresh token nor a stored NPSSO can
	// produce a new access token; a human must log in again. The error is a
	// *LoginRequiredError saying which secret failed and when.
	ErrLoginRequired = errors.New("psn: login required")
	// ErrEdgeBlocked: the edge (Akamai) refused the request with an HTML
	// page, usually 403; it typically passes again after a while.
	ErrEdgeBlocked = errors.New("psn: request refused by PSN's edge")
	// ErrRateLimited: PSN (or this client's own limiter) says not now. See
	// *RateLimitError for the instant when requests may resume.
	ErrRateLimited = errors.New("psn: rate limited")
	// ErrUnauthorized: the access token was rejected (HTTP 401).
	ErrUnauthorized = errors.New("psn: unauthorized")
	// ErrForbidden: HTTP 403 from the API, usually another user's privacy
	// settings: a normal outcome, not a fault.
	ErrForbidden = errors.New("psn: forbidden")
	// ErrNotFound: HTTP 404, or PSN's "not found" codes.
	ErrNotFound = errors.New("psn: not found")
	// ErrBadRequest: HTTP 400 from a data API (a wrong id or parameter).
	ErrBadRequest = errors.New("psn: bad request")
	// ErrServer: HTTP 5xx after the retries ran out.
	ErrServer = errors.New("psn: server error")
	// ErrBodyTooLarge: the response body exceeded the client's cap.
	ErrBodyTooLarge = errors.New("psn: response body too large")
	// ErrUnexpectedResponse: the response could not be understood (HTML
	// where JSON was due, truncated or wrongly typed JSON, a redirect
	// without a code).
	ErrUnexpectedResponse = errors.New("psn: unexpected response")
	// ErrNoTokenSource: a data call on a Client that has no token source.
	ErrNoTokenSource = errors.New("psn: client has no token source: use Client.WithTokenSource")
	// ErrBadDuration: a string is not an ISO 8601 duration this client reads.
	ErrBadDuration = errors.New("psn: bad ISO 8601 duration")
	// ErrInvalidID: an id given to a data call is empty (or otherwise unusable).
	// No request was sent. The error is an *InvalidIDError naming the parameter.
	ErrInvalidID = errors.New("psn: invalid id")
	// ErrPageLoop: PSN's pagination did not advance (a nextOffset that repeats,
	// goes backwards, or claims more items after an empty page). The iterator
	// stops with a *PageLoopError instead of looping for ever.
	ErrPageLoop = errors.New("psn: pagination does not advance")
	// ErrSourceClosed: a refresh was needed after Close.
	ErrSourceClosed = errors.New("psn: token source closed")
	// ErrNoRegion: a profile's npId does not hold a country.
	ErrNoRegion = errors.New("psn: npId holds no region")
	// ErrBadEndpoint: WithEndpoint was given something that is not an
	// http(s) base URL. See EndpointError.
	ErrBadEndpoint = errors.New("psn: bad endpoint")
)

// EndpointError says why WithEndpoint's value is unusable. A Client built
// with it reports it from Client.Err and fails every request with it,
// before anything is sent (never falling back to Sony's hosts). It matches
// ErrBadEndpoint.
type EndpointError struct {
	// Endpoint is the value given, with any password redacted; empty when
	// it did not parse as a URL.
	Endpoint string
	// Problem says what is wrong ("scheme must be http or https", …).
	Problem string
}

// Error describes the failure.
func (e *EndpointError) Error() string {
	if e.Endpoint == "" {
		return "psn: bad endpoint: " + e.Problem
	}
	return fmt.Sprintf("psn: bad endpoint %q: %s", e.Endpoint, e.Problem)
}

// Is makes errors.Is(err, ErrBadEndpoint) work.
func (e *EndpointError) Is(target error) bool { return target == ErrBadEndpoint }

// Errors of TokenStore implementations. Each is the same value as the
// store package's error for the condition (see package tokenerr), so
// errors.Is matches either name whichever layer returned the error.
var (
	// ErrNoToken: the store holds no token for the account. It is
	// store.ErrNotFound.
	ErrNoToken = tokenerr.ErrNotFound
	// ErrVersionConflict: Save lost a compare-and-swap; someone else saved
	// first. The caller re-reads. It is store.ErrConflict.
	ErrVersionConflict = tokenerr.ErrConflict
	// ErrLeaseHeld: another holder has the account's refresh lease (Lease
	// found it held, or the lease taken was granted to someone else since).
	// It is store.ErrLeaseLost.
	ErrLeaseHeld = tokenerr.ErrLeaseHeld
)

// snippet returns at most n bytes of body as printable single-line text, for
// error messages. Callers never pass a body that may hold a secret.
func snippet(body []byte, n int) string {
	if len(body) > n {
		body = body[:n]
		for len(body) > 0 && !utf8.Valid(body) {
			body = body[:len(body)-1]
		}
	}
	s := strings.Join(strings.Fields(string(body)), " ")
	return s
}

// OAuthError is an RFC 6749 §5.2 error from the token endpoint, such as
// invalid_grant. errors.Is(err, ErrInvalidGrant) reports whether Code is
// "invalid_grant".
type OAuthError struct {
	Status      int    // HTTP status
	Code        string // "invalid_grant", "invalid_client", …
	Description string // error_description
	ErrorCode   int    // PSN's numeric error_code when present (4159: invalid refresh token)
}

// Error describes the failure; it never holds a secret.
func (e *OAuthError) Error() string {
	s := fmt.Sprintf("psn: token endpoint: %s (HTTP %d)", e.Code, e.Status)
	if e.Description != "" {
		s += ": " + e.Description
	}
	if e.ErrorCode != 0 {
		s += fmt.Sprintf(" [code %d]", e.ErrorCode)
	}
	return s
}

// Is makes errors.Is(err, ErrInvalidGrant) and ErrRateLimited work.
func (e *OAuthError) Is(target error) bool {
	switch target {
	case ErrInvalidGrant:
		return e.Code == "invalid_grant"
	case ErrRateLimited:
		return e.Status == http.StatusTooManyRequests
	}
	return false
}

// NPSSOError explains why PSN refused an NPSSO at the authorize step. It
// matches ErrNPSSORejected.
type NPSSOError struct {
	// Reason is PSN's error name ("login_required") or a description of
	// what was wrong with the redirect.
	Reason string
	// ErrorCode is PSN's error_code (4165: user is not authenticated), or 0.
	ErrorCode int
}

// Error describes the failure; it never holds a secret.
func (e *NPSSOError) Error() string {
	s := ErrNPSSORejected.Error()
	if e.Reason != "" {
		s += " (" + e.Reason
		if e.ErrorCode != 0 {
			s += fmt.Sprintf(", code %d", e.ErrorCode)
		}
		s += ")"
	}
	return s
}

// Is makes errors.Is(err, ErrNPSSORejected) work.
func (e *NPSSOError) Is(target error) bool { return target == ErrNPSSORejected }

// EdgeError is a refusal by PSN's edge: an HTML page (usually 403 or 429
// from Akamai) instead of an API answer. It matches ErrEdgeBlocked, and
// ErrRateLimited when the status is 429.
type EdgeError struct {
	Status  int
	URL     string // scheme, host and path only: never the query
	Snippet string // the first bytes of the page, whitespace folded
}

// Error describes the failure; it never holds a secret.
func (e *EdgeError) Error() string {
	return fmt.Sprintf("psn: %s refused by PSN's edge with HTTP %d (retry later): %q", e.URL, e.Status, e.Snippet)
}

// Is makes errors.Is work for ErrEdgeBlocked and, on 429, ErrRateLimited.
func (e *EdgeError) Is(target error) bool {
	return target == ErrEdgeBlocked || (target == ErrRateLimited && e.Status == http.StatusTooManyRequests)
}

// RateLimitError says that no request may be sent before NextAvailable
// (from PSN's X-RateLimit-Next-Available or Retry-After, or this client's
// own limiter). It matches ErrRateLimited.
type RateLimitError struct {
	// NextAvailable is the instant requests may resume; zero if unknown.
	NextAvailable time.Time
	// Local is true when this client refused to send the request (its
	// own limit, or a context deadline before NextAvailable) rather than
	// PSN answering 429.
	Local bool
	// API is PSN's error envelope when the 429 carried one.
	API *APIError
}

// Error describes the failure; it never holds a secret.
func (e *RateLimitError) Error() string {
	who := "PSN"
	if e.Local {
		who = "client-side limit"
	}
	if e.NextAvailable.IsZero() {
		return fmt.Sprintf("psn: rate limited (%s)", who)
	}
	return fmt.Sprintf("psn: rate limited (%s): next request allowed at %s", who, e.NextAvailable.UTC().Format(time.RFC3339))
}

// Is makes errors.Is(err, ErrRateLimited) work.
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// Unwrap exposes the API error envelope, if any.
func (e *RateLimitError) Unwrap() error {
	if e.API == nil {
		return nil
	}
	return e.API
}

// APIError is PSN's error envelope from a data API:
// {"error":{"referenceId":…,"code":2240525,"message":"Resource not found"}}.
// errors.Is matches ErrNotFound, ErrForbidden, ErrUnauthorized,
// ErrBadRequest, ErrRateLimited or ErrServer by status and code.
type APIError struct {
	Status      int    // HTTP status
	Method      string // request method
	URL         string // scheme, host and path only: never the query
	Code        int    // PSN's numeric code, 0 when absent
	Message     string // PSN's message
	ReferenceID string // PSN's referenceId, for support
	Reason      string // gamelist's "reason", when present
	Source      string // gamelist's "source", when present
}

// Error describes the failure; it never holds a secret.
func (e *APIError) Error() string {
	s := fmt.Sprintf("psn: %s %s: HTTP %d", e.Method, e.URL, e.Status)
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Code != 0 {
		s += fmt.Sprintf(" (code %d", e.Code)
		if e.ReferenceID != "" {
			s += ", reference " + e.ReferenceID
		}
		s += ")"
	}
	return s
}

// PSN's known error codes (docs/protocol.md, "Error envelope and codes").
const (
	CodeResourceNotFound = 2240525 // trophy: resource not found
	CodeTrophyForbidden  = 2240526 // trophy: not permitted by access control
	CodeProfileNotFound  = 2281604 // profile not found
	CodeUserNotFound     = 2105356 // user not found (legacy profile2)
	CodeBadAccountID     = 2281473 // bad request (path or query)
	CodeGamelistLimit    = 3239940 // gamelist limit exceeded
	CodeRateLimited      = 2138635 // rate limit exceeded
)

// Is maps the envelope to the sentinel errors.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Status == http.StatusNotFound || e.Code == CodeResourceNotFound || e.Code == CodeProfileNotFound || e.Code == CodeUserNotFound
	case ErrForbidden:
		return e.Status == http.StatusForbidden
	case ErrUnauthorized:
		return e.Status == http.StatusUnauthorized
	case ErrBadRequest:
		return e.Status == http.StatusBadRequest
	case ErrRateLimited:
		return e.Status == http.StatusTooManyRequests || e.Code == CodeRateLimited
	case ErrServer:
		return e.Status >= 500
	}
	return false
}

// SecretKind names a kind of stored secret (never its value), as errors
// report which one failed.
type SecretKind string

// The kinds of secret a LoginRequiredError names.
const (
	SecretRefreshToken SecretKind = "refresh token"
	SecretNPSSO        SecretKind = "NPSSO"
)

// LoginRequiredError says that no stored secret can produce a new access
// token, which one failed last, and when. It matches ErrLoginRequired.
type LoginRequiredError struct {
	// Which is the last secret that failed: SecretRefreshToken or
	// SecretNPSSO.
	Which SecretKind
	// At is when it failed or expired (for an expired refresh token, its
	// expiry instant).
	At time.Time
	// Cause is the error PSN returned, if any.
	Cause error
}

// Error describes the failure; it never holds a secret.
func (e *LoginRequiredError) Error() string {
	s := fmt.Sprintf("psn: login required: the %s stopped working at %s", e.Which, e.At.UTC().Format(time.RFC3339))
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	return s + "; a new login with a fresh NPSSO is needed"
}

// Is makes errors.Is(err, ErrLoginRequired) work.
func (e *LoginRequiredError) Is(target error) bool { return target == ErrLoginRequired }

// Unwrap returns the cause.
func (e *LoginRequiredError) Unwrap() error { return e.Cause }

// ResponseError is a response that could not be understood: HTML where JSON
// was due, truncated or wrongly typed JSON. It matches ErrUnexpectedResponse.
type ResponseError struct {
	Status  int
	URL     string // scheme, host and path only
	Problem string // what was wrong
	Snippet string // first bytes of the body (never from a token response)
	Err     error  // the decoder's error, if any
}

// Error describes the failure; it never holds a secret.
func (e *ResponseError) Error() string {
	s := fmt.Sprintf("psn: unexpected response from %s (HTTP %d): %s", e.URL, e.Status, e.Problem)
	if e.Snippet != "" {
		s += fmt.Sprintf(": %q", e.Snippet)
	}
	return s
}

// Is makes errors.Is(err, ErrUnexpectedResponse) work.
func (e *ResponseError) Is(target error) bool { return target == ErrUnexpectedResponse }

// Unwrap returns the decoder's error.
func (e *ResponseError) Unwrap() error { return e.Err }
