package bulk

import (
	"fmt"
	"math"
	"time"
)

// DefaultRateLimit is LiveAgent's published limit: 180 requests per minute
// per API key. A plan estimate uses it when the account sent no
// X-RateLimit-Limit hint.
const DefaultRateLimit = 180.0 / 60

// Where the pace of an estimate comes from.
const (
	RateFromAccount = "the account's rate limit" // its X-RateLimit-Limit
	RateDefault     = "LiveAgent's default"      // the account sent none
	RateFlag        = "--rate"
)

// Estimate is how long applying a plan should take.
type Estimate struct {
	Requests int
	// Rate is the pace in requests per second, and RateSource says where it comes from.
	Rate       float64
	RateSource string
	// Duration is the larger of what the rate and what the round trips of
	// Concurrency workers allow.
	Duration time.Duration
}

// EstimateOptions are what the estimate knows about the account and the client.
type EstimateOptions struct {
	// Hint is the X-RateLimit-Limit the account sent (requests per second,
	// as the client's Limiter reads it); 0 when none was seen.
	Hint float64
	// ClientRate is --rate; 0 when not given.
	ClientRate float64
	// Concurrency is --concurrency.
	Concurrency int
	// RoundTrip is the typical time of one request, from the account read; 0 when unknown.
	RoundTrip time.Duration
}

// EstimatePlan estimates the time the plan's write requests take.
func EstimatePlan(p *Plan, o EstimateOptions) Estimate {
	e := Estimate{Requests: p.Requests()}
	switch {
	case o.Hint > 0:
		e.Rate = o.Hint
		e.RateSource = RateFromAccount
	default:
		e.Rate = DefaultRateLimit
		e.RateSource = RateDefault
	}
	if o.ClientRate > 0 && o.ClientRate < e.Rate {
		e.Rate = o.ClientRate
		e.RateSource = RateFlag
	}
	byRate := time.Duration(float64(e.Requests) / e.Rate * float64(time.Second))
	conc := max(o.Concurrency, 1)
	byLatency := time.Duration(math.Ceil(float64(e.Requests)/float64(conc))) * o.RoundTrip
	e.Duration = max(byRate, byLatency)
	return e
}

func (e Estimate) String() string {
	if e.Requests == 0 {
		return "nothing to send"
	}
	what := "1 write request"
	if e.Requests != 1 {
		what = fmt.Sprintf("%d write requests", e.Requests)
	}
	perMinute := trimFloat(e.Rate * 60)
	var at string
	switch e.RateSource {
	case RateDefault:
		at = "LiveAgent's default of " + perMinute + " requests a minute (the account sent no rate limit)"
	case RateFromAccount:
		at = "the account's rate limit of " + perMinute + " requests a minute (its X-RateLimit-Limit)"
	default:
		at = e.RateSource + " " + trimFloat(e.Rate) + " (" + perMinute + " requests a minute)"
	}
	return fmt.Sprintf("would send %s: about %s at %s", what, roundDuration(e.Duration), at)
}

func trimFloat(f float64) string {
	if f == math.Trunc(f) {
		return fmt.Sprintf("%.0f", f)
	}
	return fmt.Sprintf("%.2f", f)
}

func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Minute:
		return d.Round(time.Second)
	case d >= time.Second:
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}
