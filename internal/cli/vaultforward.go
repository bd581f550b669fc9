package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// VaultProgram is the name of the vault service's program. It is a program
// of its own so that psn does not link the service (its HTTP API,
// Prometheus, the status page's templates): linked, they cost every psn
// command ~3 MiB of memory (docs/benchmarks.md).
const VaultProgram = "psn-vault"

// errNoVaultProgram is the cause when `psn vault` finds no psn-vault.
var errNoVaultProgram = errors.New("psn-vault not found")

// vaultForwardCommand is `psn vault …`: it runs psn-vault with the same
// arguments, the word "vault" taken out, so `psn --store URL vault serve`
// is `psn-vault --store URL serve`. On Unix psn-vault replaces the psn
// process (same pid, signals and exit code go straight to it).
func (a *App) vaultForwardCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "vault [ARGS...]",
		Short: "Run psn-vault, the token vault service (serve, apikey, webhook)",
		Long: `The token vault service — many accounts kept fresh behind an HTTP API — is
its own program, psn-vault, so that psn stays small. "psn vault ARGS" runs
"psn-vault ARGS" (the global flags go along), found next to psn first, then
on PATH:

  psn vault serve            = psn-vault serve
  psn vault apikey create …  = psn-vault apikey create …

Install it with: go install github.com/psnkit/psn/cmd/psn-vault@latest
"psn vault --help" shows psn-vault's own help. See docs/vault.md.`,
		DisableFlagParsing:    true,
		DisableFlagsInUseLine: true,
		Args:                  cobra.ArbitraryArgs,
		// The global flags are psn-vault's to check: psn parses none here.
		PersistentPreRunE: func(*cobra.Command, []string) error { return nil },
		ValidArgsFunction: a.completeVault,
		RunE: func(cmd *cobra.Command, args []string) error {
			bin, err := a.findVaultProgram()
			if err != nil && asksForHelp(args) {
				// psn vault --help without psn-vault: psn's own page,
				// which says how to install it; asking for help is not
				// an error.
				return cmd.Help()
			}
			if err != nil {
				return err
			}
			a.warnVaultSkew(bin)
			return a.runVaultProgram(cmd, bin, args)
		},
	}
}

// completeVault completes `psn vault …` as psn-vault completes the same
// words: it asks psn-vault (cobra's hidden __complete command) and passes
// its answer on. Without psn-vault there is nothing to complete.
func (a *App) completeVault(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	bin, err := a.findVaultProgram()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), 5*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, bin, append(append([]string{cobra.ShellCompRequestCmd}, args...), toComplete)...)
	out, err := c.Output()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	last := lines[len(lines)-1]
	d, err := strconv.Atoi(strings.TrimPrefix(last, ":"))
	if !strings.HasPrefix(last, ":") || err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var comps []cobra.Completion
	for _, l := range lines[:len(lines)-1] {
		if l != "" && !strings.HasPrefix(l, "_activeHelp_") {
			comps = append(comps, l)
		}
	}
	return comps, cobra.ShellCompDirective(d)
}

// findVaultProgram looks for psn-vault next to this program's executable,
// then in $PATH. A psn-vault that is there but cannot run (a directory, a
// file without the execute bit) is skipped, and named in the error if no
// other is found.
func (a *App) findVaultProgram() (string, error) {
	var dirs []string
	if exe, err := os.Executable(); err == nil {
		if exe, err := filepath.EvalSymlinks(exe); err == nil {
			dirs = append(dirs, filepath.Dir(exe))
		}
	}
	dirs = append(dirs, filepath.SplitList(a.getenv("PATH"))...)
	windows := runtime.GOOS == "windows"
	var unusable string
	for _, d := range dirs {
		if !filepath.IsAbs(d) {
			continue // "" or "." or bin/: relative to the current directory, refused as exec.LookPath does (ErrDot)
		}
		p, problem := vaultProgramIn(d, windows)
		if problem == "" {
			return p, nil
		}
		if unusable == "" && p != "" {
			unusable = p + " " + problem
		}
	}
	what := "psn vault runs the psn-vault program, which is neither next to psn nor on PATH"
	if unusable != "" {
		what = "psn vault runs the psn-vault program, and the only one found cannot run: " + unusable
	}
	return "", &userError{
		what: what,
		hint: "Install it: go install github.com/psnkit/psn/cmd/psn-vault@latest (from a checkout: go build -o \"$(dirname \"$(command -v psn)\")\" ./cmd/psn-vault).\nThen run psn-vault directly, e.g. psn-vault serve.",
		err:  errNoVaultProgram, quiet: true,
	}
}

// vaultProgramIn returns the path of psn-vault in dir and "" if it can
// run; the path and what is wrong with it if it is there but cannot; or
// "", "missing". On Windows the program is psn-vault.exe and needs no
// execute bit (Windows has none: Go reports every file 0666 or 0444).
func vaultProgramIn(dir string, windows bool) (path, problem string) {
	name := VaultProgram
	if windows {
		name += ".exe"
	}
	p := filepath.Join(dir, name)
	fi, err := os.Stat(p)
	switch {
	case err != nil:
		return "", "missing"
	case fi.IsDir():
		return p, "is a directory"
	case !fi.Mode().IsRegular():
		return p, "is not a regular file"
	case !windows && fi.Mode().Perm()&0o111 == 0:
		return p, "is not executable"
	}
	return p, ""
}

// asksForHelp reports whether args hold -h or --help before any "--".
func asksForHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "--help", "--help=true":
			return true
		}
	}
	return false
}

// childExit is the exit code of a program psn ran in its place, which has
// already said what it had to: psn exits with the code and prints nothing.
type childExit struct{ code int }

func (e *childExit) Error() string { return fmt.Sprintf("exit status %d", e.code) }
