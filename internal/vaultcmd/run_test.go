package vaultcmd

import (
	"bytes"
	"context"
	"io"
	"sync"

	"github.com/psnkit/psn/internal/cli"
)

// run is psn-vault's Run, for the tests.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	return cli.Run(ctx, Program(), args, stdin, stdout, stderr, getenv)
}

// syncWriter is a buffer written by the command and read by the test.
type syncWriter struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}
