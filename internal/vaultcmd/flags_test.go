package vaultcmd

import (
	"strings"
	"testing"
)

// TestPsnVaultGlobalFlagsFitIt: psn-vault has no --account (serve keeps
// every account fresh; apikey and webhook concern none), so one given is
// an error rather than silently ignored; --jq's help shows an expression
// for psn-vault's own JSON, not psn's trophy titles; and the example works
// on apikey list.
func TestPsnVaultGlobalFlagsFitIt(t *testing.T) {
	c := newVaultCLI(t)
	code, out, errOut := c.run("--help")
	if code != 0 {
		t.Fatalf("--help = %d, %s", code, errOut)
	}
	if strings.Contains(out, "--account") || strings.Contains(out, "trophyTitleName") {
		t.Errorf("psn-vault --help shows psn's --account or --jq example:\n%s", out)
	}
	// psn-vault's PSN clients have no request log: -v must not promise one.
	if strings.Contains(out, "log every PSN request") {
		t.Errorf("psn-vault --help promises psn's -v request log:\n%s", out)
	}
	if code, _, errOut := c.run("--account", "alice", "apikey", "list"); code != 1 || !strings.Contains(errOut, "unknown flag: --account") {
		t.Errorf("--account alice apikey list = %d, %q; want an unknown flag", code, errOut)
	}
	if code, _, errOut := c.run("apikey", "create", "ops", "--admin"); code != 0 {
		t.Fatalf("apikey create = %d, %s", code, errOut)
	}
	if code, out, errOut := c.run("apikey", "list", "--jq", ".[].name"); code != 0 || strings.TrimSpace(out) != "ops" {
		t.Errorf("apikey list --jq .[].name = %d, %q, %q; want ops", code, out, errOut)
	}
}
