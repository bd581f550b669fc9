//go:build linux

package cli

import (
	"io"
	"net"
	"os"
	"strings"
	"testing"

	"github.com/psnkit/psn/psntest"
	"golang.org/x/sys/unix"
)

// captureStderr runs f with file descriptor 2 redirected and returns what
// was written to it: libraries keep the *os.File of their init time, so
// only replacing the descriptor itself catches their lines.
func captureStderr(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved, err := unix.Dup(2)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Dup2(int(w.Fd()), 2); err != nil {
		t.Fatal(err)
	}
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		done <- string(b)
	}()
	f()
	unix.Dup2(saved, 2)
	unix.Close(saved)
	w.Close()
	return <-done
}

func TestNoLibraryLogLinesWhenRedisIsDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := newAcctCLI(t, psntest.Config{})
	quietLibraries() // as main does
	var code int
	var stderr string
	leaked := captureStderr(t, func() {
		code, _, stderr = c.run("", []string{"accounts", "--store", "redis://" + addr + "/0"})
	})
	if leaked != "" {
		t.Errorf("a library wrote to the process's stderr:\n%s", leaked)
	}
	if code != exitError || !strings.HasPrefix(stderr, "psn: cannot open the token store redis://"+addr+"/0\n") {
		t.Errorf("accounts with Redis down: exit %d:\n%s", code, stderr)
	}
}
