package psn

import (
	"bytes"
	"io"
	"net/http"
	"reflect"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
)

// Decoding a data answer straight from the response body.
//
// The package's calls decode a 2xx answer while it arrives, instead of
// reading the whole body into memory and decoding that: a trophyTitles page
// of 800 titles is some 500 KB, and reading it whole cost about twice that
// in growing buffers, on top of the page's decoded items (issue 10,
// docs/benchmarks.md "psn titles heap"). The outcome is the one the
// buffered path gives, byte for byte of the error messages:
//
//   - a body that fails to read, or is longer than the cap, fails the
//     attempt as before (a network error, retried for GETs; or
//     ErrBodyTooLarge), even when its JSON went wrong earlier: the rest of
//     a body whose decoding failed is read and discarded, as readBody would
//     have read it;
//   - an HTML page, an empty body, or any body that does not start like a
//     JSON value (after JSON whitespace) is read whole and goes through
//     decodeJSONWith, as before;
//   - everything else is decoded by json.UnmarshalRead, which runs the
//     same decoding as json.Unmarshal over a stream (same errors, same
//     byte offsets); the first bytes of the body are kept for the error's
//     snippet.
//
// FuzzStreamDecodeMatchesBuffered checks the equivalence.

// headLen is how much of a body's start streamDecode keeps for error
// snippets: more than the longest snippet decodeJSONWith takes.
const headLen = 128

// countingBody reads a response body under the client's cap as readBody
// does (at most limit+1 bytes), remembering the first read error, how many
// bytes came, and the first headLen of them.
type countingBody struct {
	r    io.Reader // io.LimitReader(body, limit+1)
	n    int64
	err  error // the first read error other than io.EOF
	head []byte
}

// Read implements io.Reader.
func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if k := min(n, headLen-len(b.head)); k > 0 {
		b.head = append(b.head, p[:k]...)
	}
	b.n += int64(n)
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
	}
	return n, err
}

// finish reads what is left of the body and reports what readBody would
// have: the read error, ErrBodyTooLarge, or nil.
func (b *countingBody) finish(limit int64) error {
	if b.err == nil {
		io.Copy(io.Discard, b)
	}
	if b.err != nil {
		return b.err
	}
	if b.n > limit {
		return ErrBodyTooLarge
	}
	return nil
}

// jsonStart reports whether c may begin a JSON value.
func jsonStart(c byte) bool {
	return strings.IndexByte(`{["-0123456789tfn`, c) >= 0
}

// jsonSpace reports whether c is JSON whitespace.
func jsonSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// streamDecode decodes the 2xx answer resp, whose body is body, into out
// (a result type of the package, with json v2). It returns a read failure
// (a network error or ErrBodyTooLarge, which fail the attempt) apart from
// the decoding's outcome, which decodeJSONWith would have returned for the
// whole body. limit is the body cap (≤ 0: the client's). The caller
// restores out before a second attempt (resettable).
func (c *Client) streamDecode(resp *http.Response, body io.Reader, limit int64, out any) (readErr, decodeErr error) {
	if limit <= 0 {
		limit = c.cfg.maxBody
	}
	br := &countingBody{r: io.LimitReader(body, limit+1)}
	// Read up to the first byte that is not JSON whitespace.
	var pre []byte
	var buf [512]byte
	start := -1
	for start < 0 {
		n, err := br.Read(buf[:])
		for i, ch := range buf[:n] {
			if !jsonSpace(ch) {
				start = len(pre) + i
				break
			}
		}
		pre = append(pre, buf[:n]...)
		if err != nil {
			break
		}
	}
	if br.err != nil {
		return br.err, nil
	}
	if start < 0 || !jsonStart(pre[start]) || isHTML(resp, pre) {
		// Not a JSON value: the buffered path says what it is.
		rest, _ := io.ReadAll(br) // a failure is br's to report
		if err := br.finish(limit); err != nil {
			return err, nil
		}
		return nil, decodeJSONWith(resp, append(pre, rest...), out, decodeV2)
	}
	err := jsonv2.UnmarshalRead(io.MultiReader(bytes.NewReader(pre), br), out, wireDecodeOptions)
	if rerr := br.finish(limit); rerr != nil {
		return rerr, nil
	}
	if err != nil {
		return nil, invalidJSON(resp, dataJSONProblem(err), br.head, err)
	}
	return nil, nil
}

// resettable returns a function that puts the value out points to back
// as it is now, before a retried attempt decodes into it again: a read
// that failed midway may have filled part of it, and out may hold state
// its caller set before the call (TitleTrophiesPage's service). It does
// nothing when out is not a non-nil pointer (decoding then fails anyway).
func resettable(out any) func() {
	v := reflect.ValueOf(out)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return func() {}
	}
	saved := reflect.New(v.Elem().Type()).Elem()
	saved.Set(v.Elem())
	return func() { v.Elem().Set(saved) }
}
