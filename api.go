package psn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Call sends an authenticated request to any PSN URL (one of Sony's hosts;
// WithEndpoint applies) and decodes the JSON answer into out, like
// psn-api's generic call. query may be nil; in, when not nil, is sent as a
// JSON body; out may be nil to discard the body. A non-2xx answer is an
// error (*APIError, *RateLimitError, *EdgeError, …), never data. out is
// decoded with encoding/json, so any type that works with json.Unmarshal
// works here; the package's result types stay lossless either way.
func (c *Client) Call(ctx context.Context, method, rawURL string, query url.Values, in, out any) error {
	return c.call(ctx, method, rawURL, query, in, out, nil, decodeV1)
}

// get is Call for GET into one of the package's result types; hdr, when
// not nil, holds request headers the call adds (GraphQL's client names).
func (c *Client) get(ctx context.Context, rawURL string, query url.Values, out any, hdr http.Header) error {
	return c.call(ctx, http.MethodGet, rawURL, query, nil, out, hdr, decodeV2)
}

// decoder names the JSON package that decodes an answer: Call decodes the
// caller's own types with encoding/json, as it always has; the package's
// calls decode its result types with the encoding/json/v2 API (see
// lossless.go), which is several times faster.
type decoder bool

const (
	decodeV1 decoder = false
	decodeV2 decoder = true
)

func (c *Client) call(ctx context.Context, method, rawURL string, query url.Values, in, out any, hdr http.Header, with decoder) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("psn: encoding request body: %w", err)
		}
	}
	if len(query) > 0 {
		sep := "?"
		if strings.Contains(rawURL, "?") {
			sep = "&"
		}
		rawURL += sep + query.Encode()
	}
	// The package's result types are decoded as the body arrives
	// (bodystream.go); Call's caller types from the whole body.
	var read func(*http.Response, io.Reader) error
	var decodeErr error
	if with == decodeV2 && out != nil {
		reset, tries := resettable(out), 0
		read = func(resp *http.Response, body io.Reader) error {
			if tries++; tries > 1 {
				reset()
			}
			var readErr error
			readErr, decodeErr = c.streamDecode(resp, body, 0, out)
			return readErr
		}
	}
	resp, data, err := c.do(ctx, method, rawURL, body, hdr, read)
	if err != nil {
		return err
	}
	if read != nil { // do returned a 2xx answer: read decoded it
		return decodeErr
	}
	return decodeJSONWith(resp, data, out, with)
}

// do sends an authenticated request and maps error statuses. After a 401
// it invalidates exactly the token that was rejected, gets a new one and
// retries once (rule 7 of docs/architecture.md; renewAfter401).
//
// read, when not nil, reads the body of a 2xx answer (exchange.read).
func (c *Client) do(ctx context.Context, method, rawURL string, body []byte, extra http.Header, read func(*http.Response, io.Reader) error) (*http.Response, []byte, error) {
	if c.tokens == nil {
		return nil, nil, ErrNoTokenSource
	}
	kind := kindIdempotent
	if method != http.MethodGet && method != http.MethodHead {
		kind = kindWrite
	}
	send := func(tok *Token) (*http.Response, []byte, error) {
		h := http.Header{}
		h.Set("Authorization", "Bearer "+tok.AccessToken.Reveal())
		h.Set("User-Agent", c.cfg.userAgent)
		h.Set("Accept", "application/json")
		if c.cfg.language != "" {
			h.Set("Accept-Language", c.cfg.language)
		}
		if body != nil {
			h.Set("Content-Type", "application/json")
		}
		for k, v := range c.cfg.header {
			h[k] = v
		}
		for k, v := range extra {
			h[k] = v
		}
		return c.send(ctx, exchange{method: method, url: rawURL, body: body, header: h, kind: kind, read: read})
	}
	tok, err := c.tokens.Token(ctx)
	if err != nil {
		return nil, nil, err
	}
	resp, data, err := send(tok)
	if err != nil {
		return nil, nil, err
	}
	if resp.StatusCode == http.StatusUnauthorized {
		next, retry, err := renewAfter401(ctx, c.tokens, tok)
		if err != nil {
			return nil, nil, err
		}
		if retry {
			if resp, data, err = send(next); err != nil {
				return nil, nil, err
			}
		}
	}
	if resp.StatusCode >= 300 {
		return resp, data, statusError(resp, data)
	}
	return resp, data, nil
}

// apiErrorBody is PSN's error envelope.
type apiErrorBody struct {
	Error *struct {
		ReferenceID string `json:"referenceId"`
		Code        int    `json:"code"`
		Message     string `json:"message"`
		Reason      string `json:"reason"`
		Source      string `json:"source"`
	} `json:"error"`
}

// statusError maps a non-2xx data response to a typed error.
func statusError(resp *http.Response, body []byte) error {
	where := safeURL(resp.Request.URL)
	e := &APIError{Status: resp.StatusCode, Method: resp.Request.Method, URL: where}
	html := isHTML(resp, body)
	var env apiErrorBody
	if !html && json.Unmarshal(body, &env) == nil && env.Error != nil {
		e.Code, e.Message, e.ReferenceID = env.Error.Code, env.Error.Message, env.Error.ReferenceID
		e.Reason, e.Source = env.Error.Reason, env.Error.Source
	} else if html && (resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusTooManyRequests) {
		return &EdgeError{Status: resp.StatusCode, URL: where, Snippet: snippet(body, 120)}
	} else {
		e.Message = http.StatusText(resp.StatusCode)
		if len(bytes.TrimSpace(body)) > 0 {
			e.Message += ": " + snippet(body, 120)
		}
	}
	if resp.StatusCode == http.StatusTooManyRequests || e.Code == CodeRateLimited {
		return &RateLimitError{NextAvailable: parseNextAvailable(resp.Header, time.Now()), API: e}
	}
	return e
}

func decodeJSONWith(resp *http.Response, data []byte, out any, with decoder) error {
	if out == nil {
		return nil
	}
	if isHTML(resp, data) {
		return &ResponseError{Status: resp.StatusCode, URL: safeURL(resp.Request.URL), Problem: "HTML page where JSON was expected", Snippet: snippet(data, 120)}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return &ResponseError{Status: resp.StatusCode, URL: safeURL(resp.Request.URL), Problem: "empty body where JSON was expected"}
	}
	var err error
	var problem error
	if with == decodeV2 {
		err = jsonv2.Unmarshal(data, out, wireDecodeOptions)
		problem = dataJSONProblem(err)
	} else {
		err = json.Unmarshal(data, out)
		problem = jsonProblem(err)
	}
	if err != nil {
		return invalidJSON(resp, problem, data, err)
	}
	return nil
}

// invalidJSON is the error of a 2xx answer resp whose JSON did not decode:
// problem says what and where, head is the body's start (or all of it).
func invalidJSON(resp *http.Response, problem error, head []byte, err error) *ResponseError {
	return &ResponseError{Status: resp.StatusCode, URL: safeURL(resp.Request.URL), Problem: "invalid JSON: " + problem.Error(), Snippet: snippet(head, 80), Err: err}
}

// dataJSONProblem describes an encoding/json/v2 decode error of a data
// answer by its kind and position.
func dataJSONProblem(err error) error {
	var syn *jsontext.SyntacticError
	var sem *jsonv2.SemanticError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &syn):
		return fmt.Errorf("syntax error at byte %d", syn.ByteOffset)
	case errors.As(err, &sem):
		where := string(sem.JSONPointer)
		if where == "" {
			where = "/"
		}
		if sem.Err != nil {
			return fmt.Errorf("value at %s: %v", where, sem.Err)
		}
		return fmt.Errorf("value at %s: JSON %s does not fit %v", where, sem.JSONKind, sem.GoType)
	default:
		return fmt.Errorf("truncated or invalid JSON")
	}
}
