package cli

import (
	"strings"

	"github.com/spf13/cobra"
)

// examples are the Example sections of the commands' help, by command path
// without the leading "psn " ("" is psn itself). Every command has one
// (TestEveryCommandHasExamples).
var examples = map[string]string{
	"": `# try everything offline: a simulator, a login, data
psn sim serve --addr 127.0.0.1:8787 > sim.json & sleep 1
export PSN_ENDPOINT=http://127.0.0.1:8787 PSN_CONFIG_DIR=$(mktemp -d)
grep -o '"npsso":"[^"]*"' sim.json | head -1 | cut -d'"' -f4 | psn login
psn titles --limit 5
psn demo                    # the whole token lifecycle, in seconds`,
	"help": `psn help titles
psn help token status`,
	"completion": `source <(psn completion bash)
psn completion zsh > "${fpath[1]}/_psn"`,
	"completion bash": `source <(psn completion bash)                       # this shell
psn completion bash > /etc/bash_completion.d/psn     # every shell`,
	"completion zsh":        `psn completion zsh > "${fpath[1]}/_psn"`,
	"completion fish":       `psn completion fish > ~/.config/fish/completions/psn.fish`,
	"completion powershell": `psn completion powershell | Out-String | Invoke-Expression`,
	"version": `psn version
psn --version
psn version -o json`,
	"login": `psn login                                # prompts for the NPSSO without echo
psn login --account alt --keep-npsso
echo "$NPSSO" | psn login                 # from stdin
PSN_NPSSO=… psn login`,
	"logout": `psn logout
psn logout --account alt`,
	"token": `psn token status
psn token print`,
	"token status": `psn token status
psn token status --account alt -o json`,
	"token refresh": `psn token refresh`,
	"token print":   `curl -H "Authorization: Bearer $(psn token print)" https://m.np.playstation.com/api/trophy/v1/users/me/trophySummary`,
	"accounts": `psn accounts
psn accounts -o json --jq '.[] | select(.state != "ok") | .account'`,
	"keys": `psn keys status
psn keys rotate && psn keys reseal`,
	"keys status": `psn keys status
psn keys status -o json`,
	"keys rotate": `psn keys rotate && psn keys reseal`,
	"keys reseal": `psn keys reseal`,
	"keys retire": `psn keys status                # find a key no account uses
psn keys retire 1a2b3c4d`,
	"sim": `psn sim serve --addr 127.0.0.1:8787`,
	"sim serve": `psn sim serve --addr 127.0.0.1:8787
psn sim serve --addr 127.0.0.1:0 --seed 7 --users 10 --faults 5xx=0.1,latency=50ms`,
	"demo": `psn demo
psn demo --callers 50 --keep`,
	"vault": `psn vault serve --addr 127.0.0.1:8788      # runs: psn-vault serve --addr 127.0.0.1:8788
psn --store postgres://psn@db:5432/psn vault apikey list`,
	"me": `psn me
psn me -o json`,
	"summary": `psn summary
psn summary VividBard
psn summary 3582382629377112240 -o csv`,
	"titles": `psn titles --limit 10
psn titles VividBard --all -o csv > titles.csv
psn titles --all -o json --jq '.[] | select(.progress == 100) | .trophyTitleName'`,
	"trophies": `psn trophies NPWR85170_00
psn trophies NPWR85170_00 --group default --account-id VividBard
psn trophies NPWR85170_00 --all --jq '.trophies[] | select(.earned | not) | .trophyName'`,
	"groups": `psn groups NPWR85170_00
psn groups NPWR85170_00 --account-id VividBard -o json`,
	"profile": `psn profile
psn profile VividBard
psn profile 3582382629377112240 -o json`,
	"friends": `psn friends
psn friends --all -o csv`,
	"presence": `psn presence
psn presence VividBard Vivid-Panda`,
	"region": `psn region VividBard`,
	"devices": `psn devices
psn devices -o json`,
	"search": `psn search Vivid
psn search "Golden Requiem" --domain games`,
	"played": `psn played --limit 10
psn played VividBard --all --categories ps5_native_game -o csv`,
	"export": `psn export --out trophies.json
psn export VividBard --out vivid.json     # Ctrl-C, then the same command resumes
psn export --out trophies.json --restart`,
}

// applyExamples sets each command's Example from examples, indented as
// cobra's help shows it.
func applyExamples(c *cobra.Command, program string, own map[string]string) {
	key := strings.TrimPrefix(strings.TrimPrefix(c.CommandPath(), program), " ")
	ex, ok := own[key]
	if !ok && (key == "version" || key == "completion" || strings.HasPrefix(key, "completion ")) {
		// The commands every program has: psn's examples, renamed.
		ex, ok = examples[key]
		ex = strings.ReplaceAll(ex, "psn", program)
	}
	if ok {
		c.Example = "  " + strings.ReplaceAll(ex, "\n", "\n  ")
	}
	for _, sub := range c.Commands() {
		applyExamples(sub, program, own)
	}
}
