//go:build !unix

package cli

import (
	"errors"
	"fmt"
	"os/exec"

	"github.com/spf13/cobra"
)

// runVaultProgram runs psn-vault as a child with this process's streams
// and makes its exit code psn's.
func (a *App) runVaultProgram(cmd *cobra.Command, bin string, args []string) error {
	c := exec.CommandContext(cmd.Context(), bin, args...)
	c.Stdin, c.Stdout, c.Stderr = a.stdin, a.stdout, a.stderr
	err := c.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return &childExit{code: ee.ExitCode()}
	}
	if err != nil {
		return &userError{what: fmt.Sprintf("cannot run %s", bin), err: err}
	}
	return nil
}
