package main

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/psnkit/psn/vault/server"
)

// serveAudit opens the audit trail of `vault serve`: path (created 0600,
// appended to) or, when path is empty, stderr; lines are buffered and
// written every second and at close (docs/vault.md, "Audit trail"). closeFn
// writes the rest and reports a failure on stderr.
func (a *app) serveAudit(path string) (log *slog.Logger, closeFn func(), err error) {
	var out io.Writer = a.stderr
	closeFile := func() error { return nil }
	if path != "" {
		f, err := server.OpenAuditFile(path)
		if err != nil {
			return nil, nil, err
		}
		out, closeFile = f, f.Close
	}
	w := server.NewAuditWriter(out, func(err error) {
		fmt.Fprintf(a.stderr, "psn vault: %v\n", err)
	})
	return server.NewAuditLogger(w), func() {
		err := w.Close()
		if cerr := closeFile(); err == nil {
			err = cerr
		}
		if err != nil {
			fmt.Fprintf(a.stderr, "psn vault: closing the audit log: %v\n", err)
		}
	}, nil
}
