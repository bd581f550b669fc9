package vaultclient_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/psntest"
	"github.com/psnkit/psn/vault/vaultclient"
)

const (
	envSim      = "VAULTCLIENT_HELPER_SIM" // the simulator's URL (PSN)
	readyPrefix = "VAULTCLIENT-HELPER-READY "
)

// rejectResult is what a client process of TestFleetAfter401 reports.
type rejectResult struct {
	Calls     int64    `json:"calls"`
	Errors    int64    `json:"errors"`
	FirstErrs []string `json:"firstErrors,omitempty"`
	Before    string   `json:"before"` // fingerprints, never tokens
	After     string   `json:"after"`
}

// TestFleetAfter401: 10 client processes hold the vault's token; PSN then
// refuses it (the simulator's clock jumps past its expiry while the
// vault's does not), and 100 goroutines per process make a data call each.
// Every call succeeds after psn.Client's one retry; each process asks the
// vault for a fresher token exactly once (?rejected=), gets one that
// differs from the rejected one, and the vault refreshes once in all.
func TestFleetAfter401(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 10 processes")
	}
	const (
		processes = 10
		callers   = 100
	)
	v := newTestVault(t, psntest.Config{AccessTTL: time.Hour, Users: 1})
	v.add(t, "acct", 0, false)

	type child struct {
		cmd    *exec.Cmd
		stdin  io.WriteCloser
		lines  *bufio.Scanner
		stderr bytes.Buffer
	}
	children := make([]*child, processes)
	for i := range processes {
		c := &child{cmd: exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1", "-test.v")}
		c.cmd.Env = append(os.Environ(),
			envHelper+"=reject",
			envURL+"="+v.url,
			envSim+"="+v.sim.URL,
			envKey+"="+v.key.Reveal(),
			envAccount+"=acct",
			envProc+"="+fmt.Sprintf("proc-%d", i),
			envCallers+"="+strconv.Itoa(callers),
		)
		var err error
		if c.stdin, err = c.cmd.StdinPipe(); err != nil {
			t.Fatal(err)
		}
		out, err := c.cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		c.lines = bufio.NewScanner(out)
		c.lines.Buffer(make([]byte, 0, 64<<10), 1<<20)
		c.cmd.Stderr = &c.stderr
		if err := c.cmd.Start(); err != nil {
			t.Fatalf("starting process %d: %v", i, err)
		}
		children[i] = c
	}
	// Each process has fetched the token once.
	first := ""
	for i, c := range children {
		fp, ok := scanFor(c.lines, readyPrefix)
		if !ok {
			c.cmd.Wait()
			t.Fatalf("process %d never got ready; stderr:\n%s", i, c.stderr.String())
		}
		if first == "" {
			first = fp
		} else if fp != first {
			t.Fatalf("process %d holds another token than process 0 before the 401", i)
		}
	}
	before := v.sim.Sim.Stats()
	v.sim.Sim.Advance(2 * time.Hour) // PSN now refuses the token; the vault still trusts it
	for _, c := range children {
		fmt.Fprintln(c.stdin, "go")
		c.stdin.Close()
	}
	results := make([]rejectResult, processes)
	for i, c := range children {
		line, ok := scanFor(c.lines, resultPrefix)
		err := c.cmd.Wait()
		if !ok || err != nil || json.Unmarshal([]byte(line), &results[i]) != nil {
			t.Fatalf("process %d: exit %v, result %q; stderr:\n%s", i, err, line, c.stderr.String())
		}
	}
	grants := v.sim.Sim.Stats().Grants.RefreshToken - before.Grants.RefreshToken
	for i, r := range results {
		h := v.hitsOf(fmt.Sprintf("proc-%d", i))
		t.Logf("process %d: %d data calls, %d failed; vault requests %d (%d with ?rejected=)", i, r.Calls, r.Errors, h.All, h.Rejected)
		if r.Errors != 0 || r.Calls != callers {
			t.Errorf("process %d: %d of %d data calls failed; first: %q", i, r.Errors, r.Calls, r.FirstErrs)
		}
		if h.Rejected != 1 {
			t.Errorf("process %d asked for a fresher token %d times, want exactly 1", i, h.Rejected)
		}
		if h.All != 2 {
			t.Errorf("process %d made %d token requests, want 2 (the first token, one fresher one)", i, h.All)
		}
		if r.Before != first || r.After == r.Before || r.After == "" {
			t.Errorf("process %d: token before %s, after %s: want a new token after the 401", i, r.Before, r.After)
		}
		if r.After != results[0].After {
			t.Errorf("process %d got another fresh token than process 0", i)
		}
	}
	if grants != 1 {
		t.Errorf("the vault made %d refresh grants for %d processes' rejections, want 1", grants, processes)
	}
}

// scanFor returns the rest of the first line that starts with prefix.
func scanFor(sc *bufio.Scanner, prefix string) (string, bool) {
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), prefix); ok {
			return rest, true
		}
	}
	return "", false
}

// rejectHelper is a client process of TestFleetAfter401: it fetches the
// token, reports ready, waits for "go" on stdin, then makes one data call
// per goroutine through psn.Client.
func rejectHelper(t *testing.T) {
	ctx := t.Context()
	callers, _ := strconv.Atoi(os.Getenv(envCallers))
	src, err := vaultclient.New(os.Getenv(envURL), psn.Secret(os.Getenv(envKey)), os.Getenv(envAccount),
		vaultclient.WithHTTPClient(procClient(os.Getenv(envProc))))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := src.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	before := vaultclient.Fingerprint(tok.AccessToken.Reveal())
	fmt.Println(readyPrefix + before)
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	client := psn.NewClient(psn.WithEndpoint(os.Getenv(envSim)), psn.WithLimiter(nil)).WithTokenSource(src)
	var (
		calls, errs atomic.Int64
		mu          sync.Mutex
		firstErrs   []string
		wg          sync.WaitGroup
	)
	for range callers {
		wg.Go(func() {
			_, err := client.Trophies.Summary(ctx, "me")
			calls.Add(1)
			if err != nil {
				errs.Add(1)
				mu.Lock()
				if len(firstErrs) < 3 {
					firstErrs = append(firstErrs, err.Error())
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	after := ""
	if tok, err := src.Token(context.WithoutCancel(ctx)); err == nil {
		after = vaultclient.Fingerprint(tok.AccessToken.Reveal())
	}
	b, _ := json.Marshal(rejectResult{Calls: calls.Load(), Errors: errs.Load(), FirstErrs: firstErrs, Before: before, After: after})
	fmt.Println(resultPrefix + string(b))
}
