package sandbox

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/ladmin/ladmin/internal/liveagent"
)

// TestListQueryPlans checks that every list of agents the client asks for
// (audit, export, agent list and its filters, lookups by email, the owner
// check) reads its window in order from an index: no "USE TEMP B-TREE FOR
// ORDER BY", which sorts every matching row again for every window and made
// the last window of 100,000 agents cost 20x the first. The queries are the
// ones the real client sends, recorded on the wire.
func TestListQueryPlans(t *testing.T) {
	srv, err := New(Options{DB: ":memory:", SeedAgents: 20})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	var mu sync.Mutex
	var sent []url.Values
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, liveagent.PathAgents) {
			mu.Lock()
			sent = append(sent, r.URL.Query())
			mu.Unlock()
		}
		srv.Handler().ServeHTTP(w, r)
	}))
	defer hs.Close()
	c, err := liveagent.New(liveagent.Config{URL: hs.URL, APIKey: OwnerKey})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	roles, err := c.Roles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	custom := liveagent.Filter{Field: "role_id", Op: "=", Value: "custom-role-id"}
	all := liveagent.Filter{Field: "status", Op: "in", Value: []string{liveagent.StatusActive, liveagent.StatusDeleted}}
	for _, opts := range []liveagent.ListOptions{
		{},                                 // agent list
		{Filters: []liveagent.Filter{all}}, // audit, export, agent list --status all
		{Filters: []liveagent.Filter{{Field: "status", Op: "=", Value: liveagent.StatusDeleted}}},
		{Filters: []liveagent.Filter{{Field: "role", Op: "=", Value: "admin"}, {Field: "role_id", Op: "=", Value: ""}}},
		{Filters: []liveagent.Filter{{Field: "role", Op: "=", Value: "agent"}, custom}},
		{Filters: []liveagent.Filter{all, {Field: "role", Op: "=", Value: "admin"}, {Field: "role_id", Op: "=", Value: ""}}},
		{Filters: []liveagent.Filter{{Field: "email", Op: "like", Value: "%@example.com"}}},
		{SortField: "name"}, // agent list --sort name
		{SortField: "name", SortDir: "DESC"},
	} {
		if _, err := c.ListAgents(ctx, opts); err != nil {
			t.Fatal(err)
		}
	}
	for _, deleted := range []bool{false, true} {
		if _, err := c.FindAgentsByEmail(ctx, "Agent00007@example.com", deleted); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.ActiveOwners(ctx, roles); err != nil {
		t.Fatal(err)
	}

	if len(sent) < 12 {
		t.Fatalf("recorded %d list requests, want at least 12", len(sent))
	}
	for _, q := range sent {
		lq, err := parseListQuery(q)
		if err != nil {
			t.Fatalf("%v: %v", q, err)
		}
		count, page := lq.sql()
		for _, query := range []string{count, page} {
			plan := explain(t, srv, query, append(lq.args, lq.limit, lq.offset)[:strings.Count(query, "?")]...)
			if strings.Contains(plan, "TEMP B-TREE") || !strings.Contains(plan, "agents") {
				t.Errorf("the list %s sorts in a temporary b-tree:\n  %s\n  plan: %s", q.Get(liveagent.QueryFilters)+" "+q.Get(liveagent.QuerySortField), query, plan)
			}
		}
	}
}

func explain(t *testing.T, srv *Server, query string, args ...any) string {
	t.Helper()
	rows, err := srv.db.Query("EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, notUsed int
		var detail string
		if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
			t.Fatal(err)
		}
		steps = append(steps, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(steps, "; ")
}

// TestListCountIsReusedUntilAChange: the windows of one list are counted
// once, and any write makes the next list count again.
func TestListCountIsReusedUntilAChange(t *testing.T) {
	ts := newTestServer(t, Options{SeedAgents: 10})
	total := func() string {
		r := ts.do(OwnerKey, "GET", liveagent.PathAgents+query("_from", "0", "_to", "5"), nil)
		return r.header.Get("X-Total-Count")
	}
	if got := total(); got != "13" {
		t.Fatalf("X-Total-Count = %s, want 13", got)
	}
	if n := len(ts.srv.lists.counts); n != 1 {
		t.Fatalf("%d counts saved, want 1", n)
	}
	// Poison the saved count: a second window must answer from it.
	for k := range ts.srv.lists.counts {
		ts.srv.lists.counts[k] = 99
	}
	if got := total(); got != "99" {
		t.Fatalf("X-Total-Count = %s, want the saved 99", got)
	}
	ts.must(http.StatusCreated, OwnerKey, "POST", liveagent.PathAgents,
		liveagent.AgentCreate{Name: "New", Email: "new@example.com"})
	if got := total(); got != "14" {
		t.Fatalf("after a create X-Total-Count = %s, want 14", got)
	}
}
