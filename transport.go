package psn

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Limiter decides when the next request may go out. *rate.Limiter from
// golang.org/x/time/rate satisfies it.
type Limiter interface {
	Wait(ctx context.Context) error
}

// WindowLimiter allows at most N requests in any sliding window of the
// given length — exactly PSN's "300 requests per 15 minutes" rule, unlike a
// token bucket, which would let up to twice that through in one window.
type WindowLimiter struct {
	n      int
	window time.Duration
	mu     sync.Mutex
	sent   []time.Time // ring of the last n send instants
	next   int
}

// NewWindowLimiter returns a limiter of n requests per window. n ≤ 0
// returns nil, which WithLimiter treats as "no limit".
func NewWindowLimiter(n int, window time.Duration) *WindowLimiter {
	if n <= 0 || window <= 0 {
		return nil
	}
	return &WindowLimiter{n: n, window: window, sent: make([]time.Time, 0, min(n, 1024))}
}

// Wait blocks until a request may be sent, reserving its slot, or returns
// a *RateLimitError at once when the slot lies beyond ctx's deadline.
func (l *WindowLimiter) Wait(ctx context.Context) error {
	if l == nil {
		return nil
	}
	for {
		l.mu.Lock()
		now := time.Now()
		if len(l.sent) < l.n {
			l.sent = append(l.sent, now)
			l.mu.Unlock()
			return nil
		}
		oldest := l.sent[l.next]
		free := oldest.Add(l.window)
		if !now.Before(free) {
			l.sent[l.next] = now
			l.next = (l.next + 1) % l.n
			l.mu.Unlock()
			return nil
		}
		l.mu.Unlock()
		if dl, ok := ctx.Deadline(); ok && dl.Before(free) {
			return &RateLimitError{NextAvailable: free, Local: true}
		}
		if err := sleep(ctx, free.Sub(now)); err != nil {
			return err
		}
	}
}

// notBefore holds the instant PSN said requests may resume.
type notBefore struct {
	mu sync.Mutex
	t  time.Time
}

func (n *notBefore) get() time.Time {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.t
}

func (n *notBefore) set(t time.Time) {
	n.mu.Lock()
	if t.After(n.t) {
		n.t = t
	}
	n.mu.Unlock()
}

// RetryPolicy says how often and how patiently idempotent requests are
// retried. Token POSTs are retried only when the request provably never
// left this machine (dial, DNS or TLS failures).
type RetryPolicy struct {
	// MaxAttempts counts the first try; 1 disables retries.
	MaxAttempts int
	// BaseDelay and MaxDelay bound the full-jitter backoff: attempt n
	// sleeps a random duration in [0, min(MaxDelay, BaseDelay·2ⁿ)).
	BaseDelay, MaxDelay time.Duration
	// MaxWait bounds how long the client waits for PSN's
	// X-RateLimit-Next-Available or Retry-After before giving up with a
	// *RateLimitError (the context deadline bounds it too).
	MaxWait time.Duration
}

// DefaultRetryPolicy is 4 attempts, 200 ms to 10 s backoff, and waits of
// up to one minute for a rate limit to lift.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 4, BaseDelay: 200 * time.Millisecond, MaxDelay: 10 * time.Second, MaxWait: time.Minute}
}

func (p RetryPolicy) backoff(attempt int) time.Duration {
	ceil := p.BaseDelay << min(attempt, 30)
	if ceil <= 0 || ceil > p.MaxDelay {
		ceil = p.MaxDelay
	}
	if ceil <= 0 {
		return 0
	}
	return rand.N(ceil)
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// reqKind says what may be retried.
type reqKind int

const (
	kindIdempotent reqKind = iota // GET: retry network errors, 5xx, 429, edge 403
	kindTokenPost                 // token grants: retry only if never sent
	kindWrite                     // data writes: retry if never sent, or on 429
)

// exchange is one logical request: its builder runs once per attempt.
type exchange struct {
	method  string
	url     string
	body    []byte
	header  http.Header
	kind    reqKind
	maxBody int64
	// read, when set, reads a 2xx answer's body itself, as it arrives
	// (streamDecode), instead of attempt reading it whole; it returns only
	// read failures, which fail the attempt. The response send returns
	// then has no body bytes.
	read func(resp *http.Response, body io.Reader) error
}

// neverLeft reports whether err proves the request never reached the
// server: a DNS failure, a refused or failed dial, or a TLS handshake
// failure.
func neverLeft(err error) bool {
	var dns *net.DNSError
	var op *net.OpError
	var rh tls.RecordHeaderError
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	switch {
	case errors.As(err, &dns), errors.As(err, &rh), errors.As(err, &cv), errors.As(err, &ua), errors.As(err, &hn):
		return true
	case errors.As(err, &op):
		return op.Op == "dial"
	}
	return false
}

// parseNextAvailable reads X-RateLimit-Next-Available (unix seconds) or
// Retry-After (seconds or an HTTP date).
func parseNextAvailable(h http.Header, now time.Time) time.Time {
	if v := strings.TrimSpace(h.Get("X-RateLimit-Next-Available")); v != "" {
		if n, err := strconv.ParseFloat(v, 64); err == nil && n > 0 && n < 1e11 {
			sec := int64(n)
			return time.Unix(sec, int64((n-float64(sec))*1e9))
		}
	}
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 && n < 1e7 {
			return now.Add(time.Duration(n) * time.Second)
		}
		if t, err := http.ParseTime(v); err == nil {
			return t
		}
	}
	return time.Time{}
}

// isHTML reports whether a response is an HTML page (an edge refusal).
func isHTML(resp *http.Response, body []byte) bool {
	ct := strings.ToLower(resp.Header.Get("Content-Type"))
	if strings.Contains(ct, "html") {
		return true
	}
	b := bytes.TrimSpace(body)
	return len(b) > 0 && b[0] == '<'
}

// transportError is a network failure, with the URL reduced to its path.
type transportError struct {
	method, url string
	err         error
}

func (e *transportError) Error() string {
	inner := e.err
	var ue *url.Error
	if errors.As(inner, &ue) {
		inner = ue.Err
	}
	return fmt.Sprintf("psn: %s %s: %v", e.method, e.url, inner)
}

func (e *transportError) Unwrap() error { return e.err }

// send runs ex with the limiter, the rate-limit pause, per-attempt
// timeouts, the body cap and the retry rules. It returns the last response
// (body already read and closed) or an error; HTTP error statuses are not
// errors here — callers map them.
func (c *Client) send(ctx context.Context, ex exchange) (*http.Response, []byte, error) {
	if err := c.cfg.endpointErr; err != nil {
		return nil, nil, err
	}
	p := c.cfg.retry
	attempts := max(p.MaxAttempts, 1)
	target, err := url.Parse(c.resolve(ex.url))
	if err != nil {
		return nil, nil, fmt.Errorf("psn: bad request URL: %w", err)
	}
	for attempt := 0; ; attempt++ {
		last := attempt == attempts-1
		// Never send while PSN said "not before T".
		if nb := c.cfg.notBefore.get(); !nb.IsZero() {
			if wait := time.Until(nb); wait > 0 {
				if dl, ok := ctx.Deadline(); (ok && dl.Before(nb)) || wait > p.MaxWait {
					return nil, nil, &RateLimitError{NextAvailable: nb, Local: true}
				}
				c.cfg.logger.DebugContext(ctx, "psn: waiting for rate limit", "until", nb)
				if err := sleep(ctx, wait); err != nil {
					return nil, nil, err
				}
			}
		}
		if c.cfg.limiter != nil {
			if err := c.cfg.limiter.Wait(ctx); err != nil {
				return nil, nil, err
			}
		}
		resp, body, err := c.attempt(ctx, target, ex)
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			retry := neverLeft(err) || (ex.kind == kindIdempotent && !errors.Is(err, ErrBodyTooLarge))
			if last || !retry {
				return nil, nil, err
			}
			c.cfg.logger.DebugContext(ctx, "psn: retrying after network error", "url", safeURL(target), "attempt", attempt+1, "err", err)
			if err := sleep(ctx, p.backoff(attempt)); err != nil {
				return nil, nil, err
			}
			continue
		}
		var wait time.Duration
		switch {
		case resp.StatusCode == http.StatusTooManyRequests:
			next := parseNextAvailable(resp.Header, time.Now())
			if !next.IsZero() {
				c.cfg.notBefore.set(next)
				wait = time.Until(next)
			} else {
				wait = p.backoff(attempt)
			}
			if ex.kind == kindTokenPost || last || wait > p.MaxWait {
				return resp, body, nil
			}
			if dl, ok := ctx.Deadline(); ok && time.Now().Add(wait).After(dl) {
				return resp, body, nil
			}
		case ex.kind == kindIdempotent && resp.StatusCode >= 500 && !last:
			wait = p.backoff(attempt)
		case ex.kind == kindIdempotent && resp.StatusCode == http.StatusForbidden && isHTML(resp, body) && !last:
			wait = p.backoff(attempt + 2) // the edge relents after a few seconds
		default:
			return resp, body, nil
		}
		c.cfg.logger.DebugContext(ctx, "psn: retrying", "url", safeURL(target), "status", resp.StatusCode, "attempt", attempt+1, "wait", wait)
		if err := sleep(ctx, wait); err != nil {
			return nil, nil, err
		}
	}
}

// attempt sends one HTTP request under the per-attempt timeout.
func (c *Client) attempt(ctx context.Context, target *url.URL, ex exchange) (*http.Response, []byte, error) {
	if c.cfg.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.timeout)
		defer cancel()
	}
	var rdr io.Reader
	if ex.body != nil {
		rdr = bytes.NewReader(ex.body)
	}
	req, err := http.NewRequestWithContext(ctx, ex.method, target.String(), rdr)
	if err != nil {
		return nil, nil, fmt.Errorf("psn: building %s request: %w", ex.method, err)
	}
	for k, v := range ex.header {
		req.Header[k] = v
	}
	resp, err := c.cfg.http.Do(req)
	if err != nil {
		return nil, nil, &transportError{method: ex.method, url: safeURL(target), err: err}
	}
	defer resp.Body.Close()
	var body []byte
	if ex.read != nil && resp.StatusCode >= 200 && resp.StatusCode < 300 {
		resp.Request = req
		err = ex.read(resp, resp.Body)
	} else {
		body, err = c.readBody(resp.Body, ex.maxBody)
	}
	if err != nil {
		if errors.Is(err, ErrBodyTooLarge) {
			return nil, nil, fmt.Errorf("psn: %s %s: %w", ex.method, safeURL(target), err)
		}
		return nil, nil, &transportError{method: ex.method, url: safeURL(target), err: err}
	}
	resp.Request = req
	return resp, body, nil
}
