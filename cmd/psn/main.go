// Command psn is psnkit's command line: log in to the PlayStation Network
// once, keep the tokens fresh and encrypted, read PSN data, and run the
// offline simulator.
//
// Exit codes: 0 ok, 1 error, 3 login required (a human must run
// `psn login` again).
package main

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

func main() {
	tuneGC(os.Getenv)
	quietLibraries()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	memReport(os.Stderr, os.Getenv)
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

// run is main without the process: tests call it.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	a := newApp(stdin, stdout, stderr, getenv)
	defer a.close()
	root := a.rootCommand()
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
	msg, code := a.render(err)
	fmt.Fprint(stderr, msg)
	return code
}

// creates marks the commands that may create or migrate a store.
const creates = "psn/creates-store"

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "psn",
		Short: "PlayStation Network from the command line, with tokens that stay fresh and encrypted",
		Long: `psn logs in to the PlayStation Network once and keeps the tokens fresh and
encrypted at rest (SQLite by default; PostgreSQL or Redis with --store).

Exit codes: 0 ok, 1 error, 3 login required (run "psn login" again), 130 interrupted.
Data goes to stdout; progress and diagnostics to stderr.`,
		Version:       readBuildInfo(debug.ReadBuildInfo).String(),
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          noArgs,
		RunE:          func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return a.prepare(cmd)
		},
	}
	root.SetVersionTemplate("{{.Version}}\n")
	f := root.PersistentFlags()
	f.StringVar(&a.storeURL, "store", "", "token store: sqlite:///path.db (default: psn.db in the config dir), postgres://…, redis://… (env PSN_STORE)")
	f.StringVar(&a.endpoint, "endpoint", "", "send every PSN request to this base URL, e.g. a simulator (env PSN_ENDPOINT)")
	f.StringVar(&a.account, "account", "default", "local name of the account")
	f.StringVarP(&a.output, "output", "o", "table", "output format: table, json or csv")
	f.StringVar(&a.jq, "jq", "", "filter the JSON output with a jq expression (implies -o json), e.g. --jq '.[].trophyTitleName'")
	f.BoolVarP(&a.verbose, "verbose", "v", false, "log every PSN request (method, host, path, status, duration) and retry to stderr (never secrets)")
	root.AddCommand(
		a.loginCommand(), a.logoutCommand(), a.tokenCommand(), a.accountsCommand(), a.keysCommand(),
		a.simCommand(), a.demoCommand(),
		a.vaultCommand(), a.versionCommand(),
	)
	for _, c := range a.dataCommands() {
		root.AddCommand(c)
	}
	for _, c := range root.Commands() {
		switch c.Name() {
		case "login", "keys", "vault":
			c.Annotations = map[string]string{creates: "yes"}
		}
	}
	// cobra adds these two at Execute; made now, they get examples too.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	applyArgs(root)
	applyExamples(root)
	a.registerCompletions(root)
	return root
}

// prepare checks the global flags before any command runs: the endpoint
// is a URL, the account name follows the vault's rule; and it lets the
// commands that write a store create one.
func (a *app) prepare(cmd *cobra.Command) error {
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
