package psn

import (
	"bytes"
	"io"
	"net/http"
)

// handlerTransport serves requests with an http.Handler in memory: no
// sockets, so it also works inside testing/synctest bubbles.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := newRecorder()
	t.h.ServeHTTP(rec, req)
	return rec.result(req), nil
}

// recorder is a minimal in-memory ResponseWriter (httptest.ResponseRecorder
// would do, but it does not clone headers per request the way we need).
type recorder struct {
	code   int
	header http.Header
	body   []byte
}

func newRecorder() *recorder { return &recorder{code: 200, header: http.Header{}} }

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) Write(b []byte) (int, error) {
	r.body = append(r.body, b...)
	return len(b), nil
}
func (r *recorder) WriteHeader(code int) { r.code = code }

func (r *recorder) result(req *http.Request) *http.Response {
	return &http.Response{
		StatusCode: r.code, Status: http.StatusText(r.code), Header: r.header,
		Body: io.NopCloser(bytes.NewReader(r.body)), ContentLength: int64(len(r.body)),
		Request: req, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
	}
}
