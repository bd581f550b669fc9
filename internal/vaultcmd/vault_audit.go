package vaultcmd

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/psnkit/psn/vault/server"
)

// serveAudit opens the audit trail of `vault serve`: path (created 0600,
// appended to, opened again on SIGHUP so that logrotate can move it) or,
// when path is empty, stderr; lines are buffered and written every second
// and at close (docs/vault.md, "Audit trail"). closeFn writes the rest and
// reports a failure on stderr.
func (a *vc) serveAudit(path string) (log *slog.Logger, closeFn func(), err error) {
	var out io.Writer = a.Stderr()
	closeFile := func() error { return nil }
	var file *reopenFile
	if path != "" {
		file, err = openReopenFile(path)
		if err != nil {
			return nil, nil, err
		}
		out, closeFile = file, file.Close
	}
	w := server.NewAuditWriter(out, func(err error) {
		fmt.Fprintf(a.Stderr(), "psn-vault: %v\n", err)
	})
	stopHUP := func() {}
	if file != nil {
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		done := make(chan struct{})
		stopped := make(chan struct{})
		go func() {
			defer close(stopped)
			for {
				select {
				case <-hup:
					// What was logged before the signal goes to the old
					// file; what follows to the new one.
					_ = w.Flush()
					if err := file.Reopen(); err != nil {
						fmt.Fprintf(a.Stderr(), "psn-vault: reopening the audit log: %v (still writing to the old file)\n", err)
					}
				case <-done:
					return
				}
			}
		}()
		stopHUP = func() {
			signal.Stop(hup)
			close(done)
			<-stopped
		}
	}
	return server.NewAuditLogger(w), func() {
		stopHUP()
		err := w.Close()
		if cerr := closeFile(); err == nil {
			err = cerr
		}
		if err != nil {
			fmt.Fprintf(a.Stderr(), "psn-vault: closing the audit log: %v\n", err)
		}
	}, nil
}

// reopenFile is an audit file that can be opened again under its path
// (after logrotate renamed it), writes going to the file open at the time.
type reopenFile struct {
	path string
	mu   sync.Mutex
	f    *os.File
}

func openReopenFile(path string) (*reopenFile, error) {
	f, err := server.OpenAuditFile(path)
	if err != nil {
		return nil, err
	}
	return &reopenFile{path: path, f: f}, nil
}

// Write implements io.Writer.
func (r *reopenFile) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.f.Write(p)
}

// Reopen opens the path again (creating it 0600) and closes the file it
// replaces; on failure the old file stays in use.
func (r *reopenFile) Reopen() error {
	f, err := server.OpenAuditFile(r.path)
	if err != nil {
		return err
	}
	r.mu.Lock()
	old := r.f
	r.f = f
	r.mu.Unlock()
	return old.Close()
}

// Close closes the file.
func (r *reopenFile) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.f.Close()
}
