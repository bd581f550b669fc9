// Command psn is psnkit's command line: log in to the PlayStation Network
// once, keep the tokens fresh and encrypted, read PSN data, and run the
// offline simulator. The vault service is the psn-vault program
// (cmd/psn-vault); `psn vault …` runs it.
//
// Exit codes: 0 ok, 1 error, 3 login required (a human must run
// `psn login` again), 130 interrupted.
package main

import "github.com/psnkit/psn/internal/cli"

func main() {
	cli.Main(cli.PSN())
}
