package cli

import (
	"errors"
	"fmt"
	"os/exec"

	"github.com/spf13/cobra"
)

// runVaultChild runs psn-vault as a child with the app's streams and
// returns its exit code as a *childExit: what psn vault does where it
// cannot exec (Windows), or must not (Run, which is not the process). The child is deliberately not tied to the
// command's context: Ctrl-C reaches psn-vault itself (the console signals
// the whole process group) and psn-vault serve shuts down in its own way,
// releasing its leases; killing it when psn's context ends would cut that
// short and replace its exit code with a kill's.
func (a *App) runVaultChild(_ *cobra.Command, bin string, args []string) error {
	c := exec.Command(bin, args...)
	c.Stdin, c.Stdout, c.Stderr = a.stdin, a.stdout, a.stderr
	err := c.Run()
	if ee, ok := errors.AsType[*exec.ExitError](err); ok {
		return &childExit{code: ee.ExitCode()}
	}
	if err != nil {
		return &userError{what: fmt.Sprintf("cannot run %s", bin), err: err}
	}
	return nil
}
