package cmdutil

import (
	"runtime/debug"
	"testing"
)

// TestHoldingRoster: a large roster lowers the collector's target, a small
// one or a GOGC of the user's leaves it alone.
func TestHoldingRoster(t *testing.T) {
	orig := debug.SetGCPercent(100)
	defer debug.SetGCPercent(orig)
	env := func(gogc string) func(string) string {
		return func(k string) string {
			if k == "GOGC" {
				return gogc
			}
			return ""
		}
	}
	for _, c := range []struct {
		gogc string
		size int
		want int
	}{
		{"", rosterGCFrom, rosterGCPercent},
		{"", rosterGCFrom - 1, 100},
		{"200", 10 * rosterGCFrom, 100},
	} {
		debug.SetGCPercent(100)
		HoldingRoster(env(c.gogc), c.size)
		if got := debug.SetGCPercent(100); got != c.want {
			t.Errorf("GOGC=%q size %d: GC percent %d, want %d", c.gogc, c.size, got, c.want)
		}
	}
}
