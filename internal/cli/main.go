// Package cli is psnkit's command line as a library: the psn program (log
// in to the PlayStation Network once, keep the tokens fresh and encrypted,
// read PSN data, run the offline simulator) and the shared parts of
// psn-vault, whose commands live in internal/vaultcmd so that psn does not
// link the vault service.
//
// Exit codes: 0 ok, 1 error, 3 login required (a human must run
// `psn login` again), 130 interrupted.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"

	"github.com/psnkit/psn/vault"
	goredis "github.com/redis/go-redis/v9"
	"github.com/spf13/cobra"
)

// Exit codes.
const (
	exitOK            = 0
	exitError         = 1
	exitLoginRequired = 3
)

// Program is one command-line program built on the shared app: psn, or
// psn-vault. Both take the same global flags (--store, --endpoint, -o,
// --jq, -v; --account where Account is set), read the same environment and
// exit with the same codes.
type Program struct {
	// Name is the program as users type it: "psn", "psn-vault".
	Name string
	// Short and Long are the root command's help.
	Short, Long string
	// Commands makes the program's commands for one run; help, completion
	// and version are added to them.
	Commands func(a *App) []*cobra.Command
	// Examples are the Example sections of the commands' help, by command
	// path without the program's name ("" is the program itself).
	Examples map[string]string
	// Account gives the program the --account flag: its commands act on
	// one account of the store. psn-vault's act on all of them (or none)
	// and have no such flag, rather than one that is silently ignored.
	Account bool
	// JQExample is the expression --jq's help shows, one that fits the
	// program's own JSON output.
	JQExample string
	// Verbose is -v's help: what the program logs with it ("" for psn's:
	// every PSN request and retry).
	Verbose string
}

// PSN is the psn program.
func PSN() Program {
	return Program{
		Name:  "psn",
		Short: "PlayStation Network from the command line, with tokens that stay fresh and encrypted",
		Long: `psn logs in to the PlayStation Network once and keeps the tokens fresh and
encrypted at rest (SQLite by default; PostgreSQL or Redis with --store).

Exit codes: 0 ok, 1 error, 3 login required (run "psn login" again), 130 interrupted.
Data goes to stdout; progress and diagnostics to stderr.`,
		Commands:  (*App).psnCommands,
		Examples:  examples,
		Account:   true,
		JQExample: ".[].trophyTitleName",
	}
}

// Main runs p as this process: its arguments, standard streams and
// environment, with SIGINT and SIGTERM cancelling the command. It exits
// with the command's exit code and does not return.
func Main(p Program) {
	tuneGC(os.Getenv)
	quietLibraries()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runApp(ctx, p, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv, true)
	stop()
	memReportAs(os.Stderr, os.Getenv, p.Name)
	os.Exit(code)
}

// quietLibraries stops libraries from logging on stderr by themselves:
// go-redis prints its connection-pool failures through a process-wide
// logger, which would put lines such as "pool.go:770: …" under psn's own
// error message. It is set once, here, because it is a global of go-redis.
func quietLibraries() {
	goredis.SetLogger(discardRedisLogger{})
}

// discardRedisLogger drops go-redis's internal log lines; the errors they
// describe reach psn as returned errors anyway.
type discardRedisLogger struct{}

// Printf implements go-redis's internal.Logging.
func (discardRedisLogger) Printf(context.Context, string, ...any) {}

// Run runs p with args (without the program name), the given streams and
// environment, and returns the exit code: Main without the process, for
// tests. (So `psn vault` runs psn-vault as a child with these streams
// here: only Main replaces the process with it.)
func Run(ctx context.Context, p Program, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	return runApp(ctx, p, args, stdin, stdout, stderr, getenv, false)
}

// runApp is Run; process says that the app is this process (Main): its
// streams are the process's own, so psn vault may exec psn-vault.
func runApp(ctx context.Context, p Program, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string, process bool) int {
	a := newApp(p.Name, stdin, stdout, stderr, getenv)
	a.process = process
	defer a.close()
	root := a.rootCommand(p)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		// Ctrl-C: the command has said what it must (export: how to
		// resume); "context canceled" would only be noise.
		return exitInterrupted
	}
	var child *childExit
	if errors.As(err, &child) {
		return child.code
	}
	msg, code := a.render(err)
	fmt.Fprint(stderr, msg)
	return code
}

// creates marks the commands that may create or migrate a store.
const creates = "psn/creates-store"

// CreatesStore marks cmd (and every command below it) as one that may
// create or migrate the token store; every other command opens an existing
// store or fails.
func CreatesStore(cmd *cobra.Command) {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[creates] = "yes"
}

func (a *App) rootCommand(p Program) *cobra.Command {
	root := &cobra.Command{
		Use:           p.Name,
		Short:         p.Short,
		Long:          p.Long,
		Version:       readBuildInfo(debug.ReadBuildInfo).versionLine(),
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          noArgs,
		RunE:          func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return a.prepare(cmd)
		},
	}
	// No SetVersionTemplate (nor any other template): a program that can
	// reach text/template's method calls keeps every exported method of
	// every type the linker cannot rule out, 17 MB more binary and ~3 MiB
	// more RSS on every start (docs/benchmarks.md). cobra's default
	// version output ("psn version …") is a Go function.
	f := root.PersistentFlags()
	f.StringVar(&a.storeURL, "store", "", "token store: sqlite:///path.db (default: psn.db in the config dir), postgres://…, redis://… (env PSN_STORE)")
	f.StringVar(&a.endpoint, "endpoint", "", "send every PSN request to this base URL, e.g. a simulator (env PSN_ENDPOINT)")
	a.account = "default"
	if p.Account {
		f.StringVar(&a.account, "account", "default", "local name of the account")
	}
	f.StringVarP(&a.output, "output", "o", "table", "output format: table, json or csv")
	jq := "filter the JSON output with a jq expression (implies -o json)"
	if p.JQExample != "" {
		jq += ", e.g. --jq '" + p.JQExample + "'"
	}
	f.StringVar(&a.jq, "jq", "", jq)
	verbose := p.Verbose
	if verbose == "" {
		verbose = "log every PSN request (method, host, path, status, duration) and retry to stderr (never secrets)"
	}
	f.BoolVarP(&a.verbose, "verbose", "v", false, verbose)
	root.AddCommand(p.Commands(a)...)
	root.AddCommand(a.versionCommand())
	// cobra adds these two at Execute; made now, they get examples too.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	applyArgs(root)
	forwardHelp(root)
	shadowForwardedFlags(root)
	applyExamples(root, p.Name, p.Examples)
	a.registerCompletions(root)
	return root
}

// prepare checks the global flags before any command runs: the endpoint
// is a URL, the account name follows the vault's rule; and it lets the
// commands that write a store create one.
func (a *App) prepare(cmd *cobra.Command) error {
	if !vault.ValidAccountName(a.account) {
		return &userError{what: fmt.Sprintf("--account %s is not a valid account name", quoteArg(a.account)),
			hint: "Account names are 1-64 ASCII letters, digits, '.', '_', '-' or '@', starting with a letter or digit (the vault's rule).",
			err:  vault.ErrAccountName, quiet: true}
	}
	if err := a.checkEndpoint(); err != nil {
		return err
	}
	if a.jq != "" {
		if cmd.Flags().Changed("output") && a.output != "json" {
			return usageError("--jq filters JSON: drop -o %s (--jq implies -o json)", a.output)
		}
		code, err := compileJQ(a.jq)
		if err != nil {
			return err
		}
		a.output, a.jqCode = "json", code
	}
	for c := cmd; c != nil; c = c.Parent() {
		if c.Annotations[creates] != "" {
			a.mayCreate = true
		}
	}
	return nil
}

// noArgs rejects arguments without repeating any that could be a secret:
// cobra's own messages quote them, and `psn login <npsso>` must not put
// the NPSSO on the screen (or in a log that captures stderr).
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	if cmd.HasAvailableSubCommands() {
		if sub, _, err := cmd.Find(args[:1]); err == nil && sub != cmd {
			// A command by this very name exists: cobra missed it because
			// of the flags in front (-vo json, --), not a typo.
			return &userError{what: fmt.Sprintf("the flags before %q hid the command from %s", args[0], cmd.CommandPath()),
				hint: fmt.Sprintf("Give each flag apart and without a --, e.g. `%s -v -o json %s …`, or after the command.", cmd.CommandPath(), args[0])}
		}
		if cmd.SuggestionsMinimumDistance <= 0 {
			cmd.SuggestionsMinimumDistance = 2
		}
		if sug := cmd.SuggestionsFor(args[0]); len(sug) > 0 {
			return &userError{what: fmt.Sprintf("unknown command %s for %q", describeArg(args[0]), cmd.CommandPath()),
				hint: fmt.Sprintf("Did you mean %s?", strings.Join(sug, " or "))}
		}
		return &userError{what: fmt.Sprintf("unknown command %s for %q", describeArg(args[0]), cmd.CommandPath()),
			hint: fmt.Sprintf("See `%s --help` for the commands.", cmd.CommandPath())}
	}
	return &userError{what: fmt.Sprintf("unexpected argument %s: %q takes none", describeArg(args[0]), cmd.CommandPath()),
		hint: fmt.Sprintf("See `%s --help`.", cmd.CommandPath())}
}

// describeArg quotes a short argument and hides a long one: NPSSOs, codes
// and tokens are all far longer than any command name.
func describeArg(a string) string {
	if len(a) <= 24 {
		return strconv.Quote(a)
	}
	return "(a long argument, not repeated here: secrets are never read from the command line — use the prompt, stdin or the environment)"
}

// group is a command that only holds subcommands: without arguments it
// shows its help, with an unknown one it fails (so that
// TOKEN=$(psn token prnt) does not capture a help text).
func group(use, short string) *cobra.Command {
	return &cobra.Command{
		Use: use, Short: short, Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
}
