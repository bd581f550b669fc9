//go:build !unix

package cli

import "github.com/spf13/cobra"

// runVaultProgram runs psn-vault as a child (there is no exec here) with
// this process's streams and makes its exit code psn's.
func (a *App) runVaultProgram(cmd *cobra.Command, bin string, args []string) error {
	return a.runVaultChild(cmd, bin, args)
}
