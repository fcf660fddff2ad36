package liveagent

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter paces requests to what the server allows, shared by every worker of
// a command. It starts at the caller's rate (or unlimited), adopts the
// server's X-RateLimit-Limit hint (requests per second) when one is sent, and
// when a 429 arrives anyway (no hints, or hints that mean another window) it
// halves its rate and probes upwards again, like TCP congestion control.
type Limiter struct {
	mu          sync.Mutex
	lim         *rate.Limiter
	ceiling     rate.Limit // the caller's --rate; never exceeded (Inf when unset)
	hintTrusted bool       // false once a 429 showed the hint is not per second
	pausedUntil time.Time
	successes   int // since the last rate change, for additive increase

	// hold, until the first answer arrives, keeps every request but the
	// first waiting (HoldUntilFirstAnswer); nil when nothing is held.
	hold     chan struct{}
	scoutOut bool
	answered bool // an answer (or a failure) has been observed
}

// HoldUntilFirstAnswer makes the limiter, when it knows no rate yet (no
// --rate), let one request out and hold the others until an answer (or a
// failure) comes back with the account's X-RateLimit-Limit: a command that
// starts with several reads at once (an import reads the caller, the
// agents, the departments and the roles together) then never bursts into
// the 429s of an account that allows 2 requests a second, and on one that
// allows 1,000 loses one round trip at most.
func (l *Limiter) HoldUntilFirstAnswer() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ceiling == rate.Inf && l.hold == nil && !l.scoutOut && !l.answered {
		l.hold = make(chan struct{})
	}
}

// NewLimiter paces at perSecond requests per second; 0 or less means as fast
// as the server allows.
func NewLimiter(perSecond float64) *Limiter {
	ceiling := rate.Inf
	if perSecond > 0 {
		ceiling = rate.Limit(perSecond)
	}
	// A burst of one keeps requests evenly spaced, so the server's own bucket
	// (which has at least that much room) never runs dry.
	return &Limiter{lim: rate.NewLimiter(ceiling, 1), ceiling: ceiling, hintTrusted: true}
}

// Rate is the current pace in requests per second (+Inf when unlimited).
func (l *Limiter) Rate() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lim.Limit() == rate.Inf {
		return math.Inf(1)
	}
	return float64(l.lim.Limit())
}

// Wait blocks until a request may be sent.
func (l *Limiter) Wait(ctx context.Context) error {
	l.mu.Lock()
	until := l.pausedUntil
	lim := l.lim
	hold := l.hold
	if hold != nil && !l.scoutOut {
		l.scoutOut, hold = true, nil // the first request goes
	}
	l.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if d := time.Until(until); d > 0 {
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
	return lim.Wait(ctx)
}

// PauseFor stops every caller of Wait for d (a Retry-After).
func (l *Limiter) PauseFor(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t := time.Now().Add(d); t.After(l.pausedUntil) {
		l.pausedUntil = t
	}
}

// Observe learns from one response (status 0: the request failed without
// one). The first releases the requests HoldUntilFirstAnswer holds.
func (l *Limiter) Observe(status int, h http.Header) {
	l.mu.Lock()
	defer l.mu.Unlock()
	defer l.release() // after the hint below is adopted
	cur := l.lim.Limit()
	if status == http.StatusTooManyRequests {
		// Whatever we believed was too fast: halve, and stop trusting hints
		// that led here.
		l.hintTrusted = false
		next := cur / 2
		if cur == rate.Inf {
			next = 8 // no idea yet: start low and probe upwards
		}
		l.set(max(next, 1))
		return
	}
	if status < 200 || status >= 300 {
		return
	}
	if hint, ok := headerInt(h, "X-RateLimit-Limit"); ok && hint > 0 && l.hintTrusted {
		if r := min(rate.Limit(hint), l.ceiling); r != cur {
			l.set(r)
		}
		return
	}
	if cur == rate.Inf || cur >= l.ceiling {
		return
	}
	// Additive increase: one more request per second for every second's worth of successes.
	l.successes++
	if float64(l.successes) >= float64(cur) {
		l.set(min(cur+1, l.ceiling))
	}
}

func (l *Limiter) release() {
	l.answered = true
	if l.hold != nil {
		close(l.hold)
		l.hold = nil
	}
}

func (l *Limiter) set(r rate.Limit) {
	l.successes = 0
	l.lim.SetLimit(r)
}

func headerInt(h http.Header, key string) (int, bool) {
	v := h.Get(key)
	if v == "" {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	return n, err == nil
}

// HoldUntilFirstAnswer makes the client's requests wait for the first
// answer, when none has come yet (see Limiter.HoldUntilFirstAnswer).
func (c *Client) HoldUntilFirstAnswer() { c.limiter.HoldUntilFirstAnswer() }
