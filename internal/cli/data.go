package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/psnkit/psn"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// dataCommands returns the PSN data commands (me, profile, summary, …) and
// export.
func (a *App) dataCommands() []*cobra.Command {
	return []*cobra.Command{
		a.meCommand(), a.summaryCommand(), a.titlesCommand(), a.trophiesCommand(), a.groupsCommand(),
		a.profileCommand(), a.friendsCommand(), a.presenceCommand(), a.regionCommand(), a.devicesCommand(),
		a.searchCommand(), a.playedCommand(), a.exportCommand(),
	}
}

// errBadOutput: -o names no format the data commands write.
var errBadOutput = errors.New("unknown output format")

// checkOutput refuses an unknown -o before any request is sent.
func (a *App) checkOutput() error {
	switch a.output {
	case "table", "json", "csv":
		return nil
	}
	return fmt.Errorf("%w %q: use table, json or csv", errBadOutput, a.output)
}

// dataCommand gives a data command the -o check and silent usage.
func (a *App) dataCommand(c *cobra.Command) *cobra.Command {
	c.PreRunE = func(*cobra.Command, []string) error { return a.checkOutput() }
	return c
}

// rateWindow and rateRequests are PSN's limit, which every data command
// keeps to (the client's default; repeated here to wrap it in a notice).
const (
	rateRequests = 300
	rateWindow   = 15 * time.Minute
	// rateLimitText says the limit in words.
	rateLimitText = "300 requests per 15 minutes"
)

// dataSession is a.session with a client whose rate limiter reports on
// stderr (through onWait) when it holds a request back. A nil onWait
// prints one line per wait.
func (a *App) dataSession(ctx context.Context, onWait func(until time.Time)) (*psn.Client, error) {
	if onWait == nil {
		onWait = func(until time.Time) {
			fmt.Fprintf(a.stderr, "psn: rate limit (%s): waiting %s, until %s\n",
				rateLimitText, humanDuration(time.Until(until)), until.Local().Format("15:04:05"))
		}
	}
	api, _, err := a.session(ctx, psn.WithLimiter(&noticeLimiter{l: psn.NewWindowLimiter(rateRequests, rateWindow), onWait: onWait}))
	return api, err
}

// noticeLimiter wraps a limiter and calls onWait before a request has to
// wait for a slot. It first asks l with a deadline that has already passed:
// a *psn.WindowLimiter then reserves a free slot at once, or answers with
// a *psn.RateLimitError saying when the next slot frees, without reserving.
type noticeLimiter struct {
	l      psn.Limiter
	onWait func(until time.Time)
}

// Wait implements psn.Limiter.
func (n *noticeLimiter) Wait(ctx context.Context) error {
	probe, cancel := context.WithDeadline(ctx, time.Now())
	err := n.l.Wait(probe)
	cancel()
	if err == nil {
		return nil
	}
	if rl, ok := errors.AsType[*psn.RateLimitError](err); ok && !rl.NextAvailable.IsZero() && n.onWait != nil {
		n.onWait(rl.NextAvailable)
	}
	return n.l.Wait(ctx)
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// when formats an instant for a table (local time, minutes) or for CSV and
// JSON (RFC 3339, UTC). The zero time is "".
func (a *App) when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if a.output == "table" {
		return t.Local().Format("2006-01-02 15:04")
	}
	return t.UTC().Format(time.RFC3339)
}

// moreHint tells on stderr how many items the first page left out.
func (a *App) moreHint(total, offset, shown int, what string) {
	if rest := total - offset - shown; rest > 0 {
		fmt.Fprintf(a.stderr, "psn: %d more %s — use --all\n", rest, what)
	}
}

// emptyArg is the error for an argument given as "" (or blanks).
func emptyArg(param string) error {
	return &psn.InvalidIDError{Param: param, Problem: "empty"}
}

// nonEmpty refuses an id argument that is empty or blank.
func nonEmpty(param, s string) error {
	if strings.TrimSpace(s) == "" {
		return emptyArg(param)
	}
	return nil
}

// accountRef says what a user argument is.
type accountRef int

const (
	refMe accountRef = iota
	refAccountID
	refOnlineID
)

// classifyAccount tells "me", an account id and an online id apart, and
// refuses an empty argument.
func classifyAccount(param, s string) (accountRef, error) {
	switch {
	case strings.TrimSpace(s) == "":
		return 0, emptyArg(param)
	case s == "me":
		return refMe, nil
	case psn.IsAccountID(s):
		return refAccountID, nil
	}
	return refOnlineID, nil
}

// accountSession checks the optional ACCOUNT argument ("me" when absent)
// before any request, then opens the data session and resolves the
// account to an id PSN accepts (an online id costs one lookup).
func (a *App) accountSession(ctx context.Context, args []string) (*psn.Client, string, error) {
	arg := optionalArg(args, "me")
	if _, err := classifyAccount("ACCOUNT", arg); err != nil {
		return nil, "", err
	}
	api, err := a.dataSession(ctx, nil)
	if err != nil {
		return nil, "", err
	}
	acc, err := resolveAccount(ctx, api, "ACCOUNT", arg, false)
	return api, acc, err
}

// resolveAccount turns a user argument into what PSN's account paths take:
// "me" (kept as "me" unless numeric is set), an account id, or an online
// id looked up to its account id (psn's Users.ResolveAccountID). ids with
// '/', '?' and the like go to the library as they are; it escapes them.
func resolveAccount(ctx context.Context, api *psn.Client, param, s string, numeric bool) (string, error) {
	ref, err := classifyAccount(param, s)
	if err != nil {
		return "", err
	}
	if ref == refMe && !numeric {
		return "me", nil
	}
	acc, err := api.Users.ResolveAccountID(ctx, s)
	if ref == refOnlineID && errors.Is(err, psn.ErrNotFound) {
		return "", &userError{what: "no PSN user " + s,
			hint: fmt.Sprintf("Check the online id, or look for the player with `psn search %s`.", shellWord(s)), err: err}
	}
	if err != nil && ref == refOnlineID {
		return "", fmt.Errorf("looking up online id %q: %w", s, err)
	}
	return acc, err
}

// optionalArg is args[0], or def when no argument was given.
func optionalArg(args []string, def string) string {
	if len(args) == 0 {
		return def
	}
	return args[0]
}

func itoa(n int) string { return strconv.Itoa(n) }

// boolCell is a yes/no cell: "yes"/"no" in a table, JSON's true/false in
// CSV (whose headers are the JSON keys).
func (a *App) boolCell(b bool) string {
	if a.output == "csv" {
		return strconv.FormatBool(b)
	}
	return yesNo(b)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// counts formats trophy counts as "P/G/S/B".
func counts(c psn.TrophyCounts) string {
	return fmt.Sprintf("%d/%d/%d/%d", c.Platinum, c.Gold, c.Silver, c.Bronze)
}

// countHeader names trophy-count columns: one "P/G/S/B" column in a
// table, a number column per grade in CSV (for spreadsheets).
func (a *App) countHeader(prefix string) []string {
	if a.output == "csv" {
		return []string{prefix + " PLATINUM", prefix + " GOLD", prefix + " SILVER", prefix + " BRONZE"}
	}
	return []string{prefix + " P/G/S/B"}
}

// countKeys are the JSON keys of countHeader's columns (for CSV):
// prefix.platinum … prefix.bronze.
func (a *App) countKeys(prefix string) []string {
	if a.output == "csv" {
		return []string{prefix + ".platinum", prefix + ".gold", prefix + ".silver", prefix + ".bronze"}
	}
	return []string{prefix}
}

// countCells fills the columns countHeader names; nil counts are blank.
func (a *App) countCells(c *psn.TrophyCounts) []string {
	if a.output == "csv" {
		if c == nil {
			return []string{"", "", "", ""}
		}
		return []string{itoa(c.Platinum), itoa(c.Gold), itoa(c.Silver), itoa(c.Bronze)}
	}
	if c == nil {
		return []string{""}
	}
	return []string{counts(*c)}
}

// pct is a percentage: "86%" in a table, "86" in CSV.
func (a *App) pct(n int) string {
	if a.output == "csv" {
		return itoa(n)
	}
	return itoa(n) + "%"
}

// shellWord quotes s for a shell command line when it needs it.
func shellWord(s string) string {
	for _, r := range s {
		if !(r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
	}
	return s
}
