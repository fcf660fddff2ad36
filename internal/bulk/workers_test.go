package bulk

import (
	"testing"
	"time"
)

func TestWorkersFollowRateTimesRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		rate float64
		rtt  time.Duration
		want int
	}{
		{0, 50 * time.Millisecond, DefaultConcurrency}, // no rate known
		{100, 0, DefaultConcurrency},                   // no round trip measured
		{100, 50 * time.Millisecond, 10},               // 5 in flight, with headroom
		{3, 50 * time.Millisecond, 3},                  // LiveAgent's 180/min: few
		{1000, 50 * time.Millisecond, 77},              // 50 in flight, with headroom
		{2000, 50 * time.Millisecond, MaxConcurrency},  // 100 in flight: capped
		{1000, 10 * time.Millisecond, 17},
	} {
		if got := Workers(tc.rate, tc.rtt); got != tc.want {
			t.Errorf("Workers(%v, %v) = %d, want %d", tc.rate, tc.rtt, got, tc.want)
		}
	}
	for _, tc := range []struct{ hint, client, want float64 }{
		{0, 0, 0}, {100, 0, 100}, {0, 20, 20}, {100, 20, 20}, {100, 500, 100},
	} {
		if got := AccountRate(tc.hint, tc.client); got != tc.want {
			t.Errorf("AccountRate(%v, %v) = %v, want %v", tc.hint, tc.client, got, tc.want)
		}
	}
}
