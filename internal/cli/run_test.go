package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"sync"
	"testing"
)

// run is psn's Run, for the tests.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	return Run(ctx, PSN(), args, stdin, stdout, stderr, getenv)
}

// asPSNEnv makes the test binary run as psn (Main) when set: tests that
// need a whole process (one that exec's another program) start it again.
const asPSNEnv = "PSN_CLI_TEST_AS_PSN"

func TestMain(m *testing.M) {
	if os.Getenv(asPSNEnv) == "1" {
		Main(PSN())
	}
	os.Exit(m.Run())
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
