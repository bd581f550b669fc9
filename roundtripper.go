package psn

import (
	"context"
	"io"
	"net/http"

	"golang.org/x/oauth2"
)

// Transport is an http.RoundTripper that adds "Authorization: Bearer …"
// from Source to every request and, after a 401, invalidates exactly that
// token (when Source is an Invalidator), gets a new one and retries once —
// if the request body can be replayed.
type Transport struct {
	Source TokenSource
	// Base is the underlying transport; nil means http.DefaultTransport.
	Base http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	tok, err := t.Source.Token(req.Context())
	if err != nil {
		closeBody(req)
		return nil, err
	}
	resp, err := base.RoundTrip(withBearer(req, tok, req.Body))
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return resp, nil // the body cannot be sent again
	}
	tok2, retry, err := renewAfter401(req.Context(), t.Source, tok)
	if !retry || err != nil || tok2.AccessToken == tok.AccessToken {
		return resp, nil // the 401 stands: it is the caller's answer
	}
	var body io.ReadCloser
	if req.GetBody != nil {
		if body, err = req.GetBody(); err != nil {
			return resp, nil
		}
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return base.RoundTrip(withBearer(req, tok2, body))
}

// renewAfter401 is the one "drop the token after a 401 and retry once"
// path, used by Client.do and Transport. rejected is the token a request
// carried when PSN answered 401. When src can drop tokens (it is an
// Invalidator), renewAfter401 invalidates exactly that token — a token
// another goroutine already replaced stays — and returns the token to send
// the request with once more, or src's error getting it. retry is false
// when src cannot drop tokens: then the 401 stands. Callers send the
// request at most once more, whatever the second answer is.
func renewAfter401(ctx context.Context, src TokenSource, rejected *Token) (next *Token, retry bool, err error) {
	inv, ok := src.(Invalidator)
	if !ok {
		return nil, false, nil
	}
	inv.Invalidate(ctx, rejected)
	next, err = src.Token(ctx)
	return next, true, err
}

// withBearer returns a copy of req with body and tok's bearer header.
func withBearer(req *http.Request, tok *Token, body io.ReadCloser) *http.Request {
	r := req.Clone(req.Context())
	r.Body = body
	r.Header.Set("Authorization", "Bearer "+tok.AccessToken.Reveal())
	return r
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// OAuth2 adapts a TokenSource to golang.org/x/oauth2.TokenSource, for code
// built on oauth2.NewClient. The refresh token is not exposed.
func OAuth2(src TokenSource) oauth2.TokenSource { return oauth2Source{src} }

type oauth2Source struct{ src TokenSource }

func (o oauth2Source) Token() (*oauth2.Token, error) {
	tok, err := o.src.Token(context.Background())
	if err != nil {
		return nil, err
	}
	return &oauth2.Token{AccessToken: tok.AccessToken.Reveal(), TokenType: "Bearer", Expiry: tok.Expiry}, nil
}
