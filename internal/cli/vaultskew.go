package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"runtime/debug"
	"time"
)

// warnVaultSkew warns on stderr when the psn-vault that psn vault is
// about to run was built from another psnkit than this psn (as its
// `version -o json` says): a stale psn-vault next to a newer psn would
// otherwise run silently. (Reading the file's build information with
// debug/buildinfo instead would link debug/elf, macho, pe and dwarf into
// psn: +0.4 MiB on every command, docs/benchmarks.md.)
func (a *App) warnVaultSkew(bin string) {
	a.vaultSkew(bin, readBuildInfo(debug.ReadBuildInfo))
}

// vaultSkew is warnVaultSkew for this psn's build information mine.
func (a *App) vaultSkew(bin string, mine buildInfo) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "version", "-o", "json").Output()
	var theirs buildInfo
	if err != nil || json.Unmarshal(out, &theirs) != nil || theirs.Version == "" {
		return // no answer we can read: nothing to compare
	}
	if msg := versionSkew(mine, theirs); msg != "" {
		fmt.Fprintf(a.stderr, "%s: warning: %s is %s; this %s is %s. Install both from the same version.\n",
			a.name, bin, msg, a.name, mine.versionLine())
	}
}

// versionSkew describes theirs when it is known to differ from mine (a
// different module version, or a different commit), else "".
// Development builds without a commit cannot be compared and are not.
func versionSkew(mine, theirs buildInfo) string {
	switch {
	case mine.Commit != "" && theirs.Commit != "" && mine.Commit != theirs.Commit:
	case mine.Version != theirs.Version && mine.Version != "(devel)" && theirs.Version != "(devel)":
	default:
		return ""
	}
	return theirs.versionLine()
}
