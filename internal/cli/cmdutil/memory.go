package cmdutil

import "runtime/debug"

// rosterGCPercent is the garbage collector's target for commands that read
// a whole roster or plan (import, offboard --file, apply, review apply).
// They hold the parsed rows and the plan until they end and make little
// garbage besides, so Go's default target (the heap may grow to twice the
// live data before a collection) only doubles their peak memory: a dry run
// of 200,000 rows holds about 100 MB and peaked near 190 MB. At 25 the heap
// stays within 1.25 times the live data, for some 0.25 s more CPU on that
// roster (bench/memory.sh).
const rosterGCPercent = 25

// rosterGCFrom is the size of input from which the target is lowered: below
// it the whole run fits in a few MB either way.
const rosterGCFrom = 1 << 20

// HoldingRoster tunes the collector for a command that is about to parse
// size bytes of roster or plan and hold them, unless the user chose a
// target with GOGC.
func HoldingRoster(getenv func(string) string, size int) {
	if size >= rosterGCFrom && getenv("GOGC") == "" {
		debug.SetGCPercent(rosterGCPercent)
	}
}
