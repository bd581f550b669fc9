package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
)

// memReportEnv names the environment variable that makes psn write its
// memory figures on stderr at exit (bench/climem reads them): the peak and
// current resident set of the process, split into anonymous memory (heap,
// stacks) and file-backed pages (the binary's code and data).
const memReportEnv = "PSN_MEMREPORT"

// memReport writes the VmHWM, VmRSS, RssAnon and RssFile lines of
// /proc/self/status to w when getenv(memReportEnv) is "1". It writes
// nothing where /proc is missing.
func memReport(w io.Writer, getenv func(string) string) {
	memReportAs(w, getenv, "psn")
}

// memReportAs is memReport for the program name (psn, psn-vault), which
// starts the line.
func memReportAs(w io.Writer, getenv func(string) string, name string) {
	if getenv(memReportEnv) != "1" {
		return
	}
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var parts []string
	for sc.Scan() {
		line := sc.Text()
		for _, k := range []string{"VmHWM:", "VmRSS:", "RssAnon:", "RssFile:"} {
			if strings.HasPrefix(line, k) {
				parts = append(parts, strings.Join(strings.Fields(line), " "))
			}
		}
	}
	fmt.Fprintf(w, "%s memreport: %s\n", name, strings.Join(parts, ", "))
}
