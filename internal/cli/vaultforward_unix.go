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
// exit code is the command's.
func (a *App) runVaultProgram(_ *cobra.Command, bin string, args []string) error {
	argv := append([]string{VaultProgram}, args...)
	if err := syscall.Exec(bin, argv, os.Environ()); err != nil {
		return &userError{what: fmt.Sprintf("cannot run %s", bin), err: err}
	}
	return nil // not reached
}
