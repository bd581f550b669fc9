//go:build unix

package cli

import (
	"fmt"
	"os"
	"syscall"

	"github.com/spf13/cobra"
)

// runVaultProgram replaces this process with psn-vault: the same pid, so a
// service manager's signals (and kill -9) reach the vault itself, and its
// exit code is the command's. Run (not Main) has streams of its own that an
// exec would bypass, and a caller that must not be replaced: there
// psn-vault is a child.
func (a *App) runVaultProgram(cmd *cobra.Command, bin string, args []string) error {
	if !a.process {
		return a.runVaultChild(cmd, bin, args)
	}
	argv := append([]string{VaultProgram}, args...)
	if err := syscall.Exec(bin, argv, os.Environ()); err != nil {
		return &userError{what: fmt.Sprintf("cannot run %s", bin), err: err}
	}
	return nil // not reached
}
