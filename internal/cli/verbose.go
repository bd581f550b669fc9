package cli

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// logTransport logs every HTTP request the client sends (-v): method,
// host, path, status and duration. Never the query, headers or bodies:
// they carry codes, tokens and NPSSOs.
type logTransport struct {
	base http.RoundTripper
	log  *slog.Logger
}

// RoundTrip implements http.RoundTripper.
func (t *logTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.base.RoundTrip(r)
	attrs := []any{"method", r.Method, "host", r.URL.Host, "path", r.URL.EscapedPath(), "duration", time.Since(start).Round(time.Millisecond)}
	if err != nil {
		t.log.LogAttrs(r.Context(), slog.LevelInfo, "PSN request failed", slog.Group("", attrs...), slog.String("err", redactURLError(err)))
		return resp, err
	}
	t.log.LogAttrs(r.Context(), slog.LevelInfo, "PSN request", slog.Group("", append(attrs, "status", resp.StatusCode)...))
	return resp, nil
}

// redactURLError is a transport error without the URL's query (net/http
// quotes the whole URL in *url.Error).
func redactURLError(err error) string {
	if ue, ok := err.(*url.Error); ok {
		return fmt.Sprintf("%s %s: %v", ue.Op, cutQuery(ue.URL), ue.Err)
	}
	return err.Error()
}

func cutQuery(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		return u[:i]
	}
	return u
}
