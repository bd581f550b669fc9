package cli

import (
	"debug/buildinfo"
	"fmt"
	"runtime/debug"
)

// warnVaultSkew warns on stderr when the psn-vault that psn vault is
// about to run was built from another psnkit than this psn (read from its
// build information, without running it): a stale psn-vault next to a
// newer psn would otherwise run silently.
func (a *App) warnVaultSkew(bin string) {
	bi, err := buildinfo.ReadFile(bin)
	if err != nil {
		return // not a Go program we can read: nothing to compare
	}
	theirs := readBuildInfo(func() (*debug.BuildInfo, bool) { return bi, true })
	if msg := versionSkew(readBuildInfo(debug.ReadBuildInfo), theirs); msg != "" {
		fmt.Fprintf(a.stderr, "%s: warning: %s is %s; this %s is %s. Install both from the same version.\n",
			a.name, bin, msg, a.name, readBuildInfo(debug.ReadBuildInfo).versionLine())
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
