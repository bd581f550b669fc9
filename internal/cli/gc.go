package cli

import "runtime/debug"

// cliGCPercent is the garbage collector's target psn runs with when GOGC
// is not set: half the default. A command's live heap is small (streaming
// keeps --all flat), so the default target lets the heap double before a
// collection for nothing; at 50 the peak resident set of
// `psn titles ID --all` is about 1.2 MiB lower for about 10 ms more CPU
// (docs/benchmarks.md, "psn CLI memory"). A lower value saves nothing
// more: the heap is then at the runtime's 4 MiB·GOGC/100 floor.
const cliGCPercent = 50

// tuneGC applies cliGCPercent unless the user set GOGC, which wins.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(cliGCPercent)
	}
}
