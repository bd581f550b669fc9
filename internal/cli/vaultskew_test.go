//go:build unix

package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestVersionSkew(t *testing.T) {
	v := func(version, commit string) buildInfo {
		return buildInfo{Version: version, Commit: commit, GoVersion: "go1.26.0"}
	}
	for _, tc := range []struct {
		mine, theirs buildInfo
		skew         bool
	}{
		{v("v1.2.0", "aaa"), v("v1.2.0", "aaa"), false},
		{v("v1.2.0", ""), v("v1.2.0", ""), false},
		{v("v1.2.0", ""), v("v1.1.0", ""), true},
		{v("(devel)", "aaa"), v("(devel)", "bbb"), true},
		{v("(devel)", ""), v("v1.1.0", ""), false}, // a development build cannot be compared
		{v("(devel)", "aaa"), v("(devel)", ""), false},
		{v("v1.2.0-0.2026-aaa", "aaa"), v("v1.2.0-0.2026-bbb", "bbb"), true},
	} {
		got := versionSkew(tc.mine, tc.theirs)
		if (got != "") != tc.skew {
			t.Errorf("versionSkew(%+v, %+v) = %q, want skew %v", tc.mine, tc.theirs, got, tc.skew)
		}
		if tc.skew && got != tc.theirs.versionLine() {
			t.Errorf("skew described as %q, want %q", got, tc.theirs.versionLine())
		}
	}
}

// TestVaultSkewAsksTheProgram: psn asks the psn-vault it found for its
// version (`version -o json`) and warns when it names another commit; a
// program that answers nothing readable gives no warning.
func TestVaultSkewAsksTheProgram(t *testing.T) {
	dir := t.TempDir()
	write := func(name, script string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"+script), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	stale := write("stale", `[ "$*" = "version -o json" ] && echo '{"version":"v0.9.0","commit":"0000000000000000","goVersion":"go1.25.0"}'`+"\n")
	mute := write("mute", "echo not json\n")
	for _, tc := range []struct {
		bin  string
		warn bool
	}{{stale, true}, {mute, false}, {"/nonexistent/psn-vault", false}} {
		var stderr bytes.Buffer
		a := newApp("psn", strings.NewReader(""), &stderr, &stderr, func(string) string { return "" })
		a.vaultSkew(tc.bin, buildInfo{Version: "v1.0.0", Commit: "aaaaaaaaaaaaaaaa", GoVersion: "go1.26.0"})
		if got := strings.Contains(stderr.String(), "psn: warning: "+tc.bin+" is v0.9.0 (commit 000000000000) go1.25.0"); got != tc.warn || (!tc.warn && stderr.Len() != 0) {
			t.Errorf("%s: warning %q, want one: %v", tc.bin, stderr.String(), tc.warn)
		}
	}
}
