package sandbox

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/ladmin/ladmin/internal/liveagent"
)

// The figures behind the sandbox's performance goals: 20,000 agents seed in
// a few seconds, a page of 1000 of them answers in a few ms, a create takes
// about 1 ms. Run with: go test -run '^$' -bench . ./internal/sandbox/

const loadAgents = 20000

func BenchmarkSeed20000(b *testing.B) {
	for b.Loop() {
		s, err := New(Options{DB: filepath.Join(b.TempDir(), "seed.db"), SeedAgents: loadAgents})
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

func loadServer(b *testing.B) *testServer {
	start := time.Now()
	ts := newTestServer(b, Options{DB: filepath.Join(b.TempDir(), "load.db"), SeedAgents: loadAgents})
	b.Logf("seeded %d agents in %v", loadAgents, time.Since(start))
	return ts
}

func BenchmarkListPage1000Of20000(b *testing.B) {
	ts := loadServer(b)
	page := 0
	for b.Loop() {
		page = page%20 + 1
		ts.must(http.StatusOK, OwnerKey, "GET", liveagent.PathAgents+query("_page", fmt.Sprint(page), "_perPage", "1000"), nil)
	}
}

func BenchmarkListFilteredByEmail(b *testing.B) {
	ts := loadServer(b)
	for b.Loop() {
		ts.must(http.StatusOK, OwnerKey, "GET", liveagent.PathAgents+query("_filters", `{"email":"AGENT12345@example.com"}`), nil)
	}
}

func BenchmarkCreateAgent(b *testing.B) {
	ts := loadServer(b)
	i := 0
	for b.Loop() {
		i++
		ts.must(http.StatusCreated, OwnerKey, "POST", liveagent.PathAgents,
			liveagent.AgentCreate{Name: "Bench", Email: fmt.Sprintf("bench%d@example.com", i)})
	}
}

func BenchmarkDeleteAgent(b *testing.B) {
	ts := loadServer(b)
	all := ts.list(OwnerKey, "_perPage", "1000", "_page", "2")
	i := 0
	for b.Loop() {
		ts.must(http.StatusOK, OwnerKey, "DELETE", liveagent.PathAgent(all[i%len(all)].ID), nil)
		ts.must(http.StatusOK, OwnerKey, "POST", liveagent.PathAgentUndelete, map[string]string{"id": all[i%len(all)].ID})
		i++
	}
}

// BenchmarkListPage1000Handler is the server's own share, without HTTP.
func BenchmarkListPage1000Handler(b *testing.B) {
	ts := loadServer(b)
	h := ts.srv.Handler()
	page := 0
	for b.Loop() {
		page = page%20 + 1
		req := httptest.NewRequest("GET", liveagent.APIPrefix+liveagent.PathAgents+query("_page", fmt.Sprint(page), "_perPage", "1000"), nil)
		req.Header.Set("apikey", OwnerKey)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code, rec.Body.String())
		}
	}
}
