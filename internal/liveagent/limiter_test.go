package liveagent

import (
	"context"
	"math"
	"net/http"
	"testing"
	"time"
)

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

func TestLimiterAdoptsTheServerHintWithinTheCallersCeiling(t *testing.T) {
	l := NewLimiter(0)
	if !math.IsInf(l.Rate(), 1) {
		t.Fatalf("an unset rate starts unlimited, got %v", l.Rate())
	}
	l.Observe(200, hdr("X-RateLimit-Limit", "100", "X-RateLimit-Remaining", "99"))
	if l.Rate() != 100 {
		t.Errorf("rate after a hint of 100 = %v", l.Rate())
	}
	capped := NewLimiter(20)
	capped.Observe(200, hdr("X-RateLimit-Limit", "100"))
	if capped.Rate() != 20 {
		t.Errorf("a hint may not raise the caller's --rate: got %v", capped.Rate())
	}
}

func TestLimiterBacksOffOn429AndProbesUpAgain(t *testing.T) {
	l := NewLimiter(0)
	l.Observe(http.StatusTooManyRequests, nil)
	if l.Rate() != 8 {
		t.Fatalf("first 429 with no idea of the limit: rate %v, want 8", l.Rate())
	}
	l.Observe(http.StatusTooManyRequests, nil)
	if l.Rate() != 4 {
		t.Fatalf("second 429 halves: rate %v, want 4", l.Rate())
	}
	for range 4 {
		l.Observe(200, nil)
	}
	if l.Rate() != 5 {
		t.Errorf("a second's worth of successes adds one: rate %v, want 5", l.Rate())
	}
	// Hints that led to a 429 are no longer trusted.
	l.Observe(200, hdr("X-RateLimit-Limit", "1000"))
	if l.Rate() > 6 {
		t.Errorf("a hint after a 429 was trusted: rate %v", l.Rate())
	}
}

func TestLimiterPacesAtItsRate(t *testing.T) {
	l := NewLimiter(50)
	start := time.Now()
	for range 11 {
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// 10 intervals of 20ms; generous bounds, this is not a timing benchmark.
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("11 requests at 50/s took %s, want about 200ms", d)
	}
}

func TestLimiterPauseHoldsEveryCaller(t *testing.T) {
	l := NewLimiter(0)
	l.PauseFor(150 * time.Millisecond)
	start := time.Now()
	l.Wait(context.Background())
	if time.Since(start) < 100*time.Millisecond {
		t.Errorf("Wait did not honor the pause")
	}
	ctx, cancel := context.WithCancel(context.Background())
	l.PauseFor(time.Hour)
	cancel()
	if err := l.Wait(ctx); err == nil {
		t.Errorf("a canceled wait must return its context's error")
	}
}

// HoldUntilFirstAnswer lets one request out and holds the next until an
// answer (or a failure) is observed; a held request still ends with its
// context; a limiter with a --rate, or one that has had an answer, holds
// nothing.
func TestLimiterHoldsUntilFirstAnswer(t *testing.T) {
	ctx := context.Background()
	l := NewLimiter(0)
	l.HoldUntilFirstAnswer()
	if err := l.Wait(ctx); err != nil {
		t.Fatal(err) // the scout
	}
	released := make(chan error, 1)
	go func() { released <- l.Wait(ctx) }()
	select {
	case err := <-released:
		t.Fatalf("the second request went before any answer (%v)", err)
	case <-time.After(50 * time.Millisecond):
	}
	l.Observe(0, nil) // a failure releases too
	if err := <-released; err != nil {
		t.Fatal(err)
	}

	l = NewLimiter(0)
	l.HoldUntilFirstAnswer()
	_ = l.Wait(ctx)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := l.Wait(cctx); err == nil {
		t.Error("a held request ignored its cancelled context")
	}

	for name, lim := range map[string]*Limiter{"with a rate": NewLimiter(1000), "after an answer": NewLimiter(0)} {
		if name == "after an answer" {
			lim.Observe(200, nil)
		}
		lim.HoldUntilFirstAnswer()
		done := make(chan struct{})
		go func() {
			_ = lim.Wait(ctx)
			_ = lim.Wait(ctx)
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Errorf("%s: a request was held", name)
		}
	}
}
