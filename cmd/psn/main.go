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
	"strconv"
	"strings"
	"syscall"

	"github.com/psnkit/psn"
	"github.com/spf13/cobra"
)

// Exit codes.
const (
	exitOK            = 0
	exitError         = 1
	exitLoginRequired = 3
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

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
	msg := err.Error()
	if !strings.HasPrefix(msg, "psn: ") {
		msg = "psn: " + msg
	}
	fmt.Fprintln(stderr, msg)
	if errors.Is(err, psn.ErrLoginRequired) || errors.Is(err, psn.ErrNoToken) {
		return exitLoginRequired
	}
	return exitError
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "psn",
		Short: "PlayStation Network from the command line, with tokens that stay fresh and encrypted",
		Long: `psn logs in to the PlayStation Network once and keeps the tokens fresh and
encrypted at rest (SQLite by default; PostgreSQL or Redis with --store).

Exit codes: 0 ok, 1 error, 3 login required (run "psn login" again).
Data goes to stdout; progress and diagnostics to stderr.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          noArgs,
		RunE:          func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	f := root.PersistentFlags()
	f.StringVar(&a.storeURL, "store", "", "token store: sqlite:///path.db (default: psn.db in the config dir), postgres://…, redis://… (env PSN_STORE)")
	f.StringVar(&a.endpoint, "endpoint", "", "send every PSN request to this base URL, e.g. a simulator (env PSN_ENDPOINT)")
	f.StringVar(&a.account, "account", "default", "local name of the account")
	f.StringVarP(&a.output, "output", "o", "table", "output format: table, json or csv")
	f.BoolVarP(&a.verbose, "verbose", "v", false, "log what the client does to stderr (never secrets)")
	root.AddCommand(
		a.loginCommand(), a.logoutCommand(), a.tokenCommand(), a.accountsCommand(), a.keysCommand(),
		a.simCommand(), a.demoCommand(),
		a.vaultCommand(),
	)
	for _, c := range a.dataCommands() {
		root.AddCommand(c)
	}
	return root
}

// noArgs rejects arguments without repeating any that could be a secret:
// cobra's own messages quote them, and `psn login <npsso>` must not put
// the NPSSO on the screen (or in a log that captures stderr).
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	return fmt.Errorf("unknown command or argument %s for %q; see `%s --help`", describeArg(args[0]), cmd.CommandPath(), cmd.CommandPath())
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
