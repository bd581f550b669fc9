package sqlite

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/psnkit/psn/store"
)

// hammerEnv, when set to a database path, makes TestHammerChildProcess act
// as the second process of TestTwoProcessesOneFile.
const hammerEnv = "PSNKIT_SQLITE_HAMMER_DB"

var hammerAccounts = []string{"h0", "h1", "h2"}

const (
	hammerWorkers = 2
	hammerIters   = 40
)

// seedHammer creates the accounts the hammer works on, all long due.
func seedHammer(t *testing.T, s *Store) {
	t.Helper()
	for _, a := range hammerAccounts {
		rec := store.Record{Account: a, SealedAccess: []byte{1}, SealedRefresh: []byte{2},
			NextRefresh: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
		if _, err := s.Put(t.Context(), rec); err != nil {
			t.Fatal(err)
		}
	}
}

// hammer runs hammerWorkers goroutines against s, each doing hammerIters
// rounds of read+CompareAndSwap and, every third round, ClaimDue followed by
// a lease-dropping write. It returns how many writes succeeded per account;
// any error other than a lost race (ErrConflict, ErrLeaseLost) is returned.
func hammer(ctx context.Context, s *Store, name string) (map[string]int, error) {
	var mu sync.Mutex
	wins := map[string]int{}
	var errs []error
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	win := func(account string) {
		mu.Lock()
		wins[account]++
		mu.Unlock()
	}
	lost := func(err error) bool { return errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrLeaseLost) }
	var wg sync.WaitGroup
	for w := range hammerWorkers {
		owner := fmt.Sprintf("%s-w%d", name, w)
		wg.Go(func() {
			for i := range hammerIters {
				account := hammerAccounts[(i+w)%len(hammerAccounts)]
				r, err := s.Get(ctx, account)
				if err != nil {
					fail(fmt.Errorf("%s Get: %w", owner, err))
					return
				}
				r.OnlineID, r.LeaseOwner, r.LeaseExpiry = owner, "", time.Time{}
				switch _, err := s.CompareAndSwap(ctx, account, r.Version, r); {
				case err == nil:
					win(account)
				case !lost(err):
					fail(fmt.Errorf("%s CompareAndSwap: %w", owner, err))
					return
				}
				if i%3 != 0 {
					continue
				}
				claimed, err := s.ClaimDue(ctx, time.Now(), 2, owner, time.Minute)
				if err != nil {
					fail(fmt.Errorf("%s ClaimDue: %w", owner, err))
					return
				}
				for _, c := range claimed {
					c.OnlineID, c.LeaseExpiry = owner+"-holder", time.Time{} // write and drop the lease
					switch _, err := s.CompareAndSwap(ctx, c.Account, c.Version, c); {
					case err == nil:
						win(c.Account)
					case !lost(err):
						fail(fmt.Errorf("%s CompareAndSwap as holder: %w", owner, err))
						return
					}
				}
			}
		})
	}
	wg.Wait()
	return wins, errors.Join(errs...)
}

// checkVersions fails unless each account's version is 1 + its wins.
func checkVersions(t *testing.T, s *Store, wins map[string]int) {
	t.Helper()
	total := 0
	for _, a := range hammerAccounts {
		r, err := s.Get(t.Context(), a)
		if err != nil {
			t.Fatal(err)
		}
		if r.Version != int64(1+wins[a]) {
			t.Errorf("%s: Version %d, but %d writes succeeded (want version %d): a write was lost or double-counted", a, r.Version, wins[a], 1+wins[a])
		}
		total += wins[a]
	}
	if total == 0 {
		t.Error("no write succeeded at all")
	}
}

func TestTwoStoresOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "psn.db")
	a, b := openAt(t, path), openAt(t, path)
	seedHammer(t, a)
	var winsA, winsB map[string]int
	var errA, errB error
	var wg sync.WaitGroup
	wg.Go(func() { winsA, errA = hammer(t.Context(), a, "a") })
	wg.Go(func() { winsB, errB = hammer(t.Context(), b, "b") })
	wg.Wait()
	if err := errors.Join(errA, errB); err != nil {
		t.Fatalf("unexpected errors (a busy/locked error must not leak):\n%v", err)
	}
	for k, v := range winsB {
		winsA[k] += v
	}
	checkVersions(t, a, winsA)
}

func TestConcurrentOpenOfANewFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.db")
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			s, err := Open(t.Context(), path)
			if err != nil {
				t.Errorf("Open %d: %v", i, err)
				return
			}
			s.Close()
		})
	}
	wg.Wait()
}

// TestHammerChildProcess is the second process of TestTwoProcessesOneFile;
// it does nothing unless hammerEnv is set.
func TestHammerChildProcess(t *testing.T) {
	path := os.Getenv(hammerEnv)
	if path == "" {
		t.Skip("helper process for TestTwoProcessesOneFile")
	}
	s := openAt(t, path)
	fmt.Println("ready")
	if line, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil || line != "go\n" {
		t.Fatalf("waiting for go: %q, %v", line, err)
	}
	wins, err := hammer(t.Context(), s, "child")
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	for a, n := range wins {
		fmt.Printf("wins %s %d\n", a, n)
	}
}

func TestTwoProcessesOneFile(t *testing.T) {
	if os.Getenv(hammerEnv) != "" {
		t.Skip("running as the child")
	}
	path := filepath.Join(t.TempDir(), "psn.db")
	s := openAt(t, path)
	seedHammer(t, s)

	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestHammerChildProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), hammerEnv+"="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() || lines.Text() != "ready" {
		cmd.Wait()
		t.Fatalf("child did not get ready: %q\n%s", lines.Text(), stderr.String())
	}
	// Both processes start hammering together.
	if _, err := stdin.Write([]byte("go\n")); err != nil {
		t.Fatal(err)
	}
	wins, herr := hammer(t.Context(), s, "parent")
	var childOut []string
	for lines.Scan() {
		childOut = append(childOut, lines.Text())
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child failed: %v\n%s\n%s", err, strings.Join(childOut, "\n"), stderr.String())
	}
	if herr != nil {
		t.Fatalf("parent: unexpected errors (a busy/locked error must not leak):\n%v", herr)
	}
	childWins := 0
	for _, l := range childOut {
		var a string
		var n int
		if _, err := fmt.Sscanf(l, "wins %s %d", &a, &n); err == nil {
			wins[a] += n
			childWins += n
		}
	}
	if childWins == 0 {
		t.Errorf("the child process won no write; output:\n%s", strings.Join(childOut, "\n"))
	}
	t.Logf("writes: %v (child %s)", wins, strconv.Itoa(childWins))
	checkVersions(t, s, wins)
}
