package sandbox

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/ladmin/ladmin/internal/liveagent"
)

func TestFaultsCommitHalfOfTheFailures(t *testing.T) {
	ts := newTestServer(t, Options{FaultRate: 1, RandSeed: 42})
	const n = 40
	var errors500, dropped int
	for i := range n {
		r, err := ts.try(OwnerKey, "POST", liveagent.PathAgents,
			liveagent.AgentCreate{Name: "F", Email: fmt.Sprintf("f%d@example.com", i)})
		switch {
		case err != nil:
			dropped++
		case r.status == http.StatusInternalServerError && r.message() != "":
			errors500++
		default:
			t.Fatalf("request %d with fault rate 1: %v, want a 500 or a dropped connection", i, r)
		}
	}
	if errors500 == 0 || dropped == 0 {
		t.Errorf("%d answers 500 and %d dropped connections; want both kinds", errors500, dropped)
	}

	// Reads are never faulted, so the account can be checked through the API.
	created := ts.list(OwnerKey, "_perPage", "1000", "_filters", `[["email","like","f%@example.com"]]`)
	if len(created) == 0 || len(created) == n {
		t.Fatalf("%d of %d failed creates happened; want some (faults after the commit) but not all", len(created), n)
	}
	// Each committed create is whole: its invitation was committed with it.
	box := decode[[]Invitation](t, ts.must(200, "", "GET", OutboxPath, nil))
	if len(box) != len(created) {
		t.Errorf("%d invitations for %d created agents", len(box), len(created))
	}
	t.Logf("%d answered 500, %d dropped, %d committed anyway", errors500, dropped, len(created))
}

func TestFaultsSpareReadsAndNeverTouchOutbox(t *testing.T) {
	ts := newTestServer(t, Options{FaultRate: 1, RandSeed: 1})
	for range 10 {
		ts.must(200, OwnerKey, "GET", liveagent.PathAgents, nil)
		ts.must(200, "", "GET", OutboxPath, nil)
	}
}

func TestRateLimit(t *testing.T) {
	const limit = 3
	ts := newTestServer(t, Options{RateLimit: limit})
	// A stopped clock: no token comes back however slow the machine is.
	clock := time.Now()
	ts.srv.limiter.now = func() time.Time { return clock }
	for i := range limit {
		r := ts.must(200, AgentKey, "GET", liveagent.PathPing, nil)
		if got, want := r.header.Get("X-RateLimit-Remaining"), strconv.Itoa(limit-1-i); got != want {
			t.Errorf("request %d: X-RateLimit-Remaining %q, want %s", i+1, got, want)
		}
	}
	r := ts.do(AgentKey, "GET", liveagent.PathPing, nil)
	if r.status != http.StatusTooManyRequests || r.message() != "rate limit exceeded: 3 requests per second" {
		t.Fatalf("over the budget: %v, want 429", r)
	}
	if ra, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || ra < 1 {
		t.Errorf("Retry-After %q, want whole seconds >= 1", r.header.Get("Retry-After"))
	}
	if r.header.Get("X-RateLimit-Limit") != "3" || r.header.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("429 headers: limit %q remaining %q", r.header.Get("X-RateLimit-Limit"), r.header.Get("X-RateLimit-Remaining"))
	}

	// Budgets are per key, and errors carry the hints too.
	r = ts.do("no-such-key", "GET", liveagent.PathPing, nil)
	if r.status != http.StatusUnauthorized || r.header.Get("X-RateLimit-Limit") != "3" {
		t.Errorf("another key: %v with limit header %q, want 401 with the hints", r, r.header.Get("X-RateLimit-Limit"))
	}
	ts.must(200, OwnerKey, "GET", liveagent.PathPing, nil)

	// The bucket refills at the limit's rate.
	clock = clock.Add(time.Second / limit)
	ts.must(200, AgentKey, "GET", liveagent.PathPing, nil)
	ts.must(429, AgentKey, "GET", liveagent.PathPing, nil)
}

func TestNoRateLimitHeadersWhenUnlimited(t *testing.T) {
	ts := newTestServer(t, Options{})
	if r := ts.must(200, AgentKey, "GET", liveagent.PathPing, nil); r.header.Get("X-RateLimit-Limit") != "" {
		t.Errorf("unlimited server sends X-RateLimit-Limit %q", r.header.Get("X-RateLimit-Limit"))
	}
}

func TestLatency(t *testing.T) {
	const latency = 60 * time.Millisecond
	ts := newTestServer(t, Options{Latency: latency})
	start := time.Now()
	ts.must(200, AgentKey, "GET", liveagent.PathPing, nil)
	if d := time.Since(start); d < latency {
		t.Errorf("answered in %v, want at least %v", d, latency)
	}
}

func TestRateLimiterBucketsStayBounded(t *testing.T) {
	l := newRateLimiter(5)
	now := time.Now()
	for i := range maxBuckets + 10 {
		l.take(strconv.Itoa(i), now.Add(time.Duration(i)*time.Second))
	}
	if len(l.buckets) > maxBuckets {
		t.Errorf("%d buckets, want at most %d", len(l.buckets), maxBuckets)
	}
}

func TestOptionsValidation(t *testing.T) {
	for _, o := range []Options{
		{},
		{DB: ":memory:", Latency: -1},
		{DB: ":memory:", RateLimit: -1},
		{DB: ":memory:", FaultRate: 1.5},
		{DB: ":memory:", SeedAgents: -1},
	} {
		if s, err := New(o); err == nil {
			s.Close()
			t.Errorf("New(%+v) accepted invalid options", o)
		}
	}
}
