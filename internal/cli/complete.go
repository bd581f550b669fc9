package cli

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// flagValues are the fixed values of flags, for shell completion, by flag
// name (the same name means the same values in every command).
var flagValues = map[string][]string{
	"output":     {"table\tfor people", "json\tone documented shape per command", "csv\tfor spreadsheets; headers are the JSON keys"},
	"domain":     {"players\tonline ids (default)", "games", "addons"},
	"service":    {"trophy\tPS3, PS4, Vita", "trophy2\tPS5, PC"},
	"group":      {"all\tevery group (default)", "default\tthe base game", "001\tthe first DLC group"},
	"categories": {"ps4_game", "ps5_native_game", "pspc_game", "unknown"},
}

// registerCompletions completes flag values in every command: fixed
// values, account names from the store, JSON file names for --out.
func (a *App) registerCompletions(root *cobra.Command) {
	fixed := func(vals []string) cobra.CompletionFunc {
		return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if strings.Contains(toComplete, ",") { // a list: complete its last item
				head := toComplete[:strings.LastIndex(toComplete, ",")+1]
				var out []cobra.Completion
				for _, v := range vals {
					out = append(out, head+strings.SplitN(v, "\t", 2)[0])
				}
				return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
			}
			return vals, cobra.ShellCompDirectiveNoFileComp
		}
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for name, vals := range flagValues {
			if f := c.LocalNonPersistentFlags().Lookup(name); f != nil || (c == root && c.PersistentFlags().Lookup(name) != nil) {
				_ = c.RegisterFlagCompletionFunc(name, fixed(vals))
			}
		}
		if c.LocalNonPersistentFlags().Lookup("out") != nil {
			_ = c.RegisterFlagCompletionFunc("out", cobra.FixedCompletions([]cobra.Completion{"json"}, cobra.ShellCompDirectiveFilterFileExt))
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	_ = root.RegisterFlagCompletionFunc("account", a.completeAccounts)
	_ = root.RegisterFlagCompletionFunc("endpoint", cobra.NoFileCompletions)
}

// completeAccounts lists the account names in the store (--store or the
// default), opened for reading: completing never creates a store.
func (a *App) completeAccounts(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	st, err := a.openStore(ctx)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var names []cobra.Completion
	for rec, err := range st.List(ctx) {
		if err != nil {
			break
		}
		if strings.HasPrefix(rec.Account, toComplete) {
			desc := rec.OnlineID
			if desc != "" {
				names = append(names, rec.Account+"\t"+desc)
				continue
			}
			names = append(names, rec.Account)
		}
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}
