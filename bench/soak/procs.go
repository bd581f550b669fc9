package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// child is one long-lived process the harness started (the simulator or a
// replica). It runs in its own process group, dies with the harness
// (Pdeathsig), and is killed by procs.killAll on every way out.
type child struct {
	name string
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	err  error         // Wait's error, set before done closes
}

// procs tracks every child so that none outlives the harness.
type procs struct {
	mu   sync.Mutex
	live map[*child]bool
}

func newProcs() *procs { return &procs{live: map[*child]bool{}} }

// childEnv is the harness's environment without any PSN_* variable (an
// operator's PSN_STORE or PSN_KEY must not leak into the run), plus extra.
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PSN_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// sysProcAttr puts a child in its own process group (Ctrl-C reaches only
// the harness, which then stops the children in order) and kills it if the
// harness dies.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// start runs bin with args and env, sends its stderr to logFile (appended),
// and returns once it printed its first stdout line (within wait) — the
// JSON start-up line of psn sim serve and psn-vault serve.
func (p *procs) start(name, bin string, args, env []string, logFile *os.File, wait time.Duration) (*child, string, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stderr = logFile
	cmd.SysProcAttr = sysProcAttr()
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("starting %s: %w", name, err)
	}
	c := &child{name: name, cmd: cmd, done: make(chan struct{})}
	p.mu.Lock()
	p.live[c] = true
	p.mu.Unlock()
	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReaderSize(out, 1<<20)
		line, _ := r.ReadString('\n')
		lines <- line
		_, _ = io.Copy(io.Discard, r) // keep draining: a full pipe would block the child
	}()
	go func() {
		c.err = cmd.Wait()
		p.mu.Lock()
		delete(p.live, c)
		p.mu.Unlock()
		close(c.done)
	}()
	select {
	case line := <-lines:
		if strings.TrimSpace(line) == "" {
			<-c.done
			return nil, "", fmt.Errorf("%s exited before its start-up line (%v); see its log %s", name, c.err, logFile.Name())
		}
		return c, line, nil
	case <-c.done:
		return nil, "", fmt.Errorf("%s exited before its start-up line (%v); see its log %s", name, c.err, logFile.Name())
	case <-time.After(wait):
		p.kill(c)
		return nil, "", fmt.Errorf("%s printed no start-up line within %s; see its log %s", name, wait, logFile.Name())
	}
}

// kill sends SIGKILL to the child's process group and waits for it.
func (p *procs) kill(c *child) {
	_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
	<-c.done
}

// stop asks the child to stop (SIGTERM) and kills it after grace.
func (p *procs) stop(c *child, grace time.Duration) error {
	_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-c.done:
		var ee *exec.ExitError
		if c.err != nil && !errors.As(c.err, &ee) {
			return c.err
		}
		return nil
	case <-time.After(grace):
		p.kill(c)
		return fmt.Errorf("%s did not stop within %s of SIGTERM: killed", c.name, grace)
	}
}

// killAll kills every child still running.
func (p *procs) killAll() {
	p.mu.Lock()
	var cs []*child
	for c := range p.live {
		cs = append(cs, c)
	}
	p.mu.Unlock()
	for _, c := range cs {
		p.kill(c)
	}
}

// runCommand runs a short-lived command (psn-vault apikey create, psn token
// print), killing its process group when ctx ends or after timeout. It
// returns stdout, stderr and the exit code (-1: did not exit by itself).
func runCommand(ctx context.Context, timeout time.Duration, bin string, args, env []string) (stdout, stderr string, code int, err error) {
	return runCommandLine(ctx, timeout, bin, args, env, nil)
}

// runCommandLine is runCommand that also hands stdout's first line to
// onLine as soon as it is written (nil: no call), while the process goes
// on exiting.
func runCommandLine(ctx context.Context, timeout time.Duration, bin string, args, env []string, onLine func(string)) (stdout, stderr string, code int, err error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	cmd.SysProcAttr = sysProcAttr()
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var errb strings.Builder
	out := &lineWriter{onLine: onLine}
	cmd.Stdout, cmd.Stderr = out, &errb
	err = cmd.Run()
	if ctx.Err() != nil {
		return out.String(), errb.String(), -1, ctx.Err()
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.String(), errb.String(), ee.ExitCode(), nil
	}
	if err != nil {
		return out.String(), errb.String(), -1, err
	}
	return out.String(), errb.String(), 0, nil
}

// lineWriter collects output and calls onLine once with the first line.
type lineWriter struct {
	strings.Builder
	onLine func(string)
	called bool
}

func (w *lineWriter) Write(p []byte) (int, error) {
	n, err := w.Builder.Write(p)
	if !w.called && w.onLine != nil {
		if line, _, ok := strings.Cut(w.String(), "\n"); ok {
			w.called = true
			w.onLine(line)
		}
	}
	return n, err
}
