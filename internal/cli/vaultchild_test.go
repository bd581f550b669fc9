//go:build unix

package cli

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/cobra"
)

// TestVaultChildOutlivesCtrlC: where psn vault runs psn-vault as a child
// (Windows), Ctrl-C (psn's context cancelled) does not kill psn-vault: it
// gets the signal itself and finishes its own way, and its exit code is
// psn's. The fake psn-vault says it started, waits for a line on stdin,
// and exits 5; the test cancels the context in between.
func TestVaultChildOutlivesCtrlC(t *testing.T) {
	bin := filepath.Join(t.TempDir(), VaultProgram)
	if err := os.WriteFile(bin, []byte("#!/bin/sh\necho started\nread x\nexit 5\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	a := newApp("psn", inR, outW, io.Discard, func(string) string { return "" })
	ctx, cancel := context.WithCancel(t.Context())
	cmd := &cobra.Command{}
	cmd.SetContext(ctx)
	done := make(chan error, 1)
	go func() { done <- a.runVaultChild(cmd, bin, nil); outW.Close() }()
	if line, err := bufio.NewReader(outR).ReadString('\n'); err != nil || line != "started\n" {
		t.Fatalf("psn-vault did not start: %q, %v", line, err)
	}
	cancel()
	go io.Copy(io.Discard, outR)
	inW.Write([]byte("\n"))
	inW.Close()
	err := <-done
	var ce *childExit
	if !errors.As(err, &ce) || ce.code != 5 {
		t.Fatalf("runVaultChild = %v; want psn-vault's own exit code 5", err)
	}
}
