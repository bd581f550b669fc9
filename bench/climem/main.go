// Command climem measures the peak memory of the psn command line on issue
// 10's `--all` workload: `psn titles me --all -o json` for an account with
// 2,053 trophy titles (as many as the real account the goal was set on),
// next to `psn version` and `psn me`, against an in-process simulator.
// It measures psn only: the vault service is its own program, psn-vault,
// not linked into psn, and bench/vault reports its memory.
//
// Run it from the module root:
//
//	go run ./bench/climem            # builds ./cmd/psn as released (CGO_ENABLED=0), 3 runs per command
//	go run ./bench/climem -cgo       # the same with cgo, as a plain go build on a machine with a C compiler
//	go run ./bench/climem -runs 5 -titles 2053 -psn /path/to/psn
//
// The simulator is psntest (rate limit off); its trophyTitles answer for
// the logged-in user is replaced by a synthetic list of -titles titles,
// made by repeating that user's own titles with distinct
// npCommunicationIds, paged as the simulator pages (limit ≤ 800, offsets).
// Each figure is the median of -runs runs of a fresh process: peak RSS is
// the VmHWM, and the anonymous/file-backed split at exit, of psn's own
// PSN_MEMREPORT=1 line; CPU time is the child's rusage. Before measuring, the
// binary is dropped from the page cache and each command run once
// unmeasured (-evict=false skips that): file-backed RSS depends on how the
// binary's pages came into the page cache, and this makes every binary
// start from the same state, that of a binary read from disk.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/psnkit/psn/psntest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "climem:", err)
		os.Exit(1)
	}
}

func run() error {
	titles := flag.Int("titles", 2053, "trophy titles the account has")
	runs := flag.Int("runs", 3, "runs per command (the median is printed)")
	bin := flag.String("psn", "", "psn binary to measure (default: CGO_ENABLED=0 go build ./cmd/psn, as docs/cli.md builds releases)")
	cgo := flag.Bool("cgo", false, "without -psn: build psn with cgo (CGO_ENABLED=1) instead")
	limit := flag.Int("limit", 0, "page size psn titles asks for (0: psn's default for --all, 800)")
	cold := flag.Bool("evict", true, "drop the binary from the page cache and run each command once, unmeasured, before measuring (see evict)")
	flag.Parse()

	dir, err := os.MkdirTemp("", "climem")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if *bin == "" {
		*bin = filepath.Join(dir, "psn")
		build := exec.Command("go", "build", "-o", *bin, "./cmd/psn")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if *cgo {
			build.Env = append(os.Environ(), "CGO_ENABLED=1")
		}
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("go build ./cmd/psn (run from the module root): %w", err)
		}
	}
	if fi, err := os.Stat(*bin); err == nil {
		fmt.Printf("binary: %s, %.1f MB\n", *bin, float64(fi.Size())/1e6)
	}

	sim := psntest.New(psntest.Config{Users: 1, RateLimit: -1, AccessTTL: 24 * time.Hour})
	ts := httptest.NewServer(manyTitles(sim.Handler(), *titles))
	defer ts.Close()

	env := append(os.Environ(),
		"PSN_CONFIG_DIR="+filepath.Join(dir, "config"),
		"PSN_ENDPOINT="+ts.URL,
		"PSN_NPSSO="+sim.Users()[0].NPSSO,
		"PSN_MEMREPORT=1",
	)
	login := exec.Command(*bin, "login")
	login.Env = env
	if out, err := login.CombinedOutput(); err != nil {
		return fmt.Errorf("psn login: %w: %s", err, out)
	}

	titlesArgs := []string{"titles", "me", "--all", "-o", "json"}
	if *limit > 0 {
		titlesArgs = append(titlesArgs, "--limit", strconv.Itoa(*limit))
	}
	commands := [][]string{{"version"}, {"me"}, titlesArgs}
	if *cold {
		if err := evict(*bin); err != nil {
			return err
		}
		for _, args := range commands { // read the binary as a first run does
			warm := exec.Command(*bin, args...)
			warm.Env = env
			if out, err := warm.CombinedOutput(); err != nil {
				return fmt.Errorf("psn %s: %w: %.200s", strings.Join(args, " "), err, out)
			}
		}
	}
	for _, args := range commands {
		var peaks, cpus []float64
		var last string
		for range *runs {
			cmd := exec.Command(*bin, args...)
			cmd.Env = env
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("psn %s: %w: %s", strings.Join(args, " "), err, stderr.String())
			}
			if args[0] == "titles" {
				var got []json.RawMessage
				if err := json.Unmarshal(stdout.Bytes(), &got); err != nil || len(got) != *titles {
					return fmt.Errorf("psn titles printed %d titles (want %d): %v", len(got), *titles, err)
				}
			}
			ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
			peak, err := vmHWM(stderr.String())
			if err != nil {
				return fmt.Errorf("psn %s: %w", strings.Join(args, " "), err)
			}
			peaks = append(peaks, peak)
			cpus = append(cpus, float64(ru.Utime.Nano()+ru.Stime.Nano())/1e6)
			last = split(stderr.String())
		}
		fmt.Printf("psn %-28s peak %5.1f MiB  cpu %4.0f ms  (last run at exit: %s)\n",
			strings.Join(args, " "), median(peaks), median(cpus), last)
	}
	return nil
}

var hwm = regexp.MustCompile(`VmHWM: (\d+) kB`)

// vmHWM is the peak RSS in psn's PSN_MEMREPORT line, in MiB. (Not the
// child's ru_maxrss: os/exec starts children with vfork, and Linux
// carries the parent's peak RSS into the child's at exec, so ru_maxrss
// is never below climem's own peak — some 20 MiB once it has served the
// titles.)
func vmHWM(stderr string) (float64, error) {
	m := hwm.FindStringSubmatch(stderr)
	if m == nil {
		return 0, fmt.Errorf("no VmHWM in its PSN_MEMREPORT line: %q", stderr)
	}
	n, _ := strconv.Atoi(m[1])
	return float64(n) / 1024, nil
}

var kb = regexp.MustCompile(`(RssAnon|RssFile): (\d+) kB`)

// split turns psn's PSN_MEMREPORT line into "anon X MiB, file Y MiB".
func split(stderr string) string {
	var parts []string
	for _, m := range kb.FindAllStringSubmatch(stderr, -1) {
		n, _ := strconv.Atoi(m[2])
		parts = append(parts, fmt.Sprintf("%s %.1f MiB", strings.ToLower(strings.TrimPrefix(m[1], "Rss")), float64(n)/1024))
	}
	return strings.Join(parts, ", ")
}

func median(xs []float64) float64 {
	slices.Sort(xs)
	return xs[len(xs)/2]
}

// manyTitles answers GET …/trophyTitles with n titles made from the user's
// own (fetched from next with limit=800), each given a distinct
// npCommunicationId; every other request goes to next.
func manyTitles(next http.Handler, n int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/trophyTitles") {
			next.ServeHTTP(w, r)
			return
		}
		q := r.URL.Query()
		limit, offset := 100, 0
		if v, err := strconv.Atoi(q.Get("limit")); err == nil && v > 0 {
			limit = min(v, 800)
		}
		if v, err := strconv.Atoi(q.Get("offset")); err == nil && v >= 0 {
			offset = v
		}
		inner := r.Clone(r.Context())
		inner.URL.RawQuery = "limit=800&offset=0"
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, inner)
		var own struct {
			TrophyTitles []json.RawMessage `json:"trophyTitles"`
		}
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &own) != nil || len(own.TrophyTitles) == 0 {
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			w.Write(rec.Body.Bytes())
			return
		}
		page := []json.RawMessage{}
		for i := offset; i < min(n, offset+limit); i++ {
			src := own.TrophyTitles[i%len(own.TrophyTitles)]
			var id struct {
				NpCommunicationID string `json:"npCommunicationId"`
			}
			json.Unmarshal(src, &id)
			fresh := fmt.Sprintf("NPWR%05d_00", 90000-i)
			page = append(page, bytes.Replace(src, []byte(`"`+id.NpCommunicationID+`"`), []byte(`"`+fresh+`"`), 1))
		}
		body := map[string]any{"trophyTitles": page, "totalItemCount": n}
		if offset+limit < n {
			body["nextOffset"] = offset + limit
		}
		if offset > 0 {
			body["previousOffset"] = offset - 1
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(body)
	})
}
