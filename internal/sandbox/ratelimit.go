package sandbox

import (
	"crypto/sha256"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxBuckets bounds the limiter's memory against clients sending endless
// made-up keys; beyond it, idle buckets are dropped.
const maxBuckets = 10000

// rateLimiter is a token bucket per API key: limit requests per second, with
// a burst of limit. Buckets are keyed by the key's hash, not the key.
type rateLimiter struct {
	limit   int
	now     func() time.Time // time.Now; tests stop the clock
	mu      sync.Mutex
	buckets map[[sha256.Size]byte]*rate.Limiter
}

func newRateLimiter(limit int) *rateLimiter {
	return &rateLimiter{limit: limit, now: time.Now, buckets: map[[sha256.Size]byte]*rate.Limiter{}}
}

// take spends one token of key's bucket. It reports whether the request may
// go on, the whole tokens left, and when refused how long until a token is back.
func (l *rateLimiter) take(key string, now time.Time) (allowed bool, remaining int, retryAfter time.Duration) {
	h := sha256.Sum256([]byte(key))
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[h]
	if b == nil {
		if len(l.buckets) >= maxBuckets {
			l.sweep(now)
		}
		b = rate.NewLimiter(rate.Limit(l.limit), l.limit)
		l.buckets[h] = b
	}
	allowed = b.AllowN(now, 1)
	tokens := b.TokensAt(now)
	remaining = max(0, int(math.Floor(tokens)))
	if !allowed {
		retryAfter = time.Duration((1 - tokens) / float64(l.limit) * float64(time.Second))
	}
	return allowed, remaining, retryAfter
}

// sweep drops buckets that are full again: a full bucket is the same as a
// new one, so nothing is forgotten.
func (l *rateLimiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.limit) {
			delete(l.buckets, k)
		}
	}
}

// withRateLimit refuses requests beyond the per-key budget with 429 and
// Retry-After, and puts the budget hints on every API response.
func (s *Server) withRateLimit(next http.Handler) http.Handler {
	if s.limiter == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		allowed, remaining, retryAfter := s.limiter.take(r.Header.Get(apikeyHeader), s.limiter.now())
		h := w.Header()
		h.Set("X-RateLimit-Limit", strconv.Itoa(s.limiter.limit))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
		if !allowed {
			// Whole seconds, rounded up and at least 1: a client that waits
			// exactly that long finds a token.
			h.Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(retryAfter.Seconds())))))
			writeError(w, errorf(http.StatusTooManyRequests, "rate limit exceeded: %d requests per second", s.limiter.limit))
			return
		}
		next.ServeHTTP(w, r)
	})
}
