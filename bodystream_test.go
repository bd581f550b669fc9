package psn

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"sync/atomic"
	"testing"
)

// errFlaky is the read failure flakyBody injects.
var errFlaky = errors.New("connection reset (test)")

// flakyBody serves b at most chunk bytes per Read and fails with errFlaky
// once failAt bytes were read (never when failAt < 0).
type flakyBody struct {
	b      []byte
	pos    int
	chunk  int
	failAt int
}

func (f *flakyBody) Read(p []byte) (int, error) {
	if f.failAt >= 0 && f.pos >= f.failAt {
		return 0, errFlaky
	}
	if f.pos == len(f.b) {
		return 0, io.EOF
	}
	n := min(len(p), f.chunk, len(f.b)-f.pos)
	if f.failAt >= 0 {
		n = min(n, f.failAt-f.pos)
	}
	copy(p, f.b[f.pos:f.pos+n])
	f.pos += n
	return n, nil
}

// bufferedDecode is what the client did with every answer before
// bodystream.go: read the whole body under the cap, then decode it.
func bufferedDecode(c *Client, resp *http.Response, body io.Reader, limit int64, out any) (readErr, decodeErr error) {
	data, err := c.readBody(body, limit)
	if err != nil {
		return err, nil
	}
	return nil, decodeJSONWith(resp, data, out, decodeV2)
}

func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%T %v", err, err)
}

// sameAsBuffered decodes body both ways and fails when the outcomes
// differ: the read failure, the decode error's text, or the value.
func sameAsBuffered[T any](t *testing.T, body []byte, html bool, limit int64, chunk, failAt int) {
	t.Helper()
	c := NewClient()
	u, _ := url.Parse("https://m.np.playstation.com/api/x")
	resp := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Request: &http.Request{Method: "GET", URL: u}}
	if html {
		resp.Header.Set("Content-Type", "text/html; charset=utf-8")
	}
	var want, got T
	wantRead, wantDec := bufferedDecode(c, resp, &flakyBody{b: body, chunk: chunk, failAt: failAt}, limit, &want)
	gotRead, gotDec := c.streamDecode(resp, &flakyBody{b: body, chunk: chunk, failAt: failAt}, limit, &got)
	if errText(gotRead) != errText(wantRead) || errText(gotDec) != errText(wantDec) {
		t.Fatalf("body %q (html %v, cap %d, chunk %d, fail at %d):\nstreamed: read %s, decode %s\nbuffered: read %s, decode %s",
			body, html, limit, chunk, failAt, errText(gotRead), errText(gotDec), errText(wantRead), errText(wantDec))
	}
	if wantRead == nil && wantDec == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("body %q: streamed %+v, buffered %+v", body, got, want)
	}
}

// FuzzStreamDecodeMatchesBuffered checks that decoding an answer as it
// arrives (streamDecode) gives what reading it whole and decoding it gave:
// the same read failure (a network error or ErrBodyTooLarge), the same
// decode error, word for word, and the same value, whatever the body, its
// Content-Type, the cap, how the body arrives in pieces and where reading
// it fails.
func FuzzStreamDecodeMatchesBuffered(f *testing.F) {
	seedRecorded(f, "test_user__trophy_titles", "/trophyTitles")
	for _, s := range []string{" \n", "\v{}", " <html>", "\u00a0{}", "{} x", "{}  ", `{"trophyTitles":[{"npCommunicationId":"NPWR1_00","x":{"a":1,"a":2}}]}`, `{"trophyTitles":[{"lastUpdatedDateTime":"2024-01-02T03:04:05+00:00"}],"totalItemCount":1}`, "\xff{}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		// The fuzzed bytes also pick the other conditions, so that every
		// seed is tried plain as well.
		h := 0
		for _, b := range body {
			h = h*31 + int(b)
		}
		h &= 0xffff
		chunks := []int{1 << 20, 1, 7, 64}
		limits := []int64{0, int64(len(body)), int64(len(body)) - 1, int64(len(body) / 2)}
		fails := []int{-1, len(body) / 3, len(body), 0}
		for i := range 4 {
			sameAsBuffered[TrophyTitlesPage](t, body, false, limits[i], chunks[i], -1)
			sameAsBuffered[TrophyTitlesPage](t, body, i == h%4, limits[(i+h)%4], chunks[(i+h/4)%4], fails[(i+h/16)%4])
		}
		sameAsBuffered[UserTrophiesPage](t, body, false, 0, chunks[h%4], fails[(h/4)%4])
	})
}

// TestStreamDecodeRetryStartsAfresh: when the body of a 2xx answer fails
// midway, the GET is retried, and the result is the second answer's alone
// (nothing of the part that was read first), with the state the call had
// set before decoding kept (the npServiceName a page was asked for).
func TestStreamDecodeRetryStartsAfresh(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			// A body cut short: more promised than sent.
			conn, rw, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			part := `{"trophySetVersion":"01.00","hasTrophyGroups":true,"nextOffset":5,"trophies":[{"trophyId":7,`
			fmt.Fprintf(rw, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(part)+100, part)
			rw.Flush()
			conn.Close()
			return
		}
		writeJSON(w, 200, `{"trophySetVersion":"02.00","trophies":[{"trophyId":1}],"totalItemCount":1}`)
	}))
	defer srv.Close()
	c := testClient(srv.URL, WithRetry(RetryPolicy{MaxAttempts: 2}))
	page, err := c.Trophies.TitleTrophies(context.Background(), "NPWR1_00", "", &TrophiesOptions{NpServiceName: "trophy2"})
	if err != nil {
		t.Fatal(err)
	}
	if n.Load() != 2 {
		t.Fatalf("%d requests, want 2", n.Load())
	}
	if page.HasTrophyGroups || page.NextOffset != nil || page.TrophySetVersion != "02.00" || len(page.Trophies) != 1 || page.Trophies[0].TrophyID != 1 {
		t.Fatalf("page keeps the cut answer: %+v", page)
	}
	if page.service != "trophy2" {
		t.Fatalf("service %q, want trophy2", page.service)
	}
}

// TestStreamDecodeTooLarge: a 2xx body over the cap is ErrBodyTooLarge,
// even when its JSON value ended below the cap, as with the whole body read.
func TestStreamDecodeTooLarge(t *testing.T) {
	body := `{"trophyTitles":[],"totalItemCount":0}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		bw := bufio.NewWriter(w)
		bw.WriteString(body)
		for range 100 {
			bw.WriteString("          ")
		}
		bw.Flush()
	}))
	defer srv.Close()
	c := testClient(srv.URL, WithMaxBodySize(int64(len(body)+500)))
	_, err := c.Trophies.Titles(context.Background(), "me", nil)
	if !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("err = %v, want ErrBodyTooLarge", err)
	}
}
