package cli

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestMemReportOnlyWhenAsked(t *testing.T) {
	var buf bytes.Buffer
	memReport(&buf, func(string) string { return "" })
	if buf.Len() != 0 {
		t.Fatalf("wrote %q without %s=1", buf.String(), memReportEnv)
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc on this system")
	}
	memReport(&buf, func(k string) string {
		if k == memReportEnv {
			return "1"
		}
		return ""
	})
	for _, want := range []string{"psn memreport: ", "VmHWM: ", "RssAnon: ", "RssFile: "} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("report %q lacks %q", buf.String(), want)
		}
	}
}
