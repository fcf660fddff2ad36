package agent_test

import (
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ladmin/ladmin/internal/sandbox"
)

type callLog struct {
	mu    sync.Mutex
	calls []string
}

func (l *callLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.calls = append(l.calls, r.Method+" "+strings.TrimPrefix(r.URL.Path, "/api/v3"))
		l.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

func (l *callLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.calls
	l.calls = nil
	return c
}

func cacheEnv(t *testing.T) (*env, *callLog) {
	log := &callLog{}
	e := newEnv(t, log.wrap)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(e.dir, "cache"))
	return e, log
}

// A loop of single creates reads the caller and the roles once: the next
// create within a minute sends only its POST.
func TestCreateReusesTheCallerFromTheAccountCache(t *testing.T) {
	e, log := cacheEnv(t)
	if r := e.ladmin("agent", "create", "--name", "One", "--email", "one@acme.com"); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.errOut)
	}
	first := log.take()
	if !strings.Contains(strings.Join(first, ","), "GET /roles") {
		t.Fatalf("the first create did not read the roles: %v", first)
	}
	if r := e.ladmin("agent", "create", "--name", "Two", "--email", "two@acme.com"); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.errOut)
	}
	if second := log.take(); len(second) != 1 || second[0] != "POST /agents" {
		t.Errorf("the second create made %v, want only POST /agents", second)
	}
}

// A refusal is never based on the cache: an agent refused once, then
// promoted, is allowed on the fresh read the cached refusal triggers.
func TestCreateRefusesOnlyOnAFreshRead(t *testing.T) {
	e, log := cacheEnv(t)
	t.Setenv("LADMIN_API_KEY", sandbox.AgentKey)
	if r := e.ladmin("agent", "create", "--name", "One", "--email", "one@acme.com"); r.code != 4 {
		t.Fatalf("an agent creating: exit %d, want 4: %s", r.code, r.errOut)
	}
	t.Setenv("LADMIN_API_KEY", sandbox.OwnerKey)
	if r := e.ladmin("agent", "set-role", "agent@example.com", "--role", "admin"); r.code != 0 {
		t.Fatalf("set-role: exit %d: %s", r.code, r.errOut)
	}
	t.Setenv("LADMIN_API_KEY", sandbox.AgentKey)
	log.take()
	if r := e.ladmin("agent", "create", "--name", "One", "--email", "one@acme.com"); r.code != 0 {
		t.Fatalf("the promoted agent was refused on a cached read: exit %d: %s", r.code, r.errOut)
	}
	if calls := strings.Join(log.take(), ","); !strings.Contains(calls, "GET /agents/me") {
		t.Errorf("no fresh read of the caller: %s", calls)
	}

	// And what the cache lets through, the server still decides: demoted
	// again, the cached admin's create reaches the server, which refuses it.
	t.Setenv("LADMIN_API_KEY", sandbox.OwnerKey)
	if r := e.ladmin("agent", "set-role", "agent@example.com", "--role", "agent"); r.code != 0 {
		t.Fatalf("set-role: exit %d: %s", r.code, r.errOut)
	}
	t.Setenv("LADMIN_API_KEY", sandbox.AgentKey)
	log.take()
	if r := e.ladmin("agent", "create", "--name", "Two", "--email", "two@acme.com"); r.code != 4 {
		t.Fatalf("a demoted agent creating: exit %d, want 4: %s", r.code, r.errOut)
	}
	if calls := strings.Join(log.take(), ","); !strings.Contains(calls, "POST /agents") {
		t.Errorf("the server was not asked: %s", calls)
	}
}
