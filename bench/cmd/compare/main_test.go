package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestMedianTakesMiddleCPUAndMiddlePeak(t *testing.T) {
	runs := []usage{
		{user: 300 * time.Millisecond, peakKiB: 900, out: "a"},
		{user: 100 * time.Millisecond, peakKiB: 100, out: "b"},
		{user: 200 * time.Millisecond, peakKiB: 500, out: "c"},
	}
	m := median(runs)
	if m.cpu() != 200*time.Millisecond || m.out != "c" {
		t.Errorf("median cpu = %v (%s), want 200ms (c)", m.cpu(), m.out)
	}
	if m.peakKiB != 500 {
		t.Errorf("median peak = %d KiB, want 500", m.peakKiB)
	}
	if runs[0].out != "a" {
		t.Error("median reordered its input")
	}
}

func TestReportEndsWithTheSummaryLine(t *testing.T) {
	clients := []client{{name: "floor"}, {name: "psnkit"}, {name: "psn-api"}}
	med := []usage{
		{user: time.Second, peakKiB: 10 * 1024},
		{user: 1100 * time.Millisecond, peakKiB: 12 * 1024},
		{user: 2200 * time.Millisecond, peakKiB: 100 * 1024},
	}
	var b bytes.Buffer
	report(&b, config{calls: 1000, rounds: 3}, clients, med)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if got, want := lines[len(lines)-1], "cpu_vs_floor=1.10 cpu_vs_psnapi=0.50 peak_mib=12.0"; got != want {
		t.Errorf("last line = %q, want %q", got, want)
	}
}

func TestCleanEnvDropsPSNVariables(t *testing.T) {
	got := cleanEnv([]string{"PATH=/bin", "PSN_NPSSO=secret", "PSN_ENDPOINT=x", "HOME=/root"})
	if strings.Join(got, ",") != "PATH=/bin,HOME=/root" {
		t.Errorf("cleanEnv = %v", got)
	}
}

func TestRatioOfZeroIsZero(t *testing.T) {
	if r := ratio(time.Second, 0); r != 0 {
		t.Errorf("ratio(1s, 0) = %v, want 0", r)
	}
}
