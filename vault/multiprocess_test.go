package vault

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
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
	"github.com/psnkit/psn/internal/testbackend"
	"github.com/psnkit/psn/psntest"
	"github.com/psnkit/psn/seal"
)

// Environment of a helper process started by TestRefreshAcrossProcesses.
const (
	envHelper   = "PSN_VAULT_HELPER" // "hammer" makes TestHelperProcess run
	envStore    = "PSN_VAULT_HELPER_STORE"
	envKey      = "PSN_VAULT_HELPER_KEY"
	envEndpoint = "PSN_VAULT_HELPER_ENDPOINT"
	envOwner    = "PSN_VAULT_HELPER_OWNER"
	envStopAt   = "PSN_VAULT_HELPER_STOP_AT" // unix nanoseconds
	envCallers  = "PSN_VAULT_HELPER_CALLERS"
)

// resultPrefix starts the one line a helper prints with its result.
const resultPrefix = "PSN-HELPER-RESULT "

// helperResult is what a helper process reports to the parent.
type helperResult struct {
	Calls     int64    `json:"calls"`
	Errors    int64    `json:"errors"`
	FirstErrs []string `json:"firstErrors,omitempty"`
	Refreshes int64    `json:"refreshes"` // OnRefresh hooks in this process
	Tokens    int      `json:"tokens"`    // distinct access tokens served
}

// TestRefreshAcrossProcesses is issue 3's proof of rule 1
// (docs/architecture.md) across processes:
// several OS processes share one store and one simulator and ask for the
// same account's token from several goroutines each, through two or three
// real expiries. Every refresh must be saved exactly once (refresh grants at
// the simulator == record version − 1), never two in flight at once, and
// no caller may see an error.
func TestRefreshAcrossProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts several processes and runs through real token expiries (~10 s per backend)")
	}
	for _, kind := range []string{"sqlite", "postgres", "redis"} {
		t.Run(kind, func(t *testing.T) { refreshAcrossProcesses(t, kind) })
	}
}

func refreshAcrossProcesses(t *testing.T, kind string) {
	const (
		processes = 4
		callers   = 4
		// The simulator announces one second less than AccessTTL, so
		// tokens live 2 s by the client's clock: the refresh-ahead window
		// is the last 0.5 s (plus up to 0.25 s of jitter) and the
		// must-refresh window the last 0.2 s.
		accessTTL = 3 * time.Second
		life      = accessTTL - time.Second
		hammer    = 3 * life
	)
	ctx := t.Context()
	b := testbackend.New(t, kind)
	srv := psntest.NewServer(psntest.Config{AccessTTL: accessTTL, RotateRefresh: true, RateLimit: 1 << 30, Users: 1})
	t.Cleanup(srv.Close)

	var kek [32]byte
	_, _ = rand.Read(kek[:])
	key := base64.StdEncoding.EncodeToString(kek[:])
	keys, err := LoadKeys(ctx, b.St, seal.KeyBase64(key))
	if err != nil {
		t.Fatalf("LoadKeys: %v", err)
	}
	npsso, err := psn.ParseNPSSO(srv.Sim.Users()[0].NPSSO)
	if err != nil {
		t.Fatal(err)
	}
	client := psn.NewClient(psn.WithEndpoint(srv.URL), psn.WithLimiter(nil))
	rec, err := Login(ctx, client, b.St, keys.Ring, "acct", npsso, false)
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	if rec.Version != 1 {
		t.Fatalf("record version after the first login = %d, want 1", rec.Version)
	}
	before := srv.Sim.Stats()

	// The children stop at one instant, a little after the slowest one
	// could have started.
	start := time.Now()
	stopAt := start.Add(time.Second + hammer)
	var wg sync.WaitGroup
	results := make([]helperResult, processes)
	for i := range processes {
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(),
			envHelper+"=hammer",
			envStore+"="+b.URL,
			envKey+"="+key,
			envEndpoint+"="+srv.URL,
			envOwner+"="+fmt.Sprintf("proc-%d", i),
			envStopAt+"="+strconv.FormatInt(stopAt.UnixNano(), 10),
			envCallers+"="+strconv.Itoa(callers),
		)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting helper %d: %v", i, err)
		}
		wg.Go(func() {
			err := cmd.Wait()
			r, perr := parseHelperResult(stdout.Bytes())
			if err != nil || perr != nil {
				t.Errorf("helper %d: exit %v, result %v\nstdout:\n%s\nstderr:\n%s", i, err, perr, stdout.String(), stderr.String())
				return
			}
			results[i] = r
		})
	}
	wg.Wait()
	elapsed := time.Since(start)

	after := srv.Sim.Stats()
	final, err := b.St.Get(ctx, "acct")
	if err != nil {
		t.Fatalf("Get after the run: %v", err)
	}
	grants := after.Grants.RefreshToken - before.Grants.RefreshToken
	var calls, refreshes, errs int64
	for i, r := range results {
		calls += r.Calls
		refreshes += r.Refreshes
		errs += r.Errors
		if r.Errors > 0 {
			t.Errorf("helper %d: %d of %d calls failed; first: %q", i, r.Errors, r.Calls, r.FirstErrs)
		}
		if r.Calls == 0 {
			t.Errorf("helper %d made no calls", i)
		}
	}
	t.Logf("%s: %d processes × %d callers, %d Token calls in %s; refresh grants %d, record version %d, hooks %d, concurrent refresh max %d, invalid_grant %d",
		kind, processes, callers, calls, elapsed.Round(time.Millisecond), grants, final.Version, refreshes, after.ConcurrentRefreshMax, after.Errors.InvalidGrant-before.Errors.InvalidGrant)

	if grants != final.Version-1 {
		t.Errorf("refresh grants at the simulator = %d, want record version − 1 = %d: a refresh was not saved, or one generation was refreshed twice", grants, final.Version-1)
	}
	if refreshes != grants {
		t.Errorf("OnRefresh hooks across processes = %d, want one per grant (%d)", refreshes, grants)
	}
	if after.ConcurrentRefreshMax != 1 {
		t.Errorf("most refresh grants in flight at once = %d, want 1", after.ConcurrentRefreshMax)
	}
	if n := after.Errors.InvalidGrant - before.Errors.InvalidGrant; n != 0 {
		t.Errorf("invalid_grant answers = %d, want 0 (a rotated-away refresh token was used)", n)
	}
	if grants < 2 {
		t.Errorf("refresh grants = %d, want at least 2 over %s of %s tokens", grants, hammer, life)
	}
	// A refresh starts only once a token is within its last quarter (plus
	// jitter up to an eighth), so one token generation lasts at least
	// 5/8 of its life: more grants than that allows means early or
	// duplicate refreshes.
	if limit := int64(elapsed/(life/2)) + 1; grants > limit {
		t.Errorf("refresh grants = %d in %s, more than one per expiry allows (%d)", grants, elapsed.Round(time.Millisecond), limit)
	}
	if after.Grants.AuthorizationCode != before.Grants.AuthorizationCode {
		t.Errorf("authorization_code grants during the run = %d, want 0", after.Grants.AuthorizationCode-before.Grants.AuthorizationCode)
	}
	if final.LeaseOwner != "" && time.Now().Before(final.LeaseExpiry) {
		t.Errorf("a lease is still held after every process ended: owner %q until %s", final.LeaseOwner, final.LeaseExpiry)
	}
}

func parseHelperResult(out []byte) (helperResult, error) {
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

// TestHelperProcess is the child of TestRefreshAcrossProcesses; it does
// nothing unless started by it.
func TestHelperProcess(t *testing.T) {
	if os.Getenv(envHelper) != "hammer" {
		t.Skip("helper process of TestRefreshAcrossProcesses")
	}
	ctx := context.Background()
	stopNS, err := strconv.ParseInt(os.Getenv(envStopAt), 10, 64)
	if err != nil {
		t.Fatalf("%s: %v", envStopAt, err)
	}
	callers, err := strconv.Atoi(os.Getenv(envCallers))
	if err != nil {
		t.Fatalf("%s: %v", envCallers, err)
	}
	st, err := testbackend.OpenURL(ctx, os.Getenv(envStore))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	defer st.Close()
	keys, err := LoadKeys(ctx, st, seal.KeyBase64(os.Getenv(envKey)))
	if err != nil {
		t.Fatalf("LoadKeys: %v", err)
	}
	client := psn.NewClient(psn.WithEndpoint(os.Getenv(envEndpoint)), psn.WithLimiter(nil))
	var refreshes atomic.Int64
	ds := &drainingStore{AccountStore: NewAccountStore(st, keys.Ring, "acct", os.Getenv(envOwner))}
	src := psn.NewRefreshingSource(client, ds,
		psn.OnRefresh(func(context.Context, *psn.Token, psn.RefreshReason) { refreshes.Add(1) }))

	stopAt := time.Unix(0, stopNS)
	var (
		calls, failures atomic.Int64
		mu              sync.Mutex
		firstErrs       []string
		seen            = map[psn.Secret]bool{}
		wg              sync.WaitGroup
	)
	for range callers {
		wg.Go(func() {
			var last psn.Secret
			for time.Now().Before(stopAt) {
				tok, err := src.Token(ctx)
				calls.Add(1)
				if err != nil {
					failures.Add(1)
					mu.Lock()
					if len(firstErrs) < 3 {
						firstErrs = append(firstErrs, err.Error())
					}
					mu.Unlock()
					continue
				}
				if tok.AccessToken != last {
					last = tok.AccessToken
					mu.Lock()
					seen[last] = true
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	// A background refresh may still be running: let it save its token
	// before the process exits, as a graceful shutdown does (a process
	// killed between PSN's answer and the save loses a rotated refresh
	// token, which no store can prevent).
	ds.drain()
	out, _ := json.Marshal(helperResult{Calls: calls.Load(), Errors: failures.Load(), FirstErrs: firstErrs, Refreshes: refreshes.Load(), Tokens: len(seen)})
	fmt.Printf("\n%s%s\n", resultPrefix, out)
}

// drainingStore lets a helper process finish the refreshes it started:
// after drain begins, no new lease is taken (the source keeps serving what
// it has), and drain returns once every lease taken before was released.
type drainingStore struct {
	*AccountStore
	mu       sync.Mutex
	cond     *sync.Cond
	draining bool
	active   int
}

var errDraining = errors.New("helper: shutting down")

func (d *drainingStore) Lease(ctx context.Context, ttl time.Duration) (func(context.Context), error) {
	d.mu.Lock()
	if d.draining {
		d.mu.Unlock()
		return nil, errDraining
	}
	d.active++
	d.mu.Unlock()
	release, err := d.AccountStore.Lease(ctx, ttl)
	if err != nil {
		d.done()
		return nil, err
	}
	return func(ctx context.Context) {
		release(ctx)
		d.done()
	}, nil
}

func (d *drainingStore) done() {
	d.mu.Lock()
	d.active--
	if d.cond != nil {
		d.cond.Broadcast()
	}
	d.mu.Unlock()
}

func (d *drainingStore) drain() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.draining = true
	d.cond = sync.NewCond(&d.mu)
	for d.active > 0 {
		d.cond.Wait()
	}
}
