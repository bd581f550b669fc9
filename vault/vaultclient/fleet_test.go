package vaultclient_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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

// Environment of a client process started by TestFleetProcesses.
const (
	envHelper  = "VAULTCLIENT_HELPER" // "fleet" makes TestHelperProcess run
	envURL     = "VAULTCLIENT_HELPER_URL"
	envKey     = "VAULTCLIENT_HELPER_KEY" // the environment, never argv
	envAccount = "VAULTCLIENT_HELPER_ACCOUNT"
	envProc    = "VAULTCLIENT_HELPER_PROC"
	envStopAt  = "VAULTCLIENT_HELPER_STOP_AT" // unix nanoseconds
	envCallers = "VAULTCLIENT_HELPER_CALLERS"
)

const resultPrefix = "VAULTCLIENT-HELPER-RESULT "

// helperResult is what a client process reports.
type helperResult struct {
	Calls     int64    `json:"calls"`
	Errors    int64    `json:"errors"`
	FirstErrs []string `json:"firstErrors,omitempty"`
	Tokens    int      `json:"tokens"` // distinct access tokens seen
	Expired   int64    `json:"expired"`
}

// TestFleetProcesses is issue 11 item 6's proof: 1,000 goroutines in 10
// client processes call Token in a loop over a few token lifetimes of a
// simulator with 2-second tokens. Each process asks the vault at most
// about once per token the vault issued (refresh grants + the first
// token), not once per call: the vault counts the requests per process.
func TestFleetProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 10 processes and runs through real token expiries (~8 s)")
	}
	const (
		processes = 10
		callers   = 100
		// The simulator announces one second less than AccessTTL: tokens
		// live 2 s; the vault serves tokens valid for half that at least.
		accessTTL = 3 * time.Second
		life      = accessTTL - time.Second
		hammer    = 3 * life
		slack     = 2
	)
	v := newTestVault(t, psntest.Config{AccessTTL: accessTTL, RotateRefresh: true, Users: 1})
	v.add(t, "acct", 0, false)
	before := v.sim.Sim.Stats()

	start := time.Now()
	stopAt := start.Add(time.Second + hammer)
	results := make([]helperResult, processes)
	var wg sync.WaitGroup
	for i := range processes {
		cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(),
			envHelper+"=fleet",
			envURL+"="+v.url,
			envKey+"="+v.key.Reveal(),
			envAccount+"=acct",
			envProc+"="+fmt.Sprintf("proc-%d", i),
			envStopAt+"="+strconv.FormatInt(stopAt.UnixNano(), 10),
			envCallers+"="+strconv.Itoa(callers),
		)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting process %d: %v", i, err)
		}
		wg.Go(func() {
			err := cmd.Wait()
			r, perr := parseResult(stdout.Bytes())
			if err != nil || perr != nil {
				t.Errorf("process %d: exit %v, result %v\nstdout:\n%s\nstderr:\n%s", i, err, perr, stdout.String(), stderr.String())
				return
			}
			results[i] = r
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	grants := v.sim.Sim.Stats().Grants.RefreshToken - before.Grants.RefreshToken
	issued := grants + 1 // the login's token, then one per refresh

	var calls, total int64
	for i, r := range results {
		h := v.hitsOf(fmt.Sprintf("proc-%d", i))
		calls += r.Calls
		total += h.All
		t.Logf("process %d: %d Token calls, %d vault requests, %d distinct tokens, %d handed out already expired", i, r.Calls, h.All, r.Tokens, r.Expired)
		if r.Errors > 0 {
			t.Errorf("process %d: %d of %d calls failed; first: %q", i, r.Errors, r.Calls, r.FirstErrs)
		}
		if r.Calls < callers {
			t.Errorf("process %d made %d calls, want at least one per goroutine", i, r.Calls)
		}
		if h.All < 1 {
			t.Errorf("process %d: no request reached the vault", i)
		}
		if h.All > issued+slack {
			t.Errorf("process %d asked the vault %d times for %d tokens the vault issued: more than once per refresh (+%d)", i, h.All, issued, slack)
		}
		if h.Rejected != 0 {
			t.Errorf("process %d: %d requests with ?rejected= without any 401", i, h.Rejected)
		}
	}
	t.Logf("%d processes × %d goroutines: %d Token calls in %s; %d refresh grants at PSN; %d vault token requests (bound %d)",
		processes, callers, calls, elapsed.Round(time.Millisecond), grants, total, processes*(issued+slack))
	if grants < 2 {
		t.Errorf("refresh grants = %d over %s of %s tokens, want at least 2 (the run did not span a few lifetimes)", grants, hammer, life)
	}
}

// TestHelperProcess is one client process of TestFleetProcesses; it does
// nothing unless started by it.
func TestHelperProcess(t *testing.T) {
	switch os.Getenv(envHelper) {
	case "fleet":
	case "reject":
		rejectHelper(t)
		return
	default:
		t.Skip("runs only as a helper process of TestFleetProcesses or TestFleetAfter401")
	}
	stopNs, _ := strconv.ParseInt(os.Getenv(envStopAt), 10, 64)
	stopAt := time.Unix(0, stopNs)
	callers, _ := strconv.Atoi(os.Getenv(envCallers))
	src, err := vaultclient.New(os.Getenv(envURL), psn.Secret(os.Getenv(envKey)), os.Getenv(envAccount),
		vaultclient.WithHTTPClient(procClient(os.Getenv(envProc))))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	var (
		calls, errs, expired atomic.Int64
		mu                   sync.Mutex
		firstErrs            []string
		seen                 = map[string]bool{}
	)
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			for time.Now().Before(stopAt) {
				tok, err := src.Token(ctx)
				calls.Add(1)
				if err != nil {
					errs.Add(1)
					mu.Lock()
					if len(firstErrs) < 3 {
						firstErrs = append(firstErrs, err.Error())
					}
					mu.Unlock()
				} else {
					if !tok.Expiry.After(time.Now()) {
						expired.Add(1)
					}
					mu.Lock()
					seen[tok.AccessToken.Reveal()] = true
					mu.Unlock()
				}
				time.Sleep(time.Millisecond) // a bot does some work between calls
			}
		})
	}
	wg.Wait()
	b, _ := json.Marshal(helperResult{Calls: calls.Load(), Errors: errs.Load(), FirstErrs: firstErrs, Tokens: len(seen), Expired: expired.Load()})
	fmt.Println(resultPrefix + string(b))
}

func parseResult(out []byte) (helperResult, error) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), resultPrefix); ok {
			var r helperResult
			err := json.Unmarshal([]byte(line), &r)
			return r, err
		}
	}
	return helperResult{}, errors.New("no result line")
}
