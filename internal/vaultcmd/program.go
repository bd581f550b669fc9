// Package vaultcmd holds the commands of psn-vault, the token vault
// service's program: serve, apikey and webhook. They run on the app of
// internal/cli (the same global flags, store, keys, output and errors as
// psn), in a package of their own so that psn does not link the service.
package vaultcmd

import (
	"github.com/psnkit/psn/internal/cli"
	"github.com/spf13/cobra"
)

// vc is the app as the vault commands use it.
type vc struct{ *cli.App }

// Program is psn-vault.
func Program() cli.Program {
	return cli.Program{
		Name:  cli.VaultProgram,
		Short: "The psnkit token vault: many PSN accounts kept fresh behind an HTTP API",
		Long: `psn-vault serves the token vault: a scheduler keeps every account of the
token store (--store: SQLite, PostgreSQL or Redis) refreshed ahead of expiry,
and an HTTP API hands out access tokens. Several psn-vault serve may share
one PostgreSQL or Redis store. apikey manages the API keys, webhook checks a
webhook receiver. Accounts are added with the API or with "psn login".

Exit codes: 0 ok, 1 error, 130 interrupted. See docs/vault.md.`,
		Commands: func(app *cli.App) []*cobra.Command {
			a := &vc{app}
			// serve and apikey create may create and migrate the store;
			// the others read it, or fail on a store that does not exist.
			serve := a.serveCommand()
			cli.CreatesStore(serve)
			return []*cobra.Command{serve, a.apikeyCommand(), a.webhookCommand()}
		},
		Examples: examples,
		// No --account: serve keeps every account fresh, apikey and
		// webhook concern none.
		JQExample: ".[].name",
		// serve's log at debug level; its PSN clients log no requests.
		Verbose: "serve logs at debug level too (webhook delivery details)",
	}
}

// examples are the Example sections of psn-vault's commands, by command
// path without "psn-vault" ("" is psn-vault itself).
var examples = map[string]string{
	"": `psn-vault apikey create ops --admin > ops.key
psn-vault serve --addr 127.0.0.1:8788
psn-vault --store postgres://psn@db:5432/psn serve --addr 0.0.0.0:8788 --tls-cert vault.crt --tls-key vault.key`,
	"help": `psn-vault help serve`,
	"serve": `psn-vault serve --addr 127.0.0.1:8788 --store postgres://psn@db:5432/psn
psn-vault serve --interval 30s --concurrency 16 --audit-log vault-audit.log`,
	"apikey": `psn-vault apikey create ops --admin
psn-vault apikey create bot --accounts alice,bob
psn-vault apikey list`,
	"apikey create": `psn-vault apikey create ops --admin > ops.key
psn-vault apikey create bot --accounts alice,bob > bot.key
psn-vault apikey create dashboard --accounts '*' --audit-log vault-audit.log`,
	"apikey scope":  `psn-vault apikey scope bot --accounts alice,bob,carol`,
	"apikey list":   `psn-vault apikey list -o json`,
	"apikey revoke": `psn-vault apikey revoke bot`,
	"webhook": `PSN_WEBHOOK_SECRET=$(cat hook.secret) psn-vault webhook test --url https://hooks.example.com/psn
PSN_WEBHOOK_SECRET=$(cat hook.secret) psn-vault serve --webhook https://hooks.example.com/psn`,
	"webhook test": `PSN_WEBHOOK_SECRET=$(cat hook.secret) psn-vault webhook test --url https://hooks.example.com/psn
PSN_WEBHOOK_SECRET=$(cat hook.secret) psn-vault webhook test --url http://127.0.0.1:9000/hook --event refresh_expiring`,
}
