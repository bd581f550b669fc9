// Command vault benchmarks `psn-vault serve` (issue 8's goals): it seeds N
// accounts, then measures, against a vault running as its own process:
//
//   - RSS idle, and the time of GET /v1/accounts?limit=100, /metrics and /;
//   - token requests per second and their p99 at each -conns, against a bare
//     net/http floor server (its own process: checks a bearer, answers 1 KB
//     of JSON) in the same run, rounds interleaved, the median kept;
//   - refreshes per second sustained while -refresh-accounts accounts are due
//     at once, and the RSS while they refresh;
//   - the CPU time per refresh in that window (utime+stime from
//     /proc/PID/stat, over the refresh grants counted in it): the vault
//     process's, and this process's, where the simulator runs, so one sees
//     which one is the limit.
//
// Seeding: one login at an in-process simulator (psntest, refresh tokens not
// rotated, no rate limit) gives a valid token pair; every account gets a
// copy, sealed for that account (so they are valid for the simulator and
// for the vault) and written with Put, -seeders at a time. The vault is
// `psn-vault serve`, run directly (its own process, whose RSS and CPU time
// are read): -psn-vault, else the psn-vault next to -psn, else built once
// from this module into a temporary directory.
//
// Usage:
//
//	go run ./bench/vault -accounts 10000                      # SQLite in a temp dir
//	go run ./bench/vault -accounts 10000 -store 'postgres://postgres@127.0.0.1:5432/test?schema=bench_vault'
//
// The last line is:
//
//	token_vs_floor=… refresh_per_s=… rss_idle_mib=… rss_busy_mib=… metrics_ms=… list_ms=… page_ms=… metrics_cold_ms=… cpu_ms_per_refresh=… sim_cpu_ms_per_refresh=…
//
// token_vs_floor is the smaller of the per-connection-count ratios of the
// vault's median req/s to the floor's.
package main

import (
	"bufio"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/psntest"
	"github.com/psnkit/psn/seal"
	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/store/postgres"
	"github.com/psnkit/psn/store/redis"
	"github.com/psnkit/psn/store/sqlite"
	"github.com/psnkit/psn/vault"
	"github.com/psnkit/psn/vault/server"
)

type options struct {
	storeURL     string
	accounts     int
	hot          int
	conns        []int
	rounds       int
	round        time.Duration
	refreshN     int
	refreshFor   time.Duration
	concurrency  int
	maxSources   int
	seeders      int
	psnBin       string
	psnVaultBin  string
	keep         bool
	floorAddr    string // internal: serve the floor
	floorKeyFile string
}

func main() {
	var o options
	var conns string
	flag.StringVar(&o.storeURL, "store", "", "store URL (default: a new SQLite file in a temporary directory); a postgres:// URL should name a schema= of its own, a redis:// URL a prefix= of its own: the bench drops what it made there unless -keep")
	flag.IntVar(&o.accounts, "accounts", 10000, "accounts to seed")
	flag.IntVar(&o.hot, "hot", 1000, "accounts the token load picks from at random")
	flag.StringVar(&conns, "conns", "16,64", "connection counts of the token load")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds per connection count (floor and vault interleaved; the median is kept)")
	flag.DurationVar(&o.round, "round", 2*time.Second, "length of one load round")
	flag.IntVar(&o.refreshN, "refresh-accounts", 5000, "accounts made due at once for the refresh measurement")
	flag.DurationVar(&o.refreshFor, "refresh-for", 20*time.Second, "longest refresh measurement")
	flag.IntVar(&o.concurrency, "concurrency", 64, "psn-vault serve --concurrency for the refresh measurement")
	flag.IntVar(&o.maxSources, "max-sources", server.DefaultMaxSources, "psn-vault serve --max-sources")
	flag.IntVar(&o.seeders, "seeders", 8, "concurrent writers while seeding")
	flag.StringVar(&o.psnVaultBin, "psn-vault", "", "a built psn-vault binary (default: the psn-vault next to -psn, else go build ./cmd/psn-vault)")
	flag.StringVar(&o.psnBin, "psn", "", "a built psn binary: the psn-vault next to it is run, unless -psn-vault is given")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary directory and the seeded data")
	flag.StringVar(&o.floorAddr, "floor-serve", "", "internal: serve the floor on this address")
	flag.StringVar(&o.floorKeyFile, "floor-key-file", "", "internal: the floor's bearer, read from this file")
	flag.Parse()
	for _, c := range strings.Split(conns, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 {
			fmt.Fprintln(os.Stderr, "bench/vault: bad -conns")
			os.Exit(2)
		}
		o.conns = append(o.conns, n)
	}
	ctx := context.Background()
	var err error
	if o.floorAddr != "" {
		err = serveFloor(o.floorAddr, o.floorKeyFile)
	} else {
		err = run(ctx, o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/vault:", err)
		os.Exit(1)
	}
}

// floorBody is the floor's answer: 1 KB of JSON shaped like a token answer.
var floorBody = func() []byte {
	b, _ := json.Marshal(map[string]string{"accessToken": strings.Repeat("x", 1024-48), "expiry": "2030-01-01T00:00:00Z"})
	return b
}()

// serveFloor is the bare net/http server the vault is compared with: it
// checks the bearer (constant-time) and answers 1 KB of JSON.
func serveFloor(addr, keyFile string) error {
	key, err := os.ReadFile(keyFile)
	if err != nil {
		return err
	}
	want := []byte("Bearer " + strings.TrimSpace(string(key)))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Printf("{\"url\":\"http://%s\"}\n", ln.Addr())
	return http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(floorBody)
	}))
}

func openStore(ctx context.Context, u string) (store.Store, error) {
	switch {
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		return postgres.Open(ctx, u)
	case strings.HasPrefix(u, "redis://"), strings.HasPrefix(u, "rediss://"):
		return redis.Open(ctx, u)
	}
	return sqlite.Open(ctx, u)
}

// child is a process the bench started, with the URL it printed.
type child struct {
	cmd *exec.Cmd
	url string
}

func start(ctx context.Context, env []string, name string, args ...string) (*child, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = io.Discard
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("%s printed no URL: %w", filepath.Base(name), err)
	}
	var v struct{ URL string }
	if err := json.Unmarshal([]byte(line), &v); err != nil || v.URL == "" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("%s printed %q", filepath.Base(name), line)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	return &child{cmd: cmd, url: v.URL}, nil
}

func (c *child) stop() {
	_ = c.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(40 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
	}
}

// rssMiB is the child's resident set size.
func (c *child) rssMiB() float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func run(ctx context.Context, o options) error {
	dir, err := os.MkdirTemp("", "psn-bench-vault-")
	if err != nil {
		return err
	}
	if !o.keep {
		defer os.RemoveAll(dir)
	}
	ownStore := o.storeURL != ""
	if !ownStore {
		o.storeURL = "sqlite://" + filepath.Join(dir, "vault.db")
	}
	bin, err := vaultBinary(ctx, o.psnVaultBin, o.psnBin, dir, goBuildVault(os.Stderr))
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}

	sim := psntest.New(psntest.Config{Users: 1, RateLimit: -1, AccessTTL: time.Hour})
	simSrv := httptest.NewServer(sim.Handler())
	defer simSrv.Close()

	st, err := openStore(ctx, o.storeURL)
	if err != nil {
		return err
	}
	defer st.Close()
	if ownStore && !o.keep {
		defer cleanup(context.WithoutCancel(ctx), st)
	}
	keyFile := filepath.Join(dir, "key")
	keys, err := vault.LoadKeys(ctx, st, seal.KeyFile(keyFile))
	if err != nil {
		return err
	}
	apiKey, _, err := server.NewAPIKeys(st).Create(ctx, fmt.Sprintf("bench-%d", time.Now().UnixNano()))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "bearer"), []byte(apiKey.Reveal()), 0o600); err != nil {
		return err
	}

	t0 := time.Now()
	if err := seed(ctx, o, st, keys.Ring, simSrv.URL, sim.Users()[0]); err != nil {
		return err
	}
	fmt.Printf("seeded %d accounts into %s in %.1fs\n", o.accounts, redactURL(o.storeURL), time.Since(t0).Seconds())

	env := []string{"PSN_KEY_FILE=" + keyFile, "PSN_CONFIG_DIR=" + dir, "PSN_ENDPOINT=" + simSrv.URL}
	serveArgs := func(extra ...string) []string {
		return append([]string{"serve", "--store", o.storeURL, "--addr", "127.0.0.1:0",
			"--max-sources", strconv.Itoa(o.maxSources)}, extra...)
	}

	// 1. Idle, listings, token load.
	v, err := start(ctx, env, bin, serveArgs()...)
	if err != nil {
		return err
	}
	defer v.stop()
	time.Sleep(time.Second)
	rssIdle := v.rssMiB()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 0}, Timeout: 30 * time.Second}
	bearer := "Bearer " + apiKey.Reveal()
	listMS, err := timeGet(ctx, client, v.url+"/v1/accounts?limit=100", bearer)
	if err != nil {
		return err
	}
	// The first scrape counts the accounts (and waits for it); the next
	// ones, within server.CountsMaxAge, are served from the vault's cache.
	t1 := time.Now()
	if _, err := timeGetN(ctx, client, v.url+"/metrics", "", 1, 0); err != nil {
		return err
	}
	metricsColdMS := float64(time.Since(t1).Microseconds()) / 1000
	metricsMS, err := timeGet(ctx, client, v.url+"/metrics", "")
	if err != nil {
		return err
	}
	pageMS, err := timeGet(ctx, client, v.url+"/", "")
	if err != nil {
		return err
	}
	fmt.Printf("idle: rss %.1f MiB; /v1/accounts?limit=100 %.1f ms, /metrics %.1f ms (first scrape, which counts: %.1f ms), / %.1f ms (median of 5)\n", rssIdle, listMS, metricsMS, metricsColdMS, pageMS)

	floor, err := start(ctx, nil, self, "-floor-serve", "127.0.0.1:0", "-floor-key-file", filepath.Join(dir, "bearer"))
	if err != nil {
		return err
	}
	defer floor.stop()
	hot := min(o.hot, o.accounts)
	vaultURL := func(r *rand.Rand) string {
		return fmt.Sprintf("%s/v1/accounts/%s/token", v.url, accountName(r.IntN(hot)))
	}
	floorURL := func(r *rand.Rand) string { // the same work to make the URL
		return fmt.Sprintf("%s/v1/accounts/%s/token", floor.url, accountName(r.IntN(hot)))
	}
	// Warm both (every hot account's source, the key cache, connections).
	if _, err := load(ctx, client, max(o.conns[0], 16), time.Second, bearer, vaultURL); err != nil {
		return err
	}
	if _, err := load(ctx, client, max(o.conns[0], 16), time.Second/2, bearer, floorURL); err != nil {
		return err
	}
	worst := 0.0
	fmt.Printf("%-6s %-6s %12s %10s %12s %10s %7s %9s\n", "conns", "", "floor req/s", "floor p99", "vault req/s", "vault p99", "ratio", "p99 ratio")
	for _, c := range o.conns {
		var fl, va []result
		for range o.rounds {
			r, err := load(ctx, client, c, o.round, bearer, floorURL)
			if err != nil {
				return fmt.Errorf("floor: %w", err)
			}
			fl = append(fl, r)
			r, err = load(ctx, client, c, o.round, bearer, vaultURL)
			if err != nil {
				return fmt.Errorf("vault: %w", err)
			}
			va = append(va, r)
		}
		f, vv := median(fl), median(va)
		ratio := vv.rps / f.rps
		if worst == 0 || ratio < worst {
			worst = ratio
		}
		fmt.Printf("%-6d %-6s %12.0f %9.2fms %12.0f %9.2fms %7.2f %9.2f\n", c, "", f.rps, f.p99ms, vv.rps, vv.p99ms, ratio, vv.p99ms/f.p99ms)
	}
	v.stop()

	// 2. Refreshes: make refreshN accounts due, start a fresh vault, count
	// the simulator's refresh grants.
	n := min(o.refreshN, o.accounts)
	t0 = time.Now()
	if err := makeDue(ctx, st, n, o.seeders); err != nil {
		return err
	}
	fmt.Printf("made %d accounts due in %.1fs\n", n, time.Since(t0).Seconds())
	before := sim.Stats().Grants.RefreshToken
	v2, err := start(ctx, env, bin, serveArgs("--concurrency", strconv.Itoa(o.concurrency), "--batch", strconv.Itoa(max(256, 2*o.concurrency)), "--interval", "1s")...)
	if err != nil {
		return err
	}
	defer v2.stop()
	var (
		first   time.Time
		last    time.Time
		rssBusy float64
		grants  int64
		// CPU window: from the first poll that saw grants to the last one
		// that saw more; the vault's CPU and this process's (the simulator
		// runs here) over the grants made in it.
		g0, g1       int64
		vcpu0, vcpu1 time.Duration
		scpu0, scpu1 time.Duration
	)
	vpid := v2.cmd.Process.Pid
	deadline := time.Now().Add(o.refreshFor + 10*time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		g := sim.Stats().Grants.RefreshToken - before
		vcpu, scpu := cpuTime(vpid), cpuTime(os.Getpid())
		rssBusy = max(rssBusy, v2.rssMiB())
		if g > 0 && first.IsZero() {
			first = time.Now()
			g0, vcpu0, scpu0 = g, vcpu, scpu
		}
		if g > grants {
			grants, last = g, time.Now()
			g1, vcpu1, scpu1 = g, vcpu, scpu
		}
		if grants >= int64(n) || (!first.IsZero() && time.Since(first) > o.refreshFor) {
			break
		}
	}
	refreshPerS := 0.0
	if grants > 1 && last.After(first) {
		refreshPerS = float64(grants) / last.Sub(first).Seconds()
	}
	cpuPer, simCPUPer, vaultCores, simCores := 0.0, 0.0, 0.0, 0.0
	if g1 > g0 && last.After(first) {
		win := last.Sub(first).Seconds()
		cpuPer = float64((vcpu1 - vcpu0).Microseconds()) / 1000 / float64(g1-g0)
		simCPUPer = float64((scpu1 - scpu0).Microseconds()) / 1000 / float64(g1-g0)
		vaultCores, simCores = (vcpu1-vcpu0).Seconds()/win, (scpu1-scpu0).Seconds()/win
	}
	stats := sim.Stats()
	fmt.Printf("refresh: %d of %d due accounts refreshed, %.0f/s (concurrency %d); rss while refreshing %.1f MiB; invalid_grant %d\n",
		grants, n, refreshPerS, o.concurrency, rssBusy, stats.Errors.InvalidGrant)
	fmt.Printf("refresh cpu: vault %.3f ms/refresh (%.2f cores), simulator+bench %.3f ms/refresh (%.2f cores), over %d refreshes in %.1fs\n",
		cpuPer, vaultCores, simCPUPer, simCores, g1-g0, last.Sub(first).Seconds())
	v2.stop()

	fmt.Printf("token_vs_floor=%.2f refresh_per_s=%.0f rss_idle_mib=%.1f rss_busy_mib=%.1f metrics_ms=%.1f list_ms=%.1f page_ms=%.1f metrics_cold_ms=%.1f cpu_ms_per_refresh=%.3f sim_cpu_ms_per_refresh=%.3f\n",
		worst, refreshPerS, rssIdle, rssBusy, metricsMS, listMS, pageMS, metricsColdMS, cpuPer, simCPUPer)
	return nil
}

// clockTick is the unit of /proc/PID/stat's utime and stime (USER_HZ,
// 100 on every Linux architecture Go supports).
const clockTick = 10 * time.Millisecond

// cpuTime returns the CPU time (user + system) process pid has used, from
// /proc/PID/stat; 0 when it cannot be read.
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces; fields after it start
	// with the state (field 3): utime is field 14, stime field 15.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(ut+st) * clockTick
}

func accountName(i int) string { return fmt.Sprintf("acct%06d", i) }

// seed writes o.accounts accounts, each with a copy of one valid token
// pair of user u, sealed for that account.
func seed(ctx context.Context, o options, st store.Store, ring *seal.Ring, simURL string, u psntest.User) error {
	c := psn.NewClient(psn.WithEndpoint(simURL))
	tok, err := c.Login(ctx, psn.Secret(u.NPSSO))
	if err != nil {
		return fmt.Errorf("login at the simulator: %w", err)
	}
	// Fresh for the whole run: an hour, issued now, due in 45 minutes.
	now := time.Now()
	tok.IssuedAt, tok.Expiry = now, now.Add(time.Hour)
	var (
		next atomic.Int64
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	next.Store(-1)
	for range max(o.seeders, 1) {
		wg.Go(func() {
			for {
				i := int(next.Add(1))
				if i >= o.accounts {
					return
				}
				rec := store.Record{Account: accountName(i), AccountID: u.AccountID, OnlineID: u.OnlineID}
				if err := vault.SealInto(ring, &rec, tok, ""); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
				if _, err := st.Put(ctx, rec); err != nil && !errors.Is(err, store.ErrExists) {
					mu.Lock()
					errs = append(errs, fmt.Errorf("seeding %s: %w", rec.Account, err))
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// makeDue makes the first n accounts due now, with an expired access
// token, so that each needs a refresh grant.
func makeDue(ctx context.Context, st store.Store, n, workers int) error {
	var (
		next atomic.Int64
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	next.Store(-1)
	for range max(workers, 1) {
		wg.Go(func() {
			for {
				i := int(next.Add(1))
				if i >= n {
					return
				}
				name := accountName(i)
				rec, err := st.Get(ctx, name)
				if err == nil {
					// Expired: the scheduler's refresh cannot serve it from
					// memory, it must ask the simulator.
					rec.AccessExpiry = time.Now().Add(-time.Second).UTC()
					rec.NextRefresh = time.Now().UTC()
					rec.LeaseOwner, rec.LeaseExpiry = "", time.Time{}
					_, err = st.CompareAndSwap(ctx, name, rec.Version, rec)
				}
				if err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("making %s due: %w", name, err))
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// cleanup drops the seeded accounts and the bench's API keys.
func cleanup(ctx context.Context, st store.Store) {
	var names []string
	for rec, err := range st.List(ctx) {
		if err != nil {
			break
		}
		if strings.HasPrefix(rec.Account, "acct") {
			names = append(names, rec.Account)
		}
	}
	for _, n := range names {
		_ = st.Delete(ctx, n)
	}
	ak := server.NewAPIKeys(st)
	if list, err := ak.List(ctx); err == nil {
		for _, k := range list {
			if strings.HasPrefix(k.Name, "bench-") {
				_ = ak.Revoke(ctx, k.Name)
			}
		}
	}
}

// timeGet returns the median time of 5 GETs of url (after one warm-up),
// in milliseconds; any status but 200 is an error.
func timeGet(ctx context.Context, c *http.Client, url, bearer string) (float64, error) {
	return timeGetN(ctx, c, url, bearer, 5, 1)
}

// timeGetN returns the median time of n GETs of url after warm ones.
func timeGetN(ctx context.Context, c *http.Client, url, bearer string, n, warm int) (float64, error) {
	var ms []float64
	for i := range n + warm {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return 0, err
		}
		if bearer != "" {
			req.Header.Set("Authorization", bearer)
		}
		t := time.Now()
		resp, err := c.Do(req)
		if err != nil {
			return 0, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		d := time.Since(t)
		if err != nil {
			return 0, err
		}
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("GET %s: %s: %.300s", url, resp.Status, body)
		}
		if i >= warm {
			ms = append(ms, float64(d.Microseconds())/1000)
		}
	}
	slices.Sort(ms)
	return ms[len(ms)/2], nil
}

type result struct {
	rps   float64
	p99ms float64
}

func median(rs []result) result {
	a := slices.Clone(rs)
	slices.SortFunc(a, func(x, y result) int {
		switch {
		case x.rps < y.rps:
			return -1
		case x.rps > y.rps:
			return 1
		}
		return 0
	})
	m := a[len(a)/2]
	p := make([]float64, len(rs))
	for i, r := range rs {
		p[i] = r.p99ms
	}
	slices.Sort(p)
	m.p99ms = p[len(p)/2]
	return m
}

// load runs conns workers that GET url(r) for d, and returns the request
// rate and the 99th percentile latency. Any answer but 200 is an error.
func load(ctx context.Context, c *http.Client, conns int, d time.Duration, bearer string, url func(*rand.Rand) string) (result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		lats    []time.Duration
		firstEr error
	)
	start := time.Now()
	end := start.Add(d)
	for w := range conns {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), uint64(start.UnixNano())))
			local := make([]time.Duration, 0, 4096)
			for time.Now().Before(end) {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url(r), nil)
				req.Header.Set("Authorization", bearer)
				t := time.Now()
				resp, err := c.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("%s: %s", req.URL.Path, resp.Status)
					}
				}
				if err != nil {
					mu.Lock()
					if firstEr == nil {
						firstEr = err
					}
					mu.Unlock()
					cancel()
					return
				}
				local = append(local, time.Since(t))
			}
			mu.Lock()
			lats = append(lats, local...)
			mu.Unlock()
		})
	}
	wg.Wait()
	if firstEr != nil {
		return result{}, firstEr
	}
	el := time.Since(start)
	if len(lats) == 0 {
		return result{}, errors.New("no request completed")
	}
	slices.Sort(lats)
	p99 := lats[min(len(lats)-1, len(lats)*99/100)]
	return result{rps: float64(len(lats)) / el.Seconds(), p99ms: float64(p99.Microseconds()) / 1000}, nil
}

// redactURL drops a password from a store URL for printing.
func redactURL(u string) string {
	if i := strings.Index(u, "@"); i > 0 {
		if j := strings.Index(u, "://"); j > 0 && j < i {
			if k := strings.Index(u[j+3:i], ":"); k >= 0 {
				return u[:j+3+k] + ":xxx" + u[i:]
			}
		}
	}
	return u
}
