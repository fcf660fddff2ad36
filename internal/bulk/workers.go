package bulk

import (
	"math"
	"time"
)

// Bounds of the number of rows in flight (--concurrency). The cap leaves
// room for an account at 1,000 requests a second whose answers slow under
// load: 64 kept an import there at 930 a second (answers of ~69 ms), 96 at
// the full rate (bench/import.sh).
const (
	DefaultConcurrency = 8
	MaxConcurrency     = 128
)

// Workers is how many rows to keep in flight so that the pace is set by the
// rate the account allows, not by the round trip: a worker sends about one
// request per round trip, so rate x round trip of them keep the limiter
// busy; half as many again and two more absorb slower answers (the shared
// Limiter still paces every request, so more workers never send faster).
// With no rate known (0) or no round trip measured, it is
// DefaultConcurrency; it is never above MaxConcurrency.
func Workers(rate float64, roundTrip time.Duration) int {
	if rate <= 0 || roundTrip <= 0 {
		return DefaultConcurrency
	}
	n := int(math.Ceil(rate*roundTrip.Seconds()*1.5)) + 2
	return min(max(n, 2), MaxConcurrency)
}

// AccountRate is the rate an import may send at: the account's
// X-RateLimit-Limit hint (0 when none was seen), lowered by --rate.
func AccountRate(hint, clientRate float64) float64 {
	switch {
	case clientRate > 0 && (hint <= 0 || clientRate < hint):
		return clientRate
	}
	return hint
}
