package liveagent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// script is an httptest server that answers each request with the next
// response of a list, recording what it was sent.
type script struct {
	mu       sync.Mutex
	replies  []func(w http.ResponseWriter, r *http.Request)
	requests []*http.Request
	bodies   []string
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	var b bytes.Buffer
	b.ReadFrom(r.Body)
	s.requests = append(s.requests, r)
	s.bodies = append(s.bodies, b.String())
	n := len(s.requests)
	var reply func(http.ResponseWriter, *http.Request)
	if n <= len(s.replies) {
		reply = s.replies[n-1]
	} else {
		reply = s.replies[len(s.replies)-1]
	}
	s.mu.Unlock()
	reply(w, r)
}

func (s *script) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

func status(code int, body string, headers ...string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		fmt.Fprint(w, body)
	}
}

// drop closes the connection without answering: the client cannot know
// whether the request was acted on.
func drop(w http.ResponseWriter, r *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		conn.Close()
	}
}

func newTestClient(t *testing.T, s *script, debug *bytes.Buffer) *Client {
	t.Helper()
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	cfg := Config{URL: srv.URL, APIKey: "secret-key-123", BackoffBase: time.Millisecond, MaxRetries: 3, API: APIExtended}
	if debug != nil {
		cfg.Debug = debug
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRequestsCarryTheKeyHeaderAndPrefix(t *testing.T) {
	s := &script{replies: []func(http.ResponseWriter, *http.Request){status(200, `{"id":"a1","email":"x@y.z"}`)}}
	c := newTestClient(t, s, nil)
	a, err := c.GetAgent(context.Background(), "a1")
	if err != nil {
		t.Fatal(err)
	}
	r := s.requests[0]
	if got := r.Header.Get("apikey"); got != "secret-key-123" {
		t.Errorf("apikey header = %q", got)
	}
	if r.URL.Path != "/api/v3/agents/a1" {
		t.Errorf("path = %q", r.URL.Path)
	}
	if strings.Contains(r.URL.RawQuery, "secret") {
		t.Errorf("key leaked into the URL: %s", r.URL)
	}
	if a.Email != "x@y.z" {
		t.Errorf("agent = %+v", a)
	}
}

func TestErrorKindsCarryTheServerMessage(t *testing.T) {
	for _, tc := range []struct {
		status int
		kind   Kind
	}{
		{400, KindInvalid}, {401, KindAuth}, {403, KindForbidden}, {404, KindNotFound},
		{409, KindConflict}, {413, KindInvalid}, {422, KindInvalid},
	} {
		s := &script{replies: []func(http.ResponseWriter, *http.Request){status(tc.status, `{"message":"the reason"}`)}}
		c := newTestClient(t, s, nil)
		_, err := c.GetAgent(context.Background(), "x")
		var e *Error
		if !errors.As(err, &e) || e.Kind != tc.kind || e.Message != "the reason" || e.Status != tc.status {
			t.Errorf("%d: got %#v", tc.status, err)
		}
		if s.count() != 1 {
			t.Errorf("%d: a 4xx was retried (%d requests)", tc.status, s.count())
		}
	}
}

func TestIdempotentRequestsAreRetriedOn5xxAndDrops(t *testing.T) {
	s := &script{replies: []func(http.ResponseWriter, *http.Request){
		status(503, `{"message":"busy"}`), drop, status(200, `{"id":"a1"}`),
	}}
	c := newTestClient(t, s, nil)
	if _, err := c.GetAgent(context.Background(), "a1"); err != nil {
		t.Fatalf("GET should succeed on the third attempt: %v", err)
	}
	if s.count() != 3 {
		t.Errorf("requests = %d, want 3", s.count())
	}
}

func TestRetriesGiveUpAsUnavailable(t *testing.T) {
	s := &script{replies: []func(http.ResponseWriter, *http.Request){status(500, `{"message":"boom"}`)}}
	c := newTestClient(t, s, nil)
	_, err := c.GetAgent(context.Background(), "a1")
	if KindOf(err) != KindUnavailable {
		t.Fatalf("kind = %v (%v)", KindOf(err), err)
	}
	if s.count() != 4 { // 1 + MaxRetries
		t.Errorf("requests = %d, want 4", s.count())
	}
}

func TestPostIsNeverBlindlyRepeated(t *testing.T) {
	for name, reply := range map[string]func(http.ResponseWriter, *http.Request){
		"500":  status(500, `{"message":"boom"}`),
		"drop": drop,
	} {
		t.Run(name, func(t *testing.T) {
			s := &script{replies: []func(http.ResponseWriter, *http.Request){reply}}
			c := newTestClient(t, s, nil)
			_, err := c.CreateAgent(context.Background(), AgentCreate{Name: "A", Email: "a@b.co"})
			if !IsUncertain(err) {
				t.Fatalf("want an uncertain error, got %v", err)
			}
			if s.count() != 1 {
				t.Errorf("POST sent %d times, want 1", s.count())
			}
		})
	}
}

func TestTooManyRequestsIsRetriedForPostHonoringRetryAfter(t *testing.T) {
	s := &script{replies: []func(http.ResponseWriter, *http.Request){
		status(429, `{"message":"slow down"}`, "Retry-After", "1"),
		status(201, `{"id":"n1","email":"a@b.co"}`),
	}}
	c := newTestClient(t, s, nil)
	start := time.Now()
	a, err := c.CreateAgent(context.Background(), AgentCreate{Name: "A", Email: "a@b.co"})
	if err != nil || a.ID != "n1" {
		t.Fatalf("got %+v, %v", a, err)
	}
	if waited := time.Since(start); waited < 900*time.Millisecond {
		t.Errorf("Retry-After: 1 was not honored (waited %s)", waited)
	}
}

func TestCreateAgentOnceLooksUpBeforeRetrying(t *testing.T) {
	// The first POST is committed but its answer is lost; the lookup finds
	// the agent, so no second POST is sent.
	var posts atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v3/agents", func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		drop(w, r)
	})
	mux.HandleFunc("GET /api/v3/agents", func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.URL.Query().Get(QueryFilters), "new@acme.com") {
			t.Errorf("lookup without an email filter: %s", r.URL.RawQuery)
		}
		w.Header().Set("X-Total-Count", "1")
		fmt.Fprint(w, `[{"id":"n1","email":"New@acme.com","status":"A"}]`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, _ := New(Config{URL: srv.URL, APIKey: "k", API: APIExtended, BackoffBase: time.Millisecond})
	a, err := c.CreateAgentOnce(context.Background(), AgentCreate{Name: "N", Email: "new@acme.com"})
	if err != nil || a.ID != "n1" {
		t.Fatalf("got %+v, %v", a, err)
	}
	if posts.Load() != 1 {
		t.Errorf("POSTs = %d, want 1", posts.Load())
	}
}

func TestCreateAgentOnceRetriesWhenTheLookupFindsNothing(t *testing.T) {
	var posts atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v3/agents", func(w http.ResponseWriter, r *http.Request) {
		if posts.Add(1) == 1 {
			status(500, `{"message":"before commit"}`)(w, r)
			return
		}
		status(201, `{"id":"n2","email":"new@acme.com"}`)(w, r)
	})
	mux.HandleFunc("GET /api/v3/agents", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Total-Count", "0")
		fmt.Fprint(w, `[]`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, _ := New(Config{URL: srv.URL, APIKey: "k", API: APIExtended, BackoffBase: time.Millisecond})
	a, err := c.CreateAgentOnce(context.Background(), AgentCreate{Name: "N", Email: "new@acme.com"})
	if err != nil || a.ID != "n2" || posts.Load() != 2 {
		t.Fatalf("got %+v, %v after %d POSTs", a, err, posts.Load())
	}
}

// pagedServer serves n agents honoring _from/_to but capping every window at
// capAt rows, optionally without X-Total-Count, and can fail one window.
func pagedServer(t *testing.T, n, capAt int, withTotal bool, failFrom int) (*httptest.Server, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		from, _ := strconv.Atoi(r.URL.Query().Get(QueryFrom))
		to, _ := strconv.Atoi(r.URL.Query().Get(QueryTo))
		if from == failFrom {
			status(500, `{"message":"page failed"}`)(w, r)
			return
		}
		to = min(to, from+capAt, n)
		var page []Agent
		for i := from; i < to; i++ {
			page = append(page, Agent{ID: fmt.Sprintf("a%05d", i)})
		}
		if page == nil {
			page = []Agent{}
		}
		if withTotal {
			w.Header().Set("X-Total-Count", strconv.Itoa(n))
		}
		json.NewEncoder(w).Encode(page)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func TestListAllReadsEveryRowEvenWhenTheServerCapsPages(t *testing.T) {
	for _, tc := range []struct {
		name      string
		n, capAt  int
		withTotal bool
	}{
		{"counted, capped at 100", 2345, 100, true},
		{"counted, full pages", 2345, 1000, true},
		{"uncounted, capped at 70", 250, 70, false},
		{"empty", 0, 1000, true},
		{"empty uncounted", 0, 1000, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := pagedServer(t, tc.n, tc.capAt, tc.withTotal, -1)
			c, _ := New(Config{URL: srv.URL, APIKey: "k", API: APIExtended, BackoffBase: time.Millisecond})
			all, err := c.ListAgents(context.Background(), ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if all == nil || len(all) != tc.n {
				t.Fatalf("got %d agents (nil=%v), want %d", len(all), all == nil, tc.n)
			}
			for i, a := range all {
				if a.ID != fmt.Sprintf("a%05d", i) {
					t.Fatalf("row %d is %s: rows out of order, duplicated or skipped", i, a.ID)
				}
			}
		})
	}
}

func TestListAllFetchesWindowsConcurrentlyInFewRequests(t *testing.T) {
	srv, calls := pagedServer(t, 20000, 1000, true, -1)
	c, _ := New(Config{URL: srv.URL, APIKey: "k", API: APIExtended})
	all, err := c.ListAgents(context.Background(), ListOptions{})
	if err != nil || len(all) != 20000 {
		t.Fatalf("%d agents, %v", len(all), err)
	}
	if calls.Load() != 20 {
		t.Errorf("requests = %d, want 20 windows of 1000", calls.Load())
	}
}

func TestListAllNeverReturnsAPartialList(t *testing.T) {
	srv, _ := pagedServer(t, 5000, 1000, true, 3000)
	c, _ := New(Config{URL: srv.URL, APIKey: "k", API: APIExtended, BackoffBase: time.Millisecond, MaxRetries: 1})
	all, err := c.ListAgents(context.Background(), ListOptions{})
	if err == nil || all != nil {
		t.Fatalf("a failed window must fail the list, got %d agents, err %v", len(all), err)
	}
}

func TestDebugTraceRedactsTheKey(t *testing.T) {
	var debug bytes.Buffer
	s := &script{replies: []func(http.ResponseWriter, *http.Request){status(404, `{"message":"no such agent"}`)}}
	c := newTestClient(t, s, &debug)
	c.GetAgent(context.Background(), "zz")
	out := debug.String()
	if strings.Contains(out, "secret-key-123") {
		t.Fatalf("the key leaked into the trace:\n%s", out)
	}
	for _, want := range []string{"> GET ", "/api/v3/agents/zz", "apikey: [REDACTED]", "< 404", "no such agent"} {
		if !strings.Contains(out, want) {
			t.Errorf("trace lacks %q:\n%s", want, out)
		}
	}
}

func TestCheckURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://acme.ladesk.com":         "https://acme.ladesk.com",
		"https://acme.ladesk.com/":        "https://acme.ladesk.com",
		"https://acme.ladesk.com/api/v3/": "https://acme.ladesk.com",
		"http://127.0.0.1:8085":           "http://127.0.0.1:8085",
		"http://localhost:8085":           "http://localhost:8085",
		"http://[::1]:8085":               "http://[::1]:8085",
	} {
		got, err := CheckURL(in)
		if err != nil || got != want {
			t.Errorf("CheckURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "acme.ladesk.com", "ftp://acme.ladesk.com", "http://acme.ladesk.com", "http://10.0.0.1"} {
		if _, err := CheckURL(bad); KindOf(err) != KindInvalid {
			t.Errorf("CheckURL(%q) = %v, want an invalid-input error", bad, err)
		}
	}
}

func TestContextCancelStopsRetries(t *testing.T) {
	s := &script{replies: []func(http.ResponseWriter, *http.Request){status(503, `{}`, "Retry-After", "30")}}
	c := newTestClient(t, s, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.GetAgent(ctx, "x")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("cancel did not interrupt the wait")
	}
}

func TestTheKeyNeverFollowsARedirectToAnotherHost(t *testing.T) {
	var leaked atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("apikey") != "" {
			leaked.Add(1)
		}
		fmt.Fprint(w, `{}`)
	}))
	defer elsewhere.Close()
	// 127.0.0.1 and localhost are different hosts to the client, though both
	// are this machine: a stand-in for a redirect to another server.
	target := strings.Replace(elsewhere.URL, "127.0.0.1", "localhost", 1)
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target+r.URL.Path, http.StatusFound)
	}))
	defer origin.Close()
	c, _ := New(Config{URL: origin.URL, APIKey: "secret", BackoffBase: time.Millisecond})
	_, err := c.Me(context.Background())
	if leaked.Load() != 0 {
		t.Fatalf("the key was sent to the redirect target %d times", leaked.Load())
	}
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindInvalid || !strings.Contains(e.Message, "refusing to follow a redirect") || e.Attempts != 1 {
		t.Errorf("want one attempt refused as invalid input, got %#v", err)
	}
}

func TestSameHostRedirectsAreFollowed(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v3/agents/me" {
			http.Redirect(w, r, srv.URL+"/api/v3/agents/me/", http.StatusMovedPermanently)
			return
		}
		if r.Header.Get("apikey") != "k" {
			w.WriteHeader(401)
			return
		}
		fmt.Fprint(w, `{"id":"a1"}`)
	}))
	defer srv.Close()
	c, _ := New(Config{URL: srv.URL, APIKey: "k", API: APIExtended})
	if a, err := c.Me(context.Background()); err != nil || a.ID != "a1" {
		t.Fatalf("got %+v, %v", a, err)
	}
}

func TestListAllStopsAtTheLimit(t *testing.T) {
	srv, calls := pagedServer(t, 20000, 1000, true, -1)
	c, _ := New(Config{URL: srv.URL, APIKey: "k", API: APIExtended})
	for _, limit := range []int{5, 1000, 1500} {
		calls.Store(0)
		got, err := c.ListAgents(context.Background(), ListOptions{Limit: limit})
		if err != nil || len(got) != limit || got[limit-1].ID != fmt.Sprintf("a%05d", limit-1) {
			t.Fatalf("limit %d: %d agents, %v", limit, len(got), err)
		}
		if want := int32((limit + 999) / 1000); calls.Load() != want {
			t.Errorf("limit %d: %d requests, want %d", limit, calls.Load(), want)
		}
	}
}

// A window shorter than asked (an agent vanished meanwhile) leaves no gap of
// empty agents where the list is decoded in place.
func TestListAllJoinsAShortWindowWithoutGaps(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		from, _ := strconv.Atoi(r.URL.Query().Get(QueryFrom))
		to, _ := strconv.Atoi(r.URL.Query().Get(QueryTo))
		to = min(to, 2500)
		page := []Agent{}
		for i := from; i < to; i++ {
			if i == 1500 {
				continue // gone
			}
			page = append(page, Agent{ID: fmt.Sprintf("a%05d", i)})
		}
		w.Header().Set("X-Total-Count", "2500")
		json.NewEncoder(w).Encode(page)
	}))
	t.Cleanup(srv.Close)
	c, _ := New(Config{URL: srv.URL, APIKey: "k"})
	all, err := c.ListAgents(context.Background(), ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 2499 {
		t.Fatalf("got %d agents, want at least 2499", len(all))
	}
	seen := map[string]bool{}
	for i, a := range all {
		if a.ID == "" {
			t.Fatalf("agent %d is empty: a gap in the list", i)
		}
		seen[a.ID] = true
	}
	if len(seen) != 2499 || seen["a01500"] {
		t.Fatalf("saw %d distinct agents, want the 2499 served", len(seen))
	}
}

func TestCreateAgentOnceLateCommitIsOurs(t *testing.T) {
	// The first POST fails uncertainly (500), the lookup finds nothing yet,
	// then the first attempt commits: the second POST gets 409. The agent
	// found by email is the result, not a conflict.
	var posts, gets atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v3/agents", func(w http.ResponseWriter, r *http.Request) {
		if posts.Add(1) == 1 {
			status(500, `{"message":"lost"}`)(w, r)
			return
		}
		status(409, `{"message":"an agent with this email already exists"}`)(w, r)
	})
	mux.HandleFunc("GET /api/v3/agents", func(w http.ResponseWriter, r *http.Request) {
		if gets.Add(1) == 1 {
			w.Header().Set("X-Total-Count", "0")
			fmt.Fprint(w, `[]`)
			return
		}
		w.Header().Set("X-Total-Count", "1")
		fmt.Fprint(w, `[{"id":"n3","email":"new@acme.com","status":"A"}]`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, _ := New(Config{URL: srv.URL, APIKey: "k", API: APIExtended, BackoffBase: time.Millisecond})
	a, err := c.CreateAgentOnce(context.Background(), AgentCreate{Name: "N", Email: "new@acme.com"})
	if err != nil || a.ID != "n3" {
		t.Fatalf("got %+v, %v", a, err)
	}
}

func TestCreateAgentOnceConflictFirstIsReturned(t *testing.T) {
	// A 409 on the first attempt: the agent existed before; the caller says so.
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v3/agents", status(409, `{"message":"an agent with this email already exists"}`))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, _ := New(Config{URL: srv.URL, APIKey: "k", API: APIExtended, BackoffBase: time.Millisecond})
	if _, err := c.CreateAgentOnce(context.Background(), AgentCreate{Name: "N", Email: "new@acme.com"}); KindOf(err) != KindConflict {
		t.Fatalf("got %v, want a conflict", err)
	}
}
