package cli

import (
	"github.com/spf13/cobra"
)

// forwardHelp lets the help command take a command path, as its examples
// show (`psn help token status`), and makes `psn help vault serve` show
// psn-vault's help of serve: a command that hands its arguments to another
// program (DisableFlagParsing, as `psn vault`) is given "help" and the rest
// of the path. `psn help vault` alone still shows psn's own page on it,
// and an unknown command is an error, as `gh help nope` is.
func forwardHelp(root *cobra.Command) {
	for _, help := range root.Commands() {
		if help.Name() != "help" || help.Run == nil {
			continue
		}
		show := help.Run
		help.Run = nil
		help.RunE = func(cmd *cobra.Command, args []string) error {
			target, rest, err := cmd.Root().Find(args)
			if err == nil && target != nil && target.DisableFlagParsing && target.RunE != nil && len(rest) > 0 {
				target.SetContext(cmd.Context())
				return target.RunE(target, append([]string{"help"}, rest...))
			}
			if err == nil && target != nil && len(rest) > 0 && target.HasAvailableSubCommands() {
				// `psn help nope`: an unknown command, said as `psn nope`
				// says it (with suggestions), not psn's page and exit 0.
				return noArgs(target, rest)
			}
			show(cmd, args)
			return nil
		}
	}
}
