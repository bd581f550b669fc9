package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/psntest"
)

// smallExportEnv logs in a simulated user with few enough titles that a
// whole export (4 requests a title) stays under the client's 300-request
// budget, so that no test waits a quarter of an hour.
func smallExportEnv(t *testing.T) (*testEnv, []psn.TrophyTitle) {
	t.Helper()
	cfg := psntest.Config{Seed: 2, Users: 6, RateLimit: -1}
	for i := range 6 {
		e := newTestEnv(t, cfg, i)
		ts := simTitles(t, e)
		if len(ts) >= 8 && len(ts)*requestsPerTitle < 250 {
			e.reset()
			return e, ts
		}
	}
	t.Fatal("no simulated user of seed 2 has between 8 and 62 titles; pick another seed")
	return nil, nil
}

var titleGroupsPath = regexp.MustCompile(`^/api/trophy/v1/npCommunicationIds/([^/]+)/trophyGroups$`)

// cancelAtTitle cancels the returned context when the export starts on
// title number n+1, i.e. after n titles are complete.
func cancelAtTitle(e *testEnv, n int) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	e.t.Cleanup(cancel)
	var mu sync.Mutex
	seen := map[string]bool{}
	e.mu.Lock()
	e.hook = func(r *http.Request) {
		m := titleGroupsPath.FindStringSubmatch(r.URL.Path)
		if m == nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		seen[m[1]] = true
		if len(seen) == n+1 {
			cancel()
		}
	}
	e.mu.Unlock()
	return ctx
}

func (e *testEnv) noHook() {
	e.mu.Lock()
	e.hook = nil
	e.mu.Unlock()
}

func readState(t *testing.T, path string) *exportState {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := parseExportState(b)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// checkExport decodes a finished export and checks it against the
// account's titles: every title once, in order, with trophies whose earned
// state adds up to the title's counts.
func checkExport(t *testing.T, path, accountID string, titles []psn.TrophyTitle) exportFile {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f exportFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("the export is not valid JSON of its format: %v", err)
	}
	if f.Format != exportFormat || f.AccountID != accountID || f.Summary == nil || f.Summary.AccountID != accountID ||
		f.StartedAt.IsZero() || f.FinishedAt.Before(f.StartedAt) {
		t.Fatalf("export header: format %q account %q summary %v started %v finished %v", f.Format, f.AccountID, f.Summary, f.StartedAt, f.FinishedAt)
	}
	if f.TitleCount != len(titles) || len(f.Titles) != len(titles) {
		t.Fatalf("export holds %d titles (titleCount %d), the account has %d", len(f.Titles), f.TitleCount, len(titles))
	}
	for i, x := range f.Titles {
		want := titles[i]
		if x.NpCommunicationID != want.NpCommunicationID || x.TrophyTitleName != want.TrophyTitleName || x.Error != "" {
			t.Fatalf("title %d is %s %q (error %q), want %s %q", i, x.NpCommunicationID, x.TrophyTitleName, x.Error, want.NpCommunicationID, want.TrophyTitleName)
		}
		if len(x.Trophies) != want.DefinedTrophies.Total() {
			t.Errorf("%s: %d trophies, the title defines %d", x.NpCommunicationID, len(x.Trophies), want.DefinedTrophies.Total())
		}
		var earned psn.TrophyCounts
		for _, tr := range x.Trophies {
			// A decoded psn.Trophy encodes the members the export held.
			held, err := json.Marshal(tr.Trophy)
			if err != nil {
				t.Fatal(err)
			}
			if tr.TrophyName == "" || !bytes.Contains(held, []byte(`"earned":`)) || !bytes.Contains(held, []byte(`"trophyRare":`)) {
				t.Fatalf("%s trophy %d lacks its name or earned state: %s", x.NpCommunicationID, tr.TrophyID, held)
			}
			if tr.Earned {
				switch tr.TrophyType {
				case "bronze":
					earned.Bronze++
				case "silver":
					earned.Silver++
				case "gold":
					earned.Gold++
				case "platinum":
					earned.Platinum++
				}
			}
		}
		if w := want.EarnedTrophies; earned.Bronze != w.Bronze || earned.Silver != w.Silver || earned.Gold != w.Gold || earned.Platinum != w.Platinum {
			t.Errorf("%s: earned trophies add up to %+v, the title says %+v", x.NpCommunicationID, earned, want.EarnedTrophies)
		}
		if len(x.TrophyGroups) == 0 || x.TrophyGroups[0].TrophyGroupID != psn.TrophyGroupDefault || x.TrophyGroups[0].Progress == nil {
			t.Errorf("%s: groups %+v lack the default group with progress", x.NpCommunicationID, x.TrophyGroups)
		}
		if want.HasTrophyGroups != (len(x.TrophyGroups) > 1) {
			t.Errorf("%s: hasTrophyGroups %v but %d groups", x.NpCommunicationID, want.HasTrophyGroups, len(x.TrophyGroups))
		}
	}
	return f
}

func TestExportInterruptAndResume(t *testing.T) {
	e, titles := smallExportEnv(t)
	out := filepath.Join(t.TempDir(), "trophies.json")
	const n = 5

	ctx := cancelAtTitle(e, n)
	code, stdout, stderr := e.run(ctx, "export", "--out", out)
	if code != exitInterrupted || stdout != "" {
		t.Fatalf("interrupted export: exit %d, stdout %q; want 130 and nothing", code, stdout)
	}
	if !strings.Contains(stderr, "export interrupted after 5 of") || !strings.Contains(stderr, "run the same command again to resume") {
		t.Fatalf("interrupted export says: %s", stderr)
	}
	if strings.Contains(stderr, "context canceled") {
		t.Errorf("interrupted export prints the noise line %q:\n%s", "context canceled", stderr)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("an interrupted export left %s in place (err %v)", out, err)
	}
	st := readState(t, out+".state")
	if len(st.Done) != n || st.AccountID != e.user.AccountID {
		t.Fatalf("state after the interruption: %d titles done for %s, want %d for %s", len(st.Done), st.AccountID, n, e.user.AccountID)
	}
	for i, np := range st.Done {
		if np != titles[i].NpCommunicationID {
			t.Fatalf("state lists %v, want the first %d titles", st.Done, n)
		}
	}

	e.noHook()
	e.reset()
	code, stdout, stderr = e.run(context.Background(), "export", "--out", out)
	if code != exitOK || stdout != "" {
		t.Fatalf("resumed export: exit %d, stdout %q\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "resuming the export") || !strings.Contains(stderr, "5 titles already done") {
		t.Fatalf("the rerun does not say it resumes: %s", stderr)
	}
	if want := "psn: export: " + itoa(len(titles)) + "/" + itoa(len(titles)) + " titles (100%)"; !strings.Contains(stderr, want) {
		t.Fatalf("no final progress line %q in:\n%s", want, stderr)
	}
	for _, x := range e.requests() {
		for _, np := range st.Done {
			if strings.Contains(x.path, "/"+np+"/") || strings.HasSuffix(x.path, "/"+np) {
				t.Fatalf("the resumed export fetched %s again (%s)", np, x.path)
			}
		}
	}
	for _, p := range []string{out + ".partial", out + ".state"} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s is left after a complete export (err %v)", p, err)
		}
	}
	f := checkExport(t, out, e.user.AccountID, titles)

	// One title's trophies are what `psn trophies NP --all -o json` says.
	np := titles[n].NpCommunicationID
	js, _ := e.ok("trophies", np, "--all", "-o", "json")
	want, _ := json.Marshal(f.Titles[n].Trophies)
	if got := obj(t, decode(t, []byte(js)))["trophies"]; !jsonEqual(decode(t, want), got) {
		t.Fatalf("export of %s differs from psn trophies --all", np)
	}
}

func jsonEqual(a, b any) bool {
	return len(jsonContains(a, b, "")) == 0 && len(jsonContains(b, a, "")) == 0
}

func TestExportCutsATornWrite(t *testing.T) {
	e, titles := smallExportEnv(t)
	out := filepath.Join(t.TempDir(), "x.json")
	code, _, _ := e.run(cancelAtTitle(e, 2), "export", "--out", out)
	if code != exitInterrupted {
		t.Fatalf("interrupted export: exit %d", code)
	}
	// A crash in the middle of writing the third title.
	f, err := os.OpenFile(out+".partial", os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`,` + "\n    " + `{"npServiceName":"trophy","npCommunicationId":"NPWR`)
	f.Close()

	e.noHook()
	e.ok("export", "--out", out)
	checkExport(t, out, e.user.AccountID, titles)
}

func TestExportRestartAndForeignState(t *testing.T) {
	e, titles := smallExportEnv(t)
	out := filepath.Join(t.TempDir(), "x.json")
	if code, _, _ := e.run(cancelAtTitle(e, 1), "export", "--out", out); code != exitInterrupted {
		t.Fatalf("interrupted export: exit %d", code)
	}
	e.noHook()

	other := e.sim.Users()[0]
	if other.AccountID == e.user.AccountID {
		other = e.sim.Users()[1]
	}
	e.reset()
	code, _, stderr := e.run(context.Background(), "export", other.AccountID, "--out", out)
	if code != exitError || !strings.Contains(stderr, "is an export of account "+e.user.AccountID) {
		t.Fatalf("export of another account onto a partial export: exit %d, %s", code, stderr)
	}

	e.reset()
	_, stderr = e.ok("export", "--out", out, "--restart")
	if strings.Contains(stderr, "resuming") {
		t.Fatalf("--restart resumed: %s", stderr)
	}
	if got := len(e.answers(`^/api/trophy/v1/npCommunicationIds/[^/]+/trophyGroups$`)); got != len(titles) {
		t.Fatalf("--restart fetched %d titles, want all %d", got, len(titles))
	}
	checkExport(t, out, e.user.AccountID, titles)

	// A partial file without its state is not silently overwritten.
	if err := os.WriteFile(out+".partial", []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = e.run(context.Background(), "export", "--out", out)
	if code != exitError || !strings.Contains(stderr, "exists without") {
		t.Fatalf("partial without state: exit %d, %s", code, stderr)
	}
}

func TestExportStateFileParsing(t *testing.T) {
	good := `{"version":1,"accountId":"123456789","startedAt":"2025-01-02T03:04:05Z","committed":120,"done":["NPWR1_00","NPWR2_00"]}`
	if st, err := parseExportState([]byte(good)); err != nil || st.Committed != 120 || len(st.Done) != 2 {
		t.Fatalf("parse good state: %+v, %v", st, err)
	}
	for name, bad := range map[string]string{
		"empty":     ``,
		"truncated": good[:40],
		"version":   strings.Replace(good, `"version":1`, `"version":2`, 1),
		"account":   strings.Replace(good, `123456789`, `me`, 1),
		"committed": strings.Replace(good, `120`, `-5`, 1),
		"repeated":  strings.Replace(good, `NPWR2_00`, `NPWR1_00`, 1),
		"empty id":  strings.Replace(good, `"NPWR2_00"`, `""`, 1),
		"unknown":   strings.Replace(good, `"done"`, `"extra":1,"done"`, 1),
		"trailing":  good + `{}`,
		"array":     `[]`,
	} {
		if _, err := parseExportState([]byte(bad)); !errors.Is(err, errExportState) {
			t.Errorf("%s: parseExportState(%q) = %v, want errExportState", name, bad, err)
		}
	}
}

func FuzzParseExportState(f *testing.F) {
	f.Add([]byte(`{"version":1,"accountId":"123","startedAt":"2025-01-02T03:04:05Z","committed":9,"done":["A"]}`))
	f.Add([]byte(`{"version":1,"accountId":"1","committed":1,"done":[]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := parseExportState(b)
		if err != nil {
			if !errors.Is(err, errExportState) {
				t.Fatalf("error %v does not match errExportState", err)
			}
			return
		}
		if st.Version != 1 || !psn.IsAccountID(st.AccountID) || st.Committed <= 0 {
			t.Fatalf("accepted a state that breaks its invariants: %+v", st)
		}
		seen := map[string]bool{}
		for _, np := range st.Done {
			if np == "" || seen[np] {
				t.Fatalf("accepted done list %q", st.Done)
			}
			seen[np] = true
		}
	})
}

func TestLineProgressPrintsPeriodicallyAndAtTheEnd(t *testing.T) {
	var buf bytes.Buffer
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	p := &lineProgress{w: &buf, every: 5 * time.Second, now: func() time.Time { return now }}
	p.begin(10, 2)
	for i := 3; i <= 10; i++ {
		now = now.Add(2 * time.Second)
		p.step(i, "Title "+itoa(i))
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	want := []string{
		"psn: export: 2/10 titles",
		"psn: export: 5/10 titles (50%), about 10 seconds left — Title 5", // 6 s after the start
		"psn: export: 8/10 titles (80%), about 4 seconds left — Title 8",  // 6 s later
		"psn: export: 10/10 titles (100%) — Title 10",                     // the last title always
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("progress lines:\n%s\nwant:\n%s", buf.String(), strings.Join(want, "\n"))
	}
}

func TestPatientlyWaitsForPSNsInstant(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		next := start.Add(10 * time.Minute)
		var waited []time.Time
		e := &exporter{prog: &recordingProgress{waits: &waited}}
		calls := 0
		err := e.patiently(context.Background(), func() error {
			calls++
			if calls == 1 {
				return &psn.RateLimitError{NextAvailable: next}
			}
			return nil
		})
		if err != nil || calls != 2 {
			t.Fatalf("patiently: err %v after %d calls, want nil after 2", err, calls)
		}
		if len(waited) != 1 || !waited[0].Equal(next) {
			t.Fatalf("waiting reported %v, want [%v]", waited, next)
		}
		if got := time.Since(start); got != 10*time.Minute {
			t.Fatalf("retried after %v, want exactly PSN's 10m", got)
		}

		// Other errors, and a cancelled wait, end at once.
		boom := errors.New("boom")
		if err := e.patiently(context.Background(), func() error { return boom }); err != boom {
			t.Fatalf("patiently(boom) = %v", err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		go func() { time.Sleep(time.Minute); cancel() }()
		err = e.patiently(ctx, func() error { return &psn.RateLimitError{NextAvailable: time.Now().Add(time.Hour)} })
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled wait: %v", err)
		}
	})
}

type recordingProgress struct{ waits *[]time.Time }

func (p *recordingProgress) begin(int, int)          {}
func (p *recordingProgress) step(int, string)        {}
func (p *recordingProgress) waiting(until time.Time) { *p.waits = append(*p.waits, until) }
func (p *recordingProgress) end()                    {}
func (p *recordingProgress) interrupt()              {}
