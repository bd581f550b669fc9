package cli

import (
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// shadowForwardedFlags gives each command that hands its arguments to
// another program (DisableFlagParsing, as `psn vault`) a hidden local copy
// of every flag it would inherit, and of --help. Such a command parses no
// flag: they all go to the other program. Without the copies, cobra would
// complete psn's global flags in front of psn-vault's own answer (each
// flag twice on `psn vault serve --<TAB>`) and list them in `psn help
// vault` as if psn read them there.
func shadowForwardedFlags(root *cobra.Command) {
	for _, c := range root.Commands() {
		if !c.DisableFlagParsing {
			continue
		}
		local := c.Flags()
		shadow := func(f *pflag.Flag) {
			if local.Lookup(f.Name) == nil {
				local.AddFlag(&pflag.Flag{Name: f.Name, Shorthand: f.Shorthand, Usage: f.Usage,
					Value: f.Value, DefValue: f.DefValue, NoOptDefVal: f.NoOptDefVal, Hidden: true})
			}
		}
		// Not c.InheritedFlags(): cobra caches its answer, copies and all.
		root.PersistentFlags().VisitAll(shadow)
		if local.Lookup("help") == nil {
			local.BoolP("help", "h", false, "help for "+c.Name())
			_ = local.MarkHidden("help")
		}
	}
}
