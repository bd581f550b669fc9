// Command psn-vault is psnkit's token vault service: a scheduler keeps many
// PlayStation Network accounts' tokens fresh in a shared store (SQLite,
// PostgreSQL, Redis) and an HTTP API hands out access tokens.
//
//	psn-vault apikey create ops --admin > ops.key
//	psn-vault serve --addr 127.0.0.1:8788
//
// It is its own program so that the psn command line does not link the
// service; `psn vault …` runs psn-vault. See docs/vault.md.
//
// Exit codes: 0 ok, 1 error, 130 interrupted.
package main

import (
	"github.com/psnkit/psn/internal/cli"
	"github.com/psnkit/psn/internal/vaultcmd"
)

func main() {
	cli.Main(vaultcmd.Program())
}
