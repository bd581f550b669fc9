package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// simUser is one user of the simulator's start-up line.
type simUser struct {
	OnlineID  string `json:"onlineId"`
	AccountID string `json:"accountId"`
	NPSSO     string `json:"npsso"`
}

// simLine is psn sim serve's start-up line.
type simLine struct {
	URL   string    `json:"url"`
	Users []simUser `json:"users"`
}

// parseSimLine reads psn sim serve's start-up line.
func parseSimLine(line string) (simLine, error) {
	var s simLine
	if err := json.Unmarshal([]byte(line), &s); err != nil {
		return s, fmt.Errorf("the simulator's start-up line is not JSON: %w", err)
	}
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		return s, fmt.Errorf("the simulator's start-up line names no loopback URL")
	}
	return s, nil
}

// parseURLLine reads psn-vault serve's start-up line {"url":…}.
func parseURLLine(line string) (string, error) {
	var v struct {
		URL string `json:"url"`
	}
	if err := json.Unmarshal([]byte(line), &v); err != nil {
		return "", fmt.Errorf("the vault's start-up line is not JSON: %w", err)
	}
	if !strings.HasPrefix(v.URL, "http://127.0.0.1:") {
		return "", fmt.Errorf("the vault's start-up line names no loopback URL")
	}
	return v.URL, nil
}

// acctName is the vault name of account i.
func acctName(i int) string { return fmt.Sprintf("acct%04d", i) }

// replica is one psn-vault serve, over its lives (a kill -9 and a restart
// make a second life on the same port when it is free).
type replica struct {
	i       int
	logFile *os.File

	mu    sync.Mutex
	child *child
	url   string
	up    bool
	epoch uint64 // changes at every kill and start
	lives int
	// Where the current life starts: its log's offset and the refresh
	// grants the proxy had counted for the replica.
	logOffset     int64
	grantsAtStart int
}

// state returns where the replica listens, whether it is up, and its epoch.
func (r *replica) state() (url string, up bool, epoch uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.url, r.up, r.epoch
}

// harness is one soak run.
type harness struct {
	cfg     config
	out     io.Writer
	errw    io.Writer
	procs   *procs
	dir     string
	bins    binaries
	ns      namespace
	keyB64  string
	apiKey  string
	sim     *child
	simURL  string
	users   []simUser
	proxy   *grantProxy
	reps    []*replica
	http    *http.Client
	started time.Time

	tokens     counter // token request outcomes
	checks     counter // checks of the vault's tokens
	cliRuns    counter // psn token print outcomes
	cliErrs    counter // their error lines, by kind
	cliChecks  counter // checks of the CLI's tokens
	lat        latencies
	minLeftNs  atomic.Int64 // least validity left in a token answer
	checkUsed  []atomic.Int32
	behind     atomic.Int64 // request tickets dropped: every client was busy
	cliMu      sync.Mutex
	cliGrants  grantCounts
	cliSaves   int // refresh grants of CLI runs that exited 0 (saved before printing)
	cliUnsaved int // refresh grants of CLI runs that failed
	downFor    time.Duration
	killNote   string
	killedAt   time.Time // when the replica was killed (zero: no kill)

	hooks      *hookReceiver // receives every replica's webhooks
	hookSecret string        // PSN_WEBHOOK_SECRET of the run (random)
	hookWait   time.Duration // how long the drain waited after the settle period
}

func newHarness(cfg config, out, errw io.Writer) *harness {
	h := &harness{cfg: cfg, out: out, errw: errw, procs: newProcs()}
	h.minLeftNs.Store(math.MaxInt64)
	h.http = &http.Client{Transport: &http.Transport{
		MaxIdleConns: 512, MaxIdleConnsPerHost: 128, IdleConnTimeout: 30 * time.Second,
		DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
	}}
	return h
}

func (h *harness) logf(format string, a ...any) {
	fmt.Fprintf(h.errw, "soak: %s "+format+"\n", append([]any{time.Now().UTC().Format("15:04:05")}, a...)...)
}

// run sets up, loads, judges and tears down; every child is gone when it
// returns.
func (h *harness) run(ctx context.Context) (res result, err error) {
	cfg := h.cfg
	defer h.procs.killAll()
	keepDir := cfg.logDir != ""
	if keepDir {
		h.dir, err = filepath.Abs(cfg.logDir)
		if err == nil {
			err = os.MkdirAll(h.dir, 0o700)
		}
	} else {
		h.dir, err = os.MkdirTemp("", "psn-soak-")
	}
	if err != nil {
		return res, err
	}
	defer func() {
		if keepDir {
			return
		}
		if err != nil || len(res.failing(cfg.strict)) > 0 {
			h.logf("logs kept in %s", h.dir)
			// The binaries (built ones only) are not worth keeping.
			_ = os.Remove(filepath.Join(h.dir, "psn"))
			_ = os.Remove(filepath.Join(h.dir, psnVaultExe))
			return
		}
		_ = os.RemoveAll(h.dir)
	}()

	var id [4]byte
	_, _ = rand.Read(id[:])
	runID := hex.EncodeToString(id[:])
	h.ns, err = newNamespace(cfg.store, cfg.pgURL, cfg.redisURL, h.dir, runID)
	if err != nil {
		return res, err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if rerr := h.ns.remove(cctx); rerr != nil {
			h.logf("cleanup: %v", rerr)
		}
	}()
	var key [32]byte
	_, _ = rand.Read(key[:])
	h.keyB64 = base64.StdEncoding.EncodeToString(key[:])

	var hs [32]byte
	_, _ = rand.Read(hs[:])
	h.hookSecret = base64.StdEncoding.EncodeToString(hs[:])
	h.hooks = newHookReceiver([]byte(h.hookSecret), cfg.hookFail, uint64(cfg.seed))
	if err := h.hooks.listen(); err != nil {
		return res, err
	}
	defer h.hooks.close()

	if err := h.buildPrograms(ctx); err != nil {
		return res, err
	}
	if err := h.startSim(); err != nil {
		return res, err
	}
	if h.proxy, err = newGrantProxy(h.simURL); err != nil {
		return res, err
	}
	defer h.proxy.close()
	if err := h.createAPIKey(ctx); err != nil {
		return res, err
	}
	// No webhook body may hold a secret (docs/vault.md): the receiver looks
	// for these in every body.
	h.hooks.watchFor(h.apiKey, h.keyB64, h.hookSecret)
	for _, u := range h.users[:cfg.accounts] {
		h.hooks.watchFor(u.NPSSO)
	}
	h.reps = make([]*replica, cfg.replicas)
	for i := range h.reps {
		f, err := os.OpenFile(filepath.Join(h.dir, fmt.Sprintf("replica%d.log", i)), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return res, err
		}
		defer f.Close()
		h.reps[i] = &replica{i: i, logFile: f}
		if err := h.startReplica(h.reps[i], "127.0.0.1:0"); err != nil {
			return res, err
		}
	}
	h.logf("store %s; simulator %s; %d replicas up", h.ns.display, h.simURL, len(h.reps))
	if err := h.addAccounts(ctx); err != nil {
		return res, err
	}

	h.logf("load for %s", cfg.duration)
	h.started = time.Now()
	loadCtx, stopLoad := context.WithTimeout(ctx, cfg.duration)
	defer stopLoad()
	var wg sync.WaitGroup
	wg.Go(func() { h.clients(loadCtx, ctx) })
	wg.Go(func() { h.cliLoop(loadCtx, ctx) })
	wg.Go(func() { h.killer(loadCtx, ctx) })
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("stopped during the load: %w", context.Cause(ctx))
	}
	h.logf("load done; the schedulers run alone for %s", cfg.settle)
	select {
	case <-time.After(cfg.settle):
	case <-ctx.Done():
		return res, fmt.Errorf("stopped while settling: %w", context.Cause(ctx))
	}
	if err := h.drainHooks(ctx); err != nil {
		return res, err
	}
	return h.judge(ctx)
}

// buildPrograms finds or builds psn and psn-vault (findBinaries).
func (h *harness) buildPrograms(ctx context.Context) error {
	build := func(ctx context.Context, dir string, pkgs ...string) error {
		h.logf("building %s", strings.Join(pkgs, " "))
		return goBuild(h.errw)(ctx, dir, pkgs...)
	}
	b, err := findBinaries(ctx, h.cfg.psnBin, h.cfg.psnVaultBin, h.dir, build)
	if err != nil {
		return err
	}
	h.bins = b
	h.logf("psn %s; psn-vault %s", b.psn, b.vault)
	return nil
}

func (h *harness) openLog(name string) (*os.File, error) {
	return os.OpenFile(filepath.Join(h.dir, name), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
}

func (h *harness) startSim() error {
	f, err := h.openLog("sim.log")
	if err != nil {
		return err
	}
	defer f.Close() // the child holds its own descriptor
	args := []string{"sim", "serve", "--addr", "127.0.0.1:0", "--access-ttl", h.cfg.accessTTL.String(),
		"--rotate-refresh", "--users", fmt.Sprint(h.cfg.accounts), "--seed", fmt.Sprint(h.cfg.seed)}
	c, line, err := h.procs.start("simulator", h.bins.psn, args, childEnv(), f, 60*time.Second)
	if err != nil {
		return err
	}
	s, err := parseSimLine(line)
	if err != nil {
		return err
	}
	if len(s.Users) < h.cfg.accounts {
		return fmt.Errorf("the simulator made %d users, %d asked for", len(s.Users), h.cfg.accounts)
	}
	h.sim, h.simURL, h.users = c, s.URL, s.Users
	h.checkUsed = make([]atomic.Int32, h.cfg.accounts)
	return nil
}

// storeEnv is the environment of every psn process on the run's store:
// the store URL and the key through the environment, never argv.
func (h *harness) storeEnv(endpoint, configDir string) []string {
	return childEnv("PSN_STORE="+h.ns.url, "PSN_KEY="+h.keyB64, "PSN_ENDPOINT="+endpoint, "PSN_CONFIG_DIR="+configDir)
}

func (h *harness) configDir(name string) (string, error) {
	d := filepath.Join(h.dir, name)
	return d, os.MkdirAll(d, 0o700)
}

func (h *harness) createAPIKey(ctx context.Context) error {
	dir, err := h.configDir("cfg-admin")
	if err != nil {
		return err
	}
	out, stderr, code, err := runCommand(ctx, 60*time.Second, h.bins.vault, []string{"apikey", "create", "soak", "--admin"}, h.storeEnv(h.proxy.endpoint("admin"), dir))
	if err != nil || code != 0 {
		return fmt.Errorf("psn-vault apikey create: exit %d: %v: %s", code, err, errorKind(stderr))
	}
	h.apiKey = strings.TrimSpace(out)
	if !strings.HasPrefix(h.apiKey, "psnv_") {
		return errors.New("psn-vault apikey create printed no API key")
	}
	return nil
}

// startReplica starts a life of r listening on addr (its old address after
// a kill, when that port is still free).
func (h *harness) startReplica(r *replica, addr string) error {
	dir, err := h.configDir(fmt.Sprintf("cfg-r%d", r.i))
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.lives++
	life := r.lives
	r.mu.Unlock()
	fmt.Fprintf(r.logFile, "# soak: replica %d life %d starting at %s on %s\n", r.i, life, time.Now().UTC().Format(time.RFC3339Nano), addr)
	tag := fmt.Sprintf("r%d", r.i)
	if fi, err := r.logFile.Stat(); err == nil {
		r.mu.Lock()
		r.logOffset, r.grantsAtStart = fi.Size(), h.proxy.get(tag).Refresh
		r.mu.Unlock()
	}
	// The webhook secret goes through the environment, never argv.
	env := append(h.storeEnv(h.proxy.endpoint(tag), dir), "PSN_WEBHOOK_SECRET="+h.hookSecret)
	args := []string{"serve", "--addr", addr, "--webhook", h.hooks.url}
	c, line, err := h.procs.start(fmt.Sprintf("replica %d", r.i), h.bins.vault, args, env, r.logFile, 60*time.Second)
	if err != nil && addr != "127.0.0.1:0" {
		h.logf("replica %d could not take %s again (%v); on a new port", r.i, addr, err)
		return h.startReplica(r, "127.0.0.1:0")
	}
	if err != nil {
		return err
	}
	u, err := parseURLLine(line)
	if err != nil {
		h.procs.kill(c)
		return err
	}
	r.mu.Lock()
	r.child, r.url, r.up = c, u, true
	r.epoch++
	r.mu.Unlock()
	return nil
}

// addAccounts adds every account through POST /v1/accounts, spread over
// the replicas, 8 at a time.
func (h *harness) addAccounts(ctx context.Context) error {
	start := time.Now()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  atomic.Int64
	)
	for range 8 {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= h.cfg.accounts || ctx.Err() != nil {
					return
				}
				if err := h.addAccount(ctx, i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	if first != nil {
		return first
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	h.logf("added %d accounts (keepNpsso=%v) in %s", h.cfg.accounts, h.cfg.keepNPSSO, time.Since(start).Round(time.Millisecond))
	return nil
}

func (h *harness) addAccount(ctx context.Context, i int) error {
	body, _ := json.Marshal(map[string]any{"name": acctName(i), "npsso": h.users[i].NPSSO, "keepNpsso": h.cfg.keepNPSSO})
	url, _, _ := h.reps[i%len(h.reps)].state()
	rctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(rctx, http.MethodPost, url+"/v1/accounts", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+h.apiKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.http.Do(req)
	if err != nil {
		return fmt.Errorf("adding %s: %w", acctName(i), err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		return fmt.Errorf("adding %s: %s", acctName(i), classifyToken(resp.StatusCode, b))
	}
	return nil
}

// clients runs the token clients until loadCtx ends; tickets pace them at
// --rate over all clients. Requests in flight finish under ctx.
func (h *harness) clients(loadCtx, ctx context.Context) {
	if h.cfg.clients == 0 {
		return
	}
	tickets := make(chan struct{}, h.cfg.clients)
	var wg sync.WaitGroup
	wg.Go(func() {
		every := time.Duration(float64(time.Second) / h.cfg.rate)
		t := time.NewTicker(max(every, 50*time.Microsecond))
		defer t.Stop()
		for {
			select {
			case <-loadCtx.Done():
				return
			case <-t.C:
				select {
				case tickets <- struct{}{}:
				default:
					h.behind.Add(1)
				}
			}
		}
	})
	for n := range h.cfg.clients {
		rng := mrand.New(mrand.NewPCG(uint64(n), uint64(time.Now().UnixNano())))
		wg.Go(func() {
			for {
				select {
				case <-loadCtx.Done():
					return
				case <-tickets:
				}
				h.tokenRequest(ctx, h.reps[rng.IntN(len(h.reps))], rng.IntN(h.cfg.accounts))
			}
		})
	}
	wg.Wait()
}

// tokenRequest asks replica r for account i's token and checks it.
func (h *harness) tokenRequest(ctx context.Context, r *replica, i int) {
	url, up, epoch := r.state()
	rctx, cancel := context.WithTimeout(ctx, h.cfg.reqTimeout)
	defer cancel()
	req, _ := http.NewRequestWithContext(rctx, http.MethodGet, url+"/v1/accounts/"+acctName(i)+"/token", nil)
	req.Header.Set("Authorization", "Bearer "+h.apiKey)
	start := time.Now()
	resp, err := h.http.Do(req)
	if err != nil {
		_, upNow, epochNow := r.state()
		if !up || !upNow || epochNow != epoch {
			h.tokens.inc(outDown)
			time.Sleep(20 * time.Millisecond) // no busy loop against a dead port
			return
		}
		if ctx.Err() != nil {
			return // the run is being stopped
		}
		if rctx.Err() != nil {
			h.tokens.inc("no answer within --request-timeout " + h.cfg.reqTimeout.String())
			return
		}
		h.tokens.inc("connection error: " + errorKind(err.Error()))
		return
	}
	b, rerr := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	got := time.Now()
	if rerr != nil {
		h.tokens.inc("read error: " + errorKind(rerr.Error()))
		return
	}
	out := classifyToken(resp.StatusCode, b)
	h.tokens.inc(out)
	if out != outOK {
		return
	}
	h.lat.add(got.Sub(start))
	var tok struct {
		AccessToken string    `json:"accessToken"`
		Expiry      time.Time `json:"expiry"`
	}
	if json.Unmarshal(b, &tok) != nil || tok.AccessToken == "" {
		h.checks.inc(checkError)
		return
	}
	left := tok.Expiry.Sub(got)
	for {
		cur := h.minLeftNs.Load()
		if int64(left) >= cur || h.minLeftNs.CompareAndSwap(cur, int64(left)) {
			break
		}
	}
	h.checks.inc(h.check(ctx, i, tok.AccessToken))
}

// check asks the simulator whether token works for account i (within the
// account's check budget).
func (h *harness) check(ctx context.Context, i int, token string) string {
	if int(h.checkUsed[i].Add(1)) > h.cfg.checkBudget {
		return checkSkipped
	}
	rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(rctx, http.MethodGet, h.simURL+"/api/v1/devices/accounts/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := h.http.Do(req)
	if err != nil {
		return checkError
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return classifyCheck(resp.StatusCode, b, h.users[i].AccountID)
}

// cliLoop starts psn token print for a random account every --cli-every
// until loadCtx ends, then waits for the runs in flight.
func (h *harness) cliLoop(loadCtx, ctx context.Context) {
	if h.cfg.cliEvery == 0 {
		return
	}
	dir, err := h.configDir("cfg-cli")
	if err != nil {
		h.cliRuns.inc("setup error")
		return
	}
	var (
		wg       sync.WaitGroup
		inflight atomic.Int32
		n        int
	)
	rng := mrand.New(mrand.NewPCG(7, uint64(time.Now().UnixNano())))
	t := time.NewTicker(h.cfg.cliEvery)
	defer t.Stop()
	for {
		select {
		case <-loadCtx.Done():
			wg.Wait()
			return
		case <-t.C:
		}
		if int(inflight.Load()) >= h.cfg.cliMax {
			h.cliRuns.inc("skipped (cli-max in flight)")
			continue
		}
		n++
		tag, i := fmt.Sprintf("c%d", n), rng.IntN(h.cfg.accounts)
		inflight.Add(1)
		wg.Go(func() {
			defer inflight.Add(-1)
			h.cliRun(ctx, tag, i, dir)
		})
	}
}

// cliRun runs one psn --account acctNNNN token print.
func (h *harness) cliRun(ctx context.Context, tag string, i int, dir string) {
	// The token is checked the moment it is printed, as a script would
	// use it, not after the process has finished exiting.
	checked := ""
	out, stderr, code, err := runCommandLine(ctx, h.cfg.cliTimeout, h.bins.psn,
		[]string{"--account", acctName(i), "token", "print"}, h.storeEnv(h.proxy.endpoint(tag), dir),
		func(line string) {
			if tok := strings.TrimSpace(line); tok != "" {
				checked = h.check(ctx, i, tok)
			}
		})
	g := h.proxy.take(tag)
	h.cliMu.Lock()
	h.cliGrants.add(g)
	if code == 0 {
		h.cliSaves += g.Refresh
	} else {
		h.cliUnsaved += g.Refresh
	}
	h.cliMu.Unlock()
	switch {
	case code == 0:
		h.cliRuns.inc("ok")
		if strings.TrimSpace(out) == "" || checked == "" {
			h.cliChecks.inc(checkError)
			return
		}
		h.cliChecks.inc(checked)
	case code < 0 && ctx.Err() != nil:
		// the run is being stopped: not the CLI's fault
	case code < 0 && errors.Is(err, context.DeadlineExceeded):
		h.cliRuns.inc("killed after --cli-timeout " + h.cfg.cliTimeout.String())
	case code < 0:
		h.cliRuns.inc("could not run: " + errorKind(fmt.Sprint(err)))
	default:
		h.cliRuns.inc(fmt.Sprintf("exit %d", code))
		h.cliErrs.inc(errorKind(lastLine(stderr)))
	}
}

// quiesce waits, with tag's new token requests held at the proxy, until
// every refresh grant PSN answered this life of r is saved or failed to
// save (by its log), so that a kill loses no token PSN already rotated.
func (h *harness) quiesce(r *replica, tag string, limit time.Duration) (time.Duration, bool) {
	start := time.Now()
	r.mu.Lock()
	off, base := r.logOffset, r.grantsAtStart
	r.mu.Unlock()
	for time.Since(start) < limit {
		if h.proxy.busy(tag) == 0 {
			grants := h.proxy.get(tag).Refresh - base
			if f, err := os.Open(r.logFile.Name()); err == nil {
				_, _ = f.Seek(off, io.SeekStart)
				lc := scanLog(f)
				f.Close()
				if grants == lc.SavedRefresh+lc.SaveFailed {
					return time.Since(start), true
				}
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start), false
}

// lastLine is the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// killer kill -9s one replica at --kill-at and restarts it after
// --restart-after (the restart happens even when the load ended meanwhile).
func (h *harness) killer(loadCtx, ctx context.Context) {
	if h.cfg.killAt == 0 {
		return
	}
	select {
	case <-time.After(h.cfg.killAt):
	case <-loadCtx.Done():
		return
	}
	r := h.reps[h.cfg.killReplica]
	tag := fmt.Sprintf("r%d", r.i)
	hookNote := ""
	if h.cfg.killMode == "hook" {
		h.hooks.hold()
		defer h.hooks.release()
		hookNote = h.awaitHookInFlight(r, 3*time.Second)
	}
	if h.cfg.killMode == "quiet" || h.cfg.killMode == "hook" {
		h.proxy.hold(tag)
		defer h.proxy.release(tag)
		if waited, ok := h.quiesce(r, tag, 5*time.Second); ok {
			h.killNote = "between refreshes (found after " + ms(waited) + ")"
		} else {
			h.killNote = "NOT between refreshes: a grant stayed unsaved for 5 s"
		}
	} else {
		h.killNote = "at once (anytime)"
	}
	r.mu.Lock()
	c, url := r.child, r.url
	r.up = false
	r.epoch++
	r.mu.Unlock()
	addr := strings.TrimPrefix(url, "http://")
	h.killNote += hookNote
	h.logf("kill -9 replica %d (pid %d)%s", r.i, c.cmd.Process.Pid, hookNote)
	down := time.Now()
	h.procs.kill(c)
	h.killedAt = time.Now()
	h.hooks.release()
	h.proxy.drop(tag)
	fmt.Fprintf(r.logFile, "# soak: replica %d killed (SIGKILL) at %s\n", r.i, time.Now().UTC().Format(time.RFC3339Nano))
	select {
	case <-time.After(h.cfg.restartAfter):
	case <-ctx.Done():
		return
	}
	if err := h.startReplica(r, addr); err != nil {
		h.logf("restarting replica %d: %v", r.i, err)
		return
	}
	h.downFor = time.Since(down)
	h.logf("replica %d restarted after %s", r.i, h.downFor.Round(time.Millisecond))
}
