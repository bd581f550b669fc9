// Command compare is the driver behind bench/compare: against one simulator
// process it runs N getUserTitles calls (100 titles a page) by three client
// processes — psnkit, psn-api 2.18.1 on Node, and a bare net/http +
// encoding/json loop (the floor) — and reports each process's CPU time
// (user+sys) and peak RSS from the kernel's rusage of the child.
//
// The last line it prints is
//
//	cpu_vs_floor=X cpu_vs_psnapi=Y peak_mib=Z
//
// with X and Y psnkit's CPU time over the floor's and over psn-api's, and Z
// psnkit's peak RSS in MiB. Each figure is the median over -rounds rounds;
// within a round the three clients run one after another.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/psnkit/psn"
)

func main() {
	var cfg config
	flag.StringVar(&cfg.binDir, "bin", "", "directory holding benchsim, psnkit-titles and floor-titles")
	flag.StringVar(&cfg.nodeScript, "node-script", "bench/psnapi.mjs", "the psn-api client script")
	flag.IntVar(&cfg.calls, "n", 1000, "getUserTitles calls per client per round")
	flag.IntVar(&cfg.rounds, "rounds", 3, "rounds (each figure is the median)")
	flag.IntVar(&cfg.users, "users", 50, "simulated users")
	flag.Parse()
	if err := run(context.Background(), cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

type config struct {
	binDir, nodeScript   string
	calls, rounds, users int
}

// startup is the simulator's start-up line.
type startup struct {
	URL   string `json:"url"`
	Users []struct {
		OnlineID string `json:"onlineId"`
		NPSSO    string `json:"npsso"`
	} `json:"users"`
}

// client is one contender: how to start its process.
type client struct {
	name string
	path string
	args []string
	env  []string
}

// usage is what the kernel reports for one finished client process.
type usage struct {
	user, sys time.Duration
	peakKiB   int64
	wall      time.Duration
	out       string // the client's "calls=… titles=… checksum=…" line
}

func (u usage) cpu() time.Duration { return u.user + u.sys }

func run(ctx context.Context, cfg config, w io.Writer) error {
	if cfg.binDir == "" || cfg.calls < 1 || cfg.rounds < 1 {
		return errors.New("need -bin, -n ≥ 1 and -rounds ≥ 1")
	}
	sim, line, err := startSim(ctx, filepath.Join(cfg.binDir, "benchsim"), cfg.users)
	if err != nil {
		return err
	}
	defer stopSim(sim)
	if len(line.Users) == 0 {
		return errors.New("the simulator has no users")
	}
	npsso := line.Users[0].NPSSO

	// One access token for the floor and psn-api (psnkit logs in itself).
	login := psn.NewClient(psn.WithEndpoint(line.URL), psn.WithLimiter(nil))
	tok, err := login.Login(ctx, psn.Secret(npsso))
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	base := cleanEnv(os.Environ())
	n := strconv.Itoa(cfg.calls)
	clients := []client{
		{"floor (net/http+json)", filepath.Join(cfg.binDir, "floor-titles"), []string{"-n", n},
			slices.Concat(base, []string{"PSN_ENDPOINT=" + line.URL, "PSN_ACCESS_TOKEN=" + tok.AccessToken.Reveal()})},
		{"psnkit", filepath.Join(cfg.binDir, "psnkit-titles"), []string{"-n", n},
			slices.Concat(base, []string{"PSN_ENDPOINT=" + line.URL, "PSN_NPSSO=" + npsso})},
		{"psn-api 2.18.1 (node)", "node", []string{cfg.nodeScript, n},
			slices.Concat(base, []string{"PSN_ENDPOINT=" + line.URL, "PSN_ACCESS_TOKEN=" + tok.AccessToken.Reveal()})},
	}

	runs := make([][]usage, len(clients))
	for r := range cfg.rounds {
		for i, c := range clients {
			u, err := runClient(ctx, c)
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			fmt.Fprintf(os.Stderr, "compare: round %d %-22s cpu %-8s peak %5.1f MiB  %s\n",
				r+1, c.name, u.cpu().Round(time.Millisecond), mib(u.peakKiB), u.out)
			runs[i] = append(runs[i], u)
		}
	}
	// Every client must have decoded the same titles.
	want := runs[0][0].out
	for i := range runs {
		for _, u := range runs[i] {
			if u.out != want {
				return fmt.Errorf("%s did different work: %q, the floor: %q", clients[i].name, u.out, want)
			}
		}
	}
	med := make([]usage, len(runs))
	for i := range runs {
		med[i] = median(runs[i])
	}
	report(w, cfg, clients, med)
	return nil
}

// report prints the table, the ratios and, last, the summary line.
func report(w io.Writer, cfg config, clients []client, med []usage) {
	fmt.Fprintf(w, "%d getUserTitles calls (100 titles a page) per client, median of %d rounds\n", cfg.calls, cfg.rounds)
	fmt.Fprintf(w, "%-22s %10s %10s %10s %10s %10s %12s\n", "client", "cpu", "user", "sys", "wall", "peak RSS", "cpu/call")
	for i, c := range clients {
		u := med[i]
		fmt.Fprintf(w, "%-22s %10s %10s %10s %10s %6.1f MiB %12s\n", c.name,
			u.cpu().Round(time.Millisecond), u.user.Round(time.Millisecond), u.sys.Round(time.Millisecond),
			u.wall.Round(time.Millisecond), mib(u.peakKiB), (u.cpu() / time.Duration(cfg.calls)).Round(time.Microsecond))
	}
	floor, kit, js := med[0], med[1], med[2]
	vsFloor := ratio(kit.cpu(), floor.cpu())
	vsJS := ratio(kit.cpu(), js.cpu())
	fmt.Fprintf(w, "psnkit cpu / floor cpu   = %.2f (goal ≤ 0.8)\n", vsFloor)
	fmt.Fprintf(w, "psnkit cpu / psn-api cpu = %.2f\n", vsJS)
	fmt.Fprintf(w, "psnkit peak RSS          = %.1f MiB (goal ≤ 20); floor %.1f MiB, psn-api %.1f MiB\n",
		mib(kit.peakKiB), mib(floor.peakKiB), mib(js.peakKiB))
	fmt.Fprintln(w, summaryLine(vsFloor, vsJS, mib(kit.peakKiB)))
}

// summaryLine is the last line bench/compare prints.
func summaryLine(vsFloor, vsPSNAPI, peakMiB float64) string {
	return fmt.Sprintf("cpu_vs_floor=%.2f cpu_vs_psnapi=%.2f peak_mib=%.1f", vsFloor, vsPSNAPI, peakMiB)
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func mib(kib int64) float64 { return float64(kib) / 1024 }

// median returns, field by field, the median of the runs (CPU by total).
func median(us []usage) usage {
	byCPU := make([]usage, len(us))
	copy(byCPU, us)
	sortBy(byCPU, func(u usage) int64 { return int64(u.cpu()) })
	m := byCPU[len(byCPU)/2]
	peaks := make([]usage, len(us))
	copy(peaks, us)
	sortBy(peaks, func(u usage) int64 { return u.peakKiB })
	m.peakKiB = peaks[len(peaks)/2].peakKiB
	return m
}

func sortBy(us []usage, key func(usage) int64) {
	for i := 1; i < len(us); i++ {
		for j := i; j > 0 && key(us[j]) < key(us[j-1]); j-- {
			us[j], us[j-1] = us[j-1], us[j]
		}
	}
}

// runClient runs one client process to the end and reads its rusage.
func runClient(ctx context.Context, c client) (usage, error) {
	cmd := exec.CommandContext(ctx, c.path, c.args...)
	cmd.Env = c.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return usage{}, fmt.Errorf("%w: %s", err, strings.TrimSpace(errb.String()))
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return usage{}, errors.New("no rusage for the child process")
	}
	return usage{
		user:    time.Duration(ru.Utime.Nano()),
		sys:     time.Duration(ru.Stime.Nano()),
		peakKiB: ru.Maxrss, // KiB on Linux
		wall:    wall,
		out:     strings.TrimSpace(out.String()),
	}, nil
}

// cleanEnv drops PSN_* variables so that each client sees only its own.
func cleanEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "PSN_") {
			out = append(out, kv)
		}
	}
	return out
}

// startSim starts the simulator and reads its start-up line.
func startSim(ctx context.Context, path string, users int) (*exec.Cmd, startup, error) {
	cmd := exec.CommandContext(ctx, path, "-addr", "127.0.0.1:0", "-users", strconv.Itoa(users))
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, startup{}, err
	}
	if err := cmd.Start(); err != nil {
		return nil, startup{}, err
	}
	var line startup
	raw, err := bufio.NewReader(stdout).ReadBytes('\n')
	if err == nil {
		err = json.Unmarshal(raw, &line)
	}
	if err == nil && line.URL == "" {
		err = errors.New("no url in the start-up line")
	}
	if err != nil {
		stopSim(cmd)
		return nil, startup{}, fmt.Errorf("simulator start-up line: %w", err)
	}
	return cmd, line, nil
}

func stopSim(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
}
