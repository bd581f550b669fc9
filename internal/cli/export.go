package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/psnkit/psn"
	"github.com/spf13/cobra"
)

// exportFormat names the layout of the export file.
const exportFormat = "psnkit-export/1"

// requestsPerTitle is what exporting one title costs: its group
// definitions, the account's group earnings, its trophy definitions and the
// account's earned trophies (more when a title has over 200 trophies).
const requestsPerTitle = 4

// exportTitle is one title in the export file: the title as the account's
// trophy list has it, its groups and its trophies with earned state. Error
// is set (and the lists empty) when PSN refused this title's details.
type exportTitle struct {
	psn.TrophyTitle
	TrophyGroups []trophyGroupView  `json:"trophyGroups"`
	Trophies     []psn.MergedTrophy `json:"trophies"`
	Error        string             `json:"error,omitempty"`
}

// exportTitleParts are an exportTitle's members beside the title's own.
type exportTitleParts struct {
	TrophyGroups []trophyGroupView  `json:"trophyGroups"`
	Trophies     []psn.MergedTrophy `json:"trophies"`
	Error        string             `json:"error,omitempty"`
}

// MarshalJSON writes the title's members (every one PSN sent), then the
// export's own: psn.TrophyTitle encodes itself, and its promoted method
// would otherwise leave them out.
func (x exportTitle) MarshalJSON() ([]byte, error) {
	title, err := json.Marshal(x.TrophyTitle)
	if err != nil {
		return nil, err
	}
	parts, err := json.Marshal(exportTitleParts{TrophyGroups: x.TrophyGroups, Trophies: x.Trophies, Error: x.Error})
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(title)) <= 2 { // {}
		return parts, nil
	}
	title = bytes.TrimRight(title, " \n")
	return append(append(title[:len(title)-1], ','), parts[1:]...), nil
}

// UnmarshalJSON reads what MarshalJSON writes.
func (x *exportTitle) UnmarshalJSON(b []byte) error {
	var parts exportTitleParts
	if err := json.Unmarshal(b, &parts); err != nil {
		return err
	}
	if err := json.Unmarshal(b, &x.TrophyTitle); err != nil {
		return err
	}
	x.TrophyGroups, x.Trophies, x.Error = parts.TrophyGroups, parts.Trophies, parts.Error
	return nil
}

// exportFile is the export file's shape, for readers (the exporter writes
// it piece by piece).
type exportFile struct {
	Format     string             `json:"format"`
	AccountID  string             `json:"accountId"`
	StartedAt  time.Time          `json:"startedAt"`
	Summary    *psn.TrophySummary `json:"summary"`
	Titles     []exportTitle      `json:"titles"`
	TitleCount int                `json:"titleCount"`
	FinishedAt time.Time          `json:"finishedAt"`
}

// errExportState: the resume state next to an export is unusable.
var errExportState = errors.New("export: unusable resume state")

// exportState is the small file beside FILE.json.partial that makes an
// export resumable: how many bytes of the partial file hold complete
// titles, and which titles those are.
type exportState struct {
	Version   int       `json:"version"`
	AccountID string    `json:"accountId"`
	StartedAt time.Time `json:"startedAt"`
	// Committed is the length of the partial file's complete part.
	Committed int64 `json:"committed"`
	// Done lists the npCommunicationIds written, in file order.
	Done []string `json:"done"`
}

// parseExportState reads and checks a state file's bytes.
func parseExportState(b []byte) (*exportState, error) {
	var st exportState
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return nil, fmt.Errorf("%w: %v", errExportState, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the state object", errExportState)
	}
	switch {
	case st.Version != 1:
		return nil, fmt.Errorf("%w: version %d, want 1", errExportState, st.Version)
	case !psn.IsAccountID(st.AccountID):
		return nil, fmt.Errorf("%w: account id %q is not numeric", errExportState, st.AccountID)
	case st.Committed <= 0:
		return nil, fmt.Errorf("%w: committed length %d", errExportState, st.Committed)
	}
	seen := make(map[string]bool, len(st.Done))
	for _, np := range st.Done {
		if np == "" || seen[np] {
			return nil, fmt.Errorf("%w: empty or repeated title %q", errExportState, np)
		}
		seen[np] = true
	}
	return &st, nil
}

// writeFileAtomic writes b to path through a temporary file, fsync and
// rename, so that a reader sees the old or the new content, never a mix.
func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename, a no-op
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// syncDir makes a rename in dir durable (best effort: not every platform
// can fsync a directory).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

func (a *App) exportCommand() *cobra.Command {
	var (
		out     string
		restart bool
	)
	c := &cobra.Command{
		Use:   "export [ACCOUNT] --out FILE.json",
		Short: "Write a whole account's titles, trophy groups and trophies (with earned state) to a JSON file",
		Long: `Export every trophy title of an account with its trophy groups and every
trophy with its earned state (date, rarity, PS5 progress) to FILE.json.
ACCOUNT is "me" (the default: the account of --account), a PSN account id or
an online id.

Each title costs 4 requests and PSN allows 300 per 15 minutes: large
accounts take a while, and the export waits (saying so on stderr) rather
than break the limit. Progress shows on stderr: a bar on a terminal, plain
lines otherwise.

The export is resumable: it builds FILE.json.partial and records its
progress in FILE.json.state; after an interruption (Ctrl-C, network, a
crash) the same command goes on where it stopped. At the end the partial
file is renamed to FILE.json in one step. --restart throws away earlier
progress.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if out == "" {
				return usageError("psn export needs --out FILE.json: the file to write")
			}
			who := optionalArg(args, "me")
			if _, err := classifyAccount("ACCOUNT", who); err != nil {
				return err
			}
			prog := a.newExportProgress()
			api, err := a.dataSession(ctx, prog.waiting)
			if err != nil {
				return err
			}
			ex := &exporter{api: api, out: out, restart: restart, prog: prog, stderr: a.stderr}
			if err := ex.patiently(ctx, func() (err error) {
				ex.accountID, err = resolveAccount(ctx, api, "ACCOUNT", who, true)
				return err
			}); err != nil {
				return err
			}
			return ex.run(ctx)
		},
	}
	c.Flags().StringVar(&out, "out", "", "the JSON file to write (required)")
	c.Flags().BoolVar(&restart, "restart", false, "discard the progress of an earlier, interrupted export to the same file")
	return a.dataCommand(c)
}

// exporter writes one account's export.
type exporter struct {
	api       *psn.Client
	accountID string
	out       string
	restart   bool
	prog      exportProgress
	stderr    io.Writer

	st      *exportState
	f       *os.File // the .partial file, positioned at st.Committed
	started time.Time
}

func (e *exporter) partialPath() string { return e.out + ".partial" }
func (e *exporter) statePath() string   { return e.out + ".state" }

func (e *exporter) run(ctx context.Context) (err error) {
	e.started = time.Now()
	var titles []psn.TrophyTitle
	if err := e.patiently(ctx, func() (err error) {
		titles, err = collect(e.api.Trophies.TitlesAll(ctx, e.accountID, nil))
		return err
	}); err != nil {
		return fmt.Errorf("export: listing the titles: %w", err)
	}
	if err := e.open(ctx); err != nil {
		return err
	}
	defer func() {
		if e.f != nil {
			e.f.Close()
		}
		switch {
		case errors.Is(err, context.Canceled):
			e.prog.interrupt()
			fmt.Fprintf(e.stderr, "psn: export interrupted after %d of %d titles; run the same command again to resume\n", len(e.st.Done), len(titles))
		case err != nil:
			fmt.Fprintf(e.stderr, "psn: export stopped after %d of %d titles; run the same command again to resume\n", len(e.st.Done), len(titles))
		}
	}()
	done := make(map[string]bool, len(e.st.Done))
	for _, np := range e.st.Done {
		done[np] = true
	}
	todo := 0
	for _, t := range titles {
		if !done[t.NpCommunicationID] {
			todo++
		}
	}
	e.estimate(todo)
	e.prog.begin(len(e.st.Done)+todo, len(e.st.Done))
	for _, t := range titles {
		if done[t.NpCommunicationID] {
			continue
		}
		x, err := e.fetchTitle(ctx, t)
		if err != nil {
			return fmt.Errorf("export: %s (%s): %w", t.NpCommunicationID, t.TrophyTitleName, err)
		}
		if err := e.commit(x); err != nil {
			return err
		}
		done[t.NpCommunicationID] = true
		e.prog.step(len(e.st.Done), t.TrophyTitleName)
	}
	if err := e.finish(); err != nil {
		return err
	}
	e.prog.end()
	fmt.Fprintf(e.stderr, "psn: exported %d titles of account %s to %s in %s\n", len(e.st.Done), e.accountID, e.out, time.Since(e.started).Round(100*time.Millisecond))
	return nil
}

// estimate says up front how long the rate limit makes the export last.
func (e *exporter) estimate(titles int) {
	n := titles * requestsPerTitle
	if n <= rateRequests {
		return
	}
	least := time.Duration((n-rateRequests)/rateRequests+1) * rateWindow
	fmt.Fprintf(e.stderr, "psn: %d titles to export, about %d requests; PSN allows %s, so this takes at least %s (it can be interrupted and resumed)\n",
		titles, n, rateLimitText, humanDuration(least))
}

// humanDuration says d in words: "45 minutes", "2 hours 15 minutes", "12 seconds".
func humanDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return plural(int(d.Round(time.Second)/time.Second), "second")
	case d < 2*time.Hour:
		return plural(int(d.Round(time.Minute)/time.Minute), "minute")
	}
	d = d.Round(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	if m == 0 {
		return plural(h, "hour")
	}
	return plural(h, "hour") + " " + plural(m, "minute")
}

// open resumes the partial file named by a valid state file, or starts a
// new one with the file's header.
func (e *exporter) open(ctx context.Context) error {
	if e.restart {
		if err := errors.Join(removeIfExists(e.statePath()), removeIfExists(e.partialPath())); err != nil {
			return err
		}
	}
	b, err := os.ReadFile(e.statePath())
	switch {
	case err == nil:
		return e.resume(b)
	case !errors.Is(err, os.ErrNotExist):
		return err
	}
	if _, err := os.Stat(e.partialPath()); err == nil {
		return fmt.Errorf("%w: %s exists without %s: remove it, or pass --restart", errExportState, e.partialPath(), e.statePath())
	}
	var sum *psn.TrophySummary
	if err := e.patiently(ctx, func() (err error) {
		sum, err = e.api.Trophies.Summary(ctx, e.accountID)
		return err
	}); err != nil {
		return fmt.Errorf("export: trophy summary: %w", err)
	}
	sumJSON, err := json.Marshal(sum)
	if err != nil {
		return err
	}
	var h bytes.Buffer
	fmt.Fprintf(&h, "{\n  \"format\": %q,\n  \"accountId\": %q,\n  \"startedAt\": %q,\n  \"summary\": %s,\n  \"titles\": [",
		exportFormat, e.accountID, e.started.UTC().Format(time.RFC3339), sumJSON)
	f, err := os.OpenFile(e.partialPath(), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	e.f = f
	if _, err := f.Write(h.Bytes()); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	e.st = &exportState{Version: 1, AccountID: e.accountID, StartedAt: e.started.UTC(), Committed: int64(h.Len()), Done: []string{}}
	return e.saveState()
}

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// resume reopens the partial file and cuts off whatever follows its last
// complete title (a write the interruption cut short).
func (e *exporter) resume(stateBytes []byte) error {
	st, err := parseExportState(stateBytes)
	if err != nil {
		return fmt.Errorf("%s: %w (remove it and %s, or pass --restart)", e.statePath(), err, e.partialPath())
	}
	if st.AccountID != e.accountID {
		return fmt.Errorf("%w: %s is an export of account %s, not %s: use another --out, or pass --restart", errExportState, e.partialPath(), st.AccountID, e.accountID)
	}
	f, err := os.OpenFile(e.partialPath(), os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("%w: %v (pass --restart to begin again)", errExportState, err)
	}
	e.f = f
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() < st.Committed {
		return fmt.Errorf("%w: %s holds %d bytes, the state says %d were written: pass --restart", errExportState, e.partialPath(), fi.Size(), st.Committed)
	}
	if err := f.Truncate(st.Committed); err != nil {
		return err
	}
	if _, err := f.Seek(st.Committed, io.SeekStart); err != nil {
		return err
	}
	e.st = st
	fmt.Fprintf(e.stderr, "psn: resuming the export to %s: %d titles already done\n", e.out, len(st.Done))
	return nil
}

func (e *exporter) saveState() error {
	b, err := json.Marshal(e.st)
	if err != nil {
		return err
	}
	return writeFileAtomic(e.statePath(), b)
}

// commit appends one title to the partial file, makes it durable, and then
// records it in the state file. A crash between the two leaves bytes past
// Committed, which the next run cuts off.
func (e *exporter) commit(x exportTitle) error {
	b, err := json.Marshal(x)
	if err != nil {
		return err
	}
	sep := "\n    "
	if len(e.st.Done) > 0 {
		sep = ",\n    "
	}
	n, err := e.f.Write(append([]byte(sep), b...))
	if err != nil {
		return err
	}
	if err := e.f.Sync(); err != nil {
		return err
	}
	e.st.Committed += int64(n)
	e.st.Done = append(e.st.Done, x.NpCommunicationID)
	return e.saveState()
}

// finish closes the JSON document and renames it into place, then drops
// the state file.
func (e *exporter) finish() error {
	tail := fmt.Sprintf("\n  ],\n  \"titleCount\": %d,\n  \"finishedAt\": %q\n}\n", len(e.st.Done), time.Now().UTC().Format(time.RFC3339))
	if _, err := e.f.Write([]byte(tail)); err != nil {
		return err
	}
	if err := e.f.Sync(); err != nil {
		return err
	}
	if err := e.f.Close(); err != nil {
		return err
	}
	e.f = nil
	if err := os.Rename(e.partialPath(), e.out); err != nil {
		return err
	}
	syncDir(filepath.Dir(e.out))
	return removeIfExists(e.statePath())
}

// maxRateWaits bounds how often one title waits for PSN's rate limit.
const maxRateWaits = 8

// patiently runs fn again after PSN's "too many requests" (beyond what the
// client waits for by itself), waiting until the instant PSN names, at most
// maxRateWaits times.
func (e *exporter) patiently(ctx context.Context, fn func() error) error {
	for waits := 0; ; waits++ {
		err := fn()
		if err == nil {
			return nil
		}
		rl, ok := errors.AsType[*psn.RateLimitError](err)
		if !ok || rl.NextAvailable.IsZero() || waits >= maxRateWaits {
			return err
		}
		e.prog.waiting(rl.NextAvailable)
		if err := sleepUntil(ctx, rl.NextAvailable); err != nil {
			return err
		}
	}
}

// fetchTitle reads one title's groups and trophies for the account,
// patiently. When PSN refuses them (not found, forbidden), the title is
// kept with Error set and a note on stderr.
func (e *exporter) fetchTitle(ctx context.Context, t psn.TrophyTitle) (exportTitle, error) {
	var x exportTitle
	err := e.patiently(ctx, func() (err error) {
		x, err = e.titleDetails(ctx, t)
		return err
	})
	if errors.Is(err, psn.ErrNotFound) || errors.Is(err, psn.ErrForbidden) {
		fmt.Fprintf(e.stderr, "psn: %s (%s): %v — exported without its trophies\n", t.NpCommunicationID, t.TrophyTitleName, err)
		return exportTitle{TrophyTitle: t, TrophyGroups: []trophyGroupView{}, Trophies: []psn.MergedTrophy{}, Error: err.Error()}, nil
	}
	return x, err
}

func (e *exporter) titleDetails(ctx context.Context, t psn.TrophyTitle) (exportTitle, error) {
	np, opt := t.NpCommunicationID, t.TrophiesOptions()
	defG, err := e.api.Trophies.TitleTrophyGroups(ctx, np, opt)
	if err != nil {
		return exportTitle{}, err
	}
	earnG, err := e.api.Trophies.UserTrophyGroups(ctx, e.accountID, np, opt)
	if err != nil {
		return exportTitle{}, err
	}
	defs, err := collect(e.api.Trophies.TitleTrophiesAll(ctx, np, psn.TrophyGroupAll, opt))
	if err != nil {
		return exportTitle{}, err
	}
	earned, err := collect(e.api.Trophies.UserTrophiesAll(ctx, e.accountID, np, psn.TrophyGroupAll, opt))
	if err != nil {
		return exportTitle{}, err
	}
	return exportTitle{
		TrophyTitle:  t,
		TrophyGroups: mergeGroups(defG.TrophyGroups, earnG.TrophyGroups),
		Trophies:     psn.MergeTrophies(defs, earned),
	}, nil
}

// sleepUntil waits until t or until ctx ends.
func sleepUntil(ctx context.Context, t time.Time) error {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
