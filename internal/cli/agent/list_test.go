package agent_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ladmin/ladmin/internal/sandbox"
)

// inFlight records, per API path, how many requests were made and whether
// two given paths were ever in flight together.
type inFlight struct {
	mu      sync.Mutex
	current map[string]int
	calls   map[string]int
	overlap map[[2]string]bool
}

func (f *inFlight) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := strings.TrimPrefix(r.URL.Path, "/api/v3")
		f.mu.Lock()
		for other, n := range f.current {
			if n > 0 {
				f.overlap[[2]string{other, p}] = true
				f.overlap[[2]string{p, other}] = true
			}
		}
		f.current[p]++
		f.calls[p]++
		f.mu.Unlock()
		h.ServeHTTP(w, r)
		f.mu.Lock()
		f.current[p]--
		f.mu.Unlock()
	})
}

// agent list reads the roles it names in the table alongside the agents,
// not after them, and structured output (the API's fields) reads no roles.
func TestAgentListReadsRolesAlongsideAgents(t *testing.T) {
	rec := &inFlight{current: map[string]int{}, calls: map[string]int{}, overlap: map[[2]string]bool{}}
	e := newEnvWith(t, sandbox.Options{Latency: 50 * time.Millisecond}, rec.wrap)
	if r := e.ladmin("agent", "list"); r.code != 0 || !strings.Contains(r.out, "owner") {
		t.Fatalf("agent list: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	if !rec.overlap[[2]string{"/roles", "/agents"}] {
		t.Errorf("roles were not read alongside the agents: calls %v", rec.calls)
	}
	rec.calls = map[string]int{}
	if r := e.ladmin("agent", "list", "-o", "json"); r.code != 0 {
		t.Fatalf("agent list -o json: exit %d\n%s", r.code, r.errOut)
	}
	if rec.calls["/roles"] != 0 || rec.calls["/agents"] != 1 {
		t.Errorf("agent list -o json made %v, want one /agents request", rec.calls)
	}
}
