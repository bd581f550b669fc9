package cli

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestMemReportNamesTheProgram: psn-vault's PSN_MEMREPORT line starts
// "psn-vault memreport:", like every other line it writes, not "psn".
func TestMemReportNamesTheProgram(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc on this system")
	}
	var buf bytes.Buffer
	memReportAs(&buf, func(k string) string {
		if k == memReportEnv {
			return "1"
		}
		return ""
	}, VaultProgram)
	if !strings.HasPrefix(buf.String(), "psn-vault memreport: VmHWM: ") {
		t.Errorf("report %q", buf.String())
	}
}
