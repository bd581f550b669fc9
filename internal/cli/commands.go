package cli

import "github.com/spf13/cobra"

// psnCommands are psn's own commands. The vault service is the psn-vault
// program; `psn vault …` runs it (vaultforward.go).
func (a *App) psnCommands() []*cobra.Command {
	login, keys := a.loginCommand(), a.keysCommand()
	CreatesStore(login)
	CreatesStore(keys)
	cmds := []*cobra.Command{
		login, a.logoutCommand(), a.tokenCommand(), a.accountsCommand(), keys,
		a.simCommand(), a.demoCommand(), a.vaultForwardCommand(),
	}
	return append(cmds, a.dataCommands()...)
}
