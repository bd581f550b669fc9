package psn

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// npssoLen is the length of a real NPSSO.
const npssoLen = 64

// ParseNPSSO accepts what a user pastes: the raw 64-character NPSSO, or the
// {"npsso":"…"} JSON that https://ca.account.sony.com/api/v1/ssocookie
// shows, with surrounding white space. Anything else is ErrMalformedNPSSO,
// decided before any request is sent. The error never echoes the input.
func ParseNPSSO(input string) (Secret, error) {
	s := strings.TrimSpace(input)
	if strings.HasPrefix(s, "{") {
		var v struct {
			NPSSO *string `json:"npsso"`
		}
		if err := json.Unmarshal([]byte(s), &v); err != nil || v.NPSSO == nil {
			return "", ErrMalformedNPSSO
		}
		s = strings.TrimSpace(*v.NPSSO)
	}
	if len(s) != npssoLen {
		return "", fmt.Errorf("%w (got %d characters, want %d)", ErrMalformedNPSSO, len(s), npssoLen)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return "", fmt.Errorf("%w (character %d is not a letter or digit)", ErrMalformedNPSSO, i+1)
		}
	}
	return Secret(s), nil
}

// AuthorizeURL is the authorize request (docs/protocol.md, "NPSSO →
// authorization code"), as sent to Sony.
func AuthorizeURL() string {
	q := url.Values{
		"access_type":   {"offline"},
		"client_id":     {ClientID},
		"redirect_uri":  {RedirectURI},
		"response_type": {"code"},
		"scope":         {Scope},
	}
	return AuthBaseURL + "/authorize?" + q.Encode()
}

// Authorize exchanges an NPSSO for an authorization code (docs/protocol.md,
// "NPSSO → authorization code").
// It sends the NPSSO as a cookie, does not follow the redirect, and takes
// the code from the Location after "redirect/". A redirect to Sony's
// sign-in page, or one without a code, is an *NPSSOError.
func (c *Client) Authorize(ctx context.Context, npsso Secret) (code Secret, err error) {
	if _, err := ParseNPSSO(string(npsso)); err != nil {
		return "", err
	}
	h := http.Header{}
	h.Set("Cookie", "npsso="+npsso.Reveal())
	h.Set("User-Agent", c.cfg.userAgent)
	h.Set("Accept", "*/*")
	resp, body, err := c.send(ctx, exchange{method: http.MethodGet, url: AuthorizeURL(), header: h, kind: kindIdempotent, maxBody: 1 << 20})
	if err != nil {
		return "", err
	}
	switch resp.StatusCode {
	case http.StatusFound, http.StatusSeeOther, http.StatusMovedPermanently, http.StatusTemporaryRedirect:
		code, err := ParseAuthorizeLocation(resp.Header.Get("Location"))
		return code, err
	}
	return "", authStatusError(resp, body, true)
}

// ParseAuthorizeLocation reads the authorization code from the Location of
// the authorize redirect: "com.scee.psxandroid.scecompcall://redirect/?code=v3.…&cid=…".
// A redirect elsewhere (Sony's sign-in page with error=login_required and
// error_code=4165) or without a code is an *NPSSOError.
func ParseAuthorizeLocation(loc string) (Secret, error) {
	loc = strings.TrimSpace(loc)
	if loc == "" {
		return "", &NPSSOError{Reason: "redirect without a Location"}
	}
	u, err := url.Parse(loc)
	if err != nil {
		return "", &NPSSOError{Reason: "redirect to an unreadable Location"}
	}
	q := u.Query()
	if strings.HasPrefix(loc, RedirectURI) {
		// The code is in the query of the part after "redirect/".
		rest := loc[len(RedirectURI):]
		if i := strings.IndexByte(rest, '?'); i >= 0 {
			q, _ = url.ParseQuery(rest[i+1:])
		} else {
			q = url.Values{}
		}
		if code := q.Get("code"); code != "" {
			return Secret(code), nil
		}
	}
	e := &NPSSOError{Reason: "redirect without a code"}
	if name := q.Get("error"); name != "" {
		e.Reason = name
		if d := q.Get("error_description"); d != "" {
			e.Reason += ": " + d
		}
	}
	if n, err := strconv.Atoi(q.Get("error_code")); err == nil {
		e.ErrorCode = n
	}
	return "", e
}

// basicAuth is the Authorization header of the token endpoint.
func basicAuth() string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(ClientID+":"+clientSecret))
}

// ExchangeCode exchanges an authorization code for tokens (docs/protocol.md,
// "Token grants").
// The expiry instants are computed from the client's clock the moment the
// response arrives.
func (c *Client) ExchangeCode(ctx context.Context, code Secret) (*Token, error) {
	if code == "" {
		return nil, fmt.Errorf("psn: ExchangeCode: empty authorization code")
	}
	form := "code=" + url.QueryEscape(code.Reveal()) +
		"&redirect_uri=" + url.QueryEscape(RedirectURI) +
		"&grant_type=authorization_code&token_format=jwt"
	return c.tokenGrant(ctx, form)
}

// Refresh exchanges a refresh token for new tokens (docs/protocol.md, "Token
// grants"). When the response carries no refresh token, the returned Token
// has none either: callers that keep tokens (the TokenSource does) keep the
// old one.
func (c *Client) Refresh(ctx context.Context, refreshToken Secret) (*Token, error) {
	if refreshToken == "" {
		return nil, fmt.Errorf("psn: Refresh: empty refresh token")
	}
	form := "refresh_token=" + url.QueryEscape(refreshToken.Reveal()) +
		"&grant_type=refresh_token&token_format=jwt&scope=" + url.QueryEscape(Scope)
	return c.tokenGrant(ctx, form)
}

// Login exchanges an NPSSO for tokens: Authorize, then ExchangeCode.
func (c *Client) Login(ctx context.Context, npsso Secret) (*Token, error) {
	code, err := c.Authorize(ctx, npsso)
	if err != nil {
		return nil, err
	}
	return c.ExchangeCode(ctx, code)
}

// tokenGrant posts a grant to the token endpoint; it is retried only when
// the request provably never left this machine.
func (c *Client) tokenGrant(ctx context.Context, form string) (*Token, error) {
	h := http.Header{}
	h.Set("Authorization", basicAuth())
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	h.Set("User-Agent", c.cfg.userAgent)
	h.Set("Accept", "application/json")
	resp, body, err := c.send(ctx, exchange{method: http.MethodPost, url: AuthBaseURL + "/token", body: []byte(form), header: h, kind: kindTokenPost, maxBody: 1 << 20})
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusOK {
		tok, err := decodeTokenResponse(body, c.cfg.now())
		if err != nil {
			return nil, &ResponseError{Status: resp.StatusCode, URL: safeURL(resp.Request.URL), Problem: err.Error(), Err: err}
		}
		return tok, nil
	}
	return nil, authStatusError(resp, body, false)
}

// oauthErrorBody is RFC 6749 §5.2's error JSON, plus PSN's error_code.
type oauthErrorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
	ErrorCode   int    `json:"error_code"`
}

// authStatusError maps a non-success answer of the auth endpoints.
func authStatusError(resp *http.Response, body []byte, authorize bool) error {
	where := safeURL(resp.Request.URL)
	var oe oauthErrorBody
	if !isHTML(resp, body) && json.Unmarshal(body, &oe) == nil && oe.Error != "" {
		e := &OAuthError{Status: resp.StatusCode, Code: oe.Error, Description: oe.Description, ErrorCode: oe.ErrorCode}
		if resp.StatusCode == http.StatusTooManyRequests {
			return &RateLimitError{NextAvailable: parseNextAvailable(resp.Header, time.Now()), API: &APIError{Status: resp.StatusCode, Method: resp.Request.Method, URL: where, Message: e.Error()}}
		}
		if authorize && oe.Error == "login_required" {
			return &NPSSOError{Reason: oe.Error, ErrorCode: oe.ErrorCode}
		}
		return e
	}
	switch {
	case isHTML(resp, body) && (resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusTooManyRequests):
		return &EdgeError{Status: resp.StatusCode, URL: where, Snippet: snippet(body, 120)}
	case resp.StatusCode == http.StatusTooManyRequests:
		return &RateLimitError{NextAvailable: parseNextAvailable(resp.Header, time.Now())}
	case resp.StatusCode >= 500:
		return &APIError{Status: resp.StatusCode, Method: resp.Request.Method, URL: where, Message: snippet(body, 120)}
	case authorize && resp.StatusCode == http.StatusOK:
		return &NPSSOError{Reason: "authorize answered with a page instead of a redirect"}
	}
	sn := ""
	if resp.StatusCode >= 400 {
		sn = snippet(body, 120)
	}
	return &ResponseError{Status: resp.StatusCode, URL: where, Problem: "not an OAuth answer", Snippet: sn}
}
