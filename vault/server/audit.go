package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"
)

// Audit events (the "event" of an audit line; docs/vault.md, "Audit
// trail").
const (
	AuditAccountAdded      = "account_added"
	AuditAccountDeleted    = "account_deleted"
	AuditTokenIssued       = "token_issued"
	AuditForbidden         = "forbidden"
	AuditUnauthorized      = "unauthorized"
	AuditAPIKeyCreated     = "apikey_created"
	AuditAPIKeyRevoked     = "apikey_revoked"
	AuditAPIKeyScopeChange = "apikey_scope_changed"
	AuditPageSignedIn      = "page_signed_in"
	AuditPageSignInRefused = "page_sign_in_refused"
	AuditPageSignedOut     = "page_signed_out"
)

// AuditFlushInterval is how often an AuditWriter writes what it holds: a
// crash loses at most the audit lines of the last AuditFlushInterval.
const AuditFlushInterval = time.Second

// auditBufferMax is how many buffered bytes make a Write flush at once.
const auditBufferMax = 64 << 10

// AuditWriter buffers audit lines in memory and writes them to its
// io.Writer every AuditFlushInterval, when a burst fills its 64 KiB
// buffer, and at Close; it never syncs to disk. Each Write is kept
// whole (a log/slog handler writes one line per Write), so lines of two
// processes appending to one file do not interleave. It is safe for
// concurrent use.
type AuditWriter struct {
	w       io.Writer
	onError func(error)

	mu     sync.Mutex
	buf    []byte
	closed bool

	wmu   sync.Mutex // serialises writes to w, in buffer order
	spare []byte

	once sync.Once
	stop chan struct{}
	done chan struct{}
}

// NewAuditWriter returns an AuditWriter over w and starts its flusher;
// onError (may be nil) is told every failed write. Close it to write the
// rest and stop the flusher; Close does not close w.
func NewAuditWriter(w io.Writer, onError func(error)) *AuditWriter {
	a := &AuditWriter{w: w, onError: onError, stop: make(chan struct{}), done: make(chan struct{})}
	go a.flusher()
	return a
}

func (a *AuditWriter) flusher() {
	defer close(a.done)
	t := time.NewTicker(AuditFlushInterval)
	defer t.Stop()
	for {
		select {
		case <-a.stop:
			return
		case <-t.C:
			_ = a.Flush()
		}
	}
}

// Write buffers p (one audit line); after Close it writes p through.
func (a *AuditWriter) Write(p []byte) (int, error) {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		a.wmu.Lock()
		defer a.wmu.Unlock()
		return a.w.Write(p)
	}
	a.buf = append(a.buf, p...)
	full := len(a.buf) >= auditBufferMax
	a.mu.Unlock()
	if full {
		if err := a.Flush(); err != nil {
			return len(p), err
		}
	}
	return len(p), nil
}

// Flush writes what is buffered now.
func (a *AuditWriter) Flush() error {
	a.wmu.Lock()
	defer a.wmu.Unlock()
	a.mu.Lock()
	b := a.buf
	a.buf = a.spare[:0]
	a.mu.Unlock()
	if len(b) == 0 {
		a.spare = b
		return nil
	}
	_, err := a.w.Write(b)
	if err != nil {
		err = fmt.Errorf("vault: writing the audit log: %w", err)
		if a.onError != nil {
			a.onError(err)
		}
	}
	if cap(b) <= 4*auditBufferMax {
		a.spare = b
	} else {
		a.spare = nil
	}
	return err
}

// Close stops the flusher and writes what is buffered; later Writes go
// straight to the io.Writer, after it.
func (a *AuditWriter) Close() error {
	a.once.Do(func() {
		close(a.stop)
		<-a.done
	})
	a.wmu.Lock()
	defer a.wmu.Unlock()
	a.mu.Lock()
	b := a.buf
	a.buf, a.closed = nil, true
	a.mu.Unlock()
	if len(b) == 0 {
		return nil
	}
	if _, err := a.w.Write(b); err != nil {
		return fmt.Errorf("vault: writing the audit log: %w", err)
	}
	return nil
}

// OpenAuditFile opens path for appending audit lines, creating it with
// mode 0600. An existing file keeps its mode.
func OpenAuditFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("vault: audit log: %w", err)
	}
	return f, nil
}

// NewAuditLogger returns the logger of audit lines over w: log/slog JSON,
// one object per line, times in UTC.
func NewAuditLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey && a.Value.Kind() == slog.KindTime {
				a.Value = slog.TimeValue(a.Value.Time().UTC())
			}
			return a
		},
	}))
}

// audit writes one audit line about request r, made with the key in r's
// context (none for unauthorized requests); attrs add the account and the
// like. It never writes a secret: callers pass names, ids and addresses
// only.
func (a *api) audit(r *http.Request, event string, attrs ...slog.Attr) {
	if a.auditLog == nil {
		return
	}
	base := make([]slog.Attr, 0, 4+len(attrs))
	base = append(base, slog.String("event", event))
	if k, ok := r.Context().Value(keyInfoKey{}).(APIKeyInfo); ok {
		base = append(base, slog.String("key_id", k.ID), slog.String("key_name", k.Name))
	}
	base = append(base, slog.String("remote", r.RemoteAddr))
	base = append(base, attrs...)
	a.auditLog.LogAttrs(context.Background(), slog.LevelInfo, "audit", base...)
}
