package cli

import (
	"bytes"
	"os"
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

// TestVaultSkewReadsTheProgram: the build information is read from the
// psn-vault file itself (here this test binary, built from this module,
// so no warning), and a file that is no Go program gives none either.
func TestVaultSkewReadsTheProgram(t *testing.T) {
	for _, bin := range []string{os.Args[0], "/bin/sh"} {
		var stderr bytes.Buffer
		a := newApp("psn", strings.NewReader(""), &stderr, &stderr, func(string) string { return "" })
		a.warnVaultSkew(bin)
		if stderr.Len() != 0 {
			t.Errorf("%s: %q", bin, stderr.String())
		}
	}
}
