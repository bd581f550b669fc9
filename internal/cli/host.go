package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/vault"
	"github.com/spf13/cobra"
)

// This file is what the commands of another program (internal/vaultcmd for
// psn-vault) use of the app: the same global flags, store, keys, output
// and errors as psn's own commands.

// Stdout is where a command writes its data.
func (a *App) Stdout() io.Writer { return a.stdout }

// Stderr is where a command writes progress, logs and diagnostics.
func (a *App) Stderr() io.Writer { return a.stderr }

// Getenv reads the program's environment (a map in tests).
func (a *App) Getenv(key string) string { return a.getenv(key) }

// Verbose reports -v.
func (a *App) Verbose() bool { return a.verbose }

// Endpoint is --endpoint, else PSN_ENDPOINT, else "" (Sony's hosts).
func (a *App) Endpoint() string { return a.endpointValue() }

// OpenStore opens the token store of --store, $PSN_STORE or the default
// SQLite file, once per run; the app closes it. Only commands marked with
// CreatesStore may create or migrate it.
func (a *App) OpenStore(ctx context.Context) (store.Store, error) { return a.openStore(ctx) }

// OpenKeys opens the store's key ring with the key material found first:
// PSN_KEY, PSN_KEY_FILE, PSN_PASSPHRASE, else the default key file.
func (a *App) OpenKeys(ctx context.Context) (*vault.Keys, error) { return a.openKeys(ctx) }

// Table is a command's output for -o table and -o csv: Header labels the
// columns for people, Keys names them in CSV (the JSON keys), Rows holds
// the values.
type Table struct {
	Header, Keys []string
	Rows         [][]string
}

// Emit writes v as JSON (filtered by --jq), or t as an aligned table or
// CSV, per -o.
func (a *App) Emit(v any, t Table) error {
	return a.emit(v, table{header: t.Header, keys: t.Keys, rows: t.Rows})
}

// When formats an instant for a table cell as every command does (local
// time to the minute; "" for the zero time).
func (a *App) When(t time.Time) string { return a.when(t) }

// Owner names this process in store leases: host, pid and a random part.
func Owner() string { return owner() }

// Fail is an error written for a person: what failed (one sentence, no
// trailing period), what to do (may be ""), and the cause shown after it
// (matched by errors.Is/As; may be nil).
func Fail(what, hint string, cause error) error {
	return &userError{what: what, hint: hint, err: cause}
}

// UsageError is a mistake in the command line, shown without a cause.
func UsageError(format string, args ...any) error { return usageError(format, args...) }

// NoArgs accepts no arguments and never repeats one that could be a secret.
func NoArgs(cmd *cobra.Command, args []string) error { return noArgs(cmd, args) }

// OneName accepts exactly one argument (a NAME) and, like NoArgs, never
// repeats a long one.
func OneName(cmd *cobra.Command, args []string) error {
	switch {
	case len(args) == 1:
		return nil
	case len(args) == 0:
		return fmt.Errorf("%q needs a NAME; see `%s --help`", cmd.CommandPath(), cmd.CommandPath())
	}
	return fmt.Errorf("unexpected argument %s for %q: it takes one NAME; see `%s --help`", describeArg(args[1]), cmd.CommandPath(), cmd.CommandPath())
}

// Group is a command that only holds subcommands: without arguments it
// shows its help, with an unknown one it fails.
func Group(use, short string) *cobra.Command { return group(use, short) }

// IsNoDefaultStore reports whether err is OpenStore's answer when neither
// --store nor PSN_STORE names a store and the default SQLite file does not
// exist yet: nothing was ever stored. (A named store that does not exist
// is a different error: a typo must not look like an empty store.)
func IsNoDefaultStore(err error) bool { return errors.Is(err, errNoDefaultStore) }
