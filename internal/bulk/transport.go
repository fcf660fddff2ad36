package bulk

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/ladmin/ladmin/internal/liveagent"
)

// Observer is an http.RoundTripper that watches what an import sends and
// receives: the account's X-RateLimit-Limit hint and round-trip times (for
// the dry-run estimate), and how many write requests went out (so tests can
// prove that an invalid file sends none).
type Observer struct {
	base      http.RoundTripper
	hint      atomic.Int64
	writes    atomic.Int64
	throttled atomic.Int64
	reads     atomic.Int64
	readNanos atomic.Int64
}

// NewObserver wraps base; nil means the client's own transport, sized for
// maxConns concurrent requests.
func NewObserver(base http.RoundTripper, maxConns int) *Observer {
	if base == nil {
		base = liveagent.NewTransport(maxConns)
	}
	return &Observer{base: base}
}

// RoundTrip sends the request and takes note of it.
func (o *Observer) RoundTrip(req *http.Request) (*http.Response, error) {
	read := req.Method == http.MethodGet || req.Method == http.MethodHead
	if !read {
		o.writes.Add(1)
	}
	start := time.Now()
	resp, err := o.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		o.throttled.Add(1)
	}
	if read {
		o.reads.Add(1)
		o.readNanos.Add(int64(time.Since(start)))
	}
	if v := resp.Header.Get("X-RateLimit-Limit"); v != "" {
		if n, perr := strconv.Atoi(v); perr == nil && n > 0 {
			o.hint.Store(int64(n))
		}
	}
	return resp, nil
}

// RateLimitHint is the last X-RateLimit-Limit seen, 0 when none.
func (o *Observer) RateLimitHint() int { return int(o.hint.Load()) }

// Writes is how many non-GET requests were sent.
func (o *Observer) Writes() int { return int(o.writes.Load()) }

// Throttled is how many answers were 429 Too Many Requests.
func (o *Observer) Throttled() int { return int(o.throttled.Load()) }

// MeanRoundTrip is the mean time of the GET requests so far, 0 when none.
func (o *Observer) MeanRoundTrip() time.Duration {
	n := o.reads.Load()
	if n == 0 {
		return 0
	}
	return time.Duration(o.readNanos.Load() / n)
}
